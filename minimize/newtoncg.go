package minimize

import (
	"errors"
	"math"

	"gonum.org/v1/gonum/floats"
)

// NewtonCG is the truncated (Hessian-free) Newton method: each iteration solves
// ∇²f(θₙ)·d = −∇f(θₙ) approximately by conjugate gradients on Hessian-vector products,
// then steps θₙ₊₁ = θₙ + γd. CG stops when its residual is below ηₙ‖∇f(θₙ)‖ with the
// forcing term ηₙ = min(Forcing, ‖∇f(θₙ)‖), which keeps Newton's quadratic convergence
// (Nocedal and Wright, "Numerical Optimization", algorithm 7.1 and theorem 7.2), or when
// it meets a direction of non-positive curvature: then it returns the iterate so far, or
// −∇f(θₙ) if that is the first CG direction.
type NewtonCG struct {
	// Step is γ when Backtracking is nil. If 0, it is 1.
	Step float64
	// Backtracking, if not nil, damps the step by Armijo backtracking from γ = 1.
	Backtracking *Backtracking
	// Forcing caps the relative CG tolerance ηₙ. If 0, it is 0.5.
	Forcing float64
	// MaxCG caps the CG iterations per Newton step. If 0, it is 2·Dim.
	MaxCG int

	step           float64
	dir, r, p, hp  []float64
	xTrial, gTrial []float64
	forcing        float64
	maxCG          int
}

var _ Method = (*NewtonCG)(nil)

// Init implements [Method].
func (m *NewtonCG) Init(e *Evaluator, loc *Location) error {
	if !e.CanHessVec() {
		return errors.New("minimize: NewtonCG needs an objective with Hessian-vector products")
	}
	if m.Step < 0 || m.Forcing < 0 || m.MaxCG < 0 {
		return errors.New("minimize: NewtonCG: negative Step, Forcing or MaxCG")
	}
	d := e.Dim()
	m.step, m.forcing, m.maxCG = m.Step, m.Forcing, m.MaxCG
	if m.step == 0 {
		m.step = 1
	}
	if m.forcing == 0 {
		m.forcing = 0.5
	}
	if m.maxCG == 0 {
		m.maxCG = 2 * d
	}
	for _, s := range []*[]float64{&m.dir, &m.r, &m.p, &m.hp, &m.xTrial, &m.gTrial} {
		*s = resize(*s, d)
	}
	return nil
}

// Iterate implements [Method].
func (m *NewtonCG) Iterate(e *Evaluator, loc *Location) (float64, bool, error) {
	m.solve(e, loc)
	return moveAlong(e, loc, m.dir, m.step, m.Backtracking, &m.xTrial, &m.gTrial)
}

// solve sets m.dir to the truncated CG solution of ∇²f·d = −∇f at loc.
func (m *NewtonCG) solve(e *Evaluator, loc *Location) {
	gnorm := floats.Norm(loc.Grad, 2)
	tol := math.Min(m.forcing, gnorm) * gnorm
	for i := range m.dir {
		m.dir[i] = 0
	}
	floats.ScaleTo(m.r, -1, loc.Grad) // r = −g − H·d with d = 0
	copy(m.p, m.r)
	rr := gnorm * gnorm
	for k := 0; k < m.maxCG; k++ {
		e.HessVec(m.hp, loc.X, m.p)
		curv := floats.Dot(m.p, m.hp)
		if curv <= 0 {
			if k == 0 {
				floats.ScaleTo(m.dir, -1, loc.Grad)
			}
			return
		}
		alpha := rr / curv
		floats.AddScaled(m.dir, alpha, m.p)
		floats.AddScaled(m.r, -alpha, m.hp)
		rrNew := floats.Dot(m.r, m.r)
		if math.Sqrt(rrNew) <= tol {
			return
		}
		beta := rrNew / rr
		rr = rrNew
		for i := range m.p {
			m.p[i] = m.r[i] + beta*m.p[i]
		}
	}
}
