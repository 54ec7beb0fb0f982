package tensor

import (
	"fmt"
	"math"
)

// Reduction says how a loss combines the losses of its elements (or rows), as PyTorch's
// reduction argument.
type Reduction uint8

const (
	// ReduceMean divides the sum by the number of elements (rows, for the class losses;
	// with class weights, the sum of the weights of the targets): PyTorch's default.
	ReduceMean Reduction = iota
	// ReduceSum returns the sum.
	ReduceSum
)

// String returns "mean" or "sum", PyTorch's name.
func (r Reduction) String() string {
	switch r {
	case ReduceMean:
		return "mean"
	case ReduceSum:
		return "sum"
	}
	return fmt.Sprintf("Reduction(%d)", uint8(r))
}

// divisor returns what a loss over n terms is divided by.
func (r Reduction) divisor(n int) float64 {
	switch r {
	case ReduceMean:
		return float64(n)
	case ReduceSum:
		return 1
	}
	panic(fmt.Sprintf("tensor: unknown %v", r))
}

// checkTargets panics unless x is batch×classes with one target class in [0, classes) per
// row, and weight (if any) has one element per class.
func checkTargets(op string, x *Tensor, target []int, weight []float32) (int, int) {
	if x.rank != 2 || x.shape[0] != len(target) {
		panic(fmt.Sprintf("tensor: %s of %v with %d targets", op, dimsOf(x), len(target)))
	}
	n, c := x.shape[0], x.shape[1]
	for i, t := range target {
		if t < 0 || t >= c {
			panic(fmt.Sprintf("tensor: %s: target %d of row %d out of range [0, %d)", op, t, i, c))
		}
	}
	if weight != nil && len(weight) != c {
		panic(fmt.Sprintf("tensor: %s: %d class weights for %d classes", op, len(weight), c))
	}
	return n, c
}

// NLLConfig holds the options of [NLLLoss]. The zero value is PyTorch's default.
type NLLConfig struct {
	// Weight holds a weight per class (nil: all 1), PyTorch's weight argument.
	Weight []float32
	// Reduction: ReduceMean divides by the sum of the weights of the rows' targets (the
	// number of rows without weights).
	Reduction Reduction
}

// classDivisor returns the divisor of a class loss: the sum of the target weights, the
// number of rows, or 1.
func classDivisor(target []int, weight []float32, r Reduction) float64 {
	if r != ReduceMean || weight == nil {
		return r.divisor(len(target))
	}
	var s float64
	for _, t := range target {
		s += float64(weight[t])
	}
	return s
}

func weightOf(weight []float32, c int) float32 {
	if weight == nil {
		return 1
	}
	return weight[c]
}

// NLLLoss returns the negative log-likelihood of a batch of log-probabilities logp
// (n×classes) at the target classes, PyTorch's nll_loss:
//
//	−Σ_i w[t_i]·logp[i, t_i] / D,  D = Σ_i w[t_i] (mean) or 1 (sum)
//
// with w the class weights of cfg (1 without). The sum is in float64. It panics if a
// target is outside [0, classes).
func NLLLoss(logp *Tensor, target []int, cfg NLLConfig) float32 {
	_, c := checkTargets("NLLLoss", logp, target, cfg.Weight)
	var s float64
	for i, t := range target {
		s -= float64(weightOf(cfg.Weight, t)) * float64(logp.data[i*c+t])
	}
	return float32(s / classDivisor(target, cfg.Weight, cfg.Reduction))
}

// NLLLossBackward sets dlogp (mode Assign) or adds to it (Accumulate) g times the gradient
// of [NLLLoss]: −g·w[t_i]/D at each row's target, zero elsewhere.
func NLLLossBackward(dlogp *Tensor, target []int, cfg NLLConfig, g float32, mode Mode) {
	_, c := checkTargets("NLLLossBackward", dlogp, target, cfg.Weight)
	if mode == Assign {
		clear(dlogp.data)
	}
	v := float64(-g) / classDivisor(target, cfg.Weight, cfg.Reduction)
	for i, t := range target {
		dlogp.data[i*c+t] += float32(v * float64(weightOf(cfg.Weight, t)))
	}
}

// CrossEntropyConfig holds the options of [CrossEntropy]. The zero value is PyTorch's
// default.
type CrossEntropyConfig struct {
	// Weight holds a weight per class (nil: all 1).
	Weight []float32
	// LabelSmoothing ε in [0, 1] mixes the target with the uniform distribution over the
	// classes.
	LabelSmoothing float64
	// Reduction: ReduceMean divides by the sum of the weights of the rows' targets (the
	// number of rows without weights), for both terms of the smoothed loss, as PyTorch.
	Reduction Reduction
}

// CrossEntropy returns the cross-entropy of logits (n×classes) against target classes,
// PyTorch's cross_entropy with class-index targets. With logp the log-softmax of the
// logits over the classes, C classes, class weights w (1 without) and ε the label
// smoothing:
//
//	((1 − ε)·Σ_i w[t_i]·(−logp[i, t_i]) + (ε/C)·Σ_i Σ_c w[c]·(−logp[i, c])) / D
//
// with D = Σ_i w[t_i] for the mean reduction (n without weights) and 1 for the sum:
// PyTorch's definition, whose smoothing term is also divided by the targets' weights. It
// writes logp (same shape as logits), which [CrossEntropyBackward] needs. The sums are in
// float64.
func CrossEntropy(logp, logits *Tensor, target []int, cfg CrossEntropyConfig) float32 {
	_, c := checkTargets("CrossEntropy", logits, target, cfg.Weight)
	if !(cfg.LabelSmoothing >= 0 && cfg.LabelSmoothing <= 1) {
		panic(fmt.Sprintf("tensor: CrossEntropy: label smoothing %v outside [0, 1]", cfg.LabelSmoothing))
	}
	LogSoftmax(logp, logits, -1)
	var nll, smooth float64
	eps := cfg.LabelSmoothing
	for i, t := range target {
		row := logp.data[i*c : (i+1)*c]
		nll -= float64(weightOf(cfg.Weight, t)) * float64(row[t])
		if eps == 0 {
			continue
		}
		var s float64
		if cfg.Weight == nil {
			for _, v := range row {
				s += float64(v)
			}
		} else {
			for k, v := range row {
				s += float64(cfg.Weight[k]) * float64(v)
			}
		}
		smooth -= s
	}
	return float32(((1-eps)*nll + eps/float64(c)*smooth) / classDivisor(target, cfg.Weight, cfg.Reduction))
}

// CrossEntropyBackward sets dlogits (mode Assign) or adds to it (Accumulate) g times the
// gradient of [CrossEntropy], from logp, the log-softmax CrossEntropy wrote: with
// p = exp(logp) and S_i = (1 − ε)·w[t_i] + (ε/C)·Σ_c w[c],
//
//	(g/D)·(p[i, c]·S_i − (1 − ε)·w[t_i]·[c = t_i] − (ε/C)·w[c])
//
// which without weights and smoothing is (g/D)·(softmax(logits) − onehot(target)).
func CrossEntropyBackward(dlogits, logp *Tensor, target []int, cfg CrossEntropyConfig, g float32, mode Mode) {
	mustSameShape("CrossEntropyBackward", dlogits, logp)
	n, c := checkTargets("CrossEntropyBackward", logp, target, cfg.Weight)
	v := float32(float64(g) / classDivisor(target, cfg.Weight, cfg.Reduction))
	eps := float32(cfg.LabelSmoothing)
	plain := cfg.Weight == nil && eps == 0
	var wsum float64
	for k := range c {
		wsum += float64(weightOf(cfg.Weight, k))
	}
	var e [expBlock]float32
	for b := (expBlocks{r: n, c: c}); b.next(e[:], logp.data); {
		dr, t := dlogits.data[b.i*c:(b.i+1)*c], target[b.i]
		if plain {
			for k, ev := range e[b.off : b.off+b.n] {
				d := v * ev
				if b.j0+k == t {
					d -= v
				}
				if mode == Accumulate {
					d += dr[b.j0+k]
				}
				dr[b.j0+k] = d
			}
			continue
		}
		wt := weightOf(cfg.Weight, t)
		s := (1-eps)*wt + eps/float32(c)*float32(wsum)
		for k, ev := range e[b.off : b.off+b.n] {
			j := b.j0 + k
			d := ev*s - eps/float32(c)*weightOf(cfg.Weight, j)
			if j == t {
				d -= (1 - eps) * wt
			}
			d *= v
			if mode == Accumulate {
				d += dr[j]
			}
			dr[j] = d
		}
	}
}

// MSELoss returns the squared error Σ (a − b)² over the elements of a and b, divided by
// their number (mean) or not (sum), PyTorch's mse_loss. The squares are summed in float32
// over 4 interleaved partial sums per block of 1024, the blocks in float64.
func MSELoss(a, b *Tensor, r Reduction) float32 {
	mustSameShape("MSELoss", a, b)
	x, y := a.data, b.data[:len(a.data)]
	var t float64
	for len(x) > 0 {
		k := min(len(x), sumBlock)
		xb, yb := x[:k], y[:k]
		var s0, s1, s2, s3 float32
		i := 0
		for ; i+4 <= k; i += 4 {
			d0, d1, d2, d3 := xb[i]-yb[i], xb[i+1]-yb[i+1], xb[i+2]-yb[i+2], xb[i+3]-yb[i+3]
			s0 += d0 * d0
			s1 += d1 * d1
			s2 += d2 * d2
			s3 += d3 * d3
		}
		for ; i < k; i++ {
			d := xb[i] - yb[i]
			s0 += d * d
		}
		t += float64((s0 + s1) + (s2 + s3))
		x, y = x[k:], y[k:]
	}
	return float32(t / r.divisor(len(a.data)))
}

// MSELossBackward sets da (mode Assign) or adds to it (Accumulate) g times the gradient of
// [MSELoss] with respect to a: (2g/D)·(a − b). The gradient with respect to b is
// MSELossBackward(db, b, a, g, r, mode).
func MSELossBackward(da, a, b *Tensor, g float32, r Reduction, mode Mode) {
	mustSameShape("MSELossBackward", da, a, b)
	v := float32(2 * float64(g) / r.divisor(len(a.data)))
	eachParam(da.data, a.data, b.data, mode, float64(v), mseBackward)
}

// mseBackward sets (or adds to) d the values v·(a − b), v = float32(p).
func mseBackward(d, a, b []float32, mode Mode, p float64) {
	v := float32(p)
	a, b = a[:len(d)], b[:len(d)]
	if mode == Assign {
		for i := range d {
			d[i] = v * (a[i] - b[i])
		}
		return
	}
	for i := range d {
		d[i] += v * (a[i] - b[i])
	}
}

// A pointwise loss is a function ℓ(a − b) summed over the elements and reduced.
type pointwise uint8

const (
	l1Loss pointwise = iota
	smoothL1Loss
	huberLoss
)

// pointwiseLoss returns the reduced sum of ℓ(a_i − b_i) in float64.
func pointwiseLoss(name string, a, b *Tensor, kind pointwise, p float64, r Reduction) float32 {
	mustSameShape(name, a, b)
	var s float64
	for i, av := range a.data {
		d := math.Abs(float64(av - b.data[i]))
		switch kind {
		case l1Loss:
			s += d
		case smoothL1Loss:
			if d < p {
				s += 0.5 * d * d / p
			} else {
				s += d - 0.5*p
			}
		case huberLoss:
			if d <= p {
				s += 0.5 * d * d
			} else {
				s += p * (d - 0.5*p)
			}
		}
	}
	return float32(s / r.divisor(len(a.data)))
}

// pointwiseBackward sets (or adds to) da the gradient g·ℓ'(a − b)/D.
func pointwiseBackward(name string, da, a, b *Tensor, kind pointwise, p float64, g float32, r Reduction, mode Mode) {
	mustSameShape(name, da, a, b)
	v := float32(float64(g) / r.divisor(len(a.data)))
	pf := float32(p)
	for i, av := range a.data {
		d := av - b.data[i]
		var dl float32
		switch kind {
		case l1Loss:
			dl = sign(d)
		case smoothL1Loss:
			switch {
			case d <= -pf:
				dl = -1
			case d >= pf:
				dl = 1
			default:
				dl = d / pf
			}
		case huberLoss:
			dl = min(max(d, -pf), pf)
		}
		if mode == Accumulate {
			da.data[i] += v * dl
		} else {
			da.data[i] = v * dl
		}
	}
}

func sign(x float32) float32 {
	switch {
	case x > 0:
		return 1
	case x < 0:
		return -1
	}
	return 0
}

// L1Loss returns Σ |a − b| over the elements, divided by their number (mean) or not
// (sum), PyTorch's l1_loss. The sum is in float64.
func L1Loss(a, b *Tensor, r Reduction) float32 {
	return pointwiseLoss("L1Loss", a, b, l1Loss, 0, r)
}

// L1LossBackward sets (or adds to) da g times the gradient of [L1Loss] with respect to a,
// (g/D)·sign(a − b) with sign(0) = 0 as PyTorch. The gradient with respect to b is
// L1LossBackward(db, b, a, g, r, mode).
func L1LossBackward(da, a, b *Tensor, g float32, r Reduction, mode Mode) {
	pointwiseBackward("L1LossBackward", da, a, b, l1Loss, 0, g, r, mode)
}

// SmoothL1Loss returns PyTorch's smooth_l1_loss with parameter beta > 0: with d = |a − b|,
// the reduced sum of 0.5·d²/beta where d < beta and d − 0.5·beta elsewhere. Its
// gradient is in [SmoothL1LossBackward]; beta = 0 is [L1Loss], as in PyTorch.
func SmoothL1Loss(a, b *Tensor, beta float64, r Reduction) float32 {
	if beta == 0 {
		return L1Loss(a, b, r)
	}
	checkPositive("SmoothL1Loss", "beta", beta)
	return pointwiseLoss("SmoothL1Loss", a, b, smoothL1Loss, beta, r)
}

// SmoothL1LossBackward sets (or adds to) da g times the gradient of [SmoothL1Loss] with
// respect to a: (g/D)·clamp((a − b)/beta, −1, 1). The gradient with respect to b is
// SmoothL1LossBackward(db, b, a, beta, g, r, mode).
func SmoothL1LossBackward(da, a, b *Tensor, beta float64, g float32, r Reduction, mode Mode) {
	if beta == 0 {
		L1LossBackward(da, a, b, g, r, mode)
		return
	}
	checkPositive("SmoothL1LossBackward", "beta", beta)
	pointwiseBackward("SmoothL1LossBackward", da, a, b, smoothL1Loss, beta, g, r, mode)
}

// HuberLoss returns PyTorch's huber_loss with parameter delta > 0: with d = |a − b|, the
// reduced sum of 0.5·d² where d ≤ delta and delta·(d − 0.5·delta) elsewhere (delta times
// [SmoothL1Loss] with beta = delta).
func HuberLoss(a, b *Tensor, delta float64, r Reduction) float32 {
	checkPositive("HuberLoss", "delta", delta)
	return pointwiseLoss("HuberLoss", a, b, huberLoss, delta, r)
}

// HuberLossBackward sets (or adds to) da g times the gradient of [HuberLoss] with respect
// to a: (g/D)·clamp(a − b, −delta, delta). The gradient with respect to b is
// HuberLossBackward(db, b, a, delta, g, r, mode).
func HuberLossBackward(da, a, b *Tensor, delta float64, g float32, r Reduction, mode Mode) {
	checkPositive("HuberLossBackward", "delta", delta)
	pointwiseBackward("HuberLossBackward", da, a, b, huberLoss, delta, g, r, mode)
}

func checkPositive(op, name string, v float64) {
	if !(v > 0) {
		panic(fmt.Sprintf("tensor: %s with %s %v", op, name, v))
	}
}

// checkPosWeight panics unless posWeight is nil or has one element or one per element of
// x's last dimension.
func checkPosWeight(op string, x *Tensor, posWeight []float32) int {
	c := 1
	if x.rank > 0 {
		c = x.shape[x.rank-1]
	}
	if posWeight != nil && len(posWeight) != c && len(posWeight) != 1 {
		panic(fmt.Sprintf("tensor: %s of %v with %d positive weights", op, dimsOf(x), len(posWeight)))
	}
	return c
}

// posWeightAt returns the positive weight of element i of a tensor whose last dimension
// has c elements.
func posWeightAt(posWeight []float32, i, c int) float64 {
	switch len(posWeight) {
	case 0:
		return 1
	case 1:
		return float64(posWeight[0])
	}
	return float64(posWeight[i%c])
}

// softplus returns log(1 + eˣ), without overflow.
func softplus(x float64) float64 {
	return max(x, 0) + math.Log1p(math.Exp(-math.Abs(x)))
}

// BCEWithLogitsLoss returns PyTorch's binary_cross_entropy_with_logits of logits x against
// targets y (same shape, y in [0, 1]): the reduced sum of
//
//	−(p·y·log σ(x) + (1 − y)·log(1 − σ(x))) = (1 − y)·x + (1 + (p − 1)·y)·softplus(−x)
//
// computed in float64 in the second, stable form. p is posWeight, broadcast along the
// last dimension (one value per element of it, or a single value), or 1 if nil.
func BCEWithLogitsLoss(x, y *Tensor, posWeight []float32, r Reduction) float32 {
	mustSameShape("BCEWithLogitsLoss", x, y)
	c := checkPosWeight("BCEWithLogitsLoss", x, posWeight)
	var s float64
	for i, xv := range x.data {
		z, t := float64(xv), float64(y.data[i])
		lw := 1 + (posWeightAt(posWeight, i, c)-1)*t
		s += (1-t)*z + lw*softplus(-z)
	}
	return float32(s / r.divisor(len(x.data)))
}

// BCEWithLogitsLossBackward sets (or adds to) dx and dy g times the gradients of
// [BCEWithLogitsLoss] with respect to the logits, (g/D)·((1 + (p − 1)·y)·σ(x) − p·y), and
// to the targets, (g/D)·((p − 1)·softplus(−x) − x). Either may be nil; modeX and modeY
// say whether each is set or added to.
func BCEWithLogitsLossBackward(dx, dy, x, y *Tensor, posWeight []float32, g float32, r Reduction, modeX, modeY Mode) {
	mustSameShape("BCEWithLogitsLossBackward", x, y)
	for _, d := range [2]*Tensor{dx, dy} {
		if d != nil {
			mustSameShape("BCEWithLogitsLossBackward", d, x)
		}
	}
	c := checkPosWeight("BCEWithLogitsLossBackward", x, posWeight)
	v := float64(g) / r.divisor(len(x.data))
	for i, xv := range x.data {
		z, t := float64(xv), float64(y.data[i])
		p := posWeightAt(posWeight, i, c)
		if dx != nil {
			s := 1 / (1 + math.Exp(-z))
			d := float32(v * ((1+(p-1)*t)*s - p*t))
			if modeX == Accumulate {
				d += dx.data[i]
			}
			dx.data[i] = d
		}
		if dy != nil {
			d := float32(v * ((p-1)*softplus(-z) - z))
			if modeY == Accumulate {
				d += dy.data[i]
			}
			dy.data[i] = d
		}
	}
}
