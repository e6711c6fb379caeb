#!/usr/bin/env python3
"""Loads checkpoints and LoRA adapters this project wrote in transformers + peft, as they are, and
compares the logits with the ones our engine computed (tools/transformers/prepare.sh writes both).

    python3 tools/transformers/compare.py DIR [--json SUMMARY.json]

DIR holds one folder per case (small/, demo/), each with model/ (a Hugging Face checkpoint; files
ending in .xz are unpacked first), adapter/ (PEFT LoRA) and base.json[.xz] / lora.json[.xz] (our
logits at every position of a few texts, without and with the adapter). Each case is checked on
every device torch sees (CPU, and CUDA when present, with TF32 off so both compute in float32):
  - the tokenizer, loaded by AutoTokenizer, gives our token ids for each text;
  - the base model's logits match ours;
  - PeftModel.from_pretrained(base, adapter) gives our adapter logits, and so does the adapter
    merged into the weights (merge_and_unload);
  - the adapter changes the logits (a no-op adapter would pass the rest vacuously).
A logit matches when |ours - theirs| <= 1e-4 * (1 + |theirs|) and the argmax agrees at every
position. Exit status 0 when everything matches; prints one line per check and a JSON summary.
"""

import argparse
import copy
import json
import lzma
import os
import shutil
import sys

import torch
from peft import PeftModel
from transformers import AutoModelForCausalLM, AutoTokenizer

TOLERANCE = 1e-4


def read_json(path):
    if os.path.exists(path + ".xz"):
        with lzma.open(path + ".xz", "rt") as f:
            return json.load(f)
    with open(path) as f:
        return json.load(f)


def unpack(folder):
    for name in os.listdir(folder):
        if name.endswith(".xz"):
            src = os.path.join(folder, name)
            with lzma.open(src) as f, open(src[:-3], "wb") as g:
                shutil.copyfileobj(f, g)
            os.remove(src)


def load_base(model_dir, device):
    try:
        model = AutoModelForCausalLM.from_pretrained(model_dir, dtype=torch.float32)
    except TypeError:
        model = AutoModelForCausalLM.from_pretrained(model_dir, torch_dtype=torch.float32)
    return model.to(device).eval()


def logits_of(model, ids, device):
    with torch.no_grad():
        x = torch.tensor([ids], dtype=torch.long, device=device)
        return model(input_ids=x).logits[0].double().cpu()


def compare(ours, theirs):
    ours = torch.tensor(ours, dtype=torch.float64)
    err = (ours - theirs).abs()
    rel = float((err / (1 + theirs.abs())).max())
    same_argmax = bool((ours.argmax(-1) == theirs.argmax(-1)).all())
    return float(err.max()), rel, same_argmax


def check_case(name, folder, device, report):
    model_dir = os.path.join(folder, "model")
    adapter_dir = os.path.join(folder, "adapter")
    base_json = read_json(os.path.join(folder, "base.json"))
    lora_json = read_json(os.path.join(folder, "lora.json"))
    ok = True

    tok = AutoTokenizer.from_pretrained(model_dir)
    for c in base_json["cases"]:
        theirs = tok(c["text"], add_special_tokens=False)["input_ids"]
        same = theirs == c["ids"]
        ok &= same
        print("%s: tokenizer ids of %r (%d tokens) equal ours: %s"
              % (name, c["text"][:40], len(c["ids"]), same))

    base = load_base(model_dir, device)
    print("%s on %s: %s, %d parameters, dtype %s" % (
        name, device, type(base).__name__, sum(p.numel() for p in base.parameters()),
        next(base.parameters()).dtype))
    rows = []

    def record(what, ours_case, model):
        nonlocal ok
        theirs = logits_of(model, ours_case["ids"], device)
        abs_err, rel, same = compare(ours_case["logits"], theirs)
        good = rel <= TOLERANCE and same
        ok &= good
        rows.append({"case": name, "device": str(device), "model": what,
                     "tokens": len(ours_case["ids"]), "max_abs_diff": abs_err,
                     "max_rel_diff": rel, "argmax_equal": same, "ok": good})
        print("%s %s on %s, %d tokens: max |ours - theirs| %.3g, relative %.3g, argmax equal %s: %s"
              % (name, what, device, len(ours_case["ids"]), abs_err, rel, same,
                 "OK" if good else "FAIL"))
        return theirs

    base_logits = [record("base", c, base) for c in base_json["cases"]]
    peft_model = PeftModel.from_pretrained(copy.deepcopy(base), adapter_dir).to(device).eval()
    lora_logits = [record("base+adapter (PeftModel)", c, peft_model) for c in lora_json["cases"]]
    merged = peft_model.merge_and_unload()
    for c in lora_json["cases"]:
        record("adapter merged (merge_and_unload)", c, merged)
    change = max(float((a - b).abs().max()) for a, b in zip(base_logits, lora_logits))
    effective = change > 1e-3
    ok &= effective
    print("%s on %s: largest change the adapter makes to a logit %.3g (must exceed 1e-3): %s"
          % (name, device, change, "OK" if effective else "FAIL"))
    report.append({"case": name, "device": str(device), "adapter_change": change,
                   "checks": rows})
    return ok


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--json", help="also write the summary to this file")
    args = ap.parse_args()
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    import peft
    import transformers
    print("torch %s, transformers %s, peft %s, cuda %s" % (
        torch.__version__, transformers.__version__, peft.__version__,
        torch.cuda.get_device_name(0) if torch.cuda.is_available() else "none"))
    devices = [torch.device("cpu")] + ([torch.device("cuda")] if torch.cuda.is_available() else [])
    ok = True
    report = []
    for name in sorted(os.listdir(args.dir)):
        folder = os.path.join(args.dir, name)
        if not os.path.isdir(os.path.join(folder, "model")):
            continue
        unpack(os.path.join(folder, "model"))
        for device in devices:
            ok &= check_case(name, folder, device, report)
    summary = {"ok": ok, "tolerance": TOLERANCE, "torch": torch.__version__,
               "transformers": transformers.__version__, "peft": peft.__version__,
               "results": report}
    print(json.dumps({"ok": ok, "cases": [
        {k: r[k] for k in ("case", "device", "adapter_change")}
        | {"worst_rel": max(c["max_rel_diff"] for c in r["checks"])} for r in report]}))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(summary, f, indent=1)
    return 0 if ok and report else 1


if __name__ == "__main__":
    sys.exit(main())
