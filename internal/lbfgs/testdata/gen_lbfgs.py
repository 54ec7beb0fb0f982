"""Reference trajectories of torch.optim.LBFGS (PyTorch 1.13) for descent's tests.

    /usr/bin/python3 internal/lbfgs/testdata/gen_lbfgs.py

Writes internal/lbfgs/testdata/lbfgs_rosenbrock.json: L-BFGS on the Rosenbrock function
f(x, y) = (1 - x)^2 + 100 (y - x^2)^2 from (-1.2, 1), in float32 and float64, with and without
the strong-Wolfe line search. Each case calls step(closure) 100 times with max_iter=1 and
records the iterate after each call with torch's counters. The gradient is computed with the
explicit formula below, in the parameters' dtype, so that the Go tests can compute the same.
"""
import json, os, torch

def rosenbrock(p):
    x, y = p[0], p[1]
    a = 1 - x
    b = y - x * x
    f = a * a + 100 * (b * b)
    g = torch.stack([-2 * a - 400 * (x * b), 200 * b])
    return f, g

def run(dtype, line_search, history_size, lr, tol_grad, tol_change, steps=100):
    p = torch.tensor([-1.2, 1.0], dtype=dtype, requires_grad=True)
    opt = torch.optim.LBFGS([p], lr=lr, max_iter=1, history_size=history_size, line_search_fn=line_search,
                            tolerance_grad=tol_grad, tolerance_change=tol_change)
    def closure():
        with torch.no_grad():
            f, g = rosenbrock(p)
        p.grad = g
        return f
    out = []
    for _ in range(steps):
        loss = opt.step(closure)
        st = opt.state[p]
        out.append(dict(x=[float(v) for v in p.detach()], loss=float(loss),
                        n_iter=st.get('n_iter', 0), func_evals=st.get('func_evals', 0)))
    return out

cases = []
for dtype in (torch.float32, torch.float64):
    for ls, hist, lr, tg, tc in ((None, 100, 1.0, 1e-7, 1e-9), ("strong_wolfe", 100, 1.0, 1e-7, 1e-9),
                                 ("strong_wolfe", 100, 1.0, 1e-12, 1e-20), ("strong_wolfe", 3, 1.0, 1e-7, 1e-9),
                                 (None, 5, 0.1, 1e-7, 1e-9)):
        cases.append(dict(dtype=str(dtype).replace("torch.", ""), line_search=ls or "none",
                          history_size=hist, lr=lr, tolerance_grad=tg, tolerance_change=tc,
                          steps=run(dtype, ls, hist, lr, tg, tc)))
here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(here, "lbfgs_rosenbrock.json"), "w") as f:
    json.dump(dict(torch=torch.__version__, start=[-1.2, 1.0], cases=cases), f, indent=0)
