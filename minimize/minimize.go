package minimize

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/descent-ml/descent/internal/nonfinite"
	"gonum.org/v1/gonum/floats"
)

// Objective is a differentiable function of a float64 vector, the only ability every
// method needs. The optional abilities below are found by type assertion.
type Objective interface {
	// Dim returns the number of variables.
	Dim() int
	// ValueGrad returns f(x) and stores ∇f(x) in grad. Both slices have length Dim; x is
	// not modified.
	ValueGrad(grad, x []float64) float64
}

// HessVecer is an [Objective] that multiplies its Hessian at x by a vector.
type HessVecer interface {
	// HessVec stores ∇²f(x)·v in dst, which must not alias x or v.
	HessVec(dst, x, v []float64)
}

// Hessianer is an [Objective] that can form its dense Hessian, for small problems.
type Hessianer interface {
	// Hessian stores ∇²f(x) in dst, a Dim×Dim row-major symmetric matrix.
	Hessian(dst, x []float64)
}

// ContextHessianer is a [Hessianer] whose Hessian can take long enough to form (a pass
// over many samples for each of its blocks) that it looks at a context while it works:
// HessianContext returns ctx.Err() if ctx is done before dst is complete, leaving dst
// unspecified. Minimize uses it in place of Hessian, so that a cancelled run stops within
// a small part of a Hessian.
type ContextHessianer interface {
	Hessianer
	HessianContext(ctx context.Context, dst, x []float64) error
}

// Smoother is an [Objective] that knows a constant L such that ∇f is L-Lipschitz
// (equivalently ∇²f ⪯ L for twice-differentiable f).
type Smoother interface {
	Smoothness() float64
}

// StronglyConvex is an [Objective] that knows its constant μ ≥ 0 of strong convexity
// (∇²f ⪰ μ); μ = 0 means convex but not strongly convex.
type StronglyConvex interface {
	StrongConvexity() float64
}

// Optimumer is an [Objective] that knows a minimiser θ* and the minimum f(θ*). The
// returned slice must not be modified.
type Optimumer interface {
	Optimum() (x []float64, f float64)
}

// Record is one line of a run's trace: the state after iteration Iter (Iter 0 is the
// starting point).
type Record struct {
	Iter int
	// F and GradNorm are f(θ) and ‖∇f(θ)‖₂ at the iterate θ.
	F, GradNorm float64
	// Dist is ‖θ − θ*‖₂ when θ* is known (see [Settings.Optimum]), else NaN.
	Dist float64
	// Step is the step size used to reach θ from the previous iterate (0 at Iter 0).
	Step float64
	// Evals counts the evaluations of f (with or without gradient) the method made so
	// far, GradEvals those that also computed ∇f; HessVecs and Hessians count
	// Hessian-vector products and dense Hessians. Evaluations made only to monitor a
	// method that does not evaluate f at its iterates (Nesterov) are not counted.
	Evals, GradEvals, HessVecs, Hessians int
	// Time is the time spent by the method since the start, monitoring excluded.
	Time time.Duration
}

// Status says why a run stopped. NoProgress means the method could not move any more
// (L-BFGS: no descent direction, a zero step or an unchanged value).
type Status int

// The reasons a run stops.
const (
	NotTerminated Status = iota
	GradientTolerance
	FunctionTolerance
	IterationLimit
	EvaluationLimit
	CallbackStop
	NoProgress
	Failure
)

var statusNames = [...]string{"not terminated", "gradient tolerance", "function tolerance",
	"iteration limit", "evaluation limit", "stopped by callback",
	"no progress", "failure"}

func (s Status) String() string {
	if s < 0 || int(s) >= len(statusNames) {
		return fmt.Sprintf("Status(%d)", int(s))
	}
	return statusNames[s]
}

// Settings controls when a run stops and what it records. The zero value works.
type Settings struct {
	// GradTol stops the run once ‖∇f(θ)‖₂ ≤ GradTol. If 0, it is 1e-8; a negative value
	// disables the test.
	GradTol float64
	// FuncTol stops the run once |f(θₙ₋₁) − f(θₙ)| ≤ FuncTol·max(|f(θₙ₋₁)|, |f(θₙ)|, 1)
	// (SciPy's ftol). If 0, the test is disabled.
	FuncTol float64
	// MaxIter stops the run after MaxIter iterations. If 0, it is 1000; a negative value
	// means no limit.
	MaxIter int
	// MaxEvals stops the run once the method has made MaxEvals evaluations of f. If 0,
	// there is no limit.
	MaxEvals int
	// Optimum is θ*, used for Record.Dist. If nil, the objective's [Optimumer] is used
	// when it has one.
	Optimum []float64
	// TraceEvery records every TraceEvery-th iteration in Result.Trace, plus the first
	// and the last. If 0, it is 1; a negative value records nothing.
	TraceEvery int
	// Callback, if not nil, is called after every iteration (and at Iter 0) with the
	// record and the iterate, which it must not modify; returning true stops the run.
	Callback func(r Record, x []float64) bool
}

// Result is the outcome of a run.
type Result struct {
	// X is the last iterate, F and Grad f and ∇f there.
	X    []float64
	F    float64
	Grad []float64
	// Status says why the run stopped.
	Status Status
	// Last is the record of the last iterate.
	Last Record
	// Trace holds the records kept according to Settings.TraceEvery.
	Trace []Record
}

// NonFiniteError reports an iterate where f or ∇f is NaN or infinite: the run diverged.
// Index is the gradient's element, or -1 for f; Step is the iteration (0 at the starting
// point). It is the error type of optim too (one type, in internal/nonfinite).
type NonFiniteError = nonfinite.Error

// ErrNonFinite is matched by every [*NonFiniteError]: errors.Is(err, ErrNonFinite).
var ErrNonFinite = nonfinite.Err

// ErrLineSearch reports a line search that found no acceptable step.
var ErrLineSearch = errors.New("minimize: line search failed to find a step that decreases f")

// Location is a method's current iterate: X, and F = f(X), Grad = ∇f(X).
type Location struct {
	X    []float64
	F    float64
	Grad []float64
}

// Method is a deterministic minimisation algorithm driven by [Minimize], one iteration
// at a time.
type Method interface {
	// Init prepares a run from loc, whose X, F and Grad are set at the starting point.
	// It returns an error if the method cannot run on e's objective.
	Init(e *Evaluator, loc *Location) error
	// Iterate moves loc.X to the next iterate and returns the step size it used. If
	// evaluated is true it has also set loc.F and loc.Grad at the new X; if false,
	// Minimize evaluates them itself (uncounted, for the trace and stopping tests).
	Iterate(e *Evaluator, loc *Location) (step float64, evaluated bool, err error)
}

// Minimize minimises obj from x0 (which it does not modify) with method m and returns
// the result with its trace. On an error (divergence, line-search failure, context
// cancelled) the result so far is returned with it, with Status Failure.
func Minimize(ctx context.Context, obj Objective, x0 []float64, m Method, s Settings) (*Result, error) {
	d := obj.Dim()
	if len(x0) != d {
		panic(fmt.Sprintf("minimize: len(x0) = %d, want Dim() = %d", len(x0), d))
	}
	if s.Optimum != nil && len(s.Optimum) != d {
		panic(fmt.Sprintf("minimize: len(Settings.Optimum) = %d, want %d", len(s.Optimum), d))
	}
	if s.GradTol == 0 {
		s.GradTol = 1e-8
	}
	if s.MaxIter == 0 {
		s.MaxIter = 1000
	}
	if s.TraceEvery == 0 {
		s.TraceEvery = 1
	}
	r := &run{ctx: ctx, obj: obj, s: s, e: NewEvaluator(obj), res: &Result{},
		loc: &Location{X: append([]float64(nil), x0...), Grad: make([]float64, d)}}
	r.e.ctx = ctx
	r.optimum = s.Optimum
	if r.optimum == nil {
		if o, ok := obj.(Optimumer); ok {
			r.optimum, _ = o.Optimum()
		}
	}
	if r.optimum != nil {
		r.diff = make([]float64, d)
	}
	r.start = time.Now()

	loc := r.loc
	loc.F = r.e.ValueGrad(loc.Grad, loc.X)
	r.rec = r.record(0, 0, floats.Norm(loc.Grad, 2))
	if s.TraceEvery > 0 {
		r.res.Trace = append(r.res.Trace, r.rec)
	}
	if err := checkFinite(loc.F, loc.Grad, 0); err != nil {
		return r.finish(Failure, err)
	}
	switch {
	case s.Callback != nil && s.Callback(r.rec, loc.X):
		return r.finish(CallbackStop, nil)
	case r.rec.GradNorm <= s.GradTol:
		return r.finish(GradientTolerance, nil)
	}
	if err := m.Init(r.e, loc); err != nil {
		return r.finish(Failure, err)
	}
	if dr, ok := m.(driver); ok {
		err := dr.drive(r.e, loc, r.after)
		// The driver reports norms only: refresh the gradient at the last iterate.
		f := obj.ValueGrad(loc.Grad, loc.X)
		if err != nil {
			loc.F = f
			return r.finish(Failure, err)
		}
		if r.status == NotTerminated {
			r.status = NoProgress
		}
		return r.finish(r.status, nil)
	}
	for iter := 1; ; iter++ {
		if err := ctx.Err(); err != nil {
			return r.finish(Failure, err)
		}
		step, evaluated, err := m.Iterate(r.e, loc)
		if err != nil {
			return r.finish(Failure, err)
		}
		if !evaluated {
			t := time.Now()
			loc.F = obj.ValueGrad(loc.Grad, loc.X)
			r.monitor += time.Since(t)
		}
		if err := checkFinite(loc.F, loc.Grad, iter); err != nil {
			r.rec = r.record(iter, step, floats.Norm(loc.Grad, 2))
			return r.finish(Failure, err)
		}
		if r.after(step, floats.Norm(loc.Grad, 2)) {
			return r.finish(r.status, nil)
		}
	}
}

// driver is a [Method] that runs its own loop (L-BFGS), calling after once per iteration
// with the step and ‖∇f‖ at the new iterate, which it has stored in loc.X and loc.F;
// loc.Grad may be stale. It stops when after returns true.
type driver interface {
	drive(e *Evaluator, loc *Location, after func(step, gradNorm float64) bool) error
}

// run is the state of one Minimize call.
type run struct {
	ctx     context.Context
	obj     Objective
	s       Settings
	e       *Evaluator
	loc     *Location
	res     *Result
	optimum []float64
	diff    []float64
	start   time.Time
	monitor time.Duration // time spent evaluating only for the trace
	rec     Record        // of the current iterate
	status  Status
}

func (r *run) record(iter int, step, gradNorm float64) Record {
	e := r.e
	rec := Record{Iter: iter, F: r.loc.F, GradNorm: gradNorm, Dist: math.NaN(), Step: step,
		Evals: e.Evals, GradEvals: e.GradEvals, HessVecs: e.HessVecs, Hessians: e.Hessians,
		Time: time.Since(r.start) - r.monitor}
	if r.optimum != nil {
		floats.SubTo(r.diff, r.loc.X, r.optimum)
		rec.Dist = floats.Norm(r.diff, 2)
	}
	return rec
}

// after records the iteration just made and reports whether the run must stop, setting
// r.status.
func (r *run) after(step, gradNorm float64) bool {
	s := r.s
	fPrev := r.rec.F
	r.rec = r.record(r.rec.Iter+1, step, gradNorm)
	rec := r.rec
	if s.TraceEvery > 0 && rec.Iter%s.TraceEvery == 0 {
		r.res.Trace = append(r.res.Trace, rec)
	}
	switch {
	case r.ctx.Err() != nil:
		r.status = Failure
	case s.Callback != nil && s.Callback(rec, r.loc.X):
		r.status = CallbackStop
	case rec.GradNorm <= s.GradTol:
		r.status = GradientTolerance
	case s.FuncTol > 0 && math.Abs(fPrev-rec.F) <= s.FuncTol*math.Max(1, math.Max(math.Abs(fPrev), math.Abs(rec.F))):
		r.status = FunctionTolerance
	case s.MaxIter > 0 && rec.Iter >= s.MaxIter:
		r.status = IterationLimit
	case s.MaxEvals > 0 && r.e.Evals >= s.MaxEvals:
		r.status = EvaluationLimit
	default:
		return false
	}
	return true
}

func (r *run) finish(st Status, err error) (*Result, error) {
	if err == nil && st == Failure {
		err = r.ctx.Err()
	}
	res, loc, rec := r.res, r.loc, r.rec
	res.X, res.F, res.Grad, res.Status, res.Last = loc.X, loc.F, loc.Grad, st, rec
	if r.s.TraceEvery > 0 && res.Trace[len(res.Trace)-1].Iter != rec.Iter {
		res.Trace = append(res.Trace, rec)
	}
	return res, err
}

// checkFinite returns a *NonFiniteError for f, or for the first element of g, that is NaN
// or infinite at iteration iter, and nil if all are finite.
func checkFinite(f float64, g []float64, iter int) error {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return &NonFiniteError{Op: "minimize", Index: -1, Value: f, Step: int64(iter)}
	}
	for i, v := range g {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return &NonFiniteError{Op: "minimize", Index: i, Value: v, Step: int64(iter)}
		}
	}
	return nil
}
