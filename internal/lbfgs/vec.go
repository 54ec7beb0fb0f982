package lbfgs

import "math"

// The elementwise operations of torch's L-BFGS, each rounding as its torch counterpart does;
// the reductions are in reduce.go.

// maxAbs returns max|a_i|.
func maxAbs[T Float](a []T) float64 {
	var m float64
	for _, v := range a {
		m = math.Max(m, math.Abs(float64(v)))
	}
	return m
}

// maxAbsScaled returns max|T(a_i·t)| (torch's d.mul(t).abs().max()).
func maxAbsScaled[T Float](a []T, t T) float64 {
	var m float64
	for _, v := range a {
		m = math.Max(m, math.Abs(float64(T(v*t))))
	}
	return m
}

// axpyTo sets dst = a·x + y, one fused multiply-add per element (torch's y.add_(x, alpha=a)).
func axpyTo[T Float](dst []T, a T, x, y []T) {
	x, y = x[:len(dst)], y[:len(dst)]
	for i := range dst {
		dst[i] = fused(a, x[i], y[i])
	}
}

// subTo sets dst = a - b.
func subTo[T Float](dst, a, b []T) {
	a, b = a[:len(dst)], b[:len(dst)]
	for i := range dst {
		dst[i] = a[i] - b[i]
	}
}

// mulTo sets dst = a·t.
func mulTo[T Float](dst, a []T, t T) {
	a = a[:len(dst)]
	for i := range dst {
		dst[i] = T(a[i] * t)
	}
}

// negTo sets dst = -a.
func negTo[T Float](dst, a []T) {
	a = a[:len(dst)]
	for i := range dst {
		dst[i] = -a[i]
	}
}
