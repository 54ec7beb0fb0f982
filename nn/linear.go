package nn

import (
	"fmt"
	"math/rand/v2"

	"github.com/descent-ml/descent/autodiff"
	"github.com/descent-ml/descent/tensor"
)

// Linear is the affine layer y = x·Wᵀ + b of PyTorch's nn.Linear: x is batch×In, Weight is
// Out×In and Bias has Out elements. A nil Bias means none.
type Linear struct {
	In, Out int
	Weight  *autodiff.Var
	Bias    *autodiff.Var
}

var _ Module = (*Linear)(nil)

// NewLinear returns a Linear layer from in to out features with a bias, initialised as
// PyTorch does (see [KaimingUniform]) from rng.
func NewLinear(in, out int, rng *rand.Rand) *Linear {
	if in < 1 || out < 1 {
		panic(fmt.Sprintf("nn: NewLinear(%d, %d)", in, out))
	}
	w, b := tensor.New(out, in), tensor.New(out)
	defaultInit(w.Data(), b.Data(), in, rng)
	return &Linear{In: in, Out: out, Weight: autodiff.NewParam(w), Bias: autodiff.NewParam(b)}
}

// Forward returns x·Wᵀ + b.
func (l *Linear) Forward(t *autodiff.Tape, x *autodiff.Var) *autodiff.Var {
	return l.forward(t, x, tensor.ActNone)
}

func (l *Linear) forward(t *autodiff.Tape, x *autodiff.Var, act tensor.Activation) *autodiff.Var {
	if x.Value.Rank() != 2 || x.Value.Dim(1) != l.In {
		panic(fmt.Sprintf("nn: Linear(%d, %d) on input of shape %v", l.In, l.Out, x.Value.Shape()))
	}
	return t.Linear(x, l.Weight, l.Bias, act)
}

// Parameters returns "weight" and, with a bias, "bias".
func (l *Linear) Parameters() []Parameter {
	ps := []Parameter{{"weight", l.Weight}}
	if l.Bias != nil {
		ps = append(ps, Parameter{"bias", l.Bias})
	}
	return ps
}
