//go:build noasm || !amd64

package gemm

// impls lists the kernel sets this build runs: only goImpl without assembly.
func impls() []*impl { return []*impl{goImpl} }
