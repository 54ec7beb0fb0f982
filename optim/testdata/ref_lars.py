"""LARS in float64 NumPy, restated from timm's Lars.step: huggingface/pytorch-image-models,
timm/optim/lars.py, commit 5788a1af80c63cd5da382db9ee48e03d2801bf83 (You, Gitman and Ginsburg,
"Large Batch Training of Convolutional Networks", 2017; after NVIDIA apex's LARC)."""
import numpy as np
from ref_common import Optimizer


class Lars(Optimizer):
    defaults = dict(lr=1.0, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False, trust_coeff=0.001,
                    eps=1e-8, trust_clip=False, always_adapt=False)

    def step(self):
        for group in self.param_groups:
            weight_decay = group["weight_decay"]
            momentum = group["momentum"]
            dampening = group["dampening"]
            nesterov = group["nesterov"]
            trust_coeff = group["trust_coeff"]
            eps = group["eps"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                grad = p.grad
                if weight_decay != 0 or group["always_adapt"]:
                    w_norm = np.linalg.norm(p.data)
                    g_norm = np.linalg.norm(grad)
                    trust_ratio = trust_coeff * w_norm / (g_norm + w_norm * weight_decay + eps)
                    if not (w_norm > 0 and g_norm > 0):
                        trust_ratio = 1.0
                    if group["trust_clip"]:
                        trust_ratio = min(trust_ratio / group["lr"], 1.0)
                    grad = (grad + weight_decay * p.data) * trust_ratio
                if momentum != 0:
                    param_state = self.st(p)
                    if "momentum_buffer" not in param_state:
                        buf = param_state["momentum_buffer"] = grad.copy()
                    else:
                        buf = param_state["momentum_buffer"]
                        buf *= momentum
                        buf += (1.0 - dampening) * grad
                    if nesterov:
                        grad = grad + momentum * buf
                    else:
                        grad = buf
                p.data += -group["lr"] * grad
