// Package vec holds the elementwise float32 kernels of descent's tensors: loops over
// slices that the compiler does not vectorise (sums, rectifiers, the exponential), written
// in AVX2 and FMA assembly on amd64 with a pure-Go twin for other architectures, for CPUs
// without AVX2 (as the table of internal/cpu reports them, DESCENT_CPU included) and for
// builds with -tags noasm.
//
// # Contract
//
// Every kernel reads len(dst) elements of each operand; the other operands must be at
// least that long (the kernels panic otherwise, before touching memory). Operands may be
// the same slice when the doc comment says so; partial overlaps are not allowed.
//
// # Reference
//
// Each kernel's doc comment is the Go loop it computes; the Go twins in ref.go and exp.go
// are those loops (fused multiply-adds rounded once, as the assembly's, by internal/fma),
// and the tests compare assembly and twin bit for bit on every length from 0 to 100 inside
// guard bands.
package vec
