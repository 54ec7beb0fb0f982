package autodiff

import "github.com/descent-ml/descent/tensor"

// LogSoftmax returns the logarithm of the softmax of x over its last dimension.
func (t *Tape) LogSoftmax(x *Var) *Var {
	out := t.result([]*Var{x}, x.Value.Shape()...)
	tensor.LogSoftmax(&out.Value, &x.Value)
	t.record(logSoftmaxOp{}, out, x)
	return out
}

type logSoftmaxOp struct{}

func (logSoftmaxOp) backward(t *Tape, n *node) {
	if dx, mode := t.grad(n.in[0]); dx != nil {
		tensor.LogSoftmaxBackward(dx, &n.out.Grad, &n.out.Value, mode)
	}
}
