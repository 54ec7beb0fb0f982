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

	step       float64
	n          int
	prev, y, g []float64
}

var _ Method = (*Nesterov)(nil)

// Init implements [Method].
func (m *Nesterov) Init(e *Evaluator, loc *Location) error {
	step, err := defaultStep(m.Step, e, false, "Nesterov")
	if err != nil {
		return err
	}
	m.step, m.n = step, 0
	d := e.Dim()
	m.prev = resize(m.prev, d)
	m.y = resize(m.y, d)
	m.g = resize(m.g, d)
	copy(m.prev, loc.X)
	return nil
}

// Iterate implements [Method].
func (m *Nesterov) Iterate(e *Evaluator, loc *Location) (float64, bool, error) {
	if m.n == 0 {
		// y₀ = θ₀, where the gradient is already known.
		copy(m.g, loc.Grad)
		copy(m.y, loc.X)
	} else {
		beta := float64(m.n) / float64(m.n+3)
		momentumPoint(m.y, loc.X, m.prev, beta)
		e.ValueGrad(m.g, m.y)
	}
	copy(m.prev, loc.X)
	floats.AddScaledTo(loc.X, m.y, -m.step, m.g)
	m.n++
	return m.step, false, nil
}

// momentumPoint sets y = x + beta·(x − prev).
func momentumPoint(y, x, prev []float64, beta float64) {
	for i := range y {
		y[i] = x[i] + beta*(x[i]-prev[i])
	}
}
