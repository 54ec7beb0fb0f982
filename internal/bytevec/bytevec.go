package bytevec

import "github.com/descent-ml/descent/internal/cpu"

// hasAVX512 reports whether f has the features of the assembly kernels (amd64 only):
// AVX-512F, and AVX-512DQ for VCVTQQ2PD.
func hasAVX512(f cpu.Features) bool { return f.AVX512F && f.AVX512DQ }

// hasAVX2 reports whether f has the features of the AVX2 kernels (amd64 only): AVX2 and FMA.
func hasAVX2(f cpu.Features) bool { return f.AVX2 && f.FMA }

// Dot returns the dot product Σᵢ float64(x[i])·w[i], i < len(x), summed in the order the
// package doc states. It panics if w is shorter than x.
func Dot(x []uint8, w []float64) float64 {
	n := len(x)
	w = w[:n]
	if n < 8 {
		return dotTail(x, w)
	}
	m := n &^ 7
	s := dotBlocks(x[:m], w[:m])
	if m < n {
		s += dotTail(x[m:], w[m:])
	}
	return s
}

// Axpy adds a·float64(x[i]) to y[i] for i < len(x): a fused multiply-add on the whole
// blocks of 8, a product and a sum on the others. It panics if y is shorter than x.
func Axpy(y []float64, a float64, x []uint8) {
	n := len(x)
	y = y[:n]
	if n < 8 {
		axpyTail(y, a, x)
		return
	}
	m := n &^ 7
	axpyBlocks(y[:m], a, x[:m])
	if m < n {
		axpyTail(y[m:], a, x[m:])
	}
}

// Dot4 sets out[r] to the dot product of row r of x with w, r < 4, where row r is
// x[r·stride : r·stride+len(w)], each summed as [Dot] sums. It panics if x is too short.
func Dot4(out *[4]float64, x []uint8, stride int, w []float64) {
	n := len(w)
	_ = x[3*stride+n-1]
	if n < 8 {
		for r := range 4 {
			out[r] = dotTail(x[r*stride:r*stride+n], w)
		}
		return
	}
	m := n &^ 7
	dot4Blocks(out, x, stride, w[:m])
	if m < n {
		for r := range 4 {
			out[r] += dotTail(x[r*stride+m:r*stride+n], w[m:])
		}
	}
}

// Axpy4 adds Σᵣ a[r]·float64(x[r·stride+j]) to y[j], j < len(y), the four rows r in order,
// each term a fused multiply-add on the whole blocks of 8, a product and a sum on the
// others. It panics if x is too short.
func Axpy4(y []float64, a *[4]float64, x []uint8, stride int) {
	n := len(y)
	_ = x[3*stride+n-1]
	if n < 8 {
		axpy4Tail(y, a, x, stride)
		return
	}
	m := n &^ 7
	axpy4Blocks(y[:m], a, x, stride)
	if m < n {
		axpy4Tail(y[m:], a, x[m:], stride)
	}
}

// dotTail returns Σᵢ float64(x[i])·w[i] in four accumulators; len(w) ≥ len(x). The
// conversions keep each product rounded (no fusion), on every architecture.
func dotTail(x []uint8, w []float64) float64 {
	w = w[:len(x)]
	var s0, s1, s2, s3 float64
	i := 0
	for ; i+4 <= len(x); i += 4 {
		s0 += float64(float64(x[i]) * w[i])
		s1 += float64(float64(x[i+1]) * w[i+1])
		s2 += float64(float64(x[i+2]) * w[i+2])
		s3 += float64(float64(x[i+3]) * w[i+3])
	}
	for ; i < len(x); i++ {
		s0 += float64(float64(x[i]) * w[i])
	}
	return (s0 + s1) + (s2 + s3)
}

// axpyTail adds a·float64(x[i]) to y[i], rounding the product.
func axpyTail(y []float64, a float64, x []uint8) {
	y = y[:len(x)]
	for i, v := range x {
		y[i] += float64(a * float64(v))
	}
}

// axpy4Tail adds a[r]·float64(x[r·stride+j]) to y[j] for r = 0, 1, 2, 3 in turn, rounding
// each product.
func axpy4Tail(y []float64, a *[4]float64, x []uint8, stride int) {
	n := len(y)
	x0, x1, x2, x3 := x[:n], x[stride:stride+n], x[2*stride:2*stride+n], x[3*stride:3*stride+n]
	for j := range y {
		v := y[j] + float64(a[0]*float64(x0[j]))
		v += float64(a[1] * float64(x1[j]))
		v += float64(a[2] * float64(x2[j]))
		y[j] = v + float64(a[3]*float64(x3[j]))
	}
}
