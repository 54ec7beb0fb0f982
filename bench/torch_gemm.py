#!/usr/bin/python3
"""SGEMM through PyTorch's BLAS (OpenBLAS on Debian): the reference of "descent bench gemm".

  /usr/bin/python3 bench/torch_gemm.py [--threads 1] [--shapes MxKxN,...] [--layouts NN,NT,TN,TT]
      [--reps 7] [--min-time 0.1]

C = op(A)·op(B) in float32 with op(A) m×k and op(B) k×n, for the shapes "descent bench gemm"
measures by default (an MLP's layers at batch 128, a square product, and the MNIST CNN's
im2col products at batch 64) and the four layouts: NN is A·B, NT is A·Bᵀ, TN is Aᵀ·B, TT is
Aᵀ·Bᵀ. A transposed operand is a transposed view (tensor.t()) of a contiguous matrix, which
torch hands to sgemm as a transpose flag, without a copy; C is written in place
(torch.mm(out=C)), so no time goes to allocation.

Each shape and layout is timed as descent times it: one warm-up product, then --reps
repetitions of as many products as last --min-time seconds; the median repetition gives
GFLOP/s = 2mkn / seconds per product / 1e9. Prints one JSON line per shape and layout.

With --serve it loads torch once and then reads requests from stdin, one per line, "MxKxN
LAYOUT", answering each with its JSON line, until stdin ends: bench/reference.py gemm so
alternates descent and torch product by product, without paying torch's start-up each time.
"""
import argparse
import os
import statistics
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the repository
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402  (before torch: it pins OpenBLAS's threads)

# SHAPES are descent's default shapes (cmd/descent/bench_gemm.go, gemmShapes), m×k×n.
SHAPES = ((128, 784, 1000), (128, 1000, 1000), (1000, 128, 1000), (1024, 1024, 1024),
          (64 * 676, 9, 32), (64 * 576, 288, 64))


def parse():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--shapes", default=",".join("%dx%dx%d" % s for s in SHAPES),
                   help="comma-separated MxKxN (default: descent bench gemm's, %(default)s)")
    p.add_argument("--layouts", default="NN,NT,TN,TT", help="comma-separated layouts (default %(default)s)")
    p.add_argument("--reps", type=int, default=7, help="repetitions; the median is reported (default %(default)s)")
    p.add_argument("--min-time", type=float, default=0.1, help="least seconds of one repetition (default %(default)s)")
    p.add_argument("--serve", action="store_true", help="answer requests \"MxKxN LAYOUT\" read from stdin, one per line")
    benchlib.add_thread_flags(p)
    a = p.parse_args()
    try:
        a.shapes = [shape(s) for s in a.shapes.split(",")]
    except ValueError as e:
        p.error("--shapes: %s" % e)
    a.layouts = a.layouts.split(",")
    if a.reps < 1 or a.min_time <= 0:
        p.error("--reps and --min-time must be positive")
    if not set(a.layouts) <= {"NN", "NT", "TN", "TT"}:
        p.error("--layouts: NN, NT, TN or TT")
    return a


def median_seconds(f, reps, min_time):
    """Seconds per call of f: the median of reps repetitions each lasting about min_time."""
    f()
    t = time.perf_counter()
    f()
    calls = max(1, int(min_time / max(time.perf_counter() - t, 1e-6)))
    per = []
    for _ in range(reps):
        t = time.perf_counter()
        for _ in range(calls):
            f()
        per.append((time.perf_counter() - t) / calls)
    return statistics.median(per)


def shape(s):
    """Parses MxKxN into (m, k, n), all positive; raises ValueError otherwise."""
    v = tuple(int(x) for x in s.lower().split("x"))
    if len(v) != 3 or min(v) < 1:
        raise ValueError("want MxKxN with positive numbers, not %r" % s)
    return v


def measure(torch, gen, m, k, n, layout, reps, min_time):
    """Times op(A)·op(B) of shape m×k×n and layout, and returns its JSON line."""
    # Stored as descent stores them: A is m×k (k×m for TN/TT), B k×n (n×k for NT/TT).
    a_op = torch.rand(k, m, generator=gen).t() if layout[0] == "T" else torch.rand(m, k, generator=gen)
    b_op = torch.rand(n, k, generator=gen).t() if layout[1] == "T" else torch.rand(k, n, generator=gen)
    c = torch.empty(m, n)
    sec = median_seconds(lambda: torch.mm(a_op, b_op, out=c), reps, min_time)
    return {"impl": "torch-%s-blas" % torch.__version__, "m": m, "k": k, "n": n, "layout": layout,
            "gflops": round(2 * m * k * n / sec / 1e9, 2), "threads": torch.get_num_threads()}


def serve(torch, gen, a):
    """Answers requests "MxKxN LAYOUT" from stdin until it ends; a malformed one is an error."""
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            dims, layout = line.split()
            m, k, n = shape(dims)
            if layout not in ("NN", "NT", "TN", "TT"):
                raise ValueError("layout %r is not NN, NT, TN or TT" % layout)
        except ValueError as e:
            sys.exit("torch_gemm.py --serve: request %r: %s" % (line.strip(), e))
        benchlib.emit(measure(torch, gen, m, k, n, layout, a.reps, a.min_time))


def main():
    a = parse()
    benchlib.pin(a.threads, benchlib.coretype(a.coretype))
    import torch

    torch.set_num_threads(a.threads)
    gen = torch.Generator().manual_seed(1)
    if a.serve:
        serve(torch, gen, a)
        return
    for m, k, n in a.shapes:
        for layout in a.layouts:
            benchlib.emit(measure(torch, gen, m, k, n, layout, a.reps, a.min_time))


if __name__ == "__main__":
    main()
