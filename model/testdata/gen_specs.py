"""Writes specs.json, the PyTorch twins of the models of package model by name: run from the
repository root with

    /usr/bin/python3 model/testdata/gen_specs.py

It needs PyTorch (tested with 1.13, CPU). For each model spec (as --model names it), with
the sizes of a small dataset, it builds the nn.Sequential that model.Build documents, and
writes its state_dict keys and shapes, an input batch and the model's output in evaluation
mode (dropout off, BatchNorm on its running statistics), computed in float64 from float32
weights: parameter k of named_parameters() is weight_values(k, n, 0.5), the input is
weight_values(99, batch*inputs, 1.0), as the Go test fills them.
"""
import json, os
import numpy as np
import torch, torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))


def weight_values(index, n, bound):
    """float32(bound*(2u-1)), u = top 53 bits of SplitMix64's finaliser of ((index+1)<<32 | j) over 2^53."""
    z = (np.uint64((index + 1) << 32) + np.arange(n, dtype=np.uint64)) + np.uint64(0x9E3779B97F4A7C15)
    with np.errstate(over="ignore"):
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    z = z ^ (z >> np.uint64(31))
    u = (z >> np.uint64(11)).astype(np.float64) * 2.0 ** -53
    return (bound * (2 * u - 1)).astype(np.float32)


def mlp(inputs, widths, outputs, act="relu", norm="", dropout=0.0):
    layers, n = [], inputs
    for w in widths:
        layers.append(nn.Linear(n, w))
        if norm == "layernorm":
            layers.append(nn.LayerNorm(w))
        elif norm == "batchnorm":
            layers.append(nn.BatchNorm1d(w))
        layers.append({"relu": nn.ReLU, "gelu": nn.GELU, "tanh": nn.Tanh}[act]())
        if dropout:
            layers.append(nn.Dropout(dropout))
        n = w
    layers.append(nn.Linear(n, outputs))
    return nn.Sequential(*layers)


CASES = [
    # spec, hidden (the preset mlp's Config.Hidden), task, inputs, outputs, model
    ("linear", None, "classify", 5, 3, lambda: nn.Sequential(nn.Linear(5, 3))),
    ("linear", None, "regress", 5, 2, lambda: nn.Sequential(nn.Linear(5, 2))),
    ("logreg", None, "classify", 5, 3, lambda: nn.Sequential(nn.Linear(5, 3), nn.LogSoftmax(dim=1))),
    ("mlp", [4], "classify", 5, 3, lambda: nn.Sequential(nn.Linear(5, 4), nn.ReLU(), nn.Linear(4, 3), nn.LogSoftmax(dim=1))),
    ("mlp:4,3", None, "classify", 5, 2, lambda: mlp(5, [4, 3], 2)),
    ("mlp:4:gelu:layernorm", None, "regress", 5, 1, lambda: mlp(5, [4], 1, "gelu", "layernorm")),
    ("mlp:4,3:tanh:batchnorm:dropout=0.5", None, "classify", 5, 3, lambda: mlp(5, [4, 3], 3, "tanh", "batchnorm", 0.5)),
    ("mlp:6:layernorm:dropout=0.25", None, "regress", 5, 2, lambda: mlp(5, [6], 2, "relu", "layernorm", 0.25)),
]

BATCH = 3

out = []
for spec, hidden, task, inputs, outputs, make in CASES:
    m = make().double()
    with torch.no_grad():
        for k, (name, p) in enumerate(m.named_parameters()):
            p.copy_(torch.from_numpy(weight_values(k, p.numel(), 0.5).astype(np.float64).reshape(p.shape)))
    m.eval()
    x = weight_values(99, BATCH * inputs, 1.0)
    with torch.no_grad():
        y = m(torch.from_numpy(x.astype(np.float64)).reshape(BATCH, inputs))
    out.append({
        "spec": spec, "hidden": hidden, "task": task, "inputs": inputs, "outputs": outputs,
        "state_dict": [{"name": k, "shape": list(v.shape)} for k, v in m.state_dict().items()],
        "x": [float(v) for v in x],
        "y": [float(v) for v in y.numpy().ravel()],
    })

with open(os.path.join(HERE, "specs.json"), "w") as f:
    json.dump({"torch": torch.__version__, "batch": BATCH, "cases": out}, f, indent=1)
    f.write("\n")
