#!/usr/bin/env python3
"""Merges `bench model` output and pytorch_decode.py output into one JSON with the ratios
engine / PyTorch (above 1: the engine is faster).

    combine.py ENGINE_OUTPUT PYTORCH_JSON
"""

import json
import sys


def ratio(a, b):
    return round(a / b, 3) if b else None


def main():
    text = open(sys.argv[1]).read()
    engine = json.loads(text[text.index("{"):])  # the CLI may log lines before its JSON
    torch_ = json.load(open(sys.argv[2]))
    ratios = {
        "matmul_gflops_fp32": ratio(engine["matmul_gflops_fp32"], torch_["matmul_gflops_fp32"]),
        "prefill_tokens_per_s": ratio(engine["prefill"]["tokens_per_s"],
                                      torch_["prefill"]["tokens_per_s"]),
    }
    for e, t in zip(engine["decode"], torch_["decode"]):
        assert e["batch"] == t["batch"]
        ratios["decode_batch_%d_tokens_per_s" % e["batch"]] = ratio(e["tokens_per_s"],
                                                                      t["tokens_per_s"])
    keep = ("preset", "threads", "load_average_at_start", "matmul_gflops_fp32", "parameters",
            "prefill", "decode")
    print(json.dumps({"engine": {k: engine[k] for k in keep if k in engine},
                      "pytorch": torch_, "engine_over_pytorch": ratios}, indent=2))


if __name__ == "__main__":
    main()
