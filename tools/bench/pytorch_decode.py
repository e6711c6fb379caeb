#!/usr/bin/python3
"""The same Qwen2 checkpoint run by plain PyTorch from Python, measured the way
`selflengthen bench model` measures the engine (ModelBenchmark.java), printing JSON.

    /usr/bin/python3 tools/bench/pytorch_decode.py --model DIR [--threads 2]

DIR is a checkpoint the engine saved (`selflengthen model init --preset small --out DIR`, or the
`small/` directory `bench model --work-dir W` leaves). The model is a straightforward eager
implementation in the style of transformers' modeling_qwen2: separate q/k/v/o and gate/up/down
nn.Linear layers, rotate_half rope, repeat_kv for grouped-query attention, explicit softmax
attention, float32, a KV cache preallocated for 32 sequences x 512 positions (as the engine's),
torch.inference_mode(), greedy argmax.

Methodology, as in ModelBenchmark:
  matmul_gflops_fp32  1024^3 fp32 matmul, 3 warm-ups, median of 7 runs of 5
  warm-up             2 prompts, 8 new tokens
  prefill             4 prompts x 256 tokens in one batch (the engine's 1024-token prefill budget
                      fits them in one forward), tokens / time of that forward + first token;
                      two untimed runs, then the best of 3 runs
  decode              batch 1, 8, 32: prompts of 32 tokens, 96 new tokens each, greedy, no EOS;
                      only the 95 single-token steps after prefill are timed; best of 3 runs
  mfu                 model matmul FLOPs per token at the mean context / the matmul ceiling
Prompt token ids are drawn at random from the vocabulary (speed does not depend on the text).

BLAS: Debian's python3-torch is built with BLAS_INFO=generic and calls whatever libblas.so.3 the
alternatives system points at. With the reference BLAS (libblas3) a 1024^3 matmul runs at under
1 GFLOP/s. Install OpenBLAS built on OpenMP first: apt-get install -y libopenblas0-openmp. (The
pthread build, libopenblas0-pthread, keeps its own thread pool next to torch's OpenMP threads; with
2 threads on this 2-core machine a batch-1 decode step took 100-450 ms instead of 25 ms.)
OPENBLAS_NUM_THREADS is set to --threads before torch loads.
"""

import argparse
import json
import os
import struct
import sys
import time


def _threads_from_argv():
    for i, a in enumerate(sys.argv):
        if a == "--threads" and i + 1 < len(sys.argv):
            return sys.argv[i + 1]
        if a.startswith("--threads="):
            return a.split("=", 1)[1]
    return "2"


os.environ.setdefault("OPENBLAS_NUM_THREADS", _threads_from_argv())

import numpy as np  # noqa: E402
import torch  # noqa: E402
from torch import nn  # noqa: E402

CACHE_SLOTS = 32
CACHE_LENGTH = 512


def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        start, end = info["data_offsets"]
        raw = data[8 + n + start:8 + n + end]
        if info["dtype"] == "F32":
            a = np.frombuffer(raw, dtype="<f4")
        elif info["dtype"] == "F16":
            a = np.frombuffer(raw, dtype="<f2").astype(np.float32)
        elif info["dtype"] == "BF16":
            a = (np.frombuffer(raw, dtype="<u2").astype(np.uint32) << 16).view(np.float32)
        else:
            raise ValueError(info["dtype"])
        out[name] = torch.from_numpy(a.reshape(info["shape"]).copy())
    return out


class RMSNorm(nn.Module):
    def __init__(self, size, eps):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(size))
        self.eps = eps

    def forward(self, x):
        variance = x.pow(2).mean(-1, keepdim=True)
        return self.weight * (x * torch.rsqrt(variance + self.eps))


def rotate_half(x):
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


class Attention(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.heads = c["num_attention_heads"]
        self.kv_heads = c.get("num_key_value_heads", self.heads)
        self.head_dim = c.get("head_dim") or c["hidden_size"] // self.heads
        h = c["hidden_size"]
        self.q_proj = nn.Linear(h, self.heads * self.head_dim, bias=True)
        self.k_proj = nn.Linear(h, self.kv_heads * self.head_dim, bias=True)
        self.v_proj = nn.Linear(h, self.kv_heads * self.head_dim, bias=True)
        self.o_proj = nn.Linear(self.heads * self.head_dim, h, bias=False)

    def forward(self, x, cos, sin, mask, cache_k, cache_v, pos):
        b, t, _ = x.shape
        q = self.q_proj(x).view(b, t, self.heads, self.head_dim).transpose(1, 2)
        k = self.k_proj(x).view(b, t, self.kv_heads, self.head_dim).transpose(1, 2)
        v = self.v_proj(x).view(b, t, self.kv_heads, self.head_dim).transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        cache_k[:b, :, pos:pos + t] = k
        cache_v[:b, :, pos:pos + t] = v
        keys = cache_k[:b, :, :pos + t]
        values = cache_v[:b, :, :pos + t]
        group = self.heads // self.kv_heads
        if group > 1:  # repeat_kv, as transformers writes it (expand + reshape)
            span = keys.shape[2]
            keys = keys[:, :, None].expand(b, self.kv_heads, group, span, self.head_dim) \
                .reshape(b, self.heads, span, self.head_dim)
            values = values[:, :, None].expand(b, self.kv_heads, group, span, self.head_dim) \
                .reshape(b, self.heads, span, self.head_dim)
        scores = torch.matmul(q, keys.transpose(2, 3)) / (self.head_dim ** 0.5)
        if mask is not None:
            scores = scores + mask
        probs = torch.softmax(scores, dim=-1)
        out = torch.matmul(probs, values).transpose(1, 2).reshape(b, t, -1)
        return self.o_proj(out)


class Mlp(nn.Module):
    def __init__(self, c):
        super().__init__()
        h, i = c["hidden_size"], c["intermediate_size"]
        self.gate_proj = nn.Linear(h, i, bias=False)
        self.up_proj = nn.Linear(h, i, bias=False)
        self.down_proj = nn.Linear(i, h, bias=False)

    def forward(self, x):
        return self.down_proj(nn.functional.silu(self.gate_proj(x)) * self.up_proj(x))


class Layer(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.input_layernorm = RMSNorm(c["hidden_size"], c.get("rms_norm_eps", 1e-6))
        self.self_attn = Attention(c)
        self.post_attention_layernorm = RMSNorm(c["hidden_size"], c.get("rms_norm_eps", 1e-6))
        self.mlp = Mlp(c)


class Model(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.embed_tokens = nn.Embedding(c["vocab_size"], c["hidden_size"])
        self.layers = nn.ModuleList(Layer(c) for _ in range(c["num_hidden_layers"]))
        self.norm = RMSNorm(c["hidden_size"], c.get("rms_norm_eps", 1e-6))


class Qwen2ForCausalLM(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c = c
        self.model = Model(c)
        self.lm_head = nn.Linear(c["hidden_size"], c["vocab_size"], bias=False)
        if c.get("tie_word_embeddings", False):
            self.lm_head.weight = self.model.embed_tokens.weight
        d = self.model.layers[0].self_attn.head_dim
        inv_freq = 1.0 / (c.get("rope_theta", 10000.0)
                          ** (torch.arange(0, d, 2, dtype=torch.int64).float() / d))
        freqs = torch.outer(torch.arange(CACHE_LENGTH).float(), inv_freq)
        emb = torch.cat((freqs, freqs), dim=-1)
        self.cos_table, self.sin_table = emb.cos(), emb.sin()
        kv = self.model.layers[0].self_attn.kv_heads
        shape = (CACHE_SLOTS, kv, CACHE_LENGTH, d)
        self.cache = [(torch.zeros(shape), torch.zeros(shape)) for _ in self.model.layers]

    def forward(self, ids, pos):
        """ids [b, t] at positions pos..pos+t-1 (all rows aligned); logits of the last position."""
        b, t = ids.shape
        x = self.model.embed_tokens(ids)
        cos = self.cos_table[pos:pos + t][None, None]
        sin = self.sin_table[pos:pos + t][None, None]
        mask = None
        if t > 1:
            mask = torch.full((t, pos + t), float("-inf")).triu(pos + 1)[None, None]
        for layer, (ck, cv) in zip(self.model.layers, self.cache):
            x = x + layer.self_attn(layer.input_layernorm(x), cos, sin, mask, ck, cv, pos)
            x = x + layer.mlp(layer.post_attention_layernorm(x))
        x = self.model.norm(x[:, -1])
        return self.lm_head(x)


def load(directory):
    with open(os.path.join(directory, "config.json")) as f:
        c = json.load(f)
    model = Qwen2ForCausalLM(c)
    weights = read_safetensors(os.path.join(directory, "model.safetensors"))
    if c.get("tie_word_embeddings", False):
        weights.setdefault("lm_head.weight", weights["model.embed_tokens.weight"])
    missing, unexpected = model.load_state_dict(weights, strict=False)
    if missing or unexpected:
        raise SystemExit("weights do not fit: missing %s, unexpected %s" % (missing, unexpected))
    return model.eval(), c


def generate(model, prompts, new_tokens):
    """Greedy generation; returns (decode seconds, decode steps)."""
    ids = torch.tensor(prompts)
    nxt = model(ids, 0).argmax(-1, keepdim=True)
    pos = ids.shape[1]
    start = time.perf_counter()
    steps = 0
    for _ in range(new_tokens - 1):
        nxt = model(nxt, pos).argmax(-1, keepdim=True)
        pos += 1
        steps += 1
    return time.perf_counter() - start, steps


def blas():
    """The BLAS torch calls through libblas.so.3, with OpenBLAS's own account of the kernels it
    picked (its core name: Cooperlake or SkylakeX are the AVX-512 kernels, Haswell the AVX2 ones)
    and the variables that steer that choice."""
    import ctypes
    path = os.path.realpath("/usr/lib/x86_64-linux-gnu/libblas.so.3")
    out = path
    try:
        lib = ctypes.CDLL(path)
        name = lib.openblas_get_corename
        name.restype = ctypes.c_char_p
        config = lib.openblas_get_config
        config.restype = ctypes.c_char_p
        out = "%s, core %s (%s)" % (config().decode(), name().decode(), path)
    except (OSError, AttributeError):
        pass
    env = ["%s=%s" % (k, os.environ[k]) for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
           if k in os.environ]
    return out + (", " + ", ".join(env) if env else ", OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset")


def matmul_gflops():
    a = torch.randn(1024, 1024)
    b = torch.randn(1024, 1024)
    for _ in range(3):
        torch.matmul(a, b)
    rates = []
    for _ in range(7):
        t = time.perf_counter()
        for _ in range(5):
            torch.matmul(a, b)
        rates.append(5 * 2.0 * 1024 ** 3 / (time.perf_counter() - t) / 1e9)
    return sorted(rates)[3]


def flops_per_token(c, context):
    h = c["hidden_size"]
    heads = c["num_attention_heads"]
    kv = c.get("num_key_value_heads", heads)
    d = c.get("head_dim") or h // heads
    layers = c["num_hidden_layers"]
    linear = layers * (h * (heads * d + 2.0 * kv * d) + heads * d * h
                       + 3.0 * h * c["intermediate_size"]) + c["vocab_size"] * h
    attention = layers * 2.0 * heads * d * context
    return 2 * (linear + attention)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    out = {"implementation": "PyTorch %s eager fp32 from Python %s" % (
        torch.__version__, ".".join(map(str, sys.version_info[:3]))),
        "blas": blas(),
        "threads": torch.get_num_threads(), "load_average_at_start": os.getloadavg()[0]}
    with torch.inference_mode():
        ceiling = matmul_gflops()
        out["matmul_gflops_fp32"] = round(ceiling, 3)
        model, c = load(args.model)
        out["parameters"] = sum(p.numel() for p in model.parameters())
        rng = np.random.default_rng(1)

        def prompts(n, length):
            return rng.integers(0, c["vocab_size"], (n, length)).tolist()

        generate(model, prompts(2, 32), 8)
        long_prompts = torch.tensor(prompts(4, 256))
        for _ in range(2):  # untimed, as the engine's bench: the first forwards of a shape are slower
            model(long_prompts, 0).argmax(-1)
        secs = None
        for _ in range(3):  # best of three, as the engine's bench and both decodes
            t = time.perf_counter()
            model(long_prompts, 0).argmax(-1)
            secs = min(secs or 1e9, time.perf_counter() - t)
        out["prefill"] = {"prompts": 4, "tokens": 1024, "runs": 3, "tokens_per_s": round(1024 / secs, 3)}
        decode = []
        for batch in (1, 8, 32):
            best = None
            for _ in range(3):
                secs, steps = generate(model, prompts(batch, 32), 96)
                if best is None or steps * batch / secs > best[0]:
                    best = (steps * batch / secs, secs, steps)
            tps, secs, steps = best
            flops = flops_per_token(c, 32 + 96 / 2.0)
            decode.append({"batch": batch, "runs": 3, "steps": steps,
                           "tokens_per_s": round(tps, 3),
                           "ms_per_step": round(secs * 1000 / steps, 3),
                           "gflops": round(tps * flops / 1e9, 3),
                           "mfu": round(tps * flops / 1e9 / ceiling, 3)})
        out["decode"] = decode
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
