package minimize

import (
	"errors"
	"fmt"
	"math"

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
// [Minimize]'s Settings decide when to stop; besides, L-BFGS stops with NoProgress when
// its direction is not a descent direction, its step is zero or f does not change at all.
//
// # Scaling
//
// torch keeps a pair only when sᵀy > 10⁻¹⁰, an absolute threshold: on a problem such as
// MNIST logistic regression, the pairs stop being kept once ‖∇f‖ ≲ 10⁻⁶, the memory goes
// stale and convergence crawls (900 iterations instead of 220 to ‖∇f‖ ≤ 10⁻⁸). Until
// internal/lbfgs takes the threshold as a setting, LBFGS runs it on the exactly scaled
// objective 2³²·f, so that the threshold is 2⁻³²·10⁻¹⁰ ≈ 2·10⁻²⁰ on f. The iterates are
// torch's on 2³²·f, which are torch's on f but for that threshold and the first trial
// step, min(1, 1/‖2³²∇f(θ₀)‖₁), which the line search extrapolates in a few evaluations.
type LBFGS struct {
	// Memory is the number of curvature pairs kept. If 0, it is 10 (SciPy's maxcor).
	Memory int
	// C1 and C2 are the strong-Wolfe constants, 0 < C1 < C2 < 1. If 0, 1e-4 and 0.9.
	C1, C2 float64
	// MaxLineSearch caps the evaluations of one line search. If 0, it is 25.
	MaxLineSearch int

	m *lbfgs.Minimizer[float64]
}

var _ Method = (*LBFGS)(nil)

// stall is the tolerance given to torch's change tests (step, value, directional
// derivative): tiny, so that they stop only a run that cannot move at all, and convergence
// is left to Settings. torch's line search compares values of f, so once f changes by less
// than its rounding the run cannot move: it then stops with NoProgress.
const stall = 1e-300

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
		ToleranceChange: stall,
		HistorySize:     mem,
		LineSearch:      lbfgs.StrongWolfe,
		C1:              l.C1,
		C2:              l.C2,
		MaxLS:           l.MaxLineSearch,
	})
	if err != nil {
		return fmt.Errorf("minimize: LBFGS: %w", err)
	}
	l.m = m
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
		f := e.ValueGrad(grad, x)
		for i := range grad {
			grad[i] *= lbfgsScale
		}
		return f * lbfgsScale, nil
	}
	_, err := l.m.Step(loc.X, obj, func(it lbfgs.Iteration) bool {
		loc.F = it.F / lbfgsScale
		return after(it.Step, it.GradNorm/lbfgsScale)
	})
	if err != nil {
		var nf *lbfgs.NonFiniteError
		if errors.As(err, &nf) {
			return fmt.Errorf("%w: %v", ErrNonFinite{Iter: nf.Iter}, err)
		}
		return fmt.Errorf("minimize: LBFGS: %w", err)
	}
	return nil
}
