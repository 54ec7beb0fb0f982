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
// [Minimize]'s Settings decide when to stop; besides, L-BFGS stops with NoProgress on
// torch's change tests with its default tolerance 10⁻⁹: a step that moves no coordinate by
// more than 10⁻⁹, a line-search bracket narrower than that, or (on the scaled f below) a
// change of f or a directional derivative below 2⁻³²·10⁻⁹, which is to say none. Its line
// search compares values of f, so it stops there once f changes by less than its rounding.
//
// # Scaling
//
// torch keeps a pair only when sᵀy > 10⁻¹⁰, an absolute threshold: on a problem such as
// MNIST logistic regression, the pairs stop being kept once ‖∇f‖ ≲ 10⁻⁶, the memory goes
// stale and convergence crawls (900 iterations instead of 220 to ‖∇f‖ ≤ 10⁻⁸). Until
// internal/lbfgs takes the threshold as a setting, LBFGS runs it on the exactly scaled
// objective 2³²·f, so that the threshold is 2⁻³²·10⁻¹⁰ ≈ 2·10⁻²⁰ on f. A power of two
// scales f and ∇f exactly, and the line search and the two-loop recursion are invariant
// under it, but for the first trial step min(1, 1/‖∇f(θ₀)‖₁)·lr, which LBFGS keeps by
// making the first iteration with lr = min(1, ‖∇f(θ₀)‖₁) and the others with lr = 1: the
// iterates are torch's on f but for the threshold. (torch evaluates its starting point at
// each step call: LBFGS answers those from the last evaluation when it was at the same
// point, without counting them.)
type LBFGS struct {
	// Memory is the number of curvature pairs kept. If 0, it is 10 (SciPy's maxcor).
	Memory int
	// C1 and C2 are the strong-Wolfe constants, 0 < C1 < C2 < 1. If 0, 1e-4 and 0.9.
	C1, C2 float64
	// MaxLineSearch caps the evaluations of one line search. If 0, it is 25.
	MaxLineSearch int

	m       *lbfgs.Minimizer[float64]
	started bool
	// the last evaluation, on the scaled objective
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

// lbfgsScale is the exact factor applied to f for internal/lbfgs (see LBFGS).
const lbfgsScale = 0x1p32

func (l *LBFGS) drive(e *Evaluator, loc *Location, after func(step, gradNorm float64) bool) error {
	obj := func(x, grad []float64) (float64, error) {
		if l.cached && slices.Equal(x, l.lastX) {
			copy(grad, l.lastG)
			return l.lastF, nil
		}
		f := e.ValueGrad(grad, x) * lbfgsScale
		for i := range grad {
			grad[i] *= lbfgsScale
		}
		l.lastX = append(l.lastX[:0], x...)
		l.lastG = append(l.lastG[:0], grad...)
		l.lastF, l.cached = f, true
		return f, nil
	}
	done := false
	stepScale := float64(lbfgsScale) // the first direction is −2³²∇f: report the step along −∇f
	observe := func(it lbfgs.Iteration) bool {
		loc.F = it.F / lbfgsScale
		done = after(it.Step*stepScale, it.GradNorm/lbfgsScale)
		stepScale = 1
		return done
	}
	if !l.started {
		// The start, evaluated by Minimize.
		l.lastX = append(l.lastX[:0], loc.X...)
		l.lastG = l.lastG[:0]
		for _, v := range loc.Grad {
			l.lastG = append(l.lastG, v*lbfgsScale)
		}
		l.lastF, l.cached = loc.F*lbfgsScale, true
		// One iteration with the lr that gives torch's first step on f, then lr = 1.
		l.started = true
		s := 0.0
		for _, v := range loc.Grad {
			s += math.Abs(v)
		}
		// On f: x₁ = x₀ − min(1, 1/s)·∇f(θ₀), s = ‖∇f(θ₀)‖₁. On 2³²·f the step along
		// −2³²∇f(θ₀) is min(1, 1/(2³²s))·lr: lr = min(1, s) when 2³²s ≥ 1, else 2⁻³².
		switch {
		case s*lbfgsScale >= 1:
			l.m.SetLR(math.Min(1, s))
		case s > 0:
			l.m.SetLR(1 / lbfgsScale)
		}
		res, err := l.m.Step(loc.X, obj, func(it lbfgs.Iteration) bool {
			observe(it)
			return true
		})
		l.m.SetLR(1)
		if err != nil || done || res.Stop != lbfgs.StopObserver {
			return l.wrap(err)
		}
	}
	_, err := l.m.Step(loc.X, obj, observe)
	return l.wrap(err)
}

func (l *LBFGS) wrap(err error) error {
	if err == nil {
		return nil
	}
	var nf *lbfgs.NonFiniteError
	if errors.As(err, &nf) {
		return fmt.Errorf("%w: %v", ErrNonFinite{Iter: nf.Iter}, err)
	}
	return fmt.Errorf("minimize: LBFGS: %w", err)
}
