"""torch.optim.Adafactor (torch 2.5 semantics) in float64 NumPy, restated from
torch/optim/_adafactor.py, _single_tensor_adafactor (pytorch/pytorch, read at commit
051d6a09bb159a48ac11006c454c0c979511d0f3; torch 2.5 introduced the file).
eps1 None is torch.finfo(param.dtype).eps of the float32 parameters torch and descent hold."""
import numpy as np
from ref_common import Optimizer, lerp

FLOAT32_EPS = float(np.finfo(np.float32).eps)


class Adafactor(Optimizer):
    defaults = dict(lr=1e-2, beta2_decay=-0.8, eps=(None, 1e-3), d=1.0, weight_decay=0.0, maximize=False)

    def step(self):
        for group in self.param_groups:
            eps1, eps2 = group["eps"]
            lr, d, wd = group["lr"], group["d"], group["weight_decay"]
            for param in group["params"]:
                if param.grad is None:
                    continue
                grad = -param.grad if group["maximize"] else param.grad
                state = self.st(param)
                if len(state) == 0:
                    state["step"] = 0.0
                    if grad.ndim > 1:
                        row_shape = list(grad.shape)
                        row_shape[-1] = 1
                        state["row_var"] = np.zeros(row_shape)
                        col_shape = list(grad.shape)
                        col_shape[-2] = 1
                        state["col_var"] = np.zeros(col_shape)
                    else:
                        state["variance"] = np.zeros_like(grad)
                if eps1 is None:
                    eps1 = FLOAT32_EPS
                state["step"] += 1
                step_float = state["step"]
                one_minus_beta2_t = step_float ** group["beta2_decay"]
                rho_t = min(lr, 1 / (step_float ** 0.5))
                alpha = max(eps2, np.linalg.norm(param.data) / (param.data.size ** 0.5)) * rho_t
                if wd != 0:
                    param.data *= 1 - lr * wd
                if grad.ndim > 1:
                    row_var, col_var = state["row_var"], state["col_var"]
                    row_mean = np.sum(grad * grad, axis=-1, keepdims=True) / grad.shape[-1]
                    row_var[...] = lerp(row_var, row_mean, one_minus_beta2_t)
                    col_mean = np.sum(grad * grad, axis=-2, keepdims=True) / grad.shape[-2]
                    col_var[...] = lerp(col_var, col_mean, one_minus_beta2_t)
                    var_estimate = row_var @ col_var
                    var_estimate = var_estimate / np.maximum(row_var.mean(axis=-2, keepdims=True), eps1)
                else:
                    variance = state["variance"]
                    variance[...] = lerp(variance, grad * grad, one_minus_beta2_t)
                    var_estimate = variance.copy()
                update = 1 / np.sqrt(np.maximum(var_estimate, eps1 * eps1))
                update = update * grad
                denom = max(1.0, np.linalg.norm(update) / ((update.size ** 0.5) * d))
                param.data += (-alpha / denom) * update
