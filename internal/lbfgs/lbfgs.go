package lbfgs

import (
	"errors"
	"fmt"
	"math"

	"github.com/descent-ml/descent/internal/nonfinite"
)

// LineSearch selects how the step length of an iteration is chosen.
type LineSearch int

const (
	// Fixed takes the step LR (torch's line_search_fn=None).
	Fixed LineSearch = iota
	// StrongWolfe searches a step satisfying the strong Wolfe conditions
	// (torch's line_search_fn="strong_wolfe").
	StrongWolfe
)

// String returns torch's name of the line search: "none" or "strong_wolfe".
func (l LineSearch) String() string {
	switch l {
	case Fixed:
		return "none"
	case StrongWolfe:
		return "strong_wolfe"
	}
	return fmt.Sprintf("LineSearch(%d)", int(l))
}

// Settings are the options of L-BFGS, named after torch's. The zero value is torch's default
// configuration (no line search).
type Settings struct {
	// LR scales the step: the initial step of every iteration after the first. If 0, 1.
	LR float64
	// MaxIter is the largest number of iterations of one Step call. If 0, 20.
	MaxIter int
	// MaxEval is the largest number of objective evaluations of one Step call (checked after
	// each iteration, so a call can exceed it by one line search). If 0, MaxIter*5/4.
	MaxEval int
	// ToleranceGrad stops when max|g| ≤ ToleranceGrad. If 0, 1e-7; negative disables the test.
	ToleranceGrad float64
	// ToleranceChange stops when a step moves no coordinate by more than it, when the value
	// changes by less, or when g'd > -ToleranceChange. If 0, 1e-9; negative disables the tests.
	ToleranceChange float64
	// ToleranceValue replaces ToleranceChange in the two tests that compare values of f:
	// |f_k - f_{k-1}| < ToleranceValue and g'd > -ToleranceValue. Unlike the others, these
	// depend on the scale of f. If 0, ToleranceChange (torch has one tolerance for all);
	// negative disables them.
	ToleranceValue float64
	// CurvatureTol keeps a curvature pair (s, y) only when s'y > CurvatureTol. torch's absolute
	// threshold 1e-10 drops every pair once steps and gradient changes are small, which stalls
	// high-accuracy runs on well-scaled problems (MNIST logistic regression). If 0, 1e-10;
	// negative keeps every pair with s'y > 0, the condition BFGS needs.
	CurvatureTol float64
	// HistorySize is the number of curvature pairs kept. If 0, 100.
	HistorySize int
	// LineSearch chooses the step length; the zero value is Fixed.
	LineSearch LineSearch
	// C1 is the sufficient-decrease constant of the strong-Wolfe search. If 0, 1e-4.
	C1 float64
	// C2 is the curvature constant of the strong-Wolfe search. If 0, 0.9.
	C2 float64
	// MaxLS is the largest number of evaluations of one strong-Wolfe search. If 0, 25.
	MaxLS int
}

// withDefaults returns s with torch's defaults in its zero fields, or an error naming the
// first invalid field.
func (s Settings) withDefaults() (Settings, error) {
	if s.LR == 0 {
		s.LR = 1
	}
	if s.MaxIter == 0 {
		s.MaxIter = 20
	}
	if s.MaxEval == 0 {
		s.MaxEval = s.MaxIter * 5 / 4
	}
	if s.ToleranceGrad == 0 {
		s.ToleranceGrad = 1e-7
	}
	if s.ToleranceChange == 0 {
		s.ToleranceChange = 1e-9
	}
	if s.ToleranceValue == 0 {
		s.ToleranceValue = s.ToleranceChange
	}
	switch {
	case s.CurvatureTol == 0:
		s.CurvatureTol = 1e-10
	case s.CurvatureTol < 0:
		s.CurvatureTol = 0
	}
	if s.HistorySize == 0 {
		s.HistorySize = 100
	}
	if s.C1 == 0 {
		s.C1 = 1e-4
	}
	if s.C2 == 0 {
		s.C2 = 0.9
	}
	if s.MaxLS == 0 {
		s.MaxLS = 25
	}
	switch {
	case !(s.LR > 0) || math.IsInf(s.LR, 0):
		return s, fmt.Errorf("lbfgs: lr must be positive and finite, got %v", s.LR)
	case s.MaxIter < 0:
		return s, fmt.Errorf("lbfgs: max_iter must be positive, got %d", s.MaxIter)
	case s.MaxEval < 1:
		return s, fmt.Errorf("lbfgs: max_eval must be positive, got %d", s.MaxEval)
	case s.HistorySize < 0:
		return s, fmt.Errorf("lbfgs: history_size must be positive, got %d", s.HistorySize)
	case s.LineSearch != Fixed && s.LineSearch != StrongWolfe:
		return s, fmt.Errorf("lbfgs: unknown line search %v", s.LineSearch)
	case !(0 < s.C1 && s.C1 < s.C2 && s.C2 < 1):
		return s, fmt.Errorf("lbfgs: the Wolfe constants need 0 < c1 < c2 < 1, got c1=%v c2=%v", s.C1, s.C2)
	case s.MaxLS < 0:
		return s, fmt.Errorf("lbfgs: max_ls must be positive, got %d", s.MaxLS)
	}
	return s, nil
}

// Objective evaluates the function at x: it writes the gradient into grad (of the length of x)
// and returns the value. It must not keep x or grad. An error stops the minimisation.
type Objective[T Float] func(x, grad []T) (float64, error)

// Iteration describes the iterate reached by one iteration, for an observer.
type Iteration struct {
	Iter       int     // iterations since New (torch's state n_iter)
	F          float64 // the value at the new iterate (with a fixed step, at the iterate before it on a call's last iteration, as torch does not re-evaluate there)
	GradMaxAbs float64 // max|g| at the point F was evaluated at
	GradNorm   float64 // ‖g‖₂ at the point F was evaluated at
	Step       float64 // the step length t taken along the direction
	Evals      int     // evaluations since New (torch's state func_evals)
}

// Stop says why a Step call returned.
type Stop int

const (
	StopMaxIter   Stop = iota // MaxIter iterations
	StopMaxEval               // MaxEval evaluations
	StopGradient              // max|g| ≤ ToleranceGrad
	StopDirection             // g'd > -ToleranceValue: not a descent direction any more
	StopStep                  // max|t·d| ≤ ToleranceChange
	StopValue                 // |f_k - f_{k-1}| < ToleranceValue
	StopObserver              // the observer asked to stop
)

var stopNames = [...]string{"max_iter", "max_eval", "tolerance_grad", "directional_derivative", "tolerance_change_step", "tolerance_change_value", "observer"}

func (s Stop) String() string {
	if s >= 0 && int(s) < len(stopNames) {
		return stopNames[s]
	}
	return fmt.Sprintf("Stop(%d)", int(s))
}

// Result summarises one Step call.
type Result struct {
	Loss  float64 // the value at x on entry (what torch's step returns)
	F     float64 // the last value computed (torch's loss at the end of step)
	Iters int     // iterations of this call
	Evals int     // evaluations of this call
	Stop  Stop
}

// ErrLength reports an x of another length than the Minimizer's.
var ErrLength = errors.New("lbfgs: x has the wrong length")

// A Minimizer runs L-BFGS on vectors of one length, keeping torch's state between Step calls.
// It allocates its buffers once, in New (history buffers as the history fills).
type Minimizer[T Float] struct {
	s Settings
	n int

	// torch's state
	nIter, funcEvals int
	d                []T    // the last direction
	t                Scalar // the last step
	hDiag            Scalar
	dirs, stps       [][]T // curvature pairs y, s, oldest first
	ro               []Scalar
	prevGrad         []T
	hasPrev          bool
	prevLoss         float64

	// work
	g, gStart, gNew, gPrev, trial, y []T
	br                               [2][]T
	al                               []Scalar
	spare                            [][]T // recycled history buffers
}

// New returns a Minimizer of vectors of length n with the settings s (zero fields take
// torch's defaults), or an error naming an invalid setting.
func New[T Float](n int, s Settings) (*Minimizer[T], error) {
	if n < 1 {
		return nil, fmt.Errorf("lbfgs: vector length must be positive, got %d", n)
	}
	s, err := s.withDefaults()
	if err != nil {
		return nil, err
	}
	buf := make([]T, 10*n)
	next := func() []T { b := buf[:n:n]; buf = buf[n:]; return b }
	m := &Minimizer[T]{s: s, n: n, hDiag: py(1)}
	m.d, m.prevGrad, m.g, m.gStart, m.gNew, m.gPrev, m.trial = next(), next(), next(), next(), next(), next(), next()
	m.br = [2][]T{next(), next()}
	m.y = next()
	return m, nil
}

// Settings returns the settings with the defaults filled in.
func (m *Minimizer[T]) Settings() Settings { return m.s }

// SetLR changes the step scale (torch's param_groups[0]["lr"]).
func (m *Minimizer[T]) SetLR(lr float64) {
	if !(lr > 0) || math.IsInf(lr, 0) {
		panic(fmt.Sprintf("lbfgs: SetLR: lr must be positive and finite, got %v", lr))
	}
	m.s.LR = lr
}

// Len returns the length of the vectors.
func (m *Minimizer[T]) Len() int { return m.n }

// eval evaluates obj at p into grad and checks the result.
func (m *Minimizer[T]) eval(p []T, obj Objective[T], grad []T) (float64, error) {
	f, err := obj(p, grad)
	m.funcEvals++
	if err != nil {
		return f, err
	}
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return f, &nonfinite.Error{Op: "lbfgs", Index: -1, Value: f, Step: int64(m.nIter)}
	}
	for i, v := range grad {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return f, &nonfinite.Error{Op: "lbfgs", Index: i, Value: float64(v), Step: int64(m.nIter)}
		}
	}
	return f, nil
}

// evalAt evaluates obj at x + t·d (torch's _directional_evaluate) into grad.
func (m *Minimizer[T]) evalAt(x []T, t Scalar, d []T, obj Objective[T], grad []T) (float64, error) {
	axpyTo(m.trial, T(t.V), d, x)
	return m.eval(m.trial, obj, grad)
}

// Step runs one call of torch's LBFGS.step(closure) from x, which it updates in place: up to
// MaxIter iterations. observe, if not nil, is called after each iteration and may return true
// to stop. On an error, x holds the last accepted iterate.
func (m *Minimizer[T]) Step(x []T, obj Objective[T], observe func(Iteration) bool) (Result, error) {
	if len(x) != m.n {
		return Result{}, fmt.Errorf("%w: %d, want %d", ErrLength, len(x), m.n)
	}
	s := m.s
	evals0 := m.funcEvals
	res := Result{}
	loss, err := m.eval(x, obj, m.g)
	if err != nil {
		return res, err
	}
	res.Loss, res.F = loss, loss
	currentEvals := 1
	if T(maxAbs(m.g)) <= T(s.ToleranceGrad) {
		res.Stop, res.Evals = StopGradient, 1
		return res, nil
	}
	d := m.d
	for iter := 0; iter < s.MaxIter; {
		iter++
		m.nIter++
		res.Iters = iter

		// direction
		if m.nIter == 1 {
			negTo(d, m.g)
			m.dirs, m.stps, m.ro = m.dirs[:0], m.stps[:0], m.ro[:0]
			m.hDiag = py(1)
		} else {
			m.updateHistory()
			m.twoLoop()
		}
		copy(m.prevGrad, m.g)
		m.hasPrev = true
		m.prevLoss = loss

		// initial step
		var t Scalar
		if m.nIter == 1 {
			t = mul[T](minS[T](py(1), div[T](py(1), ts(absSum(m.g)))), py(s.LR))
		} else {
			t = py(s.LR)
		}
		gtd := ts(dot(m.g, d))
		if less[T](py(-s.ToleranceValue), gtd) {
			m.t = t
			res.Stop = StopDirection
			break
		}

		lsEvals := 0
		optCond := false
		if s.LineSearch == StrongWolfe {
			var f float64
			f, t, lsEvals, err = m.lineSearch(x, obj, t, loss, gtd)
			m.t = t
			if err != nil {
				res.Evals = m.funcEvals - evals0
				return res, err
			}
			loss = f
			axpyTo(x, T(t.V), d, x)
			optCond = T(maxAbs(m.g)) <= T(s.ToleranceGrad)
		} else {
			m.t = t
			if iter != s.MaxIter {
				// evaluate at the new point before moving there, so an error leaves x untouched
				f, err := m.evalAt(x, t, d, obj, m.gNew)
				if err != nil {
					res.Evals = m.funcEvals - evals0
					return res, err
				}
				axpyTo(x, T(t.V), d, x)
				loss = f
				copy(m.g, m.gNew)
				optCond = T(maxAbs(m.g)) <= T(s.ToleranceGrad)
				lsEvals = 1
			} else {
				axpyTo(x, T(t.V), d, x)
			}
		}
		currentEvals += lsEvals
		res.F = loss
		if observe != nil && observe(Iteration{Iter: m.nIter, F: loss, GradMaxAbs: maxAbs(m.g), GradNorm: math.Sqrt(float64(dot(m.g, m.g))), Step: t.V, Evals: m.funcEvals}) {
			res.Stop = StopObserver
			break
		}

		// stopping rules
		if iter == s.MaxIter {
			res.Stop = StopMaxIter
			break
		}
		if currentEvals >= s.MaxEval {
			res.Stop = StopMaxEval
			break
		}
		if optCond {
			res.Stop = StopGradient
			break
		}
		if T(maxAbsScaled(d, T(t.V))) <= T(s.ToleranceChange) {
			res.Stop = StopStep
			break
		}
		if math.Abs(loss-m.prevLoss) < s.ToleranceValue {
			res.Stop = StopValue
			break
		}
	}
	res.Evals = m.funcEvals - evals0
	return res, nil
}

// updateHistory adds the curvature pair of the last step when y's > CurvatureTol (torch's
// "update memory", where it is 1e-10), dropping the oldest pair when the history is full.
func (m *Minimizer[T]) updateHistory() {
	y, s := m.y, m.trial // m.trial is free between evaluations
	subTo(y, m.g, m.prevGrad)
	mulTo(s, m.d, T(m.t.V))
	ys := ts(dot(y, s))
	if !less[T](py(m.s.CurvatureTol), ys) {
		return
	}
	var ny, ns []T
	if len(m.dirs) == m.s.HistorySize {
		ny, ns = m.dirs[0], m.stps[0]
		copy(m.dirs, m.dirs[1:])
		copy(m.stps, m.stps[1:])
		copy(m.ro, m.ro[1:])
		m.dirs, m.stps, m.ro = m.dirs[:len(m.dirs)-1], m.stps[:len(m.stps)-1], m.ro[:len(m.ro)-1]
	} else {
		ny, ns = m.buffer(), m.buffer()
	}
	copy(ny, y)
	copy(ns, s)
	m.dirs = append(m.dirs, ny)
	m.stps = append(m.stps, ns)
	m.ro = append(m.ro, div[T](py(1), ys))
	m.growAl()
	m.hDiag = div[T](ys, ts(dot(y, y)))
}

// growAl makes room in al for the two-loop coefficients of every pair: it grows with the
// history, as the pairs' buffers do, so that a large HistorySize costs nothing up front.
func (m *Minimizer[T]) growAl() {
	for len(m.al) < len(m.dirs) {
		m.al = append(m.al, Scalar{})
	}
}

// buffer returns a vector for the history, recycled if one is spare.
func (m *Minimizer[T]) buffer() []T {
	if k := len(m.spare); k > 0 {
		b := m.spare[k-1]
		m.spare = m.spare[:k-1]
		return b
	}
	return make([]T, m.n)
}

// twoLoop computes d = -H·g by the two-loop recursion (torch's collapsed single buffer).
func (m *Minimizer[T]) twoLoop() {
	q := m.d
	negTo(q, m.g)
	for i := len(m.dirs) - 1; i >= 0; i-- {
		m.al[i] = mul[T](ts(dot(m.stps[i], q)), m.ro[i])
		axpyTo(q, -T(m.al[i].V), m.dirs[i], q)
	}
	mulTo(q, q, T(m.hDiag.V))
	for i := range m.dirs {
		be := mul[T](ts(dot(m.dirs[i], q)), m.ro[i])
		axpyTo(q, T(sub[T](m.al[i], be).V), m.stps[i], q)
	}
}
