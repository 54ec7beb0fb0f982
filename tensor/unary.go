package tensor

import (
	"math"
	"sync"

	"github.com/descent-ml/descent/internal/parallel"
	"github.com/descent-ml/descent/internal/vec"
)

// The elementwise functions of this file compute in float64 and round once to float32
// (so within half an ulp of the exact result, except [Exp], which is [vec.Exp]'s float32
// polynomial, within 2 ulp), as do their gradients. Each takes the destination first; dst
// may be x. The backward kernels take the gradient dy of the output and set dx (mode
// Assign) or add to it (Accumulate).

// Exp sets dst = eˣ elementwise. Its gradient is dy·y: [Mul](dx, dy, y, mode).
func Exp(dst, x *Tensor) {
	mustSameShape("Exp", dst, x)
	unary(dst.data, x.data, func(d, x, _ []float32, _ Mode) { vec.Exp(d, x) })
}

// Log sets dst = ln x elementwise (−Inf at 0, NaN below). Its gradient is dy/x:
// [Div](dx, dy, x, mode).
func Log(dst, x *Tensor) {
	mustSameShape("Log", dst, x)
	unary(dst.data, x.data, func(d, x, _ []float32, _ Mode) {
		for i, v := range x[:len(d)] {
			d[i] = float32(math.Log(float64(v)))
		}
	})
}

// Sqrt sets dst = √x elementwise (NaN below 0).
func Sqrt(dst, x *Tensor) {
	mustSameShape("Sqrt", dst, x)
	unary(dst.data, x.data, func(d, x, _ []float32, _ Mode) {
		for i, v := range x[:len(d)] {
			d[i] = float32(math.Sqrt(float64(v)))
		}
	})
}

// SqrtBackward sets (or adds to) dx the gradient dy/(2y) of [Sqrt] from its output y, as
// PyTorch (+Inf where y is 0).
func SqrtBackward(dx, dy, y *Tensor, mode Mode) {
	mustSameShape("SqrtBackward", dx, dy, y)
	ternary(dx.data, dy.data, y.data, mode, func(dx, dy, y []float32, mode Mode) {
		dy, y = dy[:len(dx)], y[:len(dx)]
		for i := range dx {
			g := dy[i] / (2 * y[i])
			if mode == Accumulate {
				g += dx[i]
			}
			dx[i] = g
		}
	})
}

// Abs sets dst = |x| elementwise.
func Abs(dst, x *Tensor) {
	mustSameShape("Abs", dst, x)
	unary(dst.data, x.data, func(d, x, _ []float32, _ Mode) {
		for i, v := range x[:len(d)] {
			d[i] = float32(math.Abs(float64(v)))
		}
	})
}

// AbsBackward sets (or adds to) dx the gradient dy·sign(x) of [Abs], with sign(0) = 0 as
// PyTorch.
func AbsBackward(dx, dy, x *Tensor, mode Mode) {
	mustSameShape("AbsBackward", dx, dy, x)
	ternary(dx.data, dy.data, x.data, mode, func(dx, dy, x []float32, mode Mode) {
		dy, x = dy[:len(dx)], x[:len(dx)]
		for i := range dx {
			var g float32
			switch {
			case x[i] > 0:
				g = dy[i]
			case x[i] < 0:
				g = -dy[i]
			}
			if mode == Accumulate {
				g += dx[i]
			}
			dx[i] = g
		}
	})
}

// Pow sets dst = xᵖ elementwise for a scalar exponent p. The exponents 1, 2, 3, −1, −2,
// 0.5 and −0.5 are computed as products, quotients and square roots (as PyTorch does),
// others by math.Pow, whose special cases apply (x⁰ = 1, a negative x to a non-integer
// power is NaN).
func Pow(dst, x *Tensor, p float64) {
	mustSameShape("Pow", dst, x)
	eachParam(dst.data, x.data, nil, Assign, p, powKernel)
}

func powKernel(d, x, _ []float32, _ Mode, p float64) {
	x = x[:len(d)]
	switch p {
	case 1:
		copy(d, x)
	case 2:
		for i, v := range x {
			d[i] = v * v
		}
	case 3:
		for i, v := range x {
			d[i] = v * v * v
		}
	case -1:
		for i, v := range x {
			d[i] = 1 / v
		}
	case -2:
		for i, v := range x {
			d[i] = 1 / (v * v)
		}
	case 0.5:
		for i, v := range x {
			d[i] = float32(math.Sqrt(float64(v)))
		}
	case -0.5:
		for i, v := range x {
			d[i] = float32(1 / math.Sqrt(float64(v)))
		}
	default:
		for i, v := range x {
			d[i] = float32(math.Pow(float64(v), p))
		}
	}
}

// PowBackward sets (or adds to) dx the gradient dy·p·xᵖ⁻¹ of [Pow], as PyTorch: zero for
// p = 0.
func PowBackward(dx, dy, x *Tensor, p float64, mode Mode) {
	mustSameShape("PowBackward", dx, dy, x)
	eachParam(dx.data, dy.data, x.data, mode, p, func(dx, dy, x []float32, mode Mode, p float64) {
		dy, x = dy[:len(dx)], x[:len(dx)]
		for i := range dx {
			var g float32
			switch p {
			case 0:
			case 1:
				g = dy[i]
			case 2:
				g = dy[i] * 2 * x[i]
			default:
				g = float32(float64(dy[i]) * p * math.Pow(float64(x[i]), p-1))
			}
			if mode == Accumulate {
				g += dx[i]
			}
			dx[i] = g
		}
	})
}

// The constants of the Gaussian error linear unit.
const (
	sqrt1_2      = 0.70710678118654752440 // 1/√2
	invSqrt2Pi   = 0.39894228040143267794 // 1/√(2π)
	geluTanhBeta = 0.79788456080286535588 // √(2/π)
	geluKappa    = 0.044715
)

// GELU sets dst = x·Φ(x) = x·(1 + erf(x/√2))/2 elementwise, the Gaussian error linear
// unit in PyTorch's default (exact) form.
func GELU(dst, x *Tensor) {
	mustSameShape("GELU", dst, x)
	unary(dst.data, x.data, func(d, x, _ []float32, _ Mode) {
		for i, v := range x[:len(d)] {
			z := float64(v)
			d[i] = float32(0.5 * z * (1 + math.Erf(z*sqrt1_2)))
		}
	})
}

// GELUBackward sets (or adds to) dx the gradient dy·(Φ(x) + x·φ(x)) of [GELU], φ the
// standard normal density.
func GELUBackward(dx, dy, x *Tensor, mode Mode) {
	mustSameShape("GELUBackward", dx, dy, x)
	ternary(dx.data, dy.data, x.data, mode, func(dx, dy, x []float32, mode Mode) {
		dy, x = dy[:len(dx)], x[:len(dx)]
		for i := range dx {
			z := float64(x[i])
			cdf := 0.5 * (1 + math.Erf(z*sqrt1_2))
			pdf := invSqrt2Pi * math.Exp(-0.5*z*z)
			g := float32(float64(dy[i]) * (cdf + z*pdf))
			if mode == Accumulate {
				g += dx[i]
			}
			dx[i] = g
		}
	})
}

// GELUTanh sets dst = x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))/2 elementwise, PyTorch's
// gelu with approximate='tanh'.
func GELUTanh(dst, x *Tensor) {
	mustSameShape("GELUTanh", dst, x)
	unary(dst.data, x.data, func(d, x, _ []float32, _ Mode) {
		for i, v := range x[:len(d)] {
			z := float64(v)
			d[i] = float32(0.5 * z * (1 + math.Tanh(geluTanhBeta*(z+geluKappa*z*z*z))))
		}
	})
}

// GELUTanhBackward sets (or adds to) dx the gradient of [GELUTanh]: with
// u = √(2/π)·(x + 0.044715·x³), dy·((1 + tanh u)/2 + x/2·(1 − tanh²u)·√(2/π)·(1 + 3·0.044715·x²)).
func GELUTanhBackward(dx, dy, x *Tensor, mode Mode) {
	mustSameShape("GELUTanhBackward", dx, dy, x)
	ternary(dx.data, dy.data, x.data, mode, func(dx, dy, x []float32, mode Mode) {
		dy, x = dy[:len(dx)], x[:len(dx)]
		for i := range dx {
			z := float64(x[i])
			th := math.Tanh(geluTanhBeta * (z + geluKappa*z*z*z))
			d := 0.5*(1+th) + 0.5*z*(1-th*th)*geluTanhBeta*(1+3*geluKappa*z*z)
			g := float32(float64(dy[i]) * d)
			if mode == Accumulate {
				g += dx[i]
			}
			dx[i] = g
		}
	})
}

// SiLU sets dst = x·σ(x) = x/(1 + e⁻ˣ) elementwise, the sigmoid linear unit (swish).
func SiLU(dst, x *Tensor) {
	mustSameShape("SiLU", dst, x)
	unary(dst.data, x.data, func(d, x, _ []float32, _ Mode) {
		for i, v := range x[:len(d)] {
			z := float64(v)
			d[i] = float32(z / (1 + math.Exp(-z)))
		}
	})
}

// SiLUBackward sets (or adds to) dx the gradient dy·σ(x)·(1 + x·(1 − σ(x))) of [SiLU].
func SiLUBackward(dx, dy, x *Tensor, mode Mode) {
	mustSameShape("SiLUBackward", dx, dy, x)
	ternary(dx.data, dy.data, x.data, mode, func(dx, dy, x []float32, mode Mode) {
		dy, x = dy[:len(dx)], x[:len(dx)]
		for i := range dx {
			z := float64(x[i])
			s := 1 / (1 + math.Exp(-z))
			g := float32(float64(dy[i]) * s * (1 + z*(1-s)))
			if mode == Accumulate {
				g += dx[i]
			}
			dx[i] = g
		}
	})
}

// A paramJob is a sliceJob whose kernel takes a scalar parameter.
type paramJob struct {
	fn        func(dst, a, b []float32, mode Mode, p float64)
	dst, a, b []float32
	mode      Mode
	p         float64
}

func (j *paramJob) Range(_, lo, hi int) {
	j.fn(j.dst[lo:hi], chunk(j.a, lo, hi), chunk(j.b, lo, hi), j.mode, j.p)
}

var paramJobs = sync.Pool{New: func() any { return new(paramJob) }}

// eachParam is [each] for a kernel with a scalar parameter p.
func eachParam(dst, a, b []float32, mode Mode, p float64, fn func(dst, a, b []float32, mode Mode, p float64)) {
	n := len(dst)
	if n < 2*grain {
		fn(dst, a, b, mode, p)
		return
	}
	j := paramJobs.Get().(*paramJob)
	*j = paramJob{fn, dst, a, b, mode, p}
	parallel.SplitBody(n, parallel.Parts(n, grain), j)
	*j = paramJob{}
	paramJobs.Put(j)
}
