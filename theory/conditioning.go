package theory

import (
	"context"
	"fmt"
	"math"
	"slices"

	"github.com/descent-ml/descent/minimize"
	"github.com/descent-ml/descent/problem"
)

// kappaCost: GD's iterations grow like κ; [lo, hi] is the range of the log-log slope,
// [0.8, 1.2] in the catalogue.
func kappaCost(lo, hi float64) Claim {
	return Claim{
		ID: "kappa-cost", Section: sectionConvexity, Kind: Illustration,
		Source: "Part “Refresher on convex functions”, after the example of the slide “Convexity and Hessian”: “κ := L/μ is called the " +
			"condition number. The closer it is to one, the faster the convergence will be.”",
		Statement: "κ = L/μ is the condition number: the closer it is to 1, the faster the convergence.",
		Criterion: fmt.Sprintf("GD iterations to 1e-6 ∝ κ: log-log slope in [%g, %g]", lo, hi),
		Protocol: fmt.Sprintf("Random quadratics in 30 dimensions (12 at the reduced size), eigenvalues log-spaced in [1, κ] for κ ∈ {10, 100, 1000}, "+
			"a random rotation, θ₀ − θ* Gaussian; 4 quadratics per κ (2 at the reduced size). Gradient descent with γ = 1/L until "+
			"‖θₙ − θ*‖ ≤ 1e-6‖θ₀ − θ*‖; the mean number of iterations per κ. Pass: the log-log slope of the iterations against κ lies in "+
			"[%g, %g] (the theory gives κ·log(1e6)/2 iterations for the slowest direction, a slope of 1).", lo, hi),
		Run: func(x *Experiment) error { return runKappaCost(x, lo, hi) },
	}
}

func runKappaCost(x *Experiment, lo, hi float64) error {
	kappas := []float64{10, 100, 1000}
	reps := size(x, 4, 2)
	d := size(x, 30, 12)
	its := make([]float64, len(kappas))
	var runs [][]float64
	for k, kappa := range kappas {
		for range reps {
			q := problem.RandomQuadratic(x.Rand, problem.LogSpectrum(d, 1, kappa))
			xstar, _ := q.Optimum()
			x0 := slices.Clone(xstar)
			axpy(x0, 1, gaussian(x.Rand, d, 1))
			n, errs, err := itersToRelDist(x.Ctx, q, x0, &minimize.GradientDescent{}, 1e-6, int(200*kappa))
			if err != nil {
				return err
			}
			its[k] += float64(n) / float64(reps)
			if len(runs) < len(kappas) && len(runs) == k {
				runs = append(runs, errs)
			}
		}
	}
	slope := logSlope(kappas, its)
	x.Notef("Random quadratics in %d dimensions with eigenvalues log-spaced in [1, κ], rotated at random, and θ₀ − θ* Gaussian; "+
		"GD with γ = 1/L until ‖θₙ − θ*‖ ≤ 1e-6‖θ₀ − θ*‖, %d quadratics per κ. Mean iterations: %s; log-log slope %.3f.",
		d, reps, fmtPairs("κ", kappas, its), slope)
	x.Check(within("log-log slope of GD iterations against κ", slope, lo, hi))
	p := newPlot("GD: relative distance to the optimum, quadratics", "iteration", "|theta_n - theta*| / |theta_0 - theta*|").logY().logX()
	for k, e := range runs {
		xs := seq(1, len(e))
		p.observed(fmt.Sprintf("κ = %g", kappas[k]), xs, e[1:])
	}
	p.reference("1e-6", []float64{1, float64(len(runs[len(runs)-1]))}, []float64{1e-6, 1e-6})
	x.figure(p, "One quadratic per κ: the iterations GD needs grow in proportion to κ.")
	ref := make([]float64, len(kappas))
	for i, k := range kappas {
		ref[i] = its[1] * k / kappas[1]
	}
	p2 := newPlot("GD iterations to 1e-6 against the condition number", "κ", "iterations").logX().logY().
		observed("GD, γ = 1/L", kappas, its).
		reference("∝ κ", kappas, ref)
	x.figure(p2, fmt.Sprintf("Iterations against κ, log-log: slope %.2f.", slope))
	return nil
}

// itersToRelDist runs m on f from x0 until ‖θₙ − θ*‖ ≤ tol·‖θ₀ − θ*‖ and returns the
// iterations and the relative distances along the way.
func itersToRelDist(ctx context.Context, f minimize.Objective, x0 []float64, m minimize.Method, tol float64, maxIter int) (int, []float64, error) {
	var errs []float64
	d0 := math.NaN()
	s := minimize.Settings{GradTol: -1, MaxIter: maxIter, TraceEvery: -1, Callback: func(r minimize.Record, _ []float64) bool {
		if r.Iter == 0 {
			d0 = r.Dist
		}
		errs = append(errs, r.Dist/d0)
		return r.Dist <= tol*d0
	}}
	res, err := minimize.Minimize(ctx, f, x0, m, s)
	if err != nil {
		return 0, nil, err
	}
	if res.Status != minimize.CallbackStop {
		return 0, nil, fmt.Errorf("theory: %T did not reach relative distance %g in %d iterations", m, tol, maxIter)
	}
	return res.Last.Iter, errs, nil
}

// fmtPairs formats "name = a: b, …".
func fmtPairs(name string, a, b []float64) string {
	s := ""
	for i := range a {
		if i > 0 {
			s += "; "
		}
		s += fmt.Sprintf("%s = %.4g: %.4g", name, a[i], b[i])
	}
	return s
}

// reparametrisation: κ depends on the parametrisation; Newton's iterates do not. growth is
// the factor by which GD's iterations must exceed those at the previous scale: 1 (they
// grow) in the catalogue.
func reparametrisation(growth float64) Claim {
	return Claim{
		ID: "reparametrisation", Section: sectionConvexity, Kind: Illustration,
		Source: "Part “Refresher on convex functions”: “κ depends on the parametrization of the problem.” (and, in part “Batch optimization”, " +
			"slide “Second order methods”: Newton's method is “equivalent to having κ := L/μ = 1”)",
		Statement: "κ depends on the parametrisation of the problem (and Newton's method, which has κ = 1, does not).",
		Criterion: fmt.Sprintf("GD iterations grow with s (each > %sthe previous); Newton iterates map back to 1e-8", coef(growth)),
		Protocol: fmt.Sprintf("Least squares with a 100×8 Gaussian design and noisy targets; one feature, drawn from the seed, multiplied by "+
			"s ∈ {1, 10, 100} ({1, 3, 10} at the reduced size), which is the change of variables θ'ⱼ = θⱼ/s. Gradient descent (γ = 1/L of each "+
			"problem) from 0 until f − f* ≤ 1e-6(f(0) − f*); pure Newton for 3 iterations, its iterates mapped back. Then pure Newton on an L2 "+
			"logistic regression (400 Gaussian samples, 6 features, λ = 0.01) reparametrised the same way, 8 iterations. Pass: GD's iterations at "+
			"each s exceed %g times those at the previous s, and every mapped-back Newton iterate equals the one at s = 1 to 1e-8 relative "+
			"(the scaled Newton systems have condition numbers up to 1e6, whose rounding is about 1e-10).", growth),
		Run: func(x *Experiment) error { return runReparametrisation(x, growth) },
	}
}

func runReparametrisation(x *Experiment, growth float64) error {
	r := x.Rand
	const n, d = 100, 8
	ls := problem.RandomLeastSquares(r, n, d, d, 0.5)
	xm, _, _, b := ls.Data()
	j := r.IntN(d)
	scales := size(x, []float64{1, 10, 100}, []float64{1, 3, 10})
	x.Notef("Least squares with a %d×%d Gaussian design and noisy targets (noise 0.5); feature %d is multiplied by s, "+
		"which is the reparametrisation θ'ⱼ = θⱼ/s. GD (γ = 1/L of each problem) from 0 until f − f* ≤ 1e-6(f(0) − f*); "+
		"pure Newton's iterates are mapped back (θ = Dθ') and compared with those at s = 1.", n, d, j)

	var its []float64
	var newtonRef [][]float64
	newtonDev := upperCurve("Newton's iterates mapped back equal those at s = 1, least squares (relative)")
	gdGrows := true
	p := newPlot("GD on a least-squares problem with one feature scaled by s", "iteration", "(f - f*) / (f(0) - f*)").logX().logY()
	for k, s := range scales {
		xs := slices.Clone(xm)
		for i := range n {
			xs[i*d+j] *= s
		}
		q := problem.NewLeastSquares(xs, n, d, b)
		_, fstar := q.Optimum()
		var rel []float64
		f0 := math.NaN()
		set := minimize.Settings{GradTol: -1, MaxIter: 5_000_000, TraceEvery: -1, Callback: func(rec minimize.Record, _ []float64) bool {
			if rec.Iter == 0 {
				f0 = rec.F - fstar
			}
			rel = append(rel, (rec.F-fstar)/f0)
			return rec.F-fstar <= 1e-6*f0
		}}
		res, err := minimize.Minimize(x.Ctx, q, make([]float64, d), &minimize.GradientDescent{}, set)
		if err != nil {
			return err
		}
		if res.Status != minimize.CallbackStop {
			return fmt.Errorf("theory: GD did not reach 1e-6 at s = %g", s)
		}
		its = append(its, float64(res.Last.Iter))
		if k > 0 && its[k] <= growth*its[k-1] {
			gdGrows = false
		}
		tx, ty := thin(seq(1, len(rel)), rel[1:], 400)
		p.observed(fmt.Sprintf("s = %g (κ = %.3g)", s, q.Smoothness()/q.StrongConvexity()), tx, ty)

		iters, err := newtonIterates(x.Ctx, q, make([]float64, d), &minimize.Newton{}, 3)
		if err != nil {
			return err
		}
		for _, it := range iters {
			it[j] *= s
		}
		if k == 0 {
			newtonRef = iters
		}
		for t := range iters {
			newtonDev.add(dist(iters[t], newtonRef[t])/math.Max(norm(newtonRef[t]), 1), 1e-8, at("s = %g, iterate %d", s, t))
		}
	}
	x.Check(isTrue(fmt.Sprintf("GD's iterations grow with s (each more than %g times the previous)", growth), gdGrows, fmtPairs("s", scales, its)))
	x.Check(newtonDev.check())
	x.figure(p, "GD slows down as one feature is scaled up: κ grows like s²; Newton's iterates, mapped back, do not change.")

	// Newton on a problem that takes several steps: logistic regression, reparametrised.
	lg := problem.RandomLogistic(r, 400, 6, 1e-2)
	base, err := newtonIterates(x.Ctx, lg, make([]float64, 6), &minimize.Newton{}, 8)
	if err != nil {
		return err
	}
	dev := upperCurve("Newton's iterates mapped back equal the original ones, logistic regression θ' = θ/s (relative)")
	for _, s := range scales[1:] {
		sc := constant(6, 1)
		sc[r.IntN(6)] = s
		its, err := newtonIterates(x.Ctx, reparam{lg, sc}, make([]float64, 6), &minimize.Newton{}, 8)
		if err != nil {
			return err
		}
		for t := range min(len(its), len(base)) {
			for i := range its[t] {
				its[t][i] *= sc[i]
			}
			dev.add(dist(its[t], base[t])/math.Max(norm(base[t]), 1), 1e-8, at("s = %g, iterate %d", s, t))
		}
	}
	x.Check(dev.check())
	x.Notef("Also pure Newton on L2 logistic regression (400 Gaussian samples, 6 features, λ = 0.01) reparametrised by θ = Dθ' "+
		"(one coordinate scaled by s, the regulariser included), 8 iterations. Slack 1e-8: the Newton systems of the scaled "+
		"problems have condition numbers up to %.0g, whose rounding (κε ≈ 1e-12) is far below it.", scales[len(scales)-1]*scales[len(scales)-1]*100)
	return nil
}

// newtonIterates returns the first iterates of m on f from x0 (x0 first).
func newtonIterates(ctx context.Context, f minimize.Objective, x0 []float64, m minimize.Method, iters int) ([][]float64, error) {
	var out [][]float64
	_, err := minimize.Minimize(ctx, f, x0, m, minimize.Settings{GradTol: -1, MaxIter: iters, TraceEvery: -1,
		Callback: func(_ minimize.Record, x []float64) bool {
			out = append(out, slices.Clone(x))
			return false
		}})
	return out, err
}

// reparam is the objective θ' ↦ f(Dθ') for a diagonal D = diag(s): a change of variables.
type reparam struct {
	f interface {
		minimize.Objective
		minimize.HessVecer
	}
	s []float64
}

func (p reparam) Dim() int { return p.f.Dim() }

func (p reparam) scaled(v []float64) []float64 {
	w := make([]float64, len(v))
	for i := range v {
		w[i] = p.s[i] * v[i]
	}
	return w
}

// ValueGrad returns f(Dθ') and stores D∇f(Dθ') in grad.
func (p reparam) ValueGrad(grad, x []float64) float64 {
	v := p.f.ValueGrad(grad, p.scaled(x))
	for i := range grad {
		grad[i] *= p.s[i]
	}
	return v
}

// HessVec stores D∇²f(Dθ')Dv in dst.
func (p reparam) HessVec(dst, x, v []float64) {
	p.f.HessVec(dst, p.scaled(x), p.scaled(v))
	for i := range dst {
		dst[i] *= p.s[i]
	}
}

// thin returns at most n points of (x, y), log-spaced in index, the last one included, for
// plots of long runs.
func thin(x, y []float64, n int) ([]float64, []float64) {
	if len(x) <= n {
		return x, y
	}
	var tx, ty []float64
	last := -1
	for k := range n {
		i := int(math.Round(math.Exp(float64(k) / float64(n-1) * math.Log(float64(len(x))))))
		i = min(max(i-1, 0), len(x)-1)
		if i > last {
			tx, ty = append(tx, x[i]), append(ty, y[i])
			last = i
		}
	}
	return tx, ty
}
