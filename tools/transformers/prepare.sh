#!/usr/bin/env bash
# Prepares what tools/transformers/compare.py needs, on this machine (Java only): two checkpoints
# with a LoRA adapter each that this project trained, and the logits our engine computes for them.
#
#   tools/transformers/prepare.sh OUT_DIR [DEMO_DATA_ROOT]
#
# small/   a "small" preset model (model init, 30M parameters) stored as bfloat16 (model convert;
#          the weights xz-compressed so the folder stays well under 64 MiB), and a LoRA adapter
#          trained on it by `selflengthen train` (rank 8, all seven projections, 6 steps)
# demo/    the seed model a demo run pretrained, and that run's round-2 generator adapter
#          (skipped when no DEMO_DATA_ROOT is given)
# each     base.json.xz and lora.json.xz: `model logits` of four texts without and with the adapter
#
# Then, where python3 has torch, transformers and peft: python3 tools/transformers/compare.py OUT_DIR
set -euo pipefail
here="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.." && pwd)"
out="${1:?usage: prepare.sh OUT_DIR [DEMO_DATA_ROOT]}"
demo="${2:-}"
cli="$here/bin/selflengthen"
texts=(--text "Write a story about a lighthouse keeper who finds a message in a bottle."
  --text "The river runs to the sea, and the old city stands on its banks; every morning"
  --text "Summarise the causes of the First World War in three paragraphs."
  --text "第一章：风从北方吹来，村子里的人都在等待春天。")
rm -rf "$out" && mkdir -p "$out/small" "$out/work"

logits() { # DIR MODEL ADAPTER
  "$cli" model logits --model "$2" "${texts[@]}" --out "$1/base.json"
  "$cli" model logits --model "$2" --adapter "$3" "${texts[@]}" --out "$1/lora.json"
}

"$cli" model init --preset small --seed 7 --out "$out/work/small-f32"
"$cli" model convert --model "$out/work/small-f32" --dtype bfloat16 --out "$out/small/model"
python3 - "$out/work" <<'PY'
import json, sys
d = sys.argv[1]
rows = [{"instruction": "Write about the %s." % w, "input": "",
         "output": ("The %s is long and old, and the story of the %s goes on. " % (w, w)) * 6}
        for w in ["sea", "river", "city", "mountain", "forest", "night", "road", "winter"]]
json.dump(rows, open(d + "/train.json", "w"))
json.dump({"train": {"file_name": "train.json"}}, open(d + "/dataset_info.json", "w"))
PY
cat > "$out/work/train.yaml" <<YAML
model_name_or_path: $out/small/model
stage: sft
do_train: true
finetuning_type: lora
lora_rank: 8
lora_alpha: 16
lora_target: all
dataset: train
dataset_dir: $out/work
template: qwen
cutoff_len: 256
per_device_train_batch_size: 4
gradient_accumulation_steps: 1
learning_rate: 0.002
num_train_epochs: 3
lr_scheduler_type: constant
output_dir: $out/small/adapter
seed: 7
YAML
"$cli" train "$out/work/train.yaml"
rm -rf "$out/small/adapter"/checkpoint-* "$out/small/adapter"/checkpoints
logits "$out/small" "$out/small/model" "$out/small/adapter"
xz -T0 -6 "$out/small/model/model.safetensors" "$out/small/base.json" "$out/small/lora.json"

if [[ -n "$demo" ]]; then
  seed=$(ls -d "$demo"/seed-models/*/ | head -1)
  adapter=$(ls -d "$demo"/runs/*/round-2/train_generator/adapter | head -1)
  mkdir -p "$out/demo"
  cp -r "$seed" "$out/demo/model"
  cp -r "$adapter" "$out/demo/adapter"
  logits "$out/demo" "$out/demo/model" "$out/demo/adapter"
  xz -T0 -6 "$out/demo/base.json" "$out/demo/lora.json"
fi
rm -rf "$out/work"
du -sh "$out"/*
