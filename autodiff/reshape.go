package autodiff

import "github.com/descent-ml/descent/tensor"

// Reshape returns x with a new shape (one dimension may be −1), sharing its value: a view,
// as PyTorch's view. Its gradient is also passed on without a copy when it can be.
func (t *Tape) Reshape(x *Var, shape ...int) *Var {
	v := t.newVar()
	v.Value = x.Value.Reshape(shape...)
	v.requiresGrad = t.records(x)
	t.record(reshapeOp{}, v, x)
	return v
}

// Flatten returns x reshaped to batch×rest, keeping its first dimension, as
// torch.flatten(x, 1).
func (t *Tape) Flatten(x *Var) *Var {
	return t.Reshape(x, x.Value.Dim(0), -1)
}

type reshapeOp struct{}

func (reshapeOp) backward(t *Tape, n *node) {
	x, g := n.in[0], &n.out.Grad
	if !x.requiresGrad {
		return
	}
	if !x.leaf && x.gradPass != t.pass {
		// First gradient of an intermediate: share the output's gradient buffer.
		x.Grad = g.Reshape(x.Value.Shape()...)
		x.gradPass = t.pass
		return
	}
	tensor.AddInto(&x.Grad, g)
}
