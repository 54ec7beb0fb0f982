#!/usr/bin/python3
"""Times descent against its references in one command, and prints the ratios.

  /usr/bin/python3 bench/reference.py JOB [--reps 5] [--descent PATH]

JOB is one of
  optim    descent bench optim (adam; sgd with momentum 0.9) on 1x10M parameters against
           torch_optstep.py, on 1 and 2 threads (torch's better of foreach on and off)
  gemm     descent bench gemm against gemm.py (OpenBLAS), on 1 and 2 threads
  step     descent bench step against torch_train.py --max-iters 200 (adam, batch 128) per
           model; descent on 2 threads, torch's better of 1 and 2 threads
  epoch    descent train --epochs 1 against torch_train.py 1 epoch (adam, batch 128) per
           model, the training loop's seconds; same threads rule as step
  rss      peak resident set (/usr/bin/time -v) of the epoch jobs of mlp and cnn
  loader   one MNIST epoch of the loader alone against one descent mlp training epoch

Every measurement is repeated --reps times, descent and reference alternating so that the
machine's load falls on both alike, and the medians are compared. The references are the
scripts of the anchors folder (--anchors, default ../shared/anchors from the repository
root), run with /usr/bin/python3 and OPENBLAS_CORETYPE=SkylakeX; OpenBLAS's threads are
pinned with OPENBLAS_NUM_THREADS as well as torch.set_num_threads (gemm.py's --threads alone
leaves OpenBLAS free to use every core). Needs python3-torch; never run by the tests.
"""
import argparse, json, os, re, statistics, subprocess, sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODELS = ("logreg", "mlp", "cnn")


def run(cmd, env=None, time_v=False):
    """Runs cmd and returns its JSON lines (and the peak RSS in kB with time_v)."""
    e = dict(os.environ, **(env or {}))
    if time_v:
        cmd = ["/usr/bin/time", "-v"] + cmd
    p = subprocess.run(cmd, env=e, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"{' '.join(cmd)}: exit {p.returncode}\n{p.stderr[-2000:]}")
    lines = [json.loads(l) for l in p.stdout.splitlines() if l.startswith("{")]
    if time_v:
        return lines, int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", p.stderr).group(1))
    return lines


def torch_env(threads):
    return {"OPENBLAS_CORETYPE": "SkylakeX", "OPENBLAS_NUM_THREADS": str(threads),
            "OMP_NUM_THREADS": str(threads)}


def py(a, script, *args, threads=1):
    return run(["/usr/bin/python3", os.path.join(a.anchors, script), *args, "--threads", str(threads)],
               env=torch_env(threads))


def med(xs):
    return statistics.median(xs)


def show(rows):
    """Prints a table of (what, descent, reference, unit) rows with the ratio."""
    print(f"{'measurement':42} {'descent':>10} {'reference':>10}  ratio")
    for what, d, r, unit in rows:
        print(f"{what:42} {d:10.4g} {r:10.4g}  {d / r:5.3f}  ({unit}, medians of {A.reps})")


def job_optim(a):
    rows = []
    for t in (1, 2):
        d = {"adam": [], "sgd-momentum": []}
        tr = {"adam": [], "sgd-momentum": []}
        gbs = {"adam": [], "sgd-momentum": []}
        for _ in range(a.reps):
            for name, args in (("adam", ["--optimizer", "adam"]), ("sgd-momentum", ["--optimizer", "sgd", "--momentum", "0.9"])):
                j = run([a.descent, "bench", "optim", *args, "--size", "10000000", "--threads", str(t), "--json"])[0]
                d[name].append(j["ms_per_step"])
                gbs[name].append(j["bytes_per_second"] / 1e9)
            lines = py(a, "torch_optstep.py", threads=t)
            for name in d:
                tr[name].append(min(l["ms_per_step"] for l in lines if l["optimizer"] == name and l["layout"] == "1x10000000"))
        for name in d:
            rows.append((f"{name} 1x10M, {t} thread(s), ms/step", med(d[name]), med(tr[name]), "ms"))
            print(f"# {name} {t} thread(s): descent moves {med(gbs[name]):.1f} GB/s", file=sys.stderr)
    show(rows)


def job_gemm(a):
    rows = []
    for t in (1, 2):
        d, r = {}, {}
        for _ in range(a.reps):
            for l in run([a.descent, "bench", "gemm", "--threads", str(t), "--json"]):
                d.setdefault((l["m"], l["k"], l["n"], l["layout"]), []).append(l["gflops"])
            for l in py(a, "gemm.py", threads=t):
                r.setdefault((l["m"], l["k"], l["n"]), []).append(l["gflops"])
        for (m, k, n, layout), g in sorted(d.items()):
            if (m, k, n) in r:
                # A ratio of speeds: descent's GFLOP/s over OpenBLAS's (above 1: descent faster).
                rows.append((f"{m}x{k}x{n} {layout}, {t} thread(s), GFLOP/s", med(g), med(r[(m, k, n)]), "GFLOP/s, higher is faster"))
    show(rows)


def torch_best(a, model, opt, extra, key):
    """The better of torch's 1- and 2-thread runs of torch_train.py."""
    return min(key(py(a, "torch_train.py", model, opt, "1", *extra, threads=t)[0]) for t in (1, 2))


def job_step(a):
    rows = []
    for model in a.models:
        d, r = [], []
        for _ in range(a.reps):
            d.append(run([a.descent, "bench", "step", "--model", model, "--optimizer", "adam", "--batch-size", "128",
                          "--iters", "200", "--threads", "2", "--json"])[0]["ms_per_iter"])
            r.append(torch_best(a, model, "adam", ["--max-iters", "200"], lambda j: 1e3 * j["seconds"] / j["iterations"]))
        rows.append((f"{model} training step (adam, batch 128), ms", med(d), med(r), "ms"))
    show(rows)


def descent_epoch(a, model, opt, time_v=False):
    cmd = [a.descent, "train", "--model", model, "--optimizer", opt, "--epochs", "1", "--batch-size", "128",
           "--threads", "2", "--json", "--out", os.path.join(a.tmp, "train-" + model)]
    return run(cmd, time_v=time_v)


def job_epoch(a):
    rows = []
    for model in a.models:
        d, r = [], []
        for _ in range(a.reps):
            d.append(descent_epoch(a, model, "adam")[-1]["seconds"])
            r.append(torch_best(a, model, "adam", [], lambda j: j["seconds"]))
        rows.append((f"{model} epoch (adam, batch 128), s", med(d), med(r), "s"))
    show(rows)


def job_rss(a):
    rows = []
    for model in [m for m in a.models if m != "logreg"]:
        d, r = [], []
        for _ in range(a.reps):
            d.append(descent_epoch(a, model, "adam", time_v=True)[1])
            r.append(run(["/usr/bin/python3", os.path.join(a.anchors, "torch_train.py"), model, "adam", "1", "--threads", "2"],
                         env=torch_env(2), time_v=True)[1])
        rows.append((f"{model} peak RSS of one epoch, MB", med(d) / 1024, med(r) / 1024, "MB"))
    show(rows)


def job_loader(a):
    d, r = [], []
    for _ in range(a.reps):
        d.append(loader_seconds(a))
        r.append(descent_epoch(a, "mlp", "adam")[-1]["seconds"])
    show([("MNIST loader epoch vs mlp training epoch, s", med(d), med(r), "s")])


def loader_seconds(a):
    p = subprocess.run(["go", "test", "-run", "^$", "-bench", "BenchmarkLoaderEpoch/shuffle/gather", "-benchtime", "3x", "./data/mnist"],
                       cwd=ROOT, capture_output=True, text=True)
    m = re.search(r"BenchmarkLoaderEpoch\S*\s+\d+\s+(\d+) ns/op", p.stdout)
    if not m:
        sys.exit("loader benchmark: " + p.stdout + p.stderr)
    return int(m.group(1)) / 1e9


def main():
    global A
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("job", choices=("optim", "gemm", "step", "epoch", "rss", "loader"))
    p.add_argument("--reps", type=int, default=5)
    p.add_argument("--models", default=",".join(MODELS))
    p.add_argument("--descent", help="descent binary (default: built from this checkout)")
    p.add_argument("--anchors", default=os.path.join(os.path.dirname(ROOT), "shared", "anchors"))
    p.add_argument("--tmp", default="/tmp/descent-bench")
    A = a = p.parse_args()
    a.models = a.models.split(",")
    os.makedirs(a.tmp, exist_ok=True)
    if not a.descent:
        a.descent = os.path.join(a.tmp, "descent")
        subprocess.run(["go", "build", "-o", a.descent, "./cmd/descent"], cwd=ROOT, check=True)
    if "MNIST_DIR" not in os.environ:
        os.environ["MNIST_DIR"] = subprocess.run(["bash", os.path.join(a.anchors, "mnist_dir.sh")],
                                                 capture_output=True, text=True, check=True).stdout.strip()
    globals()["job_" + a.job](a)


if __name__ == "__main__":
    main()
