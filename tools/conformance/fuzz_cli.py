#!/usr/bin/env python3
"""Random mixed-script texts through `selflengthen data check` / `data count-words`, compared with
the reference's own functions (taken at run time as generate.py takes them).

    python3 tools/conformance/fuzz_cli.py SELF_LENGTHEN LONGWRITER [SEED] [COUNT]

Needs the built jar (bin/selflengthen). Prints the disagreements (none expected) and exits 1 if any.
"""

import json
import os
import random
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import generate as g  # noqa: E402

ATOMS = list("abcXYZ019 \t\n\r.,!?;:-\"'()[]{}<>`*_~#") + list("。！？”“’‘…）（【】《》「」，、；：中文字") + [
    "\u00a0", "\u3000", "\u2028", "\u0085", "\u200b", "\u202f", "\x1c", "é", "\u0301", "😀", "\U00020000",
    "Ω", "١", "²", "Ⅻ", "ｶ", "ａ", "\ufe4f"]
WORDS = ["revised", "revision", "response", "version", "paragraph", "Revised", "responses", "conversion",
         "the", "one two three", " word ", "\n\n"]


def main():
    if len(sys.argv) < 3:
        raise SystemExit(__doc__)
    sl, lw = sys.argv[1], sys.argv[2]
    seed = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    count = int(sys.argv[4]) if len(sys.argv) > 4 else 30000
    cli = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "bin", "selflengthen")
    qwen = g.load(g.read_source(sl, "qwen/utils.py"), ["check_response", "count_words"])
    llama = g.load(g.read_source(sl, "llama/utils.py"), ["check_response"])
    longwriter = g.load(g.read_source(lw, "evaluation/pred.py"), ["count_words"])
    rng = random.Random(seed)
    texts = []
    for _ in range(count):
        t = "".join(rng.choice(WORDS) if rng.random() < 0.2 else rng.choice(ATOMS)
                    for _ in range(rng.choice([0, 1, 2, 3, 5, 10, 30, 80])))
        texts.append(t + " " + t if rng.random() < 0.3 else t)
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "fuzz.jsonl")
        with open(path, "w", encoding="utf-8") as f:
            for t in texts:
                f.write(json.dumps({"response": t}) + "\n")

        def run(*args):
            out = subprocess.run([cli, "data", *args, path], capture_output=True, text=True, check=True)
            return [json.loads(line) for line in out.stdout.split("\n") if line]

        bad = 0
        for args, fn, key in [
            (("check", "--language", "en"), llama["check_response"], "ok"),
            (("check", "--language", "zh"), qwen["check_response"], "ok"),
            (("count-words", "--scheme", "self-lengthen"), qwen["count_words"], "words"),
            (("count-words", "--scheme", "longbench-write"), longwriter["count_words"], "words"),
        ]:
            got = run(*args)
            assert len(got) == len(texts)
            for t, row in zip(texts, got):
                expected = fn(t)
                if (bool(expected) if key == "ok" else expected) != row[key]:
                    bad += 1
                    if bad <= 20:
                        print(" ".join(args), repr(t), row, expected)
    print("disagreements: %d of %d" % (bad, 4 * len(texts)))
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
