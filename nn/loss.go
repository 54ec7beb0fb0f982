package nn

import (
	"github.com/descent-ml/descent/autodiff"
	"github.com/descent-ml/descent/tensor"
)

// NLLLoss is PyTorch's nn.NLLLoss with mean reduction: the mean over the batch of minus
// the log-probability of each row's target class.
type NLLLoss struct{}

// Forward returns the loss of log-probabilities logp (batch×classes) at the targets. It
// panics if a target is outside [0, classes).
func (NLLLoss) Forward(t *autodiff.Tape, logp *autodiff.Var, target []int) *autodiff.Var {
	return t.NLLLoss(logp, target)
}

// CrossEntropyLoss is PyTorch's nn.CrossEntropyLoss with mean reduction and class-index
// targets: NLLLoss of the log-softmax of the logits, fused.
type CrossEntropyLoss struct{}

// Forward returns the loss of logits (batch×classes) at the targets. It panics if a target
// is outside [0, classes).
func (CrossEntropyLoss) Forward(t *autodiff.Tape, logits *autodiff.Var, target []int) *autodiff.Var {
	return t.CrossEntropyLoss(logits, target)
}

// MSELoss is PyTorch's nn.MSELoss with mean reduction: the mean of the squared differences.
type MSELoss struct{}

// Forward returns the mean of (input − target)² over all elements.
func (MSELoss) Forward(t *autodiff.Tape, input, target *autodiff.Var) *autodiff.Var {
	return t.MSELoss(input, target, tensor.ReduceMean)
}
