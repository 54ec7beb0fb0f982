package autodiff

import (
	"fmt"

	"github.com/descent-ml/descent/tensor"
)

// LayerNorm returns x normalised over its last dims dimensions, as PyTorch's layer_norm
// with normalized_shape the last dims dimensions of x: with μ and σ² the mean and biased
// variance of each group of those elements,
//
//	y = (x − μ)/√(σ² + eps)·w + b
//
// w and b have the shape of the normalised dimensions, or are nil (no affine transform).
// The forward and backward passes are fused kernels, one pass over each group for the
// statistics and one for the output; see [tensor.LayerNorm] and
// [tensor.LayerNormBackward] for the formulas and the summation.
func (t *Tape) LayerNorm(x, w, b *Var, dims int, eps float64) *Var {
	r := x.Value.Rank()
	if dims < 1 || dims > r {
		panic(fmt.Sprintf("autodiff: LayerNorm over %d dimensions of shape %v", dims, x.Value.Shape()))
	}
	norm := x.Value.Shape()[r-dims:]
	n := 1
	for _, d := range norm {
		n *= d
	}
	for _, p := range [2]*Var{w, b} {
		if p != nil && !sameDims(p.Value.Shape(), norm) {
			panic(fmt.Sprintf("autodiff: LayerNorm of shape %v with parameter of shape %v", x.Value.Shape(), p.Value.Shape()))
		}
	}
	out := t.result([]*Var{x, w, b}, x.Value.Shape()...)
	stats := t.floats.get(tensor.LayerNormStatsLen(&x.Value, n))
	tensor.LayerNorm(&out.Value, &x.Value, n, valueOf(w), valueOf(b), eps, stats)
	if nd := t.record(layerNormOp{}, out, x, w, b); nd != nil {
		nd.i[0] = n
		nd.buf = stats
	}
	return out
}

func sameDims(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// valueOf returns the value of v, or nil for a nil v.
func valueOf(v *Var) *tensor.Tensor {
	if v == nil {
		return nil
	}
	return &v.Value
}

type layerNormOp struct{}

func (layerNormOp) backward(t *Tape, n *node) {
	x, w, b := n.in[0], n.in[1], n.in[2]
	dx, mx := t.grad(x)
	dw, mw := t.grad(w)
	db, mb := t.grad(b)
	if dx == nil && dw == nil && db == nil {
		return
	}
	tensor.LayerNormBackward(dx, dw, db, &n.out.Grad, &x.Value, valueOf(w), n.i[0], n.buf, mx, mw, mb)
}

// BatchNorm returns x (batch×channels×…) normalised per channel, as PyTorch's
// batch_norm(x, runMean, runVar, w, b, cfg.Training, cfg.Momentum, cfg.Eps): in training
// by the batch's statistics, updating runMean and runVar (if not nil) with the unbiased
// variance; in evaluation by runMean and runVar. w and b have one element per channel, or
// are nil. See [tensor.BatchNorm] and [tensor.BatchNormBackward] for the formulas; in
// training the gradient flows through the batch statistics.
func (t *Tape) BatchNorm(x, w, b *Var, runMean, runVar *tensor.Tensor, cfg tensor.BatchNormConfig) *Var {
	if x.Value.Rank() < 2 {
		panic(fmt.Sprintf("autodiff: BatchNorm of shape %v", x.Value.Shape()))
	}
	out := t.result([]*Var{x, w, b}, x.Value.Shape()...)
	stats := t.floats.get(2 * x.Value.Dim(1))
	tensor.BatchNorm(&out.Value, &x.Value, valueOf(w), valueOf(b), runMean, runVar, cfg, stats)
	if nd := t.record(batchNormOp{}, out, x, w, b); nd != nil {
		nd.i[0] = b2i(cfg.Training)
		nd.buf = stats
	}
	return out
}

type batchNormOp struct{}

func (batchNormOp) backward(t *Tape, n *node) {
	x, w, b := n.in[0], n.in[1], n.in[2]
	dx, mx := t.grad(x)
	dw, mw := t.grad(w)
	db, mb := t.grad(b)
	if dx == nil && dw == nil && db == nil {
		return
	}
	tensor.BatchNormBackward(dx, dw, db, &n.out.Grad, &x.Value, valueOf(w), n.buf, n.i[0] == 1, mx, mw, mb)
}
