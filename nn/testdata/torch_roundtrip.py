"""Weights exchanged between descent and PyTorch: fixtures, and round trips on real runs.

Needs PyTorch (tested with 1.13, CPU) and NumPy, nothing else: the safetensors files are read
and written by the small codec below (struct + json), written from the format's rules rather
than with the safetensors package, so that it is a reader independent of descent's.

    /usr/bin/python3 nn/testdata/torch_roundtrip.py fixtures
        Writes nn/testdata/weights/: a PyTorch MLP with LayerNorm, BatchNorm and Dropout
        (nn.Sequential names: 0.weight, 1.weight, ..., 5.running_mean, 5.num_batches_tracked)
        saved with torch.save (zip format, and the legacy format), by the codec below as
        safetensors, and in descent's former format (mlp.weights); tensors of other dtypes
        and layouts; damaged files; and mlp.json, the state_dict's values, an input batch and
        the module's predictions on it (eval mode), in float32 and, the same weights
        converted exactly, in float64.
        Then `go test ./nn/weights -run TestGoWritten -update` writes, with descent's writer,
        weights/go_written.safetensors from mlp.pt, and `check` below checks it.

    /usr/bin/python3 nn/testdata/torch_roundtrip.py check
        Reads weights/go_written.safetensors with the codec below, checks every rule of the
        format, loads it into the PyTorch MLP with load_state_dict(strict=True) and checks the
        predictions against mlp.json (equal: the weights are the same float32 values).

    /usr/bin/python3 nn/testdata/torch_roundtrip.py export --model mlp:64,64 --data TEST.csv \\
            --target target --out init.pt [--seed 1] [--inputs N --outputs K] [--task classify]
        Builds the PyTorch equivalent of a descent model (see MODELS), initialised by PyTorch
        from the seed, saves its state_dict with torch.save(model.state_dict(), OUT), and prints
        the test loss on the data in eval mode (cross entropy for classes, MSE for regression),
        the loss that `descent train --init-weights OUT` reports before its first step.

    /usr/bin/python3 nn/testdata/torch_roundtrip.py predict --safetensors RUN/model.safetensors \\
            --model mlp:64,64 --data X.npy [--target y] [--out PRED.npy]
        Loads a safetensors file that descent wrote into the PyTorch module (strict), prints
        its predictions on the data (eval mode) and, when the data has targets, the loss.
        Also accepts --pt FILE (a torch.save state_dict) in place of --safetensors.

DATA is .npy (the inputs), .npz (arrays x and y) or .csv with a header row (--target names
the target column; every other column is an input). Input and output sizes come from the
data, or from --inputs/--outputs, or, in predict, from the weights file itself.

MODELS (descent's --model): "linear" is Linear(in, out); "mlp:W1,W2,...[:relu|gelu|tanh]
[:layernorm|batchnorm][:dropout=P]" is, for each hidden width W, Linear, then the norm if
any, then the activation (ReLU by default), then Dropout(P) if P > 0, and a last Linear to
the outputs: the order of torchvision.ops.MLP, and the state_dict names follow from it
(mlp:64,64:relu:batchnorm gives 0.weight, 1.weight, 1.running_mean, ..., 3.weight, ...,
6.weight, 6.bias). The MNIST presets are "logreg" (Linear(784, 10), LogSoftmax) and "mlp"
(784-1000-1000-10, ReLU, LogSoftmax), as package model builds them. GELU is exact (erf),
as descent's default.
"""
import argparse, copy, io, json, math, os, struct, sys, zipfile
import numpy as np
import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "weights")

# ---------------------------------------------------------------------------------------------
# safetensors, by hand: an 8-byte little-endian header length N, N bytes of JSON header
# {name: {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {str: str}}, then the
# data. The reference writer sorts the tensors by dtype (largest alignment first, in the order
# below, reversed) then by name, writes the header as compact JSON (metadata first) padded with
# spaces to a multiple of 8 bytes, and the data back to back from offset 0.

ST_ORDER = ["BOOL", "U8", "I8", "F8_E5M2", "F8_E4M3", "I16", "U16", "F16", "BF16", "I32", "U32", "F32", "F64",
            "I64", "U64"]
ST_SIZE = {"BOOL": 1, "U8": 1, "I8": 1, "F8_E5M2": 1, "F8_E4M3": 1, "I16": 2, "U16": 2, "F16": 2, "BF16": 2,
           "I32": 4, "U32": 4, "F32": 4, "F64": 8, "I64": 8, "U64": 8}
TORCH_ST = {torch.float32: "F32", torch.float64: "F64", torch.float16: "F16", torch.bfloat16: "BF16",
            torch.int64: "I64", torch.int32: "I32", torch.uint8: "U8", torch.bool: "BOOL"}
ST_NUMPY = {"F32": "<f4", "F64": "<f8", "F16": "<f2", "I64": "<i8", "I32": "<i4", "U8": "u1", "BOOL": "?"}


def st_bytes(t):
    t = t.detach().contiguous().cpu()
    if t.dtype == torch.bfloat16:
        return t.view(torch.int16).numpy().astype("<i2").tobytes()
    return t.numpy().astype(ST_NUMPY[TORCH_ST[t.dtype]]).tobytes()


def st_dumps(tensors, metadata=None):
    """The bytes of a safetensors file of tensors (a dict name -> torch tensor), as the
    reference writer makes them."""
    items = sorted(tensors.items(), key=lambda kv: (-ST_ORDER.index(TORCH_ST[kv[1].dtype]), kv[0].encode()))
    header, data, off = {}, [], 0
    if metadata:
        header["__metadata__"] = {k: metadata[k] for k in sorted(metadata)}
    for name, t in items:
        b = st_bytes(t)
        header[name] = {"dtype": TORCH_ST[t.dtype], "shape": list(t.shape), "data_offsets": [off, off + len(b)]}
        data.append(b)
        off += len(b)
    h = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    return struct.pack("<Q", len(h)) + h + b"".join(data)


class STError(Exception):
    pass


def st_loads(b):
    """Reads and checks the bytes of a safetensors file: returns ([(name, tensor)] in data
    order, metadata). Refuses what the format forbids: a header longer than the file or than
    100 MB, a header that is not a JSON object, a duplicate name, an entry without dtype, shape
    or data_offsets, an unknown dtype, offsets that leave holes, overlap or run past the data,
    and a byte count that is not the shape's times the dtype's size."""
    if len(b) < 8:
        raise STError("file of %d bytes" % len(b))
    (n,) = struct.unpack("<Q", b[:8])
    if n > 100_000_000 or 8 + n > len(b):
        raise STError("header of %d bytes in a file of %d" % (n, len(b)))
    text = b[8:8 + n].decode("utf-8")

    def no_dups(pairs):
        d = {}
        for k, v in pairs:
            if k in d:
                raise STError("name %r twice" % k)
            d[k] = v
        return d

    header = json.loads(text, object_pairs_hook=no_dups)
    if not isinstance(header, dict):
        raise STError("header is not a JSON object")
    meta = header.pop("__metadata__", None)
    if meta is not None and not (isinstance(meta, dict) and all(isinstance(v, str) for v in meta.values())):
        raise STError("__metadata__ is not a map of strings")
    entries = []
    for name, e in header.items():
        if not isinstance(e, dict) or set(e) != {"dtype", "shape", "data_offsets"}:
            raise STError("entry %r: %r" % (name, e))
        if e["dtype"] not in ST_SIZE:
            raise STError("entry %r: dtype %r" % (name, e["dtype"]))
        if not all(isinstance(d, int) and d >= 0 for d in e["shape"]):
            raise STError("entry %r: shape %r" % (name, e["shape"]))
        entries.append((e["data_offsets"][0], e["data_offsets"][1], name, e))
    entries.sort(key=lambda x: (x[0], x[1]))
    data, pos, out = b[8 + n:], 0, []
    for begin, end, name, e in entries:
        if begin != pos or end < begin:
            raise STError("entry %r: data_offsets [%d, %d] after %d" % (name, begin, end, pos))
        if end > len(data):
            raise STError("entry %r: data_offsets [%d, %d] past the data's %d bytes" % (name, begin, end, len(data)))
        count = math.prod(e["shape"])
        if (end - begin) != count * ST_SIZE[e["dtype"]]:
            raise STError("entry %r: %d bytes for shape %r of %s" % (name, end - begin, e["shape"], e["dtype"]))
        raw = data[begin:end]
        if e["dtype"] not in ST_NUMPY and e["dtype"] != "BF16":
            raise STError("entry %r: dtype %s not read here" % (name, e["dtype"]))
        if e["dtype"] == "BF16":
            arr = np.frombuffer(raw, dtype="<i2").copy()
            t = torch.from_numpy(arr).view(torch.bfloat16)
        else:
            t = torch.from_numpy(np.frombuffer(raw, dtype=ST_NUMPY[e["dtype"]]).copy())
        out.append((name, t.reshape(e["shape"])))
        pos = end
    if pos != len(data):
        raise STError("data of %d bytes, offsets cover %d" % (len(data), pos))
    return out, meta


# ---------------------------------------------------------------------------------------------
# descent's models in PyTorch.

class Spec:
    def __init__(self, s):
        self.preset, self.hidden, self.act, self.norm, self.dropout = None, [], "relu", None, 0.0
        parts = s.split(":")
        if s in ("logreg", "mlp") or parts[0] == "linear":
            self.preset = s
            if parts[0] == "linear" and len(parts) > 1:
                raise SystemExit("--model linear takes no options")
            return
        if parts[0] != "mlp" or len(parts) < 2:
            raise SystemExit("--model %r: want linear, logreg, mlp or mlp:W1,W2,...[:act][:norm][:dropout=P]" % s)
        self.hidden = [int(w) for w in parts[1].split(",")]
        for p in parts[2:]:
            if p in ("relu", "gelu", "tanh"):
                self.act = p
            elif p in ("layernorm", "batchnorm"):
                self.norm = p
            elif p.startswith("dropout="):
                self.dropout = float(p[len("dropout="):])
            else:
                raise SystemExit("--model %r: unknown option %r" % (s, p))


def build(spec, inputs, outputs):
    if spec.preset == "logreg":
        return nn.Sequential(nn.Linear(784, 10), nn.LogSoftmax(dim=1))
    if spec.preset == "mlp":
        return nn.Sequential(nn.Linear(784, 1000), nn.ReLU(), nn.Linear(1000, 1000), nn.ReLU(), nn.Linear(1000, 10),
                             nn.LogSoftmax(dim=1))
    if spec.preset == "linear":
        return nn.Sequential(nn.Linear(inputs, outputs))
    layers, n = [], inputs
    for w in spec.hidden:
        layers.append(nn.Linear(n, w))
        if spec.norm == "layernorm":
            layers.append(nn.LayerNorm(w))
        elif spec.norm == "batchnorm":
            layers.append(nn.BatchNorm1d(w))
        layers.append({"relu": nn.ReLU, "gelu": nn.GELU, "tanh": nn.Tanh}[spec.act]())
        if spec.dropout > 0:
            layers.append(nn.Dropout(spec.dropout))
        n = w
    layers.append(nn.Linear(n, outputs))
    return nn.Sequential(*layers)


def sizes_from_state(state):
    """The input and output sizes of a Sequential's state: its first and last Linear weights."""
    ws = [(int(k.split(".")[0]), v) for k, v in state.items() if k.endswith(".weight") and v.dim() == 2]
    ws.sort(key=lambda x: x[0])
    return ws[0][1].shape[1], ws[-1][1].shape[0]


# ---------------------------------------------------------------------------------------------
# Data.

def load_data(path, target):
    if path.endswith(".npy"):
        return np.load(path).astype(np.float32), None
    if path.endswith(".npz"):
        z = np.load(path)
        return z["x"].astype(np.float32), (z["y"] if "y" in z.files else None)
    if path.endswith(".csv"):
        with open(path) as f:
            names = f.readline().strip().split(",")
        arr = np.loadtxt(path, delimiter=",", skiprows=1, ndmin=2, dtype=np.float64)
        if target is None:
            return arr.astype(np.float32), None
        j = names.index(target)
        return np.delete(arr, j, axis=1).astype(np.float32), arr[:, j]
    raise SystemExit("--data %s: want .npy, .npz or .csv" % path)


def task_of(y, task):
    if task:
        return task
    return "classify" if np.all(np.asarray(y) == np.round(y)) else "regress"


def loss_of(out, y, task):
    if task == "classify":
        return float(nn.functional.cross_entropy(out.double(), torch.from_numpy(np.asarray(y).astype(np.int64))))
    yt = torch.from_numpy(np.asarray(y, dtype=np.float64)).reshape(out.shape)
    return float(nn.functional.mse_loss(out.double(), yt))


def predict(model, x):
    model.eval()
    with torch.no_grad():
        return model(torch.from_numpy(x))


# ---------------------------------------------------------------------------------------------
# Fixtures.

gen = torch.Generator().manual_seed(20250611)


def randn(*shape):
    return torch.randn(shape, generator=gen, dtype=torch.float32)


def fixture_mlp():
    """The fixture model: Linear, LayerNorm, ReLU, Dropout, Linear, BatchNorm1d, GELU, Dropout,
    Linear, 5 inputs, 3 outputs, every parameter drawn afresh and the BatchNorm statistics
    from three training batches, from a generator of its own: the same model at each call."""
    torch.manual_seed(7)
    g = torch.Generator().manual_seed(20250612)
    m = nn.Sequential(nn.Linear(5, 6), nn.LayerNorm(6), nn.ReLU(), nn.Dropout(0.1), nn.Linear(6, 4),
                      nn.BatchNorm1d(4), nn.GELU(), nn.Dropout(0.1), nn.Linear(4, 3))
    with torch.no_grad():
        for k, v in m.named_parameters():
            r = torch.randn(v.shape, generator=g)
            v.copy_(r * (0.5 if v.dim() == 2 else 0.3) + (1 if k in ("1.weight", "5.weight") else 0))
        m.train()
        for _ in range(3):
            m(torch.randn((9, 5), generator=g) * 2)
    m.eval()
    return m


def other_arch():
    """A model of another architecture: the first layer's width differs (8, not 6)."""
    return nn.Sequential(nn.Linear(5, 8), nn.ReLU(), nn.Linear(8, 3))


def enc(t):
    return {"shape": list(t.shape), "data": [float(v) for v in t.detach().double().reshape(-1).tolist()]}


def write(name, b):
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(b)


def fixtures():
    os.makedirs(OUT, exist_ok=True)
    m = fixture_mlp()
    sd = m.state_dict()
    x = randn(7, 5)
    pred = predict(m, x.numpy())
    with torch.no_grad():
        pred64 = copy.deepcopy(m).double()(x.double())
    torch.save(sd, os.path.join(OUT, "mlp.pt"))
    torch.save(sd, os.path.join(OUT, "mlp_legacy.pt"), _use_new_zipfile_serialization=False)
    st = st_dumps(sd, {"format": "pt"})
    write("mlp.safetensors", st)
    write("mlp.weights", descent_weights(sd))
    manifest = {"torch": torch.__version__, "x": enc(x), "predictions": enc(pred), "predictions64": enc(pred64),
                "state": [{"name": k, "int64": v.dtype == torch.int64, **enc(v)} for k, v in sd.items()]}

    # Other dtypes and layouts. In the .pt: a transposed (non-contiguous) tensor, two views of
    # one storage at offsets, a 0-d tensor, an empty one; float64, float16, bfloat16, int64.
    base = randn(4, 6)
    wide = randn(3, 5).double()
    dt = {
        "f32": randn(2, 3),
        "f64": wide * 1e-3,
        "f16": randn(5).half(),
        "bf16": randn(2, 2).bfloat16(),
        "i64": torch.tensor([[0, -3], [7, 1 << 20]], dtype=torch.int64),
        "scalar": torch.tensor(2.5),
        "empty": torch.zeros(0, 3),
    }
    pt = dict(dt)
    pt["transposed"] = base.t()  # shape (6, 4), strides (1, 6)
    pt["rows"] = base[1:3]  # a view at storage offset 6
    pt["column"] = base[:, 2]  # shape (4,), stride 6, offset 2
    torch.save(pt, os.path.join(OUT, "dtypes.pt"))
    write("dtypes.safetensors", st_dumps(dt))
    manifest["dtypes"] = [{"name": k, **enc(v.double() if v.dtype != torch.bfloat16 else v.float())}
                          for k, v in pt.items()]

    # Damaged and mismatched files.
    hlen = struct.unpack("<Q", st[:8])[0]
    write("bad_truncated_header.safetensors", st[:8 + hlen // 2])
    write("bad_short.safetensors", st[:5])
    write("bad_not_json.safetensors", struct.pack("<Q", 16) + b"this is not json" + b"\0" * 8)
    write("bad_header_length.safetensors", struct.pack("<Q", 1 << 40) + st[8:])
    hdr = json.loads(st[8:8 + hlen])
    e = hdr["8.weight"]  # the last tensor of the data: its end runs past the file
    e["data_offsets"] = [e["data_offsets"][0], e["data_offsets"][1] + 400]
    e["shape"] = [4, 28]
    write("bad_offsets.safetensors", rebuild_header(hdr, st[8 + hlen:]))
    hdr = json.loads(st[8:8 + hlen])
    e = hdr["4.bias"]  # overlaps the next tensor
    e["data_offsets"] = [e["data_offsets"][0], e["data_offsets"][1] + 4]
    e["shape"] = [5]
    write("bad_overlap.safetensors", rebuild_header(hdr, st[8 + hlen:]))
    hdr = json.loads(st[8:8 + hlen])
    hdr["0.weight"]["shape"] = [5, 7]
    write("bad_shape_bytes.safetensors", rebuild_header(hdr, st[8 + hlen:]))
    hdr = json.loads(st[8:8 + hlen])
    hdr["0.weight"]["dtype"] = "F8_E4M3"
    hdr["0.weight"]["shape"] = [120]
    write("bad_dtype.safetensors", rebuild_header(hdr, st[8 + hlen:]))
    # A duplicate name: the header text repeats an entry under the same key.
    text = st[8:8 + hlen].decode().rstrip()
    k = text.index('"8.bias"')
    j = text.index("}", k) + 1
    dup = text[:-1] + "," + text[k:j] + "}"
    write("bad_duplicate.safetensors", pad_header(dup.encode(), st[8 + hlen:]))
    # A wrong shape against the model, in a valid file: 0.weight as 5×6 instead of 6×5.
    wrong = dict(sd)
    wrong["0.weight"] = sd["0.weight"].t().contiguous()
    write("wrong_shape.safetensors", st_dumps(wrong))
    o = other_arch()
    torch.save(o.state_dict(), os.path.join(OUT, "other_arch.pt"))
    write("other_arch.safetensors", st_dumps(o.state_dict()))
    with zipfile.ZipFile(os.path.join(OUT, "not_torch.zip"), "w") as z:
        z.writestr("notes/readme.txt", "a zip file that torch.save did not write\n")
    ptb = open(os.path.join(OUT, "mlp.pt"), "rb").read()
    write("bad_truncated.pt", ptb[:len(ptb) // 2])
    # A torch file one of whose storages is missing from the archive.
    with zipfile.ZipFile(os.path.join(OUT, "mlp.pt")) as zin, \
            zipfile.ZipFile(os.path.join(OUT, "bad_missing_storage.pt"), "w") as zout:
        for info in zin.infolist():
            if not info.filename.endswith("/data/3"):
                zout.writestr(info, zin.read(info.filename))
    # A checkpoint dict, not a state_dict.
    torch.save({"model": sd, "epoch": 3}, os.path.join(OUT, "checkpoint_dict.pt"))

    with open(os.path.join(OUT, "mlp.json"), "w") as f:
        json.dump(manifest, f, separators=(",", ":"))
        f.write("\n")

    # The codec reads back what it wrote, and refuses every damaged file.
    got, meta = st_loads(st)
    assert meta == {"format": "pt"} and [n for n, _ in got] == sorted(sd, key=lambda n: (sd[n].dtype != torch.int64, n))
    for n, t in got:
        assert torch.equal(t, sd[n]), n
    for name in sorted(os.listdir(OUT)):
        if name.startswith("bad_") and name.endswith(".safetensors"):
            try:
                st_loads(open(os.path.join(OUT, name), "rb").read())
            except (STError, ValueError, UnicodeDecodeError) as err:
                print("%-34s refused: %s" % (name, str(err)[:70]))
            else:
                raise SystemExit(name + " was accepted")
    print("wrote", len(os.listdir(OUT)), "files to nn/testdata/weights; now run\n"
          "    go test ./nn/weights -run TestGoWritten -update\n"
          "    /usr/bin/python3 nn/testdata/torch_roundtrip.py check")


def descent_weights(state):
    """The bytes of descent's former weights format (model.weights and the checkpoints of
    older run folders), as descent wrote a state dict: b"DESCENTW", uint32 version 1, uint32
    count, then per tensor uint32 name length, name, uint32 rank, uint32 dims, float32 data
    (num_batches_tracked too), little-endian."""
    out = bytearray(b"DESCENTW" + struct.pack("<II", 1, len(state)))
    for name, t in state.items():
        arr = t.detach().numpy().astype("<f4")  # tobytes() is row-major; a 0-d array stays 0-d
        nb = name.encode()
        out += struct.pack("<I", len(nb)) + nb + struct.pack("<I", arr.ndim)
        out += struct.pack("<%dI" % arr.ndim, *arr.shape) + arr.tobytes()
    return bytes(out)


def pad_header(h, data):
    h += b" " * ((8 - len(h) % 8) % 8)
    return struct.pack("<Q", len(h)) + h + data


def rebuild_header(hdr, data):
    return pad_header(json.dumps(hdr, separators=(",", ":")).encode(), data)


def check():
    """descent's writer: go_written.safetensors holds the fixture MLP's state, read from mlp.pt
    by descent and written back by its safetensors writer."""
    path = os.path.join(OUT, "go_written.safetensors")
    b = open(path, "rb").read()
    tensors, meta = st_loads(b)
    m = fixture_mlp()
    sd = m.state_dict()
    for n, t in tensors:
        assert n in sd, "unknown tensor %s" % n
        assert t.dtype == sd[n].dtype and torch.equal(t, sd[n]), "tensor %s differs from torch's" % n
    other = fixture_mlp_fresh()
    other.load_state_dict(dict(tensors), strict=True)
    with open(os.path.join(OUT, "mlp.json")) as f:
        want = json.load(f)
    x = np.array(want["x"]["data"], dtype=np.float32).reshape(want["x"]["shape"])
    got = predict(other, x).double().reshape(-1).tolist()
    worst = max(abs(a - b) / max(abs(b), 1e-30) for a, b in zip(got, want["predictions"]["data"]))
    assert worst == 0, "predictions differ by %g relative" % worst
    print("go_written.safetensors: %d tensors, metadata %s, loaded strictly; predictions equal to torch's"
          % (len(tensors), meta))
    # The same state written by this codec gives the same bytes, metadata aside.
    assert st_dumps(dict(tensors), meta) == b, "descent's bytes differ from the reference writer's"
    print("go_written.safetensors: byte for byte the reference writer's layout")


def fixture_mlp_fresh():
    torch.manual_seed(99)
    return nn.Sequential(nn.Linear(5, 6), nn.LayerNorm(6), nn.ReLU(), nn.Dropout(0.1), nn.Linear(6, 4),
                         nn.BatchNorm1d(4), nn.GELU(), nn.Dropout(0.1), nn.Linear(4, 3))


# ---------------------------------------------------------------------------------------------
# export and predict.

def export(args):
    spec = Spec(args.model)
    x, y = load_data(args.data, args.target)
    inputs = args.inputs or x.shape[1]
    task = task_of(y, args.task) if y is not None else args.task
    outputs = args.outputs or (int(np.max(y)) + 1 if task == "classify" else 1)
    torch.manual_seed(args.seed)
    model = build(spec, inputs, outputs)
    torch.save(model.state_dict(), args.out)
    out = predict(model, x)
    print("wrote %s: %s, %d inputs, %d outputs, %d tensors" % (args.out, args.model, inputs, outputs,
                                                             len(model.state_dict())))
    if y is not None:
        print("test loss (%s, eval mode): %.9g" % ("cross entropy" if task == "classify" else "MSE",
                                                   loss_of(out, y, task)))


def predict_cmd(args):
    spec = Spec(args.model)
    if args.safetensors:
        tensors, meta = st_loads(open(args.safetensors, "rb").read())
        state = dict(tensors)
    elif args.pt:
        state, meta = torch.load(args.pt), None
    else:
        raise SystemExit("predict: --safetensors FILE or --pt FILE")
    inputs, outputs = sizes_from_state(state)
    model = build(spec, args.inputs or inputs, args.outputs or outputs)
    model.load_state_dict(state, strict=True)
    x, y = load_data(args.data, args.target)
    out = predict(model, x)
    np.set_printoptions(precision=9, suppress=False, threshold=40)
    print("loaded %d tensors (metadata %s) into %s" % (len(state), meta, args.model))
    print("predictions (%s):" % "×".join(map(str, out.shape)))
    print(out.numpy())
    if args.out:
        np.save(args.out, out.numpy())
        print("wrote", args.out)
    if y is not None:
        task = task_of(y, args.task)
        print("loss (%s, eval mode): %.9g" % ("cross entropy" if task == "classify" else "MSE",
                                              loss_of(out, y, task)))


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="cmd")
    sub.add_parser("fixtures")
    sub.add_parser("check")
    for name in ("export", "predict"):
        q = sub.add_parser(name)
        q.add_argument("--model", required=True)
        q.add_argument("--data", required=True)
        q.add_argument("--target")
        q.add_argument("--task", choices=["classify", "regress"])
        q.add_argument("--inputs", type=int)
        q.add_argument("--outputs", type=int)
        q.add_argument("--out")
        if name == "export":
            q.add_argument("--seed", type=int, default=1)
        else:
            q.add_argument("--safetensors")
            q.add_argument("--pt")
    args = p.parse_args()
    if args.cmd in (None, "fixtures"):
        fixtures()
    elif args.cmd == "check":
        check()
    elif args.cmd == "export":
        if not args.out:
            raise SystemExit("export: --out FILE")
        export(args)
    else:
        predict_cmd(args)


if __name__ == "__main__":
    main()
