package autodiff

import (
	"fmt"

	"github.com/descent-ml/descent/tensor"
)

func (t *Tape) binary(name string, a, b *Var) *Var {
	if !a.Value.SameShape(&b.Value) {
		panic(fmt.Sprintf("autodiff: %s of shapes %v and %v", name, a.Value.Shape(), b.Value.Shape()))
	}
	return t.result([]*Var{a, b}, a.Value.Shape()...)
}

// Add returns a + b, elementwise; a and b have the same shape.
func (t *Tape) Add(a, b *Var) *Var {
	out := t.binary("Add", a, b)
	tensor.Add(&out.Value, &a.Value, &b.Value, tensor.Assign)
	t.record(addOp{}, out, a, b)
	return out
}

type addOp struct{}

func (addOp) backward(t *Tape, n *node) {
	t.addScaled(n.in[0], &n.out.Grad, 1)
	t.addScaled(n.in[1], &n.out.Grad, 1)
}

// addScaled adds s·g to the gradient of v, if v needs one.
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

// Sub returns a − b, elementwise; a and b have the same shape.
func (t *Tape) Sub(a, b *Var) *Var {
	out := t.binary("Sub", a, b)
	tensor.Sub(&out.Value, &a.Value, &b.Value, tensor.Assign)
	t.record(subOp{}, out, a, b)
	return out
}

type subOp struct{}

func (subOp) backward(t *Tape, n *node) {
	t.addScaled(n.in[0], &n.out.Grad, 1)
	t.addScaled(n.in[1], &n.out.Grad, -1)
}

// Mul returns a ⊙ b, elementwise; a and b have the same shape.
func (t *Tape) Mul(a, b *Var) *Var {
	out := t.binary("Mul", a, b)
	tensor.Mul(&out.Value, &a.Value, &b.Value, tensor.Assign)
	t.record(mulOp{}, out, a, b)
	return out
}

type mulOp struct{}

func (mulOp) backward(t *Tape, n *node) {
	a, b, g := n.in[0], n.in[1], &n.out.Grad
	if da, mode := t.grad(a); da != nil {
		tensor.Mul(da, g, &b.Value, mode)
	}
	if db, mode := t.grad(b); db != nil {
		tensor.Mul(db, g, &a.Value, mode)
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
