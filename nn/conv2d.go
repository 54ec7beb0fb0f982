package nn

import (
	"fmt"
	"math/rand/v2"

	"github.com/descent-ml/descent/autodiff"
	"github.com/descent-ml/descent/tensor"
)

// Conv2d is PyTorch's nn.Conv2d with square kernels: a 2-D cross-correlation of an
// n×In×h×w batch with Out filters of In×Kernel×Kernel (Weight) plus a bias per filter, with
// the stride and zero padding of Config. A nil Bias means none.
type Conv2d struct {
	In, Out, Kernel int
	Config          tensor.Conv2dConfig
	Weight          *autodiff.Var
	Bias            *autodiff.Var
}

var _ Module = (*Conv2d)(nil)

// NewConv2d returns a Conv2d layer from in to out channels with a kernel×kernel window and
// a bias, initialised as PyTorch does from rng (fan-in in·kernel²).
func NewConv2d(in, out, kernel int, cfg tensor.Conv2dConfig, rng *rand.Rand) *Conv2d {
	if in < 1 || out < 1 || kernel < 1 || cfg.Stride < 0 || cfg.Padding < 0 {
		panic(fmt.Sprintf("nn: NewConv2d(%d, %d, %d, %+v)", in, out, kernel, cfg))
	}
	w, b := tensor.New(out, in, kernel, kernel), tensor.New(out)
	defaultInit(w.Data(), b.Data(), in*kernel*kernel, rng)
	return &Conv2d{In: in, Out: out, Kernel: kernel, Config: cfg, Weight: autodiff.NewParam(w), Bias: autodiff.NewParam(b)}
}

// Forward returns the convolution of x (n×In×h×w) plus the bias.
func (c *Conv2d) Forward(t *autodiff.Tape, x *autodiff.Var) *autodiff.Var {
	return c.forward(t, x, tensor.ActNone)
}

func (c *Conv2d) forward(t *autodiff.Tape, x *autodiff.Var, act tensor.Activation) *autodiff.Var {
	if x.Value.Rank() != 4 || x.Value.Dim(1) != c.In {
		panic(fmt.Sprintf("nn: Conv2d(%d, %d) on input of shape %v", c.In, c.Out, x.Value.Shape()))
	}
	return t.Conv2d(x, c.Weight, c.Bias, c.Config, act)
}

// Parameters returns "weight" and, with a bias, "bias".
func (c *Conv2d) Parameters() []Parameter {
	ps := []Parameter{{"weight", c.Weight}}
	if c.Bias != nil {
		ps = append(ps, Parameter{"bias", c.Bias})
	}
	return ps
}
