"""What the reference programs of bench/ have in common: threads, MNIST and the machine.

The reference programs (torch_train.py, torch_tabular.py, torch_optstep.py, torch_gemm.py,
scipy_lbfgs.py) import this module first, parse their flags, and call pin() before they
import numpy or torch: OpenBLAS reads its environment once, when it is loaded, so the
number of threads and the kernel it uses must be in the environment by then.

  OPENBLAS_NUM_THREADS, OMP_NUM_THREADS, MKL_NUM_THREADS  set to --threads
  OPENBLAS_CORETYPE  the kernel family OpenBLAS uses (--coretype): OpenBLAS 0.3.21, the
                     Debian 12 one, does not recognise recent CPUs (Intel Sapphire Rapids,
                     AMD Zen 4 and 5) and falls back to a kernel 5-10x slower; "auto" (the
                     default, whatever the environment says) picks SkylakeX on a CPU with
                     AVX-512 and Haswell on one with AVX2 only; every JSON line names it.

MNIST is read from --mnist-dir, else $MNIST_DIR, else descent's own cache, filled if
needed by "go run ./cmd/descent data fetch" in this repository (which checks every file's
SHA-256). Nothing outside the repository is needed but Go, Python 3, NumPy, PyTorch and SciPy.
"""
import gzip
import json
import os
import re
import subprocess
import sys

# ROOT is the repository's top folder, the parent of bench/.
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# MNIST_FILES are the four files of MNIST, as descent's cache and the original site name them.
MNIST_FILES = ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
               "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")


def add_thread_flags(parser, threads=1):
    """Adds --threads and --coretype to an argparse parser."""
    parser.add_argument("--threads", type=int, default=threads,
                        help="threads of torch, OpenBLAS and OpenMP (default %(default)s)")
    parser.add_argument("--coretype", default="auto",
                        help="OPENBLAS_CORETYPE, which replaces the environment's: auto (SkylakeX with "
                             "AVX-512, Haswell with AVX2 only), none (OpenBLAS's own choice) or a name "
                             "such as SkylakeX or Haswell (default %(default)s)")


def add_mnist_flag(parser):
    """Adds --mnist-dir to an argparse parser."""
    parser.add_argument("--mnist-dir", default=os.environ.get("MNIST_DIR"),
                        help="folder of the four MNIST .gz files (default $MNIST_DIR, else descent's cache, "
                             "fetched by 'go run ./cmd/descent data fetch' if it is empty)")


def cpu_flags():
    """Returns the set of CPU feature flags of /proc/cpuinfo (empty where there is none)."""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("flags"):
                    return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return set()


def coretype(choice):
    """Returns the OPENBLAS_CORETYPE that --coretype choice asks for ("" for none)."""
    if choice == "none":
        return ""
    if choice != "auto":
        return choice
    flags = cpu_flags()
    if {"avx512f", "avx512bw", "avx512dq", "avx512vl"} <= flags:
        return "SkylakeX"
    if {"avx2", "fma"} <= flags:
        return "Haswell"
    return ""


def pin(threads, core):
    """Sets the BLAS environment: threads for OpenBLAS, OpenMP and MKL, and the coretype.

    It must run before numpy or torch is imported; it raises RuntimeError otherwise, since
    the setting would then be silently ignored.
    """
    if threads < 1:
        raise ValueError("benchlib: threads must be positive, not %d" % threads)
    loaded = [m for m in ("numpy", "torch", "scipy") if m in sys.modules]
    if loaded:
        raise RuntimeError("benchlib: pin() after importing %s: OpenBLAS has read its environment" % ", ".join(loaded))
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(threads)
    if core:
        os.environ["OPENBLAS_CORETYPE"] = core
    else:
        os.environ.pop("OPENBLAS_CORETYPE", None)


def machine():
    """Returns the CPU's model name, its count of CPUs and the load averages, to print beside
    every figure."""
    name = ""
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, env=dict(os.environ, LC_ALL="C")).stdout
        m = re.search(r"^Model name:\s*(.+)$", out, re.M)
        name = m.group(1).strip() if m else ""
    except OSError:
        pass
    if not name:
        try:
            with open("/proc/cpuinfo") as f:
                m = re.search(r"^model name\s*:\s*(.+)$", f.read(), re.M)
                name = m.group(1).strip() if m else ""
        except OSError:
            pass
    return {"cpu": name or "unknown", "cpus": os.cpu_count(), "load": [round(x, 2) for x in os.getloadavg()]}


def blas_library():
    """Returns the BLAS library loaded into this process, as its folder's and its own name
    ("openblas-pthread/libopenblasp-r0.3.21.so"; "" if none is), and, for OpenBLAS, the kernel
    family it runs (openblas_get_corename), else ""."""
    paths = set()
    try:
        with open("/proc/self/maps") as f:
            for line in f:
                fields = line.split()
                if len(fields) >= 6 and os.path.basename(fields[-1]).startswith("lib"):
                    paths.add(fields[-1])
    except OSError:
        pass
    path = ""
    for prefix in ("libopenblas", "libmkl_rt", "libblis", "libblas"):
        found = sorted(p for p in paths if os.path.basename(p).startswith(prefix))
        if found:
            path = found[0]
            break
    if not path:
        return "", ""
    core = ""
    if "openblas" in path:
        try:
            import ctypes
            lib = ctypes.CDLL(path)
            lib.openblas_get_corename.restype = ctypes.c_char_p
            core = lib.openblas_get_corename().decode()
        except (OSError, AttributeError):
            pass
    return os.path.join(os.path.basename(os.path.dirname(path)), os.path.basename(path)), core


def mnist_dir(given):
    """Returns the folder of MNIST's four .gz files: given (from --mnist-dir or $MNIST_DIR)
    if not empty, else descent's cache, filled by "descent data fetch" when it is empty."""
    if given:
        missing = [f for f in MNIST_FILES if not os.path.exists(os.path.join(given, f))]
        if missing:
            sys.exit("MNIST folder %s lacks %s" % (given, ", ".join(missing)))
        return given
    p = subprocess.run(["go", "run", "./cmd/descent", "data", "fetch"], cwd=ROOT, capture_output=True, text=True)
    m = re.match(r"mnist: (.+)", p.stdout)
    if p.returncode != 0 or not m:
        sys.exit("go run ./cmd/descent data fetch: exit %d\n%s%s" % (p.returncode, p.stdout, p.stderr))
    return m.group(1).strip()


def read_idx(path):
    """Reads one gzip-compressed IDX file of unsigned bytes and returns it as a numpy array of
    the shape its header gives, after checking the header against the file's length."""
    import numpy as np
    with gzip.open(path) as f:
        b = f.read()
    if len(b) < 4 or b[0] != 0 or b[1] != 0 or b[2] != 0x08:
        sys.exit("%s: not an IDX file of unsigned bytes" % path)
    ndim = b[3]
    head = 4 + 4 * ndim
    dims = [int.from_bytes(b[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    size = 1
    for d in dims:
        size *= d
    if len(b) != head + size:
        sys.exit("%s: %d bytes, but its header %s asks for %d" % (path, len(b), dims, head + size))
    return np.frombuffer(b, np.uint8, offset=head).reshape(dims)


def mnist(folder):
    """Returns MNIST's (train images, train labels, test images, test labels) as uint8 arrays,
    images flattened to rows of 784 pixels."""
    arrays = [read_idx(os.path.join(folder, f)) for f in MNIST_FILES]
    for i in (0, 2):
        arrays[i] = arrays[i].reshape(len(arrays[i]), -1)
    if arrays[0].shape[1] != 784 or len(arrays[0]) != len(arrays[1]) or len(arrays[2]) != len(arrays[3]):
        sys.exit("%s: not MNIST: shapes %s" % (folder, [a.shape for a in arrays]))
    return tuple(arrays)


def emit(record, mach=None):
    """Prints one JSON line: record, with the machine's CPU and load, the BLAS library, the
    kernel family OpenBLAS runs and the OPENBLAS_CORETYPE it was given."""
    line = dict(record)
    line.update(mach or machine())
    line["blas"], line["blas_core"] = blas_library()
    line["openblas_coretype"] = os.environ.get("OPENBLAS_CORETYPE", "")
    print(json.dumps(line), flush=True)
