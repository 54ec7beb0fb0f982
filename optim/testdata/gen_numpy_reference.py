"""Reference trajectories of the optimisers beyond torch 1.13, from float64 NumPy restatements
of their reference implementations (ref_*.py, each naming the repository, file and commit it
restates), for descent's optim tests (numpy_reference_test.go).

    /usr/bin/python3 optim/testdata/gen_numpy_reference.py

Writes optim/testdata/numpy_reference.json. The problem: four float32 parameters, w of shape
(4, 3) in group 0, v (2, 4), b (4,) and k (2, 2, 3) in group 1 (a tall and a wide matrix for
Muon, whose Newton-Schulz iteration transposes the tall one, and for Adafactor's factored
moments; a vector; a tensor whose last two dimensions Adafactor factors per leading index, and
which Muon, like b, gives to AdamW), and at step t the gradient

    g = a * (x - c) + s * x * x * x + n_t        (elementwise)

of f = sum a/2 (x - c)^2 + s/4 x^4 + n_t.x, as gen_reference.py's problem, so gradients depend on
the parameters and n_t is a fixed noise per step; the maximize cases feed the negated gradient.
The inputs (x0, a, c, s, n_t) are float32 numbers, drawn with NumPy's PCG64 from a fixed seed;
the restatements compute everything in float64, gradient included, and the trajectory (w, v, b
and k after each of 100 steps) is stored as base64 of little-endian float64. descent computes in
float32 from the same float32 inputs.

float32 conditioning: a float32 implementation can follow a float64 trajectory only where the
trajectory is not too sensitive to rounding. Two kinds of cases here are not: Prodigy with its
default d0 = 1e-6 on parameters of order 1, whose first steps move them by about 1e-6, eight
float32 ulps, so that the estimate d, which rests on theta0 - theta, is known in float32 to a
few per cent; and Muon where the momentum has a singular value near 0, which the Newton-Schulz
polynomial (slope 3.4 at 0, five times) raises to order 1 with its float32 rounding. So every
case is also run by the same restatement in float32 (NumPy float32 arrays and the gradient in
float32, in descent's order; scalars in float64 as torch's), and the largest deviation
|x32 - x64| / max(|x64|, 1) over the trajectory is printed. A case is "conditioned" when that
deviation is at most 5e-6, half the test's tolerance 1e-5: the Go test compares it with the
float64 trajectory. The other cases also store the float32 trajectory ("trajectory32", <f4),
which the Go test compares with instead, at the same tolerance; the split depends only on the
restatement, not on descent's code. A float32 run can follow another float32 run where the
float64 one is out of reach only if the two round alike where it matters: Prodigy's cases
qualify (their sensitivity is to theta0 - theta, which every float32 run rounds the same), a
near-singular Muon case does not (its sensitivity is to the rounding of the Newton-Schulz
products, which differs by matrix kernel), so none is kept: for example
"adamw_lr=0.02,lr=0.05,momentum=0.9,nesterov=false,weight_decay=0" (one group) strays 5.3e-5
from float64 in float32 NumPy, and descent's run strays 5.4e-6 from that float32 run with its
AVX-512 products but 1.1e-5 with the pure-Go ones (-tags noasm).

Each case is written with descent's options (optim.ParseOptions's syntax), which this script
parses into the restatement's keyword arguments: numbers, true/false, pairs a/b, the triple
ns_coefficients a/b/c, none for Python's None; max_grad_norm 0 is timm's None. Group 1 starts
from the case's options and overrides some (None: one group of all four parameters).
"""
import base64, json, os, sys

import numpy as np

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
from ref_common import P
from ref_lion import Lion
from ref_adafactor import Adafactor
from ref_muon import Muon
from ref_schedulefree import AdamWScheduleFree, SGDScheduleFree
from ref_prodigy import Prodigy
from ref_lamb import Lamb
from ref_lars import Lars
from ref_torch2 import Adam, NAdam, RAdam

STEPS = 100
rng = np.random.Generator(np.random.PCG64(20260112))
shapes = {"w": (4, 3), "v": (2, 4), "b": (4,), "k": (2, 2, 3)}
names = list(shapes)
f32 = np.float32
x0 = {k: rng.standard_normal(s).astype(f32) for k, s in shapes.items()}
a = {k: (rng.random(s) * 1.5 + 0.5).astype(f32) for k, s in shapes.items()}
c = {k: rng.standard_normal(s).astype(f32) for k, s in shapes.items()}
s3 = {k: np.full(s, 0.1, dtype=f32) for k, s in shapes.items()}
noise = [{k: (rng.standard_normal(s) * 0.1).astype(f32) for k, s in shapes.items()} for _ in range(STEPS)]

CLASSES = {"lion": Lion, "adafactor": Adafactor, "muon": Muon, "schedulefree-adamw": AdamWScheduleFree,
           "schedulefree-sgd": SGDScheduleFree, "prodigy": Prodigy, "lamb": Lamb, "lars": Lars,
           "adam": Adam, "nadam": NAdam, "radam": RAdam}

# optimizer, descent options, group-1 overrides (None: one group)
CASES = [
    ("lion", "lr=0.01", "lr=0.005"),
    ("lion", "betas=0.95/0.98,lr=0.02,weight_decay=0.1", "weight_decay=0"),
    ("lion", "lr=0.003", None),
    ("lion", "betas=0.8/0.999,lr=0.01,weight_decay=1", "betas=0.5/0.9"),
    ("adafactor", "lr=0.01", None),
    ("adafactor", "lr=0.05,weight_decay=0.1", "weight_decay=0"),
    ("adafactor", "beta2_decay=-0.5,d=2,eps=1e-30/0.001,lr=0.02", "d=1"),
    ("adafactor", "eps=none/0.01,lr=0.01,maximize=true", "lr=0.03"),
    ("muon", "lr=0.02", "adamw_lr=0.01"),
    ("muon", "adjust_lr_fn=match_rms_adamw,lr=0.02,ns_steps=3", "adamw_betas=0.8/0.99,adamw_weight_decay=0"),
    ("muon", "eps=1e-07,lr=0.01,momentum=0.5,ns_coefficients=1.875/-1.25/0.375", "lr=0.005"),
    ("muon", "lr=0.03,momentum=0.8,nesterov=false,weight_decay=0.05", "adamw_eps=1e-06"),
    ("schedulefree-adamw", "lr=0.01", "lr=0.005"),
    ("schedulefree-adamw", "lr=0.02,warmup_steps=10,weight_decay=0.01", "weight_decay=0"),
    ("schedulefree-adamw", "decay_at_z=true,lr=0.01,r=0.5,weight_decay=0.05,weight_lr_power=1", None),
    ("schedulefree-adamw", "betas=0.95/0.99,eps=1e-06,lr=0.05", "betas=0.8/0.999"),
    ("schedulefree-sgd", "lr=0.05", "lr=0.02"),
    ("schedulefree-sgd", "lr=0.1,momentum=0.95,warmup_steps=20", "momentum=0.5"),
    ("schedulefree-sgd", "lr=0.05,r=1,weight_decay=0.01,weight_lr_power=0", None),
    ("schedulefree-sgd", "lr=0.02,weight_decay=0.1", "weight_decay=0"),
    ("prodigy", "lr=1", None),
    ("prodigy", "d_coef=0.5,lr=1,weight_decay=0.01", "weight_decay=0"),
    ("prodigy", "d0=0.0001,growth_rate=1.05,lr=0.5,safeguard_warmup=true,use_bias_correction=true", None),
    ("prodigy", "beta3=0.9,betas=0.9/0.99,decouple=false,lr=1,weight_decay=0.01", "lr=0"),
    ("prodigy", "d0=0.01,lr=0.2,weight_decay=0.05", "weight_decay=0"),
    ("prodigy", "d0=0.01,decouple=false,lr=0.2,weight_decay=0.01", "lr=0"),
    ("prodigy", "d0=0.01,lr=0.1,safeguard_warmup=true", "weight_decay=0.1"),
    ("lamb", "lr=0.01", "weight_decay=0"),
    ("lamb", "always_adapt=true,lr=0.02,max_grad_norm=0,weight_decay=0", None),
    ("lamb", "bias_correction=false,grad_averaging=false,lr=0.01,trust_clip=true", "lr=0.005"),
    ("lamb", "betas=0.8/0.99,eps=1e-08,lr=0.05,max_grad_norm=5,weight_decay=0.1", "always_adapt=true,weight_decay=0"),
    ("lars", "always_adapt=true,lr=1,momentum=0.9", "lr=0.5"),
    ("lars", "always_adapt=false,lr=0.5,momentum=0.9,nesterov=true,trust_coeff=0.01,weight_decay=0.001", "lr=0.05,weight_decay=0"),
    ("lars", "always_adapt=false,dampening=0.3,lr=2,momentum=0.5,trust_clip=true,weight_decay=0.0001", None),
    ("lars", "always_adapt=false,eps=1e-06,lr=1,momentum=0,weight_decay=0.0005", "always_adapt=true,weight_decay=0"),
    ("adam", "decoupled_weight_decay=true,lr=0.01,weight_decay=0.1", "weight_decay=0"),
    ("adam", "betas=0.8/0.99,decoupled_weight_decay=true,lr=0.02,weight_decay=0.5", None),
    ("nadam", "decoupled_weight_decay=true,lr=0.01,weight_decay=0.1", "lr=0.005"),
    ("nadam", "decoupled_weight_decay=true,lr=0.02", None),
    ("radam", "decoupled_weight_decay=true,lr=0.01,weight_decay=0.1", "weight_decay=0"),
    ("radam", "betas=0.9/0.9,decoupled_weight_decay=true,lr=0.02,weight_decay=0.05", None),
]

INTS = {"ns_steps", "warmup_steps"}
STRINGS = {"adjust_lr_fn"}


def value(k, v):
    if k in STRINGS:
        return v
    if v in ("true", "false"):
        return v == "true"
    if v == "none":
        return None
    if "/" in v:
        return tuple(None if x == "none" else float(x) for x in v.split("/"))
    if k in INTS:
        return int(v)
    x = float(v)
    if k == "max_grad_norm" and x == 0:
        return None
    return x


def parse(s):
    if not s:
        return {}
    return {k: value(k, v) for k, v in (kv.split("=", 1) for kv in s.split(","))}


def grad(name, x, t, negate):
    a64, c64, s64, n64 = (np.float64(v[name]) for v in (a, c, s3, noise[t]))
    g = a64 * (x - c64) + s64 * x * x * x + n64
    return -g if negate else g


def grad32(name, x, t, negate):
    g = a[name] * (x - c[name]) + s3[name] * x * x * x + noise[t][name]
    return -g if negate else g


class P32(P):
    """A parameter held in float32, for the float32 runs of the restatements."""
    def __init__(self, data):
        self.data = np.array(data, dtype=np.float32)
        self.grad = None


def run(name, opts, g1, float32=False):
    ps = {k: (P32(x0[k]) if float32 else P(x0[k].astype(np.float64))) for k in names}
    kw = parse(opts)
    negate = bool(kw.get("maximize", False))
    if g1 is None:
        groups = [{"params": [ps[k] for k in names]}]
    else:
        groups = [{"params": [ps["w"]]}, {"params": [ps[k] for k in names[1:]], **parse(g1)}]
    opt = CLASSES[name](groups, **kw)
    traj = []
    for t in range(STEPS):
        for k, p in ps.items():
            p.grad = grad32(k, p.data, t, negate) if float32 else grad(k, p.data, t, negate)
        opt.step()
        traj.append(np.concatenate([ps[k].data.reshape(-1).astype(np.float64) for k in names]))
    return np.stack(traj), negate


def b64(x, dtype):
    return base64.b64encode(np.ascontiguousarray(x, dtype=dtype).reshape(-1).tobytes()).decode()


cases = []
print("float32 restatement against float64: largest |x32 - x64| / max(|x64|, 1)")
for name, opts, g1 in CASES:
    traj, negate = run(name, opts, g1)
    traj32, _ = run(name, opts, g1, float32=True)
    if not np.all(np.isfinite(traj)) or not np.all(np.isfinite(traj32)):
        raise SystemExit(f"{name} {opts}: the trajectory is not finite")
    dev = float((np.abs(traj32 - traj) / np.maximum(np.abs(traj), 1)).max())
    conditioned = dev <= 5e-6
    print(f"  {dev:9.3g} {'' if conditioned else '(float32 reference)':20s} {name}({opts}){'' if g1 is None else '+(' + g1 + ')'}")
    case = dict(optimizer=name, options=opts, group1=g1, negate=negate, conditioned=conditioned, trajectory=b64(traj, "<f8"))
    if not conditioned:
        case["trajectory32"] = b64(traj32, "<f4")
    cases.append(case)
out = dict(numpy=np.__version__, steps=STEPS, names=names, shapes={k: list(v) for k, v in shapes.items()},
           x0={k: b64(v, "<f4") for k, v in x0.items()}, a={k: b64(v, "<f4") for k, v in a.items()},
           c={k: b64(v, "<f4") for k, v in c.items()}, s={k: b64(v, "<f4") for k, v in s3.items()},
           noise=[{k: b64(v, "<f4") for k, v in n.items()} for n in noise], cases=cases)
with open(os.path.join(here, "numpy_reference.json"), "w") as f:
    json.dump(out, f, indent=1)
print(len(cases), "cases")
