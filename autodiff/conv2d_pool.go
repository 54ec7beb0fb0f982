package autodiff

import "github.com/descent-ml/descent/tensor"

// Conv2dReLUMaxPool returns maxpool(relu(conv(x, w) + b)) with a 2×2 window and stride 2,
// the value of Conv2d with ActReLU followed by MaxPool2d(·, 2, 2) without the convolution's
// output ever being stored: x is n×c×h×w, w is f×c×kh×kw, b has f elements or is nil. See
// [tensor.Conv2dReLUMaxPool].
func (t *Tape) Conv2dReLUMaxPool(x, w, b *Var, cfg tensor.Conv2dConfig) *Var {
	s := tensor.Conv2dReLUMaxPoolShape(&x.Value, &w.Value, cfg)
	out := t.result([]*Var{x, w, b}, s[:]...)
	work := t.floats.get(tensor.Conv2dWorkLen(&x.Value, &w.Value, cfg))
	idx := t.int32s.get(out.Value.Len())
	var bv *tensor.Tensor
	if b != nil {
		bv = &b.Value
	}
	tensor.Conv2dReLUMaxPool(&out.Value, idx, &x.Value, &w.Value, bv, cfg, work)
	if n := t.record(conv2dPoolOp{}, out, x, w, b); n != nil {
		n.i = [4]int{cfg.Stride, cfg.Padding}
		n.buf = work
		n.idx = idx
	}
	return out
}

type conv2dPoolOp struct{}

func (conv2dPoolOp) backward(t *Tape, n *node) {
	x, w, b, g, y := n.in[0], n.in[1], n.in[2], &n.out.Grad, &n.out.Value
	cfg := tensor.Conv2dConfig{Stride: n.i[0], Padding: n.i[1]}
	work := n.buf
	if l := tensor.Conv2dWorkLen(&x.Value, &w.Value, cfg); len(work) < l {
		work = t.floats.get(l) // GOMAXPROCS grew since the forward pass
	}
	if dx, mode := t.grad(x); dx != nil {
		tensor.Conv2dReLUMaxPoolBackwardInput(dx, g, y, n.idx, &w.Value, cfg, mode, work)
	}
	if dw, db, mode, ok := convParamGrads(t, w, b); ok {
		tensor.Conv2dReLUMaxPoolBackwardWeight(dw, db, g, y, n.idx, &x.Value, cfg, mode, work)
	}
}

// convParamGrads returns where a convolution's backward pass puts the gradients of its
// weights w and bias b (nil: not wanted) and in which mode, or ok false when neither is
// wanted. When the bias learns on weights that do not, the weights' gradient goes to
// scratch; when one gradient is fresh and the other accumulates, the fresh one is zeroed
// and both accumulate.
func convParamGrads(t *Tape, w, b *Var) (dw, db *tensor.Tensor, mode tensor.Mode, ok bool) {
	dw, wmode := t.grad(w)
	db, bmode := t.grad(b)
	if dw == nil && db == nil {
		return nil, nil, 0, false
	}
	if dw == nil {
		dw, wmode = &tensor.Tensor{}, tensor.Assign
		*dw = tensor.Wrap(t.floats.get(w.Value.Len()), w.Value.Shape()...)
	}
	if db != nil && bmode != wmode {
		if bmode == tensor.Assign {
			clear(db.Data())
		} else {
			clear(dw.Data())
		}
		wmode = tensor.Accumulate
	}
	return dw, db, wmode, true
}
