#!/usr/bin/env bash
# Side by side: `selflengthen bench model --preset small` and the same checkpoint in plain PyTorch
# from Python (tools/bench/pytorch_decode.py), one after the other, printing one JSON with both
# and the engine/PyTorch ratios (above 1: the engine is faster).
#
#   tools/bench/compare-with-pytorch.sh [--threads N] [--work-dir DIR]
#
# Needs the CLI jar (mvn -q package -DskipTests) and Debian's python3-torch
# (apt-get install -y python3-torch libopenblas0-openmp; /usr/bin/python3; without an optimised
# libblas.so.3 Debian's torch falls back to the reference BLAS at under 1 GFLOP/s).
set -euo pipefail
here="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.." && pwd)"
threads=2
work=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --threads) threads="$2"; shift 2 ;;
    --work-dir) work="$2"; shift 2 ;;
    *) echo "usage: $0 [--threads N] [--work-dir DIR]" >&2; exit 2 ;;
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
echo "engine: selflengthen bench model --preset small --threads $threads (a few minutes)" >&2
"$here/bin/selflengthen" bench model --preset small --threads "$threads" --work-dir "$work" \
  > "$work/engine.out"
echo "pytorch: $python tools/bench/pytorch_decode.py --model $work/small" >&2
"$python" "$here/tools/bench/pytorch_decode.py" --model "$work/small" --threads "$threads" \
  > "$work/pytorch.json"
"$python" "$here/tools/bench/combine.py" "$work/engine.out" "$work/pytorch.json"
