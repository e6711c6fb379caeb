"""An independent Qwen2 decoder in numpy: checkpoint files, tokenizer and forward pass.

Written from the Hugging Face layout and transformers' modeling_qwen2 semantics, without any
code or output of the Java engine, so that the engine can be checked against it:

  x = embed[ids]
  for each layer:
    h = rms_norm(x) * input_layernorm
    q, k, v = h Wq^T + bq, h Wk^T + bk, h Wv^T + bv       (q/k/v bias: Qwen2)
    q, k = rope(q), rope(k)                                (rotate_half form, rope_theta)
    kv head j serves query heads j*g .. j*g+g-1            (grouped-query attention, repeat_kv)
    x = x + o_proj(softmax(q k^T / sqrt(d) + causal) v)
    h = rms_norm(x) * post_attention_layernorm
    x = x + down(silu(gate(h)) * up(h))
  logits = (rms_norm(x) * norm) lm_head^T                  (lm_head = embed when tied)

LoRA (PEFT): y = W x + b + (alpha / r) * B (A x) for every adapted module.
Arithmetic is float64 throughout: the reference is more exact than the float32 engine it checks.
"""

import json
import os
import re
import struct

import numpy as np

# ---------------------------------------------------------------------------------------------
# safetensors: 8-byte little-endian header length, JSON header, raw little-endian tensor bytes


def bf16_round(x):
    """float32 values rounded to the nearest bfloat16 (ties to even), as uint16 bit patterns."""
    bits = np.ascontiguousarray(x, dtype=np.float32).view(np.uint32).astype(np.uint64)
    rounded = (bits + 0x7FFF + ((bits >> 16) & 1)) >> 16
    return rounded.astype(np.uint16)


def bf16_to_float(bits):
    return (bits.astype(np.uint32) << 16).view(np.float32)


def write_safetensors(path, tensors, metadata=None):
    """tensors: list of (name, array, dtype) with dtype one of F32, F16, BF16."""
    header = {}
    blobs = []
    offset = 0
    for name, array, dtype in tensors:
        if dtype == "F32":
            raw = np.ascontiguousarray(array, dtype="<f4").tobytes()
        elif dtype == "F16":
            raw = np.ascontiguousarray(array, dtype="<f2").tobytes()
        elif dtype == "BF16":
            raw = bf16_round(array).astype("<u2").tobytes()
        else:
            raise ValueError("unsupported dtype " + dtype)
        header[name] = {"dtype": dtype, "shape": list(array.shape),
                        "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    if metadata:
        header["__metadata__"] = metadata
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)


def read_safetensors(path):
    """All tensors of a file as float64 arrays (F16 and BF16 widened exactly)."""
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    base = 8 + n
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        start, end = info["data_offsets"]
        raw = data[base + start:base + end]
        dtype = info["dtype"]
        if dtype == "F32":
            a = np.frombuffer(raw, dtype="<f4")
        elif dtype == "F16":
            a = np.frombuffer(raw, dtype="<f2")
        elif dtype == "BF16":
            a = bf16_to_float(np.frombuffer(raw, dtype="<u2"))
        else:
            raise ValueError("%s: unsupported dtype %s" % (name, dtype))
        out[name] = a.astype(np.float64).reshape(info["shape"])
    return out


def stored_value(array, dtype):
    """What a reader gets back after writing `array` as `dtype` (the rounding the file applies)."""
    if dtype == "F32":
        return array.astype(np.float32).astype(np.float64)
    if dtype == "F16":
        return array.astype(np.float16).astype(np.float64)
    if dtype == "BF16":
        return bf16_to_float(bf16_round(array)).astype(np.float64)
    raise ValueError(dtype)


# ---------------------------------------------------------------------------------------------
# tokenizer: a Hugging Face WordLevel tokenizer.json with the Whitespace pre-tokenizer


class WordLevelTokenizer:
    """Added (special) tokens matched first, then \\w+|[^\\w\\s]+ pieces looked up in the vocab."""

    def __init__(self, vocab, specials, unk):
        self.vocab = dict(vocab)
        self.specials = list(specials)
        self.unk = unk

    @staticmethod
    def load(path):
        with open(path) as f:
            j = json.load(f)
        if j["model"]["type"] != "WordLevel":
            raise ValueError("only WordLevel tokenizers are implemented here")
        specials = [t["content"] for t in j.get("added_tokens", [])]
        vocab = dict(j["model"]["vocab"])
        for t in j.get("added_tokens", []):
            vocab[t["content"]] = t["id"]
        return WordLevelTokenizer(vocab, specials, j["model"]["unk_token"])

    def encode(self, text):
        if self.specials:
            pattern = "(" + "|".join(re.escape(s) for s in self.specials) + ")"
            parts = re.split(pattern, text)
        else:
            parts = [text]
        ids = []
        for part in parts:
            if part in self.specials:
                ids.append(self.vocab[part])
                continue
            for piece in re.findall(r"\w+|[^\w\s]+", part):
                ids.append(self.vocab.get(piece, self.vocab[self.unk]))
        return ids

    def to_json(self):
        added = [{"id": self.vocab[s], "content": s, "single_word": False, "lstrip": False,
                  "rstrip": False, "normalized": False, "special": True} for s in self.specials]
        words = {w: i for w, i in self.vocab.items() if w not in self.specials}
        return {
            "version": "1.0",
            "truncation": None,
            "padding": None,
            "added_tokens": added,
            "normalizer": None,
            "pre_tokenizer": {"type": "Whitespace"},
            "post_processor": None,
            "decoder": None,
            "model": {"type": "WordLevel", "vocab": words, "unk_token": self.unk},
        }


# ---------------------------------------------------------------------------------------------
# the model


class Qwen2:
    def __init__(self, config, weights):
        self.c = config
        self.w = weights
        self.heads = config["num_attention_heads"]
        self.kv_heads = config.get("num_key_value_heads", self.heads)
        self.head_dim = config.get("head_dim") or config["hidden_size"] // self.heads
        self.eps = config.get("rms_norm_eps", 1e-6)
        self.layers = config["num_hidden_layers"]
        theta = config.get("rope_theta", 10000.0)
        d = self.head_dim
        # transformers computes inv_freq in float32; keep that rounding so angles agree exactly
        exponent = (np.arange(0, d, 2, dtype=np.int64).astype(np.float32) / np.float32(d))
        self.inv_freq = (1.0 / (np.float32(theta) ** exponent)).astype(np.float32)
        self.lora = None

    @staticmethod
    def load(directory):
        with open(os.path.join(directory, "config.json")) as f:
            config = json.load(f)
        if config.get("architectures", ["Qwen2ForCausalLM"])[0] != "Qwen2ForCausalLM":
            raise ValueError("not a Qwen2 checkpoint")
        return Qwen2(config, read_safetensors(os.path.join(directory, "model.safetensors")))

    def with_adapter(self, adapter):
        m = Qwen2(self.c, self.w)
        m.lora = adapter
        return m

    def lm_head(self):
        if self.c.get("tie_word_embeddings", False):
            return self.w["model.embed_tokens.weight"]
        return self.w["lm_head.weight"]

    def rms_norm(self, x, weight):
        variance = np.mean(x * x, axis=-1, keepdims=True)
        return weight * (x / np.sqrt(variance + self.eps))

    def linear(self, layer, block, module, x, bias):
        prefix = "model.layers.%d.%s.%s" % (layer, block, module)
        y = x @ self.w[prefix + ".weight"].T
        if bias:
            y = y + self.w[prefix + ".bias"]
        if self.lora is not None:
            y = y + self.lora.delta(layer, block, module, x)
        return y

    def rope(self, x, positions):
        """x: [heads, t, d]; rotate_half convention with cos/sin of [t, d] (halves repeated)."""
        freqs = positions.astype(np.float32)[:, None] * self.inv_freq[None, :]
        emb = np.concatenate([freqs, freqs], axis=-1)
        cos = np.cos(emb).astype(np.float64)
        sin = np.sin(emb).astype(np.float64)
        half = self.head_dim // 2
        rotated = np.concatenate([-x[..., half:], x[..., :half]], axis=-1)
        return x * cos + rotated * sin

    def forward(self, ids):
        """Logits [len(ids), vocab] for one sequence, every position (full causal attention)."""
        ids = np.asarray(ids)
        t = len(ids)
        x = self.w["model.embed_tokens.weight"][ids]
        positions = np.arange(t)
        causal = np.triu(np.full((t, t), -np.inf), k=1)
        group = self.heads // self.kv_heads
        d = self.head_dim
        for l in range(self.layers):
            p = "model.layers.%d." % l
            h = self.rms_norm(x, self.w[p + "input_layernorm.weight"])
            q = self.linear(l, "self_attn", "q_proj", h, True).reshape(t, self.heads, d)
            k = self.linear(l, "self_attn", "k_proj", h, True).reshape(t, self.kv_heads, d)
            v = self.linear(l, "self_attn", "v_proj", h, True).reshape(t, self.kv_heads, d)
            q = self.rope(q.transpose(1, 0, 2), positions)
            k = self.rope(k.transpose(1, 0, 2), positions)
            v = v.transpose(1, 0, 2)
            heads = []
            for head in range(self.heads):
                kv = head // group
                scores = q[head] @ k[kv].T / np.sqrt(d) + causal
                scores = scores - scores.max(axis=-1, keepdims=True)
                probs = np.exp(scores)
                probs = probs / probs.sum(axis=-1, keepdims=True)
                heads.append(probs @ v[kv])
            attended = np.stack(heads, axis=1).reshape(t, self.heads * d)
            x = x + self.linear(l, "self_attn", "o_proj", attended, False)
            h = self.rms_norm(x, self.w[p + "post_attention_layernorm.weight"])
            gate = self.linear(l, "mlp", "gate_proj", h, False)
            up = self.linear(l, "mlp", "up_proj", h, False)
            act = gate / (1.0 + np.exp(-gate)) * up
            x = x + self.linear(l, "mlp", "down_proj", act, False)
        x = self.rms_norm(x, self.w["model.norm.weight"])
        return x @ self.lm_head().T

    def greedy(self, ids, steps):
        """Greedy continuation (no stop tokens) and the top-1 margin at every step."""
        ids = list(ids)
        out, margins = [], []
        for _ in range(steps):
            logits = self.forward(ids)[-1]
            order = np.argsort(-logits)
            out.append(int(order[0]))
            margins.append(float(logits[order[0]] - logits[order[1]]))
            ids.append(int(order[0]))
        return out, margins


# ---------------------------------------------------------------------------------------------
# PEFT LoRA adapters


PEFT_BLOCK = {"q_proj": "self_attn", "k_proj": "self_attn", "v_proj": "self_attn",
              "o_proj": "self_attn", "gate_proj": "mlp", "up_proj": "mlp", "down_proj": "mlp"}


def peft_name(layer, module, ab):
    return "base_model.model.model.layers.%d.%s.%s.lora_%s.weight" % (
        layer, PEFT_BLOCK[module], module, ab)


class LoraAdapter:
    """A PEFT adapter directory opened by tensor name: adapter_config.json + safetensors."""

    def __init__(self, config, tensors):
        if config.get("peft_type", "LORA") != "LORA":
            raise ValueError("not a LoRA adapter")
        for unsupported in ("use_dora", "fan_in_fan_out"):
            if config.get(unsupported):
                raise ValueError(unsupported + " is not implemented here")
        r = config["r"]
        alpha = config["lora_alpha"]
        self.scale = alpha / np.sqrt(r) if config.get("use_rslora") else alpha / r
        self.config = config
        self.tensors = tensors
        pattern = re.compile(r"base_model\.model\.model\.layers\.(\d+)\.(self_attn|mlp)\."
                             r"(\w+)\.lora_([AB])\.weight")
        self.modules = set()
        for name in tensors:
            m = pattern.fullmatch(name)
            if m is None:
                raise ValueError("not a PEFT LoRA tensor name: " + name)
            self.modules.add((int(m.group(1)), m.group(3)))
        for layer, module in self.modules:
            a = tensors[peft_name(layer, module, "A")]
            b = tensors[peft_name(layer, module, "B")]
            if a.shape[0] != r or b.shape[1] != r:
                raise ValueError("rank mismatch in %s layer %d" % (module, layer))

    @staticmethod
    def load(directory):
        with open(os.path.join(directory, "adapter_config.json")) as f:
            config = json.load(f)
        return LoraAdapter(config, read_safetensors(
            os.path.join(directory, "adapter_model.safetensors")))

    def delta(self, layer, block, module, x):
        if (layer, module) not in self.modules:
            return 0.0
        a = self.tensors[peft_name(layer, module, "A")]
        b = self.tensors[peft_name(layer, module, "B")]
        return self.scale * ((x @ a.T) @ b.T)
