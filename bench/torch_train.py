#!/usr/bin/python3
"""PyTorch's training of descent's three MNIST models: the reference of "descent train" and
"descent bench step".

  /usr/bin/python3 bench/torch_train.py MODEL OPTIMIZER EPOCHS [--batch-size 128] [--threads 1]
      [--max-iters N] [--warmup N] [--no-eval] [--dropout] [--seed 0] [--mnist-dir DIR]

MODEL is one of descent's model presets (package model), built from the same layers under
the same parameter names:
  logreg  784->10, log-softmax                                  ("0.weight", "0.bias")
  mlp     784-1000-1000-10, ReLU, log-softmax (the Adam paper's)  ("0.*", "2.*", "4.*")
  cnn     the pytorch/examples MNIST network: conv 1->32 3x3, ReLU, conv 32->64 3x3, ReLU,
          max-pool 2, [dropout 0.25], fc 9216->128, ReLU, [dropout 0.5], fc 128->10,
          log-softmax; the dropout layers only with --dropout (as "descent bench step"
          leaves them out unless --dropout, and "descent train" with --no-dropout)
OPTIMIZER: sgd (lr 0.01, momentum 0.9), adam (torch's defaults, lr 1e-3), adadelta (lr 1).

The images are scaled to [0, 1] and normalised with MNIST's mean and deviation
((x - 0.1307) / 0.3081) once, held as one float32 tensor; every epoch draws a new random
order (torch.randperm) and gathers each batch from it. The loss is nll_loss of the
log-probabilities, mean over the batch.

Prints one JSON line per epoch: seconds (the training loop alone: gathering, forward,
backward and step, without loading and evaluation), iterations, train_loss (mean over the
epoch), test_accuracy (null with --no-eval), threads, and the CPU, its load and the BLAS
library. With --max-iters the epoch stops after that many timed iterations, and --warmup
runs that many untimed iterations before the first epoch (as "descent bench step" does).
"""
import argparse
import os
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the repository
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402  (before numpy and torch: it pins their threads)

MODELS = ("logreg", "mlp", "cnn")
OPTIMIZERS = ("sgd", "adam", "adadelta")


def parse():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("model", choices=MODELS)
    p.add_argument("optimizer", choices=OPTIMIZERS)
    p.add_argument("epochs", type=int, help="passes over the training set")
    p.add_argument("--batch-size", type=int, default=128, help="examples per step (default %(default)s)")
    p.add_argument("--max-iters", type=int, default=0, help="stop each epoch after N timed steps (0: the whole epoch)")
    p.add_argument("--warmup", type=int, default=0, help="untimed steps before the first epoch (default 0)")
    p.add_argument("--no-eval", action="store_true", help="skip the test-set evaluation after each epoch")
    p.add_argument("--dropout", action="store_true", help="keep the cnn's two dropout layers")
    p.add_argument("--seed", type=int, default=0, help="torch.manual_seed (default 0)")
    benchlib.add_thread_flags(p)
    benchlib.add_mnist_flag(p)
    a = p.parse_args()
    if a.epochs < 1 or a.batch_size < 1 or a.max_iters < 0 or a.warmup < 0:
        p.error("EPOCHS and --batch-size must be positive, --max-iters and --warmup not negative")
    return a


def build(name, dropout):
    """Returns descent's model preset name as a torch module."""
    import torch
    import torch.nn as nn
    import torch.nn.functional as F

    if name == "logreg":
        return nn.Sequential(nn.Linear(784, 10), nn.LogSoftmax(dim=1))
    if name == "mlp":
        return nn.Sequential(nn.Linear(784, 1000), nn.ReLU(), nn.Linear(1000, 1000), nn.ReLU(),
                             nn.Linear(1000, 10), nn.LogSoftmax(dim=1))

    class CNN(nn.Module):
        """pytorch/examples mnist/main.py's Net, dropout optional."""

        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(1, 32, 3, 1)
            self.conv2 = nn.Conv2d(32, 64, 3, 1)
            self.dropout1 = nn.Dropout(0.25) if dropout else nn.Identity()
            self.dropout2 = nn.Dropout(0.5) if dropout else nn.Identity()
            self.fc1 = nn.Linear(9216, 128)
            self.fc2 = nn.Linear(128, 10)

        def forward(self, x):
            x = F.relu(self.conv1(x.view(-1, 1, 28, 28)))
            x = F.relu(self.conv2(x))
            x = self.dropout1(F.max_pool2d(x, 2))
            x = self.dropout2(F.relu(self.fc1(torch.flatten(x, 1))))
            return F.log_softmax(self.fc2(x), dim=1)

    return CNN()


def optimizer(name, params):
    import torch
    if name == "sgd":
        return torch.optim.SGD(params, lr=0.01, momentum=0.9)
    if name == "adam":
        return torch.optim.Adam(params, lr=1e-3)
    return torch.optim.Adadelta(params, lr=1.0)


def main():
    a = parse()
    benchlib.pin(a.threads, benchlib.coretype(a.coretype))
    import torch
    import torch.nn.functional as F

    torch.set_num_threads(a.threads)
    train_x, train_y, test_x, test_y = benchlib.mnist(benchlib.mnist_dir(a.mnist_dir))

    def normalise(u8):
        return (torch.from_numpy(u8.astype("float32")) / 255 - 0.1307) / 0.3081

    xtr, ytr = normalise(train_x), torch.from_numpy(train_y.astype("int64"))
    xte, yte = normalise(test_x), torch.from_numpy(test_y.astype("int64"))
    torch.manual_seed(a.seed)
    model = build(a.model, a.dropout)
    opt = optimizer(a.optimizer, model.parameters())
    n = len(ytr)

    def step(idx):
        opt.zero_grad()
        loss = F.nll_loss(model(xtr[idx]), ytr[idx])
        loss.backward()
        opt.step()
        return loss.item()

    model.train()
    perm = torch.randperm(n)
    for i in range(a.warmup):
        step(perm[(i * a.batch_size) % n:][:a.batch_size])

    for epoch in range(1, a.epochs + 1):
        model.train()
        start = time.perf_counter()
        perm = torch.randperm(n)
        total, seen, iters = 0.0, 0, 0
        for lo in range(0, n, a.batch_size):
            if a.max_iters and iters == a.max_iters:
                break
            idx = perm[lo:lo + a.batch_size]
            total += step(idx) * len(idx)
            seen += len(idx)
            iters += 1
        seconds = time.perf_counter() - start
        acc = None
        if not a.no_eval:
            model.eval()
            with torch.no_grad():
                right = sum((model(xte[j:j + 1000]).argmax(1) == yte[j:j + 1000]).sum().item()
                            for j in range(0, len(yte), 1000))
            acc = right / len(yte)
        benchlib.emit({"impl": "torch-" + torch.__version__, "model": a.model, "optimizer": a.optimizer,
                       "dropout": a.model == "cnn" and a.dropout, "batch_size": a.batch_size, "epoch": epoch,
                       "seconds": round(seconds, 4), "iterations": iters, "train_loss": total / seen,
                       "test_accuracy": acc, "threads": torch.get_num_threads()})


if __name__ == "__main__":
    main()
