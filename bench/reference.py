#!/usr/bin/python3
"""Times descent against its reference programs in one command, and prints the ratios.

  /usr/bin/python3 bench/reference.py JOB [--reps 5] [--threads 1,2] [--models logreg,mlp,cnn]

Run it from anywhere; it builds descent from this checkout with "go build" (or takes
--descent), and needs Python 3 with PyTorch and SciPy (Debian 12: apt-get install -y
python3-torch python3-scipy). JOB is one of

  optim   descent bench optim against bench/torch_optstep.py: Adam and SGD with momentum 0.9
          on 1x10M and 1000x10k parameters, on each --threads count (torch's better of
          foreach on and off); ms per step
  gemm    descent bench gemm against bench/torch_gemm.py --serve (SGEMM through torch's BLAS),
          every default shape and layout, on each --threads count, the two taking turns
          product by product; GFLOP/s
  step    descent bench step against bench/torch_train.py --max-iters 200 --warmup 5, per
          model, Adam, batch 128; descent on the most --threads, torch's better of each
          --threads count; ms per training step (gather, forward, backward, step)
  epoch   descent train --epochs 1 against bench/torch_train.py 1 epoch, per model, Adam,
          batch 128, the training loop's seconds; threads as for step
  tabular descent train --data on a synthetic regression set against bench/torch_tabular.py:
          one epoch of mlp:256,256:layernorm (Linear-LayerNorm-ReLU twice, then Linear),
          Adam, mean squared error, batch 128, on 100000 examples of 100 float32 features
          that torch_tabular.py --write makes (seeded) into the temporary folder, both
          sides reading the same .npz; the training loop's seconds; threads as for step
  rss     peak resident memory (the kernel's ru_maxrss) of the epoch runs of mlp and cnn, both
          on the most --threads
  loader  one shuffled MNIST epoch of descent's data.Loader alone (go test -bench) against one
          descent mlp training epoch: the share of an epoch the loader costs (no reference)
  lbfgs   descent minimize --problem logistic --method lbfgs against bench/scipy_lbfgs.py
          (SciPy's L-BFGS-B), MNIST even vs odd, lambda 1e-3, 10 pairs, gtol 1e-8, on each
          --threads count; seconds of the minimisation

Every measurement is repeated --reps times, descent and its reference alternating, so that
a change of the machine's load falls on both alike; the medians are compared. A ratio is
descent's figure over the reference's: below 1 descent takes less time (or memory); for
GFLOP/s, above 1 descent is faster. The output names the CPU (lscpu's model name), the load
averages at the start and the end with the share of the cores the threads got at once then
(descent bench machine's FMA loop timed by the wall clock; below about 90% they shared cores
with something else) and a cache line's round trip between two CPUs (several times longer
when the CPUs are apart, on a virtual machine as its host places them), and the BLAS library
and kernels the reference ran.

The references pin their threads themselves: torch.set_num_threads and OPENBLAS_NUM_THREADS,
OMP_NUM_THREADS and MKL_NUM_THREADS set to --threads before NumPy or torch is loaded; and
OPENBLAS_CORETYPE from --coretype (auto: SkylakeX on a CPU with AVX-512, Haswell with AVX2
only), since the OpenBLAS of Debian 12 runs slow generic kernels on CPUs newer than itself.
descent gets the same thread count as GOMAXPROCS (its --threads flag).

MNIST comes from --mnist-dir, else $MNIST_DIR, else descent's cache ("descent data fetch"
fills it the first time, through the Go module proxy or the datasets' mirrors). The tests
never run this script.
"""
import argparse
import contextlib
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True  # no __pycache__ in the repository
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = benchlib.ROOT
MODELS = ("logreg", "mlp", "cnn")
JOBS = ("optim", "gemm", "step", "epoch", "tabular", "rss", "loader", "lbfgs")


class Bench:
    """The settings of one run of this script and the helpers its jobs share."""

    def __init__(self, a):
        self.a = a
        self.reps = a.reps
        self.threads = a.threads
        self.tmp = a.tmp
        self.descent = a.descent
        self._mnist = a.mnist_dir
        self.seen = {}  # what the reference programs reported about themselves: torch, BLAS

    def run(self, cmd, env=None):
        """Runs cmd, exits on failure, and returns its JSON lines and its peak RSS in kB."""
        out_path, err_path = os.path.join(self.tmp, "stdout"), os.path.join(self.tmp, "stderr")
        with open(out_path, "w") as out, open(err_path, "w") as err:
            p = subprocess.Popen(cmd, stdout=out, stderr=err, env=dict(os.environ, **(env or {})))
            _, status, usage = os.wait4(p.pid, 0)
            p.returncode = os.waitstatus_to_exitcode(status)
        with open(out_path) as out, open(err_path) as err:
            stdout, stderr = out.read(), err.read()
        if p.returncode != 0:
            sys.exit("%s: exit %d\n%s" % (" ".join(cmd), p.returncode, stderr[-3000:]))
        lines = [json.loads(l) for l in stdout.splitlines() if l.startswith("{")]
        for l in lines:
            for k in ("impl", "blas", "blas_core", "openblas_coretype"):
                if k in l and not l.get("impl", "").startswith("descent"):
                    self.seen[k] = l[k]
        return lines, usage.ru_maxrss

    def progress(self, what, rep, d, r):
        """Prints one repetition's pair of figures to stderr, so that a long job shows its course."""
        print("# %s, run %d of %d: descent %.4g, reference %.4g" % (what, rep + 1, self.reps, d, r), file=sys.stderr, flush=True)

    def descent_json(self, *args, env=None):
        return self.run([self.descent, *args], env=env)[0]

    def mnist(self):
        """The MNIST folder, resolved on first use."""
        if not self._mnist:
            out = subprocess.run([self.descent, "data", "fetch"], capture_output=True, text=True)
            m = re.match(r"mnist: (.+)", out.stdout)
            if out.returncode != 0 or not m:
                sys.exit("descent data fetch: exit %d\n%s" % (out.returncode, out.stderr))
            self._mnist = m.group(1).strip()
        return self._mnist

    @contextlib.contextmanager
    def serve(self, script, *args, threads):
        """Starts a reference program of bench/ that answers requests, one line each, on
        threads threads, and yields ask(request), which returns the JSON line of its answer;
        the program is stopped at the end, and its failure ends this script."""
        cmd = ["/usr/bin/python3", os.path.join(HERE, script), *args,
               "--threads", str(threads), "--coretype", self.a.coretype]
        with open(os.path.join(self.tmp, "serve-stderr"), "w+") as err:
            p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=err, text=True)

            def ask(request):
                p.stdin.write(request + "\n")
                p.stdin.flush()
                line = p.stdout.readline()
                if not line.startswith("{"):
                    p.kill()
                    err.seek(0)
                    sys.exit("%s: no answer to %r\n%s" % (" ".join(cmd), request, err.read()[-3000:]))
                j = json.loads(line)
                for k in ("impl", "blas", "blas_core", "openblas_coretype"):
                    if k in j:
                        self.seen[k] = j[k]
                return j

            try:
                yield ask
            finally:
                p.stdin.close()
                if p.wait() != 0:
                    err.seek(0)
                    sys.exit("%s: exit %d\n%s" % (" ".join(cmd), p.returncode, err.read()[-3000:]))

    def ref(self, script, *args, threads, mnist=False, rss=False):
        """Runs a reference program of bench/ on threads threads; returns its JSON lines (and
        its peak RSS in kB with rss)."""
        cmd = ["/usr/bin/python3", os.path.join(HERE, script), *args,
               "--threads", str(threads), "--coretype", self.a.coretype]
        if mnist:
            cmd += ["--mnist-dir", self.mnist()]
        lines, kb = self.run(cmd)
        return (lines, kb) if rss else lines


def med(xs):
    return statistics.median(xs)


def cores_at_once(b):
    """How much of the cores the threads get at once: descent bench machine's FMA loop on the
    most threads of the job, timed by the wall clock, as a share of its peak (each thread timed
    by its own CPU time). Below about 90%, the threads were sharing cores (other processes, or a
    virtual machine's host), and figures on that many threads carry it. Then the round trip of
    a cache line between two CPUs: tens of nanoseconds when they share a last-level cache,
    several times that when they are apart, which slows every hand-over between the threads."""
    t = max(b.threads)
    if t < 2:
        return ""
    j = b.descent_json("bench", "machine", "--json", "--threads", str(t), "--time", "200ms", "--triad-mib", "4")[-1]
    a = j.get("fma_at_once")
    if not a:
        return ""
    peak = [p["gflops"] for p in j["fma_peak"] if p["kernel"] == a["kernel"] and p["threads"] == t]
    s = "; %d threads at once got %.0f%% of the %s FMA peak (bench machine, wall clock)" % (
        t, 100 * a["gflops"] / peak[0], a["kernel"]) if peak else ""
    rt = j.get("round_trip")
    if rt:
        s += "; a cache line's round trip between CPUs %d and %d took %.0f ns (median; worst %.0f)" % (
            rt["cpus"][0], rt["cpus"][1], rt["median_ns"], rt["worst_ns"])
    return s


def header(b, job, what):
    m = benchlib.machine()
    print("descent vs reference: %s, medians of %d alternating runs" % (job, b.reps))
    print("CPU: %s (%d CPUs); load average %s (1, 5, 15 min) at the start%s" % (
        m["cpu"], m["cpus"], " ".join("%.2f" % x for x in m["load"]), cores_at_once(b)))
    print(what)
    print()


def show(b, rows, unit_note):
    """Prints (what, descent, reference) rows with their ratio, then the load and the reference's
    library versions."""
    width = max([len(r[0]) for r in rows] + [12])
    print("%-*s %11s %11s %12s" % (width, "measurement", "descent", "reference", "descent/ref"))
    for what, d, r in rows:
        print("%-*s %11.4g %11.4g %12.3f" % (width, what, d, r, d / r))
    m = benchlib.machine()
    print()
    print(unit_note)
    print("CPU: %s; load average %s at the end%s" % (m["cpu"], " ".join("%.2f" % x for x in m["load"]), cores_at_once(b)))
    if b.seen:
        print("reference: %s; BLAS %s running %s kernels (OPENBLAS_CORETYPE=%s)" % (
            b.seen.get("impl", "?"), b.seen.get("blas", "?") or "none loaded", b.seen.get("blas_core", "?") or "?",
            b.seen.get("openblas_coretype", "") or "unset"))


LOWER = "descent/ref below 1: descent takes less time."


def job_optim(b):
    header(b, "optim", "descent bench optim --threads T against bench/torch_optstep.py --threads T "
                       "(torch's better of foreach on and off)")
    layouts = ((1, 10_000_000), (1000, 10_000))
    opts = (("adam", ["--optimizer", "adam"]), ("sgd-momentum", ["--optimizer", "sgd", "--momentum", "0.9"]))
    rows = []
    for t in b.threads:
        for count, size in layouts:
            layout = "%dx%d" % (count, size)
            d, r, best = {n: [] for n, _ in opts}, {n: [] for n, _ in opts}, {n: [] for n, _ in opts}
            for rep in range(b.reps):
                for name, args in opts:
                    j = b.descent_json("bench", "optim", *args, "--size", str(size), "--count", str(count),
                                       "--threads", str(t), "--json")[0]
                    d[name].append(j["ms_per_step"])
                lines = b.ref("torch_optstep.py", "--layouts", layout, threads=t)
                for name, _ in opts:
                    mine = [l for l in lines if l["optimizer"] == name]
                    fastest = min(mine, key=lambda l: l["ms_per_step"])
                    r[name].append(fastest["ms_per_step"])
                    best[name].append("on" if fastest["foreach"] else "off")
                    b.progress("%s %s, %d thread%s, ms/step" % (name, layout, t, "s"[:t > 1]), rep, d[name][-1], r[name][-1])
            for name, _ in opts:
                foreach = statistics.mode(best[name])
                rows.append(("%s %s, %d thread%s (torch foreach %s), ms/step" % (name, layout, t, "s"[:t > 1], foreach),
                             med(d[name]), med(r[name])))
    show(b, rows, LOWER)


def job_gemm(b):
    header(b, "gemm", "each default shape and layout of descent bench gemm, product by product: descent bench gemm "
                      "--shapes S --layouts L --reps %d --threads T, then bench/torch_gemm.py --serve --reps %d "
                      "--threads T (SGEMM through torch's BLAS, loaded once per thread count) on the same product; "
                      "the order of the products reversed every other run" % (GEMM_REPS, GEMM_REPS))
    keys = [(l["m"], l["k"], l["n"], l["layout"])
            for l in b.descent_json("bench", "gemm", "--reps", "1", "--min-time", "1ms", "--json")]
    rows = []
    for t in b.threads:
        d, r = {}, {}
        with b.serve("torch_gemm.py", "--serve", "--reps", str(GEMM_REPS), threads=t) as ask:
            for rep in range(b.reps):
                for key in keys if rep % 2 == 0 else keys[::-1]:
                    m, k, n, layout = key
                    dims = "%dx%dx%d" % (m, k, n)
                    j = b.descent_json("bench", "gemm", "--shapes", dims, "--layouts", layout,
                                       "--reps", str(GEMM_REPS), "--threads", str(t), "--json")[0]
                    d.setdefault(key, []).append(j["gflops"])
                    r.setdefault(key, []).append(ask("%s %s" % (dims, layout))["gflops"])
                print("# gemm, %d thread%s, run %d of %d done" % (t, "s"[:t > 1], rep + 1, b.reps), file=sys.stderr, flush=True)
        for key in keys:
            m, k, n, layout = key
            rows.append(("%dx%dx%d %s, %d thread%s, GFLOP/s" % (m, k, n, layout, t, "s"[:t > 1]), med(d[key]), med(r[key])))
    show(b, rows, "GFLOP/s: descent/ref above 1: descent is faster.")


# GEMM_REPS is the repetitions (of at least 0.1 s each) within one measurement of one product
# by gemm: few, so that descent and torch take turns every second or so, and a change of the
# machine's speed (a virtual CPU taken away for seconds) falls on both alike.
GEMM_REPS = 3


def torch_best(b, model, extra, key):
    """The JSON line of torch_train.py's run with the least key among its runs on each
    thread count."""
    return min((b.ref("torch_train.py", model, "adam", "1", *extra, threads=t, mnist=True)[0] for t in b.threads), key=key)


def dropout_args(b):
    return ["--dropout"] if b.a.dropout else []


def job_step(b):
    t = max(b.threads)
    header(b, "step", "descent bench step --threads %d (random MNIST-shaped batches) against bench/torch_train.py "
                      "--max-iters 200 --warmup 5 (MNIST), the better of --threads %s; cnn dropout %s"
           % (t, " and ".join(map(str, b.threads)), "on" if b.a.dropout else "off"))
    rows = []
    for model in b.a.models:
        d, r = [], []
        for rep in range(b.reps):
            d.append(b.descent_json("bench", "step", "--model", model, "--optimizer", "adam", "--batch-size", "128",
                                    "--iters", "200", "--threads", str(t), "--json", *dropout_args(b))[0]["ms_per_iter"])
            per_iter = lambda j: 1e3 * j["seconds"] / j["iterations"]
            r.append(per_iter(torch_best(b, model, ["--max-iters", "200", "--warmup", "5", "--no-eval", *dropout_args(b)],
                                         per_iter)))
            b.progress(model + " step, ms", rep, d[-1], r[-1])
        rows.append(("%s training step (adam, batch 128), ms" % model, med(d), med(r)))
    show(b, rows, LOWER)


def descent_epoch(b, model, threads):
    """Runs descent train for one epoch; returns its last JSON line and its peak RSS in kB."""
    cmd = [b.descent, "train", "--model", model, "--optimizer", "adam", "--epochs", "1", "--batch-size", "128",
           "--threads", str(threads), "--json", "--out", tempfile.mkdtemp(prefix="train-" + model + "-", dir=b.tmp)]
    if model == "cnn" and not b.a.dropout:  # the other presets have no dropout to remove
        cmd.append("--no-dropout")
    lines, kb = b.run(cmd, env={"MNIST_DIR": b.mnist()})
    return lines[-1], kb


def job_epoch(b):
    t = max(b.threads)
    header(b, "epoch", "descent train --epochs 1 --threads %d against bench/torch_train.py 1 epoch, the better of --threads %s; "
                       "the training loop's seconds (no loading, no evaluation); cnn dropout %s"
           % (t, " and ".join(map(str, b.threads)), "on" if b.a.dropout else "off"))
    rows, notes = [], []
    for model in b.a.models:
        d, r, dacc, racc = [], [], [], []
        for rep in range(b.reps):
            j, _ = descent_epoch(b, model, t)
            d.append(j["seconds"])
            dacc.append(j["test_accuracy"])
            j = torch_best(b, model, dropout_args(b), lambda j: j["seconds"])
            r.append(j["seconds"])
            racc.append(j["test_accuracy"])
            b.progress(model + " epoch, s", rep, d[-1], r[-1])
        rows.append(("%s epoch (adam, batch 128), s" % model, med(d), med(r)))
        notes.append("%s test accuracy after the epoch (median): descent %.4f, torch %.4f" % (model, med(dacc), med(racc)))
    show(b, rows, LOWER)
    for n in notes:
        print(n)


def job_tabular(b):
    t = max(b.threads)
    model = "mlp:256,256:layernorm"
    header(b, "tabular", "descent train --data --model %s --task regress --epochs 1 --threads %d against "
                         "bench/torch_tabular.py 1 epoch, the better of --threads %s; 100000x100 synthetic regression "
                         "set (torch_tabular.py --write, seed 0), Adam, MSE, batch 128; the training loop's seconds "
                         "(no loading, no evaluation)" % (model, t, " and ".join(map(str, b.threads))))
    folder = os.path.join(b.tmp, "tabular")
    lines = subprocess.run(["/usr/bin/python3", os.path.join(HERE, "torch_tabular.py"), "--write", folder],
                           capture_output=True, text=True, check=True).stdout.split()
    train, test = lines
    d, r, drmse, rrmse = [], [], [], []
    for rep in range(b.reps):
        j = b.descent_json("train", "--data", train, "--test", test, "--task", "regress", "--model", model,
                           "--optimizer", "adam", "--epochs", "1", "--batch-size", "128", "--threads", str(t), "--json",
                           "--out", os.path.join(b.tmp, "train-tabular-%d" % rep))[-1]
        d.append(j["seconds"])
        drmse.append(j["test_rmse"])
        j = min((b.ref("torch_tabular.py", train, "--test", test, threads=u)[0] for u in b.threads),
                key=lambda j: j["seconds"])
        r.append(j["seconds"])
        rrmse.append(j["test_rmse"])
        b.progress("tabular epoch, s", rep, d[-1], r[-1])
    show(b, [("%s epoch on 100000x100 (adam, batch 128), s" % model, med(d), med(r))], LOWER)
    print("test RMSE after the epoch (median; 10000 held-out examples, noise 0.1): descent %.4f, torch %.4f"
          % (med(drmse), med(rrmse)))


def job_rss(b):
    t = max(b.threads)
    header(b, "rss", "peak resident memory (ru_maxrss) of descent train --epochs 1 --threads %d and of "
                     "bench/torch_train.py 1 epoch --threads %d" % (t, t))
    rows = []
    for model in [m for m in b.a.models if m != "logreg"]:
        d, r = [], []
        for rep in range(b.reps):
            d.append(descent_epoch(b, model, t)[1])
            r.append(b.ref("torch_train.py", model, "adam", "1", *dropout_args(b), threads=t, mnist=True, rss=True)[1])
            b.progress(model + " peak RSS, kB", rep, d[-1], r[-1])
        rows.append(("%s peak RSS of one epoch, MB" % model, med(d) / 1024, med(r) / 1024))
    show(b, rows, "descent/ref below 1: descent holds less memory.")


def loader_seconds():
    p = subprocess.run(["go", "test", "-run", "^$", "-bench", "BenchmarkLoaderEpoch/shuffle/gather", "-benchtime", "3x",
                        "./data/mnist"], cwd=ROOT, capture_output=True, text=True)
    m = re.search(r"BenchmarkLoaderEpoch\S*\s+\d+\s+(\d+) ns/op", p.stdout)
    if not m:
        sys.exit("loader benchmark: " + p.stdout + p.stderr)
    return int(m.group(1)) / 1e9


def job_loader(b):
    t = max(b.threads)
    header(b, "loader", "one shuffled epoch of data.Loader alone (go test -bench BenchmarkLoaderEpoch/shuffle/gather) "
                        "against one epoch of descent train --model mlp --threads %d: no outside reference" % t)
    d, r = [], []
    for _ in range(b.reps):
        d.append(loader_seconds())
        r.append(descent_epoch(b, "mlp", t)[0]["seconds"])
    show(b, [("loader epoch vs mlp training epoch, s", med(d), med(r))], "descent/ref: the loader's share of a training epoch.")


def job_lbfgs(b):
    header(b, "lbfgs", "descent minimize --problem logistic --method lbfgs --threads T against bench/scipy_lbfgs.py "
                       "--threads T: MNIST even vs odd, lambda 1e-3, 10 pairs, from 0; descent stops at |g|_2 <= 1e-8, "
                       "SciPy at max|g_i| <= 1e-8 (a weaker test)")
    rows, notes = [], []
    for t in b.threads:
        d, r = [], []
        for rep in range(b.reps):
            j = b.descent_json("minimize", "--problem", "logistic", "--method", "lbfgs", "--lambda", "1e-3", "--memory", "10",
                               "--gtol", "1e-8", "--threads", str(t), "--json", "--every", "1000000",
                               env={"MNIST_DIR": b.mnist()})[0]
            d.append(j["last"]["seconds"])
            s = b.ref("scipy_lbfgs.py", "--lam", "1e-3", "--memory", "10", "--gtol", "1e-8", threads=t, mnist=True)[0]
            r.append(s["seconds"])
            b.progress("L-BFGS, %d thread%s, s" % (t, "s"[:t > 1]), rep, d[-1], r[-1])
        notes.append("%d thread%s: descent %d iterations, %d evaluations, f = %.15g, |g|_2 = %.2e; "
                     "SciPy %d iterations, %d evaluations, f = %.15g, |g|_2 = %.2e; |f difference|/f = %.1e"
                     % (t, "s"[:t > 1], j["last"]["iter"], j["last"]["evals"], j["last"]["f"], j["last"]["grad_norm"],
                        s["iterations"], s["evaluations"], s["f"], s["grad_norm"], abs(j["last"]["f"] - s["f"]) / abs(s["f"])))
        rows.append(("L-BFGS to gtol 1e-8, %d thread%s, s" % (t, "s"[:t > 1]), med(d), med(r)))
    show(b, rows, LOWER)
    for n in notes:
        print(n)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("job", choices=JOBS)
    p.add_argument("--reps", type=int, default=5, help="alternating runs of each side (default %(default)s)")
    p.add_argument("--threads", default="1,2",
                   help="comma-separated thread counts (default %(default)s): optim, gemm and lbfgs run each; "
                        "step, epoch and tabular run descent on the most and torch on each, keeping its best")
    p.add_argument("--models", default=",".join(MODELS), help="models of step, epoch and rss (default %(default)s)")
    p.add_argument("--dropout", action="store_true", help="keep the cnn's dropout layers on both sides")
    p.add_argument("--coretype", default="auto", help="OPENBLAS_CORETYPE of the references (see benchlib.py; default auto)")
    p.add_argument("--descent", help="descent binary (default: built from this checkout into the temporary folder)")
    benchlib.add_mnist_flag(p)
    p.add_argument("--tmp", help="folder for the descent binary and its run folders, kept afterwards "
                                 "(default: a new temporary folder, removed at the end)")
    a = p.parse_args()
    try:
        a.threads = sorted({int(t) for t in a.threads.split(",")})
    except ValueError:
        p.error("--threads: want comma-separated positive integers")
    a.models = a.models.split(",")
    if a.reps < 1 or min(a.threads) < 1 or not set(a.models) <= set(MODELS):
        p.error("--reps and --threads must be positive, --models among %s" % ", ".join(MODELS))
    keep = bool(a.tmp)
    a.tmp = a.tmp or tempfile.mkdtemp(prefix="descent-bench-")
    os.makedirs(a.tmp, exist_ok=True)
    try:
        if not a.descent:
            a.descent = os.path.join(a.tmp, "descent")
            subprocess.run(["go", "build", "-o", a.descent, "./cmd/descent"], cwd=ROOT, check=True)
        globals()["job_" + a.job](Bench(a))
    finally:
        if not keep:
            shutil.rmtree(a.tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
