package autodiff

import "github.com/descent-ml/descent/tensor"

// Linear returns act(x·wᵀ + b), the affine layer in PyTorch's layout: x is batch×in, w is
// out×in and b has out elements, or is nil for no bias. The bias and the activation are
// applied in one pass over the output, and the backward pass of the activation is applied
// in place to the output's gradient.
func (t *Tape) Linear(x, w, b *Var, act tensor.Activation) *Var {
	out := t.result([]*Var{x, w, b}, x.Value.Dim(0), w.Value.Dim(0))
	var bv *tensor.Tensor
	if b != nil {
		bv = &b.Value
	}
	tensor.Linear(&out.Value, &x.Value, &w.Value, bv, act)
	if n := t.record(linearOp{}, out, x, w, b); n != nil {
		n.i[0] = int(act)
	}
	return out
}

type linearOp struct{}

func (linearOp) backward(t *Tape, n *node) {
	x, w, b, g := n.in[0], n.in[1], n.in[2], &n.out.Grad
	activationBackward(g, &n.out.Value, tensor.Activation(n.i[0]))
	if dx, mode := t.grad(x); dx != nil {
		tensor.MatMul(dx, g, false, &w.Value, false, mode)
	}
	if dw, mode := t.grad(w); dw != nil {
		tensor.MatMul(dw, g, true, &x.Value, false, mode)
	}
	if db, mode := t.grad(b); db != nil {
		tensor.SumRows(db, g, mode)
	}
}

// activationBackward turns the gradient g of a fused layer's output y into the gradient
// before its activation, in place.
func activationBackward(g, y *tensor.Tensor, act tensor.Activation) {
	if act == tensor.ActReLU {
		tensor.ReLUBackward(g, g, y, tensor.Assign)
	}
}
