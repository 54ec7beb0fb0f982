"""PyTorch reference values for the layers and losses of package nn.

    /usr/bin/python3 nn/testdata/gen_torch.py

Writes nn/testdata/torch_layers.json (PyTorch 1.13, CPU). The weights and inputs are float32
values drawn from a seeded generator; every model then runs in float64 (converted exactly),
so that the reference is PyTorch's definition without rounding of its own to speak of.

  defaults   the defaults of nn.LayerNorm, nn.BatchNorm1d/2d and nn.Embedding: eps, momentum,
             the initial parameters and buffers, and the state_dict keys
  models     small models (Sequential of Linear, BatchNorm1d, ReLU, LayerNorm, GELU, ...;
             BatchNorm2d; BatchNorm1d with momentum=None; Embedding): the initial state_dict,
             then for each batch in training mode the output, the loss, the gradient of every
             parameter and the state_dict after the step (gradients zeroed between batches,
             parameters not updated), and the output in evaluation mode on a last batch
  losses     each loss module with its defaults (and some options): inputs, targets, the
             loss and its gradients

The Go test (nn/torch_test.go) builds the same modules, loads the initial state through
nn.StateDict by name, and compares: forward and state within 1e-5, gradients within 1e-4,
relative, elementwise.
"""
import json, os
import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))
gen = torch.Generator().manual_seed(20240918)


def randn(*shape):
    return torch.randn(tuple(shape), generator=gen, dtype=torch.float32)


def rand(*shape):
    return torch.rand(tuple(shape), generator=gen, dtype=torch.float32)


def enc(t):
    return {"shape": list(t.shape), "data": [float(v) for v in t.detach().reshape(-1).tolist()]}


def state(m):
    return [{"name": k, **enc(v)} for k, v in m.state_dict().items()]


def randomize(m):
    """Draws every floating parameter and buffer afresh in float32 (running variances
    positive), so that no test passes on ones and zeros."""
    with torch.no_grad():
        for k, v in m.state_dict().items():
            if not v.is_floating_point():
                continue
            r = randn(*v.shape)
            if k.endswith("running_var"):
                r = 0.5 + r.abs()
            elif k.endswith("weight") and v.dim() == 1:
                r = 1 + 0.5 * r
            v.copy_(r)


# Defaults.
ln, bn1, bn2, emb = nn.LayerNorm(5), nn.BatchNorm1d(4), nn.BatchNorm2d(3), nn.Embedding(10, 3)
defaults = {
    "layer_norm": {"eps": ln.eps, "elementwise_affine": ln.elementwise_affine, "state": state(ln)},
    "batch_norm1d": {"eps": bn1.eps, "momentum": bn1.momentum, "state": state(bn1)},
    "batch_norm2d": {"eps": bn2.eps, "momentum": bn2.momentum, "state": state(bn2)},
    "embedding": {"state_keys": list(emb.state_dict().keys())},
}


def run_model(name, model, batches, eval_batch, loss_fn):
    """batches: list of (input, target); loss_fn(output, target) -> scalar."""
    randomize(model)
    init = state(model)
    model = model.double()
    steps = []
    for x, y in batches:
        model.train()
        model.zero_grad()
        out = model(x.double())
        loss = loss_fn(out, y)
        loss.backward()
        steps.append({
            "x": enc(x), "y": y if isinstance(y, list) else enc(y),
            "output": enc(out), "loss": float(loss),
            "grads": [{"name": k, **enc(p.grad)} for k, p in model.named_parameters()],
            "state": state(model),
        })
    model.eval()
    with torch.no_grad():
        out = model(eval_batch.double())
    return {"name": name, "init": init, "steps": steps, "eval": {"x": enc(eval_batch), "output": enc(out)}}


models = []
cw = 0.5 + rand(4)
ce = nn.CrossEntropyLoss(weight=cw.double(), label_smoothing=0.1)
mlp = nn.Sequential(nn.Linear(6, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.LayerNorm(8), nn.GELU(), nn.Linear(8, 4))
m = run_model("mlp", mlp, [(randn(5, 6), [0, 3, 1, 1, 2]), (randn(7, 6), [3, 3, 0, 2, 1, 0, 2])], randn(3, 6),
              lambda out, y: ce(out, torch.tensor(y)))
m["class_weight"] = cw.tolist()
models.append(m)

r2 = randn(4, 3, 5, 5)
bn2d = nn.Sequential(nn.Conv2d(2, 3, 3, padding=1), nn.BatchNorm2d(3), nn.SiLU())
models.append(run_model("bn2d", bn2d, [(randn(4, 2, 5, 5), r2), (randn(4, 2, 5, 5), r2)], randn(2, 2, 5, 5),
                        lambda out, r: (out * r.double()).sum()))

r3 = randn(3, 4, 6)
bncum = nn.Sequential(nn.BatchNorm1d(4, momentum=None), nn.Tanh())
models.append(run_model("bn1d_cumulative", bncum, [(randn(3, 4, 6), r3) for _ in range(3)], randn(2, 4, 6),
                        lambda out, r: (out * r.double()).sum()))

lnmlp = nn.Sequential(nn.Linear(5, 6), nn.LayerNorm(6), nn.GELU(approximate="tanh"), nn.Linear(6, 1))
yreg = randn(4, 1)
models.append(run_model("ln_regression", lnmlp, [(randn(4, 5), yreg)], randn(2, 5),
                        lambda out, y: nn.HuberLoss()(out, y.double())))

# Embedding: the input holds indices as floats, as a batch carries them.
class Embed(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(7, 3)
    def forward(self, x):
        return self.emb(x.long())
re = randn(2, 4, 3)
models.append(run_model("embedding", Embed(), [(torch.tensor([[1, 6, 6, 0], [2, 1, 1, 1]], dtype=torch.float32), re)],
                        torch.tensor([[5, 4]], dtype=torch.float32), lambda out, r: (out * r.double()).sum()))

# Losses, with their defaults and some options.
losses = []


def loss_case(name, module, inputs, target, args=None):
    xs = [x.double().requires_grad_() for x in inputs]
    v = module(xs[0], torch.tensor(target)) if target is not None else module(xs[0], xs[1])
    v.backward()
    losses.append({"name": name, "args": args or {}, "inputs": [enc(x) for x in inputs],
                   "target": target if isinstance(target, list) else None,
                   "value": float(v), "grads": [enc(x.grad) for x in xs]})


a, b = randn(4, 3), randn(4, 3)
loss_case("mse", nn.MSELoss(), [a, b], None)
loss_case("mse_sum", nn.MSELoss(reduction="sum"), [a, b], None, {"reduction": "sum"})
loss_case("l1", nn.L1Loss(), [a, b], None)
loss_case("smooth_l1", nn.SmoothL1Loss(), [a, b], None)
loss_case("smooth_l1_beta", nn.SmoothL1Loss(beta=0.4), [a, b], None, {"beta": 0.4})
loss_case("huber", nn.HuberLoss(), [a, b], None)
loss_case("huber_delta", nn.HuberLoss(delta=0.6, reduction="sum"), [a, b], None, {"delta": 0.6, "reduction": "sum"})
probs = rand(4, 3)
loss_case("bce_with_logits", nn.BCEWithLogitsLoss(), [2 * a, probs], None)
pw = 0.5 + rand(3)
loss_case("bce_with_logits_pos_weight", nn.BCEWithLogitsLoss(pos_weight=pw.double()), [2 * a, probs], None,
          {"pos_weight": pw.tolist()})
logits, target = 2 * randn(5, 4), [1, 0, 3, 3, 2]
cw = 0.5 + rand(4)
loss_case("cross_entropy", nn.CrossEntropyLoss(), [logits], target)
loss_case("cross_entropy_smooth", nn.CrossEntropyLoss(label_smoothing=0.2), [logits], target, {"label_smoothing": 0.2})
loss_case("cross_entropy_weight_smooth", nn.CrossEntropyLoss(weight=cw.double(), label_smoothing=0.2), [logits], target,
          {"weight": cw.tolist(), "label_smoothing": 0.2})
logp = torch.log_softmax(logits, 1)
loss_case("nll", nn.NLLLoss(), [logp], target)
loss_case("nll_weight", nn.NLLLoss(weight=cw.double()), [logp], target, {"weight": cw.tolist()})

with open(os.path.join(HERE, "torch_layers.json"), "w") as f:
    json.dump({"torch": torch.__version__, "defaults": defaults, "models": models, "losses": losses}, f, separators=(",", ":"))
    f.write("\n")
print(len(models), "models,", len(losses), "losses")
