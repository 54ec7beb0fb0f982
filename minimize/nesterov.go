package minimize

import (
	"gonum.org/v1/gonum/floats"
)

// Nesterov is Nesterov's accelerated gradient exactly as the lecture writes it, with
// θ₋₁ = θ₀:
//
//	yₙ   = θₙ + n/(n+3)·(θₙ − θₙ₋₁)
//	θₙ₊₁ = yₙ − γ∇f(yₙ)
//
// For convex L-smooth f and γ = 1/L, f(θₙ) − f* ≤ 2L‖θ₀ − θ*‖²/(n+1)² (Nesterov,
// "Smooth minimization of non-smooth functions", 2005, theorem 2).
//
// The method evaluates ∇f only at yₙ; the trace's f and ‖∇f‖ at θₙ are computed by
// [Minimize] outside the counts.
type Nesterov struct {
	// Step is γ. If 0, it is 1/L; it is an error if the objective does not know L.
	Step float64

	acc accelerated
}

var _ Method = (*Nesterov)(nil)

// Init implements [Method].
func (m *Nesterov) Init(e *Evaluator, loc *Location) error {
	step, err := defaultStep(m.Step, e, false, "Nesterov")
	if err != nil {
		return err
	}
	m.acc.init(e.Dim(), step, loc.X)
	return nil
}

// Iterate implements [Method].
func (m *Nesterov) Iterate(e *Evaluator, loc *Location) (float64, bool, error) {
	n := float64(m.acc.n)
	return m.acc.iterate(e, loc, n/(n+3))
}

// accelerated is the iteration Nesterov's methods share, with θ₋₁ = θ₀:
// yₙ = θₙ + βₙ(θₙ − θₙ₋₁), θₙ₊₁ = yₙ − γ∇f(yₙ).
type accelerated struct {
	step       float64
	n          int
	prev, y, g []float64
}

func (a *accelerated) init(d int, step float64, x0 []float64) {
	a.step, a.n = step, 0
	a.prev = resize(a.prev, d)
	a.y = resize(a.y, d)
	a.g = resize(a.g, d)
	copy(a.prev, x0)
}

func (a *accelerated) iterate(e *Evaluator, loc *Location, beta float64) (float64, bool, error) {
	if a.n == 0 {
		// y₀ = θ₀, where the gradient is already known.
		copy(a.g, loc.Grad)
		copy(a.y, loc.X)
	} else {
		momentumPoint(a.y, loc.X, a.prev, beta)
		e.ValueGrad(a.g, a.y)
	}
	copy(a.prev, loc.X)
	floats.AddScaledTo(loc.X, a.y, -a.step, a.g)
	a.n++
	return a.step, false, nil
}

// momentumPoint sets y = x + beta·(x − prev).
func momentumPoint(y, x, prev []float64, beta float64) {
	for i := range y {
		y[i] = x[i] + beta*(x[i]-prev[i])
	}
}
