#!/usr/bin/env python3
"""Merges rounds of `bench model` output and pytorch_decode.py output into one JSON: each round's
figures and engine / PyTorch ratios (above 1: the engine is faster), and per figure the median
of the rounds' ratios with their range. Ratios are taken within a round, where both sides ran
minutes apart on the same machine, never across rounds.

    combine.py ENGINE_1 PYTORCH_1 [ENGINE_2 PYTORCH_2 ...]
"""

import json
import statistics
import sys


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
    return out


def main():
    paths = sys.argv[1:]
    if not paths or len(paths) % 2:
        raise SystemExit("usage: combine.py ENGINE_1 PYTORCH_1 [ENGINE_2 PYTORCH_2 ...]")
    rounds = []
    for e_path, t_path in zip(paths[::2], paths[1::2]):
        engine = figures(read_engine(e_path))
        torch_ = figures(json.load(open(t_path)))
        rounds.append({"engine": engine, "pytorch": torch_,
                       "engine_over_pytorch": {k: ratio(engine[k], torch_[k]) for k in engine}})
    summary = {}
    for key in rounds[0]["engine_over_pytorch"]:
        rs = [r["engine_over_pytorch"][key] for r in rounds]
        summary[key] = {"median": round(statistics.median(rs), 3), "min": min(rs), "max": max(rs),
                        "engine_best": max(r["engine"][key] for r in rounds),
                        "pytorch_best": max(r["pytorch"][key] for r in rounds)}
    first_engine = read_engine(paths[0])
    first_torch = json.load(open(paths[1]))
    print(json.dumps({
        "engine": {k: first_engine[k] for k in ("preset", "threads", "parameters") if k in first_engine},
        "pytorch": {k: first_torch[k] for k in ("implementation", "blas", "threads")},
        "rounds": rounds,
        "engine_over_pytorch": summary}, indent=2))


if __name__ == "__main__":
    main()
