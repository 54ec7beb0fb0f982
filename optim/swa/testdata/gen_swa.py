#!/usr/bin/env python3
"""Records torch 1.13's torch.optim.swa_utils for descent's tests.

Writes three fixtures, each into the testdata folder of the package that tests it:

  optim/swa/testdata/averaged.json   AveragedModel: SWA (the default average) and EMA (a
                                     user avg_fn), each without and with use_buffers, over
                                     the states of a small BatchNorm model trained by SGD
  optim/lr/testdata/swalr.json       SWALR's learning rates after construction and after
                                     each of 30 steps: cos and linear, several anneal_epochs,
                                     one swa_lr or one per group, two groups
  nn/testdata/update_bn.json         update_bn on models with BatchNorm1d and BatchNorm2d:
                                     the state before, the batches, the state after

Run from anywhere with torch 1.13: python3 gen_swa.py. Every float is written with
Python's repr, which round-trips float32 and float64 values exactly.
"""
import json
import os

import torch
from torch import nn
from torch.optim.swa_utils import AveragedModel, SWALR, update_bn

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", "..", ".."))


def flat(t):
    return [float(v) for v in t.detach().reshape(-1).tolist()]


def tensors(ts):
    return [{"shape": list(t.shape), "int": not t.is_floating_point(), "data": flat(t)} for t in ts]


def write(rel, obj):
    path = os.path.join(ROOT, rel)
    with open(path, "w") as f:
        json.dump(obj, f, separators=(",", ":"))
        f.write("\n")
    print("wrote", path)


def bn_mlp():
    return nn.Sequential(nn.Linear(4, 5), nn.BatchNorm1d(5), nn.ReLU(), nn.Linear(5, 3))


def averaged():
    """Trains bn_mlp for 8 SGD steps and averages it after each step four ways."""
    torch.manual_seed(1)
    model = bn_mlp()
    opt = torch.optim.SGD(model.parameters(), lr=0.3, momentum=0.5)
    decay = 0.9
    ema = lambda a, p, n: decay * a + (1 - decay) * p
    decay2 = 0.75
    ema2 = lambda a, p, n: decay2 * a + (1 - decay2) * p
    kinds = [
        ("swa", AveragedModel(model), 0),
        ("swa_buffers", AveragedModel(model, use_buffers=True), 0),
        ("ema", AveragedModel(model, avg_fn=ema), decay),
        ("ema_buffers", AveragedModel(model, avg_fn=ema2, use_buffers=True), decay2),
    ]
    cases = []
    for name, m, d in kinds:
        cases.append({"name": name, "decay": d, "use_buffers": m.use_buffers,
                      "initial": tensors(list(m.module.parameters()) + list(m.module.buffers())), "steps": []})
    models = []
    for step in range(8):
        x = torch.randn(6, 4)
        y = torch.randint(0, 3, (6,))
        opt.zero_grad()
        nn.functional.cross_entropy(model(x), y).backward()
        opt.step()
        state = tensors(list(model.parameters()) + list(model.buffers()))
        models.append(state)
        for (name, m, _), c in zip(kinds, cases):
            m.update_parameters(model)
            c["steps"].append({"n_averaged": int(m.n_averaged),
                               "average": tensors(list(m.module.parameters()) + list(m.module.buffers()))})
    names = [n for n, _ in model.named_parameters()] + [n for n, _ in model.named_buffers()]
    write("optim/swa/testdata/averaged.json", {"generator": "gen_swa.py", "torch": torch.__version__,
                                               "names": names, "params": len(list(model.parameters())),
                                               "models": models, "cases": cases})


def swalr():
    steps = 30
    cases = []

    def run(name, swa_lr, anneal_epochs, strategy, lrs=(0.1, 0.03), before=0):
        ps = [torch.nn.Parameter(torch.zeros(1)) for _ in lrs]
        opt = torch.optim.SGD([{"params": [p], "lr": lr} for p, lr in zip(ps, lrs)], lr=lrs[0])
        if before:  # another schedule first: SWALR starts from the rates it left
            pre = torch.optim.lr_scheduler.ExponentialLR(opt, 0.5)
            for _ in range(before):
                opt.step()
                pre.step()
        start = [g["lr"] for g in opt.param_groups]
        s = SWALR(opt, swa_lr=swa_lr, anneal_epochs=anneal_epochs, anneal_strategy=strategy)
        out = [list(s.get_last_lr())]
        for _ in range(steps):
            opt.step()
            s.step()
            out.append(list(s.get_last_lr()))
        swa = swa_lr if isinstance(swa_lr, list) else [swa_lr]
        cases.append({"name": name, "lr0": start, "swa_lr": swa, "anneal_epochs": anneal_epochs,
                      "strategy": strategy, "lrs": out})

    for strategy in ("cos", "linear"):
        for ae in (0, 1, 3, 10, 25):
            run(f"{strategy}/anneal{ae}", 0.05, ae, strategy)
        run(f"{strategy}/per-group", [0.02, 0.2], 7, strategy)
        run(f"{strategy}/after-exp", 0.01, 4, strategy, before=3)
        run(f"{strategy}/up", 0.5, 6, strategy)
    write("optim/lr/testdata/swalr.json", {"generator": "gen_swa.py", "torch": torch.__version__,
                                          "steps": steps, "cases": cases})


def update_bn_cases():
    cases = []

    def run(name, model, shapes):
        # Some training first, so that the running statistics and counters are not the
        # initial ones, and an unusual momentum that update_bn must restore.
        for m in model.modules():
            if isinstance(m, nn.modules.batchnorm._BatchNorm):
                m.momentum = 0.3
        model.train()
        with torch.no_grad():
            for _ in range(3):
                model(torch.randn(*shapes[0]))
        model.eval()
        before = model.state_dict()
        names = list(before.keys())
        batches = [torch.randn(*s) for s in shapes]
        update_bn([(b, torch.zeros(len(b))) for b in batches], model)
        after = model.state_dict()
        cases.append({"name": name, "names": names,
                      "before": tensors([before[k] for k in names]),
                      "batches": tensors(batches),
                      "after": tensors([after[k] for k in names])})

    torch.manual_seed(2)
    run("bn1d", nn.Sequential(nn.Linear(6, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 4), nn.BatchNorm1d(4)),
        [(7, 6), (7, 6), (5, 6), (9, 6)])
    run("bn2d", nn.Sequential(nn.Conv2d(2, 3, 3), nn.BatchNorm2d(3), nn.ReLU(), nn.Flatten(), nn.Linear(3 * 4 * 4, 5)),
        [(4, 2, 6, 6), (4, 2, 6, 6), (3, 2, 6, 6)])
    write("nn/testdata/update_bn.json", {"generator": "gen_swa.py", "torch": torch.__version__, "cases": cases})


if __name__ == "__main__":
    averaged()
    swalr()
    update_bn_cases()
