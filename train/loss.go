package train

import (
	"fmt"

	"github.com/descent-ml/descent/autodiff"
	"github.com/descent-ml/descent/data"
	"github.com/descent-ml/descent/nn"
	"github.com/descent-ml/descent/tensor"
)

// A Loss is what a run minimises: the loss of the model's output on a batch, a
// one-element Var recorded on the tape, whose gradient the run takes. The batch gives the
// targets: b.Y, the class indices of a classification set, or b.T, the float targets of
// a regression set (row-major, b.Size() rows). The same Loss, on the tape switched to
// inference mode, gives the held-out loss after each epoch.
//
// A training step must not allocate: a Loss builds what it needs on the tape (a target
// tensor wrapped around b.T by value, as [Targets] does, passed to t.Const).
type Loss interface {
	Loss(t *autodiff.Tape, output *autodiff.Var, b *data.Batch) *autodiff.Var
}

// LossFunc adapts a function to a [Loss].
type LossFunc func(t *autodiff.Tape, output *autodiff.Var, b *data.Batch) *autodiff.Var

// Loss returns f(t, output, b).
func (f LossFunc) Loss(t *autodiff.Tape, output *autodiff.Var, b *data.Batch) *autodiff.Var {
	return f(t, output, b)
}

// A LabelLoss is a loss of scores against class indices, as nn.CrossEntropyLoss and
// nn.NLLLoss.
type LabelLoss interface {
	Forward(t *autodiff.Tape, scores *autodiff.Var, target []int) *autodiff.Var
}

// A TargetLoss is a loss of predictions against float targets of the same shape, as
// nn.MSELoss, nn.L1Loss, nn.SmoothL1Loss, nn.HuberLoss and nn.BCEWithLogitsLoss.
type TargetLoss interface {
	Forward(t *autodiff.Tape, input, target *autodiff.Var) *autodiff.Var
}

// Labels returns the Loss of l at the class indices of a batch (Batch.Y):
// Labels(nn.CrossEntropyLoss{LabelSmoothing: 0.1}), say.
func Labels(l LabelLoss) Loss { return labelLoss{l} }

// Targets returns the Loss of l against the float targets of a batch (Batch.T), taken in
// the shape of the model's output: Targets(nn.HuberLoss{Delta: 2}), say. It panics on a
// batch without float targets, or whose targets are not as many values as the output.
func Targets(l TargetLoss) Loss { return targetLoss{l} }

type labelLoss struct{ l LabelLoss }

func (l labelLoss) Loss(t *autodiff.Tape, output *autodiff.Var, b *data.Batch) *autodiff.Var {
	return l.l.Forward(t, output, b.Y)
}

func (l labelLoss) String() string { return fmt.Sprintf("Labels(%T)", l.l) }

type targetLoss struct{ l TargetLoss }

func (l targetLoss) Loss(t *autodiff.Tape, output *autodiff.Var, b *data.Batch) *autodiff.Var {
	if len(b.T) != output.Value.Len() {
		panic(fmt.Sprintf("train: a loss of %d float targets (shape %v) for an output of shape %v", len(b.T), b.TargetShape, output.Value.Shape()))
	}
	y := tensor.Wrap(b.T, output.Value.Shape()...)
	return l.l.Forward(t, output, t.Const(&y))
}

func (l targetLoss) String() string { return fmt.Sprintf("Targets(%T)", l.l) }

// DefaultLoss returns the loss a run of task trains with when Config.Loss is nil:
// cross-entropy of scores at the labels for a classification (nn.CrossEntropyLoss), or
// the negative log-likelihood (nn.NLLLoss) if logProbs says the model outputs
// log-probabilities, as the MNIST presets of package model do; the mean squared error
// against the targets (nn.MSELoss) for a regression.
func DefaultLoss(task data.Task, logProbs bool) Loss {
	switch {
	case task.Kind == data.Regress:
		return Targets(nn.MSELoss{})
	case logProbs:
		return Labels(nn.NLLLoss{})
	}
	return Labels(nn.CrossEntropyLoss{})
}

// lossName names a loss for the fingerprint of a checkpoint: its String, else its type.
func lossName(l Loss) string {
	if s, ok := l.(fmt.Stringer); ok {
		return s.String()
	}
	return fmt.Sprintf("%T", l)
}
