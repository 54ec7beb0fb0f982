#!/usr/bin/python3
"""PyTorch's training of an MLP with LayerNorm on a synthetic regression set: the reference of
"descent train --data FILE --model mlp:W1,W2,...:layernorm --task regress".

  /usr/bin/python3 bench/torch_tabular.py --write DIR [--rows 100000] [--features 100]
      [--test-rows 10000] [--seed 0]
  /usr/bin/python3 bench/torch_tabular.py TRAIN.npz [--test TEST.npz] [--widths 256,256]
      [--epochs 1] [--batch-size 128] [--threads 1] [--no-eval] [--seed 0]

--write makes the data set, the same for the same flags on any machine (NumPy's PCG64
generator, seeded): --rows + --test-rows examples of --features standard normal float32
features x, and the target y = tanh(x V / sqrt(features)) u / sqrt(32) + 0.1 e, a teacher
network of 32 hidden tanh units with standard normal V, u and e, one float32 column. The
first --rows examples go to DIR/tabular-train.npz, the rest to DIR/tabular-test.npz, each
holding the arrays x and y (uncompressed), which descent reads with --data and --test. It
prints the two paths.

Otherwise it trains the twin of package model's "mlp:W1,W2,...:layernorm" on TRAIN.npz: the
nn.Sequential Linear(features, W1), LayerNorm(W1), ReLU, Linear(W1, W2), LayerNorm(W2), ReLU,
..., Linear(Wk, 1) (the same layers in the same order, so the same state_dict names), with
torch's default initialisation; Adam (torch's defaults, lr 1e-3), the mean squared error
(F.mse_loss, mean over the batch), batches of --batch-size drawn in a new random order
(torch.randperm) every epoch and gathered from one float32 tensor. The features and targets
are used as they are (no standardisation, as descent without --standardize).

Prints one JSON line per epoch: seconds (the training loop alone: gathering, forward,
backward and step, without loading and evaluation), iterations, train_loss (mean over the
epoch), test_rmse and test_r2 on --test (null without --test or with --no-eval), threads,
and the CPU, its load and the BLAS library.
"""
import argparse
import os
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the repository
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402  (before numpy and torch: it pins their threads)

TEACHER_UNITS = 32


def parse():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("train", nargs="?", help="the training set, an .npz of arrays x and y")
    p.add_argument("--test", help="the test set, an .npz of arrays x and y")
    p.add_argument("--write", metavar="DIR", help="write the synthetic data set into DIR and exit")
    p.add_argument("--rows", type=int, default=100_000, help="training examples of --write (default %(default)s)")
    p.add_argument("--features", type=int, default=100, help="features of --write (default %(default)s)")
    p.add_argument("--test-rows", type=int, default=10_000, help="test examples of --write (default %(default)s)")
    p.add_argument("--widths", default="256,256", help="hidden widths of the MLP (default %(default)s)")
    p.add_argument("--epochs", type=int, default=1, help="passes over the training set (default %(default)s)")
    p.add_argument("--batch-size", type=int, default=128, help="examples per step (default %(default)s)")
    p.add_argument("--no-eval", action="store_true", help="skip the test-set evaluation after each epoch")
    p.add_argument("--seed", type=int, default=0, help="seed of --write's data, and torch.manual_seed (default 0)")
    benchlib.add_thread_flags(p)
    a = p.parse_args()
    if (a.write is None) == (a.train is None):
        p.error("give either TRAIN.npz or --write DIR")
    try:
        a.widths = [int(w) for w in a.widths.split(",")]
    except ValueError:
        p.error("--widths: want comma-separated positive integers")
    if min(a.widths) < 1 or a.epochs < 1 or a.batch_size < 1 or a.rows < 1 or a.features < 1 or a.test_rows < 1:
        p.error("--widths, --epochs, --batch-size, --rows, --features and --test-rows must be positive")
    return a


def write(a):
    """Writes the synthetic regression set of the flags into a.write; returns the two paths."""
    import numpy as np
    rng = np.random.default_rng(a.seed)
    n, d = a.rows + a.test_rows, a.features
    x = rng.standard_normal((n, d), dtype=np.float32)
    v = rng.standard_normal((d, TEACHER_UNITS), dtype=np.float32)
    u = rng.standard_normal((TEACHER_UNITS, 1), dtype=np.float32)
    e = rng.standard_normal((n, 1), dtype=np.float32)
    y = (np.tanh(x @ v / np.float32(np.sqrt(d))) @ u / np.float32(np.sqrt(TEACHER_UNITS)) + np.float32(0.1) * e)
    y = y.astype(np.float32)
    os.makedirs(a.write, exist_ok=True)
    paths = [os.path.join(a.write, "tabular-train.npz"), os.path.join(a.write, "tabular-test.npz")]
    np.savez(paths[0], x=x[:a.rows], y=y[:a.rows])
    np.savez(paths[1], x=x[a.rows:], y=y[a.rows:])
    return paths


def load(path):
    import numpy as np
    import torch
    with np.load(path) as f:
        x, y = f["x"], f["y"]
    if x.ndim != 2 or x.dtype != np.float32 or y.dtype != np.float32 or len(y) != len(x):
        sys.exit("%s: want float32 arrays x of shape [n, features] and y of n rows, not %s %s and %s %s"
                 % (path, x.dtype, x.shape, y.dtype, y.shape))
    return torch.from_numpy(x), torch.from_numpy(y.reshape(len(y), -1))


def build(features, widths, outputs):
    """Returns the twin of package model's mlp:widths:layernorm."""
    import torch.nn as nn
    layers, n = [], features
    for w in widths:
        layers += [nn.Linear(n, w), nn.LayerNorm(w), nn.ReLU()]
        n = w
    return nn.Sequential(*layers, nn.Linear(n, outputs))


def main():
    a = parse()
    benchlib.pin(a.threads, benchlib.coretype(a.coretype))
    if a.write:
        for p in write(a):
            print(p)
        return
    import torch
    import torch.nn.functional as F

    torch.set_num_threads(a.threads)
    xtr, ytr = load(a.train)
    test = load(a.test) if a.test else None
    torch.manual_seed(a.seed)
    model = build(xtr.shape[1], a.widths, ytr.shape[1])
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    n = len(ytr)

    def step(idx):
        opt.zero_grad()
        loss = F.mse_loss(model(xtr[idx]), ytr[idx])
        loss.backward()
        opt.step()
        return loss.item()

    for epoch in range(1, a.epochs + 1):
        model.train()
        start = time.perf_counter()
        perm = torch.randperm(n)
        total, seen, iters = 0.0, 0, 0
        for lo in range(0, n, a.batch_size):
            idx = perm[lo:lo + a.batch_size]
            total += step(idx) * len(idx)
            seen += len(idx)
            iters += 1
        seconds = time.perf_counter() - start
        rmse = r2 = None
        if test is not None and not a.no_eval:
            model.eval()
            xte, yte = test
            with torch.no_grad():
                pred = torch.cat([model(xte[j:j + 1000]) for j in range(0, len(xte), 1000)])
            sse = ((pred.double() - yte.double()) ** 2).sum().item()
            sst = ((yte.double() - yte.double().mean(0)) ** 2).sum().item()
            rmse, r2 = (sse / yte.numel()) ** 0.5, 1 - sse / sst
        benchlib.emit({"impl": "torch-" + torch.__version__, "model": "mlp:%s:layernorm" % ",".join(map(str, a.widths)),
                       "optimizer": "adam", "batch_size": a.batch_size, "epoch": epoch, "seconds": round(seconds, 4),
                       "iterations": iters, "train_loss": total / seen, "test_rmse": rmse, "test_r2": r2,
                       "threads": torch.get_num_threads()})


if __name__ == "__main__":
    main()
