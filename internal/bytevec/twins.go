package bytevec

import "math"

// The Go twins of the assembly kernels: the same fused multiply-adds into the same
// accumulators, summed in the same order, so they compute the same bits. Each works on
// whole blocks: len(x) (or len(w), len(y)) is a multiple of 8.

// dotBlocksGo returns Σᵢ float64(x[i])·w[i]: blocks of 32 into four vectors of eight lanes
// (vector k takes elements 8k to 8k+7 of each block), the last blocks of 8 into the first
// vector; then the sum of the vectors and of the lanes (see sum8). Each lane is computed
// on its own, its four accumulators in registers: the same sums as the assembly's, in the
// same order.
func dotBlocksGo(x []uint8, w []float64) float64 {
	n := len(x)
	w = w[:n]
	m := n &^ 31 // the blocks of 32
	var z [8]float64
	for l := range 8 {
		var a0, a1, a2, a3 float64
		for i := l; i < m; i += 32 {
			a0 = math.FMA(float64(x[i]), w[i], a0)
			a1 = math.FMA(float64(x[i+8]), w[i+8], a1)
			a2 = math.FMA(float64(x[i+16]), w[i+16], a2)
			a3 = math.FMA(float64(x[i+24]), w[i+24], a3)
		}
		for i := m + l; i < n; i += 8 {
			a0 = math.FMA(float64(x[i]), w[i], a0)
		}
		z[l] = (a0 + a1) + (a2 + a3)
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
// lanes (sum8). Each lane is computed on its own, the accumulators of the four rows in
// registers.
func dot4BlocksGo(out *[4]float64, x []uint8, stride int, w []float64) {
	n := len(w)
	m := n &^ 15 // the blocks of 16
	x0, x1, x2, x3 := x[:n], x[stride:stride+n], x[2*stride:2*stride+n], x[3*stride:3*stride+n]
	var z [4][8]float64
	for l := range 8 {
		var lo0, lo1, lo2, lo3, hi0, hi1, hi2, hi3 float64
		for j := l; j < m; j += 16 {
			wl, wh := w[j], w[j+8]
			lo0 = math.FMA(float64(x0[j]), wl, lo0)
			hi0 = math.FMA(float64(x0[j+8]), wh, hi0)
			lo1 = math.FMA(float64(x1[j]), wl, lo1)
			hi1 = math.FMA(float64(x1[j+8]), wh, hi1)
			lo2 = math.FMA(float64(x2[j]), wl, lo2)
			hi2 = math.FMA(float64(x2[j+8]), wh, hi2)
			lo3 = math.FMA(float64(x3[j]), wl, lo3)
			hi3 = math.FMA(float64(x3[j+8]), wh, hi3)
		}
		if j := m + l; j < n {
			lo0 = math.FMA(float64(x0[j]), w[j], lo0)
			lo1 = math.FMA(float64(x1[j]), w[j], lo1)
			lo2 = math.FMA(float64(x2[j]), w[j], lo2)
			lo3 = math.FMA(float64(x3[j]), w[j], lo3)
		}
		z[0][l], z[1][l], z[2][l], z[3][l] = lo0+hi0, lo1+hi1, lo2+hi2, lo3+hi3
	}
	for r := range 4 {
		out[r] = sum8(&z[r])
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

// blockDotsGo sets z[r·stride] to row r's dot product with w for the rows r < len(start)−1
// whose kept blocks are k in start[r]−start[0] : start[r+1]−start[0] of vals and ids: the
// k-th kept block of a row into vector k mod 4 (the last blocks, under four, into the
// first), then the sum of the vectors and of the lanes (sum8), as dotBlocksGo sums a row
// made of the kept blocks.
func blockDotsGo(z []float64, stride int, vals []uint8, ids []uint16, start []int, w []float64) {
	for r := 0; r+1 < len(start); r++ {
		k0, k1 := start[r]-start[0], start[r+1]-start[0]
		full := k0 + (k1-k0)&^3
		var s [8]float64
		for l := range 8 {
			var a0, a1, a2, a3 float64
			for k := k0; k < full; k += 4 {
				a0 = math.FMA(float64(vals[8*k+l]), w[int(ids[k])+l], a0)
				a1 = math.FMA(float64(vals[8*k+8+l]), w[int(ids[k+1])+l], a1)
				a2 = math.FMA(float64(vals[8*k+16+l]), w[int(ids[k+2])+l], a2)
				a3 = math.FMA(float64(vals[8*k+24+l]), w[int(ids[k+3])+l], a3)
			}
			for k := full; k < k1; k++ {
				a0 = math.FMA(float64(vals[8*k+l]), w[int(ids[k])+l], a0)
			}
			s[l] = (a0 + a1) + (a2 + a3)
		}
		z[r*stride] = sum8(&s)
	}
}

// blockDots5Go is blockDotsGo on each of the five weight vectors w[k·ld:k·ld+n], row r's
// values at z[r·stride+k].
func blockDots5Go(z []float64, stride int, vals []uint8, ids []uint16, start []int, w []float64, ld, n int) {
	for k := range 5 {
		blockDotsGo(z[k:], stride, vals, ids, start, w[k*ld:k*ld+n])
	}
}

// blockAxpysGo sets y[ids[k]+l] = fma(scale·a[r·stride], float64(vals[8k+l]), y[ids[k]+l])
// for the kept blocks k of each row r in turn (indexed as in blockDotsGo).
func blockAxpysGo(y []float64, scale float64, a []float64, stride int, vals []uint8, ids []uint16, start []int) {
	for r := 0; r+1 < len(start); r++ {
		c := scale * a[r*stride]
		for k := start[r] - start[0]; k < start[r+1]-start[0]; k++ {
			yb := y[int(ids[k]) : int(ids[k])+8]
			for l, v := range vals[8*k : 8*k+8] {
				yb[l] = math.FMA(c, float64(v), yb[l])
			}
		}
	}
}

// blockAxpys5Go is blockAxpysGo on each of the five vectors y[k·ld:k·ld+n] with the
// coefficients a[r·stride+k].
func blockAxpys5Go(y []float64, ld int, scale float64, a []float64, stride int, vals []uint8, ids []uint16, start []int, n int) {
	for k := range 5 {
		blockAxpysGo(y[k*ld:k*ld+n], scale, a[k:], stride, vals, ids, start)
	}
}
