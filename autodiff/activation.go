package autodiff

import "github.com/descent-ml/descent/tensor"

// ReLU returns max(x, 0), elementwise.
func (t *Tape) ReLU(x *Var) *Var {
	out := t.result([]*Var{x}, x.Value.Shape()...)
	tensor.ReLU(&out.Value, &x.Value)
	t.record(reluOp{}, out, x)
	return out
}

type reluOp struct{}

func (reluOp) backward(t *Tape, n *node) {
	if dx, mode := t.grad(n.in[0]); dx != nil {
		tensor.ReLUBackward(dx, &n.out.Grad, &n.out.Value, mode)
	}
}

// Tanh returns tanh(x), elementwise.
func (t *Tape) Tanh(x *Var) *Var {
	out := t.result([]*Var{x}, x.Value.Shape()...)
	tensor.Tanh(&out.Value, &x.Value)
	t.record(tanhOp{}, out, x)
	return out
}

type tanhOp struct{}

func (tanhOp) backward(t *Tape, n *node) {
	if dx, mode := t.grad(n.in[0]); dx != nil {
		tensor.TanhBackward(dx, &n.out.Grad, &n.out.Value, mode)
	}
}

// Sigmoid returns 1/(1 + e^−x), elementwise.
func (t *Tape) Sigmoid(x *Var) *Var {
	out := t.result([]*Var{x}, x.Value.Shape()...)
	tensor.Sigmoid(&out.Value, &x.Value)
	t.record(sigmoidOp{}, out, x)
	return out
}

type sigmoidOp struct{}

func (sigmoidOp) backward(t *Tape, n *node) {
	if dx, mode := t.grad(n.in[0]); dx != nil {
		tensor.SigmoidBackward(dx, &n.out.Grad, &n.out.Value, mode)
	}
}

// unary returns the result Var of an elementwise function of x, recorded as o.
func (t *Tape) unary(x *Var, f func(dst, x *tensor.Tensor), o op) *Var {
	out := t.result([]*Var{x}, x.Value.Shape()...)
	f(&out.Value, &x.Value)
	t.record(o, out, x)
	return out
}

// Exp returns eˣ, elementwise (in float32 within 2 ulp, see [tensor.Exp]); its gradient
// is g·eˣ.
func (t *Tape) Exp(x *Var) *Var { return t.unary(x, tensor.Exp, expOp{}) }

type expOp struct{}

func (expOp) backward(t *Tape, n *node) {
	if dx, mode := t.grad(n.in[0]); dx != nil {
		tensor.Mul(dx, &n.out.Grad, &n.out.Value, mode)
	}
}

// Log returns ln x, elementwise; its gradient is g/x.
func (t *Tape) Log(x *Var) *Var { return t.unary(x, tensor.Log, logOp{}) }

type logOp struct{}

func (logOp) backward(t *Tape, n *node) {
	if dx, mode := t.grad(n.in[0]); dx != nil {
		tensor.Div(dx, &n.out.Grad, &n.in[0].Value, mode)
	}
}

// Sqrt returns √x, elementwise; its gradient is g/(2√x).
func (t *Tape) Sqrt(x *Var) *Var { return t.unary(x, tensor.Sqrt, sqrtOp{}) }

type sqrtOp struct{}

func (sqrtOp) backward(t *Tape, n *node) {
	if dx, mode := t.grad(n.in[0]); dx != nil {
		tensor.SqrtBackward(dx, &n.out.Grad, &n.out.Value, mode)
	}
}

// Abs returns |x|, elementwise; its gradient is g·sign(x), with sign(0) = 0 as PyTorch.
func (t *Tape) Abs(x *Var) *Var { return t.unary(x, tensor.Abs, absOp{}) }

type absOp struct{}

func (absOp) backward(t *Tape, n *node) {
	if dx, mode := t.grad(n.in[0]); dx != nil {
		tensor.AbsBackward(dx, &n.out.Grad, &n.in[0].Value, mode)
	}
}

// Pow returns xᵖ, elementwise, for a scalar exponent p (a tensor exponent is
// Exp(Mul(p, Log(x))) for positive x); its gradient is g·p·xᵖ⁻¹, zero for p = 0. See
// [tensor.Pow] for the exponents computed exactly.
func (t *Tape) Pow(x *Var, p float64) *Var {
	out := t.result([]*Var{x}, x.Value.Shape()...)
	tensor.Pow(&out.Value, &x.Value, p)
	if n := t.record(powOp{}, out, x); n != nil {
		n.f = p
	}
	return out
}

type powOp struct{}

func (powOp) backward(t *Tape, n *node) {
	if dx, mode := t.grad(n.in[0]); dx != nil {
		tensor.PowBackward(dx, &n.out.Grad, &n.in[0].Value, n.f, mode)
	}
}

// GELU returns x·Φ(x) = x·(1 + erf(x/√2))/2, elementwise: PyTorch's gelu in its default,
// exact form. Its gradient is g·(Φ(x) + x·φ(x)), φ the standard normal density.
func (t *Tape) GELU(x *Var) *Var { return t.unary(x, tensor.GELU, geluOp{}) }

type geluOp struct{}

func (geluOp) backward(t *Tape, n *node) {
	if dx, mode := t.grad(n.in[0]); dx != nil {
		tensor.GELUBackward(dx, &n.out.Grad, &n.in[0].Value, mode)
	}
}

// GELUTanh returns x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))/2, elementwise: PyTorch's gelu
// with approximate='tanh'. See [tensor.GELUTanhBackward] for its gradient.
func (t *Tape) GELUTanh(x *Var) *Var { return t.unary(x, tensor.GELUTanh, geluTanhOp{}) }

type geluTanhOp struct{}

func (geluTanhOp) backward(t *Tape, n *node) {
	if dx, mode := t.grad(n.in[0]); dx != nil {
		tensor.GELUTanhBackward(dx, &n.out.Grad, &n.in[0].Value, mode)
	}
}

// SiLU returns x·σ(x) = x/(1 + e⁻ˣ), elementwise (swish); its gradient is
// g·σ(x)·(1 + x·(1 − σ(x))).
func (t *Tape) SiLU(x *Var) *Var { return t.unary(x, tensor.SiLU, siluOp{}) }

type siluOp struct{}

func (siluOp) backward(t *Tape, n *node) {
	if dx, mode := t.grad(n.in[0]); dx != nil {
		tensor.SiLUBackward(dx, &n.out.Grad, &n.in[0].Value, mode)
	}
}
