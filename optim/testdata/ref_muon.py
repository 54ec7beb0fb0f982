"""torch.optim.Muon (torch 2.9) for the 2-D parameters, with torch.optim.AdamW for the others
(as torch's documentation prescribes), in float64 NumPy. Muon is restated from
torch/optim/_muon.py, _zeropower_via_newtonschulz, _adjust_lr and _single_tensor_muon
(pytorch/pytorch, read at commit 098e03f91de9384cc3afdf5c8b9a6bbc442bd66a); the reference
orthogonalises in bfloat16 (grad.bfloat16()), this restatement in float64. AdamW is torch's
_single_tensor_adamw without amsgrad or maximize. The adamw_* options are AdamW's lr, betas,
eps and weight_decay."""
import math
import numpy as np
from ref_common import Optimizer, lerp


def zeropower_via_newtonschulz(grad, ns_coefficients, ns_steps, eps):
    a, b, c = ns_coefficients
    ortho_grad = grad.copy()  # bfloat16 in the reference
    if grad.shape[0] > grad.shape[1]:
        ortho_grad = ortho_grad.T
    ortho_grad = ortho_grad / max(np.linalg.norm(ortho_grad), eps)
    for _ in range(ns_steps):
        gram_matrix = ortho_grad @ ortho_grad.T
        gram_update = b * gram_matrix + c * gram_matrix @ gram_matrix
        ortho_grad = a * ortho_grad + gram_update @ ortho_grad
    if grad.shape[0] > grad.shape[1]:
        ortho_grad = ortho_grad.T
    return ortho_grad


def adjust_lr(lr, adjust_lr_fn, param_shape):
    A, B = param_shape[:2]
    if adjust_lr_fn is None or adjust_lr_fn == "original":
        adjusted_ratio = math.sqrt(max(1, A / B))
    elif adjust_lr_fn == "match_rms_adamw":
        adjusted_ratio = 0.2 * math.sqrt(max(A, B))
    else:
        adjusted_ratio = 1.0
    return lr * adjusted_ratio


class Muon(Optimizer):
    defaults = dict(lr=1e-3, weight_decay=0.1, momentum=0.95, nesterov=True,
                    ns_coefficients=(3.4445, -4.7750, 2.0315), eps=1e-7, ns_steps=5, adjust_lr_fn=None,
                    adamw_lr=1e-3, adamw_betas=(0.9, 0.999), adamw_eps=1e-8, adamw_weight_decay=1e-2)

    def step(self):
        for group in self.param_groups:
            for param in group["params"]:
                if param.grad is None:
                    continue
                grad = param.grad
                state = self.st(param)
                if param.data.ndim == 2:
                    lr, momentum = group["lr"], group["momentum"]
                    if "momentum_buffer" not in state:
                        state["momentum_buffer"] = np.zeros_like(grad)
                    buf = state["momentum_buffer"]
                    buf[...] = lerp(buf, grad, 1 - momentum)
                    update = lerp(grad, buf, momentum) if group["nesterov"] else buf
                    update = zeropower_via_newtonschulz(update, group["ns_coefficients"], group["ns_steps"], group["eps"])
                    adjusted_lr = adjust_lr(lr, group["adjust_lr_fn"], param.data.shape)
                    param.data *= 1 - lr * group["weight_decay"]
                    param.data += -adjusted_lr * update
                else:
                    lr, (beta1, beta2) = group["adamw_lr"], group["adamw_betas"]
                    eps, wd = group["adamw_eps"], group["adamw_weight_decay"]
                    if len(state) == 0:
                        state["step"] = 0
                        state["exp_avg"] = np.zeros_like(grad)
                        state["exp_avg_sq"] = np.zeros_like(grad)
                    state["step"] += 1
                    step = state["step"]
                    exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
                    param.data *= 1 - lr * wd
                    exp_avg[...] = lerp(exp_avg, grad, 1 - beta1)
                    exp_avg_sq *= beta2
                    exp_avg_sq += (1 - beta2) * grad * grad
                    bias_correction1 = 1 - beta1 ** step
                    bias_correction2 = 1 - beta2 ** step
                    step_size = lr / bias_correction1
                    denom = np.sqrt(exp_avg_sq) / math.sqrt(bias_correction2) + eps
                    param.data += -step_size * exp_avg / denom
