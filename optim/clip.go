package optim

import "math"

// ClipGradNorm scales the gradients of params so that their global p-norm (normType: 2 for
// the Euclidean norm, math.Inf(1) for the largest magnitude) is at most maxNorm, as torch's
// clip_grad_norm_: the norm is that of the parameters' norms, each rounded to float32, the
// coefficient is maxNorm/(norm + 1e-6) clamped to 1, and every gradient is multiplied by it.
// It returns the norm before clipping. A non-finite gradient is an [*ErrNonFinite] (torch's
// error_if_nonfinite=True) and leaves every gradient untouched. Parameters with nil
// gradients are skipped.
func ClipGradNorm(params []*Param, maxNorm, normType float64) (float64, error) {
	if !(normType > 0) {
		panic("optim: ClipGradNorm: the norm type must be positive")
	}
	if err := checkFinite(params); err != nil {
		return 0, err
	}
	var norms []float64
	for _, p := range params {
		if p.Grad == nil {
			continue
		}
		norms = append(norms, float64(float32(pnorm(p.Grad, normType))))
	}
	if len(norms) == 0 {
		return 0, nil
	}
	total := float32(pnormF64(norms, normType))
	coef := float32(1/(total+1e-6)) * float32(maxNorm) // torch: max_norm / (total + 1e-6), a reciprocal times a float
	if coef < 1 {
		for _, p := range params {
			for j := range p.Grad {
				p.Grad[j] *= coef
			}
		}
	}
	return float64(total), nil
}

// ClipGradValue clamps every gradient element to [-clip, clip] (torch's clip_grad_value_).
// A non-finite gradient is an [*ErrNonFinite] and leaves every gradient untouched.
func ClipGradValue(params []*Param, clip float64) error {
	if err := checkFinite(params); err != nil {
		return err
	}
	c := float32(clip)
	for _, p := range params {
		for j, v := range p.Grad {
			p.Grad[j] = min(max(v, -c), c)
		}
	}
	return nil
}

func checkFinite(params []*Param) error {
	for _, p := range params {
		if allFinite(p.Grad) {
			continue
		}
		for j, v := range p.Grad {
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				return &ErrNonFinite{Param: p.Name, Index: j, Value: v}
			}
		}
	}
	return nil
}

// pnorm is the p-norm of x accumulated in float64 (torch accumulates float32 norms in double).
func pnorm(x []float32, p float64) float64 {
	var s float64
	switch {
	case math.IsInf(p, 1):
		for _, v := range x {
			s = math.Max(s, math.Abs(float64(v)))
		}
		return s
	case p == 2:
		for _, v := range x {
			s += float64(v) * float64(v)
		}
		return math.Sqrt(s)
	}
	for _, v := range x {
		s += math.Pow(math.Abs(float64(v)), p)
	}
	return math.Pow(s, 1/p)
}

func pnormF64(x []float64, p float64) float64 {
	y := make([]float32, len(x))
	for i, v := range x {
		y[i] = float32(v)
	}
	return pnorm(y, p)
}
