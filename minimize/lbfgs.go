package minimize

import (
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/descent-ml/descent/internal/lbfgs"
)

// LBFGS is the limited-memory BFGS method with a strong-Wolfe line search: the
// implementation of torch.optim.LBFGS (package internal/lbfgs, shared with optim's
// float32 L-BFGS) run on float64. Each iteration computes d = −Hₙ∇f(θₙ) by the two-loop
// recursion over the last Memory pairs (sᵢ, yᵢ) = (θᵢ₊₁ − θᵢ, ∇f(θᵢ₊₁) − ∇f(θᵢ)), with
// H₀ = sᵀy/yᵀy of the newest pair (Nocedal, "Updating quasi-Newton matrices with limited
// storage", 1980), then searches a step t satisfying
//
//	f(θ + td) ≤ f(θ) + C1·t·∇f(θ)ᵀd   and   |∇f(θ + td)ᵀd| ≤ C2·|∇f(θ)ᵀd|
//
// by bracketing and cubic interpolation (Nocedal and Wright, algorithms 3.5 and 3.6),
// from t = min(1, 1/‖∇f(θ₀)‖₁) at the first iteration and t = 1 after.
//
// [Minimize]'s Settings decide when to stop; besides, L-BFGS stops with NoProgress when a
// step moves no coordinate by more than 10⁻⁹ or a line-search bracket is narrower than that
// (torch's change tests on θ), when f does not change at all, or when the direction is not
// one of descent. Its line search compares values of f, so it stops there once f changes by
// less than its rounding.
//
// Two of torch's tests are absolute and depend on the scale of f: a curvature pair is kept
// only when sᵀy > 10⁻¹⁰, and torch stops when f changes by less than 10⁻⁹. On a problem such
// as MNIST logistic regression the first drops every pair once ‖∇f‖ ≲ 10⁻⁶, the memory goes
// stale and convergence crawls (900 iterations instead of 220 to ‖∇f‖ ≤ 10⁻⁸); the second
// stops long before. LBFGS therefore keeps every pair with sᵀy > 0 (the condition BFGS
// needs) and leaves the change of f to [Settings]. (torch evaluates its starting point at
// each step call: LBFGS answers that from the last evaluation, without counting it.)
type LBFGS struct {
	// Memory is the number of curvature pairs kept. If 0, it is 10 (SciPy's maxcor).
	Memory int
	// C1 and C2 are the strong-Wolfe constants, 0 < C1 < C2 < 1. If 0, 1e-4 and 0.9.
	C1, C2 float64
	// MaxLineSearch caps the evaluations of one line search. If 0, it is 25.
	MaxLineSearch int

	m       *lbfgs.Minimizer[float64]
	started bool
	// the last evaluation
	cached       bool
	lastX, lastG []float64
	lastF        float64
}

var _ Method = (*LBFGS)(nil)

// Init implements [Method].
func (l *LBFGS) Init(e *Evaluator, loc *Location) error {
	if l.Memory < 0 || l.MaxLineSearch < 0 {
		return errors.New("minimize: LBFGS: negative Memory or MaxLineSearch")
	}
	mem := l.Memory
	if mem == 0 {
		mem = 10
	}
	m, err := lbfgs.New[float64](e.Dim(), lbfgs.Settings{
		MaxIter:         math.MaxInt32,
		MaxEval:         math.MaxInt32,
		ToleranceGrad:   -1,
		ToleranceChange: 1e-9,
		ToleranceValue:  math.SmallestNonzeroFloat64,
		CurvatureTol:    -1,
		HistorySize:     mem,
		LineSearch:      lbfgs.StrongWolfe,
		C1:              l.C1,
		C2:              l.C2,
		MaxLS:           l.MaxLineSearch,
	})
	if err != nil {
		return fmt.Errorf("minimize: LBFGS: %w", err)
	}
	l.m, l.started, l.cached = m, false, false
	return nil
}

// Iterate implements [Method]; [Minimize] drives L-BFGS through its own loop instead, so
// that no evaluation is repeated between iterations. Iterate makes one iteration at the
// cost of one extra evaluation (torch's step re-evaluates its starting point).
func (l *LBFGS) Iterate(e *Evaluator, loc *Location) (float64, bool, error) {
	var step float64
	err := l.drive(e, loc, func(t, _ float64) bool {
		step = t
		return true
	})
	return step, false, err
}

func (l *LBFGS) drive(e *Evaluator, loc *Location, after func(step, gradNorm float64) bool) error {
	if !l.started {
		// The start, evaluated by Minimize: torch's step evaluates it again.
		l.started = true
		l.lastX = append(l.lastX[:0], loc.X...)
		l.lastG = append(l.lastG[:0], loc.Grad...)
		l.lastF, l.cached = loc.F, true
	}
	obj := func(x, grad []float64) (float64, error) {
		if l.cached && slices.Equal(x, l.lastX) {
			copy(grad, l.lastG)
			return l.lastF, nil
		}
		f := e.ValueGrad(grad, x)
		l.lastX = append(l.lastX[:0], x...)
		l.lastG = append(l.lastG[:0], grad...)
		l.lastF, l.cached = f, true
		return f, nil
	}
	_, err := l.m.Step(loc.X, obj, func(it lbfgs.Iteration) bool {
		loc.F = it.F
		return after(it.Step, it.GradNorm)
	})
	return l.wrap(err)
}

func (l *LBFGS) wrap(err error) error {
	if err == nil {
		return nil
	}
	var nf *NonFiniteError
	if errors.As(err, &nf) {
		e := *nf
		e.Op = "minimize: LBFGS"
		return &e
	}
	return fmt.Errorf("minimize: LBFGS: %w", err)
}
