#!/usr/bin/python3
"""Writes the .npy and .npz fixtures of package npy with NumPy, and manifest.json, which
says what each file holds (dtype, shape, flags, the values in C order) or why the decoder
must refuse it. Run from this folder: /usr/bin/python3 gen_npy.py (NumPy 1.24)."""

import json
import math

import numpy as np

manifest = {"numpy": np.__version__, "arrays": [], "refused": [], "npz": []}


def value(v):
    """A JSON form of one element: floats that JSON lacks as strings."""
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
    return v


def save(name, a, **kw):
    with open(name + ".npy", "wb") as f:
        if kw:
            np.lib.format.write_array(f, a, **kw)
        else:
            np.save(f, a)
    manifest["arrays"].append({
        "file": name + ".npy",
        "dtype": a.dtype.name,
        "shape": list(a.shape),
        "fortran": bool(a.flags.f_contiguous and not a.flags.c_contiguous),
        "big_endian": a.dtype.byteorder == ">",
        "values": [value(v) for v in np.ravel(a, order="C").tolist()],
    })


def ints(t):
    info = np.iinfo(t)
    return np.array([[info.min, -1 if info.min < 0 else 0, 0], [1, 77, info.max]], dtype=t)


save("bool", np.array([True, False, True, True, False]))
for t in ["int8", "uint8", "int16", "uint16", "int32", "uint32", "int64", "uint64"]:
    save(t, ints(t))
save("float32", np.array([[0.5, -1.25, np.float32(3.4028235e38)], [np.inf, -0.0, 1e-45]], dtype="float32"))
save("float64", np.array([math.pi, -math.e, 1e308, 5e-324, np.nan, -np.inf], dtype="float64"))
save("float64-big-endian", np.arange(6, dtype=">f8").reshape(2, 3) / 4)
save("int32-big-endian", np.array([-2, 65536, 7], dtype=">i4"))
save("uint16-big-endian", np.array([[1, 258], [65535, 0]], dtype=">u2"))
save("float64-fortran", np.asfortranarray(np.arange(12, dtype="float64").reshape(3, 4) - 5.5))
save("int32-fortran-3d", np.asfortranarray(np.arange(24, dtype="int32").reshape(2, 3, 4)))
save("float64-scalar", np.array(3.5))
save("float32-empty", np.zeros((0, 3), dtype="float32"))
save("int64-version2", np.arange(5, dtype="int64"), version=(2, 0))
save("float32-version3", np.arange(3, dtype="float32"), version=(3, 0))

# Files the decoder refuses, and the sentinel error it must match.
refused = [
    ("unicode", np.array(["ab", "c"]), "ErrDtype"),
    ("complex", np.array([1 + 2j]), "ErrDtype"),
    ("float16", np.array([1.5], dtype="float16"), "ErrDtype"),
    ("datetime", np.array(["2020-01-01"], dtype="datetime64[D]"), "ErrDtype"),
    ("structured", np.zeros(2, dtype=[("a", "<i4"), ("b", "<f8")]), "ErrDtype"),
    ("object", np.array([1, "a", None], dtype=object), "ErrDtype"),
]
for name, a, err in refused:
    np.save(name + ".npy", a, allow_pickle=True)
    manifest["refused"].append({"file": name + ".npy", "error": err})

x = (np.arange(12, dtype="float32").reshape(4, 3) - 6) / 3
y = np.array([0, 2, 1, 2], dtype="int64")
np.savez("xy.npz", x=x, y=y)
np.savez_compressed("xy-compressed.npz", x=x, y=y)
for name in ["xy.npz", "xy-compressed.npz"]:
    manifest["npz"].append({"file": name, "arrays": {
        "x": {"dtype": "float32", "shape": [4, 3], "values": x.ravel().tolist()},
        "y": {"dtype": "int64", "shape": [4], "values": y.tolist()}}})

with open("manifest.json", "w") as f:
    json.dump(manifest, f, indent=1)
    f.write("\n")
