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
