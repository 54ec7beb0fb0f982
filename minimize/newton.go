package minimize

import (
	"errors"
	"math"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// Newton is Newton's method with the exact Hessian, solved by a Cholesky factorisation:
//
//	θₙ₊₁ = θₙ − γ∇²f(θₙ)⁻¹∇f(θₙ)
//
// With γ = 1 and no line search it is pure Newton; with Backtracking it is damped Newton.
// The Hessian is the objective's own ([Hessianer]) or is assembled from Dim
// Hessian-vector products, so Newton suits small problems; see [NewtonCG] for large ones.
//
// When the Hessian is not positive definite, pure Newton solves the system by an LU
// factorisation (and fails if it is singular); damped Newton instead adds τI, with τ
// growing tenfold from 10⁻³·max|∇²f|ᵢᵢ until the Cholesky factorisation succeeds
// (Nocedal and Wright, "Numerical Optimization", algorithm 3.3), so that the direction
// is a descent direction.
type Newton struct {
	// Step is γ when Backtracking is nil. If 0, it is 1 (pure Newton).
	Step float64
	// Backtracking, if not nil, damps the Newton step by Armijo backtracking from γ = 1.
	Backtracking *Backtracking

	step           float64
	hess, shifted  []float64
	dir, rhs       []float64
	xTrial, gTrial []float64
	chol           mat.Cholesky
}

var _ Method = (*Newton)(nil)

// Init implements [Method].
func (m *Newton) Init(e *Evaluator, loc *Location) error {
	if !e.CanHessian() {
		return errors.New("minimize: Newton needs an objective with a Hessian or Hessian-vector products")
	}
	if m.Step < 0 {
		return errors.New("minimize: Newton: negative Step")
	}
	m.step = m.Step
	if m.step == 0 {
		m.step = 1
	}
	d := e.Dim()
	m.hess = resize(m.hess, d*d)
	m.shifted = resize(m.shifted, d*d)
	m.dir = resize(m.dir, d)
	m.rhs = resize(m.rhs, d)
	m.xTrial = resize(m.xTrial, d)
	m.gTrial = resize(m.gTrial, d)
	return nil
}

// Iterate implements [Method].
func (m *Newton) Iterate(e *Evaluator, loc *Location) (float64, bool, error) {
	d := e.Dim()
	if err := e.Hessian(m.hess, loc.X); err != nil {
		return 0, false, err
	}
	dir := mat.NewVecDense(d, m.dir)
	floats.ScaleTo(m.rhs, -1, loc.Grad)
	negGrad := mat.NewVecDense(d, m.rhs)
	if m.chol.Factorize(mat.NewSymDense(d, m.hess)) {
		if err := m.chol.SolveVecTo(dir, negGrad); err != nil && !isCondition(err) {
			return 0, false, err
		}
	} else if m.Backtracking == nil {
		var lu mat.LU
		lu.Factorize(mat.NewDense(d, d, m.hess))
		if err := lu.SolveVecTo(dir, false, negGrad); err != nil && !isCondition(err) {
			return 0, false, errors.New("minimize: Newton: the Hessian is singular")
		}
	} else if err := m.shiftedSolve(d, dir, negGrad); err != nil {
		return 0, false, err
	}
	return moveAlong(e, loc, m.dir, m.step, m.Backtracking, &m.xTrial, &m.gTrial)
}

// moveAlong moves loc along dir by the fixed step when bt is nil, else by Armijo
// backtracking from 1, and evaluates f and ∇f at the new point.
func moveAlong(e *Evaluator, loc *Location, dir []float64, step float64, bt *Backtracking, xTrial, gTrial *[]float64) (float64, bool, error) {
	if bt == nil {
		floats.AddScaled(loc.X, step, dir)
		loc.F = e.ValueGrad(loc.Grad, loc.X)
		return step, true, nil
	}
	t, err := bt.search(e, loc, dir, 1, xTrial, gTrial)
	return t, true, err
}

// shiftedSolve solves (H + τI)·dir = rhs for the smallest τ of the sequence τ₀·10ᵏ that
// makes H + τI positive definite.
func (m *Newton) shiftedSolve(d int, dir, rhs *mat.VecDense) error {
	maxDiag := 0.0
	for i := 0; i < d; i++ {
		maxDiag = math.Max(maxDiag, math.Abs(m.hess[i*d+i]))
	}
	tau := 1e-3 * maxDiag
	if tau == 0 {
		tau = 1e-3
	}
	for k := 0; k < 60; k++ {
		copy(m.shifted, m.hess)
		for i := 0; i < d; i++ {
			m.shifted[i*d+i] += tau
		}
		if m.chol.Factorize(mat.NewSymDense(d, m.shifted)) {
			if err := m.chol.SolveVecTo(dir, rhs); err != nil && !isCondition(err) {
				return err
			}
			return nil
		}
		tau *= 10
	}
	return errors.New("minimize: Newton: could not make the Hessian positive definite")
}

// isCondition reports whether err only warns of an ill-conditioned matrix, in which
// case gonum still returns the solution.
func isCondition(err error) bool {
	var c mat.Condition
	return errors.As(err, &c)
}
