package autodiff

import "github.com/descent-ml/descent/tensor"

// MaxPool2d returns the maximum of x (n×c×h×w) over kernel×kernel windows moved by stride
// (0 means kernel). See [tensor.MaxPool2d].
func (t *Tape) MaxPool2d(x *Var, kernel, stride int) *Var {
	s := tensor.MaxPool2dShape(&x.Value, kernel, stride)
	out := t.result([]*Var{x}, s[:]...)
	idx := t.int32s.get(out.Value.Len())
	tensor.MaxPool2d(&out.Value, idx, &x.Value, kernel, stride)
	if n := t.record(maxPoolOp{}, out, x); n != nil {
		n.idx = idx
	}
	return out
}

type maxPoolOp struct{}

func (maxPoolOp) backward(t *Tape, n *node) {
	if dx, mode := t.grad(n.in[0]); dx != nil {
		tensor.MaxPool2dBackward(dx, &n.out.Grad, n.idx, mode)
	}
}
