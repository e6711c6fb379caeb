#!/usr/bin/env python3
"""Regenerates the conformance data: edge-case inputs and the outputs of the reference's own Python.

    python3 tools/conformance/generate.py SELF_LENGTHEN LONGWRITER [OUT_DIR]

SELF_LENGTHEN is a checkout of QwenLM/Self-Lengthen and LONGWRITER one of THUDM/LongWriter: a
working tree, or a bare git directory (files are then read with `git show HEAD:<path>`). OUT_DIR
defaults to method/src/test/resources/conformance. Needs only the Python standard library.

Nothing of the reference is copied: each function is taken from the reference file's syntax tree
at run time and executed on the generated inputs. The scripts import packages this needs none of
(torch, datasets, langdetect, cn2an, matplotlib): only the function definitions, dictionaries and
loops used are compiled, with their free names bound to standard modules or to small stand-ins
defined here (a scripted `random`, a list-like `select`, an `open` that yields given lines). The
Java tests (selflengthen.method.ConformanceTest) read the files written here and require the
project's functions to agree on every case.

Files (JSON Lines, one case a line; every file starts with no header):
  check_en.jsonl, check_zh.jsonl      {"text", "ok"}                     check_response
  count_words.jsonl                   {"text", "self_lengthen", "longbench_write"}
  drop_short.jsonl                    {"texts", "draws", "kept"}           drop_short
  dropout_en.jsonl, dropout_zh.jsonl  {"text", "draws", "out"}             mk_ext_sft line dropout
  length_control.jsonl                {"words", "lang", "draws", "used", "target"}
  num_round.jsonl                     {"x", "num", "out"}
  longen_score.jsonl                  {"type", "constraint", "words", "score"}
  longbench_score.jsonl               {"required", "produced", "score" | "error"}
  python_chars.json                   code points where str.isspace() / re's \\w hold
"""

import ast
import itertools
import json
import math
import os
import random as stdrandom
import re
import subprocess
import sys


# ---------------------------------------------------------------- reading the reference


def read_source(repo, path):
    full = os.path.join(repo, path)
    if os.path.isfile(full):
        with open(full, encoding="utf-8") as f:
            return f.read()
    return subprocess.run(
        ["git", "-C", repo, "show", "HEAD:" + path], check=True, capture_output=True, text=True
    ).stdout


def definitions(source, names):
    """The top-level function definitions and assignments of `names`, as a compiled module."""
    tree = ast.parse(source)
    body = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name in names:
            body.append(node)
        elif isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id in names for t in node.targets
        ):
            body.append(node)
    found = {n.name if isinstance(n, ast.FunctionDef) else n.targets[0].id for n in body}
    missing = set(names) - found
    if missing:
        raise SystemExit("not found in the reference: " + ", ".join(sorted(missing)))
    return compile(ast.Module(body=body, type_ignores=[]), "<reference>", "exec")


def top_level_loop(source, target_name):
    """The first top-level `for <target_name> in ...` loop (the script's main loop)."""
    for node in ast.parse(source).body:
        if isinstance(node, ast.For) and isinstance(node.target, ast.Name) and node.target.id == target_name:
            return compile(ast.Module(body=[node], type_ignores=[]), "<reference>", "exec")
    raise SystemExit("no loop over " + target_name)


def load(source, names, **bindings):
    namespace = {"re": re, "math": math, "print": lambda *a, **k: None}
    namespace.update(bindings)
    exec(definitions(source, names), namespace)
    return namespace


# ---------------------------------------------------------------- stand-ins


class ScriptedRandom:
    """`random` whose random() returns the given draws in order and counts them."""

    def __init__(self, draws):
        self.draws = list(draws)
        self.used = 0

    def random(self):
        if self.used >= len(self.draws):
            raise RuntimeError("more draws asked than scripted")
        value = self.draws[self.used]
        self.used += 1
        return value


class Rows(list):
    """A list of dicts with datasets.Dataset's select(indices)."""

    def select(self, indices):
        return list(indices)


class NoFile:
    def __enter__(self):
        return self

    def __exit__(self, *a):
        return False

    def write(self, *a):
        pass


class NoJson:
    dump = staticmethod(lambda *a, **k: None)


# ---------------------------------------------------------------- edge-case inputs

EN_MARKS = list(".!?,;:-\"')]}>`")
ZH_MARKS = list("。！？”）】’…") + list(")]}>`")
NEIGHBOURS = list("，、；：《》「」『』“‘（【*~#|/\\+=_") + ["a", "1", " ", "\u00a0", "\u3000", "\u2019\u2019"]
SPACES = ["", " ", "\n", "\t", "\r\n", "\u00a0", "\u3000", "\u2028", "\u0085", "\u200b", "\u202f", "\x1c", "\x0b\x0c"]
META = ["revised", "revision", "response", "version", "paragraph"]
META_VARIANTS = []
for w in META:
    META_VARIANTS += [w, w.capitalize(), w.upper(), w + "s", "con" + w, w[:-1]]
META_VARIANTS += ["responses", "conversion", "revisions", "paragraphs", "Revised", "Versions", "revise"]
EN_FILLER = ["The sky was clear.", "We walked home.", "It rained later.", "Dinner was warm.", "The end."]
TEN = "one two three four five six seven eight nine ten"
ZH13 = "我们今天一起去公园散步吧好"


def check_inputs_en():
    cases = ["", " ", "\n\n", ".", "a", "...", "a...", "a\u2026", "“x”", "a\u201d"]
    for m in EN_MARKS + ZH_MARKS + NEIGHBOURS:
        for s in SPACES:
            cases.append("It ends" + m + s)
    # meta words at every line of a 7-line text, raw lines (blank and whitespace-only ones too)
    for v in META_VARIANTS:
        for k in range(7):
            lines = list(EN_FILLER) + ["Next.", "Last."]
            lines[k] = "Here is the " + v + " text."
            cases.append("\n".join(lines))
        for layout in ["{}\n\nA.\nB.\nC.\nD.\nE.", "T\n\n{}\nA.\nB.\nC.\nD.", "T\n \n{}\nA.\nB.\nC.\nD.",
                       "A.\nB.\nC.\nD.\n{}\n\n", "A.\nB.\nC.\nD.\n{}\n\nE.\n\n\n", "A.\nB.\nC.\n{}\n\n\nE.",
                       "{}", "A.\n{}", "A.\r\n{}\r\nB.\r\nC.\r\nD.\r\nE.", "A.\n\n\n\n{}\n\n\n\nB.",
                       "A.\u2028{}\u2028B.\nC.\nD.\nE.\nF."]:
            cases.append(layout.format("the " + v + " is here."))
    # n-grams: 10 words repeated, across lines, with other whitespace, 9 words
    nine = " ".join(TEN.split()[:9])
    cases += [
        TEN + " and " + TEN + ".",
        TEN + "\n" + TEN + ".",
        TEN + "\n\n" + TEN.replace(" ", "\n") + ".",
        TEN + "\u00a0" + TEN + ".",
        TEN.replace(" ", "\u00a0") + " x " + TEN.replace(" ", "\u00a0") + ".",
        TEN.replace(" ", "\u200b") + " x " + TEN.replace(" ", "\u200b") + ".",
        nine + " and " + nine + ".",
        TEN + " " + TEN.upper() + ".",
        TEN + ", " + TEN + ",",
        " ".join(["a"] * 10) + ".",
        " ".join(["a"] * 11) + ".",
        " ".join(["a"] * 9) + ".",
        (TEN + " ") * 3 + "end.",
        "version\n" + TEN + " " + TEN + ".",
    ]
    return cases


def check_inputs_zh():
    cases = ["", " ", "\n", "。", "a", "...", "结束...", "结束。。。", "结束……"]
    for m in ZH_MARKS + EN_MARKS + NEIGHBOURS:
        for s in SPACES:
            cases.append("结束" + m + s)
    twelve = ZH13[:12]
    cases += [
        ZH13 + "，然后" + ZH13 + "。",
        twelve + "，然后" + twelve + "。",
        ZH13 + "\n" + ZH13 + "。",
        "我们今天一起去公园散步GPU显" + "，" + "我们今天一起去公园散步GPU显" + "。",
        "我们今天一起去公园散GPU显" + "，" + "我们今天一起去公园散GPU显" + "。",
        "我们今天一起去公园散步GPU显" + "，" + "我们今天一起去公园散步GPU 显" + "。",
        "用Java 17写" * 4 + "。",
        "a" * 13 + "。",
        "a" * 30 + "b" + "a" * 30 + "。",
        "。".join(["甲乙丙丁戊己庚辛壬癸子丑寅"] * 2) + "。",
        "一 二 三 四 五 六 七 八 九 十 十一 十二 十三 " * 2 + "。",
        "这是修改后的版本：\n正文。",
        "Here is the revised version:\n正文。",
        "😀" * 13 + "，" + "😀" * 13 + "。",
        "😀" * 6 + "a" + "😀" * 6 + "，" + "😀" * 6 + "a" + "😀" * 6 + "。",
        "x\n\n\ny" * 7 + "。",
        "\n" * 13 + "甲" + "\n" * 13 + "。",
        "甲 乙" * 14 + "。",
    ]
    return cases


def word_inputs():
    cases = [
        "", " ", "abc", "abc中文", "abc123", "café", "cafe\u0301", "x_y", "(abc)", "It's", "e-mail",
        "naïve résumé", "über", "ÀB", "abcΩ", "Ωabc", "abc١٢", "abc²", "abc½", "abcⅫ", "a\u00adb",
        "使用GPU 4。", "使用 GPU 4。", "Hello, world!", "你好，世界吗。", "ＡＢＣ", "ａｂｃ def",
        "a\u00a0b", "a\u2007b", "a\u202fb", "a\u0085b", "a\u001cb", "a\u200bb", "a\u3000b", "a\u2028b",
        "一二三 four five", "Ａ Ｂ", "abc\U00020000", "abc😀", "\U00020000\U00020001", "〇〇", "abc〇",
        "\t\n\r\x0b\x0c", "word\u180eword", "tab\tsep\nnew", "﹏﹏", "ｶﾀｶﾅ abc", "abc\u0300def",
        "x" * 5 + "\u0660", "123abc", "_abc_", "abc_", "a.b.c", "中\u3000文", "（括号）", "【注】",
        "2,000 words", "two-thousand words", "\u2160\u2161 abc",
    ]
    return cases


def drop_short_inputs():
    texts_sets = [
        ["a", "bb", "ccc", "dddd"],
        ["same", "same", "same"],
        ["😀😀", "ab", "abc", "中文"],
        ["x" * n for n in [5, 1, 3, 3, 9, 2, 7, 3]],
        ["only one"],
        ["", "a", ""],
        ["\U00020000" * 3, "abcd", "ab"],
    ]
    cases = []
    rng = stdrandom.Random(20241031)
    for texts in texts_sets:
        n = len(texts)
        lengths = sorted(len(t) for t in texts)
        # draws at the thresholds, just above, just below, and random ones
        thresholds = [2 * (1 - lengths.index(len(t)) / n) ** 3 for t in texts]
        for variant in range(6):
            if variant == 0:
                draws = [min(th, 0.999999) for th in thresholds]
            elif variant == 1:
                draws = [min(math.nextafter(th, 1.0), 0.999999) for th in thresholds]
            elif variant == 2:
                draws = [max(math.nextafter(th, 0.0), 0.0) for th in thresholds]
            else:
                draws = [rng.random() for _ in texts]
            cases.append((texts, draws))
    # many ranks: the threshold 2 r^3 for r = 1 - k/n
    for n in [3, 7, 10, 29, 100]:
        texts = ["y" * (k + 1) for k in range(n)]
        draws = [min(2 * (1 - k / n) ** 3, 0.9999999999) for k in range(n)]
        cases.append((texts, draws))
    return cases


def dropout_inputs():
    texts = [
        "", "one line", "a\nb", "a\n\nb", "a\n \nb", "\n", "\n\n\n", "a\n", "\na", "a\r\nb\r\n",
        "title\n\npara one\n\npara two\n\n", "a\u2028b\nc", " \n\t\n  x  \n", "甲\n乙\n丙\n\n丁",
    ]
    cases = []
    rng = stdrandom.Random(7)
    for t in texts:
        n = len(t.split("\n"))
        for variant in range(5):
            if variant == 0:
                draws = [0.8] * n
            elif variant == 1:
                draws = [math.nextafter(0.8, 0.0)] * n
            elif variant == 2:
                draws = [0.0 if i % 2 else 0.9 for i in range(n)]
            else:
                draws = [rng.random() for _ in range(n)]
            cases.append((t, draws))
    return cases


# ---------------------------------------------------------------- runs of the reference


def run_check(source, cases):
    ns = load(source, ["check_response"])
    return [{"text": t, "ok": bool(ns["check_response"](t))} for t in cases]


def run_counts(sl_sources, longwriter_source, cases):
    counts = [load(s, ["count_words"])["count_words"] for s in sl_sources]
    lw = load(longwriter_source, ["count_words"])["count_words"]
    out = []
    for t in cases:
        values = {c(t) for c in counts}
        if len(values) != 1:
            raise SystemExit("the reference's count_words copies disagree on " + repr(t))
        out.append({"text": t, "self_lengthen": values.pop(), "longbench_write": lw(t)})
    return out


def run_drop_short(source, cases):
    out = []
    for texts, draws in cases:
        scripted = ScriptedRandom(draws)
        ns = load(source, ["drop_short"], random=scripted)
        rows = Rows({"response": t} for t in texts)
        kept = ns["drop_short"](rows, "response")
        assert scripted.used == len(texts)
        out.append({"texts": texts, "draws": draws, "kept": kept})
    return out


def run_dropout(source, cases):
    out = []
    for text, draws in cases:
        scripted = ScriptedRandom(draws)
        ns = load(
            source,
            ["mk_ext_sft"],
            random=scripted,
            load_template=lambda name: "{response}",
            count_words=lambda t: 1,
            json=NoJson,
            open=lambda *a, **k: NoFile(),
        )
        rows = ns["mk_ext_sft"]([{"prompt": "p", "initial_response": text, "extended_response": "e"}])
        assert scripted.used == len(draws)
        out.append({"text": text, "draws": draws, "out": rows[0]["instruction"]})
    return out


def run_length_control(source):
    names = ["count_words", "num_round", "constraint"]
    base = load(source, names)
    loop = top_level_loop(source, "d")
    lengths = [1999, 2000, 2001, 2499, 2500, 2501, 2999, 3000, 3001, 3500, 4000, 4500, 5000, 5500,
               6000, 6500, 7000, 7001, 7499, 7500, 7501, 7999, 8000]
    unit_draws = [0.0, math.nextafter(0.2, 0.0), 0.2, 0.5, 0.999]
    numeral_draws = [math.nextafter(0.5, 0.0), 0.5]
    type_draws = [0.0, math.nextafter(0.4, 0.0), 0.4, math.nextafter(0.65, 0.0), 0.65,
                  math.nextafter(0.75, 0.0), 0.75, 0.999]
    out = []
    for words, lang, ud, nd, td in itertools.product(lengths, ["en", "zh"], unit_draws, numeral_draws, type_draws):
        if (words < 2000 or words >= 8000) and (ud, nd, td) != (unit_draws[0], numeral_draws[0], type_draws[0]):
            continue  # out of the window nothing is drawn: one case per length is enough
        scripted = ScriptedRandom([ud, nd, td])
        row = {"session": [{"query": "q", "response": " ".join(["w"] * words)}]}
        ns = dict(base)
        ns.update(
            random=scripted,
            json=json,
            open=lambda name, *a, **k: iter([json.dumps(row) + "\n"]),
            filename="long",
            detect=lambda text, lang=lang: lang,
            an2cn=lambda x: "〔%d〕" % x,
            template={"zh": "{}", "en": "{}"},
            data=[],
            lengths=[],
        )
        exec(loop, ns)
        target = ns["data"][0]["eval_args"]["system_str"] if ns["data"] else None
        out.append({"words": words, "lang": lang, "draws": [ud, nd, td], "used": scripted.used, "target": target})
    return out


def run_num_round(source):
    ns = load(source, ["num_round"])
    out = []
    halves = {v for k in range(2, 9) for v in
              (k * 1000 - 1, k * 1000, k * 1000 + 1, k * 1000 + 499, k * 1000 + 500, k * 1000 + 501)}
    for x in sorted(halves):
        for num in (1000, 2000):
            r = ns["num_round"](x, num)
            out.append({"x": x, "num": num, "out": list(r)})
    return out


def run_longen_score(source):
    loop = None
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.For) and isinstance(node.target, ast.Name) and node.target.id == "data":
            loop = compile(ast.Module(body=[node], type_ignores=[]), "<reference>", "exec")
    count = load(source, ["count_words"])["count_words"]
    constraints = {
        "about": ["大约2000字", "around 3000 words", "about 500 words", "大约10000字"],
        "range": ["2000字至3000字", "2000-3000 words", "1000 to 1500 words", "500-8000 words"],
        "above": ["大于2000字", "more than 3000 words", "more than 700 words"],
        "below": ["小于2000字", "less than 3000 words", "less than 900 words"],
    }
    words_list = [0, 1, 199, 250, 299, 350, 399, 400, 449, 500, 501, 599, 600, 601, 999, 1000, 1001, 1049,
                  1050, 1499, 1500, 1501, 1599, 1600, 1601, 1999, 2000, 2001, 2399, 2400, 2401, 2999, 3000,
                  3001, 3599, 3600, 3601, 4499, 4500, 4501, 5000, 6000, 7000, 8000, 9000, 10000, 12000, 14999,
                  15000, 16000, 24000]
    out = []
    for type_, cs in constraints.items():
        for c in cs:
            for words in words_list:
                response = " ".join(["w"] * words)
                assert count(response) == words
                ns = {"re": re, "print": lambda *a, **k: None, "count_words": count,
                      "dataset": [{"type": type_, "constraint": c, "response": response}],
                      "scores": {"about": [], "range": [], "above": [], "below": []}}
                exec(loop, ns)
                out.append({"type": type_, "constraint": c, "words": words, "score": ns["scores"][type_][0]})
    return out


def run_longbench_score(source):
    score = load(source, ["score"])["score"]
    required = [100, 300, 500, 1000, 2000, 5000, 10000, 20000]
    out = []
    for x in required:
        for y in sorted({0, 1, x // 3, x // 2 - 1, x // 2, x // 2 + 1, x - 1, x, x + 1, 2 * x, 3 * x,
                         4 * x - 1, 4 * x, 4 * x + 1, 5 * x}):
            try:
                out.append({"required": x, "produced": y, "score": score(x, y)})
            except ZeroDivisionError:
                out.append({"required": x, "produced": y, "error": "ZeroDivisionError"})
    return out


def python_chars():
    space = [cp for cp in range(0x110000) if chr(cp).isspace()]
    word = re.compile(r"\w")
    ranges = []
    start = None
    for cp in range(0x110000 + 1):
        is_word = cp < 0x110000 and word.match(chr(cp)) is not None
        if is_word and start is None:
            start = cp
        elif not is_word and start is not None:
            ranges.append([start, cp - 1])
            start = None
    return {"python": sys.version.split()[0], "unicode": __import__("unicodedata").unidata_version,
            "isspace": space, "word_ranges": ranges}


# ---------------------------------------------------------------- main


def write_jsonl(path, rows):
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=True, sort_keys=True) + "\n")
    print("%-28s %5d cases" % (os.path.basename(path), len(rows)))


def main():
    if len(sys.argv) < 3:
        raise SystemExit(__doc__)
    sl, lw = sys.argv[1], sys.argv[2]
    here = os.path.dirname(os.path.abspath(__file__))
    out = sys.argv[3] if len(sys.argv) > 3 else os.path.join(
        here, "..", "..", "method", "src", "test", "resources", "conformance")
    os.makedirs(out, exist_ok=True)
    qwen_utils = read_source(sl, "qwen/utils.py")
    llama_utils = read_source(sl, "llama/utils.py")
    add_lc = read_source(sl, "eval/add_length_control.py")
    following = read_source(sl, "eval/length_following_eval.py")
    pred = read_source(lw, "evaluation/pred.py")
    eval_length = read_source(lw, "evaluation/eval_length.py")

    write_jsonl(os.path.join(out, "check_en.jsonl"), run_check(llama_utils, check_inputs_en()))
    write_jsonl(os.path.join(out, "check_zh.jsonl"), run_check(qwen_utils, check_inputs_zh()))
    write_jsonl(os.path.join(out, "count_words.jsonl"),
                run_counts([qwen_utils, llama_utils, add_lc, following], pred,
                           word_inputs() + check_inputs_en()[:60] + check_inputs_zh()[-18:]))
    # qwen/ and llama/ hold the same drop_short; both are run, and must agree.
    a = run_drop_short(qwen_utils, drop_short_inputs())
    b = run_drop_short(llama_utils, drop_short_inputs())
    if a != b:
        raise SystemExit("the two drop_short copies disagree")
    write_jsonl(os.path.join(out, "drop_short.jsonl"), a)
    write_jsonl(os.path.join(out, "dropout_zh.jsonl"), run_dropout(read_source(sl, "qwen/mk_data.py"), dropout_inputs()))
    write_jsonl(os.path.join(out, "dropout_en.jsonl"), run_dropout(read_source(sl, "llama/mk_data.py"), dropout_inputs()))
    write_jsonl(os.path.join(out, "length_control.jsonl"), run_length_control(add_lc))
    write_jsonl(os.path.join(out, "num_round.jsonl"), run_num_round(add_lc))
    write_jsonl(os.path.join(out, "longen_score.jsonl"), run_longen_score(following))
    write_jsonl(os.path.join(out, "longbench_score.jsonl"), run_longbench_score(eval_length))
    with open(os.path.join(out, "python_chars.json"), "w", encoding="utf-8") as f:
        json.dump(python_chars(), f, separators=(",", ":"))
        f.write("\n")
    print("python_chars.json written")


if __name__ == "__main__":
    main()
