package minimize

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/floats"
)

// Backtracking is Armijo's backtracking line search: from an initial step t, it
// multiplies t by Contraction until
//
//	f(θ + t·d) ≤ f(θ) + Decrease·t·∇f(θ)ᵀd,
//
// evaluating f and ∇f at every trial point (so that the accepted one costs nothing more).
// Near a minimum, where the predicted decrease −t·∇f(θ)ᵀd is below ε = 10⁻¹²|f(θ)| (the
// rounding of f, roughly), comparing values of f is meaningless; there it applies the test
// to the trapezoidal estimate of the decrease, t/2·(∇f(θ)ᵀd + ∇f(θ + t·d)ᵀd) ≤
// Decrease·t·∇f(θ)ᵀd, and asks only f(θ + t·d) ≤ f(θ) + ε of f (Hager and Zhang's
// approximate Armijo condition, "A new conjugate gradient method with guaranteed descent
// and an efficient line search", 2005; exact on quadratics). The zero value works.
type Backtracking struct {
	// Decrease is Armijo's constant c in (0, 1). If 0, it is 1e-4.
	Decrease float64
	// Contraction is the factor ρ in (0, 1) applied to a rejected step. If 0, it is 0.5.
	Contraction float64
	// MaxTrials is the number of trial steps before giving up with [ErrLineSearch]. If 0,
	// it is 60.
	MaxTrials int
}

func (b *Backtracking) params() (c, rho float64, trials int) {
	c, rho, trials = b.Decrease, b.Contraction, b.MaxTrials
	if c == 0 {
		c = 1e-4
	}
	if rho == 0 {
		rho = 0.5
	}
	if trials == 0 {
		trials = 60
	}
	if !(c > 0 && c < 1) || !(rho > 0 && rho < 1) || trials < 0 {
		panic(fmt.Sprintf("minimize: bad Backtracking{Decrease: %v, Contraction: %v, MaxTrials: %v}", b.Decrease, b.Contraction, b.MaxTrials))
	}
	return c, rho, trials
}

// search moves loc along dir from the step t0: on success loc holds the accepted
// point, its value and gradient (loc's slices are swapped with xTrial and gTrial), and
// the accepted step is returned.
func (b *Backtracking) search(e *Evaluator, loc *Location, dir []float64, t0 float64, xTrial, gTrial *[]float64) (float64, error) {
	c, rho, trials := b.params()
	slope := floats.Dot(loc.Grad, dir)
	if !(slope < 0) {
		return 0, fmt.Errorf("%w (not a descent direction: slope %g)", ErrLineSearch, slope)
	}
	t := t0
	for k := 0; k < trials; k++ {
		floats.AddScaledTo(*xTrial, loc.X, t, dir)
		f := e.ValueGrad(*gTrial, *xTrial)
		var ok bool
		if noise := 1e-12 * math.Abs(loc.F); -t*slope > noise {
			ok = f <= loc.F+c*t*slope
		} else {
			// The predicted decrease is below the rounding of f: trust the derivative.
			ok = f <= loc.F+noise && floats.Dot(*gTrial, dir) <= (2*c-1)*slope
		}
		if ok {
			loc.X, *xTrial = *xTrial, loc.X
			loc.Grad, *gTrial = *gTrial, loc.Grad
			loc.F = f
			return t, nil
		}
		t *= rho
	}
	return 0, ErrLineSearch
}
