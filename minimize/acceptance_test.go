package minimize_test

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/descent-ml/descent/internal/lbfgs"
	"github.com/descent-ml/descent/minimize"
	"github.com/descent-ml/descent/problem"
)

// iterates runs m on p from x0 and returns every iterate (x₀ first).
func iterates(t *testing.T, p minimize.Objective, x0 []float64, m minimize.Method, s minimize.Settings) ([][]float64, *minimize.Result) {
	t.Helper()
	var xs [][]float64
	s.Callback = func(_ minimize.Record, x []float64) bool {
		xs = append(xs, append([]float64(nil), x...))
		return false
	}
	res, err := minimize.Minimize(context.Background(), p, x0, m, s)
	if err != nil {
		t.Fatalf("Minimize: %v", err)
	}
	return xs, res
}

// TestNewtonRosenbrock: pure Newton from (−1.2, 1) goes through (−1.17528, 1.38067),
// (0.76311, −3.17503), (0.76343, 0.58282) and reaches (1, 1) at iteration 6.
func TestNewtonRosenbrock(t *testing.T) {
	xs, res := iterates(t, problem.NewRosenbrock(2), []float64{-1.2, 1}, &minimize.Newton{}, minimize.Settings{GradTol: 1e-12, MaxIter: 20})
	want := [][]float64{{-1.17528, 1.38067}, {0.76311, -3.17503}, {0.76343, 0.58282}}
	for i, w := range want {
		x := xs[i+1]
		if math.Abs(x[0]-w[0]) > 5e-6 || math.Abs(x[1]-w[1]) > 5e-6 {
			t.Errorf("iterate %d = (%.6f, %.6f), want (%.5f, %.5f)", i+1, x[0], x[1], w[0], w[1])
		}
	}
	x6 := xs[6]
	if math.Abs(x6[0]-1) > 1e-10 || math.Abs(x6[1]-1) > 1e-10 {
		t.Errorf("iterate 6 = (%.12f, %.12f), want (1, 1)", x6[0], x6[1])
	}
	x5 := xs[5]
	if math.Abs(x5[0]-1) < 1e-6 && math.Abs(x5[1]-1) < 1e-6 {
		t.Errorf("iterate 5 = (%v, %v) is already at (1, 1) to 1e-6", x5[0], x5[1])
	}
	if res.Last.Iter > 7 || res.Status != minimize.GradientTolerance {
		t.Errorf("stopped at iteration %d with %v", res.Last.Iter, res.Status)
	}
	if res.Last.Hessians != res.Last.Iter {
		t.Errorf("%d Hessians for %d iterations", res.Last.Hessians, res.Last.Iter)
	}
}

// TestGradientDescentDiagonal: with γ = 2/101 on f = ½(x² + 100y²) from (1, 1),
// x₁₀ = ((99/101)¹⁰, (−99/101)¹⁰).
func TestGradientDescentDiagonal(t *testing.T) {
	p := problem.NewQuadratic([]float64{1, 0, 0, 100}, []float64{0, 0})
	xs, _ := iterates(t, p, []float64{1, 1}, &minimize.GradientDescent{Step: 2.0 / 101}, minimize.Settings{GradTol: -1, MaxIter: 10})
	x := xs[10]
	want := math.Pow(99.0/101, 10)
	if math.Abs(x[0]-want) > 1e-12 || math.Abs(x[1]-want) > 1e-12 {
		t.Errorf("x₁₀ = (%.15f, %.15f), want (%.15f, %.15f)", x[0], x[1], want, want)
	}
}

// TestWorstCaseKrylov: on Nesterov's worst function, after k steps from 0 of any method
// of the Krylov class, every coordinate past k is exactly 0, and on f_{2k+1} the gap after
// k steps is above Nesterov's lower bound 3L‖θ₀ − θ*‖²/(32(k+1)²) (theorem 2.1.7).
func TestWorstCaseKrylov(t *testing.T) {
	const d, n = 41, 20
	methods := func() []struct {
		name string
		m    minimize.Method
	} {
		return []struct {
			name string
			m    minimize.Method
		}{
			{"gd", &minimize.GradientDescent{}},
			{"gd-armijo", &minimize.GradientDescent{Backtracking: &minimize.Backtracking{}}},
			{"heavyball", &minimize.HeavyBall{Step: 0.5, Momentum: 0.9}},
			{"nesterov", &minimize.Nesterov{}},
			{"nesterov-strong", &minimize.NesterovStrong{Momentum: 0.9}},
			{"lbfgs", &minimize.LBFGS{}},
			{"newton-cg", &minimize.NewtonCG{MaxCG: 1}},
		}
	}
	for _, m := range methods() {
		xs, _ := iterates(t, problem.NewWorstCase(d, d, 1), make([]float64, d), m.m, minimize.Settings{GradTol: -1, MaxIter: n})
		for k, x := range xs {
			for i := k; i < d; i++ {
				if x[i] != 0 {
					t.Fatalf("%s: after %d steps x[%d] = %v, want exactly 0", m.name, k, i, x[i])
				}
			}
		}
	}
	for _, k := range []int{1, 2, 5, 10, 20} {
		p := problem.NewWorstCase(d, 2*k+1, 1)
		xstar, fstar := p.Optimum()
		r0 := norm(xstar)
		bound := 3 * r0 * r0 / (32 * float64((k+1)*(k+1)))
		for _, m := range methods() {
			_, res := iterates(t, p, make([]float64, d), m.m, minimize.Settings{GradTol: -1, MaxIter: k})
			if gap := res.F - fstar; gap < bound {
				t.Errorf("%s on f_%d: f(θ_%d) − f* = %v below the lower bound %v", m.name, 2*k+1, k, gap, bound)
			}
		}
	}
}

// TestNewtonQuadraticOneStep: one Newton step solves a strictly convex quadratic.
func TestNewtonQuadraticOneStep(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 9))
	p := problem.RandomQuadratic(rng, problem.LogSpectrum(60, 1, 1e4))
	xs, _ := iterates(t, p, gaussian(rng, 60, 1), &minimize.Newton{}, minimize.Settings{GradTol: -1, MaxIter: 1})
	xstar, _ := p.Optimum()
	if e0, e1 := norm(diff(xs[0], xstar)), norm(diff(xs[1], xstar)); e1 > 1e-9*e0 {
		t.Errorf("‖θ₁ − θ*‖ = %v, ‖θ₀ − θ*‖ = %v", e1, e0)
	}
}

// TestRates checks the lecture's bounds for GD and Nesterov with γ = 1/L on convex
// problems that are not strongly convex, and GD's linear rate on a strongly convex one.
func TestRates(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	convex := []minimize.Objective{
		problem.NewWorstCase(50, 31, 2),
		problem.RandomLeastSquares(rng, 30, 20, 8, 0.5),
	}
	for _, p := range convex {
		x0 := make([]float64, p.Dim())
		xstar, fstar := p.(minimize.Optimumer).Optimum()
		l := p.(minimize.Smoother).Smoothness()
		r0 := norm(diff(x0, xstar))
		_, gd := iterates(t, p, x0, &minimize.GradientDescent{}, minimize.Settings{GradTol: -1, MaxIter: 1000})
		_, nes := iterates(t, p, x0, &minimize.Nesterov{}, minimize.Settings{GradTol: -1, MaxIter: 1000})
		for i := 1; i < len(gd.Trace); i++ {
			n := float64(gd.Trace[i].Iter)
			if gap := gd.Trace[i].F - fstar; gap > l*r0*r0/(2*n)*(1+1e-12)+1e-15 {
				t.Fatalf("GD: f(θ_%v) − f* = %v above L‖θ₀ − θ*‖²/(2n) = %v", n, gap, l*r0*r0/(2*n))
			}
			if gap := nes.Trace[i].F - fstar; gap > 2*l*r0*r0/((n+1)*(n+1))*(1+1e-12)+1e-15 {
				t.Fatalf("Nesterov: f(θ_%v) − f* = %v above 2L‖θ₀ − θ*‖²/(n+1)² = %v", n, gap, 2*l*r0*r0/((n+1)*(n+1)))
			}
		}
	}
	p := problem.RandomQuadratic(rng, problem.LogSpectrum(20, 0.1, 10))
	_, gd := iterates(t, p, gaussian(rng, 20, 1), &minimize.GradientDescent{}, minimize.Settings{GradTol: -1, MaxIter: 300})
	d0 := gd.Trace[0].Dist
	for _, r := range gd.Trace[1:] {
		if bound := math.Pow(1-0.1/10, float64(r.Iter)) * d0 * d0; r.Dist*r.Dist > bound*(1+1e-12) {
			t.Fatalf("GD: ‖θ_%d − θ*‖² = %v above (1 − 1/κ)ⁿ‖θ₀ − θ*‖² = %v", r.Iter, r.Dist*r.Dist, bound)
		}
	}
}

// TestHeavyBallRate: Polyak's heavy ball converges like ((√κ − 1)/(√κ + 1))ⁿ on a
// quadratic, far faster than GD.
func TestHeavyBallRate(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 1))
	const kappa = 400.0
	p := problem.RandomQuadratic(rng, problem.LogSpectrum(30, 1, kappa))
	_, res := iterates(t, p, gaussian(rng, 30, 1), &minimize.HeavyBall{}, minimize.Settings{GradTol: -1, MaxIter: 400})
	q := (math.Sqrt(kappa) - 1) / (math.Sqrt(kappa) + 1)
	tr := res.Trace
	rate := math.Pow(tr[400].Dist/tr[200].Dist, 1.0/200)
	if rate > q*1.05 || rate < q*0.8 {
		t.Errorf("observed rate %v, Polyak's (√κ − 1)/(√κ + 1) = %v", rate, q)
	}
}

// TestCounts checks the evaluation counts of each method per iteration.
func TestCounts(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 2))
	p := problem.RandomQuadratic(rng, problem.LogSpectrum(8, 1, 10))
	x0 := gaussian(rng, 8, 1)
	run := func(m minimize.Method) minimize.Record {
		res, err := minimize.Minimize(context.Background(), p, x0, m, minimize.Settings{GradTol: -1, MaxIter: 10})
		if err != nil {
			t.Fatal(err)
		}
		return res.Last
	}
	// GD and heavy ball: one evaluation per iteration plus the start.
	if r := run(&minimize.GradientDescent{}); r.Evals != 11 || r.GradEvals != 11 {
		t.Errorf("GD: %d evaluations for 10 iterations, want 11", r.Evals)
	}
	if r := run(&minimize.HeavyBall{}); r.Evals != 11 {
		t.Errorf("heavy ball: %d evaluations, want 11", r.Evals)
	}
	// Nesterov: y₀ = θ₀ reuses the start; the monitoring at θₙ is not counted.
	if r := run(&minimize.Nesterov{}); r.Evals != 10 {
		t.Errorf("Nesterov: %d evaluations, want 10", r.Evals)
	}
	// Newton: one Hessian per iteration.
	if r := run(&minimize.Newton{}); r.Hessians != 10 || r.Evals != 11 {
		t.Errorf("Newton: %d Hessians, %d evaluations", r.Hessians, r.Evals)
	}
	if r := run(&minimize.NewtonCG{}); r.HessVecs == 0 || r.Hessians != 0 {
		t.Errorf("NewtonCG: %d Hessian-vector products, %d Hessians", r.HessVecs, r.Hessians)
	}
}

// TestLBFGSIsShared checks that minimize.LBFGS follows the iterates of internal/lbfgs
// (torch's L-BFGS) on f exactly where torch's curvature threshold does not bind: its
// scaling of f changes nothing else, and it makes no more evaluations.
func TestLBFGSIsShared(t *testing.T) {
	for _, x0 := range [][]float64{{-1.2, 1}, {-0.01, 0.002}, {0.999, 0.9981}} {
		p := problem.NewRosenbrock(2)
		var direct []float64
		m, err := lbfgs.New[float64](2, lbfgs.Settings{MaxIter: 25, MaxEval: 1000, LineSearch: lbfgs.StrongWolfe, HistorySize: 10, ToleranceGrad: -1,
			ToleranceValue: math.SmallestNonzeroFloat64, CurvatureTol: -1})
		if err != nil {
			t.Fatal(err)
		}
		x := slices.Clone(x0)
		res0, err := m.Step(x, func(x, g []float64) (float64, error) { return p.ValueGrad(g, x), nil }, func(it lbfgs.Iteration) bool {
			direct = append(direct, it.F)
			return false
		})
		if err != nil {
			t.Fatal(err)
		}
		xs, res := iterates(t, p, x0, &minimize.LBFGS{}, minimize.Settings{GradTol: -1, MaxIter: 25})
		for i, f := range direct {
			if res.Trace[i+1].F != f {
				t.Fatalf("from %v, iteration %d: f = %v, internal/lbfgs gives %v", x0, i+1, res.Trace[i+1].F, f)
			}
		}
		// compare where internal/lbfgs stopped
		k := len(direct)
		if !slices.Equal(xs[k], x) || res.Trace[k].Evals != res0.Evals {
			t.Errorf("from %v: x = %v after %d evaluations, internal/lbfgs gives %v after %d", x0, xs[k], res.Trace[k].Evals, x, res0.Evals)
		}
	}
}

func TestStopping(t *testing.T) {
	rng := rand.New(rand.NewPCG(6, 6))
	p := problem.RandomQuadratic(rng, problem.LogSpectrum(8, 1, 100))
	x0 := gaussian(rng, 8, 1)
	ctx := context.Background()
	gd := func() minimize.Method { return &minimize.GradientDescent{} }
	for _, c := range []struct {
		name string
		s    minimize.Settings
		want minimize.Status
		iter int
	}{
		{"maxiter", minimize.Settings{MaxIter: 7}, minimize.IterationLimit, 7},
		{"maxevals", minimize.Settings{MaxEvals: 5}, minimize.EvaluationLimit, 4},
		{"functol", minimize.Settings{FuncTol: 1e-3, MaxIter: -1}, minimize.FunctionTolerance, -1},
		{"gradtol", minimize.Settings{GradTol: 1e-3, MaxIter: -1}, minimize.GradientTolerance, -1},
		{"callback", minimize.Settings{Callback: func(r minimize.Record, _ []float64) bool { return r.Iter == 3 }}, minimize.CallbackStop, 3},
	} {
		res, err := minimize.Minimize(ctx, p, x0, gd(), c.s)
		if err != nil || res.Status != c.want || c.iter >= 0 && res.Last.Iter != c.iter {
			t.Errorf("%s: status %v at iteration %d (err %v), want %v at %d", c.name, res.Status, res.Last.Iter, err, c.want, c.iter)
		}
		switch c.want {
		case minimize.GradientTolerance:
			if res.Last.GradNorm > 1e-3 || res.Trace[len(res.Trace)-2].GradNorm <= 1e-3 {
				t.Errorf("gradtol stopped at the wrong iteration")
			}
		case minimize.FunctionTolerance:
			tr := res.Trace
			a, b := tr[len(tr)-2].F, tr[len(tr)-1].F
			if math.Abs(a-b) > 1e-3*math.Max(1, math.Max(math.Abs(a), math.Abs(b))) {
				t.Errorf("functol stopped with |Δf| = %v", math.Abs(a-b))
			}
		}
	}
	// TraceEvery keeps every k-th record plus the first and the last.
	res, _ := minimize.Minimize(ctx, p, x0, gd(), minimize.Settings{MaxIter: 10, TraceEvery: 4})
	if got := len(res.Trace); got != 4 || res.Trace[1].Iter != 4 || res.Trace[3].Iter != 10 {
		t.Errorf("TraceEvery 4 over 10 iterations kept %d records: %+v", got, res.Trace)
	}
	res, _ = minimize.Minimize(ctx, p, x0, gd(), minimize.Settings{MaxIter: 10, TraceEvery: -1})
	if len(res.Trace) != 0 {
		t.Errorf("TraceEvery −1 kept %d records", len(res.Trace))
	}
	// Already optimal: no iteration.
	xs, _ := p.Optimum()
	res, err := minimize.Minimize(ctx, p, xs, gd(), minimize.Settings{})
	if err != nil || res.Status != minimize.GradientTolerance || res.Last.Iter != 0 {
		t.Errorf("from x*: %v at iteration %d", res.Status, res.Last.Iter)
	}
}

func TestErrors(t *testing.T) {
	ctx := context.Background()
	q := problem.NewQuadratic([]float64{1, 0, 0, 100}, []float64{0, 0})
	// Too large a step diverges: a NonFiniteError at the last iterate, with the trace so far.
	res, err := minimize.Minimize(ctx, q, []float64{1, 1}, &minimize.GradientDescent{Step: 1}, minimize.Settings{MaxIter: 1000})
	var nf *minimize.NonFiniteError
	if !errors.As(err, &nf) || !errors.Is(err, minimize.ErrNonFinite) || nf.Step != int64(res.Last.Iter) || nf.Op != "minimize" ||
		res.Status != minimize.Failure || len(res.Trace) < 10 {
		t.Errorf("divergent GD: err %v, status %v, %d records", err, res.Status, len(res.Trace))
	}
	// L-BFGS meets a NaN gradient: the error of internal/lbfgs, as minimize's.
	res, err = minimize.Minimize(ctx, nanGrad{q}, []float64{1, 1}, &minimize.LBFGS{}, minimize.Settings{MaxIter: 100})
	if !errors.As(err, &nf) || nf.Op != "minimize: LBFGS" || nf.Index != 1 || res.Status != minimize.Failure {
		t.Errorf("L-BFGS on a NaN gradient: err %v, status %v", err, res.Status)
	}
	// Methods that need L, μ or a Hessian refuse objectives without them.
	ros := problem.NewRosenbrock(2)
	for _, m := range []minimize.Method{&minimize.GradientDescent{}, &minimize.Nesterov{}, &minimize.NesterovStrong{}, &minimize.HeavyBall{}} {
		if _, err := minimize.Minimize(ctx, ros, []float64{0, 0}, m, minimize.Settings{}); err == nil {
			t.Errorf("%T ran on Rosenbrock without a step", m)
		}
	}
	wc := problem.NewWorstCase(5, 3, 1) // μ = 0
	if _, err := minimize.Minimize(ctx, wc, make([]float64, 5), &minimize.HeavyBall{}, minimize.Settings{}); err == nil {
		t.Errorf("Polyak's heavy ball ran with μ = 0")
	}
	if _, err := minimize.Minimize(ctx, gradOnly{q}, []float64{1, 1}, &minimize.Newton{}, minimize.Settings{}); err == nil {
		t.Errorf("Newton ran without a Hessian")
	}
	// A cancelled context stops the run.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := minimize.Minimize(cctx, q, []float64{1, 1}, &minimize.GradientDescent{}, minimize.Settings{}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled run: %v", err)
	}
	if _, err := minimize.Minimize(cctx, ros, []float64{-1.2, 1}, &minimize.LBFGS{}, minimize.Settings{}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled L-BFGS run: %v", err)
	}
	// A wrong starting point is a programmer error.
	defer func() {
		if r := recover(); r == nil {
			t.Errorf("no panic for a starting point of the wrong length")
		}
	}()
	minimize.Minimize(ctx, q, []float64{1}, &minimize.GradientDescent{}, minimize.Settings{})
}

// gradOnly hides every ability of an objective but its gradient.
// nanGrad is an objective whose gradient's second element is NaN away from the start.
type nanGrad struct{ p minimize.Objective }

func (g nanGrad) Dim() int { return g.p.Dim() }
func (g nanGrad) ValueGrad(grad, x []float64) float64 {
	f := g.p.ValueGrad(grad, x)
	if x[0] != 1 || x[1] != 1 {
		grad[1] = math.NaN()
	}
	return f
}

type gradOnly struct{ p minimize.Objective }

func (g gradOnly) Dim() int                            { return g.p.Dim() }
func (g gradOnly) ValueGrad(grad, x []float64) float64 { return g.p.ValueGrad(grad, x) }

// TestNewtonHessVecFallback: Newton assembles the Hessian from Hessian-vector products
// when the objective has no dense Hessian.
func TestNewtonHessVecFallback(t *testing.T) {
	p := problem.NewRosenbrock(3)
	a, _ := iterates(t, p, []float64{-1.2, 1, 1}, &minimize.Newton{}, minimize.Settings{MaxIter: 5})
	b, res := iterates(t, hessVecOnly{p}, []float64{-1.2, 1, 1}, &minimize.Newton{}, minimize.Settings{MaxIter: 5})
	for i := range a {
		if norm(diff(a[i], b[i])) > 1e-12 {
			t.Errorf("iterate %d: %v with the Hessian, %v from products", i, a[i], b[i])
		}
	}
	if res.Last.HessVecs != 3*res.Last.Iter {
		t.Errorf("%d products for %d iterations in dimension 3", res.Last.HessVecs, res.Last.Iter)
	}
}

type hessVecOnly struct{ p *problem.Rosenbrock }

func (h hessVecOnly) Dim() int                            { return h.p.Dim() }
func (h hessVecOnly) ValueGrad(grad, x []float64) float64 { return h.p.ValueGrad(grad, x) }
func (h hessVecOnly) HessVec(dst, x, v []float64)         { h.p.HessVec(dst, x, v) }

// TestIterateAllocations: an iteration of the first-order methods and of NewtonCG
// allocates nothing.
func TestIterateAllocations(t *testing.T) {
	p := problem.RandomQuadratic(rand.New(rand.NewPCG(3, 3)), problem.LogSpectrum(50, 1, 1e6))
	for _, m := range []minimize.Method{
		&minimize.GradientDescent{},
		&minimize.GradientDescent{Backtracking: &minimize.Backtracking{}},
		&minimize.Nesterov{},
		&minimize.NesterovStrong{},
		&minimize.HeavyBall{},
		&minimize.NewtonCG{},
	} {
		e := minimize.NewEvaluator(p)
		loc := &minimize.Location{X: make([]float64, 50), Grad: make([]float64, 50)}
		loc.F = e.ValueGrad(loc.Grad, loc.X)
		if err := m.Init(e, loc); err != nil {
			t.Fatal(err)
		}
		if a := testing.AllocsPerRun(20, func() {
			if _, _, err := m.Iterate(e, loc); err != nil {
				t.Fatal(err)
			}
		}); a != 0 {
			t.Errorf("%T allocates %v times per iteration", m, a)
		}
	}
}

// TestNewtonHessianCancel: a run whose context is cancelled while Newton forms the
// Hessian stops there, with the context's error, whether the Hessian is the objective's
// own (a ContextHessianer) or assembled from products.
func TestNewtonHessianCancel(t *testing.T) {
	p := problem.NewRosenbrock(4)
	x0 := []float64{-1.2, 1, -1.2, 1}
	for _, tc := range []struct {
		name string
		obj  func(cancel func()) minimize.Objective
	}{
		{"ContextHessianer", func(cancel func()) minimize.Objective { return &slowHessian{p: p, cancel: cancel} }},
		{"products", func(cancel func()) minimize.Objective { return &cancelProducts{p: p, cancel: cancel, after: 2} }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			obj := tc.obj(cancel)
			res, err := minimize.Minimize(ctx, obj, x0, &minimize.Newton{}, minimize.Settings{MaxIter: 50})
			if !errors.Is(err, context.Canceled) || res.Status != minimize.Failure {
				t.Fatalf("status %v, error %v; want Failure with context.Canceled", res.Status, err)
			}
			if res.Last.Iter != 0 {
				t.Errorf("%d iterations made; the first Hessian was cancelled", res.Last.Iter)
			}
			if h, ok := obj.(*cancelProducts); ok && h.calls != h.after {
				t.Errorf("%d Hessian-vector products, want the %d before the cancel", h.calls, h.after)
			}
		})
	}
}

// slowHessian's Hessian cancels the run's context and waits for it to be done: only a
// Minimize that passes its context in can end.
type slowHessian struct {
	p      *problem.Rosenbrock
	cancel func()
}

func (s *slowHessian) Dim() int                            { return s.p.Dim() }
func (s *slowHessian) ValueGrad(grad, x []float64) float64 { return s.p.ValueGrad(grad, x) }
func (s *slowHessian) Hessian(dst, x []float64)            { panic("Hessian called instead of HessianContext") }
func (s *slowHessian) HessianContext(ctx context.Context, dst, x []float64) error {
	s.cancel()
	<-ctx.Done()
	return ctx.Err()
}

// cancelProducts cancels the run's context at its after-th Hessian-vector product.
type cancelProducts struct {
	p            *problem.Rosenbrock
	cancel       func()
	after, calls int
}

func (c *cancelProducts) Dim() int                            { return c.p.Dim() }
func (c *cancelProducts) ValueGrad(grad, x []float64) float64 { return c.p.ValueGrad(grad, x) }
func (c *cancelProducts) HessVec(dst, x, v []float64) {
	c.calls++
	if c.calls == c.after {
		c.cancel()
	}
	c.p.HessVec(dst, x, v)
}
