"""Writes the PyTorch reference fixtures of package model (and the weights-format sample of
package nn): run from the repository root with

    /usr/bin/python3 model/testdata/torch_export.py

It needs PyTorch (tested with 1.13, CPU). For the MLP (784-300-100-10, ReLU) and the
pytorch/examples MNIST CNN it writes torch_mlp.bin.gz and torch_cnn.bin.gz: a batch, the
bound of each parameter, and the loss (nll_loss of the log-softmax output, mean) and every
parameter gradient computed by PyTorch in float64 from float32 weights and inputs. The
weights themselves are not stored: both this script and the Go test generate them from a
hash of (parameter index, element index), see weight_values. It also writes
torch_logreg_weights.bin, a logistic-regression state_dict saved by this script's writer
(its float64 loss on the MLP batch is logreg.loss in torch_mlp.bin.gz), to check that
nn.Load reads what Python writes.

File format (nn's weights format, little-endian): b"DESCENTW", uint32 version 1, uint32
count, then per tensor uint32 name length, name, uint32 rank, uint32 dims, float32 data.
"""
import gzip, os, struct
import numpy as np
import torch, torch.nn as nn, torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
M64 = (1 << 64) - 1


def write_tensors(path, entries, compress):
    out = bytearray(b"DESCENTW" + struct.pack("<II", 1, len(entries)))
    for name, arr in entries:
        arr = np.ascontiguousarray(np.asarray(arr, dtype="<f4"))
        nb = name.encode()
        out += struct.pack("<I", len(nb)) + nb + struct.pack("<I", arr.ndim)
        out += struct.pack("<%dI" % arr.ndim, *arr.shape) + arr.tobytes()
    opener = (lambda p: gzip.GzipFile(p, "wb", mtime=0)) if compress else (lambda p: open(p, "wb"))
    with opener(path) as f:
        f.write(bytes(out))


def weight_values(index, n, bound):
    """float32(bound*(2u-1)), u = top 53 bits of SplitMix64's finaliser of ((index+1)<<32 | j) over 2^53."""
    z = (np.uint64((index + 1) << 32) + np.arange(n, dtype=np.uint64)) + np.uint64(0x9E3779B97F4A7C15)
    with np.errstate(over="ignore"):
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    z = z ^ (z >> np.uint64(31))
    u = (z >> np.uint64(11)).astype(np.float64) * 2.0 ** -53
    return (bound * (2 * u - 1)).astype(np.float32)


def bounds_of(model):
    """PyTorch's default init bound 1/sqrt(fan_in) of each parameter (a bias takes its weight's)."""
    out, fan = [], 1
    for name, p in model.state_dict().items():
        if p.dim() > 1:
            fan = int(np.prod(p.shape[1:]))
        out.append(1 / np.sqrt(fan))
    return out


def fill(model, bounds):
    with torch.no_grad():
        for i, ((name, p), b) in enumerate(zip(model.named_parameters(), bounds)):
            p.copy_(torch.from_numpy(weight_values(i, p.numel(), b).reshape(p.shape)).to(p.dtype))


def reference(make, x, y, path, extra=()):
    """Loss and gradients in float64 (the reference) and float32 (to quote torch's own error)."""
    grads = {}
    for dtype in (torch.float64, torch.float32):
        torch.manual_seed(0)
        m = make().to(dtype)
        m.eval()  # dropout off: the comparison is deterministic
        bounds = bounds_of(m)
        fill(m, bounds)
        loss = F.nll_loss(m(torch.from_numpy(x).to(dtype)), torch.from_numpy(y))
        m.zero_grad()
        loss.backward()
        grads[dtype] = (loss.item(), {n: p.grad.double().numpy() for n, p in m.named_parameters()})
    loss64, g64 = grads[torch.float64]
    loss32, g32 = grads[torch.float32]
    entries = [("x", x), ("y", y.astype(np.float32)), ("bounds", np.array(bounds)), ("loss", np.array(loss64))]
    for n, g in g64.items():
        err = np.abs(g32[n] - g).max() / np.abs(g).max()
        print("%s %-14s torch float32 max error / max |grad| = %.2e" % (os.path.basename(path), n, err))
        entries += [("grad." + n, g), ("torch32err." + n, np.array(err))]
    print("%s loss %.10f (float64), %.10f (float32)" % (os.path.basename(path), loss64, loss32))
    write_tensors(path, entries + list(extra), compress=True)


class Net(nn.Module):  # pytorch/examples mnist/main.py
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3, 1)
        self.conv2 = nn.Conv2d(32, 64, 3, 1)
        self.dropout1 = nn.Dropout(0.25)
        self.dropout2 = nn.Dropout(0.5)
        self.fc1 = nn.Linear(9216, 128)
        self.fc2 = nn.Linear(128, 10)

    def forward(self, x):
        x = F.relu(self.conv1(x.view(-1, 1, 28, 28)))
        x = F.relu(self.conv2(x))
        x = self.dropout1(F.max_pool2d(x, 2))
        x = self.dropout2(F.relu(self.fc1(torch.flatten(x, 1))))
        return F.log_softmax(self.fc2(x), dim=1)


def mlp():
    return nn.Sequential(nn.Linear(784, 300), nn.ReLU(), nn.Linear(300, 100), nn.ReLU(),
                         nn.Linear(100, 10), nn.LogSoftmax(1))


rng = np.random.default_rng(2024)
x_mlp = rng.standard_normal((32, 784)).astype(np.float32)
y_mlp = rng.integers(0, 10, 32)
x_cnn = rng.standard_normal((8, 784)).astype(np.float32)
y_cnn = rng.integers(0, 10, 8)

# A logistic-regression state_dict with PyTorch's own (seeded) initialisation, written by
# this writer; its float64 loss on the MLP batch goes into torch_mlp.bin.gz as logreg.loss.
torch.manual_seed(1)
lr = nn.Sequential(nn.Linear(784, 10), nn.LogSoftmax(1))
write_tensors(os.path.join(HERE, "torch_logreg_weights.bin"),
              [(k, v.numpy()) for k, v in lr.state_dict().items()], compress=False)
lr_loss = F.nll_loss(lr.double()(torch.from_numpy(x_mlp).double()), torch.from_numpy(y_mlp)).item()
print("torch_logreg_weights.bin loss %.10f" % lr_loss)

reference(mlp, x_mlp, y_mlp, os.path.join(HERE, "torch_mlp.bin.gz"), [("logreg.loss", np.array(lr_loss))])
reference(Net, x_cnn, y_cnn, os.path.join(HERE, "torch_cnn.bin.gz"))
