#!/usr/bin/env python3
"""Writes the three TorchScript modules behind the engine's float32 projections on CPU
(model/src/main/java/selflengthen/model/nn/OneDnnLinear.java):

  onednn-pack.pt    forward(w, x) = torch.ops.mkldnn._reorder_linear_weight(w, x.size(0)):
                    W [out, in] reordered once into oneDNN's blocked layout for its GEMM
  onednn-linear.pt  forward(x, w) = torch.ops.mkldnn._linear_pointwise(x, w, None, "none", [], ""):
                    x W^T in oneDNN's float32 GEMM with the packed W
  onednn-pack-bf16.pt, onednn-linear-bf16.pt
                    the same with W stored as bfloat16 and x rounded to bfloat16 on the way in,
                    products accumulated in float32, rounded to bfloat16 and returned as float32
                    (EngineOptions.bf16); a float32 W (one whose packed copy failed the engine's
                    check) is rounded on each call
  onednn-layers.pt  forward(x, weights, lora, caches, ...): every decoder layer of a generation
                    step (DecoderModel.block's arithmetic, projections as above, in bfloat16 when
                    ints[6] is 1) in one call

Why written as text rather than by torch.jit.script: the mkldnn ops need PyTorch >= 2.0 and
Debian's python3-torch is 1.13, while the archive format (version 3: data.pkl holding the module
object, code/__torch__.py holding its TorchScript source) is the same from 1.10 on and
libtorch compiles the source when the engine loads it. Needs only python3:

    python3 tools/torchscript/write_onednn_modules.py
"""
import os
import zipfile

HEADER = """class {cls}(Module):
  __parameters__ = []
  __buffers__ = []
  training : bool
  _is_full_backward_hook : Optional[bool]
  def forward(self: __torch__.{cls},
"""

# The decoder's layers for generation steps: DecoderModel.block, layer after layer, with every
# projection in oneDNN (weights packed by onednn-pack.pt), in one call instead of ~60 per layer.
LAYERS = """    x: Tensor,
    weights: List[Tensor],
    lora: List[Tensor],
    keys: List[Tensor],
    values: List[Tensor],
    cos: Tensor,
    sin: Tensor,
    mask: Tensor,
    slots: Tensor,
    positions: Tensor,
    ints: List[int],
    floats: List[float]) -> Tensor:
    slot0 = ints[0]
    attend = ints[1]
    nh = ints[2]
    nkv = ints[3]
    hd = ints[4]
    inter = ints[5]
    bf16 = torch.eq(ints[6], 1)
    eps = floats[0]
    scale = floats[1]
    b = x.size(0)
    t = x.size(1)
    group = torch.floordiv(nh, nkv)
    for l in range(torch.len(keys)):
      w = 10 * l
      h = self.rms_norm(x, weights[w], eps)
      qkv = torch.reshape(self.project(h, weights[w + 1], weights[w + 2], lora, 8 * l, bf16), [b, t, nh + 2 * nkv, hd])
      qkv_parts = torch.split(qkv, [nh + nkv, nkv], 2)
      qk = self.rope(qkv_parts[0], cos, sin, torch.floordiv(hd, 2))
      qk_parts = torch.split(qk, [nh, nkv], 2)
      q = qk_parts[0]
      indices = annotate(List[Optional[Tensor]], [slots, None, positions])
      cache_k = torch.index_put_(keys[l], indices, qk_parts[1])
      cache_v = torch.index_put_(values[l], indices, qkv_parts[1])
      k = torch.slice(torch.slice(cache_k, 0, slot0, slot0 + b), 2, 0, attend)
      v = torch.slice(torch.slice(cache_v, 0, slot0, slot0 + b), 2, 0, attend)
      qh = torch.mul(torch.reshape(torch.permute(q, [0, 2, 1, 3]), [b, nkv, group * t, hd]), scale)
      scores = torch.reshape(torch.matmul(qh, torch.permute(k, [0, 1, 3, 2])), [b, nkv, group, t, attend])
      scores = torch.reshape(torch.add(scores, mask), [b, nkv, group * t, attend])
      attended = torch.matmul(torch.softmax(scores, 3), v)
      attended = torch.reshape(torch.permute(torch.reshape(attended, [b, nh, t, hd]), [0, 2, 1, 3]), [b, t, nh * hd])
      x = torch.add(x, self.project(attended, weights[w + 3], weights[w + 4], lora, 8 * l + 2, bf16))
      h2 = self.rms_norm(x, weights[w + 5], eps)
      gate_up = torch.split(self.project(h2, weights[w + 6], weights[w + 7], lora, 8 * l + 4, bf16), [inter, inter], 2)
      act = torch.mul(torch.mul(gate_up[0], torch.sigmoid(gate_up[0])), gate_up[1])
      x = torch.add(x, self.project(act, weights[w + 8], weights[w + 9], lora, 8 * l + 6, bf16))
    return x
  def rms_norm(self: __torch__.{cls},
    x: Tensor,
    weight: Tensor,
    eps: float) -> Tensor:
    mean_square = torch.mean(torch.square(x), [-1], True)
    return torch.mul(torch.div(x, torch.sqrt(torch.add(mean_square, eps))), weight)
  def rope(self: __torch__.{cls},
    x: Tensor,
    cos: Tensor,
    sin: Tensor,
    half: int) -> Tensor:
    halves = torch.split(x, half, 3)
    swapped = torch.cat([halves[1], halves[0]], 3)
    return torch.add(torch.mul(x, cos), torch.mul(swapped, sin))
  def project(self: __torch__.{cls},
    x: Tensor,
    weight: Tensor,
    bias: Tensor,
    lora: List[Tensor],
    index: int,
    bf16: bool) -> Tensor:
    rows = torch.reshape(x, [-1, x.size(2)])
    scalars = annotate(List[Optional[number]], [])
    if bf16:
      w16 = weight
      if torch.ne(weight.dtype, 15):
        w16 = torch.to(weight, 15)
      y = torch.to(ops.mkldnn._linear_pointwise(torch.to(rows, 15), w16, None, "none", scalars, ""), 6)
    else:
      y = ops.mkldnn._linear_pointwise(rows, weight, None, "none", scalars, "")
    if torch.gt(torch.numel(bias), 0):
      y = torch.add(y, bias)
    if torch.gt(torch.len(lora), 0):
      a = lora[index]
      if torch.gt(torch.numel(a), 0):
        y = torch.add(y, torch.linear(torch.linear(rows, a), lora[index + 1]))
    return torch.reshape(y, [x.size(0), x.size(1), y.size(1)])
"""

MODULES = {
    "onednn-pack": ("OneDnnPack", """    w: Tensor,
    x: Tensor) -> Tensor:
    return ops.mkldnn._reorder_linear_weight(w, ops.aten.size(x, 0))
"""),
    "onednn-linear": ("OneDnnLinear", """    x: Tensor,
    w: Tensor) -> Tensor:
    _0 = annotate(List[Optional[number]], [])
    return ops.mkldnn._linear_pointwise(x, w, None, "none", _0, "")
"""),
    "onednn-pack-bf16": ("OneDnnPackBf16", """    w: Tensor,
    x: Tensor) -> Tensor:
    return ops.mkldnn._reorder_linear_weight(torch.to(w, 15), ops.aten.size(x, 0))
"""),
    "onednn-linear-bf16": ("OneDnnLinearBf16", """    x: Tensor,
    w: Tensor) -> Tensor:
    _0 = annotate(List[Optional[number]], [])
    w16 = w
    if torch.ne(w.dtype, 15):
      w16 = torch.to(w, 15)
    return torch.to(ops.mkldnn._linear_pointwise(torch.to(x, 15), w16, None, "none", _0, ""), 6)
"""),
    "onednn-layers": ("OneDnnLayers", LAYERS),
}


def data_pkl(cls):
    """The pickled module object (protocol 2), as torch.jit.save writes it for a module of
    class __torch__.<cls> whose only attributes are training=False and no backward hook."""
    name = b"__torch__\n" + cls.encode() + b"\n"
    return (b"\x80\x02c" + name + b"q\x00)\x81}(X\x08\x00\x00\x00trainingq\x01\x88"
            b"X\x16\x00\x00\x00_is_full_backward_hookq\x02Nubq\x03.")


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out_dir = os.path.normpath(os.path.join(here, "..", "..", "model", "src", "main", "resources",
                                            "selflengthen", "model", "nn"))
    for name, (cls, body) in MODULES.items():
        path = os.path.join(out_dir, name + ".pt")
        with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as z:
            for entry, content in ((name + "/data.pkl", data_pkl(cls)),
                                   (name + "/code/__torch__.py",
                                    (HEADER.format(cls=cls) + body.replace("{cls}", cls)).encode()),
                                   (name + "/constants.pkl", b"\x80\x02)."),  # an empty tuple
                                   (name + "/version", b"3\n")):
                info = zipfile.ZipInfo(entry, date_time=(1980, 1, 1, 0, 0, 0))
                z.writestr(info, content)
        print(path)


if __name__ == "__main__":
    main()
