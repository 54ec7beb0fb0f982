package lbfgs

import "math"

// Float is the element type of the vectors L-BFGS works on.
type Float interface{ float32 | float64 }

// A Scalar is a number of torch's L-BFGS code, which is either a Python float (computed in
// float64) or a zero-dimensional tensor of the parameters' type T (computed in T). Torch mixes
// both: an operation with a tensor operand rounds the Python operand to T and computes in T.
// The step length t, for example, starts as a Python float and becomes a tensor once it has
// been interpolated; a float32 run rounds accordingly.
type Scalar struct {
	V      float64 // the value; a T value when Tensor is true
	Tensor bool    // computed as a tensor of T
}

// py returns a Python float, ts a tensor scalar of T.
func py(v float64) Scalar { return Scalar{V: v} }

func ts[T Float](v T) Scalar { return Scalar{V: float64(v), Tensor: true} }

// round rounds v to T.
func round[T Float](v float64) float64 { return float64(T(v)) }

func add[T Float](a, b Scalar) Scalar {
	if a.Tensor || b.Tensor {
		return ts(T(a.V) + T(b.V))
	}
	return py(a.V + b.V)
}

func sub[T Float](a, b Scalar) Scalar {
	if a.Tensor || b.Tensor {
		return ts(T(a.V) - T(b.V))
	}
	return py(a.V - b.V)
}

func mul[T Float](a, b Scalar) Scalar {
	if a.Tensor || b.Tensor {
		return ts(T(T(a.V) * T(b.V)))
	}
	return py(a.V * b.V)
}

// div is a / b. A Python float divided by a tensor is torch's __rtruediv__, the reciprocal of
// the tensor times the float, two roundings in T.
func div[T Float](a, b Scalar) Scalar {
	switch {
	case b.Tensor && !a.Tensor:
		return ts(T(T(1)/T(b.V)) * T(a.V))
	case a.Tensor || b.Tensor:
		return ts(T(a.V) / T(b.V))
	}
	return py(a.V / b.V)
}

func sqrtS[T Float](a Scalar) Scalar {
	if a.Tensor {
		return ts(T(math.Sqrt(float64(T(a.V)))))
	}
	return py(math.Sqrt(a.V))
}

func absS(a Scalar) Scalar { return Scalar{V: math.Abs(a.V), Tensor: a.Tensor} }

// less is a < b, compared in T when either is a tensor.
func less[T Float](a, b Scalar) bool {
	if a.Tensor || b.Tensor {
		return T(a.V) < T(b.V)
	}
	return a.V < b.V
}

// lessEq is a <= b, compared in T when either is a tensor.
func lessEq[T Float](a, b Scalar) bool {
	if a.Tensor || b.Tensor {
		return T(a.V) <= T(b.V)
	}
	return a.V <= b.V
}

// minS and maxS are Python's min and max: the first argument unless the second is strictly
// smaller (larger), keeping the chosen operand's kind.
func minS[T Float](a, b Scalar) Scalar {
	if less[T](b, a) {
		return b
	}
	return a
}

func maxS[T Float](a, b Scalar) Scalar {
	if less[T](a, b) {
		return b
	}
	return a
}
