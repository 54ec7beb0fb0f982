// Package vec holds the elementwise float32 kernels of descent's tensors: loops over
// slices that the compiler does not vectorise, written in AVX2 assembly on amd64 with a
// pure-Go twin for other architectures and for builds with -tags noasm.
//
// # Contract
//
// Every kernel reads len(dst) elements of each operand; the other operands must be at
// least that long (the kernels panic otherwise, before touching memory). Operands may be
// the same slice when the doc comment says so; partial overlaps are not allowed.
//
// # Reference
//
// Each kernel's doc comment is the Go loop it computes; the Go twin in vec_go.go is that
// loop, and the tests compare the two on every length from 0 to 100 and on guarded
// buffers.
package vec
