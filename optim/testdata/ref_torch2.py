"""torch 2.x's Adam, NAdam and RAdam with decoupled_weight_decay, in float64 NumPy, restated
from the single-tensor functions of torch/optim/adam.py, nadam.py and radam.py of pytorch/pytorch
tag v2.8.0 (without amsgrad, maximize, capturable or differentiable). torch 2.x's NAdam forms
mu_product_next = mu_product * mu_next, where torch 1.13 had mu_product * mu * mu_next."""
import math
import numpy as np
from ref_common import Optimizer, lerp


class _Torch2(Optimizer):
    def decay(self, p, grad, group):
        lr, wd = group["lr"], group["weight_decay"]
        if wd != 0:
            if group["decoupled_weight_decay"]:
                p.data *= 1 - lr * wd
            else:
                grad = grad + wd * p.data
        return grad

    def moments(self, p, grad, group):
        state = self.st(p)
        if len(state) == 0:
            state["step"] = 0
            state["exp_avg"] = np.zeros_like(p.data)
            state["exp_avg_sq"] = np.zeros_like(p.data)
            state["mu_product"] = 1.0
        state["step"] += 1
        return state


class Adam(_Torch2):
    defaults = dict(lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, decoupled_weight_decay=False)

    def step(self):
        for group in self.param_groups:
            beta1, beta2 = group["betas"]
            for p in group["params"]:
                state = self.moments(p, p.grad, group)
                grad = self.decay(p, p.grad, group)
                step = state["step"]
                exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
                exp_avg[...] = lerp(exp_avg, grad, 1 - beta1)
                exp_avg_sq *= beta2
                exp_avg_sq += (1 - beta2) * grad * grad
                bias_correction1 = 1 - beta1 ** step
                bias_correction2 = 1 - beta2 ** step
                step_size = group["lr"] / bias_correction1
                denom = np.sqrt(exp_avg_sq) / math.sqrt(bias_correction2) + group["eps"]
                p.data += -step_size * exp_avg / denom


class NAdam(_Torch2):
    defaults = dict(lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, momentum_decay=4e-3,
                    decoupled_weight_decay=False)

    def step(self):
        for group in self.param_groups:
            beta1, beta2 = group["betas"]
            lr, eps, momentum_decay = group["lr"], group["eps"], group["momentum_decay"]
            for p in group["params"]:
                state = self.moments(p, p.grad, group)
                step = state["step"]
                bias_correction2 = 1 - beta2 ** step
                grad = self.decay(p, p.grad, group)
                mu = beta1 * (1.0 - 0.5 * (0.96 ** (step * momentum_decay)))
                mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((step + 1) * momentum_decay)))
                state["mu_product"] *= mu
                mu_product = state["mu_product"]
                exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
                exp_avg[...] = lerp(exp_avg, grad, 1 - beta1)
                exp_avg_sq *= beta2
                exp_avg_sq += (1 - beta2) * grad * grad
                denom = np.sqrt(exp_avg_sq / bias_correction2) + eps
                mu_product_next = mu_product * mu_next
                p.data += (-lr * (1.0 - mu) / (1.0 - mu_product)) * grad / denom
                p.data += (-lr * mu_next / (1.0 - mu_product_next)) * exp_avg / denom


class RAdam(_Torch2):
    defaults = dict(lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, decoupled_weight_decay=False)

    def step(self):
        for group in self.param_groups:
            beta1, beta2 = group["betas"]
            lr, eps = group["lr"], group["eps"]
            for p in group["params"]:
                state = self.moments(p, p.grad, group)
                step = state["step"]
                grad = self.decay(p, p.grad, group)
                exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
                exp_avg[...] = lerp(exp_avg, grad, 1 - beta1)
                exp_avg_sq *= beta2
                exp_avg_sq += (1 - beta2) * grad * grad
                bias_correction1 = 1 - beta1 ** step
                bias_correction2 = 1 - beta2 ** step
                bias_corrected_exp_avg = exp_avg / bias_correction1
                rho_inf = 2 / (1 - beta2) - 1
                rho_t = rho_inf - 2 * step * (beta2 ** step) / bias_correction2
                if rho_t > 5.0:
                    rect = math.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
                    exp_avg_sq_sqrt = np.sqrt(exp_avg_sq) + eps
                    adaptive_lr = math.sqrt(bias_correction2) / exp_avg_sq_sqrt
                    p.data += -(bias_corrected_exp_avg * lr * adaptive_lr * rect)
                else:
                    p.data += -(bias_corrected_exp_avg * lr)
