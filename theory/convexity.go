package theory

import (
	"fmt"
	"math"
	"slices"

	"github.com/descent-ml/descent/minimize"
	"github.com/descent-ml/descent/problem"
	"gonum.org/v1/gonum/mat"
)

const sectionConvexity = "Convexity and conditioning"

// eps is the unit roundoff of float64 (half the machine epsilon).
const eps = 0x1p-53

// firstOrder: F convex ⇔ F(x+u) ≥ F(x) + F'(x)ᵀu. floor is the least normalised gap
// allowed on the convex instances: −1e-11 (the rounding of the three terms) in the catalogue.
func firstOrder(floor float64) Claim {
	return Claim{
		ID: "first-order", Section: sectionConvexity, Kind: Theorem,
		Source: "Part “Refresher on convex functions”, slide “Convex functions”: “or equivalently as a first order condition " +
			"∀u ∈ ℝᵈ, F(x + u) ≥ F(x) + F'(x)ᵀu.”",
		Statement: "F is convex if and only if F(x+u) ≥ F(x) + F'(x)ᵀu for all x, u.",
		Criterion: fmt.Sprintf("normalised gap ≥ %.3g on PSD quadratics and logistic; < −1e-6 somewhere on Rosenbrock", floor),
		Protocol: fmt.Sprintf("Three instances drawn from the seed: a PSD quadratic (5 to 40 dimensions, a quarter of its eigenvalues exactly 0, the "+
			"others log-uniform in [1e-3, 1e2]), an L2 logistic regression (300 Gaussian samples, 10 features, λ log-uniform in [1e-4, 0.1]) and "+
			"the Rosenbrock function (2 to 10 dimensions). At 10⁴ random pairs (x, u) each (500 at the reduced size), the gap F(x+u) − F(x) − F'(x)ᵀu "+
			"divided by |F(x+u)| + |F(x)| + |F'(x)ᵀu|. Pass: on both convex instances every normalised gap is ≥ %.3g (the slack is the rounding "+
			"of the three terms, sums of at most a few thousand products); on Rosenbrock, aimed at its non-convex region (u along the Hessian's "+
			"negative eigenvector), at least one pair has a gap below −1e-6 — the “only if” direction.", floor),
		Run: func(x *Experiment) error { return runFirstOrder(x, floor) },
	}
}

func runFirstOrder(x *Experiment, floor float64) error {
	r := x.Rand
	pairs := size(x, 10000, 500)
	// A PSD quadratic with a quarter of its eigenvalues exactly 0 (convex, not strictly).
	d := 5 + r.IntN(36)
	eig := make([]float64, d)
	for i := range eig {
		if i >= d/4 {
			eig[i] = logUniform(r, 1e-3, 1e2)
		}
	}
	quad := problem.RandomQuadratic(r, eig)
	lam := logUniform(r, 1e-4, 1e-1)
	logi := problem.RandomLogistic(r, 300, 10, lam)
	rosenDim := 2 + r.IntN(9)
	rosen := problem.NewRosenbrock(rosenDim)

	x.Notef("Instances: a %d-dimensional PSD quadratic with %d zero eigenvalues and the others log-uniform in [1e-3, 1e2]; "+
		"L2 logistic regression on 300 Gaussian samples in 10 dimensions, λ = %.3g; the Rosenbrock function in %d dimensions. "+
		"%d random pairs (x, u) each, with x and u Gaussian of scales log-uniform in [0.1, 10] and [1e-3, 10]; "+
		"for Rosenbrock the search aims at its non-convex region: x uniform in [−2, 2]ᵈ, u of length log-uniform in [1e-3, 1] "+
		"along the eigenvector of the Hessian's smallest eigenvalue when it is negative (random otherwise).",
		d, d/4, lam, rosenDim, pairs)
	x.Notef("The gap F(x+u) − F(x) − F'(x)ᵀu is divided by |F(x+u)| + |F(x)| + |F'(x)ᵀu|, so that it lies in [−1, 1]; "+
		"the convex instances must have every gap ≥ %.3g: each of the three terms is a sum of at most a few thousand products, whose rounding is "+
		"below 1e-13 of that scale.", floor)

	type inst struct {
		name   string
		f      minimize.Objective
		convex bool
	}
	insts := []inst{{"PSD quadratic", quad, true}, {"L2 logistic regression", logi, true}, {"Rosenbrock", rosen, false}}
	p := newPlot("First-order condition: normalised gap at random pairs", "fraction of pairs (sorted by gap)", "gap / scale")
	for _, in := range insts {
		var gaps []float64
		if in.convex {
			gaps = firstOrderGaps(x, in.f, pairs, nil)
		} else {
			gaps = firstOrderGaps(x, in.f, pairs, rosen)
		}
		if err := x.cancelled(); err != nil {
			return err
		}
		worst := slices.Min(gaps)
		if in.convex {
			x.Check(Check{Name: fmt.Sprintf("normalised F(x+u) − F(x) − F'(x)ᵀu ≥ %.3g, %s", floor, in.name), Observed: worst, Limit: floor, Margin: worst - floor,
				Where: fmt.Sprintf("%d pairs", pairs)})
		} else {
			neg := 0
			for _, g := range gaps {
				if g < -1e-6 {
					neg++
				}
			}
			c := isTrue("a pair violating the inequality (gap < −1e-6) is found on Rosenbrock (not convex)", neg > 0,
				fmt.Sprintf("%d of %d pairs violate it, the worst by %.3g", neg, pairs, worst))
			c.Observed = worst
			x.Check(c)
		}
		slices.Sort(gaps)
		qx, qy := quantiles(gaps, 200)
		p.observed(in.name, qx, qy)
	}
	p.bound("convexity: gap ≥ 0", []float64{0, 1}, []float64{0, 0})
	x.figure(p, "The sorted normalised gaps of the first-order condition: convex functions stay above 0, Rosenbrock dips below.")
	return nil
}

// firstOrderGaps returns the normalised gaps (F(x+u) − F(x) − F'(x)ᵀu)/scale at random
// pairs: x and u Gaussian of scales log-uniform in [0.1, 10] and [1e-3, 10]. With a Hessian
// (for Rosenbrock), the search is aimed at the non-convex region instead: x uniform in
// [−2, 2]ᵈ and, where the Hessian has a negative eigenvalue, u along its eigenvector.
func firstOrderGaps(x *Experiment, f minimize.Objective, pairs int, hess minimize.Hessianer) []float64 {
	r := x.Rand
	d := f.Dim()
	g := make([]float64, d)
	g2 := make([]float64, d)
	xu := make([]float64, d)
	h := make([]float64, d*d)
	gaps := make([]float64, pairs)
	for k := range gaps {
		var p, u []float64
		if hess == nil {
			p = gaussian(r, d, logUniform(r, 0.1, 10))
			u = gaussian(r, d, logUniform(r, 1e-3, 10))
		} else {
			p = make([]float64, d)
			for i := range p {
				p[i] = -2 + 4*r.Float64()
			}
			u = gaussian(r, d, 1)
			hess.Hessian(h, p)
			var eig mat.EigenSym
			if eig.Factorize(mat.NewSymDense(d, h), true) && eig.Values(nil)[0] < 0 {
				var v mat.Dense
				eig.VectorsTo(&v)
				for i := range u {
					u[i] = v.At(i, 0)
				}
			}
			scale := logUniform(r, 1e-3, 1) / norm(u)
			if r.IntN(2) == 0 {
				scale = -scale
			}
			for i := range u {
				u[i] *= scale
			}
		}
		fx := f.ValueGrad(g, p)
		for i := range xu {
			xu[i] = p[i] + u[i]
		}
		fxu := f.ValueGrad(g2, xu)
		gu := dot(g, u)
		gaps[k] = (fxu - fx - gu) / (math.Abs(fxu) + math.Abs(fx) + math.Abs(gu))
	}
	return gaps
}

// quantiles returns n points (i/(n−1), sorted[⌊i(len−1)/(n−1)⌋]) of a sorted sample.
func quantiles(sorted []float64, n int) (qx, qy []float64) {
	for i := range n {
		t := float64(i) / float64(n-1)
		qx = append(qx, t)
		qy = append(qy, sorted[int(t*float64(len(sorted)-1))])
	}
	return qx, qy
}

// sandwich: μ/2 u² ≤ F(x₀+u) − F(x₀) − F'(x₀)u ≤ L/2 u² for the lecture's example. c
// multiplies L in the upper quadratic: 1 in the catalogue.
func sandwich(c float64) Claim {
	return Claim{
		ID: "sandwich", Section: sectionConvexity, Kind: Theorem,
		Source: "Part “Refresher on convex functions”, slide “Convexity and Hessian”: the example F(x) = log(1 + exp(−x)) + (0.1/2)‖x‖² and " +
			"“For any position x₀, u → F(x₀ + u) is always contained between two quadratic functions.” (with the L-smooth and μ-strongly convex " +
			"inequalities of the slides “Convex functions” and “Strong convexity”)",
		Statement: "An L-smooth μ-strongly convex F lies between two quadratics around any x₀: " +
			"F(x₀) + F'(x₀)u + μ/2‖u‖² ≤ F(x₀+u) ≤ F(x₀) + F'(x₀)u + L/2‖u‖².",
		Criterion: fmt.Sprintf("μ ≤ 2(F(x0+u)−F(x0)−F'(x0)u)/u² ≤ %sL", coef(c)),
		Protocol: fmt.Sprintf("The lecture's example F(x) = log(1 + e^(−x)) + 0.05x² (μ = 0.1, L = 0.35). At 121 points x₀ (a grid of [−10, 10] "+
			"and 40 Gaussian draws of standard deviation 5) and 280 steps u (±|u| log-spaced in [1e-4, 30], 40 Gaussian draws of standard deviation 10; "+
			"70 at the reduced size), the secant curvature c = 2(F(x₀+u) − F(x₀) − F'(x₀)u)/u². Pass: every c in [μ, %sL], with a slack of "+
			"64ε(|F(x₀+u)| + |F(x₀)| + |F'(x₀)u|)·2/u² for the rounding of the three terms. One x₀ drawn from the seed is plotted as the lecture "+
			"draws it.", coef(c)),
		Run: func(x *Experiment) error { return runSandwich(x, c) },
	}
}

func runSandwich(x *Experiment, cL float64) error {
	f := problem.LectureExample()
	mu, l := f.StrongConvexity(), f.Smoothness()
	r := x.Rand
	var x0s []float64
	for i := 0; i <= 80; i++ {
		x0s = append(x0s, -10+0.25*float64(i))
	}
	for range 40 {
		x0s = append(x0s, 5*r.NormFloat64())
	}
	var us []float64
	for _, a := range logGrid(1e-4, 30, size(x, 120, 30)) {
		us = append(us, a, -a)
	}
	for range 40 {
		us = append(us, 10*r.NormFloat64())
	}
	x.Notef("The lecture's F(x) = log(1 + e^(−x)) + 0.05x², a logistic regression with one sample and λ = 0.1: μ = %.3g, L = %.3g. "+
		"%d points x₀ (a grid of [−10, 10] and 40 Gaussian draws of standard deviation 5) times %d steps u (±|u| log-spaced in [1e-4, 30] and 40 Gaussian draws of standard deviation 10).",
		mu, l, len(x0s), len(us))
	x.Notef("The secant curvature c = 2(F(x₀+u) − F(x₀) − F'(x₀)u)/u² must lie in [μ, L]. Slack: 64ε(|F(x₀+u)| + |F(x₀)| + |F'(x₀)u|)·2/u², " +
		"the rounding of the three terms carried to c (it matters only for |u| ≲ 1e-4, where c is within 1e-8 of F''(x₀)).")
	g := []float64{0}
	lo, hi := lowerCurve("secant curvature ≥ μ"), upperCurve(fmt.Sprintf("secant curvature ≤ %sL", coef(cL)))
	for _, x0 := range x0s {
		f0 := f.ValueGrad(g, []float64{x0})
		g0 := g[0]
		for _, u := range us {
			fu := f.ValueGrad(g, []float64{x0 + u})
			num := fu - f0 - g0*u
			c := 2 * num / (u * u)
			slack := 64 * eps * (math.Abs(fu) + math.Abs(f0) + math.Abs(g0*u)) * 2 / (u * u)
			lo.add(c, mu-slack, at("x₀ = %.3g, u = %.3g", x0, u))
			hi.add(c, cL*l+slack, at("x₀ = %.3g, u = %.3g", x0, u))
		}
	}
	x.Check(lo.check())
	x.Check(hi.check())

	// The figure: one x₀ drawn from the seed, as the lecture draws it.
	x0 := -3 + 6*r.Float64()
	f0 := f.ValueGrad(g, []float64{x0})
	g0 := g[0]
	var ux, fy, low, up []float64
	for i := 0; i <= 200; i++ {
		u := -8 + 16*float64(i)/200
		ux = append(ux, u)
		fy = append(fy, f.ValueGrad(g, []float64{x0 + u}))
		low = append(low, f0+g0*u+mu/2*u*u)
		up = append(up, f0+g0*u+l/2*u*u)
	}
	p := newPlot(fmt.Sprintf("F(x0 + u) between two quadratics, x0 = %.2f", x0), "u", "F(x0 + u)").
		observed("F(x0 + u)", ux, fy).
		bound("F(x0) + F'(x0)u + L/2 u²", ux, up).
		bound("F(x0) + F'(x0)u + μ/2 u²", ux, low)
	x.figure(p, "The lecture's example around one point: the function (solid) between its μ and L quadratics (dashed).")
	return nil
}

// hessianBounds: λ ⪯ F” ⪯ ‖X‖²/(4n) + λ for L2 logistic regression on MNIST. c
// multiplies ‖X‖²/(4n) in the upper bound: 1 in the catalogue.
func hessianBounds(c float64) Claim {
	return Claim{
		ID: "hessian-bounds", MNIST: true, Section: sectionConvexity, Kind: Theorem,
		Source:    "Part “Refresher on convex functions”, slide “Convexity and Hessian”: “F μ-strongly convex iif F'' ⪰ μ, F L-smooth iif F'' ⪯ L.”",
		Statement: "μ ⪯ F'' ⪯ L: for L2 logistic regression, λ ⪯ F''(w) ⪯ ‖X‖²/(4n) + λ at every w.",
		Criterion: fmt.Sprintf("Lanczos extremes of F''(w) in [λ, %s‖X‖²/(4n)+λ]", coef(c)),
		Protocol: fmt.Sprintf("L2 logistic regression (λ = 1e-3) of even against odd digits on MNIST's 60000 training images (the first 2000 at "+
			"the reduced size), whose constants are μ = λ and L = ‖X‖²/(4n) + λ (‖X‖² by Lanczos on XᵀX). At 7 points w = t·w₁ along a ray "+
			"(t from 0 to 8, w₁ the optimum plus Gaussian noise of its own size), the extreme eigenvalues of F''(w) by 60 Lanczos steps on "+
			"Hessian-vector products (25 at the reduced size); Ritz values always lie inside the spectrum. Pass: every smallest one ≥ λ and every "+
			"largest one ≤ %s‖X‖²/(4n) + λ, with a slack of 1e-9·L for the rounding of the products and of ‖X‖².", coef(c)),
		Run: func(x *Experiment) error { return runHessianBounds(x, c) },
	}
}

func runHessianBounds(x *Experiment, c float64) error {
	eo, err := x.Data.evenOdd(x.Ctx, size(x, 0, 2000))
	if err != nil {
		return err
	}
	p := eo.problem()
	lam, l := p.Lambda(), eo.l
	d := p.Dim()
	// A ray from 0 through a random point near the optimum: the curvature falls as the
	// margins |xᵢ·w| grow.
	dir := make([]float64, d)
	scale := norm(eo.xstar) / math.Sqrt(float64(d))
	for i := range dir {
		dir[i] = eo.xstar[i] + scale*x.Rand.NormFloat64()
	}
	ts := []float64{0, 0.25, 0.5, 1, 2, 4, 8}
	iters := size(x, 60, 25)
	x.Notef("L2 logistic regression of even against odd digits on the first %d MNIST training images, λ = %g: "+
		"L = ‖X‖²/(4n) + λ = %.6g with ‖X‖² from Lanczos on XᵀX (to relative 1e-13, plus its residual: an upper estimate). "+
		"The Hessian's extreme eigenvalues at w = t·w₁ for t in %v, w₁ the optimum plus Gaussian noise of its own RMS size, by %d Lanczos steps on Hessian-vector products.",
		eo.n, lam, l, ts, iters)
	x.Notef("Ritz values always lie inside [λmin, λmax]; slack 1e-9·L for the rounding of the Hessian-vector products and of ‖X‖².")
	slack := 1e-9 * l
	lo, hi := lowerCurve("λmin(F''(w)) ≥ λ"), upperCurve(fmt.Sprintf("λmax(F''(w)) ≤ %s‖X‖²/(4n) + λ", coef(c)))
	var mins, maxs []float64
	w := make([]float64, d)
	for _, t := range ts {
		for i := range w {
			w[i] = t * dir[i]
		}
		ext := problem.Lanczos(d, func(dst, v []float64) { p.HessVec(dst, w, v) }, iters, 1e-10, x.Rand)
		if err := x.cancelled(); err != nil {
			return err
		}
		lo.add(ext.Min, lam-slack, at("t = %g (residual %.2g)", t, ext.ResMin))
		hi.add(ext.Max, c*(l-lam)+lam+slack, at("t = %g (residual %.2g)", t, ext.ResMax))
		mins, maxs = append(mins, ext.Min), append(maxs, ext.Max)
	}
	x.Check(lo.check())
	x.Check(hi.check())
	x.Notef("At t = 0 (σᵢ = 1/2) the largest eigenvalue is L itself: %.9g against %.9g.", maxs[0], l)
	pl := newPlot("Extreme eigenvalues of the Hessian along a ray, MNIST even/odd", "t (w = t w1)", "eigenvalue").logY().
		observed("largest (Lanczos)", ts, maxs).
		observed("smallest (Lanczos)", ts, mins).
		bound("L = |X|²/(4n) + λ", ts, constant(len(ts), l)).
		bound("μ = λ", ts, constant(len(ts), lam))
	x.figure(pl, "The Hessian's spectrum stays between λ and L; the top eigenvalue reaches L at w = 0 and falls as the margins grow.")
	return nil
}
