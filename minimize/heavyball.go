package minimize

import (
	"errors"
	"math"

	"gonum.org/v1/gonum/floats"
)

// HeavyBall is gradient descent with Polyak's momentum, as the lecture writes it, with
// m₀ = 0:
//
//	mₙ₊₁ = βmₙ + ∇f(θₙ)
//	θₙ₊₁ = θₙ − γmₙ₊₁
//
// On a quadratic with μ ⪯ ∇²f ⪯ L, Polyak's choice γ = 4/(√L + √μ)², β = ((√κ − 1)/(√κ
// + 1))² makes the error decay like ((√κ − 1)/(√κ + 1))ⁿ (Polyak, "Some methods of
// speeding up the convergence of iteration methods", 1964). [OptimalHeavyBall] returns
// it.
type HeavyBall struct {
	// Step is γ. If Step and Momentum are both 0, Polyak's optimal pair is taken from the
	// objective's L and μ (an error if it does not know them). If only Step is 0, it is
	// 1/L.
	Step float64
	// Momentum is β in [0, 1).
	Momentum float64

	step, beta float64
	m          []float64
}

var _ Method = (*HeavyBall)(nil)

// OptimalHeavyBall returns Polyak's optimal heavy ball for a quadratic with
// μ ⪯ ∇²f ⪯ L: γ = 4/(√L + √μ)², β = ((√κ − 1)/(√κ + 1))².
func OptimalHeavyBall(l, mu float64) *HeavyBall {
	if !(l >= mu && mu >= 0 && l > 0) {
		panic("minimize: OptimalHeavyBall needs L ≥ μ ≥ 0 and L > 0")
	}
	sl, sm := math.Sqrt(l), math.Sqrt(mu)
	r := (sl - sm) / (sl + sm)
	return &HeavyBall{Step: 4 / ((sl + sm) * (sl + sm)), Momentum: r * r}
}

// Init implements [Method].
func (h *HeavyBall) Init(e *Evaluator, loc *Location) error {
	step, beta := h.Step, h.Momentum
	if beta < 0 || beta >= 1 {
		return errors.New("minimize: HeavyBall: Momentum must be in [0, 1)")
	}
	if step == 0 && beta == 0 {
		l, okL := e.Smoothness()
		mu, okMu := e.StrongConvexity()
		if !okL || !okMu || !(mu > 0) {
			return errors.New("minimize: HeavyBall needs Step and Momentum: the objective does not know both L and μ > 0")
		}
		o := OptimalHeavyBall(l, mu)
		step, beta = o.Step, o.Momentum
	} else {
		var err error
		if step, err = defaultStep(step, e, false, "HeavyBall"); err != nil {
			return err
		}
	}
	h.step, h.beta = step, beta
	h.m = resize(h.m, e.Dim())
	for i := range h.m {
		h.m[i] = 0
	}
	return nil
}

// Iterate implements [Method].
func (h *HeavyBall) Iterate(e *Evaluator, loc *Location) (float64, bool, error) {
	floats.Scale(h.beta, h.m)
	floats.Add(h.m, loc.Grad)
	floats.AddScaled(loc.X, -h.step, h.m)
	loc.F = e.ValueGrad(loc.Grad, loc.X)
	return h.step, true, nil
}
