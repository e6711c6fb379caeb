#!/usr/bin/env bash
# Test stand-in for `llamafactory-cli train CONFIG`: reads the YAML the ExternalTrainer wrote, counts
# the examples in the data set it names, "trains" one step per example and epoch, prints tqdm bars
# (stderr) and transformers logging dicts (stdout), saves checkpoint-N directories every save_steps
# steps, honours resume_from_checkpoint, and leaves a well-formed PEFT adapter in output_dir.
# Knobs (environment): FAKE_STEP_SECONDS (sleep per step), FAKE_FAIL_AT_STEP (exit 1 there).
set -euo pipefail

if [ "${1:-}" != train ] || [ -z "${2:-}" ]; then
  echo "usage: $0 train CONFIG" >&2
  exit 2
fi
config=$2

value() { # the scalar of a top-level key, quotes removed
  sed -n "s/^$1: *//p" "$config" | head -n 1 | sed -e 's/^"\(.*\)"$/\1/' -e "s/^'\(.*\)'$/\1/"
}

case "$(value stage)" in sft|dpo) ;; *) echo "expected stage: sft or dpo" >&2; exit 2 ;; esac
out=$(value output_dir)
dataset_dir=$(value dataset_dir)
dataset=$(value dataset)
save_steps=$(value save_steps)
epochs=$(value num_train_epochs)
rank=$(value lora_rank)
alpha=$(value lora_alpha)
target=$(value lora_target)
resume=$(value resume_from_checkpoint)
echo $$ > "$(dirname "$config")/fake-trainer.pid"

file=$(grep -A1 "\"$dataset\"" "$dataset_dir/dataset_info.json" | grep -o '"file_name" *: *"[^"]*"' | sed 's/.*"\([^"]*\)"$/\1/')
examples=$(grep -c '"instruction"' "$dataset_dir/$file")
total=$(awk -v n="$examples" -v e="$epochs" 'BEGIN { printf "%d", n * e }')
echo "[INFO|trainer.py] ***** Running training *****"
echo "[INFO|trainer.py]   Num examples = $examples"
echo "[INFO|trainer.py]   Total optimization steps = $total"
echo "Running tokenizer on dataset (num_proc=4): 100%|##########| 999/999 [00:01<00:00, 900.00 examples/s]"

start=0
history=""
if [ -n "$resume" ]; then
  start=${resume##*checkpoint-}
  history=$(sed -n 's/.*"log_history": \[\(.*\)\].*/\1/p' "$resume/trainer_state.json")
  echo "[INFO|trainer.py] Continuing training from checkpoint $resume, will skip to saved global_step $start"
fi

write_adapter() { # directory: adapter_config.json + a one-tensor adapter_model.safetensors
  local dir=$1
  mkdir -p "$dir"
  printf '{"peft_type": "LORA", "task_type": "CAUSAL_LM", "r": %s, "lora_alpha": %s, "target_modules": "%s", "base_model_name_or_path": "%s"}\n' \
    "$rank" "$alpha" "$target" "$(value model_name_or_path)" > "$dir/adapter_config.json"
  local bytes=$((rank * 8 * 4))
  local header="{\"base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight\":{\"dtype\":\"F32\",\"shape\":[$rank,8],\"data_offsets\":[0,$bytes]}}"
  while [ $(( ${#header} % 8 )) -ne 0 ]; do header="$header "; done
  local length=${#header} i
  {
    for i in 0 1 2 3 4 5 6 7; do printf "\\$(printf '%03o' $(( (length >> (8 * i)) & 255 )))"; done
    printf '%s' "$header"
    head -c "$bytes" /dev/zero
  } > "$dir/adapter_model.safetensors"
}

write_state() { # directory, step
  printf '{"global_step": %s, "log_history": [%s]}\n' "$2" "$history" > "$1/trainer_state.json"
}

for ((step = start + 1; step <= total; step++)); do
  sleep "${FAKE_STEP_SECONDS:-0}"
  if [ "$step" = "${FAKE_FAIL_AT_STEP:-}" ]; then
    echo "Traceback (most recent call last):"
    echo "torch.OutOfMemoryError: CUDA out of memory at step $step"
    exit 1
  fi
  percent=$((100 * step / total))
  printf '\r%3d%%|#####     | %d/%d [00:01<00:01,  2.00it/s]' "$percent" "$step" "$total" >&2
  loss=$(awk -v s="$step" 'BEGIN { printf "%.4f", 2.0 / s }')
  epoch=$(awk -v s="$step" -v n="$examples" 'BEGIN { printf "%.2f", s / n }')
  printf "\n{'loss': %s, 'grad_norm': 0.5, 'learning_rate': %s, 'epoch': %s, 'num_input_tokens_seen': %d}\n" \
    "$loss" "$(value learning_rate)" "$epoch" $((step * 100))
  history="${history:+$history, }{\"step\": $step, \"loss\": $loss}"
  if [ $((step % save_steps)) -eq 0 ]; then
    write_adapter "$out/checkpoint-$step"
    write_state "$out/checkpoint-$step" "$step"
  fi
done
echo "{'train_runtime': 1.5, 'train_samples_per_second': 8.0, 'train_loss': 0.9, 'epoch': $epochs}"
write_adapter "$out"
write_state "$out" "$total"
echo '{"train_loss": 0.9}' > "$out/train_results.json"
echo "***** train metrics *****"
