"""Prodigy in float64 NumPy, restated from the authors' reference implementation:
konstmish/prodigy, prodigyopt/prodigy_reference.py, commit 0129cca01d9b83ac2ab1595bc418c9a5892f963a
(Mishchenko and Defazio, "Prodigy: An Expeditiously Adaptive Parameter-Free Learner", 2023).
The distributed (fsdp) branch is left out. The reference adds the coupled weight decay into
p.grad in place; here it goes into a local copy (the optimiser's arithmetic is the same)."""
import math
import numpy as np
from ref_common import Optimizer


class Prodigy(Optimizer):
    defaults = dict(lr=1.0, betas=(0.9, 0.999), beta3=None, eps=1e-8, weight_decay=0.0, decouple=True,
                    use_bias_correction=False, safeguard_warmup=False, d0=1e-6, d_coef=1.0, growth_rate=float("inf"))

    def __init__(self, groups, **kw):
        super().__init__(groups, **kw)
        for g in self.param_groups:
            g.update(d=g["d0"], d_max=g["d0"], d_numerator=0.0, k=0)

    def step(self):
        d_denom = 0.0
        group = self.param_groups[0]
        use_bias_correction = group["use_bias_correction"]
        beta1, beta2 = group["betas"]
        beta3 = group["beta3"]
        if beta3 is None:
            beta3 = math.sqrt(beta2)
        k = group["k"]
        d = group["d"]
        d_max = group["d_max"]
        d_coef = group["d_coef"]
        lr = max(group["lr"] for group in self.param_groups)
        if use_bias_correction:
            bias_correction = ((1 - beta2 ** (k + 1)) ** 0.5) / (1 - beta1 ** (k + 1))
        else:
            bias_correction = 1
        dlr = d * lr * bias_correction
        growth_rate = group["growth_rate"]
        decouple = group["decouple"]
        d_numerator = group["d_numerator"]
        d_numerator *= beta3
        delta_numerator = 0.0
        for group in self.param_groups:
            decay = group["weight_decay"]
            group_lr = group["lr"]
            d0 = group["d0"]
            safeguard_warmup = group["safeguard_warmup"]
            if group_lr not in [lr, 0.0]:
                raise RuntimeError("Setting different lr values in different parameter groups is only supported for values of 0")
            for p in group["params"]:
                if p.grad is None:
                    continue
                grad = p.grad
                if decay != 0 and not decouple:
                    grad = grad + decay * p.data
                state = self.st(p)
                if "step" not in state:
                    state["step"] = 0
                    state["s"] = np.zeros_like(p.data)
                    state["p0"] = p.data.copy()
                    state["exp_avg"] = np.zeros_like(p.data)
                    state["exp_avg_sq"] = np.zeros_like(p.data)
                exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
                s = state["s"]
                p0 = state["p0"]
                if group_lr > 0.0:
                    delta_numerator += (d / d0) * dlr * float(np.dot(grad.ravel(), (p0 - p.data).ravel()))
                    exp_avg *= beta1
                    exp_avg += d * (1 - beta1) * grad
                    exp_avg_sq *= beta2
                    exp_avg_sq += d * d * (1 - beta2) * grad * grad
                    s *= beta3
                    if safeguard_warmup:
                        s += ((d / d0) * d) * grad
                    else:
                        s += ((d / d0) * dlr) * grad
                    d_denom += float(np.abs(s).sum())
        d_hat = d
        if d_denom == 0:
            return
        if lr > 0.0:
            global_d_numerator = d_numerator + delta_numerator
            global_d_denom = d_denom
            d_hat = d_coef * global_d_numerator / global_d_denom
            if d == group["d0"]:
                d = max(d, d_hat)
            d_max = max(d_max, d_hat)
            d = min(d_max, d * growth_rate)
        for group in self.param_groups:
            group["d_numerator"] = global_d_numerator
            group["d_denom"] = global_d_denom
            group["d"] = d
            group["d_max"] = d_max
            group["d_hat"] = d_hat
            decay = group["weight_decay"]
            k = group["k"]
            eps = group["eps"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.st(p)
                exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
                state["step"] += 1
                denom = np.sqrt(exp_avg_sq) + d * eps
                if decay != 0 and decouple:
                    p.data += -decay * dlr * p.data
                p.data += -dlr * exp_avg / denom
            group["k"] = k + 1
