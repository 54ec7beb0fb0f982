"""Schedule-Free AdamW and SGD in float64 NumPy, restated from the authors' reference
implementations: facebookresearch/schedule_free, schedulefree/adamw_schedulefree_reference.py
at commit 1fb6be511a11a7901ee033fe63b5de7bb5ce1f68 and schedulefree/sgd_schedulefree_reference.py
at commit 59ed9b662d5ec5799aded7390b2482758423653c (Defazio et al., "The Road Less Scheduled",
2024). The parameters hold y between steps (training mode); x_of returns the evaluation point."""
import math
import numpy as np
from ref_common import Optimizer


class ScheduleFree(Optimizer):
    def __init__(self, groups, **kw):
        super().__init__(groups, **kw)
        for g in self.param_groups:
            g.update(k=0, train_mode=True, weight_sum=0.0, lr_max=-1.0)

    def x_of(self, p):
        return self.st(p).get("x", p.data)


class AdamWScheduleFree(ScheduleFree):
    defaults = dict(lr=0.0025, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, warmup_steps=0, r=0.0,
                    weight_lr_power=2.0, decay_at_z=False)

    def step(self):
        for group in self.param_groups:
            eps = group["eps"]
            decay = group["weight_decay"]
            beta1, beta2 = group["betas"]
            k = group["k"]
            r = group["r"]
            warmup_steps = group["warmup_steps"]
            weight_lr_power = group["weight_lr_power"]
            decay_at_z = group["decay_at_z"]
            if k < warmup_steps:
                sched = (k + 1) / warmup_steps
            else:
                sched = 1.0
            bias_correction2 = 1 - beta2 ** (k + 1)
            lr = group["lr"] * sched * math.sqrt(bias_correction2)
            lr_max = group["lr_max"] = max(lr, group["lr_max"])
            weight = ((k + 1) ** r) * (lr_max ** weight_lr_power)
            weight_sum = group["weight_sum"] = group["weight_sum"] + weight
            try:
                ckp1 = weight / weight_sum
            except ZeroDivisionError:
                ckp1 = 0
            assert group["train_mode"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                grad = p.grad
                state = self.st(p)
                if "z" not in state:
                    state["z"] = p.data.copy()
                    state["exp_avg_sq"] = np.zeros_like(p.data)
                    state["x"] = p.data.copy()
                    state["y"] = p.data.copy()
                exp_avg_sq, z, x, y = state["exp_avg_sq"], state["z"], state["x"], state["y"]
                if decay != 0:
                    decay_point = z if decay_at_z else y
                    z -= lr * decay * decay_point
                exp_avg_sq *= beta2
                exp_avg_sq += (1 - beta2) * grad * grad
                denom = np.sqrt(exp_avg_sq) + eps
                z += -lr * grad / denom
                x *= 1 - ckp1
                x += ckp1 * z
                y[...] = x * beta1 + (1 - beta1) * z
                p.data[...] = y
            group["k"] = k + 1


class SGDScheduleFree(ScheduleFree):
    defaults = dict(lr=1.0, momentum=0.9, weight_decay=0.0, warmup_steps=0, r=0.0, weight_lr_power=2.0)

    def step(self):
        assert self.param_groups[0]["train_mode"]
        for group in self.param_groups:
            momentum = group["momentum"]
            weight_decay = group["weight_decay"]
            k = group["k"]
            warmup_steps = group["warmup_steps"]
            if k < warmup_steps:
                sched = (k + 1) / warmup_steps
            else:
                sched = 1.0
            lr = group["lr"] * sched
            weight_lr_power = group["weight_lr_power"]
            r = group["r"]
            lr_max = group["lr_max"] = max(lr, group["lr_max"])
            weight = ((k + 1) ** r) * (lr_max ** weight_lr_power)
            weight_sum = group["weight_sum"] = group["weight_sum"] + weight
            try:
                ckp1 = weight / weight_sum
            except ZeroDivisionError:
                ckp1 = 0
            for p in group["params"]:
                if p.grad is None:
                    continue
                grad = p.grad
                state = self.st(p)
                if "z" not in state:
                    state["z"] = p.data.copy()
                    state["x"] = p.data.copy()
                    state["y"] = p.data.copy()
                z, x, y = state["z"], state["x"], state["y"]
                if weight_decay != 0:
                    grad = grad + weight_decay * y
                z -= lr * grad
                x *= 1 - ckp1
                x += ckp1 * z
                y[...] = x * momentum + (1 - momentum) * z
                p.data[...] = y
            group["k"] = k + 1
