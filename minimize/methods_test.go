package minimize_test

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/descent-ml/descent/minimize"
	"github.com/descent-ml/descent/problem"
)

// unconstrainedTest is one problem of the shared table, with its starting point.
type unconstrainedTest struct {
	name string
	p    minimize.Objective
	x0   []float64
	// quadratic marks problems with a constant Hessian, where Polyak's heavy ball is
	// guaranteed to converge.
	quadratic bool
	// convex marks convex problems, where fixed-step methods with γ = 1/L converge.
	convex bool
}

func gaussian(rng *rand.Rand, n int, scale float64) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = scale * rng.NormFloat64()
	}
	return v
}

func signs(rng *rand.Rand, n int) []float64 {
	y := make([]float64, n)
	for i := range y {
		y[i] = float64(2*rng.IntN(2) - 1)
	}
	return y
}

// unconstrainedTests is the table of problems every method runs on.
func unconstrainedTests() []unconstrainedTest {
	rng := rand.New(rand.NewPCG(3, 5))
	labels := make([]int, 60)
	for i := range labels {
		labels[i] = rng.IntN(3)
	}
	return []unconstrainedTest{
		{"quadratic", problem.RandomQuadratic(rng, problem.LogSpectrum(10, 1, 50)), gaussian(rng, 10, 1), true, true},
		{"leastsquares", problem.RandomLeastSquares(rng, 40, 8, 8, 0.5), gaussian(rng, 8, 1), true, true},
		{"leastsquares-rankdeficient", problem.RandomLeastSquares(rng, 30, 10, 4, 0.5), make([]float64, 10), true, true},
		{"logistic", problem.NewLogistic(gaussian(rng, 100*5, 1), 100, 5, signs(rng, 100), 0.01), gaussian(rng, 5, 1), false, true},
		{"multinomial", problem.NewMultinomial(gaussian(rng, 60*4, 1), 60, 4, labels, 3, 0.01), gaussian(rng, 12, 1), false, true},
		{"lecture", problem.LectureExample(), []float64{3}, false, true},
		{"worstcase", problem.NewWorstCase(10, 10, 1), make([]float64, 10), true, true},
		{"worstcase-strong", problem.NewWorstCaseStrong(10, 10, 1), make([]float64, 10), true, true},
		{"rosenbrock", problem.NewRosenbrock(2), []float64{-1.2, 1}, false, false},
		{"rosenbrock-4", problem.NewRosenbrock(4), []float64{-1.2, 1, -1.2, 1}, false, false},
	}
}

// methodCase is one method of the shared table, with what it needs from a problem.
type methodCase struct {
	name string
	new  func() minimize.Method
	// needsL: a fixed step of 1/L (or Polyak's), only safe on convex problems.
	needsL bool
	// needsMu: also μ > 0 from the problem.
	needsMu bool
	// quadratic: only guaranteed on quadratics.
	quadratic bool
}

func methodCases() []methodCase {
	return []methodCase{
		{"gd", func() minimize.Method { return &minimize.GradientDescent{} }, true, false, false},
		{"gd-armijo", func() minimize.Method {
			return &minimize.GradientDescent{Backtracking: &minimize.Backtracking{}}
		}, false, false, false},
		{"nesterov", func() minimize.Method { return &minimize.Nesterov{} }, true, false, false},
		{"nesterov-strong", func() minimize.Method { return &minimize.NesterovStrong{} }, true, true, false},
		{"heavyball-polyak", func() minimize.Method { return &minimize.HeavyBall{} }, true, true, true},
		{"newton-damped", func() minimize.Method {
			return &minimize.Newton{Backtracking: &minimize.Backtracking{}}
		}, false, false, false},
		{"newton-cg", func() minimize.Method {
			return &minimize.NewtonCG{Backtracking: &minimize.Backtracking{}}
		}, false, false, false},
		{"lbfgs", func() minimize.Method { return &minimize.LBFGS{} }, false, false, false},
	}
}

func applies(m methodCase, t unconstrainedTest) bool {
	if m.needsL && !t.convex {
		return false
	}
	if m.quadratic && !t.quadratic {
		return false
	}
	if m.needsMu {
		s, ok := t.p.(minimize.StronglyConvex)
		if !ok || !(s.StrongConvexity() > 0) {
			return false
		}
	}
	return true
}

// TestMethods runs every method on every problem of the shared table it applies to.
func TestMethods(t *testing.T) {
	for _, m := range methodCases() {
		for _, tc := range unconstrainedTests() {
			if !applies(m, tc) {
				continue
			}
			t.Run(m.name+"/"+tc.name, func(t *testing.T) {
				const tol = 1e-8
				res, err := minimize.Minimize(context.Background(), tc.p, tc.x0, m.new(), minimize.Settings{GradTol: tol, MaxIter: 50000})
				if err != nil {
					t.Fatalf("error: %v (after %d iterations)", err, res.Last.Iter)
				}
				if res.Status != minimize.GradientTolerance {
					t.Fatalf("status %v after %d iterations, ‖∇f‖ = %.3g", res.Status, res.Last.Iter, res.Last.GradNorm)
				}
				if o, ok := tc.p.(minimize.Optimumer); ok {
					_, fs := o.Optimum()
					if math.Abs(res.F-fs) > 1e-11*math.Max(1, math.Abs(fs)) {
						t.Errorf("f = %.15g, want f* = %.15g", res.F, fs)
					}
					if d := res.Last.Dist; d > 100*tol {
						t.Errorf("‖x − x*‖ = %.3g", d)
					}
				}
				// The result's gradient is the gradient at the result's X.
				g := make([]float64, len(res.X))
				f := tc.p.ValueGrad(g, res.X)
				if f != res.F || norm(diff(g, res.Grad)) > 1e-12*(1+norm(g)) {
					t.Errorf("result F/Grad are not f and ∇f at X")
				}
				checkTrace(t, res)
			})
		}
	}
}

// checkTrace checks the invariants of a trace: iterations increase, counters never
// decrease, time never goes back, and the last record is Result.Last.
func checkTrace(t *testing.T, res *minimize.Result) {
	t.Helper()
	tr := res.Trace
	if len(tr) == 0 || tr[0].Iter != 0 || tr[len(tr)-1] != res.Last && !(math.IsNaN(res.Last.Dist)) {
		t.Fatalf("trace does not start at 0 and end at Last")
	}
	for i := 1; i < len(tr); i++ {
		a, b := tr[i-1], tr[i]
		if b.Iter <= a.Iter || b.Evals < a.Evals || b.GradEvals < a.GradEvals || b.HessVecs < a.HessVecs || b.Hessians < a.Hessians || b.Time < a.Time {
			t.Fatalf("trace records %d and %d are out of order: %+v, %+v", i-1, i, a, b)
		}
	}
}

func norm(x []float64) float64 {
	s := 0.0
	for _, v := range x {
		s += v * v
	}
	return math.Sqrt(s)
}

func diff(a, b []float64) []float64 {
	d := make([]float64, len(a))
	for i := range a {
		d[i] = a[i] - b[i]
	}
	return d
}
