package nn

import (
	"fmt"
	"slices"

	"github.com/descent-ml/descent/autodiff"
	"github.com/descent-ml/descent/tensor"
)

// LayerNorm is PyTorch's nn.LayerNorm: it normalises its input over the trailing
// dimensions Shape (normalized_shape), each group of those elements to mean 0 and
// variance 1, then applies an elementwise affine transform:
//
//	y = (x − μ)/√(σ² + Eps)·Weight + Bias
//
// with μ and σ² the mean and biased variance of the group. Weight and Bias have the shape
// Shape; nil Weight and Bias mean no affine transform (elementwise_affine=False). The
// forward and backward passes are fused kernels ([autodiff.Tape.LayerNorm]).
type LayerNorm struct {
	Shape  []int
	Eps    float64
	Weight *autodiff.Var
	Bias   *autodiff.Var
}

var _ Module = (*LayerNorm)(nil)

// NewLayerNorm returns a LayerNorm over the trailing dimensions shape with PyTorch's
// defaults: Eps 1e-5 and an affine transform initialised as reset_parameters does,
// Weight 1 and Bias 0.
func NewLayerNorm(shape ...int) *LayerNorm {
	if len(shape) == 0 || slices.ContainsFunc(shape, func(d int) bool { return d < 1 }) {
		panic(fmt.Sprintf("nn: NewLayerNorm(%v)", shape))
	}
	w, b := tensor.New(shape...), tensor.New(shape...)
	tensor.Fill(w, 1)
	return &LayerNorm{Shape: slices.Clone(shape), Eps: 1e-5, Weight: autodiff.NewParam(w), Bias: autodiff.NewParam(b)}
}

// Forward normalises x, whose trailing dimensions must be Shape.
func (l *LayerNorm) Forward(t *autodiff.Tape, x *autodiff.Var) *autodiff.Var {
	s := x.Value.Shape()
	if len(s) < len(l.Shape) || !slices.Equal(s[len(s)-len(l.Shape):], l.Shape) {
		panic(fmt.Sprintf("nn: LayerNorm(%v) on input of shape %v", l.Shape, s))
	}
	return t.LayerNorm(x, l.Weight, l.Bias, len(l.Shape), l.Eps)
}

// Parameters returns "weight" and "bias", if the layer has them.
func (l *LayerNorm) Parameters() []Parameter {
	return weightAndBias(l.Weight, l.Bias)
}

func weightAndBias(w, b *autodiff.Var) []Parameter {
	var ps []Parameter
	if w != nil {
		ps = append(ps, Parameter{"weight", w})
	}
	if b != nil {
		ps = append(ps, Parameter{"bias", b})
	}
	return ps
}

// BatchNorm is PyTorch's nn.BatchNorm1d (input batch×Features or batch×Features×length)
// and nn.BatchNorm2d (batch×Features×height×width), made by [NewBatchNorm1d] and
// [NewBatchNorm2d]. In training mode it normalises each channel by the mean and biased
// variance of the batch (over the batch and the spatial dimensions), and updates the
// running statistics:
//
//	RunningMean ← (1 − m)·RunningMean + m·μ
//	RunningVar  ← (1 − m)·RunningVar + m·σ²·n/(n − 1)   (the unbiased variance)
//	NumBatchesTracked ← NumBatchesTracked + 1
//
// with m = Momentum, or 1/NumBatchesTracked (a cumulative average, PyTorch's
// momentum=None) if CumulativeAverage is set. In evaluation mode it normalises by the
// running statistics. Then y = (x − μ)/√(σ² + Eps)·Weight + Bias per channel; nil Weight
// and Bias mean no affine transform (affine=False).
//
// The running statistics are buffers: listed by [Buffers] and [StateDict] as
// "running_mean", "running_var" and "num_batches_tracked" (an integer PyTorch keeps as
// int64, held here as a float32 scalar, exact up to 2²⁴ batches), not by Parameters.
type BatchNorm struct {
	Features          int
	Spatial           int // the spatial dimensions: 1 for BatchNorm1d (0 or 1 allowed), 2 for BatchNorm2d
	Eps               float64
	Momentum          float64
	CumulativeAverage bool
	Weight, Bias      *autodiff.Var
	RunningMean       *tensor.Tensor
	RunningVar        *tensor.Tensor
	NumBatchesTracked *tensor.Tensor // a scalar (rank 0)
	training          bool
}

var (
	_ Module    = (*BatchNorm)(nil)
	_ Trainable = (*BatchNorm)(nil)
	_ Stateful  = (*BatchNorm)(nil)
)

// NewBatchNorm1d returns PyTorch's nn.BatchNorm1d(features) in training mode with its
// defaults: Eps 1e-5, Momentum 0.1, Weight 1, Bias 0, RunningMean 0, RunningVar 1,
// NumBatchesTracked 0.
func NewBatchNorm1d(features int) *BatchNorm { return newBatchNorm(features, 1) }

// NewBatchNorm2d returns PyTorch's nn.BatchNorm2d(features), with the defaults of
// [NewBatchNorm1d].
func NewBatchNorm2d(features int) *BatchNorm { return newBatchNorm(features, 2) }

func newBatchNorm(c, spatial int) *BatchNorm {
	if c < 1 {
		panic(fmt.Sprintf("nn: NewBatchNorm%dd(%d)", spatial, c))
	}
	w, rv := tensor.New(c), tensor.New(c)
	tensor.Fill(w, 1)
	tensor.Fill(rv, 1)
	return &BatchNorm{Features: c, Spatial: spatial, Eps: 1e-5, Momentum: 0.1,
		Weight: autodiff.NewParam(w), Bias: autodiff.NewParam(tensor.New(c)),
		RunningMean: tensor.New(c), RunningVar: rv, NumBatchesTracked: tensor.New(), training: true}
}

// Forward normalises x: batch×Features or batch×Features×length for BatchNorm1d,
// batch×Features×height×width for BatchNorm2d.
func (b *BatchNorm) Forward(t *autodiff.Tape, x *autodiff.Var) *autodiff.Var {
	r := x.Value.Rank()
	ok := r >= 2 && x.Value.Dim(1) == b.Features && (r == 2+b.Spatial || (b.Spatial == 1 && r == 2))
	if !ok {
		panic(fmt.Sprintf("nn: BatchNorm%dd(%d) on input of shape %v", b.Spatial, b.Features, x.Value.Shape()))
	}
	m := b.Momentum
	if b.training {
		b.NumBatchesTracked.Data()[0]++
		if b.CumulativeAverage {
			m = 1 / float64(b.NumBatchesTracked.Data()[0])
		}
	}
	cfg := tensor.BatchNormConfig{Training: b.training, Momentum: m, Eps: b.Eps}
	return t.BatchNorm(x, b.Weight, b.Bias, b.RunningMean, b.RunningVar, cfg)
}

// SetTraining switches between training (true) and evaluation mode.
func (b *BatchNorm) SetTraining(training bool) { b.training = training }

// Parameters returns "weight" and "bias", if the layer has them.
func (b *BatchNorm) Parameters() []Parameter {
	return weightAndBias(b.Weight, b.Bias)
}

// Buffers returns "running_mean", "running_var" and "num_batches_tracked".
func (b *BatchNorm) Buffers() []NamedTensor {
	return []NamedTensor{
		{Name: "running_mean", Tensor: b.RunningMean},
		{Name: "running_var", Tensor: b.RunningVar},
		{Name: "num_batches_tracked", Tensor: b.NumBatchesTracked, Int64: true},
	}
}
