package autodiff

import "github.com/descent-ml/descent/tensor"

// targets copies the class labels into the tape, so that the caller may reuse its slice
// before the backward pass.
func (t *Tape) targets(target []int) []int {
	c := t.ints.get(len(target))
	copy(c, target)
	return c
}

// NLLLoss returns the mean negative log-likelihood of log-probabilities logp (batch×classes)
// at the target classes, as PyTorch's nll_loss. It panics if a target is out of range.
func (t *Tape) NLLLoss(logp *Var, target []int) *Var {
	out := t.result([]*Var{logp})
	out.Value.Data()[0] = tensor.NLLLoss(&logp.Value, target)
	if n := t.record(nllOp{}, out, logp); n != nil {
		n.tgt = t.targets(target)
	}
	return out
}

type nllOp struct{}

func (nllOp) backward(t *Tape, n *node) {
	if d, mode := t.grad(n.in[0]); d != nil {
		tensor.NLLLossBackward(d, n.tgt, n.out.Grad.Data()[0], mode)
	}
}

// CrossEntropyLoss returns the mean cross-entropy of logits (batch×classes) against the
// target classes, as PyTorch's cross_entropy: the log-softmax and the negative
// log-likelihood fused, with the simpler backward pass softmax − onehot.
func (t *Tape) CrossEntropyLoss(logits *Var, target []int) *Var {
	out := t.result([]*Var{logits})
	logp := tensor.Wrap(t.floats.get(logits.Value.Len()), logits.Value.Shape()...)
	out.Value.Data()[0] = tensor.CrossEntropy(&logp, &logits.Value, target)
	if n := t.record(crossEntropyOp{}, out, logits); n != nil {
		n.tgt = t.targets(target)
		n.buf = logp.Data()
	}
	return out
}

type crossEntropyOp struct{}

func (crossEntropyOp) backward(t *Tape, n *node) {
	if d, mode := t.grad(n.in[0]); d != nil {
		logp := tensor.Wrap(n.buf, d.Shape()...)
		tensor.CrossEntropyBackward(d, &logp, n.tgt, n.out.Grad.Data()[0], mode)
	}
}

// MSELoss returns the mean squared difference of a and b, as PyTorch's mse_loss.
func (t *Tape) MSELoss(a, b *Var) *Var {
	out := t.result([]*Var{a, b})
	out.Value.Data()[0] = tensor.MSELoss(&a.Value, &b.Value)
	t.record(mseOp{}, out, a, b)
	return out
}

type mseOp struct{}

func (mseOp) backward(t *Tape, n *node) {
	a, b, g := n.in[0], n.in[1], n.out.Grad.Data()[0]
	if da, mode := t.grad(a); da != nil {
		tensor.MSELossBackward(da, &a.Value, &b.Value, g, mode)
	}
	if db, mode := t.grad(b); db != nil {
		tensor.MSELossBackward(db, &b.Value, &a.Value, g, mode)
	}
}
