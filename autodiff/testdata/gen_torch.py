"""PyTorch reference values for the operations of package autodiff.

    /usr/bin/python3 autodiff/testdata/gen_torch.py

Writes autodiff/testdata/torch_ops.json (PyTorch 1.13, CPU). Each case applies one
operation (torch.add, F.layer_norm, F.cross_entropy, ...) to float32 inputs drawn from a
seeded generator, then evaluates it in float64 (the inputs converted exactly), so that the
reference is PyTorch's definition with no rounding of its own to speak of. It stores:

  inputs   the float32 inputs (shape and values)
  ints     integer arguments (targets, indices), if any
  args     the operation's other arguments (axis, exponent, weights, ...)
  output   the output in float64
  r        float32 weights of the functional L = sum(r * output)
  grads    dL/d(input) for each input, in float64 (null for an input without one)
  state    for batch_norm: running_mean and running_var after the call

The Go test (autodiff/torch_test.go) runs the same operation on the tape and compares:
forward within 1e-5 and gradients within 1e-4, relative, elementwise.
"""
import json, math, os
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
gen = torch.Generator().manual_seed(20240917)


def randn(*shape):
    return torch.randn(tuple(shape), generator=gen, dtype=torch.float32)


def rand(*shape):
    return torch.rand(tuple(shape), generator=gen, dtype=torch.float32)


def positive(*shape, lo=0.5):
    return lo + randn(*shape).abs()


def enc(t):
    return {"shape": list(t.shape), "data": [float(v) for v in t.detach().reshape(-1).tolist()]}


cases = []


def case(name, op, fn, inputs, args=None, ints=None, grad=None):
    """Runs fn (float64 tensors -> output) on the float32 inputs and records a case.
    grad[i] False excludes input i from the gradients."""
    grad = grad or [True] * len(inputs)
    xs = [x.double().requires_grad_(g) for x, g in zip(inputs, grad)]
    out = fn(*xs)
    r = randn(*out.shape)
    (out * r.double()).sum().backward()
    cases.append({
        "name": name, "op": op, "args": args or {}, "ints": ints or [],
        "inputs": [enc(x) for x in inputs],
        "output": enc(out), "r": enc(r),
        "grads": [enc(x.grad) if g else None for x, g in zip(xs, grad)],
    })
    return cases[-1]


# Broadcasting: for each operation, the shapes (1,n)+(m,1), (n,)+(m,n), (m,n)+(n,),
# ()+(m,n), (m,n)+(1,), (2,1,n)+(m,1), and equal shapes.
m, n = 3, 4
pairs = [("same", (m, n), (m, n)), ("1n+m1", (1, n), (m, 1)), ("n+mn", (n,), (m, n)),
         ("mn+n", (m, n), (n,)), ("scalar+mn", (), (m, n)), ("mn+1", (m, n), (1,)),
         ("21n+m1", (2, 1, n), (m, 1))]
for op, f in [("add", torch.add), ("sub", torch.sub), ("mul", torch.mul), ("div", torch.div)]:
    for pname, sa, sb in pairs:
        b = positive(*sb) if op == "div" else randn(*sb)
        case(f"{op}/{pname}", op, f, [randn(*sa), b])

# Elementwise functions.
case("exp", "exp", torch.exp, [randn(3, 5)])
case("log", "log", torch.log, [positive(3, 5, lo=0.1)])
case("sqrt", "sqrt", torch.sqrt, [positive(3, 5, lo=0.1)])
case("abs", "abs", torch.abs, [randn(3, 5)])
for p in [2.0, 3.0, 0.5, -1.5, 1.7, -1.0, 0.0]:
    x = positive(3, 5, lo=0.1) if p != int(p) else randn(3, 5)
    case(f"pow/{p}", "pow", lambda x, p=p: torch.pow(x, p), [x], args={"p": p})
case("relu", "relu", torch.relu, [randn(3, 5)])
case("tanh", "tanh", torch.tanh, [randn(3, 5)])
case("sigmoid", "sigmoid", torch.sigmoid, [randn(3, 5)])
case("gelu", "gelu", F.gelu, [3 * randn(4, 6)])
case("gelu_tanh", "gelu_tanh", lambda x: F.gelu(x, approximate="tanh"), [3 * randn(4, 6)])
case("silu", "silu", F.silu, [3 * randn(4, 6)])

# Reductions.
case("sum", "sum", torch.sum, [randn(3, 4)])
case("mean", "mean", torch.mean, [randn(3, 4)])
for axis, keep in [(0, False), (1, True), (-1, False), (2, True)]:
    case(f"sum_axis/{axis}/{keep}", "sum_axis", lambda x, a=axis, k=keep: x.sum(a, keepdim=k),
         [randn(2, 3, 4)], args={"axis": axis, "keepdim": keep})
    case(f"mean_axis/{axis}/{keep}", "mean_axis", lambda x, a=axis, k=keep: x.mean(a, keepdim=k),
         [randn(2, 3, 4)], args={"axis": axis, "keepdim": keep})

# Softmax along each axis.
for axis in [0, 1, -1]:
    case(f"softmax/{axis}", "softmax", lambda x, a=axis: F.softmax(x, a), [2 * randn(3, 4, 5)], args={"axis": axis})
    case(f"log_softmax/{axis}", "log_softmax", lambda x, a=axis: F.log_softmax(x, a), [2 * randn(3, 4, 5)], args={"axis": axis})

# Shapes and indexing.
case("concat/1", "concat", lambda *xs: torch.cat(xs, 1), [randn(2, 1, 3), randn(2, 2, 3), randn(2, 3, 3)], args={"axis": 1})
case("concat/0", "concat", lambda *xs: torch.cat(xs, 0), [randn(1, 3), randn(2, 3), randn(1, 3), randn(3, 3)], args={"axis": 0})
case("narrow", "narrow", lambda x: x.narrow(-1, 1, 3), [randn(3, 5)], args={"axis": -1, "start": 1, "length": 3})
case("permute", "permute", lambda x: x.permute(2, 0, 1), [randn(2, 3, 4)], args={"perm": [2, 0, 1]})
case("permute4", "permute", lambda x: x.permute(1, 3, 0, 2), [randn(2, 3, 2, 4)], args={"perm": [1, 3, 0, 2]})
case("transpose", "transpose", lambda x: x.transpose(0, 1), [randn(3, 4)], args={"d0": 0, "d1": 1})
case("transpose4", "transpose", lambda x: x.transpose(1, -1), [randn(2, 3, 2, 4)], args={"d0": 1, "d1": -1})
idx = [3, 0, 3, 1]
case("index_select", "index_select", lambda x: x.index_select(1, torch.tensor(idx)), [randn(2, 4, 3)],
     args={"axis": 1}, ints=idx)
emb = [1, 0, 1, 4, 4, 4]
case("embedding", "embedding", lambda w: F.embedding(torch.tensor(emb).reshape(2, 3), w), [randn(5, 3)],
     args={"shape": [2, 3]}, ints=emb)

# Normalisation.
case("layer_norm", "layer_norm", lambda x, w, b: F.layer_norm(x, (6,), w, b, 1e-5),
     [2 + 3 * randn(4, 6), 1 + randn(6), randn(6)], args={"dims": 1, "eps": 1e-5})
case("layer_norm2", "layer_norm", lambda x, w, b: F.layer_norm(x, (3, 4), w, b, 1e-5),
     [randn(2, 3, 4), 1 + randn(3, 4), randn(3, 4)], args={"dims": 2, "eps": 1e-5})
case("layer_norm_plain", "layer_norm", lambda x: F.layer_norm(x, (5,), None, None, 1e-3),
     [randn(3, 5)], args={"dims": 1, "eps": 1e-3})
for name, shape in [("batch_norm1d", (6, 3)), ("batch_norm1d_l", (4, 3, 5)), ("batch_norm2d", (3, 2, 3, 4))]:
    c = shape[1]
    rm0, rv0 = randn(c), positive(c)
    for training in [True, False]:
        rm, rv = rm0.double().clone(), rv0.double().clone()
        k = case(f"{name}/{'train' if training else 'eval'}", "batch_norm",
                 lambda x, w, b: F.batch_norm(x, rm, rv, w, b, training, 0.1, 1e-5),
                 [randn(*shape), 1 + randn(c), randn(c)],
                 args={"training": training, "momentum": 0.1, "eps": 1e-5,
                       "running_mean": rm0.tolist(), "running_var": rv0.tolist()})
        # The case ran the operation once: the running statistics after it.
        k["state"] = {"running_mean": enc(rm), "running_var": enc(rv)}

# Losses.
x, y = randn(4, 5), randn(4, 5)
for red in ["mean", "sum"]:
    case(f"mse/{red}", "mse", lambda a, b, r=red: F.mse_loss(a, b, reduction=r), [x, y], args={"reduction": red})
    case(f"l1/{red}", "l1", lambda a, b, r=red: F.l1_loss(a, b, reduction=r), [x, y], args={"reduction": red})
for beta in [1.0, 0.5]:
    case(f"smooth_l1/{beta}", "smooth_l1", lambda a, b, be=beta: F.smooth_l1_loss(a, b, beta=be), [x, y], args={"beta": beta, "reduction": "mean"})
for delta in [1.0, 0.7]:
    case(f"huber/{delta}", "huber", lambda a, b, d=delta: F.huber_loss(a, b, delta=d, reduction="sum"), [x, y], args={"delta": delta, "reduction": "sum"})
logits, probs = 2 * randn(4, 3), rand(4, 3)
pw = positive(3)
case("bce_with_logits", "bce_with_logits", lambda a, b: F.binary_cross_entropy_with_logits(a, b), [logits, probs], args={"reduction": "mean"})
case("bce_with_logits/pos_weight", "bce_with_logits",
     lambda a, b: F.binary_cross_entropy_with_logits(a, b, pos_weight=pw.double(), reduction="sum"),
     [logits, probs], args={"reduction": "sum", "pos_weight": pw.tolist()})
logits = 2 * randn(6, 4)
target = [0, 3, 3, 1, 2, 3]
tt = torch.tensor(target)
cw = positive(4, lo=0.2)
for name, kw, args in [
    ("cross_entropy", {}, {}),
    ("cross_entropy/smooth", {"label_smoothing": 0.1}, {"label_smoothing": 0.1}),
    ("cross_entropy/weight", {"weight": cw.double()}, {"weight": cw.tolist()}),
    ("cross_entropy/weight_smooth", {"weight": cw.double(), "label_smoothing": 0.25}, {"weight": cw.tolist(), "label_smoothing": 0.25}),
    ("cross_entropy/weight_smooth_sum", {"weight": cw.double(), "label_smoothing": 0.25, "reduction": "sum"},
     {"weight": cw.tolist(), "label_smoothing": 0.25, "reduction": "sum"}),
]:
    args.setdefault("reduction", "mean")
    case(name, "cross_entropy", lambda a, kw=kw: F.cross_entropy(a, tt, **kw), [logits], args=args, ints=target)
logp = F.log_softmax(logits, 1)
for name, kw, args in [
    ("nll", {}, {"reduction": "mean"}),
    ("nll/weight", {"weight": cw.double()}, {"weight": cw.tolist(), "reduction": "mean"}),
    ("nll/weight_sum", {"weight": cw.double(), "reduction": "sum"}, {"weight": cw.tolist(), "reduction": "sum"}),
]:
    case(name, "nll", lambda a, kw=kw: F.nll_loss(a, tt, **kw), [logp], args=args, ints=target)

with open(os.path.join(HERE, "torch_ops.json"), "w") as f:
    json.dump({"torch": torch.__version__, "cases": cases}, f, separators=(",", ":"))
    f.write("\n")
print(len(cases), "cases")
