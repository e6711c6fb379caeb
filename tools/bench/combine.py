#!/usr/bin/env python3
"""Merges the rounds that compare-with-pytorch.sh left in WORK into one JSON: each round's figures
and engine / PyTorch ratios (above 1: the engine is faster), for the engine in float32 and, when
measured, with bfloat16 projections (EngineOptions.bf16); per figure the median of the rounds'
ratios with their range; and the BLAS each side used. Ratios are taken within a round, where the
sides ran minutes apart on the same machine, never across rounds.

    combine.py WORK ROUNDS

WORK holds engine-R.out, pytorch-R.json and optionally engine-bf16-R.out for R = 1..ROUNDS.
"""

import json
import os
import statistics
import sys

# issue 18's bar: engine >= 1.5x PyTorch at decode batch 1, 8 and 32; batch-32 decode at 40% of
# the 250 GFLOP/s this CPU's best fp32 BLAS (OpenBLAS, AVX-512 kernels) reaches
TARGET_RATIO = 1.5
TARGET_GFLOPS = 0.4 * 250


def ratio(a, b):
    return round(a / b, 3) if b else None


def read_engine(path):
    text = open(path).read()
    return json.loads(text[text.index("{"):])  # the CLI may log lines before its JSON


def figures(result):
    out = {"matmul_gflops_fp32": result["matmul_gflops_fp32"],
           "prefill_tokens_per_s": result["prefill"]["tokens_per_s"],
           # prefill is GEMM bound: its throughput per GFLOP/s of the side's own matmul ceiling
           # separates the engine's code from the BLAS each side ships (MKL / OpenBLAS)
           "prefill_tokens_per_s_per_matmul_gflops": round(
               result["prefill"]["tokens_per_s"] / result["matmul_gflops_fp32"], 3)}
    for d in result["decode"]:
        out["decode_batch_%d_tokens_per_s" % d["batch"]] = d["tokens_per_s"]
    for d in result["decode"]:
        out["decode_batch_%d_gflops" % d["batch"]] = d["gflops"]
    return out


def summarise(rounds, side):
    key_ratios = side + "_over_pytorch"
    summary = {}
    for key in rounds[0][key_ratios]:
        rs = [r[key_ratios][key] for r in rounds]
        summary[key] = {"median": round(statistics.median(rs), 3), "min": min(rs), "max": max(rs),
                        side + "_best": max(r[side][key] for r in rounds),
                        "pytorch_best": max(r["pytorch"][key] for r in rounds)}
    return summary


def verdict(summary, side):
    out = {}
    for b in (1, 8, 32):
        med = summary["decode_batch_%d_tokens_per_s" % b]["median"]
        out["decode_batch_%d_ratio_at_least_%.1f" % (b, TARGET_RATIO)] = med >= TARGET_RATIO
    best = summary["decode_batch_32_gflops"][side + "_best"]
    out["decode_batch_32_gflops_best"] = best
    out["decode_batch_32_share_of_250_gflops"] = round(best / 250, 3)
    out["decode_batch_32_at_least_40_percent"] = best >= TARGET_GFLOPS
    return out


def main():
    if len(sys.argv) != 3:
        raise SystemExit("usage: combine.py WORK ROUNDS")
    work, n = sys.argv[1], int(sys.argv[2])
    sides = ["engine"]
    if os.path.exists(os.path.join(work, "engine-bf16-1.out")):
        sides.append("engine_bf16")
    rounds = []
    for r in range(1, n + 1):
        torch_ = figures(json.load(open(os.path.join(work, "pytorch-%d.json" % r))))
        entry = {"pytorch": torch_}
        for side in sides:
            name = "engine-bf16" if side == "engine_bf16" else "engine"
            eng = figures(read_engine(os.path.join(work, "%s-%d.out" % (name, r))))
            entry[side] = eng
            entry[side + "_over_pytorch"] = {k: ratio(eng[k], torch_[k]) for k in eng}
        rounds.append(entry)
    first_torch = json.load(open(os.path.join(work, "pytorch-1.json")))
    out = {"pytorch": {k: first_torch[k] for k in ("implementation", "blas", "threads")}}
    for side in sides:
        name = "engine-bf16" if side == "engine_bf16" else "engine"
        first = read_engine(os.path.join(work, "%s-1.out" % name))
        out[side] = {k: first[k] for k in ("implementation", "blas", "projections", "linear_precision", "preset",
                                          "threads", "parameters") if k in first}
    out["rounds"] = rounds
    for side in sides:
        summary = summarise(rounds, side)
        out[side + "_over_pytorch"] = summary
        out[side + "_targets"] = verdict(summary, side)
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
