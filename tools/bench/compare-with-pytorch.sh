#!/usr/bin/env bash
# Side by side: `selflengthen bench model --preset small --inference-only` and the same checkpoint
# in plain PyTorch from Python (tools/bench/pytorch_decode.py), interleaved over several rounds
# (engine then PyTorch, then PyTorch then engine, ...), printing one JSON with every round's
# figures, each round's engine/PyTorch ratios and their median (above 1: the engine is faster).
# Interleaving matters on a shared machine: single runs minutes apart differed by up to 1.5x,
# while the two sides of one round see the same machine.
#
#   tools/bench/compare-with-pytorch.sh [--threads N] [--rounds R] [--work-dir DIR]
#
# Needs the CLI jar (mvn -q package -DskipTests) and Debian's python3-torch
# (apt-get install -y python3-torch libopenblas0-openmp; /usr/bin/python3; without an optimised
# libblas.so.3 Debian's torch falls back to the reference BLAS at under 1 GFLOP/s).
set -euo pipefail
here="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.." && pwd)"
threads=2
rounds=3
work=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --threads) threads="$2"; shift 2 ;;
    --rounds) rounds="$2"; shift 2 ;;
    --work-dir) work="$2"; shift 2 ;;
    *) echo "usage: $0 [--threads N] [--rounds R] [--work-dir DIR]" >&2; exit 2 ;;
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
}
pytorch() {
  echo "round $1: pytorch ($python tools/bench/pytorch_decode.py)" >&2
  "$python" "$here/tools/bench/pytorch_decode.py" --model "$work/small" --threads "$threads" \
    > "$work/pytorch-$1.json"
}

engine 1   # also writes the checkpoint both sides run
pytorch 1
for ((r = 2; r <= rounds; r++)); do
  if ((r % 2 == 0)); then pytorch "$r"; engine "$r"; else engine "$r"; pytorch "$r"; fi
done
args=()
for ((r = 1; r <= rounds; r++)); do args+=("$work/engine-$r.out" "$work/pytorch-$r.json"); done
"$python" "$here/tools/bench/combine.py" "${args[@]}"
