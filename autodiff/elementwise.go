package autodiff

import (
	"github.com/descent-ml/descent/tensor"
)

// binary returns the result Var of an elementwise operation on a and b: of their common
// shape, or of the shape they broadcast to (panicking if they do not).
func (t *Tape) binary(a, b *Var) *Var {
	if a.Value.SameShape(&b.Value) {
		return t.result([]*Var{a, b}, a.Value.Shape()...)
	}
	s, r := tensor.BroadcastShape(&a.Value, &b.Value)
	return t.result([]*Var{a, b}, s[:r]...)
}

// Add returns a + b, elementwise. a and b broadcast as NumPy's (see
// [tensor.BroadcastShape]): shapes (m, 1) and (1, n) give (m, n), a shape-() or shape-(1)
// Var is a scalar. The gradient of an operand is the output's gradient summed over the
// dimensions along which it was broadcast. Operands of the same shape take the vector
// kernels; broadcasting takes a slower strided loop.
func (t *Tape) Add(a, b *Var) *Var {
	out := t.binary(a, b)
	tensor.Add(&out.Value, &a.Value, &b.Value, tensor.Assign)
	t.record(addOp{}, out, a, b)
	return out
}

type addOp struct{}

func (addOp) backward(t *Tape, n *node) {
	t.reduceGrad(n.in[0], &n.out.Grad, 1)
	t.reduceGrad(n.in[1], &n.out.Grad, 1)
}

// addScaled adds s·g to the gradient of v (of g's shape), if v needs one.
func (t *Tape) addScaled(v *Var, g *tensor.Tensor, s float32) {
	dv, mode := t.grad(v)
	if dv == nil {
		return
	}
	if s == 1 && mode == tensor.Accumulate {
		tensor.AddInto(dv, g)
		return
	}
	tensor.Scale(dv, g, s, mode)
}

// reduceGrad adds s·g, summed over the dimensions along which v was broadcast to g's shape,
// to the gradient of v, if v needs one.
func (t *Tape) reduceGrad(v *Var, g *tensor.Tensor, s float32) {
	if v.Value.SameShape(g) {
		t.addScaled(v, g, s)
		return
	}
	dv, mode := t.grad(v)
	if dv == nil {
		return
	}
	if s == 1 {
		tensor.SumTo(dv, g, mode)
		return
	}
	tmp := t.scratch(v.Value.Shape()...)
	tensor.SumTo(&tmp, g, tensor.Assign)
	tensor.Scale(dv, &tmp, s, mode)
}

// scratch returns a tensor of the given shape in a buffer of the tape, contents arbitrary.
func (t *Tape) scratch(shape ...int) tensor.Tensor {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return tensor.Wrap(t.floats.get(n), shape...)
}

// Sub returns a − b, elementwise, broadcasting as [Tape.Add].
func (t *Tape) Sub(a, b *Var) *Var {
	out := t.binary(a, b)
	tensor.Sub(&out.Value, &a.Value, &b.Value, tensor.Assign)
	t.record(subOp{}, out, a, b)
	return out
}

type subOp struct{}

func (subOp) backward(t *Tape, n *node) {
	t.reduceGrad(n.in[0], &n.out.Grad, 1)
	t.reduceGrad(n.in[1], &n.out.Grad, -1)
}

// Mul returns a ⊙ b, elementwise, broadcasting as [Tape.Add]. The gradients are
// ∂a = g ⊙ b and ∂b = g ⊙ a, each summed back to its operand's shape.
func (t *Tape) Mul(a, b *Var) *Var {
	out := t.binary(a, b)
	tensor.Mul(&out.Value, &a.Value, &b.Value, tensor.Assign)
	t.record(mulOp{}, out, a, b)
	return out
}

type mulOp struct{}

func (mulOp) backward(t *Tape, n *node) {
	a, b, g := n.in[0], n.in[1], &n.out.Grad
	t.productGrad(a, g, &b.Value, false)
	t.productGrad(b, g, &a.Value, false)
}

// productGrad adds g ⊙ other (or g / other, with div), summed back to v's shape, to the
// gradient of v.
func (t *Tape) productGrad(v *Var, g, other *tensor.Tensor, div bool) {
	if !v.requiresGrad {
		return
	}
	if v.Value.SameShape(g) {
		if dv, mode := t.grad(v); dv != nil {
			if div {
				tensor.Div(dv, g, other, mode)
			} else {
				tensor.Mul(dv, g, other, mode)
			}
		}
		return
	}
	tmp := t.scratch(g.Shape()...)
	if div {
		tensor.Div(&tmp, g, other, tensor.Assign)
	} else {
		tensor.Mul(&tmp, g, other, tensor.Assign)
	}
	t.reduceGrad(v, &tmp, 1)
}

// Div returns a / b, elementwise, broadcasting as [Tape.Add]. The gradients are
// ∂a = g / b and ∂b = −g ⊙ (a / b) / b, each summed back to its operand's shape.
func (t *Tape) Div(a, b *Var) *Var {
	out := t.binary(a, b)
	tensor.Div(&out.Value, &a.Value, &b.Value, tensor.Assign)
	t.record(divOp{}, out, a, b)
	return out
}

type divOp struct{}

func (divOp) backward(t *Tape, n *node) {
	a, b, g := n.in[0], n.in[1], &n.out.Grad
	t.productGrad(a, g, &b.Value, true)
	if b.requiresGrad {
		tmp := t.scratch(g.Shape()...)
		tensor.Mul(&tmp, g, &n.out.Value, tensor.Assign)
		tensor.Div(&tmp, &tmp, &b.Value, tensor.Assign)
		t.reduceGrad(b, &tmp, -1)
	}
}

// Scale returns s·a.
func (t *Tape) Scale(a *Var, s float32) *Var {
	out := t.result([]*Var{a}, a.Value.Shape()...)
	tensor.Scale(&out.Value, &a.Value, s, tensor.Assign)
	if n := t.record(scaleOp{}, out, a); n != nil {
		n.f = float64(s)
	}
	return out
}

type scaleOp struct{}

func (scaleOp) backward(t *Tape, n *node) {
	t.addScaled(n.in[0], &n.out.Grad, float32(n.f))
}

// Sum returns the sum of the elements of a, a one-element Var (of rank 0).
func (t *Tape) Sum(a *Var) *Var {
	out := t.result([]*Var{a})
	out.Value.Data()[0] = float32(tensor.Sum(&a.Value))
	if n := t.record(sumOp{}, out, a); n != nil {
		n.f = 1
	}
	return out
}

// Mean returns the mean of the elements of a, a one-element Var (of rank 0).
func (t *Tape) Mean(a *Var) *Var {
	out := t.result([]*Var{a})
	k := 1 / float64(a.Value.Len())
	out.Value.Data()[0] = float32(tensor.Sum(&a.Value) * k)
	if n := t.record(sumOp{}, out, a); n != nil {
		n.f = k
	}
	return out
}

// sumOp is the backward pass of a sum scaled by n.f: every element gets n.f times the
// output's gradient.
type sumOp struct{}

func (sumOp) backward(t *Tape, n *node) {
	da, mode := t.grad(n.in[0])
	if da == nil {
		return
	}
	g := n.out.Grad.Data()[0] * float32(n.f)
	d := da.Data()
	for i := range d {
		if mode == tensor.Accumulate {
			d[i] += g
		} else {
			d[i] = g
		}
	}
}

// keepShape returns the shape of x with dimension axis set to 1, and axis counted from
// the front. It panics if x has no dimension axis.
func keepShape(x *tensor.Tensor, axis int) ([tensor.MaxRank]int, int, int) {
	var s [tensor.MaxRank]int
	a := axis
	if a < 0 {
		a += x.Rank()
	}
	x.Dim(axis) // panics if out of range
	copy(s[:], x.Shape())
	s[a] = 1
	return s, x.Rank(), a
}

// reduced returns the result of a reduction of x along axis, with the dimension kept (of
// size 1) or removed, and a view of its value with the dimension kept.
func (t *Tape) reduced(x *Var, axis int, keepdim bool) (*Var, tensor.Tensor, int) {
	s, r, a := keepShape(&x.Value, axis)
	var out *Var
	if keepdim {
		out = t.result([]*Var{x}, s[:r]...)
	} else {
		copy(s[a:], s[a+1:r])
		out = t.result([]*Var{x}, s[:r-1]...)
		s[a] = 1
		copy(s[a+1:r], x.Value.Shape()[a+1:])
	}
	return out, out.Value.Reshape(s[:r]...), a
}

// SumAxis returns the sum of x along dimension axis (negative counts from the end), as
// PyTorch's x.sum(axis, keepdim): the dimension is removed, or kept with size 1. The sums
// are in float32 (see [tensor.SumTo]); the gradient is the output's gradient broadcast
// along axis.
func (t *Tape) SumAxis(x *Var, axis int, keepdim bool) *Var {
	out, view, a := t.reduced(x, axis, keepdim)
	tensor.SumTo(&view, &x.Value, tensor.Assign)
	if n := t.record(sumAxisOp{}, out, x); n != nil {
		n.i[0], n.f = a, 1
	}
	return out
}

// MeanAxis returns the mean of x along dimension axis, as PyTorch's x.mean(axis, keepdim):
// [Tape.SumAxis] divided by x.Dim(axis).
func (t *Tape) MeanAxis(x *Var, axis int, keepdim bool) *Var {
	out, view, a := t.reduced(x, axis, keepdim)
	tensor.SumTo(&view, &x.Value, tensor.Assign)
	k := 1 / float32(x.Value.Dim(axis))
	tensor.Scale(&view, &view, k, tensor.Assign)
	if n := t.record(sumAxisOp{}, out, x); n != nil {
		n.i[0], n.f = a, float64(k)
	}
	return out
}

// sumAxisOp is the backward pass of a sum along axis n.i[0] scaled by n.f.
type sumAxisOp struct{}

func (sumAxisOp) backward(t *Tape, n *node) {
	x := n.in[0]
	dx, mode := t.grad(x)
	if dx == nil {
		return
	}
	s, r, _ := keepShape(&x.Value, n.i[0])
	g := n.out.Grad.Reshape(s[:r]...)
	tensor.Expand(dx, &g, float32(n.f), mode)
}
