package autodiff

import (
	"math/rand/v2"

	"github.com/descent-ml/descent/tensor"
)

// Dropout zeroes each element of x with probability p and scales the others by 1/(1 − p),
// drawing the mask from rng (see [tensor.Dropout]). It is the training-mode operation;
// in evaluation a model uses x itself.
func (t *Tape) Dropout(x *Var, p float64, rng *rand.Rand) *Var {
	out := t.result([]*Var{x}, x.Value.Shape()...)
	mask := tensor.Wrap(t.floats.get(x.Value.Len()), x.Value.Shape()...)
	tensor.Dropout(&out.Value, &mask, &x.Value, p, rng)
	if n := t.record(dropoutOp{}, out, x); n != nil {
		n.buf = mask.Data()
	}
	return out
}

type dropoutOp struct{}

func (dropoutOp) backward(t *Tape, n *node) {
	if dx, mode := t.grad(n.in[0]); dx != nil {
		mask := tensor.Wrap(n.buf, dx.Shape()...)
		tensor.Mul(dx, &n.out.Grad, &mask, mode)
	}
}
