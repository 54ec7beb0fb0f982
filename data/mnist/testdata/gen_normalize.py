"""Writes torch_normalize.json: the float32 value torchvision gives each byte 0..255 under
ToTensor() then Normalize((mean,), (std,)), for the normalisations descent uses.

torchvision is not needed: its two transforms are, for a uint8 image (torchvision
transforms/functional.py, to_tensor and normalize):
    x = img.to(torch.float32).div(255)
    x.sub_(torch.as_tensor(mean, dtype=torch.float32)).div_(torch.as_tensor(std, dtype=torch.float32))
Run with /usr/bin/python3 (Debian's python3-torch) from this folder.
"""
import json
import torch

out = []
for mean, std in [(0.1307, 0.3081), (0.2860, 0.3530), (0.0, 1.0), (0.5, 0.5)]:
    img = torch.arange(256, dtype=torch.int32).to(torch.uint8)
    x = img.to(dtype=torch.float32).div(255)
    x.sub_(torch.as_tensor(mean, dtype=torch.float32)).div_(torch.as_tensor(std, dtype=torch.float32))
    bits = x.numpy().view("uint32").tolist()
    out.append({"mean": mean, "std": std, "bits": bits})
with open("torch_normalize.json", "w") as f:
    json.dump({"torch": torch.__version__, "cases": out}, f)
    f.write("\n")
