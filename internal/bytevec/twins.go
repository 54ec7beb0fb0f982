package bytevec

import "math"

// The Go twins of the assembly kernels: the same fused multiply-adds into the same
// accumulators, summed in the same order, so they compute the same bits. Each works on
// whole blocks: len(x) (or len(w), len(y)) is a multiple of 8.

// dotBlocksGo returns Σᵢ float64(x[i])·w[i]: blocks of 32 into four vectors of eight lanes
// (vector k takes elements 8k to 8k+7 of each block), the last blocks of 8 into the first
// vector; then the sum of the vectors and of the lanes (see sum8).
func dotBlocksGo(x []uint8, w []float64) float64 {
	n := len(x)
	w = w[:n]
	var acc [4][8]float64
	i := 0
	for ; i+32 <= n; i += 32 {
		for k := range 4 {
			for l := range 8 {
				j := i + 8*k + l
				acc[k][l] = math.FMA(float64(x[j]), w[j], acc[k][l])
			}
		}
	}
	for ; i < n; i += 8 {
		for l := range 8 {
			acc[0][l] = math.FMA(float64(x[i+l]), w[i+l], acc[0][l])
		}
	}
	var z [8]float64
	for l := range 8 {
		z[l] = (acc[0][l] + acc[1][l]) + (acc[2][l] + acc[3][l])
	}
	return sum8(&z)
}

// sum8 adds the lanes of a vector as the assembly does: l with l+4, then l with l+2, then
// the two left.
func sum8(z *[8]float64) float64 {
	a0, a1, a2, a3 := z[0]+z[4], z[1]+z[5], z[2]+z[6], z[3]+z[7]
	return (a0 + a2) + (a1 + a3)
}

// axpyBlocksGo sets y[i] = fma(a, float64(x[i]), y[i]).
func axpyBlocksGo(y []float64, a float64, x []uint8) {
	y = y[:len(x)]
	for i, v := range x {
		y[i] = math.FMA(a, float64(v), y[i])
	}
}

// dot4BlocksGo sets out[r] = Σⱼ float64(x[r·stride+j])·w[j] for the four rows: blocks of
// 16 into two vectors of eight lanes per row (the first takes elements 0 to 7 of each
// block), the last block of 8 into the first; then the sum of the two vectors and of the
// lanes (sum8).
func dot4BlocksGo(out *[4]float64, x []uint8, stride int, w []float64) {
	n := len(w)
	for r := range 4 {
		xr := x[r*stride : r*stride+n]
		var lo, hi [8]float64
		j := 0
		for ; j+16 <= n; j += 16 {
			for l := range 8 {
				lo[l] = math.FMA(float64(xr[j+l]), w[j+l], lo[l])
				hi[l] = math.FMA(float64(xr[j+8+l]), w[j+8+l], hi[l])
			}
		}
		for ; j < n; j += 8 {
			for l := range 8 {
				lo[l] = math.FMA(float64(xr[j+l]), w[j+l], lo[l])
			}
		}
		var z [8]float64
		for l := range 8 {
			z[l] = lo[l] + hi[l]
		}
		out[r] = sum8(&z)
	}
}

// axpy4BlocksGo sets y[j] = fma(a[3], x₃, fma(a[2], x₂, fma(a[1], x₁, fma(a[0], x₀, y[j]))))
// with xᵣ = float64(x[r·stride+j]).
func axpy4BlocksGo(y []float64, a *[4]float64, x []uint8, stride int) {
	n := len(y)
	x0, x1, x2, x3 := x[:n], x[stride:stride+n], x[2*stride:2*stride+n], x[3*stride:3*stride+n]
	for j := range y {
		v := math.FMA(a[0], float64(x0[j]), y[j])
		v = math.FMA(a[1], float64(x1[j]), v)
		v = math.FMA(a[2], float64(x2[j]), v)
		y[j] = math.FMA(a[3], float64(x3[j]), v)
	}
}
