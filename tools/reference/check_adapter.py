#!/usr/bin/env python3
"""Opens a PEFT LoRA adapter saved by the Java trainer with the independent numpy loader, applies
it to its base checkpoint, and compares the logits with the ones the Java engine computed.

    python3 tools/reference/check_adapter.py model/target/independent-qwen2/java-adapter-logits.json

The JSON (written by IndependentQwen2Test) names the base checkpoint and adapter directories and
holds, per case, the token ids and Java's logits at every position. Exit status 0 when every logit
agrees within 1e-4 * (1 + |reference|), 1 otherwise; prints the figures either way.
"""

import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from qwen2_reference import LoraAdapter, Qwen2  # noqa: E402

TOLERANCE = 1e-4


def main():
    path = sys.argv[1]
    with open(path) as f:
        java = json.load(f)
    here = os.path.dirname(os.path.abspath(path))
    base = Qwen2.load(os.path.join(here, java["base"]))
    adapter_dir = os.path.join(here, java["adapter"])
    adapter = LoraAdapter.load(adapter_dir)
    model = base.with_adapter(adapter)
    names = sorted(adapter.tensors)
    print("adapter %s: r=%d alpha=%s targets=%s, %d tensors, e.g. %s" % (
        adapter_dir, adapter.config["r"], adapter.config["lora_alpha"],
        adapter.config["target_modules"], len(names), names[0]))
    worst = 0.0
    worst_abs = 0.0
    changed = 0.0
    for case in java["cases"]:
        ref = model.forward(case["ids"])
        got = np.asarray(case["logits"], dtype=np.float64)
        if got.shape != ref.shape:
            print("shape mismatch", got.shape, ref.shape)
            return 1
        err = np.abs(got - ref)
        worst = max(worst, float(np.max(err / (1 + np.abs(ref)))))
        worst_abs = max(worst_abs, float(np.max(err)))
        changed = max(changed, float(np.max(np.abs(ref - base.forward(case["ids"])))))
        same = bool(np.all(np.argmax(got, -1) == np.argmax(ref, -1)))
        print("case of %d tokens: max |java - numpy| = %.3g, argmax equal at every position: %s"
              % (len(case["ids"]), float(np.max(err)), same))
    print("largest change the adapter makes to a logit: %.3g" % changed)
    ok = worst <= TOLERANCE and changed > 1e-3
    print("max abs diff %.3g, max diff / (1 + |ref|) %.3g, tolerance %g: %s"
          % (worst_abs, worst, TOLERANCE, "OK" if ok else "FAIL"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
