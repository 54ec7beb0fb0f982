//go:build !noasm

package machine

import "github.com/descent-ml/descent/internal/cpu"

// fmaAVX512 runs iters iterations of 24 ZMM accumulators, each lane updated as
// acc = a·acc + b rounded once, from acc = b, and stores the 24×16 lanes to out. It
// replaces fmaTwin(iters, ab, out[:384]).
//
//go:noescape
func fmaAVX512(iters int, ab *[2]float32, out *float32)

// fmaAVX2 is fmaAVX512 with 12 YMM accumulators: fmaTwin(iters, ab, out[:96]).
//
//go:noescape
func fmaAVX2(iters int, ab *[2]float32, out *float32)

// triadAVX2 sets a[i] = b[i] + s·c[i] for i < n, n a multiple of 32, the product rounded
// before the sum. It replaces triadGo(a[:n], b, c, s).
//
//go:noescape
func triadAVX2(a, b, c *float32, s float32, n int)

// fmaKernels lists the FMA loops of this CPU (as internal/cpu enables its features), widest
// first, "go" last.
func fmaKernels() []fmaKernel {
	f := cpu.Enabled()
	var ks []fmaKernel
	if f.AVX512F {
		ks = append(ks, fmaKernel{"avx512", 24 * 16, func(iters int, ab *[2]float32, out []float32) {
			_ = out[24*16-1]
			fmaAVX512(iters, ab, &out[0])
		}})
	}
	if f.AVX2 && f.FMA {
		ks = append(ks, fmaKernel{"avx2", 12 * 8, func(iters int, ab *[2]float32, out []float32) {
			_ = out[12*8-1]
			fmaAVX2(iters, ab, &out[0])
		}})
	}
	return append(ks, goKernel)
}

// triad sets a[i] = b[i] + s·c[i] for every i of a, in assembly where the CPU has AVX2.
func triad(a, b, c []float32, s float32) {
	n := 0
	if f := cpu.Enabled(); f.AVX2 {
		n = len(a) &^ 31
	}
	if n > 0 {
		_, _ = b[n-1], c[n-1]
		triadAVX2(&a[0], &b[0], &c[0], s, n)
	}
	triadGo(a[n:], b[n:], c[n:], s)
}
