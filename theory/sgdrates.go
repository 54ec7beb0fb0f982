package theory

import (
	"fmt"
	"math"
	"slices"

	"github.com/descent-ml/descent/problem"
	"github.com/descent-ml/descent/report"
)

// logPoints returns about n distinct integers log-spaced in [1, max], max included.
func logPoints(maxN, n int) []int {
	var out []int
	for k := range n {
		v := int(math.Round(math.Exp(float64(k) / float64(n-1) * math.Log(float64(maxN)))))
		if len(out) == 0 || v > out[len(out)-1] {
			out = append(out, v)
		}
	}
	return out
}

// strongSums draws the strongly convex finite sums of the SGD claims: least squares and an
// L2 logistic regression.
func strongSums(x *Experiment) ([]sgdInst, error) {
	r := x.Rand
	ls := problem.RandomLeastSquares(r, 200, 5, 5, 0.5)
	lg := problem.RandomLogistic(r, 200, 5, logUniform(r, 0.02, 0.2))
	a, err := newSGDInst(x, "least squares 200×5", ls, ls.StrongConvexity(), ls.Smoothness())
	if err != nil {
		return nil, err
	}
	b, err := newSGDInst(x, fmt.Sprintf("logistic 200×5, λ = %.3g", lg.Lambda()), lg, lg.StrongConvexity(), lg.Smoothness())
	if err != nil {
		return nil, err
	}
	return []sgdInst{a, b}, nil
}

// rounded returns v rounded to float32, where a float32 run really starts.
func rounded(v []float64) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = float64(float32(x))
	}
	return out
}

// sgdPlateau: close to θ*, the error of fixed-step SGD is proportional to γ; [lo, hi] is the
// range of the ratio of the plateaus, [0.35, 0.65] in the catalogue.
func sgdPlateau(lo, hi float64) Claim {
	return Claim{
		ID: "sgd-plateau", Section: sectionStochastic, Kind: Illustration,
		Source: "Part “Stochastic Optimization”, slide “Convergence of fixed step-size SGD”: “Close to the optimum, error proportional to γ. " +
			"Reducing γ -> better solution.”",
		Statement: "Close to the optimum, the error of fixed-step SGD is proportional to γ: reducing γ gives a better solution.",
		Criterion: fmt.Sprintf("plateau(γ/2) / plateau(γ) in [%g, %g]", lo, hi),
		Protocol: fmt.Sprintf("Least squares 200×5 and L2 logistic regression 200×5 drawn from the seed. optim.SGD (float32) started at θ*, so that "+
			"only the noise is measured, with γ = 1/(2 maxᵢ Lᵢ) and γ/2, 40 runs each (15 at the reduced size); the plateau is the mean of "+
			"F(θₙ) − F* over the second half of each run and over the runs. Pass: plateau(γ/2)/plateau(γ) in [%g, %g] on both instances "+
			"(for a quadratic the stationary error is Σᵢ γσᵢ²/(2(2 − γhᵢ)), a ratio between 0.43 and 0.5 here).", lo, hi),
		Run: func(x *Experiment) error { return runSGDPlateau(x, lo, hi) },
	}
}

func runSGDPlateau(x *Experiment, lo, hi float64) error {
	insts, err := strongSums(x)
	if err != nil {
		return err
	}
	r := x.Rand
	runs := size(x, 40, 15)
	var checks []Check
	summary := ""
	var fig *plot
	for ii, in := range insts {
		g0 := 1 / (2 * in.lmax)
		gammas := []float64{g0, g0 / 2}
		steps := int(math.Min(math.Max(30/(g0/2*in.mu), 2000), 40000))
		steps = size(x, steps, min(steps, 8000))
		every := max(steps/400, 1)
		levels := make([]float64, 2)
		ses := make([]float64, 2)
		curves := make([][]float64, 2)
		for gi, gamma := range gammas {
			var perRun []float64
			pts := steps/every + 1
			a := newAcc(pts)
			for range runs {
				st, err := newStepper32(in.f, rounded(in.xstar), sgd32(gamma))
				if err != nil {
					return err
				}
				tail, cnt := 0.0, 0
				for n := 0; n <= steps; n++ {
					if n%every == 0 {
						v := st.value() - in.fstar
						a.add(n/every, v)
						if n >= steps/2 {
							tail += v
							cnt++
						}
					}
					if n < steps {
						if err := st.stepRandom(r, 1); err != nil {
							return err
						}
					}
				}
				a.done()
				perRun = append(perRun, tail/float64(cnt))
			}
			levels[gi], ses[gi] = meanSE(perRun)
			curves[gi] = a.means()
		}
		ratio := levels[1] / levels[0]
		se := ratio * math.Hypot(ses[0]/levels[0], ses[1]/levels[1])
		c := within(fmt.Sprintf("plateau(γ/2)/plateau(γ), %s", in.name), ratio, lo, hi)
		c.Where = fmt.Sprintf("%.4f ± %.4f", ratio, se)
		checks = append(checks, c)
		summary += fmt.Sprintf("%s: γ = 1/(2 max Lᵢ) = %.3g, %d steps, plateaus %.4g ± %.2g (γ) and %.4g ± %.2g (γ/2), ratio %.3f ± %.3f; ",
			in.name, g0, steps, levels[0], ses[0], levels[1], ses[1], ratio, se)
		if ii == 0 {
			ns := make([]float64, len(curves[0]))
			for k := range ns {
				ns[k] = float64(k * every)
			}
			fig = newPlot("Fixed-step SGD from the optimum: "+in.name, "step n", "E F(theta_n) - F*").logY().
				observed("γ", ns, curves[0]).colored(0).
				reference("plateau(γ)", ns, constant(len(ns), levels[0])).colored(0).
				observed("γ/2", ns, curves[1]).colored(1).
				reference("plateau(γ/2)", ns, constant(len(ns), levels[1])).colored(1)
		}
	}
	for _, c := range checks {
		x.Check(c)
	}
	x.Notef("SGD (optim.SGD, float32) started at θ* so that only the noise is measured; %d runs per step size; the plateau is the mean of "+
		"F(θₙ) − F* over the second half of each run and over the runs (± its standard error over the runs). %s", runs, summary)
	x.Notef("For a quadratic the stationary error is Σᵢ γσᵢ²/(2(2 − γhᵢ)) (σᵢ² the noise along eigenvalue hᵢ), so halving γ gives slightly less than half: " +
		"between 0.43 and 0.5 for γhᵢ ≤ 1/2.")
	x.figure(fig, "E F − F* of fixed-step SGD started at the optimum: it rises to a plateau proportional to γ.")
	return nil
}

// sgdDecayStrong: γₙ ∝ 1/n on a strongly convex problem gives E F(θₙ) − F* = O(1/n); [lo, hi]
// is the range of the log-log slope, [−1.2, −0.8] in the catalogue.
func sgdDecayStrong(lo, hi float64) Claim {
	return Claim{
		ID: "sgd-decay-strong", Section: sectionStochastic, Kind: TheoremLike,
		Source: "Part “Stochastic Optimization”, slide “Convergence of decaying step size SGD”: “For the strictly convex case, with γₙ ∝ 1/n, " +
			"E f(xₙ) − F* ≤ O(1/n)”, citing Bach and Moulines, NIPS 2011.",
		Statement: "Strongly convex case, γₙ ∝ 1/n: E F(θₙ) − F* = O(1/n) (Bach and Moulines, 2011).",
		Criterion: fmt.Sprintf("n·(E F − F*) bounded (max ≤ 2× mid-run); slope in [%g, %g]", lo, hi),
		Protocol: fmt.Sprintf("Least squares 200×5 and L2 logistic regression 200×5 drawn from the seed. optim.SGD (float32) with "+
			"γₙ = 2/(μ(n + n₀)), n₀ = 4 maxᵢ Lᵢ/μ (so γ₀ = 1/(2 maxᵢ Lᵢ); the constant 2/μ of Lacoste-Julien, Schmidt and Bach 2012, since γₙ = C/n "+
			"gives O(1/n) only when Cμ is large enough), from θ* plus a Gaussian vector, 100 runs (30 at the reduced size), up to 100n₀ steps "+
			"(at most 50000; 10000 at the reduced size); E F − F* at 60 log-spaced steps. Pass, on both instances: the largest n·(E F(θₙ) − F*) "+
			"over the second half of the run ≤ 2 times its value at mid-run, and the log-log slope of E F − F* over the last decade of steps in "+
			"[%g, %g].", lo, hi),
		Run: func(x *Experiment) error { return runSGDDecayStrong(x, lo, hi) },
	}
}

func runSGDDecayStrong(x *Experiment, lo, hi float64) error {
	insts, err := strongSums(x)
	if err != nil {
		return err
	}
	r := x.Rand
	runs := size(x, 100, 30)
	p := newPlot("SGD with step 2/(mu (n + n0)), strongly convex problems", "step n", "E F(theta_n) - F*").logX().logY()
	summary := ""
	for ii, in := range insts {
		n0 := math.Ceil(4 * in.lmax / in.mu)
		steps := int(math.Min(100*n0, 50000))
		steps = size(x, steps, min(steps, 10000))
		pts := logPoints(steps, 60)
		a := newAcc(len(pts))
		x0 := rounded(in.xstar)
		axpy(x0, 1, gaussian(r, in.f.Dim(), 1))
		x0 = rounded(x0)
		for range runs {
			st, err := newStepper32(in.f, x0, sgd32(2/(in.mu*n0)))
			if err != nil {
				return err
			}
			k := 0
			for n := 1; n <= steps; n++ {
				st.opt.SetLR(0, 2/(in.mu*(float64(n-1)+n0)))
				if err := st.stepRandom(r, 1); err != nil {
					return err
				}
				if n == pts[k] {
					a.add(k, st.value()-in.fstar)
					k++
				}
			}
			a.done()
			if err := x.cancelled(); err != nil {
				return err
			}
		}
		ns := make([]float64, len(pts))
		for k, n := range pts {
			ns[k] = float64(n)
		}
		m := a.means()
		// n·(E F − F*) over the second half against its value at mid-run.
		mid := slices.IndexFunc(pts, func(n int) bool { return n >= steps/2 })
		maxLate := 0.0
		for k := mid; k < len(pts); k++ {
			maxLate = math.Max(maxLate, ns[k]*m[k])
		}
		atMid := ns[mid] * m[mid]
		c := atMost(fmt.Sprintf("max n·(E F − F*) over the second half ≤ 2 × its value at mid-run, %s", in.name), maxLate, 2*atMid)
		c.Where = fmt.Sprintf("n·(E F − F*) = %.4g at n = %d, at most %.4g after", atMid, pts[mid], maxLate)
		x.Check(c)
		first := slices.IndexFunc(pts, func(n int) bool { return n >= steps/10 })
		slope := logSlope(ns[first:], m[first:])
		sc := within(fmt.Sprintf("log-log slope of E F − F* over the last decade, %s", in.name), slope, lo, hi)
		x.Check(sc)
		summary += fmt.Sprintf("%s: μ = %.3g, max Lᵢ = %.3g, n₀ = %g, %d steps, slope %.3f, n·(E F − F*) %.3g at mid-run; ",
			in.name, in.mu, in.lmax, n0, steps, slope, atMid)
		p.observed(in.name, ns, m).colored(ii)
		ref := make([]float64, len(ns))
		for k := range ns {
			ref[k] = atMid / ns[k]
		}
		p.reference("∝ 1/n", ns[first:], ref[first:]).colored(ii)
	}
	x.Notef("SGD (optim.SGD, float32, the step set before each step) with γₙ = 2/(μ(n + n₀)), n₀ = 4 max Lᵢ/μ so that γ₀ = 1/(2 max Lᵢ), "+
		"from θ* plus a Gaussian vector; %d runs; E F − F* at 60 log-spaced steps. The constant matters: with γₙ = C/n the rate is O(1/n) only "+
		"when Cμ is large enough (Bach and Moulines, 2011: n^(−Cμ) otherwise); C = 2/μ is the choice of Lacoste-Julien, Schmidt and Bach (2012). %s",
		runs, summary)
	x.figure(p, "E F − F* under decreasing steps: it follows 1/n (dotted).")
	return nil
}

// sgdDecayConvex: without strong convexity, O(1/√n) with γₙ ∝ 1/√n and averaging; [lo, hi]
// is the range of the log-log slope that counts as O(1/√n), [−0.8, −0.3] in the catalogue.
func sgdDecayConvex(lo, hi float64) Claim {
	return Claim{
		ID: "sgd-decay-convex", Erratum: true, Section: sectionStochastic, Kind: Illustration,
		Source: "Part “Stochastic Optimization”, slide “Convergence of decaying step size SGD”: “For the non strictly convex case, with " +
			"γₙ ∝ 1/n, E f(xₙ) − F* ≤ O(1/√n)”, citing Bach and Moulines, NIPS 2011.",
		Statement: "Non strictly convex case, γₙ ∝ 1/n: E F(θₙ) − F* = O(1/√n) (Bach and Moulines, 2011).",
		Criterion: fmt.Sprintf("corrected: γₙ ∝ 1/√n with averaging: slope in [%g, %g]", lo, hi),
		Protocol: fmt.Sprintf("Least squares on 2000 samples xᵢ = H^(1/2)zᵢ in 50 dimensions, H with eigenvalues log-spaced in [1e-6, 1] (convex; "+
			"its μ is negligible at this horizon), targets xᵢ·w₀ + 0.5ε with every coordinate of w₀ ±1, θ₀ = 0 (the same error along every "+
			"eigenvalue). optim.SGD (float32), 8 runs (3 at the reduced size) of 100000 steps (40000), c = 1/(2 maxᵢ Lᵢ); slopes of the mean "+
			"E F − F* fitted over the last two decades. Lecture's form (checked, expected false): with γₙ = c/n, the last iterate's log-log slope "+
			"is in [%g, %g]. Corrected form (checked): with γₙ = c/√n and the running average θ̄ₙ of the iterates, the slope is in [%g, %g]. "+
			"The claim is an erratum: ERRATUM when the lecture's form fails and the corrected form holds, FAIL otherwise.", lo, hi, lo, hi),
		History: "The first plan ran both step sizes and judged only the averaged 1/√n one. On 2026-11-27 the instance's w₀ became ±1 in " +
			"every coordinate instead of Gaussian (ae8a9e5: the worst case of O(1/√n), the error spread evenly over the spectrum; the range was " +
			"not changed), and after the lecture's γₙ ∝ 1/n was measured at a slope of −0.03, the claim became an erratum (f0b321a). Since then " +
			"the erratum is declared on every seed. These are the checks in force.",
		Run: func(x *Experiment) error { return runSGDDecayConvex(x, lo, hi) },
	}
}

func runSGDDecayConvex(x *Experiment, lo, hi float64) error {
	r := x.Rand
	const ns, d = 2000, 50
	h := problem.LogSpectrum(d, 1e-6, 1)
	xm := make([]float64, ns*d)
	for i := range ns {
		for j := range d {
			xm[i*d+j] = math.Sqrt(h[j]) * r.NormFloat64()
		}
	}
	// The error spread evenly over the spectrum, as in the O(1/√n) worst case: every
	// coordinate of w₀ (in H's eigenbasis) is ±1.
	w0 := make([]float64, d)
	for j := range w0 {
		w0[j] = float64(2*r.IntN(2) - 1)
	}
	b := make([]float64, ns)
	for i := range b {
		b[i] = dot(xm[i*d:(i+1)*d], w0) + 0.5*r.NormFloat64()
	}
	f := problem.NewLeastSquares(xm, ns, d, b)
	_, fstar := f.Optimum()
	lmax := maxSampleSmoothness(f)
	c := 1 / (2 * lmax)
	steps := size(x, 100000, 40000)
	runs := size(x, 8, 3)
	pts := logPoints(steps, 40)
	avgAcc, invAcc := newAcc(len(pts)), newAcc(len(pts))
	avg := make([]float64, d)
	g := make([]float64, d)
	for range runs {
		// γₙ = c/√n with the average of the iterates.
		st, err := newStepper32(f, make([]float64, d), sgd32(c))
		if err != nil {
			return err
		}
		clear(avg)
		k := 0
		for n := 1; n <= steps; n++ {
			st.opt.SetLR(0, c/math.Sqrt(float64(n)))
			if err := st.stepRandom(r, 1); err != nil {
				return err
			}
			w := st.x()
			for i := range avg {
				avg[i] += (w[i] - avg[i]) / float64(n)
			}
			if n == pts[k] {
				avgAcc.add(k, f.ValueGrad(g, avg)-fstar)
				k++
			}
		}
		avgAcc.done()
		// The lecture's γₙ = c/n, last iterate.
		st, err = newStepper32(f, make([]float64, d), sgd32(c))
		if err != nil {
			return err
		}
		k = 0
		for n := 1; n <= steps; n++ {
			st.opt.SetLR(0, c/float64(n))
			if err := st.stepRandom(r, 1); err != nil {
				return err
			}
			if n == pts[k] {
				invAcc.add(k, st.value()-fstar)
				k++
			}
		}
		invAcc.done()
		if err := x.cancelled(); err != nil {
			return err
		}
	}
	xs := make([]float64, len(pts))
	for k, n := range pts {
		xs[k] = float64(n)
	}
	first := slices.IndexFunc(pts, func(n int) bool { return n >= steps/100 })
	ma, mi := avgAcc.means(), invAcc.means()
	sa, si := logSlope(xs[first:], ma[first:]), logSlope(xs[first:], mi[first:])
	lc := within(fmt.Sprintf("lecture: log-log slope of E F(θₙ) − F*, γₙ ∝ 1/n, in [%g, %g] (O(1/√n))", lo, hi), si, lo, hi)
	lc.Lecture = true
	x.Check(lc)
	x.Check(within("corrected: log-log slope of E F(θ̄ₙ) − F*, γₙ ∝ 1/√n with averaging", sa, lo, hi))
	x.Erratum(ErratumNote{
		Statement: "“For the non strictly convex case, with γₙ ∝ 1/n, E f(xₙ) − F* ≤ O(1/√n).”",
		Counter: fmt.Sprintf("Least squares whose Hessian has eigenvalues down to 1e-6 (convex, not strongly convex at this horizon), γₙ = c/n: "+
			"E F − F* falls with a log-log slope of %.3f over n in [%d, %d], not −½. The steps sum to c·log n only, so along an eigenvalue h "+
			"the error decays like n^(−ch): slower than 1/√n for every h < 1/(2c), and a convex F has such directions whatever c.", si, steps/100, steps),
		Corrected: "Bach and Moulines (2011): with γₙ ∝ 1/√n and the average θ̄ₙ of the iterates, E F(θ̄ₙ) − F* = O(1/√n) for convex F; " +
			"γₙ ∝ 1/n gives O(1/n) only with strong convexity and a large enough constant (see sgd-decay-strong).",
	})
	x.Notef("Least squares on %d samples xᵢ = H^(1/2)zᵢ in %d dimensions, H with eigenvalues log-spaced in [1e-6, 1] (convex; its μ is negligible at this "+
		"horizon), targets xᵢ·w₀ + 0.5ε with every coordinate of w₀ ±1; θ₀ = 0, which leaves the same error along every eigenvalue. SGD (optim.SGD, float32) with γₙ = c/√n, c = 1/(2 max Lᵢ) = %.3g, "+
		"and the running average θ̄ₙ (float64); and the lecture's γₙ = c/n on the last iterate. %d runs, %d steps; slopes fitted over n ≥ %d. "+
		"Slope with 1/√n and averaging: %.3f. Slope with 1/n: %.3f.", ns, d, c, runs, steps, steps/100, sa, si)
	ref := make([]float64, len(xs))
	for k := range xs {
		ref[k] = ma[first] * math.Sqrt(xs[first]/xs[k])
	}
	p := newPlot("SGD on a convex (not strongly convex) least-squares problem", "step n", "E F - F*").logX().logY().
		observedRuns("γ ∝ 1/√n, averaged iterate", []report.Run{{X: xs, Y: ma}}).
		observedRuns("γ ∝ 1/n, last iterate (lecture)", []report.Run{{X: xs, Y: mi}}).
		reference("∝ 1/√n", xs[first:], ref[first:])
	x.figure(p, fmt.Sprintf("Slopes: %.2f with 1/√n steps and averaging, %.2f with the lecture's 1/n steps.", sa, si))
	return nil
}

// interpolation: with σ² = 0, constant-step SGD converges linearly.
// minR2 is the least R² of the line through log F(θₙ): 0.95 in the catalogue.
func interpolation(minR2 float64) Claim {
	return Claim{
		ID: "interpolation", Section: sectionStochastic, Kind: TheoremLike,
		Source: "Part “Stochastic Optimization”, slide “Why SGD beats GD?”: “Over parametrization -> f'(θ*) = 0 almost surely. So that σ² = 0 " +
			"and SGD converges as fast as GD.”, citing Ma et al., 2017.",
		Statement: "Over-parametrisation: f'(θ*) = 0 almost surely, so σ² = 0 and SGD converges as fast as GD (linearly).",
		Criterion: fmt.Sprintf("consistent least squares: SGD reaches F − F* ≤ 1e-10, linear log-error (R² ≥ %g)", minR2),
		Protocol: fmt.Sprintf("Two consistent least-squares systems drawn from the seed (targets exactly Xw₀, so F* = 0 and every fᵢ'(θ*) = 0): "+
			"100×20 and the over-parametrised 40×100. optim.SGD (float32) with the constant step 1/maxᵢ Lᵢ from a Gaussian θ₀, 5 runs each (3 at "+
			"the reduced size), F evaluated every 10 steps. Pass: every run reaches F ≤ 1e-10 within 200000 steps (50000), and on every run a line "+
			"fitted to log₁₀ F(θₙ) against n, from the first time F is below 1e-2·F(θ₀), has R² ≥ %g (linear convergence, as gradient descent's).", minR2),
		Run: func(x *Experiment) error { return runInterpolation(x, minR2) },
	}
}

func runInterpolation(x *Experiment, minR2 float64) error {
	r := x.Rand
	type cfg struct {
		name    string
		n, d, k int
	}
	cases := []cfg{{"least squares 100×20, exact targets", 100, 20, 20}, {"least squares 40×100 (over-parametrised)", 40, 100, 40}}
	runs := size(x, 5, 3)
	const target = 1e-10
	p := newPlot("Constant-step SGD on consistent least squares (sigma² = 0)", "step n", "F(theta_n) - F*").logY()
	summary := ""
	maxX := 0.0
	for ci, c := range cases {
		f := problem.RandomLeastSquares(r, c.n, c.d, c.k, 0)
		gamma := 1 / maxSampleSmoothness(f)
		xs, _ := f.Optimum()
		floor := f.ValueGrad(make([]float64, c.d), rounded(xs))
		every := 10
		maxSteps := size(x, 200000, 50000)
		reachedAll := true
		r2cv := lowerCurve(fmt.Sprintf("R² ≥ %g of a line through log F(θₙ) below 1e-2·F(θ₀), every run, %s", minR2, c.name))
		var slopes []float64
		longest := 0
		for run := range runs {
			st, err := newStepper32(f, gaussian(r, c.d, 1), sgd32(gamma))
			if err != nil {
				return err
			}
			var ns, lg []float64
			reached := false
			for n := 0; n <= maxSteps; n++ {
				if n%every == 0 {
					v := st.value()
					ns, lg = append(ns, float64(n)), append(lg, math.Log10(math.Max(v, 1e-300)))
					if v <= target {
						reached = true
						break
					}
				}
				if err := st.stepRandom(r, 1); err != nil {
					return err
				}
			}
			reachedAll = reachedAll && reached
			longest = max(longest, int(ns[len(ns)-1]))
			// Linearity of log₁₀ F once it is below 1e-2·F(θ₀).
			start := max(slices.IndexFunc(lg, func(v float64) bool { return v <= lg[0]-2 }), 0)
			r2cv.add(rSquared(ns[start:], lg[start:]), minR2, at("run %d", run+1))
			slope, _ := fitLine(ns[start:], lg[start:])
			slopes = append(slopes, slope)
			if run == 0 {
				fy := make([]float64, len(lg))
				for k, v := range lg {
					fy[k] = math.Pow(10, v)
				}
				tx, ty := thinLin(ns, fy, 300)
				p.observed(c.name+" (run 1)", tx, ty).colored(ci)
			}
		}
		x.Check(isTrue(fmt.Sprintf("every run reaches F − F* ≤ 1e-10 within %d steps, %s", maxSteps, c.name), reachedAll,
			fmt.Sprintf("the slowest after %d steps", longest)))
		r2 := r2cv.check()
		x.Check(r2)
		summary += fmt.Sprintf("%s: γ = 1/max Lᵢ = %.3g, a decade every %.0f steps (mean over runs), worst R² = %.4f, F at θ* rounded to float32 %.2g; ",
			c.name, gamma, -1/mean(slopes), r2.Observed, floor)
		maxX = max(maxX, float64(longest))
	}
	p.bound("1e-10", []float64{0, maxX}, []float64{target, target})
	x.Notef("Consistent systems (targets exactly Xw₀, F* = 0, so every fᵢ'(θ*) = 0): SGD (optim.SGD, float32) with the constant step 1/max Lᵢ "+
		"from a Gaussian θ₀, %d runs each, F evaluated every 10 steps until it is below 1e-10. "+
		"float32 is precise enough: F at θ* rounded to float32 is several decades below the target. %s", runs, summary)
	x.figure(p, "With σ² = 0, constant-step SGD converges linearly: log F falls along a line down to 1e-10.")
	return nil
}
