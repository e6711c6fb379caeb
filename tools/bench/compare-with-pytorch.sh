#!/usr/bin/env bash
# Side by side: `selflengthen bench model --preset small --inference-only` and the same checkpoint
# in plain PyTorch from Python (tools/bench/pytorch_decode.py), interleaved over several rounds
# (engine then PyTorch, then PyTorch then engine, ...), printing one JSON with every round's
# figures, each round's engine/PyTorch ratios and their median (above 1: the engine is faster),
# the BLAS each side used, and whether issue 18's bar is met (decode >= 1.5x at batch 1, 8, 32;
# batch-32 decode >= 100 GFLOP/s). The engine runs twice per round: float32 (its default) and
# with bfloat16 projections (--bf16, EngineOptions.bf16); --fp32-only skips the second.
#
# PyTorch runs in its best configuration on this machine: OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE
# are removed from its environment only (this image sets OPENBLAS_CORETYPE=Haswell, which keeps
# OpenBLAS on its AVX2 kernels; unset, it picks its AVX-512 ones: ~250 against ~164 GFLOP/s).
# Interleaving matters on a shared machine: single runs minutes apart differed by up to 1.5x,
# while the two sides of one round see the same machine.
#
#   tools/bench/compare-with-pytorch.sh [--threads N] [--rounds R] [--work-dir DIR] [--fp32-only]
#
# Needs the CLI jar (mvn -q package -DskipTests) and Debian's python3-torch
# (apt-get install -y python3-torch libopenblas0-openmp; /usr/bin/python3; without an optimised
# libblas.so.3 Debian's torch falls back to the reference BLAS at under 1 GFLOP/s).
set -euo pipefail
here="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.." && pwd)"
threads=2
rounds=3
work=""
bf16=1
while [[ $# -gt 0 ]]; do
  case "$1" in
    --threads) threads="$2"; shift 2 ;;
    --rounds) rounds="$2"; shift 2 ;;
    --work-dir) work="$2"; shift 2 ;;
    --fp32-only) bf16=0; shift ;;
    *) echo "usage: $0 [--threads N] [--rounds R] [--work-dir DIR] [--fp32-only]" >&2; exit 2 ;;
  esac
done
python="${PYTORCH_PYTHON:-/usr/bin/python3}"
if ! "$python" -c 'import torch' 2>/dev/null; then
  echo "$python cannot import torch: apt-get install -y python3-torch" >&2
  exit 1
fi
if [[ -z "$work" ]]; then
  work="$(mktemp -d -t compare-pytorch.XXXXXX)"
  trap 'rm -rf "$work"' EXIT
fi
mkdir -p "$work"
export DJL_OFFLINE=true OPT_OUT_TRACKING=true

engine() {
  echo "round $1: engine (selflengthen bench model --preset small --inference-only)" >&2
  "$here/bin/selflengthen" bench model --preset small --inference-only --threads "$threads" \
    --work-dir "$work" > "$work/engine-$1.out"
  if ((bf16)); then
    echo "round $1: engine, bfloat16 projections (... --bf16)" >&2
    "$here/bin/selflengthen" bench model --preset small --inference-only --threads "$threads" \
      --work-dir "$work" --bf16 > "$work/engine-bf16-$1.out"
  fi
}
pytorch() {
  echo "round $1: pytorch ($python tools/bench/pytorch_decode.py, OpenBLAS variables unset)" >&2
  env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE \
    "$python" "$here/tools/bench/pytorch_decode.py" --model "$work/small" --threads "$threads" \
    > "$work/pytorch-$1.json"
}

engine 1   # also writes the checkpoint both sides run
pytorch 1
for ((r = 2; r <= rounds; r++)); do
  if ((r % 2 == 0)); then pytorch "$r"; engine "$r"; else engine "$r"; pytorch "$r"; fi
done
"$python" "$here/tools/bench/combine.py" "$work" "$rounds"
