"""torch's reductions and fused updates of L-BFGS, bit for bit, for internal/lbfgs's tests.

    /usr/bin/python3 internal/lbfgs/testdata/gen_ops.py

Writes internal/lbfgs/testdata/torch_ops.json. torch.optim.LBFGS computes dot products
(Tensor.dot: OpenBLAS's sdot/ddot), the L1 norm of the first gradient (abs().sum(): ATen's
cascade sum) and updates y.add_(x, alpha=a). Their summation order decides last bits, and the
line search turns last bits into decisions, so the Go port reproduces the order of this build
(Debian's PyTorch 1.13 on OpenBLAS 0.3.21, run here with OPENBLAS_CORETYPE=Haswell, which the
file records). The vectors are made by a 64-bit LCG both sides compute: x_i = (v - 2^23)·2^(k-23)
with v the top 24 bits of the state and k in [-3, 4] from 3 more bits, so every value is exact
in float32 and magnitudes vary over 2^7. The file keeps torch's results as hex bits, and for
the shorter vectors the whole add_ result.

OpenBLAS splits a float64 dot product of more than 10000 elements across its threads (one per
core unless OPENBLAS_NUM_THREADS says otherwise) and adds the parts; the file records the
core count, and the Go test checks those cases through the same split.
"""
import base64, json, os, torch

M = (1 << 64) - 1

def lcg(seed, n):
    s = seed & M
    out = []
    for _ in range(n):
        s = (s * 6364136223846793005 + 1442695040888963407) & M
        v = s >> 40
        k = ((s >> 37) & 7) - 3
        out.append((v - (1 << 23)) * 2.0 ** (k - 23))
    return out

LENGTHS = [1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 47, 63, 64, 65, 100, 257, 1000, 4097, 10001, 32768, 40000, 100000]

def bits(t):
    return t.reshape(1).numpy().view("<u8" if t.dtype == torch.float64 else "<u4")[0].item()

cases = []
for dtype in (torch.float32, torch.float64):
    for i, n in enumerate(LENGTHS):
        sx, sy = 1000 + 2 * i, 1001 + 2 * i
        x = torch.tensor(lcg(sx, n), dtype=dtype)
        y = torch.tensor(lcg(sy, n), dtype=dtype)
        alpha = float(torch.tensor(lcg(7 + i, 1)[0] * 3, dtype=dtype))
        c = dict(dtype=str(dtype).replace("torch.", ""), n=n, seed_x=sx, seed_y=sy, alpha=alpha,
                 dot=bits(x.dot(y)), abs_sum=bits(x.abs().sum()))
        if n <= 100:
            r = y.clone().add_(x, alpha=alpha)
            c["axpy"] = base64.b64encode(r.numpy().astype("<f4" if dtype == torch.float32 else "<f8").tobytes()).decode()
        cases.append(c)
out = dict(torch=torch.__version__, openblas_coretype=os.environ.get("OPENBLAS_CORETYPE", ""),
           threads=torch.get_num_threads(), cpus=os.cpu_count(),
           openblas_threads=int(os.environ.get("OPENBLAS_NUM_THREADS", os.cpu_count())), cases=cases)
here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(here, "torch_ops.json"), "w") as f:
    json.dump(out, f, indent=0)
print(len(cases), "cases")
