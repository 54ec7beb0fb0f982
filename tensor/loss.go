package tensor

import "fmt"

// checkTargets panics unless x is batch×classes with one target class in [0, classes) per
// row.
func checkTargets(op string, x *Tensor, target []int) (int, int) {
	if x.rank != 2 || x.shape[0] != len(target) {
		panic(fmt.Sprintf("tensor: %s of %v with %d targets", op, dimsOf(x), len(target)))
	}
	n, c := x.shape[0], x.shape[1]
	for i, t := range target {
		if t < 0 || t >= c {
			panic(fmt.Sprintf("tensor: %s: target %d of row %d out of range [0, %d)", op, t, i, c))
		}
	}
	return n, c
}

// NLLLoss returns the mean negative log-likelihood −(1/n)·Σ_i logp[i, target_i] of a batch
// of log-probabilities logp (n×classes), PyTorch's nll_loss with mean reduction. It panics
// if a target is outside [0, classes).
func NLLLoss(logp *Tensor, target []int) float32 {
	n, c := checkTargets("NLLLoss", logp, target)
	var s float64
	for i, t := range target {
		s -= float64(logp.data[i*c+t])
	}
	return float32(s / float64(n))
}

// NLLLossBackward sets dlogp (mode Assign) or adds to it (Accumulate) g times the gradient
// of [NLLLoss]: −g/n at each row's target, zero elsewhere.
func NLLLossBackward(dlogp *Tensor, target []int, g float32, mode Mode) {
	n, c := checkTargets("NLLLossBackward", dlogp, target)
	if mode == Assign {
		clear(dlogp.data)
	}
	v := -g / float32(n)
	for i, t := range target {
		dlogp.data[i*c+t] += v
	}
}

// CrossEntropy returns the mean cross-entropy of logits (n×classes) against target classes,
// PyTorch's cross_entropy with mean reduction: [NLLLoss] of [LogSoftmax]. It writes the
// log-softmax of logits to logp (same shape), which [CrossEntropyBackward] needs.
func CrossEntropy(logp, logits *Tensor, target []int) float32 {
	LogSoftmax(logp, logits)
	return NLLLoss(logp, target)
}

// CrossEntropyBackward sets dlogits (mode Assign) or adds to it (Accumulate) g times the
// gradient of [CrossEntropy], (g/n)·(softmax(logits) − onehot(target)), from logp, the
// log-softmax CrossEntropy wrote.
func CrossEntropyBackward(dlogits, logp *Tensor, target []int, g float32, mode Mode) {
	mustSameShape("CrossEntropyBackward", dlogits, logp)
	n, c := checkTargets("CrossEntropyBackward", logp, target)
	v := g / float32(n)
	var e [expBlock]float32
	for b := (expBlocks{r: n, c: c}); b.next(e[:], logp.data); {
		dr, t := dlogits.data[b.i*c:(b.i+1)*c], target[b.i]
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
	}
}

// MSELoss returns the mean squared error (1/n)·Σ (a − b)² over the n elements of a and b,
// PyTorch's mse_loss with mean reduction.
func MSELoss(a, b *Tensor) float32 {
	mustSameShape("MSELoss", a, b)
	var s float64
	for i, v := range a.data {
		d := float64(v - b.data[i])
		s += d * d
	}
	return float32(s / float64(len(a.data)))
}

// MSELossBackward sets da (mode Assign) or adds to it (Accumulate) g times the gradient of
// [MSELoss] with respect to a: (2g/n)·(a − b). The gradient with respect to b is
// MSELossBackward(db, b, a, g, mode).
func MSELossBackward(da, a, b *Tensor, g float32, mode Mode) {
	mustSameShape("MSELossBackward", da, a, b)
	v := 2 * g / float32(len(a.data))
	for i, av := range a.data {
		d := v * (av - b.data[i])
		if mode == Accumulate {
			d += da.data[i]
		}
		da.data[i] = d
	}
}
