#!/usr/bin/env python3
"""Writes tiny random Qwen2 checkpoints in the Hugging Face layout, a PEFT LoRA adapter, and the
logits and greedy continuations the numpy reference (qwen2_reference.py) computes for them.

    python3 tools/reference/make_fixture.py model/src/test/resources/independent-qwen2

Output (deterministic for a given numpy version's default_rng):
  tied-bf16/     config.json (tied embeddings), model.safetensors with every tensor BF16,
                 tokenizer.json (WordLevel), tokenizer_config.json (ChatML), generation_config.json
  untied-f16/    untied lm_head, tensors F16 except lm_head and the norms in F32 (mixed dtypes)
  adapter/       adapter_config.json + adapter_model.safetensors (PEFT names) for tied-bf16,
                 adapting q_proj, v_proj, o_proj, gate_proj, down_proj (k_proj and up_proj not)
  expected.json  per model: token ids of each case, logits at every position, greedy tokens
"""

import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from qwen2_reference import (LoraAdapter, Qwen2, WordLevelTokenizer, peft_name,  # noqa: E402
                             stored_value, write_safetensors)

WORDS = ("the a river sea runs to and of in on at is was it he she they we you long short night "
         "day light dark water stone tree bird wind rain sun moon song story old new came went "
         "saw heard told wrote city road home far near over under after before").split()
PUNCT = [".", ",", "!", "?"]
SPECIALS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
CHATML = ("{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + "
          "message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}"
          "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}")

HIDDEN, INTER, LAYERS, HEADS, KV_HEADS = 32, 64, 2, 4, 2
VOCAB_SIZE = 64  # larger than the tokenizer, as real Qwen2 configs are (padded embedding rows)

PROMPTS = [
    "<|im_start|>user\nthe river runs to the sea .<|im_end|>\n<|im_start|>assistant\n",
    "she told a long story of the old city , and we heard it",
    "<|im_start|>user\nwhat was the song the bird sang at night ?<|im_end|>\n"
    "<|im_start|>assistant\nthe",
]
GREEDY_STEPS = 12


def tokenizer():
    vocab = {"[UNK]": 0}
    for w in ["user", "assistant", "system"] + WORDS + PUNCT:
        vocab[w] = len(vocab)
    for s in SPECIALS:
        vocab[s] = len(vocab)
    return WordLevelTokenizer(vocab, SPECIALS, "[UNK]")


def config(tok, tied, dtype):
    return {
        "architectures": ["Qwen2ForCausalLM"],
        "model_type": "qwen2",
        "vocab_size": VOCAB_SIZE,
        "hidden_size": HIDDEN,
        "intermediate_size": INTER,
        "num_hidden_layers": LAYERS,
        "num_attention_heads": HEADS,
        "num_key_value_heads": KV_HEADS,
        "hidden_act": "silu",
        "rms_norm_eps": 1e-6,
        "rope_theta": 10000.0,
        "max_position_embeddings": 128,
        "tie_word_embeddings": tied,
        "use_sliding_window": False,
        "bos_token_id": tok.vocab["<|endoftext|>"],
        "eos_token_id": tok.vocab["<|endoftext|>"],
        "torch_dtype": dtype,
        "use_cache": True,
    }


def random_weights(rng, tied):
    """name -> float64 array. Scales chosen so that attention is far from uniform and logits are
    O(1), giving clear greedy choices (a 0.02-std init would make every logit nearly equal)."""
    d = HIDDEN // HEADS
    w = {"model.embed_tokens.weight": rng.normal(0, 1.0, (VOCAB_SIZE, HIDDEN))}
    for l in range(LAYERS):
        p = "model.layers.%d." % l
        w[p + "input_layernorm.weight"] = 1 + 0.2 * rng.normal(size=HIDDEN)
        for name, out in (("q_proj", HEADS * d), ("k_proj", KV_HEADS * d), ("v_proj", KV_HEADS * d)):
            w[p + "self_attn.%s.weight" % name] = rng.normal(0, 2.0 / np.sqrt(HIDDEN), (out, HIDDEN))
            w[p + "self_attn.%s.bias" % name] = rng.normal(0, 0.3, out)
        w[p + "self_attn.o_proj.weight"] = rng.normal(0, 3 / np.sqrt(HIDDEN), (HIDDEN, HEADS * d))
        w[p + "post_attention_layernorm.weight"] = 1 + 0.2 * rng.normal(size=HIDDEN)
        w[p + "mlp.gate_proj.weight"] = rng.normal(0, 1 / np.sqrt(HIDDEN), (INTER, HIDDEN))
        w[p + "mlp.up_proj.weight"] = rng.normal(0, 1 / np.sqrt(HIDDEN), (INTER, HIDDEN))
        w[p + "mlp.down_proj.weight"] = rng.normal(0, 3 / np.sqrt(INTER), (HIDDEN, INTER))
    w["model.norm.weight"] = 1 + 0.2 * rng.normal(size=HIDDEN)
    if not tied:
        w["lm_head.weight"] = rng.normal(0, 1.0 / np.sqrt(HIDDEN), (VOCAB_SIZE, HIDDEN))
    return w


def write_checkpoint(directory, tok, tied, dtypes, torch_dtype, rng):
    """Writes the files; returns the model built from the values as stored (after rounding)."""
    os.makedirs(directory, exist_ok=True)
    cfg = config(tok, tied, torch_dtype)
    weights = random_weights(rng, tied)
    entries = [(name, a, dtypes(name)) for name, a in sorted(weights.items())]
    write_safetensors(os.path.join(directory, "model.safetensors"), entries, {"format": "pt"})
    with open(os.path.join(directory, "config.json"), "w") as f:
        json.dump(cfg, f, indent=2)
    with open(os.path.join(directory, "tokenizer.json"), "w") as f:
        json.dump(tok.to_json(), f, indent=1)
    with open(os.path.join(directory, "tokenizer_config.json"), "w") as f:
        json.dump({"bos_token": None, "eos_token": "<|im_end|>", "pad_token": "<|endoftext|>",
                   "add_bos_token": False, "chat_template": CHATML,
                   "model_max_length": 128, "tokenizer_class": "PreTrainedTokenizerFast"}, f,
                  indent=2)
    with open(os.path.join(directory, "generation_config.json"), "w") as f:
        json.dump({"do_sample": False, "eos_token_id": [tok.vocab["<|im_end|>"],
                                                        tok.vocab["<|endoftext|>"]],
                   "pad_token_id": tok.vocab["<|endoftext|>"]}, f, indent=2)
    stored = {name: stored_value(a, dt) for name, a, dt in entries}
    return Qwen2(cfg, stored)


def write_adapter(directory, rng):
    r, alpha = 4, 8
    targets = ["q_proj", "v_proj", "o_proj", "gate_proj", "down_proj"]
    d = HIDDEN // HEADS
    shapes = {"q_proj": (HEADS * d, HIDDEN), "v_proj": (KV_HEADS * d, HIDDEN),
              "o_proj": (HIDDEN, HEADS * d), "gate_proj": (INTER, HIDDEN),
              "down_proj": (HIDDEN, INTER)}
    os.makedirs(directory, exist_ok=True)
    entries = []
    for l in range(LAYERS):
        for m in targets:
            out, inp = shapes[m]
            # B is non-zero (a trained adapter): PEFT's B = 0 start would leave outputs unchanged
            entries.append((peft_name(l, m, "A"), rng.normal(0, 1 / np.sqrt(inp), (r, inp)), "F32"))
            entries.append((peft_name(l, m, "B"), rng.normal(0, 0.3, (out, r)), "F32"))
    write_safetensors(os.path.join(directory, "adapter_model.safetensors"), entries,
                      {"format": "pt"})
    cfg = {"peft_type": "LORA", "task_type": "CAUSAL_LM", "r": r, "lora_alpha": alpha,
           "lora_dropout": 0.0, "target_modules": targets, "bias": "none",
           "fan_in_fan_out": False, "use_rslora": False, "use_dora": False,
           "base_model_name_or_path": "tied-bf16", "inference_mode": True}
    with open(os.path.join(directory, "adapter_config.json"), "w") as f:
        json.dump(cfg, f, indent=2)
    return LoraAdapter.load(directory)


def cases(model, tok):
    out = []
    for text in PROMPTS:
        ids = tok.encode(text)
        logits = model.forward(ids)
        greedy, margins = model.greedy(ids, GREEDY_STEPS)
        if min(margins) < 1e-3:
            raise SystemExit("greedy margin %.2g too small to check float32 against: change the"
                             " seed" % min(margins))
        out.append({"text": text, "ids": ids,
                    "logits": [[float("%.6g" % v) for v in row] for row in logits],
                    "greedy": greedy, "greedy_min_margin": float("%.4g" % min(margins))})
    return out


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else "."
    rng = np.random.default_rng(20241031)
    tok = tokenizer()
    tied = write_checkpoint(os.path.join(root, "tied-bf16"), tok, True,
                            lambda name: "BF16", "bfloat16", rng)
    untied = write_checkpoint(
        os.path.join(root, "untied-f16"), tok, False,
        lambda name: "F32" if name == "lm_head.weight" or name.endswith("norm.weight") else "F16",
        "float16", rng)
    adapter = write_adapter(os.path.join(root, "adapter"), rng)
    expected = {
        "generated_by": "tools/reference/make_fixture.py (numpy %s, float64 reference)"
                        % np.__version__,
        "greedy_steps": GREEDY_STEPS,
        "models": {
            "tied-bf16": {"dir": "tied-bf16", "adapter": None, "cases": cases(tied, tok)},
            "untied-f16": {"dir": "untied-f16", "adapter": None, "cases": cases(untied, tok)},
            "tied-bf16+adapter": {"dir": "tied-bf16", "adapter": "adapter",
                                  "cases": cases(tied.with_adapter(adapter), tok)},
        },
    }
    with open(os.path.join(root, "expected.json"), "w") as f:
        json.dump(expected, f, separators=(",", ":"))
        f.write("\n")
    for name, m in expected["models"].items():
        print(name, [c["greedy"] for c in m["cases"]],
              "min margin", min(c["greedy_min_margin"] for c in m["cases"]))


if __name__ == "__main__":
    main()
