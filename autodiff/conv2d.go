package autodiff

import "github.com/descent-ml/descent/tensor"

// Conv2d returns act(conv(x, w) + b), PyTorch's Conv2d in NCHW layout: x is n×c×h×w, w is
// f×c×kh×kw, b has f elements or is nil. See [tensor.Conv2d].
func (t *Tape) Conv2d(x, w, b *Var, cfg tensor.Conv2dConfig, act tensor.Activation) *Var {
	s := tensor.Conv2dShape(&x.Value, &w.Value, cfg)
	out := t.result([]*Var{x, w, b}, s[:]...)
	work := t.floats.get(tensor.Conv2dWorkLen(&x.Value, &w.Value, cfg))
	var bv *tensor.Tensor
	if b != nil {
		bv = &b.Value
	}
	tensor.Conv2d(&out.Value, &x.Value, &w.Value, bv, cfg, act, work)
	if n := t.record(conv2dOp{}, out, x, w, b); n != nil {
		n.i = [4]int{cfg.Stride, cfg.Padding, int(act)}
		n.buf = work
	}
	return out
}

type conv2dOp struct{}

func (conv2dOp) backward(t *Tape, n *node) {
	x, w, b, g := n.in[0], n.in[1], n.in[2], &n.out.Grad
	cfg := tensor.Conv2dConfig{Stride: n.i[0], Padding: n.i[1]}
	activationBackward(g, &n.out.Value, tensor.Activation(n.i[2]))
	work := n.buf
	if l := tensor.Conv2dWorkLen(&x.Value, &w.Value, cfg); len(work) < l {
		work = t.floats.get(l) // GOMAXPROCS grew since the forward pass
	}
	if dx, mode := t.grad(x); dx != nil {
		tensor.Conv2dBackwardInput(dx, g, &w.Value, cfg, mode, work)
	}
	if dw, db, mode, ok := convParamGrads(t, w, b); ok {
		tensor.Conv2dBackwardWeight(dw, db, g, &x.Value, cfg, mode, work)
	}
}
