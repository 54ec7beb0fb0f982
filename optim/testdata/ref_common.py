"""Shared scaffolding of the float64 NumPy restatements (ref_*.py) used by gen_numpy_reference.py.

A P is a parameter: .data and .grad are float64 NumPy arrays. An Optimizer takes param groups
as torch's do ([{"params": [P, ...], **options}, ...]) and keyword defaults; each group's options
override the constructor's, which override the class's defaults, as in torch.optim.Optimizer.
"""
import numpy as np


class P:
    def __init__(self, data):
        self.data = np.array(data, dtype=np.float64)
        self.grad = None


class Optimizer:
    defaults = {}

    def __init__(self, groups, **kw):
        for k in kw:
            if k not in self.defaults:
                raise TypeError(f"{type(self).__name__}: unknown option {k}")
        self.param_groups = []
        for g in groups:
            d = dict(self.defaults)
            d.update(kw)
            for k, v in g.items():
                if k != "params":
                    if k not in self.defaults:
                        raise TypeError(f"{type(self).__name__}: unknown group option {k}")
                    d[k] = v
            d["params"] = list(g["params"])
            self.param_groups.append(d)
        self.options = dict(self.defaults, **kw)  # torch's self.defaults after the constructor
        self.state = {}

    def st(self, p):
        return self.state.setdefault(id(p), {})


def lerp(a, b, w):
    """torch.lerp(a, b, w) = a + w (b - a)."""
    return a + w * (b - a)
