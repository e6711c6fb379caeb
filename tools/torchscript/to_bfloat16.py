#!/usr/bin/python3
"""Writes model/src/main/resources/selflengthen/model/nn/to-bfloat16.pt: a TorchScript module
whose forward(x) returns x.to(torch.bfloat16).

Why: DJL 0.36's JNI maps no DJL data type to torch.bfloat16 (creating or converting to a
bfloat16 array aborts the JVM), but it can run a TorchScript module and hold the bfloat16 tensor
it returns (DJL reports its type as UNKNOWN; matmul and toType(FLOAT32) work on it). The engine's
bfloat16 projections (EngineOptions.bf16) get their weights through this module.

    /usr/bin/python3 tools/torchscript/to_bfloat16.py   (Debian's python3-torch; any torch >= 1.10)
"""
import os

import torch


class ToBfloat16(torch.nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.to(torch.bfloat16)


here = os.path.dirname(os.path.abspath(__file__))
out = os.path.join(here, "..", "..", "model", "src", "main", "resources", "selflengthen", "model",
                   "nn", "to-bfloat16.pt")
torch.jit.script(ToBfloat16()).save(os.path.normpath(out))
print(os.path.normpath(out))
