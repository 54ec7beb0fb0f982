//go:build !noasm

package problem

import "golang.org/x/sys/cpu"

var useAVX512 = cpu.X86.HasAVX512F

// dotU8AVX512 returns Σᵢ float64(x[i])·w[i] for i < n, n a multiple of 8:
//
//	for i := 0; i < n; i++ {
//		s += float64(x[i]) * w[i]
//	}
//
//go:noescape
func dotU8AVX512(x *uint8, w *float64, n int) float64

// axpyU8AVX512 adds a·float64(x[i]) to y[i] for i < n, n a multiple of 8:
//
//	for i := 0; i < n; i++ {
//		y[i] += a * float64(x[i])
//	}
//
//go:noescape
func axpyU8AVX512(y *float64, a float64, x *uint8, n int)

func dotU8(x []uint8, w []float64) float64 {
	n := len(x)
	if !useAVX512 || n < 8 {
		return dotU8Go(x, w)
	}
	w = w[:n]
	m := n &^ 7
	s := dotU8AVX512(&x[0], &w[0], m)
	if m < n {
		s += dotU8Go(x[m:], w[m:])
	}
	return s
}

func axpyU8(g []float64, a float64, x []uint8) {
	n := len(x)
	if !useAVX512 || n < 8 {
		axpyU8Go(g, a, x)
		return
	}
	g = g[:n]
	m := n &^ 7
	axpyU8AVX512(&g[0], a, &x[0], m)
	if m < n {
		axpyU8Go(g[m:], a, x[m:])
	}
}
