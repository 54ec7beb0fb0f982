"""Reference gradient clipping of torch.nn.utils (PyTorch 1.13) for descent's optim tests.

    /usr/bin/python3 optim/testdata/gen_clip.py

Writes optim/testdata/clip.json. Each parameter set is a list of float32 gradients (None for a
parameter without one) of sizes chosen to cover ATen's 2-norm kernel: blocks of 8 lanes of
fused multiply-adds, a tail of n mod 8 elements whose first 4·⌊t/4⌋ squares are rounded before
they are added and the rest fused, and a total over the parameters' norms that goes through
the same kernel. For each set, clip_grad_norm_ with norm types 2, 1, inf and 3 and a max_norm
below and above the total, and clip_grad_value_ with two clip values, record torch's total
norm and gradients (base64 of little-endian float32). Cases with a NaN or infinite element,
or finite gradients whose norm overflows float32, record that torch's
clip_grad_norm_(error_if_nonfinite=True) raised; descent always refuses them.
"""
import base64, json, math, os
import torch
from torch.nn.utils import clip_grad_norm_, clip_grad_value_

torch.manual_seed(1913)

def grads(sizes, scale=1.0):
    out = []
    for n in sizes:
        if n is None:
            out.append(None)
        else:
            g = torch.randn(n) * scale * torch.exp(torch.randn(n))  # magnitudes over a few decades
            out.append(g.float())
    return out

SETS = [
    ("one small", grads([5])),
    ("blocks and tails", grads([1, 3, 4, 7, 8, 9, 12, 15, 17])),
    ("eleven parameters", grads([16, 2, 33, 6, 5, 64, 100, 3, 11, 4, 20])),
    ("large", grads([1031, 257])),
    ("with a missing gradient", grads([10, None, 6], scale=0.01)),
    ("tiny", grads([13, 6], scale=1e-6)),
]

def b64(t):
    return base64.b64encode(t.numpy().astype("<f4").tobytes()).decode()

def params_of(gs):
    ps = []
    for g in gs:
        n = 1 if g is None else g.numel()
        p = torch.zeros(n, requires_grad=True)
        p.grad = None if g is None else g.clone()
        ps.append(p)
    return ps

def total_of(gs, norm_type):
    ps = params_of(gs)
    return float(clip_grad_norm_(ps, 1e30, norm_type))

cases = []
for name, gs in SETS:
    for norm_type in (2.0, 1.0, math.inf, 3.0):
        total = total_of(gs, norm_type)
        for max_norm in (total / 3, total * 2):
            max_norm = float(f"{max_norm:.6g}")
            ps = params_of(gs)
            t = clip_grad_norm_(ps, max_norm, norm_type, error_if_nonfinite=True)
            cases.append(dict(kind="norm", set=name, norm_type="inf" if norm_type == math.inf else norm_type,
                              max_norm=max_norm, total=t.item(),
                              grads=[None if p.grad is None else b64(p.grad) for p in ps]))
    for clip in (0.05, 1.0):
        ps = params_of(gs)
        clip_grad_value_(ps, clip)
        cases.append(dict(kind="value", set=name, clip=clip,
                          grads=[None if p.grad is None else b64(p.grad) for p in ps]))

BAD = [
    ("nan element", [torch.tensor([1.0, float("nan"), 2.0]), torch.ones(4)]),
    ("infinite element", [torch.ones(4), torch.tensor([1.0, 2.0, -float("inf")])]),
    ("overflowing squares", [torch.ones(3), torch.full((5,), 3e19)]),
    ("overflowing total", [torch.full((1,), 1.5e19), torch.full((1,), 1.5e19)]),
]
for name, gs in BAD:
    for norm_type in (2.0, 1.0, math.inf):
        ps = params_of(gs)
        c = dict(kind="norm", set=name, norm_type="inf" if norm_type == math.inf else norm_type, max_norm=1.0)
        try:
            c["total"] = clip_grad_norm_(ps, 1.0, norm_type, error_if_nonfinite=True).item()
            c["grads"] = [b64(p.grad) for p in ps]
        except RuntimeError:
            c["error"] = True
        cases.append(c)

sets = {name: [None if g is None else b64(g) for g in gs] for name, gs in SETS + BAD}
out = dict(torch=torch.__version__, sets=sets, cases=cases)
here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(here, "clip.json"), "w") as f:
    json.dump(out, f, indent=0)
print(len(cases), "cases")
