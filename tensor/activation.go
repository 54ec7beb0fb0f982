package tensor

import (
	"math"

	"github.com/descent-ml/descent/internal/vec"
)

// ReLU sets dst = max(x, 0) elementwise; dst may be x.
func ReLU(dst, x *Tensor) {
	mustSameShape("ReLU", dst, x)
	unary(dst.data, x.data, func(d, x, _ []float32, _ Mode) {
		copy(d, x)
		vec.AddConstReLU(d, 0)
	})
}

// ReLUBackward sets dx = dy where y > 0 and 0 elsewhere (mode Assign), or adds that to dx
// (Accumulate): the gradient of [ReLU] with respect to its input, from its output y and
// the gradient dy of its output. dx may be dy when mode is Assign.
func ReLUBackward(dx, dy, y *Tensor, mode Mode) {
	mustSameShape("ReLUBackward", dx, dy, y)
	ternary(dx.data, dy.data, y.data, mode, reluBackward)
}

func reluBackward(dx, dy, y []float32, mode Mode) {
	if mode == Assign {
		copy(dx, dy)
		vec.MaskPositive(dx, y)
		return
	}
	dy, y = dy[:len(dx)], y[:len(dx)]
	for i := range dx {
		if y[i] > 0 {
			dx[i] += dy[i]
		}
	}
}

// Tanh sets dst = tanh(x) elementwise; dst may be x.
func Tanh(dst, x *Tensor) {
	mustSameShape("Tanh", dst, x)
	unary(dst.data, x.data, func(d, x, _ []float32, _ Mode) {
		for i, v := range x[:len(d)] {
			d[i] = float32(math.Tanh(float64(v)))
		}
	})
}

// TanhBackward sets (or, with Accumulate, adds to) dx the gradient dy·(1 − y²) of [Tanh]
// from its output y.
func TanhBackward(dx, dy, y *Tensor, mode Mode) {
	mustSameShape("TanhBackward", dx, dy, y)
	ternary(dx.data, dy.data, y.data, mode, func(dx, dy, y []float32, mode Mode) {
		dy, y = dy[:len(dx)], y[:len(dx)]
		for i := range dx {
			g := dy[i] * (1 - y[i]*y[i])
			if mode == Accumulate {
				g += dx[i]
			}
			dx[i] = g
		}
	})
}

// Sigmoid sets dst = 1/(1 + e^−x) elementwise; dst may be x.
func Sigmoid(dst, x *Tensor) {
	mustSameShape("Sigmoid", dst, x)
	unary(dst.data, x.data, func(d, x, _ []float32, _ Mode) {
		for i, v := range x[:len(d)] {
			d[i] = float32(1 / (1 + math.Exp(-float64(v))))
		}
	})
}

// SigmoidBackward sets (or adds to) dx the gradient dy·y·(1 − y) of [Sigmoid] from its
// output y.
func SigmoidBackward(dx, dy, y *Tensor, mode Mode) {
	mustSameShape("SigmoidBackward", dx, dy, y)
	ternary(dx.data, dy.data, y.data, mode, func(dx, dy, y []float32, mode Mode) {
		dy, y = dy[:len(dx)], y[:len(dx)]
		for i := range dx {
			g := dy[i] * y[i] * (1 - y[i])
			if mode == Accumulate {
				g += dx[i]
			}
			dx[i] = g
		}
	})
}

// unary runs f(dst, x) over chunks, in parallel for large operands.
func unary(dst, x []float32, f func(dst, x, _ []float32, _ Mode)) {
	each(dst, x, nil, Assign, f)
}

// ternary runs f(dst, a, b, mode) over chunks, in parallel for large operands.
func ternary(dst, a, b []float32, mode Mode, f func(dst, a, b []float32, mode Mode)) {
	each(dst, a, b, mode, f)
}
