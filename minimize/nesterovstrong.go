package minimize

import (
	"errors"
	"math"
)

// NesterovStrong is Nesterov's accelerated gradient for μ-strongly convex L-smooth f
// (Nesterov, "Introductory Lectures on Convex Optimization", 2004, scheme 2.2.22), with
// θ₋₁ = θ₀ and a constant momentum:
//
//	yₙ   = θₙ + β(θₙ − θₙ₋₁),   β = (√κ − 1)/(√κ + 1),  κ = L/μ
//	θₙ₊₁ = yₙ − γ∇f(yₙ),        γ = 1/L
//
// so that f(θₙ) − f* ≤ (1 − 1/√κ)ⁿ(f(θ₀) − f* + μ/2‖θ₀ − θ*‖²). As with [Nesterov],
// the trace at θₙ is monitored outside the counts.
type NesterovStrong struct {
	// Step is γ. If 0, it is 1/L; it is an error if the objective does not know L.
	Step float64
	// Momentum is β. If 0, it is (√κ − 1)/(√κ + 1) from the objective's L and μ; it is
	// an error if the objective does not know both.
	Momentum float64

	beta float64
	acc  accelerated
}

var _ Method = (*NesterovStrong)(nil)

// Init implements [Method].
func (m *NesterovStrong) Init(e *Evaluator, loc *Location) error {
	step, err := defaultStep(m.Step, e, false, "NesterovStrong")
	if err != nil {
		return err
	}
	beta := m.Momentum
	if beta < 0 || beta >= 1 {
		return errors.New("minimize: NesterovStrong: Momentum must be in [0, 1)")
	}
	if beta == 0 {
		l, okL := e.Smoothness()
		mu, okMu := e.StrongConvexity()
		if !okL || !okMu || !(mu > 0) {
			return errors.New("minimize: NesterovStrong needs a Momentum: the objective does not know both L and μ > 0")
		}
		sk := math.Sqrt(l / mu)
		beta = (sk - 1) / (sk + 1)
	}
	m.beta = beta
	m.acc.init(e.Dim(), step, loc.X)
	return nil
}

// Iterate implements [Method].
func (m *NesterovStrong) Iterate(e *Evaluator, loc *Location) (float64, bool, error) {
	return m.acc.iterate(e, loc, m.beta)
}
