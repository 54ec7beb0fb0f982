//go:build noasm || !amd64

package machine

// fmaKernels lists the FMA loops of this build: only the Go one without assembly.
func fmaKernels() []fmaKernel { return []fmaKernel{goKernel} }

// triad sets a[i] = b[i] + s·c[i] for every i of a.
func triad(a, b, c []float32, s float32) { triadGo(a, b, c, s) }
