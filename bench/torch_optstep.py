#!/usr/bin/python3
"""PyTorch's optimizer.step() alone: the reference of "descent bench optim".

  /usr/bin/python3 bench/torch_optstep.py [--threads 1] [--steps 20] [--layouts 1x10000000,1000x10000]

For each layout (COUNTxSIZE: COUNT parameters of SIZE elements each; by default one of 10M
and a thousand of 10k) and each of
  sgd-momentum  torch.optim.SGD(lr=0.1, momentum=0.9)
  adam          torch.optim.Adam() (torch's defaults)
with foreach=False (one loop per parameter) and foreach=True (torch's multi-tensor kernels),
it fills the gradients with normal noise once, runs 3 untimed steps (which also create the
state buffers), then times --steps steps one by one, and prints one JSON line with the
median ms per step (ms_per_step), the fastest (ms_min) and parameters per second.
"""
import argparse
import os
import statistics
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the repository
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402  (before torch: it pins its threads)


def parse():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--steps", type=int, default=20, help="timed steps (default %(default)s)")
    p.add_argument("--layouts", default="1x10000000,1000x10000",
                   help="comma-separated COUNTxSIZE layouts (default %(default)s)")
    p.add_argument("--optimizers", default="sgd-momentum,adam", help="comma-separated (default %(default)s)")
    p.add_argument("--foreach", default="off,on", help="foreach settings to run: off, on or both (default %(default)s)")
    benchlib.add_thread_flags(p)
    a = p.parse_args()
    try:
        a.layouts = [tuple(int(v) for v in l.lower().split("x")) for l in a.layouts.split(",")]
    except ValueError:
        p.error("--layouts: want COUNTxSIZE,...")
    a.optimizers = a.optimizers.split(",")
    a.foreach = [{"off": False, "on": True}[f] for f in a.foreach.split(",")]
    if a.steps < 1 or any(len(l) != 2 or min(l) < 1 for l in a.layouts):
        p.error("--steps and the layouts' numbers must be positive")
    if not set(a.optimizers) <= {"sgd-momentum", "adam"}:
        p.error("--optimizers: sgd-momentum or adam")
    return a


def main():
    a = parse()
    benchlib.pin(a.threads, benchlib.coretype(a.coretype))
    import torch

    torch.set_num_threads(a.threads)
    make = {
        "sgd-momentum": lambda ps, foreach: torch.optim.SGD(ps, lr=0.1, momentum=0.9, foreach=foreach),
        "adam": lambda ps, foreach: torch.optim.Adam(ps, foreach=foreach),
    }
    torch.manual_seed(0)
    for count, size in a.layouts:
        for foreach in a.foreach:
            for name in a.optimizers:
                params = [torch.zeros(size, requires_grad=True) for _ in range(count)]
                for q in params:
                    q.grad = torch.randn(size)
                opt = make[name](params, foreach)
                for _ in range(3):
                    opt.step()
                ms = []
                for _ in range(a.steps):
                    t = time.perf_counter()
                    opt.step()
                    ms.append(1e3 * (time.perf_counter() - t))
                med = statistics.median(ms)
                benchlib.emit({"impl": "torch-" + torch.__version__, "optimizer": name, "layout": "%dx%d" % (count, size),
                               "foreach": foreach, "ms_per_step": round(med, 4), "ms_min": round(min(ms), 4),
                               "params_per_second": count * size / (med / 1e3), "threads": torch.get_num_threads()})
                del opt, params


if __name__ == "__main__":
    main()
