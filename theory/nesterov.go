package theory

import (
	"fmt"
	"math"
	"slices"

	"github.com/descent-ml/descent/minimize"
	"github.com/descent-ml/descent/problem"
)

// lowerBound: first-order methods stay above 3L‖θ₀ − θ*‖²/(32(n+1)²) on f_(2n+1).
func lowerBound(c float64) Claim {
	return Claim{
		ID: "lower-bound", Section: sectionBatch, Kind: Theorem,
		Source: "Part “Batch optimization”, slide “Optimal rate for first-order methods”: “for any n ≤ (d − 1)/2 there exist f L-smooth such " +
			"that for any method F(θₙ) − F* ≥ (3/32)L‖θ₀ − θ*‖²/(n+1)²”, citing Nesterov's Introductory Lectures on Convex Programming.",
		Statement: "Any method with θₙ₊₁ ∈ θ₀ + span{F'(θ₀) … F'(θₙ)} has, on some L-smooth convex F, " +
			"F(θₙ) − F* ≥ 3L‖θ₀ − θ*‖²/(32(n+1)²) for n ≤ (d−1)/2 (Nesterov, theorem 2.1.7).",
		Criterion: fmt.Sprintf("F(θn) − F* ≥ %.4gL‖θ0−θ*‖²/(n+1)² on f_(2n+1); zeros past n", c),
		Protocol: fmt.Sprintf("Nesterov's worst function f_(2n+1) in 401 dimensions (81 at the reduced size), L log-uniform in [0.1, 10], for n = 1 "+
			"… 200 (1 … 40): each of gradient descent (γ = 1/L), heavy ball (γ = 1/L, β = 0.5), the lecture's Nesterov (γ = 1/L) and L-BFGS "+
			"runs n iterations from θ₀ = 0 on its own f_(2n+1). Pass: F(θₙ) − F* ≥ %.4gL‖θ₀ − θ*‖²/(n+1)² minus 64ε(|F(θₙ)| + |F*|) for every "+
			"method and n, and every coordinate past n of θₙ is exactly 0 (the methods stay in the span of the gradients).", c),
		Run: func(x *Experiment) error {
			return runLowerBound(x, c)
		},
	}
}

func runLowerBound(x *Experiment, c float64) error {
	r := x.Rand
	kmax := size(x, 200, 40)
	l := logUniform(r, 0.1, 10)
	dim := 2*kmax + 1
	var ks []int
	for k := 1; k <= kmax; k++ {
		if k <= 20 || k%5 == 0 {
			ks = append(ks, k)
		}
	}
	methods := []struct {
		name string
		m    func() minimize.Method
	}{
		{"GD, γ = 1/L", func() minimize.Method { return &minimize.GradientDescent{} }},
		{"heavy ball, γ = 1/L, β = 0.5", func() minimize.Method { return &minimize.HeavyBall{Momentum: 0.5} }},
		{"Nesterov (lecture), γ = 1/L", func() minimize.Method { return &minimize.Nesterov{} }},
		{"L-BFGS", func() minimize.Method { return &minimize.LBFGS{} }},
	}
	lb := lowerCurve(fmt.Sprintf("F(θₙ) − F* ≥ %.4g·L‖θ₀ − θ*‖²/(n+1)² on f_(2n+1)", c))
	zerosOK := true
	zerosWhere := fmt.Sprintf("every method, every n in [1, %d]", kmax)
	p := newPlot(fmt.Sprintf("Nesterov's lower bound, worst function f_(2n+1) in R^%d", dim), "iteration n",
		"(F(theta_n) - F*) / (L |theta_0 - theta*|²)").logX().logY()
	gaps := make([][]float64, len(methods))
	for _, k := range ks {
		f := problem.NewWorstCase(dim, 2*k+1, l)
		xs, fs := f.Optimum()
		d0 := norm(xs)
		scale := l * d0 * d0
		for mi, m := range methods {
			res, err := minimize.Minimize(x.Ctx, f, make([]float64, dim), m.m(), minimize.Settings{GradTol: -1, MaxIter: k, TraceEvery: -1})
			if err != nil {
				return err
			}
			if res.Last.Iter != k {
				return fmt.Errorf("theory: %s stopped after %d of %d iterations (%v)", m.name, res.Last.Iter, k, res.Status)
			}
			gap := res.F - fs
			lb.add(gap, c*scale/float64((k+1)*(k+1))-rateSlack(res.F, fs), at("n = %d, %s", k, m.name))
			for i := k; i < dim; i++ {
				if res.X[i] != 0 && zerosOK {
					zerosOK = false
					zerosWhere = fmt.Sprintf("%s, n = %d: coordinate %d is %g", m.name, k, i+1, res.X[i])
				}
			}
			gaps[mi] = append(gaps[mi], gap/scale)
		}
	}
	x.Check(lb.check())
	x.Check(isTrue("after n steps from 0, every coordinate past n is exactly 0", zerosOK, zerosWhere))
	kx := make([]float64, len(ks))
	bound := make([]float64, len(ks))
	upper := make([]float64, len(ks))
	for i, k := range ks {
		kx[i] = float64(k)
		bound[i] = c / float64((k+1)*(k+1))
		upper[i] = 2 / float64((k+1)*(k+1))
	}
	for mi, m := range methods {
		p.observed(m.name, kx, gaps[mi])
	}
	p.bound("lower bound 3/(32(n+1)²)", kx, bound)
	p.reference("Nesterov's upper bound 2/(n+1)²", kx, upper)
	x.figure(p, "Each point is a run of n iterations from 0 on its own f_(2n+1): every method stays above the lower bound (dashed).")
	x.Notef("Nesterov's f_(2n+1) (problem.WorstCase) with L = %.3g log-uniform in [0.1, 10], in R^%d, for n in 1 … %d; each method runs n iterations from θ₀ = 0. "+
		"L-BFGS (memory 10, strong-Wolfe line search) is included: its iterates also stay in the span of the gradients, and on a quadratic it is close to conjugate gradients, the best method of the class.", l, dim, kmax)
	x.Notef("Slack: 64ε(|F(θₙ)| + |F*|), the rounding of the difference; the zeros are checked exactly (a Krylov method multiplies only zeros into those coordinates).")
	return nil
}

// nesterovRate: F(θₙ) − F* ≤ c·L‖θ₀ − θ*‖²/(n+1)² with c = 2.
func nesterovRate(c float64) Claim {
	return Claim{
		ID: "nesterov-rate", Section: sectionBatch, Kind: Theorem,
		Source: "Part “Batch optimization”, slide “Nesterov accelerated gradient”: yₙ = θₙ + n/(n+3)(θₙ − θₙ₋₁), θₙ₊₁ = yₙ − γF'(yₙ), " +
			"“F(θₙ) − F* ≤ O(L‖θ₀ − θ*‖²/n²)”.",
		Statement: "Nesterov's accelerated gradient, yₙ = θₙ + n/(n+3)(θₙ − θₙ₋₁), θₙ₊₁ = yₙ − γF'(yₙ), γ = 1/L: " +
			"F(θₙ) − F* = O(L‖θ₀ − θ*‖²/n²), with the constant F(θₙ) − F* ≤ 2L‖θ₀ − θ*‖²/(n+1)².",
		Criterion: fmt.Sprintf("F(θn) − F* ≤ %gL‖θ0 − θ*‖²/(n+1)², n ≤ 1000", c),
		Protocol: fmt.Sprintf("The convex instances of gd-smooth (rank-deficient least squares, Nesterov's worst function, a Huber function started "+
			"far from its bottom). The lecture's Nesterov method with γ = 1/L for 1000 iterations (200 at the reduced size). The lecture writes only "+
			"O(·); the constant checked is the one proved for its momentum n/(n+3) (FISTA's analysis, tₙ = (n+2)/2). Pass: F(θₙ) − F* ≤ "+
			"%gL‖θ₀ − θ*‖²/(n+1)² at every n, with the slack of gd-smooth.", c),
		Run: func(x *Experiment) error {
			iters := size(x, 1000, 200)
			insts := convexInstances(x, iters)
			p, err := rateCheck(x, insts, func() minimize.Method { return &minimize.Nesterov{} }, iters,
				fmt.Sprintf("F(θₙ) − F* ≤ %gL‖θ₀ − θ*‖²/(n+1)², every n ≤ %d", c, iters), c,
				func(n float64) float64 { return 1 / ((n + 1) * (n + 1)) })
			if err != nil {
				return err
			}
			p.lp.Title = "Nesterov's accelerated gradient (lecture's form), gamma = 1/L"
			x.Notef("Instances: %s (as gd-smooth). %d iterations.", instNames(insts), iters)
			x.Notef(rateSlackNote)
			x.Notef("The lecture writes only O(L‖θ₀ − θ*‖²/n²) and cites theorem 2 of Nesterov (2005), whose scheme differs from the lecture's " +
				"by a gradient term. For the lecture's momentum n/(n+3) (t_n = (n+2)/2 in FISTA's notation) the constant 2 holds and is nearly attained: " +
				"on the Huber function started far from its quadratic bottom the ratio to the bound approaches 1 (0.99 here, 0.99999 with a threshold of 1e-11|x0|), " +
				"while on quadratics it stays below 0.34.")
			x.figure(p, "Normalised gaps of Nesterov's method under the bound 2/(n+1)² (dashed); the Huber function nearly touches it.")
			return nil
		},
	}
}

// nesterovSpeed: acceleration needs O(√κ) iterations against GD's O(κ). [lo, hi] is the
// range of Nesterov's slope, [0.35, 0.65] in the catalogue.
func nesterovSpeed(lo, hi float64) Claim {
	return Claim{
		ID: "nesterov-speed", Section: sectionBatch, Kind: Illustration,
		Source: "Part “Batch optimization”, slide “Nesterov accelerated gradient”: “Works very well for batch Gradient Descent” — acceleration, " +
			"the O(1/n²) of the same slide against gradient descent's O(1/n), which in the strongly convex case is √κ against κ.",
		Statement: "Acceleration: Nesterov's method needs O(√κ) iterations where gradient descent needs O(κ).",
		Criterion: fmt.Sprintf("slope of iterations vs κ: Nesterov [%g, %g], GD [0.8, 1.2]", lo, hi),
		Protocol: fmt.Sprintf("Random quadratics in 30 dimensions (12 at the reduced size), eigenvalues log-spaced in [1, κ], κ ∈ {1e2, 1e3, 1e4} "+
			"({1e2, 1e3} at the reduced size), 3 per κ (1), θ₀ − θ* Gaussian. Iterations until ‖θₙ − θ*‖ ≤ 1e-6‖θ₀ − θ*‖ for gradient descent "+
			"(γ = 1/L) and Nesterov's strongly convex form (γ = 1/L, momentum (√κ − 1)/(√κ + 1)). Pass: the log-log slope of the mean iterations "+
			"against κ is in [%g, %g] for Nesterov and in [0.8, 1.2] for gradient descent.", lo, hi),
		Run: func(x *Experiment) error { return runNesterovSpeed(x, lo, hi) },
	}
}

func runNesterovSpeed(x *Experiment, lo, hi float64) error {
	kappas := size(x, []float64{1e2, 1e3, 1e4}, []float64{1e2, 1e3})
	reps := size(x, 3, 1)
	d := size(x, 30, 12)
	gd := make([]float64, len(kappas))
	nest := make([]float64, len(kappas))
	for k, kappa := range kappas {
		for range reps {
			q := problem.RandomQuadratic(x.Rand, problem.LogSpectrum(d, 1, kappa))
			xs, _ := q.Optimum()
			x0 := slices.Clone(xs)
			axpy(x0, 1, gaussian(x.Rand, d, 1))
			n, _, err := itersToRelDist(x.Ctx, q, x0, &minimize.GradientDescent{}, 1e-6, int(100*kappa))
			if err != nil {
				return err
			}
			gd[k] += float64(n) / float64(reps)
			n, _, err = itersToRelDist(x.Ctx, q, x0, &minimize.NesterovStrong{}, 1e-6, int(100*kappa))
			if err != nil {
				return err
			}
			nest[k] += float64(n) / float64(reps)
		}
	}
	sg, sn := logSlope(kappas, gd), logSlope(kappas, nest)
	x.Check(within("log-log slope of Nesterov's (strongly convex form) iterations against κ", sn, lo, hi))
	x.Check(within("log-log slope of GD's iterations against κ", sg, 0.8, 1.2))
	x.Notef("Random quadratics in %d dimensions, eigenvalues log-spaced in [1, κ], θ₀ − θ* Gaussian, %d per κ; iterations until ‖θₙ − θ*‖ ≤ 1e-6‖θ₀ − θ*‖ "+
		"for GD (γ = 1/L) and Nesterov's strongly convex form (γ = 1/L, momentum (√κ − 1)/(√κ + 1)). GD: %s (slope %.3f). Nesterov: %s (slope %.3f).",
		d, reps, fmtPairs("κ", kappas, gd), sg, fmtPairs("κ", kappas, nest), sn)
	rg, rn := make([]float64, len(kappas)), make([]float64, len(kappas))
	for i, k := range kappas {
		rg[i] = gd[0] * k / kappas[0]
		rn[i] = nest[0] * math.Sqrt(k/kappas[0])
	}
	p := newPlot("Iterations to relative distance 1e-6 against the condition number", "κ", "iterations").logX().logY().
		observed("gradient descent", kappas, gd).
		observed("Nesterov, strongly convex form", kappas, nest).
		reference("∝ κ", kappas, rg).
		reference("∝ √κ", kappas, rn)
	x.figure(p, fmt.Sprintf("Slopes %.2f (GD) and %.2f (Nesterov).", sg, sn))
	return nil
}

// heavyBall: Polyak's heavy ball with the optimal α, β converges at rate q = (√κ − 1)/(√κ + 1).
// power is the power of q the observed rate is compared with: 1 in the catalogue.
func heavyBall(power float64) Claim {
	return Claim{
		ID: "heavy-ball", Section: sectionBatch, Kind: Illustration,
		Source: "Part “Batch optimization”, slide “Momentum GD (a.k.a Heavy Ball GD)”: mₙ₊₁ = βmₙ + F'(θₙ), θₙ₊₁ = θₙ − γmₙ₊₁, " +
			"“Equivalent to improving the condition number κ.”",
		Statement: "Momentum (heavy ball) acts as a better condition number: with the optimal α, β on a quadratic, the rate is (√κ − 1)/(√κ + 1).",
		Criterion: fmt.Sprintf("observed linear rate within 5%% of q%s, q = (√κ−1)/(√κ+1)", exponent(power)),
		Protocol: fmt.Sprintf("Random quadratics in 30 dimensions, eigenvalues log-spaced in [μ, κμ] (κ log-uniform in [10, 1000], [10, 100] at the "+
			"reduced size; 3 quadratics, 2 at the reduced size); heavy ball with Polyak's optimal γ = 4/(√L + √μ)² and β = ((√κ − 1)/(√κ + 1))², "+
			"run to relative distance 1e-13. The linear rate r is fitted on log(eₙ/n) over the iterations where eₙ ≤ 1e-4 (the extreme eigenvalues "+
			"are double roots of the iteration, so eₙ ∝ n·qⁿ). Pass: |log r / log q%s − 1| ≤ 0.05 on every quadratic, q = (√κ − 1)/(√κ + 1) "+
			"(5%% on the exponent, stricter than 5%% on the rate when q is close to 1).", exponent(power)),
		Run: func(x *Experiment) error { return runHeavyBall(x, power) },
	}
}

func runHeavyBall(x *Experiment, power float64) error {
	r := x.Rand
	reps := size(x, 3, 2)
	d := 30
	rateCv := upperCurve(fmt.Sprintf("|log r_observed / log q%s − 1| ≤ 0.05, q = (√κ − 1)/(√κ + 1)", exponent(power)))
	p := newPlot("Heavy ball with Polyak's optimal step and momentum, quadratics", "iteration n", "|theta_n - theta*| / |theta_0 - theta*|").logY()
	var summary string
	for i := range reps {
		kappa := logUniform(r, 10, size(x, 1000.0, 100.0))
		mu := logUniform(r, 0.01, 1)
		q := problem.RandomQuadratic(r, problem.LogSpectrum(d, mu, mu*kappa))
		xs, _ := q.Optimum()
		x0 := slices.Clone(xs)
		axpy(x0, 1, gaussian(r, d, 1))
		hb := minimize.OptimalHeavyBall(q.Smoothness(), q.StrongConvexity())
		_, errs, err := itersToRelDist(x.Ctx, q, x0, hb, 1e-13, 1_000_000)
		if err != nil {
			return err
		}
		qrate := (math.Sqrt(kappa) - 1) / (math.Sqrt(kappa) + 1)
		// The rate is fitted on the last decades, between 1e-4 and 1e-13, where the
		// transient is over; the extreme eigenvalues are double roots of the iteration, so
		// the error there is c·n·qⁿ and the fit is made on eₙ/n.
		var ns, ls, raw []float64
		for n, e := range errs {
			if e <= 1e-4 && n > 0 {
				ns, ls, raw = append(ns, float64(n)), append(ls, math.Log(e/float64(n))), append(raw, math.Log(e))
			}
		}
		slope, _ := fitLine(ns, ls)
		obs := math.Exp(slope)
		rawSlope, _ := fitLine(ns, raw)
		rateCv.add(math.Abs(math.Log(obs)/(power*math.Log(qrate))-1), 0.05, at("κ = %.4g: observed %.5f, q = %.5f", kappa, obs, qrate))
		summary += fmt.Sprintf("κ = %.4g: observed %.5f (%.5f fitted on eₙ alone), q = %.5f; ", kappa, obs, math.Exp(rawSlope), qrate)
		tx, ty := thinLin(seq(0, len(errs)), errs, 300)
		p.observed(fmt.Sprintf("κ = %.3g", kappa), tx, ty).colored(i)
		ref := make([]float64, len(tx))
		for k, n := range tx {
			ref[k] = math.Pow(qrate, n)
		}
		p.reference(fmt.Sprintf("q^n, κ = %.3g", kappa), tx, ref).colored(i)
	}
	x.Check(rateCv.check())
	x.Notef("Random quadratics in %d dimensions, eigenvalues log-spaced in [μ, κμ] (κ log-uniform in [10, 1000]), heavy ball with γ = 4/(√L + √μ)², "+
		"β = ((√κ − 1)/(√κ + 1))², run to relative distance 1e-13. %s", d, summary)
	x.Notef("The 5%% is taken on the exponent (iterations per decade), which is stricter than 5%% on the rate itself when q is close to 1. " +
		"With these parameters every eigenvalue of the iteration has modulus q, and those of μ and L are double, so the error is c·n·qⁿ: " +
		"the fit is made on the log of eₙ/n, over the iterations where eₙ ≤ 1e-4.")
	x.figure(p, "Relative distances of the heavy ball (solid) and qⁿ (dotted), q = (√κ − 1)/(√κ + 1).")
	return nil
}
