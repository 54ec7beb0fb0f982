// Package fma computes fused multiply-adds in float32, rounded once as the VFMADD
// instructions of descent's assembly and of PyTorch's kernels round them: the Go twins of
// those kernels (internal/optimk, internal/vec) and L-BFGS's vector updates
// (internal/lbfgs) call it, so that the twins compute the bits of the assembly.
package fma

import "math"

// Float32 returns a·b + c rounded once to float32. The product is exact in float64 and the
// sum is rounded once to float64; rounding that to float32 is right unless the float64 sum
// fell exactly on a float32 tie (its 29 low mantissa bits 1000…0) while the exact sum was
// not on it, which the exact error of the sum (Knuth's TwoSum) settles.
// (float32(math.FMA(a, b, c)) rounds twice and is wrong in those cases.)
func Float32(a, b, c float32) float32 {
	p := float64(a) * float64(b)
	s := p + float64(c)
	if math.Float64bits(s)&(1<<29-1) == 1<<28 {
		s = settleTie(p, float64(c), s)
	}
	return float32(s)
}

// settleTie moves s = fl(p + c), a float32 tie, one float64 step towards the exact p + c.
func settleTie(p, c, s float64) float64 {
	bb := s - p
	e := (p - (s - bb)) + (c - bb) // the exact error p + c - s
	switch {
	case e > 0:
		return math.Nextafter(s, math.Inf(1))
	case e < 0:
		return math.Nextafter(s, math.Inf(-1))
	}
	return s
}
