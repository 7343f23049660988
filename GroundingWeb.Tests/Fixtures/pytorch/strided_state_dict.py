#!/usr/bin/python3
"""Writes a state dict whose tensors are views PyTorch saves as they are (torch.save keeps the shared
storage with each view's offset, shape and stride): a transpose, a slice with an offset, a strided
half-precision view and a bfloat16 tensor, all but the last over one storage. Beside it, expected.json
holds each tensor's values as float32, flattened in row-major order.

usage: /usr/bin/python3 strided_state_dict.py OUT_DIR"""
import json, os, sys
import torch

out = sys.argv[1]
base = torch.arange(24, dtype=torch.float32).reshape(4, 6) * 0.5 - 3
halves = torch.arange(10, dtype=torch.float16) / 4
state = {
    "model.img_proj.weight": base.t(),             # [6, 4], stride (1, 6)
    "model.text_proj.weight": base[1:3, 2:5],      # [2, 3], offset 8, stride (6, 1)
    "model.img_proj.bias": halves[1::3],           # [3], offset 1, stride 3
    "model.text_proj.bias": torch.tensor([1.5, -2.25, 3.0], dtype=torch.bfloat16),
}
assert not state["model.img_proj.weight"].is_contiguous() and state["model.text_proj.weight"].storage_offset() == 8
torch.save(state, os.path.join(out, "views.pt"))
expected = {name: t.float().contiguous().flatten().tolist() for name, t in state.items()}
with open(os.path.join(out, "expected.json"), "w") as f:
    json.dump({name: {"shape": list(t.shape), "values": expected[name]} for name, t in state.items()}, f)
