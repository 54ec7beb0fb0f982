package autodiff

import "github.com/descent-ml/descent/tensor"

// targets copies the class labels (or indices) into the tape, so that the caller may
// reuse its slice before the backward pass.
func (t *Tape) targets(target []int) []int {
	c := t.ints.get(len(target))
	copy(c, target)
	return c
}

// weights copies class or positive weights into the tape; nil stays nil.
func (t *Tape) weights(w []float32) []float32 {
	if w == nil {
		return nil
	}
	c := t.floats.get(len(w))
	if c == nil {
		c = []float32{}
	}
	copy(c, w)
	return c
}

// NLLLoss returns the mean negative log-likelihood of log-probabilities logp
// (batch×classes) at the target classes, as PyTorch's nll_loss with its defaults:
// NLL(logp, target, tensor.NLLConfig{}).
func (t *Tape) NLLLoss(logp *Var, target []int) *Var {
	return t.NLL(logp, target, tensor.NLLConfig{})
}

// NLL returns the negative log-likelihood of log-probabilities logp (batch×classes) at the
// target classes, with the class weights and reduction of cfg, as PyTorch's nll_loss:
// −Σ_i w[t_i]·logp[i, t_i] / D, D the sum of the targets' weights (mean) or 1 (sum). See
// [tensor.NLLLoss]. The targets and weights are copied; it panics if a target is out of
// range.
func (t *Tape) NLL(logp *Var, target []int, cfg tensor.NLLConfig) *Var {
	out := t.result([]*Var{logp})
	out.Value.Data()[0] = tensor.NLLLoss(&logp.Value, target, cfg)
	if n := t.record(nllOp{}, out, logp); n != nil {
		n.tgt = t.targets(target)
		n.w = t.weights(cfg.Weight)
		n.i[0] = int(cfg.Reduction)
	}
	return out
}

type nllOp struct{}

func (nllOp) backward(t *Tape, n *node) {
	if d, mode := t.grad(n.in[0]); d != nil {
		cfg := tensor.NLLConfig{Weight: n.w, Reduction: tensor.Reduction(n.i[0])}
		tensor.NLLLossBackward(d, n.tgt, cfg, n.out.Grad.Data()[0], mode)
	}
}

// CrossEntropyLoss returns the mean cross-entropy of logits (batch×classes) against the
// target classes, as PyTorch's cross_entropy with its defaults:
// CrossEntropy(logits, target, tensor.CrossEntropyConfig{}).
func (t *Tape) CrossEntropyLoss(logits *Var, target []int) *Var {
	return t.CrossEntropy(logits, target, tensor.CrossEntropyConfig{})
}

// CrossEntropy returns the cross-entropy of logits (batch×classes) against the target
// classes with the class weights, label smoothing and reduction of cfg, as PyTorch's
// cross_entropy; see [tensor.CrossEntropy] for the definition. The log-softmax and the
// negative log-likelihood are fused, with the simpler backward pass (for the defaults)
// softmax − onehot. The targets and weights are copied; it panics if a target is out of
// range.
func (t *Tape) CrossEntropy(logits *Var, target []int, cfg tensor.CrossEntropyConfig) *Var {
	out := t.result([]*Var{logits})
	logp := tensor.Wrap(t.floats.get(logits.Value.Len()), logits.Value.Shape()...)
	out.Value.Data()[0] = tensor.CrossEntropy(&logp, &logits.Value, target, cfg)
	if n := t.record(crossEntropyOp{}, out, logits); n != nil {
		n.tgt = t.targets(target)
		n.buf = logp.Data()
		n.w = t.weights(cfg.Weight)
		n.f = cfg.LabelSmoothing
		n.i[0] = int(cfg.Reduction)
	}
	return out
}

type crossEntropyOp struct{}

func (crossEntropyOp) backward(t *Tape, n *node) {
	if d, mode := t.grad(n.in[0]); d != nil {
		logp := tensor.Wrap(n.buf, d.Shape()...)
		cfg := tensor.CrossEntropyConfig{Weight: n.w, LabelSmoothing: n.f, Reduction: tensor.Reduction(n.i[0])}
		tensor.CrossEntropyBackward(d, &logp, n.tgt, cfg, n.out.Grad.Data()[0], mode)
	}
}

// The pointwise losses of a and b, recorded as pointwiseOp with the kind in n.i[1].
const (
	mseKind = iota
	l1Kind
	smoothL1Kind
	huberKind
)

// pointwise records a loss of a and b of the given kind and parameter.
func (t *Tape) pointwise(a, b *Var, kind int, p float64, r tensor.Reduction) *Var {
	out := t.result([]*Var{a, b})
	var v float32
	switch kind {
	case mseKind:
		v = tensor.MSELoss(&a.Value, &b.Value, r)
	case l1Kind:
		v = tensor.L1Loss(&a.Value, &b.Value, r)
	case smoothL1Kind:
		v = tensor.SmoothL1Loss(&a.Value, &b.Value, p, r)
	case huberKind:
		v = tensor.HuberLoss(&a.Value, &b.Value, p, r)
	}
	out.Value.Data()[0] = v
	if n := t.record(pointwiseOp{}, out, a, b); n != nil {
		n.i[0], n.i[1], n.f = int(r), kind, p
	}
	return out
}

type pointwiseOp struct{}

// backward: each loss is a function of a − b, odd in it, so the gradient with respect to b
// is the gradient with respect to a with the operands exchanged.
func (pointwiseOp) backward(t *Tape, n *node) {
	a, b, g := n.in[0], n.in[1], n.out.Grad.Data()[0]
	r, p := tensor.Reduction(n.i[0]), n.f
	for k, v := range [2]*Var{a, b} {
		d, mode := t.grad(v)
		if d == nil {
			continue
		}
		x, y := &a.Value, &b.Value
		if k == 1 {
			x, y = y, x
		}
		switch n.i[1] {
		case mseKind:
			tensor.MSELossBackward(d, x, y, g, r, mode)
		case l1Kind:
			tensor.L1LossBackward(d, x, y, g, r, mode)
		case smoothL1Kind:
			tensor.SmoothL1LossBackward(d, x, y, p, g, r, mode)
		case huberKind:
			tensor.HuberLossBackward(d, x, y, p, g, r, mode)
		}
	}
}

// MSELoss returns the squared error of a and b (same shape), Σ (a − b)² divided by the
// number of elements (mean) or not (sum), as PyTorch's mse_loss; its gradient with respect
// to a is 2·(a − b)/D.
func (t *Tape) MSELoss(a, b *Var, r tensor.Reduction) *Var {
	return t.pointwise(a, b, mseKind, 0, r)
}

// L1Loss returns Σ |a − b| reduced, as PyTorch's l1_loss; its gradient with respect to a
// is sign(a − b)/D.
func (t *Tape) L1Loss(a, b *Var, r tensor.Reduction) *Var {
	return t.pointwise(a, b, l1Kind, 0, r)
}

// SmoothL1Loss returns PyTorch's smooth_l1_loss with parameter beta (1 is PyTorch's
// default; 0 is L1Loss): with d = |a − b|, Σ (0.5·d²/beta if d < beta, else d − 0.5·beta)
// reduced. Its gradient with respect to a is clamp((a − b)/beta, −1, 1)/D.
func (t *Tape) SmoothL1Loss(a, b *Var, beta float64, r tensor.Reduction) *Var {
	return t.pointwise(a, b, smoothL1Kind, beta, r)
}

// HuberLoss returns PyTorch's huber_loss with parameter delta > 0 (1 is PyTorch's
// default): with d = |a − b|, Σ (0.5·d² if d ≤ delta, else delta·(d − 0.5·delta))
// reduced. Its gradient with respect to a is clamp(a − b, −delta, delta)/D.
func (t *Tape) HuberLoss(a, b *Var, delta float64, r tensor.Reduction) *Var {
	return t.pointwise(a, b, huberKind, delta, r)
}

// BCEWithLogitsLoss returns PyTorch's binary_cross_entropy_with_logits of logits x against
// targets y (same shape, in [0, 1]): Σ (1 − y)·x + (1 + (p − 1)·y)·softplus(−x) reduced,
// with p the positive weights (one per element of the last dimension, or one in all; nil
// for 1). See [tensor.BCEWithLogitsLossBackward] for the gradients. posWeight is copied.
func (t *Tape) BCEWithLogitsLoss(x, y *Var, posWeight []float32, r tensor.Reduction) *Var {
	out := t.result([]*Var{x, y})
	out.Value.Data()[0] = tensor.BCEWithLogitsLoss(&x.Value, &y.Value, posWeight, r)
	if n := t.record(bceOp{}, out, x, y); n != nil {
		n.w = t.weights(posWeight)
		n.i[0] = int(r)
	}
	return out
}

type bceOp struct{}

func (bceOp) backward(t *Tape, n *node) {
	x, y := n.in[0], n.in[1]
	dx, mx := t.grad(x)
	dy, my := t.grad(y)
	if dx == nil && dy == nil {
		return
	}
	tensor.BCEWithLogitsLossBackward(dx, dy, &x.Value, &y.Value, n.w, n.out.Grad.Data()[0], tensor.Reduction(n.i[0]), mx, my)
}
