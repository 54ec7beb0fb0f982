package autodiff

import "github.com/descent-ml/descent/tensor"

// LogSoftmax returns the logarithm of the softmax of x over its last dimension,
// LogSoftmaxAxis(x, −1).
func (t *Tape) LogSoftmax(x *Var) *Var { return t.LogSoftmaxAxis(x, -1) }

// LogSoftmaxAxis returns the logarithm of the softmax of x along dimension axis (negative
// counts from the end), as PyTorch's log_softmax(x, axis):
// y_j = x_j − max(x) − log Σ_k exp(x_k − max(x)) over each line along axis. Its gradient
// is g_j − exp(y_j)·Σ_k g_k. See [tensor.LogSoftmax] for the precision.
func (t *Tape) LogSoftmaxAxis(x *Var, axis int) *Var {
	out := t.result([]*Var{x}, x.Value.Shape()...)
	tensor.LogSoftmax(&out.Value, &x.Value, axis)
	if n := t.record(logSoftmaxOp{}, out, x); n != nil {
		n.i[0] = axis
	}
	return out
}

type logSoftmaxOp struct{}

func (logSoftmaxOp) backward(t *Tape, n *node) {
	if dx, mode := t.grad(n.in[0]); dx != nil {
		tensor.LogSoftmaxBackward(dx, &n.out.Grad, &n.out.Value, n.i[0], mode)
	}
}

// Softmax returns the softmax of x along dimension axis (negative counts from the end), as
// PyTorch's softmax(x, axis): y_j = exp(x_j − max(x)) / Σ_k exp(x_k − max(x)) over each
// line along axis. Its gradient is y_j·(g_j − Σ_k g_k·y_k).
func (t *Tape) Softmax(x *Var, axis int) *Var {
	out := t.result([]*Var{x}, x.Value.Shape()...)
	tensor.Softmax(&out.Value, &x.Value, axis)
	if n := t.record(softmaxOp{}, out, x); n != nil {
		n.i[0] = axis
	}
	return out
}

type softmaxOp struct{}

func (softmaxOp) backward(t *Tape, n *node) {
	if dx, mode := t.grad(n.in[0]); dx != nil {
		tensor.SoftmaxBackward(dx, &n.out.Grad, &n.out.Value, n.i[0], mode)
	}
}
