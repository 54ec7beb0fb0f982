package nn

import (
	"fmt"

	"github.com/descent-ml/descent/autodiff"
	"github.com/descent-ml/descent/tensor"
)

// The losses are PyTorch's loss modules with their definitions and defaults; their zero
// values are PyTorch's defaults (reduction='mean'). Each Forward records the loss on the
// tape as one fused operation of package autodiff, whose doc gives the formula and the
// gradient.

// NLLLoss is PyTorch's nn.NLLLoss with class-index targets: minus the log-probability of
// each row's target class, weighted by Weight[class] (one weight per class; nil for 1),
// summed and divided by the sum of the weights of the targets (mean, the number of rows
// without weights) or not (sum).
type NLLLoss struct {
	Weight    *tensor.Tensor
	Reduction tensor.Reduction
}

// Forward returns the loss of log-probabilities logp (batch×classes) at the targets. It
// panics if a target is outside [0, classes).
func (l NLLLoss) Forward(t *autodiff.Tape, logp *autodiff.Var, target []int) *autodiff.Var {
	return t.NLL(logp, target, tensor.NLLConfig{Weight: dataOf(l.Weight), Reduction: l.Reduction})
}

func dataOf(t *tensor.Tensor) []float32 {
	if t == nil {
		return nil
	}
	return t.Data()
}

// CrossEntropyLoss is PyTorch's nn.CrossEntropyLoss with class-index targets: NLLLoss of
// the log-softmax of the logits, fused, with class weights Weight (nil for 1) and label
// smoothing LabelSmoothing ε in [0, 1], by PyTorch's definition (see
// [tensor.CrossEntropy]):
//
//	((1 − ε)·Σ_i w[t_i]·(−logp[i, t_i]) + (ε/C)·Σ_i Σ_c w[c]·(−logp[i, c])) / D
//
// with C classes and D the sum of the weights of the targets (mean) or 1 (sum).
type CrossEntropyLoss struct {
	Weight         *tensor.Tensor
	LabelSmoothing float64
	Reduction      tensor.Reduction
}

// Forward returns the loss of logits (batch×classes) at the targets. It panics if a target
// is outside [0, classes).
func (l CrossEntropyLoss) Forward(t *autodiff.Tape, logits *autodiff.Var, target []int) *autodiff.Var {
	return t.CrossEntropy(logits, target, tensor.CrossEntropyConfig{Weight: dataOf(l.Weight),
		LabelSmoothing: l.LabelSmoothing, Reduction: l.Reduction})
}

// MSELoss is PyTorch's nn.MSELoss: Σ (input − target)² over the elements, divided by
// their number (mean) or not (sum).
type MSELoss struct {
	Reduction tensor.Reduction
}

// Forward returns the loss of input against target, of the same shape (PyTorch would
// broadcast them; here different shapes are an error, which catches the batch×1 against
// batch mistake).
func (l MSELoss) Forward(t *autodiff.Tape, input, target *autodiff.Var) *autodiff.Var {
	sameShape("MSELoss", input, target)
	return t.MSELoss(input, target, l.Reduction)
}

func sameShape(name string, a, b *autodiff.Var) {
	if !a.Value.SameShape(&b.Value) {
		panic(fmt.Sprintf("nn: %s of input %v and target %v", name, a.Value.Shape(), b.Value.Shape()))
	}
}

// L1Loss is PyTorch's nn.L1Loss: Σ |input − target| reduced.
type L1Loss struct {
	Reduction tensor.Reduction
}

// Forward returns the loss of input against target, of the same shape.
func (l L1Loss) Forward(t *autodiff.Tape, input, target *autodiff.Var) *autodiff.Var {
	sameShape("L1Loss", input, target)
	return t.L1Loss(input, target, l.Reduction)
}

// SmoothL1Loss is PyTorch's nn.SmoothL1Loss: with d = |input − target|, Σ (0.5·d²/Beta
// if d < Beta, else d − 0.5·Beta) reduced.
type SmoothL1Loss struct {
	// Beta is the width of the quadratic part. If Beta is 0, it is 1, PyTorch's default
	// (PyTorch's beta = 0 is L1Loss).
	Beta      float64
	Reduction tensor.Reduction
}

// Forward returns the loss of input against target, of the same shape.
func (l SmoothL1Loss) Forward(t *autodiff.Tape, input, target *autodiff.Var) *autodiff.Var {
	sameShape("SmoothL1Loss", input, target)
	beta := l.Beta
	if beta == 0 {
		beta = 1
	}
	return t.SmoothL1Loss(input, target, beta, l.Reduction)
}

// HuberLoss is PyTorch's nn.HuberLoss: with d = |input − target|, Σ (0.5·d² if
// d ≤ Delta, else Delta·(d − 0.5·Delta)) reduced.
type HuberLoss struct {
	// Delta is where the loss turns linear. If Delta is 0, it is 1, PyTorch's default.
	Delta     float64
	Reduction tensor.Reduction
}

// Forward returns the loss of input against target, of the same shape.
func (l HuberLoss) Forward(t *autodiff.Tape, input, target *autodiff.Var) *autodiff.Var {
	sameShape("HuberLoss", input, target)
	delta := l.Delta
	if delta == 0 {
		delta = 1
	}
	return t.HuberLoss(input, target, delta, l.Reduction)
}

// BCEWithLogitsLoss is PyTorch's nn.BCEWithLogitsLoss: the binary cross-entropy of the
// sigmoid of logits x against targets y in [0, 1], computed stably,
//
//	Σ (1 − y)·x + (1 + (p − 1)·y)·log(1 + e⁻ˣ)  reduced
//
// with p = PosWeight, the weight of the positive examples, broadcast along the last
// dimension (one value per element of it, or one value; nil for 1).
type BCEWithLogitsLoss struct {
	PosWeight *tensor.Tensor
	Reduction tensor.Reduction
}

// Forward returns the loss of logits against targets of the same shape.
func (l BCEWithLogitsLoss) Forward(t *autodiff.Tape, logits, target *autodiff.Var) *autodiff.Var {
	sameShape("BCEWithLogitsLoss", logits, target)
	return t.BCEWithLogitsLoss(logits, target, dataOf(l.PosWeight), l.Reduction)
}
