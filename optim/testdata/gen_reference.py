"""Reference trajectories of torch.optim (PyTorch 1.13) for descent's optim tests.

    /usr/bin/python3 optim/testdata/gen_reference.py

Writes optim/testdata/reference.json. The problem: two float32 parameters, w of shape (2, 3)
in group 0 and b of shape (3,) in group 1, and at step t the gradient

    g = a * (x - c) + s * x * x * x + n_t        (elementwise, in float32, in this order)

of f = sum a/2 (x - c)^2 + s/4 x^4 + n_t.x, so gradients depend on the parameters and n_t is a
fixed noise per step. For the cases with maximize=True the negated gradient is fed, so that the
ascent descends f. Every case runs 100 steps; the trajectory (w and b after each step) is
stored as base64 of little-endian float32. Options are written as descent's registry reads
them (optim.ParseOptions); group 1 starts from group 0's options and overrides some.

L-BFGS, a deterministic method, sees the noise of step 0 at every step: one fixed function,
which its closure evaluates with the gradient above (float32) and the loss in float64,
summed element by element in a fixed order that the Go test repeats bit for bit (loss64).
Why float64: L-BFGS reaches the minimum early (the case with strong Wolfe and three
iterations per step by step 8) and spends the remaining steps at it, where its line search
compares values of f that differ only by rounding. A float32
loss is quantised to ulp(f*) = 7.5e-9 there, which locates the minimiser only to about
sqrt(ulp/curvature) = 1e-4, so two faithful implementations whose float32 losses differ in the
last bit (torch's pow and ATen's summation order against any other) wander apart by 4e-4
relative, forty times the 1e-5 the tests demand: such a fixture tests the last bit of the
closure, not the optimiser. With the float64 loss, scaling the loss by 1+1e-15 changes no
iterate, and summing the dot products in another order moves them by at most 5.9e-6.
`--sensitivity` measures this (in seconds):

    /usr/bin/python3 optim/testdata/gen_reference.py --sensitivity

runs each L-BFGS case with the float64 loss and with perturbed variants (the loss times
1+1e-15; dot products summed in index order in float32 instead of by OpenBLAS's sdot) and
prints the largest relative deviation from the unperturbed trajectory and the first step where
it exceeds 1e-5; then the same for two float32 losses that differ in the last bit: torch's
float32 arithmetic against loss64 rounded to float32.

The fixture records torch's own summation orders: on this machine (Debian's PyTorch 1.13 on
OpenBLAS 0.3.21, OPENBLAS_CORETYPE=Haswell) Tensor.dot of float32 vectors shorter than 32
elements rounds each product to float32 and sums them in float64, which the Go port of L-BFGS
(internal/lbfgs) reproduces along with the longer vectors' kernel order.
"""
import base64, json, math, os, struct, sys
import torch

torch.manual_seed(20240611)
STEPS = 100
shapes = {"w": (2, 3), "b": (3,)}
x0 = {k: torch.randn(s) for k, s in shapes.items()}
a = {k: torch.rand(s) * 1.5 + 0.5 for k, s in shapes.items()}
c = {k: torch.randn(s) for k, s in shapes.items()}
s3 = {k: torch.full(s, 0.1) for k, s in shapes.items()}
noise = [{k: torch.randn(s) * 0.1 for k, s in shapes.items()} for _ in range(STEPS)]

def grad(name, x, t, negate):
    g = a[name] * (x - c[name]) + s3[name] * x * x * x + noise[t][name]
    return -g if negate else g

def loss64(x, t):
    """f at the parameters x (name -> tensor) with the noise of step t, in float64: element by
    element, w then b, each term and sum rounded as written (the Go test's loss64)."""
    f = 0.0
    for k in ("w", "b"):
        cols = (x[k].reshape(-1).tolist(), a[k].reshape(-1).tolist(), c[k].reshape(-1).tolist(),
                s3[k].reshape(-1).tolist(), noise[t][k].reshape(-1).tolist())
        for xi, ai, ci, si, ni in zip(*cols):
            d = xi - ci
            x2 = xi * xi
            f += ai / 2 * d * d + si / 4 * x2 * x2 + ni * xi
    return f

def loss32(x, t):
    """f as a torch user would write it, in float32 (only for --sensitivity)."""
    return sum(((a[k] / 2) * (x[k] - c[k]) ** 2 + (s3[k] / 4) * x[k] ** 4 + noise[t][k] * x[k]).sum() for k in x)

class AdamLecture(torch.optim.Optimizer):
    """Adam with the lecture's AMSGrad: max over the bias-corrected second moment."""
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, maximize=False, decoupled=False):
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, maximize=maximize))
        self.decoupled = decoupled
    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            b1, b2 = group['betas']; lr, wd, eps = group['lr'], group['weight_decay'], group['eps']
            for p in group['params']:
                st = self.state[p]
                if not st:
                    st['step'] = 0
                    st['exp_avg'] = torch.zeros_like(p); st['exp_avg_sq'] = torch.zeros_like(p)
                    st['max_exp_avg_sq_hat'] = torch.zeros_like(p)
                st['step'] += 1
                step = st['step']
                g = p.grad if not group['maximize'] else -p.grad
                if self.decoupled:
                    p.mul_(1 - lr * wd)
                elif wd != 0:
                    g = g.add(p, alpha=wd)
                st['exp_avg'].mul_(b1).add_(g, alpha=1 - b1)
                st['exp_avg_sq'].mul_(b2).addcmul_(g, g, value=1 - b2)
                bc1 = 1 - b1 ** step; bc2 = 1 - b2 ** step
                torch.maximum(st['max_exp_avg_sq_hat'], st['exp_avg_sq'] / bc2, out=st['max_exp_avg_sq_hat'])
                denom = st['max_exp_avg_sq_hat'].sqrt().add_(eps)
                p.addcdiv_(st['exp_avg'], denom, value=-(lr / bc1))

O = torch.optim
# name, torch constructor, group-0 kwargs, group-1 overrides (None: one group)
CASES = [
    ("sgd", O.SGD, dict(lr=0.05), dict(lr=0.02)),
    ("sgd", O.SGD, dict(lr=0.05, momentum=0.9), dict(lr=0.02)),
    ("sgd", O.SGD, dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=1e-2), dict(weight_decay=0.0)),
    ("sgd", O.SGD, dict(lr=0.05, momentum=0.5, dampening=0.3, maximize=True), dict(momentum=0.0)),
    ("sgd", O.SGD, dict(lr=0.1, momentum=0.9, weight_decay=1e-3), dict(momentum=0.99, dampening=0.5)),
    ("adam", O.Adam, dict(lr=0.01), dict(lr=0.005)),
    ("adam", O.Adam, dict(lr=0.01, amsgrad=True, weight_decay=1e-2), dict(weight_decay=0.0)),
    ("adam", O.Adam, dict(lr=0.02, betas=(0.5, 0.9), eps=1e-3, maximize=True), dict(betas=(0.8, 0.99))),
    ("adam", O.Adam, dict(lr=0.05, betas=(0.9, 0.99), amsgrad=True), dict(lr=0.01)),
    ("adam", "lecture", dict(lr=0.01), dict(lr=0.005)),
    ("adam", "lecture", dict(lr=0.02, weight_decay=1e-2, betas=(0.8, 0.9)), dict(weight_decay=0.0)),
    ("adamw", O.AdamW, dict(lr=0.01), dict(lr=0.005)),
    ("adamw", O.AdamW, dict(lr=0.01, amsgrad=True), dict(weight_decay=0.0)),
    ("adamw", O.AdamW, dict(lr=0.02, weight_decay=0.1, betas=(0.5, 0.9), maximize=True), dict(eps=1e-4)),
    ("adamw", O.AdamW, dict(lr=0.05, weight_decay=0.0), dict(weight_decay=0.5)),
    ("adamw", "lecture-w", dict(lr=0.01, weight_decay=0.1), dict(weight_decay=0.0)),
    ("adagrad", O.Adagrad, dict(lr=0.1), dict(lr=0.05)),
    ("adagrad", O.Adagrad, dict(lr=0.1, lr_decay=0.01, initial_accumulator_value=0.1), dict(lr_decay=0.0)),
    ("adagrad", O.Adagrad, dict(lr=0.2, weight_decay=1e-2, eps=1e-6), dict(weight_decay=0.0)),
    ("adagrad", O.Adagrad, dict(lr=0.1, maximize=True, initial_accumulator_value=0.5), dict(lr_decay=0.1)),
    ("rmsprop", O.RMSprop, dict(lr=0.01), dict(lr=0.005)),
    ("rmsprop", O.RMSprop, dict(lr=0.01, centered=True), dict(alpha=0.9)),
    ("rmsprop", O.RMSprop, dict(lr=0.01, momentum=0.9), dict(momentum=0.5)),
    ("rmsprop", O.RMSprop, dict(lr=0.005, centered=True, momentum=0.9, weight_decay=1e-2), dict(alpha=0.9, centered=False)),
    ("rmsprop", O.RMSprop, dict(lr=0.01, maximize=True, eps=1e-4), dict(lr=0.02)),
    ("adadelta", O.Adadelta, dict(), dict(lr=2.0)),
    ("adadelta", O.Adadelta, dict(rho=0.5, eps=1e-4), dict(rho=0.95)),
    ("adadelta", O.Adadelta, dict(lr=0.5, weight_decay=1e-2), dict(weight_decay=0.0)),
    ("adadelta", O.Adadelta, dict(lr=1.0, maximize=True), dict(eps=1e-5)),
    ("adamax", O.Adamax, dict(lr=0.01), dict(lr=0.005)),
    ("adamax", O.Adamax, dict(lr=0.02, betas=(0.8, 0.99)), dict(betas=(0.5, 0.9))),
    ("adamax", O.Adamax, dict(lr=0.01, weight_decay=1e-2), dict(weight_decay=0.0)),
    ("adamax", O.Adamax, dict(lr=0.01, maximize=True, eps=1e-4), dict(lr=0.03)),
    ("nadam", O.NAdam, dict(lr=0.01), dict(lr=0.005)),
    ("nadam", O.NAdam, dict(lr=0.02, momentum_decay=1e-2), dict(momentum_decay=4e-3)),
    ("nadam", O.NAdam, dict(lr=0.01, weight_decay=1e-2), dict(weight_decay=0.0)),
    ("nadam", O.NAdam, dict(lr=0.01, betas=(0.8, 0.99), eps=1e-4), dict(betas=(0.5, 0.9))),
    ("radam", O.RAdam, dict(lr=0.01), dict(lr=0.005)),
    ("radam", O.RAdam, dict(lr=0.01, weight_decay=1e-2), dict(weight_decay=0.0)),
    ("radam", O.RAdam, dict(lr=0.02, betas=(0.9, 0.9)), dict(betas=(0.8, 0.95))),
    ("radam", O.RAdam, dict(lr=0.01, eps=1e-4), dict(lr=0.05)),
    ("asgd", O.ASGD, dict(lr=0.01), dict(lr=0.005)),
    ("asgd", O.ASGD, dict(lr=0.02, t0=10), dict(t0=30)),
    ("asgd", O.ASGD, dict(lr=0.02, lambd=1e-2, alpha=0.5), dict(alpha=0.9)),
    ("asgd", O.ASGD, dict(lr=0.01, weight_decay=1e-2, maximize=True, t0=5), dict(weight_decay=0.0)),
    ("rprop", O.Rprop, dict(lr=0.01), dict(lr=0.001)),
    ("rprop", O.Rprop, dict(lr=0.01, etas=(0.3, 1.5)), dict(etas=(0.5, 1.1))),
    ("rprop", O.Rprop, dict(lr=0.01, step_sizes=(1e-4, 0.05)), dict(step_sizes=(1e-5, 0.5))),
    ("rprop", O.Rprop, dict(lr=0.02, maximize=True), dict(lr=0.005)),
    ("lbfgs", O.LBFGS, dict(max_iter=1, lr=0.5), None),
    ("lbfgs", O.LBFGS, dict(max_iter=1, line_search_fn="strong_wolfe"), None),
    ("lbfgs", O.LBFGS, dict(history_size=3, max_iter=2), None),
    ("lbfgs", O.LBFGS, dict(lr=0.5, max_iter=3, line_search_fn="strong_wolfe", tolerance_change=1e-12), None),
]

def fmt(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, tuple):
        return "/".join(repr(float(x)) for x in v)
    if isinstance(v, str):
        return v
    return repr(float(v)) if isinstance(v, float) else str(v)

def options(kw):
    return ",".join(f"{k}={fmt(v)}" for k, v in sorted(kw.items()))

def run(ctor, kw, g1, loss=loss64):
    ps = {k: x0[k].clone().requires_grad_(True) for k in shapes}
    negate = bool(kw.get("maximize", False))
    if ctor == "lecture" or ctor == "lecture-w":
        cls = lambda groups, **k: AdamLecture(groups, decoupled=(ctor == "lecture-w"), **k)
        if ctor == "lecture-w" and "weight_decay" not in kw:
            kw = dict(kw, weight_decay=1e-2)
    else:
        cls = ctor
    groups = [{"params": [ps["w"]]}] + ([{"params": [ps["b"]], **g1}] if g1 is not None else [])
    if g1 is None:
        groups[0]["params"].append(ps["b"])
    opt = cls(groups, **kw)
    traj = []
    for t in range(STEPS):
        if ctor is O.LBFGS:
            def closure():
                with torch.no_grad():
                    for k, p in ps.items():
                        p.grad = grad(k, p.detach(), 0, negate)
                    return loss({k: p.detach() for k, p in ps.items()}, 0)
            opt.step(closure)
        else:
            with torch.no_grad():
                for k, p in ps.items():
                    p.grad = grad(k, p.detach(), t, negate)
            opt.step()
        traj.append(torch.cat([ps["w"].detach().reshape(-1), ps["b"].detach().reshape(-1)]))
    return torch.stack(traj), negate, kw

def sensitivity():
    """Prints how far each L-BFGS case moves under last-bit perturbations (see the docstring)."""
    dot = torch.Tensor.dot
    def dot_in_order(u, v):
        s = torch.zeros((), dtype=u.dtype)
        for p, q in zip(u, v):
            s = s + p * q
        return s
    def rel(t, base):
        r = ((t - base).abs() / base.abs().clamp(min=1e-3)).amax(dim=1)
        over = (r > 1e-5).nonzero()
        return "%.2g (first > 1e-5 at step %s)" % (r.max().item(), over[0].item() if len(over) else "none")
    for name, ctor, kw, g1 in CASES:
        if ctor is not O.LBFGS:
            continue
        base = run(ctor, dict(kw), g1)[0]
        f32 = run(ctor, dict(kw), g1, loss=loss32)[0]
        f32r = run(ctor, dict(kw), g1, loss=lambda x, t: torch.tensor(loss64(x, t), dtype=torch.float32))[0]
        pert = run(ctor, dict(kw), g1, loss=lambda x, t: loss64(x, t) * (1 + 1e-15))[0]
        torch.Tensor.dot = dot_in_order
        try:
            ordered = run(ctor, dict(kw), g1)[0]
        finally:
            torch.Tensor.dot = dot
        print(options(kw))
        print("  float64 loss x (1+1e-15):           ", rel(pert, base))
        print("  dot products in index order:        ", rel(ordered, base))
        print("  float32 loss, torch's against loss64 rounded to float32:", rel(f32, f32r))

def b64(t):
    return base64.b64encode(t.reshape(-1).numpy().astype("<f4").tobytes()).decode()

if sys.argv[1:] == ["--sensitivity"]:
    sensitivity()
    sys.exit()

cases = []
for name, ctor, kw, g1 in CASES:
    traj, negate, kw = run(ctor, dict(kw), g1)
    traj = base64.b64encode(traj.numpy().astype("<f4").tobytes()).decode()
    if ctor in ("lecture", "lecture-w"):
        kw = dict(kw, amsgrad="lecture")
    if "line_search_fn" in kw:
        kw = dict(kw, line_search_fn=kw["line_search_fn"])
    g1o = dict(g1) if g1 else None
    cases.append(dict(optimizer=name, options=options(kw), group1=None if g1o is None else options(g1o),
                      negate=negate, trajectory=traj))
out = dict(torch=torch.__version__, steps=STEPS, shapes={k: list(v) for k, v in shapes.items()},
           x0={k: b64(v) for k, v in x0.items()}, a={k: b64(v) for k, v in a.items()},
           c={k: b64(v) for k, v in c.items()}, s={k: b64(v) for k, v in s3.items()},
           noise=[{k: b64(v) for k, v in n.items()} for n in noise], cases=cases)
here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(here, "reference.json"), "w") as f:
    json.dump(out, f, indent=1)
print(len(cases), "cases")
