package theory

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"

	"github.com/descent-ml/descent/minimize"
	"github.com/descent-ml/descent/problem"
)

// newtonQuadratic: one Newton step solves a strictly convex quadratic.
func newtonQuadratic(tol float64) Claim {
	return Claim{
		ID: "newton-quadratic", Section: sectionBatch, Kind: Theorem,
		Source:    "Part “Batch optimization”, slide “Second order methods”: θₙ₊₁ = θₙ − γF''(θₙ)⁻¹F'(θₙ), “Equivalent to having κ := L/μ = 1.”",
		Statement: "Newton's method is equivalent to κ = 1: one step θ₁ = θ₀ − F''(θ₀)⁻¹F'(θ₀) solves a strictly convex quadratic.",
		Criterion: fmt.Sprintf("‖θ1 − θ*‖ ≤ %.0e‖θ0 − θ*‖, d ≤ 200, κ ≤ 1e4", tol),
		Protocol: fmt.Sprintf("20 random quadratics (6 at the reduced size): d log-uniform in [2, 200] ([2, 60]), eigenvalues log-uniform in "+
			"[μ, κμ] with μ log-uniform in [1e-3, 1e3] and κ in [1, 1e4], a random rotation and minimiser, θ₀ − θ* Gaussian of scale log-uniform "+
			"in [1e-2, 1e2]. One pure Newton step (Cholesky solve). Pass: ‖θ₁ − θ*‖ ≤ %.0e‖θ₀ − θ*‖ on every quadratic: the error left is the "+
			"rounding of the solve, about κε, at most 1.1e-12.", tol),
		History: "The first plan drew quadratics with d ≤ 200 and no bound on κ. During development, before the first commit (2026-11-27), " +
			"the rounding of the solve (about κε) was seen to exceed 1e-9 for κ ≳ 1e7, and κ was limited to 1e4: a limit on the instances, " +
			"justified by the rounding of any solve, not a change of the bound. It is what is checked now.",
		Run: func(x *Experiment) error {
			return runNewtonQuadratic(x, tol)
		},
	}
}

func runNewtonQuadratic(x *Experiment, tol float64) error {
	r := x.Rand
	count := size(x, 20, 6)
	cv := upperCurve(fmt.Sprintf("‖θ₁ − θ*‖/‖θ₀ − θ*‖ ≤ %.0e after one pure Newton step", tol))
	type pt struct{ kappa, ratio float64 }
	var pts []pt
	for i := range count {
		d := int(math.Round(logUniform(r, 2, float64(size(x, 200, 60)))))
		mu := logUniform(r, 1e-3, 1e3)
		kappa := logUniform(r, 1, 1e4)
		eig := make([]float64, d)
		for j := range eig {
			eig[j] = logUniform(r, mu, mu*kappa)
		}
		eig[0], eig[d-1] = mu, mu*kappa
		if d == 1 {
			eig[0] = mu
		}
		q := problem.RandomQuadratic(r, eig)
		xs, _ := q.Optimum()
		x0 := slices.Clone(xs)
		axpy(x0, 1, gaussian(r, d, logUniform(r, 1e-2, 1e2)))
		res, err := minimize.Minimize(x.Ctx, q, x0, &minimize.Newton{}, minimize.Settings{GradTol: -1, MaxIter: 1, TraceEvery: -1})
		if err != nil {
			return err
		}
		ratio := dist(res.X, xs) / dist(x0, xs)
		cv.add(ratio, tol, at("quadratic %d: d = %d, κ = %.3g", i+1, d, q.Smoothness()/q.StrongConvexity()))
		pts = append(pts, pt{q.Smoothness() / q.StrongConvexity(), ratio})
	}
	x.Check(cv.check())
	sort.Slice(pts, func(i, j int) bool { return pts[i].kappa < pts[j].kappa })
	var ks, rs, rnd []float64
	for _, p := range pts {
		ks, rs = append(ks, p.kappa), append(rs, math.Max(p.ratio, 1e-18))
		rnd = append(rnd, p.kappa*eps)
	}
	x.Notef("%d random quadratics: d log-uniform in [2, 200], eigenvalues log-uniform in [μ, κμ] with μ log-uniform in [1e-3, 1e3] and κ in [1, 1e4], "+
		"a random rotation and minimiser, θ₀ − θ* Gaussian of scale log-uniform in [1e-2, 1e2]; one step of pure Newton (Cholesky solve). "+
		"The error left is the rounding of the solve, about κε: a bound of 1e-9 is not met for κ ≳ 1e7, which is why κ ≤ 1e4 here.", count)
	p := newPlot("One Newton step on random quadratics", "κ", "|theta_1 - theta*| / |theta_0 - theta*|").logX().logY().
		observed("after one step (0 plotted as 1e-18)", ks, rs).
		bound(fmt.Sprintf("%.0e", tol), ks, constant(len(ks), tol)).
		reference("κ·ε (rounding of the solve)", ks, rnd)
	x.figure(p, "What one Newton step leaves of the initial error: only rounding, far below the bound.")
	return nil
}

// newtonLocal: Newton converges quadratically near θ*: eₙ₊₁ ≤ C·eₙ^order with order 2 in the
// catalogue.
func newtonLocal(order float64) Claim {
	return Claim{
		ID: "newton-local", Section: sectionBatch, Kind: Illustration,
		Source: "Part “Batch optimization”, slide “Second order methods”: “Very efficient for small case problems (d small)” — the local " +
			"quadratic convergence of Newton's method that makes it so.",
		Statement: "Newton's method converges quadratically near θ*: the number of correct digits roughly doubles at each step.",
		Criterion: fmt.Sprintf("once ‖θn − θ*‖ < 1e-2: eₙ₊₁ ≤ C·eₙ^%g, C = M/(2μ)", order),
		Protocol: fmt.Sprintf("6 L2 logistic regressions (3 at the reduced size) on 300 Gaussian samples, d uniform in [2, 20], λ log-uniform in "+
			"[1e-3, 0.1]; θ* by Newton's method to rounding; damped Newton (Armijo) from a Gaussian θ₀. The constant of the local theorem "+
			"(Nocedal and Wright, theorem 3.5) is C = M/(2μ), μ = λ, M = (1/(6√3))(1/n)Σ‖xᵢ‖³ a Lipschitz constant of F''. Pass: every step "+
			"that starts below 1e-2 and does not end at the rounding floor 1e-13·max(1, ‖θ*‖) has eₙ₊₁ ≤ C·eₙ^%g.", order),
		Run: func(x *Experiment) error { return runNewtonLocal(x, order) },
	}
}

func runNewtonLocal(x *Experiment, order float64) error {
	r := x.Rand
	count := size(x, 6, 3)
	cv := upperCurve(fmt.Sprintf("eₙ₊₁/eₙ^%g ≤ C = M/(2μ) once eₙ < 1e-2 (M: Lipschitz constant of F'')", order))
	p := newPlot("Newton's method on L2 logistic regressions: local quadratic convergence", "iteration n", "|theta_n - theta*|").logY()
	var cs []float64
	var digits string
	for i := range count {
		n, d := 300, 2+r.IntN(19)
		lam := logUniform(r, 1e-3, 1e-1)
		f := problem.RandomLogistic(r, n, d, lam)
		xstar, err := logisticOptimum(x, f)
		if err != nil {
			return err
		}
		c := logisticHessLip(f) / (2 * lam)
		var errs []float64
		x0 := gaussian(r, d, 1/math.Sqrt(float64(d)))
		_, err = minimize.Minimize(x.Ctx, f, x0, &minimize.Newton{Backtracking: &minimize.Backtracking{}},
			minimize.Settings{GradTol: -1, MaxIter: 30, TraceEvery: -1, Callback: func(_ minimize.Record, xn []float64) bool {
				errs = append(errs, dist(xn, xstar))
				return errs[len(errs)-1] == 0
			}})
		if err != nil {
			return err
		}
		floor := 1e-13 * math.Max(1, norm(xstar))
		dg := ""
		for k := 0; k+1 < len(errs); k++ {
			if errs[k] < 1e-2 && errs[k+1] > floor {
				ck := errs[k+1] / math.Pow(errs[k], order)
				cv.add(ck, c, at("instance %d, n = %d: e = %.2g → %.2g (C = %.3g)", i+1, k, errs[k], errs[k+1], c))
				cs = append(cs, ck)
			}
			if errs[k] > floor && errs[k] < 1 {
				dg += fmt.Sprintf(" %.1f", -math.Log10(errs[k]))
			}
		}
		digits += fmt.Sprintf("instance %d (d = %d, λ = %.2g, C = %.3g):%s; ", i+1, d, lam, c, dg)
		ex, ey := positive(seq(0, len(errs)), errs)
		p.observed(fmt.Sprintf("instance %d", i+1), ex, ey)
	}
	x.Check(cv.check())
	if len(cs) > 0 {
		x.Notef("Observed ratios eₙ₊₁/eₙ² lie in [%.3g, %.3g].", slices.Min(cs), slices.Max(cs))
	}
	x.Notef("%d L2 logistic regressions on 300 Gaussian samples (d uniform in [2, 20], λ log-uniform in [1e-3, 0.1]); θ* by Newton's method to rounding; "+
		"damped Newton (Armijo) from a Gaussian θ₀. The constant C = M/(2μ) of the local theorem (Nocedal and Wright, theorem 3.5), with μ = λ and "+
		"M = |σ''|max·(1/n)Σ‖xᵢ‖³, |σ''|max = 1/(6√3), a Lipschitz constant of F''. Steps whose error reaches the rounding floor 1e-13·max(1, ‖θ*‖) are left out. "+
		"Correct digits −log₁₀ eₙ: %s", count, digits)
	x.figure(p, "The error of Newton's method: once close, each step squares it (the curves plunge).")
	return nil
}

// logisticOptimum returns the minimiser of f to rounding: Newton's method until the
// gradient stops decreasing.
func logisticOptimum(x *Experiment, f *problem.Logistic) ([]float64, error) {
	res, err := minimize.Minimize(x.Ctx, f, make([]float64, f.Dim()), &minimize.Newton{Backtracking: &minimize.Backtracking{}},
		minimize.Settings{GradTol: 1e-15, MaxIter: 100, TraceEvery: -1})
	if err != nil && !errors.Is(err, minimize.ErrLineSearch) {
		return nil, err
	}
	return res.X, nil
}

// logisticHessLip returns a Lipschitz constant of the Hessian of an L2 logistic regression:
// |σ”| ≤ 1/(6√3), so ‖F”(w) − F”(w')‖ ≤ (1/(6√3))(1/n)Σᵢ‖xᵢ‖³‖w − w'‖.
func logisticHessLip(f *problem.Logistic) float64 {
	n := f.Samples()
	s := 0.0
	lam := f.Lambda()
	for i := range n {
		// SampleSmoothness is ‖xᵢ‖²/4 + λ.
		sq := 4 * (f.SampleSmoothness(i) - lam)
		s += math.Pow(math.Max(sq, 0), 1.5)
	}
	return s / float64(n) / (6 * math.Sqrt(3))
}

// lbfgsTarget is the gradient norm both methods of the lbfgs claim must reach.
const lbfgsTarget = 1e-8

// lbfgsBudget is the length of the gradient-descent run of the lbfgs claim, in multiples of
// L-BFGS's gradient evaluations.
const lbfgsBudget = 10

// lbfgsClaim: L-BFGS reaches ‖∇F‖ ≤ 1e-8 in at least factor (10 in the catalogue) times
// fewer gradient evaluations than GD.
func lbfgsClaim(factor float64) Claim {
	return Claim{
		ID: "lbfgs", MNIST: true, Section: sectionBatch, Kind: Illustration,
		Source:    "Part “Batch optimization”, slide “Second order methods”: “Possiblity to approximate F'' for large scale problems -> L-BFGS.”",
		Statement: "L-BFGS approximates F'' cheaply: on large problems it converges much faster than gradient descent for the same gradients.",
		Criterion: fmt.Sprintf("MNIST logistic: GD needs ≥ %g× L-BFGS's gradients to ‖∇F‖ ≤ %g", factor, lbfgsTarget),
		Protocol: fmt.Sprintf("L2 logistic regression (λ = 1e-3, κ ≈ 1e4) of even against odd digits on MNIST's 60000 training images (the first "+
			"2000 at the reduced size), from a Gaussian θ₀ of scale 0.01 drawn from the seed. L-BFGS (memory 10, strong-Wolfe line search) until "+
			"‖∇F‖ ≤ %g; it must reach it, or the claim fails. Gradient descent with γ = 1/L from the same θ₀, for at most %d times L-BFGS's "+
			"gradient evaluations; if it has not reached the target by then, the evaluations it would need are extrapolated from its linear rate "+
			"over the second half of its run. Pass: GD's gradient evaluations to the target ≥ %g times L-BFGS's.", lbfgsTarget, lbfgsBudget, factor),
		History: "The first plan fixed the target at 1e-8. On 2026-11-27 (2a666ef), when L-BFGS's line search stopped on the rounding of F " +
			"above 1e-8, the comparison was made at the gradient norm L-BFGS had reached: a target lowered to what was reached. It is restored " +
			"(2026-12-05): the target is 1e-8, fixed, and an L-BFGS that stops above it fails the claim. On seeds 101 to 103, never on the seeds " +
			"reported, L-BFGS reached 1e-8 at both sizes (226 to 274 gradient evaluations).",
		Run: func(x *Experiment) error { return runLBFGS(x, factor) },
	}
}

func runLBFGS(x *Experiment, factor float64) error {
	eo, err := x.Data.evenOdd(x.Ctx, size(x, 0, 2000))
	if err != nil {
		return err
	}
	p := eo.problem()
	d := p.Dim()
	x0 := gaussian(x.Rand, d, 1e-2)
	const gtol = lbfgsTarget
	var lx, ly []float64
	lres, err := minimize.Minimize(x.Ctx, p, x0, &minimize.LBFGS{}, minimize.Settings{GradTol: gtol, MaxIter: 5000, TraceEvery: -1,
		Callback: func(r minimize.Record, _ []float64) bool {
			lx, ly = append(lx, float64(r.GradEvals)), append(ly, r.GradNorm)
			return false
		}})
	if err != nil {
		return err
	}
	reachedL := lres.Status == minimize.GradientTolerance
	x.Check(isTrue(fmt.Sprintf("L-BFGS reaches ‖∇F‖ ≤ %g", gtol), reachedL,
		fmt.Sprintf("stopped at ‖∇F‖ = %.3g (%v) after %d gradient evaluations", lres.Last.GradNorm, lres.Status, lres.Last.GradEvals)))
	if !reachedL {
		x.Notef("L-BFGS stopped at ‖∇F‖ = %.3g (%v), above the target: the comparison with gradient descent cannot be made.", lres.Last.GradNorm, lres.Status)
		pl := newPlot("L-BFGS on MNIST even/odd logistic regression", "gradient evaluations", "|grad F(theta)|").logY().
			observed("L-BFGS", lx, ly).
			bound(fmt.Sprintf("target %.2g", gtol), []float64{0, float64(lres.Last.GradEvals)}, []float64{gtol, gtol})
		x.figure(pl, "L-BFGS stopped before the target.")
		return nil
	}
	lgrads := lres.Last.GradEvals
	// GD runs for lbfgsBudget × L-BFGS's gradients: if it has not reached the tolerance by
	// then, its linear rate at the end estimates the total it would need. The run does not
	// depend on the factor checked.
	budget := lbfgsBudget * lgrads
	var gx, gy []float64
	gres, err := minimize.Minimize(x.Ctx, p, x0, &minimize.GradientDescent{Step: 1 / eo.l}, minimize.Settings{GradTol: gtol, MaxIter: budget, TraceEvery: -1,
		Callback: func(r minimize.Record, _ []float64) bool {
			gx, gy = append(gx, float64(r.GradEvals)), append(gy, r.GradNorm)
			return false
		}})
	if err != nil {
		return err
	}
	reached := gres.Status == minimize.GradientTolerance
	ggrads := gres.Last.GradEvals
	ratio := float64(ggrads) / float64(lgrads)
	est := float64(ggrads)
	if !reached {
		// Fit the decay of log‖∇F‖ over the last half of the run.
		h := len(gy) / 2
		lg := make([]float64, len(gy)-h)
		for i := range lg {
			lg[i] = math.Log(gy[h+i])
		}
		slope, _ := fitLine(gx[h:], lg)
		if slope < 0 {
			est = float64(ggrads) + math.Log(gtol/gy[len(gy)-1])/slope
		} else {
			est = math.Inf(1)
		}
		x.Notef("GD stopped at its budget of %d gradients with ‖∇F‖ = %.3g; at its final linear rate it would need about %.3g gradients in all (%.0f× L-BFGS's).",
			budget, gres.Last.GradNorm, est, est/float64(lgrads))
	}
	x.Check(atLeast(fmt.Sprintf("gradients GD needs / gradients L-BFGS needs, to ‖∇F‖ ≤ %.2g", gtol), math.Max(ratio, est/float64(lgrads)), factor))
	x.Notef("L2 logistic regression of even against odd digits on %d MNIST training images, λ = %g, L = %.4g, κ = %.3g; θ₀ Gaussian of scale 0.01. "+
		"L-BFGS (memory 10, strong-Wolfe line search) reaches ‖∇F‖ ≤ %.2g after %d gradient evaluations (%d iterations). "+
		"GD with γ = 1/L gets at most %d times as many.", eo.n, evenOddLambda, eo.l, eo.l/evenOddLambda, gtol, lgrads, lres.Last.Iter, lbfgsBudget)
	tgx, tgy := thinLin(gx, gy, 400)
	pl := newPlot("L-BFGS and gradient descent on MNIST even/odd logistic regression", "gradient evaluations", "|grad F(theta)|").logY().
		observed("L-BFGS", lx, ly).
		observed("GD, γ = 1/L", tgx, tgy).
		bound(fmt.Sprintf("target %.2g", gtol), []float64{0, float64(max(budget, lgrads))}, []float64{gtol, gtol})
	x.figure(pl, "Gradient norms against gradient evaluations: L-BFGS reaches the target while GD has barely started its slow linear phase.")
	return nil
}

// noisy is an objective whose gradients carry additive Gaussian noise of standard
// deviation sigma per coordinate; its values are exact.
type noisy struct {
	f     minimize.Objective
	sigma float64
	r     *rand.Rand
}

func (p *noisy) Dim() int { return p.f.Dim() }
func (p *noisy) ValueGrad(grad, x []float64) float64 {
	v := p.f.ValueGrad(grad, x)
	for i := range grad {
		grad[i] += p.sigma * p.r.NormFloat64()
	}
	return v
}
func (p *noisy) Smoothness() float64 { return p.f.(minimize.Smoother).Smoothness() }

// noiseSensitive: Nesterov and L-BFGS lose their advantage with noisy gradients. noisy is
// the least ratio of their final error to SGD's with noise: 0.5 in the catalogue.
func noiseSensitive(noisy float64) Claim {
	return Claim{
		ID: "noise-sensitive", Section: sectionBatch, Kind: Illustration,
		Source: "Part “Batch optimization”, slides “Nesterov accelerated gradient” (“very sensitive to noise -> does not work in the stochastic " +
			"setting”) and “Second order methods” (L-BFGS: “Like Nesterov acceleration, very sensitive to noise, not suitable for the stochastic setting.”)",
		Statement: "Nesterov's acceleration and L-BFGS are very sensitive to noise: they do not work in the stochastic setting.",
		Criterion: fmt.Sprintf("noisy: error ≥ %g× SGD's; exact: ≥ 100× better than GD", noisy),
		Protocol: fmt.Sprintf("A random quadratic in 50 dimensions, eigenvalues log-spaced in [1e-3, 1], F(θ₀) − F* = 1; 3000 gradient evaluations "+
			"per run (1000 at the reduced size). Exact gradients, then gradients with N(0, σ²I) added, σ chosen so that SGD's stationary error "+
			"(γσ²/2)Σᵢ 1/(2 − γhᵢ) with γ = 1/L is 1e-3; 10 noisy runs per method (3), values of F exact. Methods: gradient descent / SGD "+
			"(γ = 1/L), the lecture's Nesterov (γ = 1/L), L-BFGS. Pass: with noise, the mean final F − F* of Nesterov and of L-BFGS is ≥ %g "+
			"times SGD's (no better than it); without noise, each ends ≥ 100 times below gradient descent.", noisy),
		Run: func(x *Experiment) error { return runNoiseSensitive(x, noisy) },
	}
}

func runNoiseSensitive(x *Experiment, noisyFloor float64) error {
	r := x.Rand
	d := 50
	kappa := 1000.0
	q := problem.RandomQuadratic(r, problem.LogSpectrum(d, 1/kappa, 1))
	xs, _ := q.Optimum()
	x0 := slices.Clone(xs)
	dir := gaussian(r, d, 1)
	g := make([]float64, d)
	axpy(x0, 1, dir)
	if f0 := q.ValueGrad(g, x0); f0 > 0 {
		// Scale θ₀ − θ* so that F(θ₀) − F* = 1.
		copy(x0, xs)
		axpy(x0, 1/math.Sqrt(f0), dir)
	}
	l := q.Smoothness()
	// SGD's stationary error with γ = 1/L and noise σ²I: (γσ²/2)Σᵢ 1/(2 − γhᵢ).
	s := 0.0
	for _, h := range q.Eigenvalues() {
		s += 1 / (2 - h/l)
	}
	const plateau = 1e-3
	sigma := math.Sqrt(2 * plateau / (s / l))
	evals := size(x, 3000, 1000)
	runs := size(x, 10, 3)
	type meth struct {
		name string
		m    func() minimize.Method
	}
	methods := []meth{
		{"SGD (GD on noisy gradients), γ = 1/L", func() minimize.Method { return &minimize.GradientDescent{} }},
		{"Nesterov (lecture), γ = 1/L", func() minimize.Method { return &minimize.Nesterov{} }},
		{"L-BFGS", func() minimize.Method { return &minimize.LBFGS{} }},
	}
	final := func(f minimize.Objective, m minimize.Method, trace *[]float64, tx *[]float64) (float64, error) {
		set := minimize.Settings{GradTol: -1, MaxEvals: evals, MaxIter: evals, TraceEvery: -1}
		if trace != nil {
			set.Callback = func(rec minimize.Record, xn []float64) bool {
				*tx = append(*tx, float64(max(rec.GradEvals, 1)))
				*trace = append(*trace, q.ValueGrad(g, xn))
				return false
			}
		}
		res, err := minimize.Minimize(x.Ctx, f, x0, m, set)
		if err != nil && (res == nil || errors.Is(err, x.Ctx.Err())) {
			return 0, err
		}
		// A line search that fails on noisy gradients ends the run where it is.
		return q.ValueGrad(g, res.X), nil
	}
	exact := make([]float64, len(methods))
	noisyErr := make([]float64, len(methods))
	pe := newPlot("Exact gradients: quadratic, κ = 1000", "gradient evaluations", "F(theta) - F*").logX().logY()
	pn := newPlot(fmt.Sprintf("Noisy gradients (σ = %.3g): quadratic, κ = 1000", sigma), "gradient evaluations", "F(theta) - F*").logX().logY()
	for i, m := range methods {
		var tr, tx []float64
		v, err := final(q, m.m(), &tr, &tx)
		if err != nil {
			return err
		}
		exact[i] = v
		ax, ay := positive(tx, tr)
		ax, ay = thin(ax, ay, 300)
		pe.observed(m.name, ax, ay)
		for k := range runs {
			var ntr, ntx []float64
			var trp, txp *[]float64
			if k == 0 {
				trp, txp = &ntr, &ntx
			}
			nf := &noisy{f: q, sigma: sigma, r: rand.New(rand.NewPCG(r.Uint64(), r.Uint64()))}
			v, err := final(nf, m.m(), trp, txp)
			if err != nil {
				return err
			}
			noisyErr[i] += v / float64(runs)
			if k == 0 {
				bx, by := positive(ntx, ntr)
				bx, by = thin(bx, by, 300)
				pn.observed(m.name+" (one run)", bx, by)
			}
		}
	}
	pn.reference("SGD's plateau 1e-3", []float64{1, float64(evals)}, []float64{plateau, plateau})
	x.Check(atLeast("noisy: Nesterov's final error / SGD's", noisyErr[1]/noisyErr[0], noisyFloor))
	x.Check(atLeast("noisy: L-BFGS's final error / SGD's", noisyErr[2]/noisyErr[0], noisyFloor))
	x.Check(atLeast("exact: GD's final error / Nesterov's", exact[0]/exact[1], 100))
	x.Check(atLeast("exact: GD's final error / L-BFGS's", exact[0]/exact[2], 100))
	x.Notef("A random quadratic in %d dimensions, eigenvalues log-spaced in [1e-3, 1], F(θ₀) − F* = 1; %d gradient evaluations per run. "+
		"Noise: N(0, σ²I) added to every gradient (values exact), σ = %.3g chosen so that SGD's stationary error (γσ²/2)Σᵢ 1/(2 − γhᵢ) is 1e-3. "+
		"Final F − F*, exact gradients: SGD/GD %.3g, Nesterov %.3g, L-BFGS %.3g; noisy (mean of %d runs): SGD %.3g, Nesterov %.3g, L-BFGS %.3g.",
		d, evals, sigma, exact[0], exact[1], exact[2], runs, noisyErr[0], noisyErr[1], noisyErr[2])
	bx := []float64{1, float64(evals)}
	pe.bound("GD's final error / 100", bx, []float64{exact[0] / 100, exact[0] / 100})
	x.figure(pe, "With exact gradients Nesterov and L-BFGS beat gradient descent by orders of magnitude.")
	x.figure(pn, "With noisy gradients they do no better than SGD: Nesterov's momentum accumulates the noise, L-BFGS's curvature pairs and line search are corrupted.")
	return nil
}
