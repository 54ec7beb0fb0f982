"""The acceptance of --init-weights: a PyTorch model's weights start a descent run, and the
weights descent writes go back into PyTorch. Run from the repository root with PyTorch (tested
with 1.13, CPU) and NumPy; safetensors are read and written with the codec of
nn/testdata/torch_roundtrip.py, not with descent's.

    /usr/bin/python3 cmd/descent/testdata/init_weights.py fixtures
        Writes cmd/descent/testdata/initweights/:
          mlp.pt            torch.save(model.state_dict()) of the PyTorch twin of
                            --model mlp:64,64 on scikit-learn's breast-cancer set
                            (data/testdata/sklearn: 30 inputs, 2 classes), initialised by
                            PyTorch's defaults from torch.manual_seed(SEED)
          mlp.safetensors   the same state as safetensors
          torch.json        what PyTorch computes when it trains that model as
                            `descent train ARGS` does (ARGS in the file): features
                            standardised by the training part's mean and population standard
                            deviation (float64 sums, as descent's --standardize), SGD with lr
                            0.1, one batch of the whole training part per epoch (so the order
                            of the examples changes only the rounding), cross-entropy. For
                            each epoch: the training loss (of the weights before the epoch's
                            step: at epoch 1, of the initial weights, read from mlp.pt), the
                            test loss and the test accuracy after it; in float32, and in
                            float64 from the same initial values, for the size of float32's
                            rounding. Also the test loss of the initial weights.
          wrong_shape.safetensors   the state of a twin for 31 inputs: 0.weight is 64×31
          truncated_header.safetensors   mlp.safetensors cut in the middle of its header
          other_arch.pt     torch.save of the twin of mlp:32 (another architecture)
    then: go test ./cmd/descent -run TestInitWeightsFromTorch -update
        which writes descent_model.safetensors (the model.safetensors of that descent run) and
        descent_run.json (descent's outputs on the test set with those weights).
    /usr/bin/python3 cmd/descent/testdata/init_weights.py check
        Loads descent_model.safetensors into the PyTorch twin (load_state_dict, strict),
        computes its outputs on the standardised test set in eval mode, compares them with
        descent's (descent_run.json) and with those of PyTorch's own model after the same
        training, and writes check.json: the file's SHA-256 and the differences, which the Go
        test reads. The differences are, for each test example, max |a − b| over its outputs
        divided by max |b|, the largest over the examples.
"""
import copy, hashlib, json, os, sys

import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "nn", "testdata"))
from torch_roundtrip import Spec, build, st_dumps, st_loads  # noqa: E402

OUT = os.path.join(HERE, "initweights")
SKLEARN = os.path.join(ROOT, "data", "testdata", "sklearn")
SEED = 3
MODEL = "mlp:64,64"
LR = 0.1
EPOCHS = 3


def load_csv(path):
    """Features (float32, as descent parses a cell: float64, then rounded) and integer
    classes of a breast-cancer CSV file, whose last column is the target."""
    with open(path) as f:
        names = f.readline().strip().split(",")
    arr = np.loadtxt(path, delimiter=",", skiprows=1, ndmin=2, dtype=np.float64)
    j = names.index("target")
    return np.delete(arr, j, axis=1).astype(np.float32), arr[:, j].astype(np.int64)


def standardized():
    """The training and test features standardised as descent's --standardize does."""
    xtr, ytr = load_csv(os.path.join(SKLEARN, "breast_cancer_train.csv"))
    xte, yte = load_csv(os.path.join(SKLEARN, "breast_cancer_test.csv"))
    x64 = xtr.astype(np.float64)
    mean = x64.mean(axis=0)
    std = np.sqrt(((x64 - mean) ** 2).mean(axis=0))
    std[std == 0] = 1

    def apply(x):
        return ((x.astype(np.float64) - mean) / std).astype(np.float32)

    return apply(xtr), ytr, apply(xte), yte


def descent_args(init):
    """The flags of the descent run that torch.json describes, after `train`."""
    return ["--data", "../../data/testdata/sklearn/breast_cancer_train.csv",
            "--test", "../../data/testdata/sklearn/breast_cancer_test.csv",
            "--target", "target", "--standardize", "--model", MODEL, "--init-weights", init,
            "--optimizer", "sgd", "--lr", str(LR), "--batch-size", "455", "--epochs", str(EPOCHS)]


def evaluate(m, x, y):
    m.eval()
    with torch.no_grad():
        out = m(x)
        return float(F.cross_entropy(out, y)), float((out.argmax(1) == y).double().mean()), out


def trajectory(m, xtr, ytr, xte, yte):
    """descent train's records of the run: full-batch SGD, an evaluation after each epoch."""
    opt = torch.optim.SGD(m.parameters(), lr=LR)
    epochs = []
    for e in range(EPOCHS):
        m.train()
        opt.zero_grad()
        loss = F.cross_entropy(m(xtr), ytr)
        loss.backward()
        opt.step()
        test_loss, acc, _ = evaluate(m, xte, yte)
        epochs.append({"epoch": e + 1, "train_loss": float(loss), "test_loss": test_loss, "test_accuracy": acc})
    return epochs


def twin(spec, inputs, seed):
    torch.manual_seed(seed)
    return build(Spec(spec), inputs, 2)


def fixtures():
    os.makedirs(OUT, exist_ok=True)
    xtr, ytr, xte, yte = standardized()
    assert xtr.shape == (455, 30) and xte.shape == (114, 30), (xtr.shape, xte.shape)
    m = twin(MODEL, 30, SEED)
    sd = m.state_dict()
    torch.save(sd, os.path.join(OUT, "mlp.pt"))
    with open(os.path.join(OUT, "mlp.safetensors"), "wb") as f:
        f.write(st_dumps(dict(sd)))

    # The run in float32 from the weights read back from mlp.pt, and in float64.
    m32 = twin(MODEL, 30, 0)
    m32.load_state_dict(torch.load(os.path.join(OUT, "mlp.pt")), strict=True)
    m64 = copy.deepcopy(m32).double()
    t = [torch.from_numpy(a) for a in (xtr, ytr, xte, yte)]
    init32, _, _ = evaluate(m32, t[2], t[3])
    init64, _, _ = evaluate(m64, t[2].double(), t[3])
    run32 = trajectory(m32, *t)
    run64 = trajectory(m64, t[0].double(), t[1], t[2].double(), t[3])
    _, _, out32 = evaluate(m32, t[2], t[3])
    manifest = {"torch": torch.__version__, "seed": SEED, "model": MODEL,
                "args": ["train"] + descent_args("testdata/initweights/mlp.pt"),
                "init_test_loss": init32, "init_test_loss_float64": init64,
                "epochs": run32, "epochs_float64": run64,
                "trained_predictions": {"shape": list(out32.shape), "data": out32.double().reshape(-1).tolist()}}
    with open(os.path.join(OUT, "torch.json"), "w") as f:
        json.dump(manifest, f, indent=1)
        f.write("\n")

    # Files to refuse.
    with open(os.path.join(OUT, "wrong_shape.safetensors"), "wb") as f:
        f.write(st_dumps(dict(twin(MODEL, 31, SEED).state_dict())))
    good = open(os.path.join(OUT, "mlp.safetensors"), "rb").read()
    n = int.from_bytes(good[:8], "little")
    with open(os.path.join(OUT, "truncated_header.safetensors"), "wb") as f:
        f.write(good[:8 + n // 2])
    torch.save(twin("mlp:32", 30, SEED).state_dict(), os.path.join(OUT, "other_arch.pt"))

    print("PyTorch %s, %s from seed %d: test loss of the initial weights %.9g (float64 %.9g)"
          % (torch.__version__, MODEL, SEED, init32, init64))
    for a, b in zip(run32, run64):
        print("epoch %d: train loss %.9g test loss %.9g accuracy %.6f (float64: %.9g %.9g)"
              % (a["epoch"], a["train_loss"], a["test_loss"], a["test_accuracy"], b["train_loss"], b["test_loss"]))
    print("wrote", ", ".join(sorted(os.listdir(OUT))))


def row_error(got, want):
    """max over rows of max |got − want| / max |want|."""
    return float((np.abs(got - want).max(axis=1) / np.abs(want).max(axis=1)).max())


def check():
    path = os.path.join(OUT, "descent_model.safetensors")
    b = open(path, "rb").read()
    tensors, meta = st_loads(b)
    m = twin(MODEL, 30, 0)
    m.load_state_dict(dict(tensors), strict=True)
    _, _, xte, yte = standardized()
    loss, acc, out = evaluate(m, torch.from_numpy(xte), torch.from_numpy(yte))
    got = out.double().numpy()
    with open(os.path.join(OUT, "descent_run.json")) as f:
        run = json.load(f)
    with open(os.path.join(OUT, "torch.json")) as f:
        ref = json.load(f)
    want = np.array(run["predictions"]["data"]).reshape(run["predictions"]["shape"])
    trained = np.array(ref["trained_predictions"]["data"]).reshape(ref["trained_predictions"]["shape"])
    result = {"file": "descent_model.safetensors", "sha256": hashlib.sha256(b).hexdigest(),
              "tensors": len(tensors), "metadata": meta,
              "vs_descent_predictions": row_error(got, want),
              "vs_torch_trained_predictions": row_error(got, trained),
              "test_loss": loss, "test_accuracy": acc, "descent_test_loss": run["test_loss"]}
    with open(os.path.join(OUT, "check.json"), "w") as f:
        json.dump(result, f, indent=1)
        f.write("\n")
    print("descent_model.safetensors: %d tensors, metadata %s, loaded into PyTorch's %s (strict)"
          % (len(tensors), meta, MODEL))
    print("outputs on the %d test examples: %.3g from descent's, %.3g from PyTorch's own trained model "
          "(per example, relative to its largest output)" % (len(got), result["vs_descent_predictions"],
                                                             result["vs_torch_trained_predictions"]))
    print("test loss %.9g (descent reported %.9g), accuracy %.6f" % (loss, run["test_loss"], acc))
    print("wrote", os.path.join(OUT, "check.json"))


if __name__ == "__main__":
    {"fixtures": fixtures, "check": check}[sys.argv[1] if len(sys.argv) > 1 else "fixtures"]()
