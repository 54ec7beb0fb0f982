#!/usr/bin/env python3
"""Writes torch_schedules.json: PyTorch's learning-rate (and momentum) trajectories for the
schedulers of package lr, as reference data for parity_test.go.

Run from this folder with PyTorch 1.13 (Debian python3-torch):  /usr/bin/python3 gen_torch.py
Each case builds an optimiser with two parameter groups of different learning rates, a
scheduler, then records the learning rates (and, where the scheduler cycles it, the momentum or
Adam's beta1) after construction and after each of STEPS calls to scheduler.step().
The case names are the keys of the Go test table; keep both in step.
"""
import json
import math
import warnings

import torch
from torch.optim import SGD, Adam
from torch.optim import lr_scheduler as S

warnings.simplefilter("ignore")  # "lr_scheduler.step() before optimizer.step()" and such

STEPS = 300
LR0 = [0.1, 0.05]


def sgd(momentum=0.0, lrs=LR0):
    groups = [{"params": [torch.zeros(2, requires_grad=True)], "lr": lr} for lr in lrs]
    return SGD(groups, lr=lrs[0], momentum=momentum)


def adam(lrs=LR0):
    groups = [{"params": [torch.zeros(2, requires_grad=True)], "lr": lr} for lr in lrs]
    return Adam(groups, lr=lrs[0])


def momenta(opt):
    out = []
    for g in opt.param_groups:
        out.append(g["betas"][0] if "betas" in g else g["momentum"])
    return out


def plateau_metrics(kind):
    """A deterministic metric sequence with progress, noise and long plateaus."""
    out = []
    for t in range(STEPS):
        base = 1.0 / (1.0 + t / 15.0) if t < 120 else 1.0 / (1.0 + 120 / 15.0)
        if 200 <= t < 230:
            base *= 0.9
        wiggle = 0.01 * math.sin(1.7 * t) * (1.0 if t % 7 else 3.0)
        v = base + wiggle
        out.append(1.0 - v if kind == "max" else v)
    return out


CASES = {}


def case(name, cycles_momentum=False, metrics=None):
    def register(build):
        CASES[name] = (build, cycles_momentum, metrics)
        return build
    return register


# LambdaLR
@case("lambda/per-group")
def _(): o = sgd(); return o, S.LambdaLR(o, [lambda e: 0.95 ** e, lambda e: 1.0 / (1.0 + 0.01 * e)])
@case("lambda/shared")
def _(): o = sgd(); return o, S.LambdaLR(o, lambda e: 0.5 ** (e // 30))

# MultiplicativeLR
@case("multiplicative/constant")
def _(): o = sgd(); return o, S.MultiplicativeLR(o, lambda e: 0.99)
@case("multiplicative/per-group")
def _(): o = sgd(); return o, S.MultiplicativeLR(o, [lambda e: 0.98, lambda e: 0.9 if e % 10 == 0 else 1.0])

# StepLR
@case("step/30/0.1")
def _(): o = sgd(); return o, S.StepLR(o, step_size=30, gamma=0.1)
@case("step/7/0.8")
def _(): o = sgd(); return o, S.StepLR(o, step_size=7, gamma=0.8)

# MultiStepLR
@case("multistep/30,80,150/0.1")
def _(): o = sgd(); return o, S.MultiStepLR(o, milestones=[30, 80, 150], gamma=0.1)
@case("multistep/1,2,3,250/0.5")
def _(): o = sgd(); return o, S.MultiStepLR(o, milestones=[1, 2, 3, 250], gamma=0.5)

# ConstantLR
@case("constant/default")
def _(): o = sgd(); return o, S.ConstantLR(o)
@case("constant/0.5/100")
def _(): o = sgd(); return o, S.ConstantLR(o, factor=0.5, total_iters=100)

# LinearLR
@case("linear/default")
def _(): o = sgd(); return o, S.LinearLR(o)
@case("linear/decay")
def _(): o = sgd(); return o, S.LinearLR(o, start_factor=1.0, end_factor=0.1, total_iters=200)
@case("linear/warmup")
def _(): o = sgd(); return o, S.LinearLR(o, start_factor=0.01, end_factor=1.0, total_iters=250)

# ExponentialLR
@case("exponential/0.99")
def _(): o = sgd(); return o, S.ExponentialLR(o, gamma=0.99)
@case("exponential/0.9")
def _(): o = sgd(); return o, S.ExponentialLR(o, gamma=0.9)

# PolynomialLR
@case("polynomial/default")
def _(): o = sgd(); return o, S.PolynomialLR(o)
@case("polynomial/250/2")
def _(): o = sgd(); return o, S.PolynomialLR(o, total_iters=250, power=2.0)
@case("polynomial/300/0.5")
def _(): o = sgd(); return o, S.PolynomialLR(o, total_iters=300, power=0.5)

# CosineAnnealingLR
@case("cosine/50")
def _(): o = sgd(); return o, S.CosineAnnealingLR(o, T_max=50)
@case("cosine/300/0.001")
def _(): o = sgd(); return o, S.CosineAnnealingLR(o, T_max=300, eta_min=0.001)
@case("cosine/7/0.01")
def _(): o = sgd(); return o, S.CosineAnnealingLR(o, T_max=7, eta_min=0.01)

# CosineAnnealingWarmRestarts
@case("warmrestarts/10")
def _(): o = sgd(); return o, S.CosineAnnealingWarmRestarts(o, T_0=10)
@case("warmrestarts/5/2/0.001")
def _(): o = sgd(); return o, S.CosineAnnealingWarmRestarts(o, T_0=5, T_mult=2, eta_min=0.001)
@case("warmrestarts/50/3")
def _(): o = sgd(); return o, S.CosineAnnealingWarmRestarts(o, T_0=50, T_mult=3)

# CyclicLR
@case("cyclic/triangular", cycles_momentum=True)
def _(): o = sgd(momentum=0.9); return o, S.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=20)
@case("cyclic/triangular2/per-group", cycles_momentum=True)
def _():
    o = sgd(momentum=0.9)
    return o, S.CyclicLR(o, base_lr=[0.01, 0.001], max_lr=[0.1, 0.02], step_size_up=10, step_size_down=25,
                         mode="triangular2", base_momentum=[0.8, 0.85], max_momentum=[0.9, 0.95])
@case("cyclic/exp_range/no-momentum")
def _():
    o = sgd()
    return o, S.CyclicLR(o, base_lr=0.001, max_lr=0.1, step_size_up=15, mode="exp_range", gamma=0.995,
                         cycle_momentum=False)
@case("cyclic/custom-cycle", cycles_momentum=True)
def _():
    o = sgd(momentum=0.9)
    return o, S.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=12, step_size_down=7,
                         scale_fn=lambda x: 1.0 / (1.0 + 0.5 * (x - 1)))
@case("cyclic/custom-iterations")
def _():
    o = sgd()
    return o, S.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=9, scale_fn=lambda x: 1.0 / (1.0 + 0.01 * x),
                         scale_mode="iterations", cycle_momentum=False)

# OneCycleLR (total_steps = STEPS: torch allows STEPS steps after construction)
@case("onecycle/cos", cycles_momentum=True)
def _(): o = sgd(momentum=0.9); return o, S.OneCycleLR(o, max_lr=[0.1, 0.05], total_steps=STEPS)
@case("onecycle/linear", cycles_momentum=True)
def _(): o = sgd(momentum=0.9); return o, S.OneCycleLR(o, max_lr=0.2, total_steps=STEPS, anneal_strategy="linear")
@case("onecycle/three-phase", cycles_momentum=True)
def _(): o = sgd(momentum=0.9); return o, S.OneCycleLR(o, max_lr=[0.1, 0.05], epochs=30, steps_per_epoch=10, three_phase=True)
@case("onecycle/three-phase-linear/adam", cycles_momentum=True)
def _():
    o = adam()
    return o, S.OneCycleLR(o, max_lr=[0.01, 0.003], total_steps=STEPS, pct_start=0.25, anneal_strategy="linear",
                           div_factor=10.0, final_div_factor=100.0, three_phase=True,
                           base_momentum=[0.8, 0.85], max_momentum=0.9)
@case("onecycle/no-momentum")
def _(): o = sgd(); return o, S.OneCycleLR(o, max_lr=0.1, total_steps=STEPS, pct_start=0.4, cycle_momentum=False)

# ReduceLROnPlateau on a fixed metric sequence
@case("plateau/min-rel", metrics=plateau_metrics("min"))
def _(): o = sgd(); return o, S.ReduceLROnPlateau(o, factor=0.5, patience=5)
@case("plateau/min-abs-cooldown", metrics=plateau_metrics("min"))
def _(): o = sgd(); return o, S.ReduceLROnPlateau(o, factor=0.7, patience=2, threshold=0.01, threshold_mode="abs", cooldown=3)
@case("plateau/max-rel-minlr", metrics=plateau_metrics("max"))
def _(): o = sgd(); return o, S.ReduceLROnPlateau(o, mode="max", factor=0.3, patience=3, min_lr=[0.001, 0.0005])
@case("plateau/max-abs-eps", metrics=plateau_metrics("max"))
def _(): o = sgd(); return o, S.ReduceLROnPlateau(o, mode="max", factor=0.8, patience=1, threshold=0.001, threshold_mode="abs", min_lr=0.02, eps=0.004)

# SequentialLR (children built in order, just before)
@case("sequential/warmup-cosine")
def _():
    o = sgd()
    a = S.LinearLR(o, start_factor=0.1, total_iters=20)
    b = S.CosineAnnealingLR(o, T_max=280)
    return o, S.SequentialLR(o, [a, b], milestones=[20])
@case("sequential/constant-exponential")
def _():
    o = sgd()
    a = S.ConstantLR(o, factor=0.1, total_iters=2)
    b = S.ExponentialLR(o, gamma=0.9)
    return o, S.SequentialLR(o, [a, b], milestones=[2])
@case("sequential/three")
def _():
    o = sgd()
    a = S.LambdaLR(o, lambda e: (e + 1) / 10.0)
    b = S.StepLR(o, step_size=30, gamma=0.5)
    c = S.CosineAnnealingWarmRestarts(o, T_0=20, eta_min=0.001)
    return o, S.SequentialLR(o, [a, b, c], milestones=[10, 100])
@case("sequential/linear-multistep-polynomial")
def _():
    o = sgd()
    a = S.LinearLR(o, start_factor=0.5, end_factor=1.0, total_iters=10)
    b = S.MultiStepLR(o, milestones=[20, 50], gamma=0.3)
    c = S.PolynomialLR(o, total_iters=100, power=1.5)
    return o, S.SequentialLR(o, [a, b, c], milestones=[15, 150])

# ChainedScheduler
@case("chained/constant-exponential")
def _():
    o = sgd()
    return o, S.ChainedScheduler([S.ConstantLR(o, factor=0.1, total_iters=2), S.ExponentialLR(o, gamma=0.9)])
@case("chained/step-linear-cosine")
def _():
    o = sgd()
    return o, S.ChainedScheduler([S.StepLR(o, step_size=10, gamma=0.5), S.LinearLR(o, start_factor=0.2, total_iters=30),
                                  S.CosineAnnealingLR(o, T_max=40, eta_min=0.0001)])
@case("chained/constant-lambda-multiplicative")
def _():
    o = sgd()
    return o, S.ChainedScheduler([S.ConstantLR(o, factor=0.25, total_iters=4), S.LambdaLR(o, lambda e: 1.0 / (1.0 + e)),
                                  S.MultiplicativeLR(o, lambda e: 1.01)])


def run(name):
    build, cycles_momentum, metrics = CASES[name]
    opt, sched = build()
    lrs = [[g["lr"] for g in opt.param_groups]]
    mom = [momenta(opt)]
    for t in range(STEPS):
        opt.step()
        if metrics is not None:
            sched.step(metrics[t])
        else:
            sched.step()
        lrs.append([g["lr"] for g in opt.param_groups])
        mom.append(momenta(opt))
    out = {"name": name, "lr0": LR0, "lrs": lrs}
    if cycles_momentum:
        out["momentum"] = mom
    if metrics is not None:
        out["metrics"] = metrics
    return out


def main():
    doc = {
        "generator": "gen_torch.py",
        "torch": torch.__version__,
        "steps": STEPS,
        "cases": [run(name) for name in CASES],
    }
    with open("torch_schedules.json", "w") as f:
        json.dump(doc, f, indent=None, separators=(",", ":"))
        f.write("\n")
    print("wrote %d cases to torch_schedules.json" % len(doc["cases"]))


if __name__ == "__main__":
    main()
