// Package safetensors reads and writes the safetensors format, in which descent's run
// folders keep a model's weights (model.safetensors) and which PyTorch, through Hugging
// Face's safetensors package, reads and writes:
//
//	8 bytes      N, the header's length, unsigned little-endian
//	N bytes      the header: a JSON object, UTF-8, padded with spaces
//	             {"__metadata__": {"key": "value", ...},       (optional, strings only)
//	              "0.weight": {"dtype": "F32", "shape": [64, 10], "data_offsets": [BEGIN, END]}, ...}
//	the rest     the data: each tensor's elements, little-endian, row-major, at
//	             [BEGIN, END) counted from the end of the header
//
// Tensors are named as the keys of the equivalent PyTorch module's state_dict
// ([nn.StateDict] gives them), so that a file moves between descent and PyTorch:
//
//	safetensors.WriteFile("model.safetensors", nn.StateDict(m), nil)   // descent → PyTorch
//	ts, _, err := safetensors.ReadFile("model.safetensors")            // PyTorch → descent
//	err = nn.LoadStateDict(m, ts, true)
//
// and in Python, model.load_state_dict(safetensors.torch.load_file("model.safetensors")).
//
// # Dtypes
//
// [Write] writes float32 tensors as F32 and the tensors marked [nn.NamedTensor].Int64
// (BatchNorm's num_batches_tracked) as I64, as PyTorch keeps them. [Read] reads F32 as it
// is; F64, F16 and BF16 converted to float32 (F16 and BF16 exactly, F64 rounded to nearest;
// a finite F64 beyond float32's range is refused rather than made infinite); I64 converted
// exactly, marked Int64, a value float32 does not hold (beyond 2²⁴ and odd, say) refused.
// The other dtypes of the format (BOOL, U8, I8, F8_E5M2, F8_E4M3, I16, U16, I32, U32, U64)
// are recognised and refused.
//
// # Layout and checks
//
// Write lays a file out as the reference implementation (huggingface/safetensors) does,
// byte for byte: the tensors sorted by dtype (I64 before F32) then by name, the header in
// compact JSON with the metadata first, padded with spaces to a multiple of 8 bytes, and
// the data back to back from offset 0, so that every tensor is aligned to its element size.
// The test suite checks the bytes against an independent writer (testdata's
// torch_roundtrip.py) and that script reads the bytes this package writes.
//
// Read checks the whole header before it allocates a tensor, in this order: the header
// length against the file's size and [MaxHeader]; UTF-8; a JSON object, nothing after it
// but spaces; no name twice; each entry exactly dtype, shape and data_offsets, a known dtype,
// a rank of at most [tensor.MaxRank]; then, sorted by offset, the spans tile the data with
// neither hole nor overlap, from its first byte to the file's last, each the shape's element
// count times the dtype's size (without overflow); and the dtype one that is read. The
// reference checks the same, and also that names are distinct (its JSON map keeps the last
// of two). A failure is an *[nn.WeightsError] naming the file ([ReadFile]) and the tensor.
//
// # Why this codec
//
// github.com/nlpodyssey/safetensors (BSD-2, untagged) reads and writes the format, but its
// header decoding lets a duplicate name overwrite the first, its tensor views count a
// scalar (shape []) as 0 elements, so BatchNorm's num_batches_tracked cannot be written
// through them, and its errors name neither file nor, mostly, tensor. The format is small:
// this package implements it on encoding/json, with the reference's checks and ours.
package safetensors
