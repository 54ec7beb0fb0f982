"""LAMB (NVIDIA's FusedLAMB / NVLAMB variant) in float64 NumPy, restated from timm's
_single_tensor_lamb and Lamb.step: huggingface/pytorch-image-models, timm/optim/lamb.py,
commit 1e19b290d66143fabe98c7ede64d340a61270335 (You et al., "Large Batch Optimization for
Deep Learning: Training BERT in 76 minutes", 2019). The options caution, decoupled_decay and
corrected_weight_decay are left at their defaults (off). max_grad_norm None is written 0."""
import numpy as np
from ref_common import Optimizer, lerp


class Lamb(Optimizer):
    defaults = dict(lr=1e-3, bias_correction=True, betas=(0.9, 0.999), eps=1e-6, weight_decay=0.01,
                    grad_averaging=True, max_grad_norm=1.0, trust_clip=False, always_adapt=False)

    def _get_clip_grad_norm(self):
        max_grad_norm = self.options["max_grad_norm"]
        if not max_grad_norm:
            return None
        norms = [np.linalg.norm(p.grad) for g in self.param_groups for p in g["params"] if p.grad is not None]
        global_norm = np.linalg.norm(np.array(norms))
        return max(global_norm / max_grad_norm, 1.0)

    def step(self):
        clip_grad_norm = self._get_clip_grad_norm()
        for group in self.param_groups:
            bias_correction = 1 if group["bias_correction"] else 0
            beta1, beta2 = group["betas"]
            grad_averaging = 1 if group["grad_averaging"] else 0
            beta3 = 1 - beta1 if grad_averaging else 1.0
            group["step"] = group.get("step", 0) + 1
            step = group["step"]
            if bias_correction:
                bias_correction1 = 1 - beta1 ** step
                bias_correction2 = 1 - beta2 ** step
            else:
                bias_correction1, bias_correction2 = 1.0, 1.0
            lr, eps, weight_decay = group["lr"], group["eps"], group["weight_decay"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                grad = p.grad
                if clip_grad_norm is not None:
                    grad = grad / clip_grad_norm
                state = self.st(p)
                if len(state) == 0:
                    state["exp_avg"] = np.zeros_like(p.data)
                    state["exp_avg_sq"] = np.zeros_like(p.data)
                exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
                if beta3 == 1 - beta1:
                    exp_avg[...] = lerp(exp_avg, grad, beta3)
                else:
                    exp_avg *= beta1
                    exp_avg += beta3 * grad
                exp_avg_sq *= beta2
                exp_avg_sq += (1 - beta2) * grad * grad
                denom = np.sqrt(exp_avg_sq) / (bias_correction2 ** 0.5) + eps
                update = (exp_avg / bias_correction1) / denom
                if weight_decay != 0:
                    update = update + weight_decay * p.data
                if weight_decay != 0 or group["always_adapt"]:
                    w_norm, g_norm = np.linalg.norm(p.data), np.linalg.norm(update)
                    trust_ratio = w_norm / g_norm if (w_norm > 0 and g_norm > 0) else 1.0
                    if group["trust_clip"]:
                        trust_ratio = min(trust_ratio, 1.0)
                    update = update * trust_ratio
                p.data += -lr * update
