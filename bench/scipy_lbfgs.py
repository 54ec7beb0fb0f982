#!/usr/bin/python3
"""SciPy's L-BFGS-B on MNIST even vs odd: the reference of "descent minimize --method lbfgs".

  /usr/bin/python3 bench/scipy_lbfgs.py [--lam 1e-3] [--gtol 1e-8] [--memory 10] [--threads 1]
      [--train-size N] [--mnist-dir DIR]

The problem is descent's problem.MNISTEvenOdd ("descent minimize --problem logistic"):

  f(w) = (1/n) sum_i log(1 + exp(-y_i x_i.w)) + (lam/2) |w|^2

with x_i the 784 pixels of training image i divided by 255 (no intercept), y_i = +1 for an
even digit and -1 for an odd one, all n = 60000 training images (or the first --train-size),
in float64, from w = 0. The gradient is (1/n) X^T (-y * sigmoid(-y Xw)) + lam w, computed
with NumPy (X @ w and X.T @ r through OpenBLAS).

scipy.optimize.minimize(method="L-BFGS-B") runs with maxcor = --memory, gtol = --gtol, ftol
= 0 (so only the gradient test stops it) and no bounds. SciPy's gtol bounds the largest
component of the gradient, max|g_i|; descent's bounds its Euclidean norm |g|_2, a stronger
test for the same number. Prints one JSON line: seconds (the minimisation alone, without
loading), iterations, evaluations, f, grad_norm (|g|_2 at the end) and grad_max (max|g_i|).
"""
import argparse
import os
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the repository
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402  (before numpy: it pins OpenBLAS's threads)


def parse():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--lam", type=float, default=1e-3, help="L2 weight lambda (default %(default)s)")
    p.add_argument("--gtol", type=float, default=1e-8, help="stop once max|g_i| <= gtol (default %(default)s)")
    p.add_argument("--memory", type=int, default=10, help="curvature pairs, SciPy's maxcor (default %(default)s)")
    p.add_argument("--maxiter", type=int, default=100000, help="iteration limit (default %(default)s)")
    p.add_argument("--train-size", type=int, default=0, help="use the first N training images (default all)")
    benchlib.add_thread_flags(p)
    benchlib.add_mnist_flag(p)
    a = p.parse_args()
    if a.lam < 0 or a.memory < 1 or a.maxiter < 1 or a.train_size < 0:
        p.error("--lam must not be negative, --memory and --maxiter must be positive")
    return a


def main():
    a = parse()
    benchlib.pin(a.threads, benchlib.coretype(a.coretype))
    import numpy as np
    import scipy
    from scipy.optimize import minimize

    images, labels, _, _ = benchlib.mnist(benchlib.mnist_dir(a.mnist_dir))
    if a.train_size:
        if a.train_size > len(labels):
            sys.exit("--train-size %d: MNIST has %d training images" % (a.train_size, len(labels)))
        images, labels = images[:a.train_size], labels[:a.train_size]
    x = images.astype(np.float64) / 255
    y = np.where(labels % 2 == 0, 1.0, -1.0)
    n = len(y)

    def f_and_grad(w):
        margin = y * (x @ w)
        f = np.logaddexp(0, -margin).mean() + a.lam / 2 * (w @ w)
        # d/dm log(1 + e^-m) = -1 / (1 + e^m)
        g = x.T @ (-y / (1 + np.exp(margin))) / n + a.lam * w
        return f, g

    start = time.perf_counter()
    r = minimize(f_and_grad, np.zeros(x.shape[1]), jac=True, method="L-BFGS-B",
                 options={"gtol": a.gtol, "ftol": 0, "maxiter": a.maxiter, "maxcor": a.memory})
    seconds = time.perf_counter() - start
    f, g = f_and_grad(r.x)
    benchlib.emit({"impl": "scipy-%s-L-BFGS-B" % scipy.__version__, "seconds": round(seconds, 3),
                   "iterations": int(r.nit), "evaluations": int(r.nfev), "f": float(f),
                   "grad_norm": float(np.linalg.norm(g)), "grad_max": float(np.abs(g).max()),
                   "message": str(r.message), "threads": a.threads, "n": n, "lam": a.lam, "memory": a.memory})


if __name__ == "__main__":
    main()
