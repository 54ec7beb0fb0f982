"""Lion in float64 NumPy, restated from the authors' PyTorch reference:
google/automl, lion/lion_pytorch.py, commit 87461ee96d8bbfcaf1edd4fbd8659d31d3760a50
(Chen et al., "Symbolic Discovery of Optimization Algorithms", 2023)."""
import numpy as np
from ref_common import Optimizer


class Lion(Optimizer):
    defaults = dict(lr=1e-4, betas=(0.9, 0.99), weight_decay=0.0)

    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                # Perform stepweight decay
                p.data *= 1 - group["lr"] * group["weight_decay"]
                grad = p.grad
                state = self.st(p)
                if len(state) == 0:
                    state["exp_avg"] = np.zeros_like(p.data)
                exp_avg = state["exp_avg"]
                beta1, beta2 = group["betas"]
                # Weight update
                update = exp_avg * beta1 + grad * (1 - beta1)
                p.data += -group["lr"] * np.sign(update)
                # Decay the momentum running average coefficient
                exp_avg *= beta2
                exp_avg += (1 - beta2) * grad
