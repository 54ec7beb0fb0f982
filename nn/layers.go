package nn

import (
	"fmt"
	"math/rand/v2"

	"github.com/descent-ml/descent/autodiff"
)

// MaxPool2d is PyTorch's nn.MaxPool2d with a square window and no padding: the maximum over
// Kernel×Kernel windows moved by Stride (0 means Kernel, PyTorch's default).
type MaxPool2d struct {
	Kernel, Stride int
}

// Forward returns the pooled batch.
func (p MaxPool2d) Forward(t *autodiff.Tape, x *autodiff.Var) *autodiff.Var {
	return t.MaxPool2d(x, p.Kernel, p.Stride)
}

// Parameters returns nil.
func (MaxPool2d) Parameters() []Parameter { return nil }

// ReLU is the rectifier max(x, 0).
type ReLU struct{}

// Forward returns max(x, 0).
func (ReLU) Forward(t *autodiff.Tape, x *autodiff.Var) *autodiff.Var { return t.ReLU(x) }

// Parameters returns nil.
func (ReLU) Parameters() []Parameter { return nil }

// Tanh is the hyperbolic tangent.
type Tanh struct{}

// Forward returns tanh(x).
func (Tanh) Forward(t *autodiff.Tape, x *autodiff.Var) *autodiff.Var { return t.Tanh(x) }

// Parameters returns nil.
func (Tanh) Parameters() []Parameter { return nil }

// Sigmoid is the logistic function 1/(1 + e^−x).
type Sigmoid struct{}

// Forward returns 1/(1 + e^−x).
func (Sigmoid) Forward(t *autodiff.Tape, x *autodiff.Var) *autodiff.Var { return t.Sigmoid(x) }

// Parameters returns nil.
func (Sigmoid) Parameters() []Parameter { return nil }

// Flatten reshapes a batch to batch×features, as nn.Flatten() (start_dim 1).
type Flatten struct{}

// Forward returns x viewed as x.Dim(0)×rest.
func (Flatten) Forward(t *autodiff.Tape, x *autodiff.Var) *autodiff.Var { return t.Flatten(x) }

// Parameters returns nil.
func (Flatten) Parameters() []Parameter { return nil }

// LogSoftmax is the logarithm of the softmax over the last dimension, as
// nn.LogSoftmax(dim=-1).
type LogSoftmax struct{}

// Forward returns log softmax(x).
func (LogSoftmax) Forward(t *autodiff.Tape, x *autodiff.Var) *autodiff.Var { return t.LogSoftmax(x) }

// Parameters returns nil.
func (LogSoftmax) Parameters() []Parameter { return nil }

// Dropout is PyTorch's nn.Dropout: in training mode it zeroes each element with
// probability P and scales the others by 1/(1 − P), drawing from its generator; in
// evaluation mode it is the identity.
type Dropout struct {
	P        float64
	rng      *rand.Rand
	training bool
}

var (
	_ Module    = (*Dropout)(nil)
	_ Trainable = (*Dropout)(nil)
)

// NewDropout returns a Dropout layer in training mode that draws its masks from rng.
func NewDropout(p float64, rng *rand.Rand) *Dropout {
	if !(p >= 0 && p <= 1) {
		panic(fmt.Sprintf("nn: dropout probability %v outside [0, 1]", p))
	}
	return &Dropout{P: p, rng: rng, training: true}
}

// Forward applies dropout in training mode and returns x in evaluation mode.
func (d *Dropout) Forward(t *autodiff.Tape, x *autodiff.Var) *autodiff.Var {
	if !d.training || d.P == 0 {
		return x
	}
	return t.Dropout(x, d.P, d.rng)
}

// SetTraining switches between training (true) and evaluation mode.
func (d *Dropout) SetTraining(training bool) { d.training = training }

// Parameters returns nil.
func (*Dropout) Parameters() []Parameter { return nil }

// GELU is PyTorch's nn.GELU: x·Φ(x) with Φ the standard normal distribution function, or
// with Tanh its approximation 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))) (approximate='tanh').
type GELU struct {
	Tanh bool
}

// Forward returns GELU(x).
func (g GELU) Forward(t *autodiff.Tape, x *autodiff.Var) *autodiff.Var {
	if g.Tanh {
		return t.GELUTanh(x)
	}
	return t.GELU(x)
}

// Parameters returns nil.
func (GELU) Parameters() []Parameter { return nil }

// SiLU is PyTorch's nn.SiLU, x·σ(x).
type SiLU struct{}

// Forward returns x·σ(x).
func (SiLU) Forward(t *autodiff.Tape, x *autodiff.Var) *autodiff.Var { return t.SiLU(x) }

// Parameters returns nil.
func (SiLU) Parameters() []Parameter { return nil }
