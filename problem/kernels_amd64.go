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

// dot4U8AVX512 sets out[r] = Σⱼ float64(x[r·stride+j])·w[j] for r < 4, j < n, n a
// multiple of 8:
//
//	for r := 0; r < 4; r++ {
//		for j := 0; j < n; j++ {
//			out[r] += float64(x[r*stride+j]) * w[j]
//		}
//	}
//
//go:noescape
func dot4U8AVX512(x *uint8, stride int, w *float64, n int, out *[4]float64)

// axpy4U8AVX512 adds Σᵣ a[r]·float64(x[r·stride+j]) to y[j] for j < n, n a multiple of 8:
//
//	for j := 0; j < n; j++ {
//		for r := 0; r < 4; r++ {
//			y[j] += a[r] * float64(x[r*stride+j])
//		}
//	}
//
//go:noescape
func axpy4U8AVX512(y *float64, a *[4]float64, x *uint8, stride int, n int)

func dot4U8(out *[4]float64, x []uint8, stride int, w []float64) {
	n := len(w)
	if !useAVX512 || n < 8 {
		dot4U8Go(out, x, stride, w)
		return
	}
	_ = x[3*stride+n-1]
	m := n &^ 7
	dot4U8AVX512(&x[0], stride, &w[0], m, out)
	if m < n {
		for r := range 4 {
			out[r] += dotU8Go(x[r*stride+m:r*stride+n], w[m:])
		}
	}
}

func axpy4U8(y []float64, a *[4]float64, x []uint8, stride int) {
	n := len(y)
	if !useAVX512 || n < 8 {
		axpy4U8Go(y, a, x, stride)
		return
	}
	_ = x[3*stride+n-1]
	m := n &^ 7
	axpy4U8AVX512(&y[0], a, &x[0], stride, m)
	if m < n {
		axpy4U8Go(y[m:], a, x[m:], stride)
	}
}
