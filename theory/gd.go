package theory

import (
	"fmt"
	"math"
	"slices"

	"github.com/descent-ml/descent/minimize"
	"github.com/descent-ml/descent/problem"
)

const sectionBatch = "Batch methods"

// convexInst is a convex, not strongly convex, instance with a known minimiser: the one
// closest to the starting point, which gives the tightest form of the bounds.
type convexInst struct {
	name      string
	f         minimize.Objective
	l         float64
	x0, xstar []float64
	fstar     float64
}

// convexInstances draws the convex instances of gd-smooth and nesterov-rate for runs of
// iters iterations: rank-deficient least squares, Nesterov's worst function f_(2·iters+1)
// and a Huber function started far from its quadratic bottom.
func convexInstances(x *Experiment, iters int) []convexInst {
	r := x.Rand
	var out []convexInst

	const n, d, rank = 60, 80, 20
	ls := problem.RandomLeastSquares(r, n, d, rank, 1)
	xm, _, _, b := ls.Data()
	x0 := gaussian(r, d, 1)
	// The minimiser closest to x0 is x0 + X⁺(b − Xx0), the least-norm solution of a
	// least-squares problem with the residual as targets.
	res := slices.Clone(b)
	for i := range n {
		res[i] -= dot(xm[i*d:(i+1)*d], x0)
	}
	z, _ := problem.NewLeastSquares(xm, n, d, res).Optimum()
	xstar := slices.Clone(x0)
	axpy(xstar, 1, z)
	_, fstar := ls.Optimum()
	out = append(out, convexInst{fmt.Sprintf("least squares %d×%d of rank %d", n, d, rank), ls, ls.Smoothness(), x0, xstar, fstar})

	k := 2*iters + 1
	lw := logUniform(r, 0.1, 10)
	wc := problem.NewWorstCase(k+10, k, lw)
	ws, wf := wc.Optimum()
	out = append(out, convexInst{fmt.Sprintf("worst function f_%d in R^%d", k, k+10), wc, lw, make([]float64, k+10), ws, wf})

	lh := logUniform(r, 0.1, 10)
	r0 := logUniform(r, 1, 100)
	lo, hi := 1e-5, 1e-4
	if iters < 500 {
		lo, hi = 1e-4, 1e-3
	}
	a := r0 * logUniform(r, lo, hi)
	h := huber{l: lh, a: a}
	out = append(out, convexInst{fmt.Sprintf("Huber, threshold %.2g·|x0|", a/r0), h, lh, []float64{r0}, []float64{0}, 0})
	return out
}

// rateCheck runs the method made by newMethod on each instance for iters iterations and
// checks F(θₙ) − F* ≤ c·L‖θ₀ − θ*‖²·shape(n) for n = 1 … iters, with the slack of
// rateSlack. It returns the plot of the gaps, normalised by L‖θ₀ − θ*‖².
func rateCheck(x *Experiment, insts []convexInst, newMethod func() minimize.Method, iters int,
	name string, c float64, shape func(n float64) float64) (*plot, error) {
	cv := upperCurve(name)
	p := newPlot("", "iteration n", "(F(theta_n) - F*) / (L |theta_0 - theta*|²)").logX().logY()
	for i, in := range insts {
		d0 := dist(in.x0, in.xstar)
		scale := in.l * d0 * d0
		var gaps []float64
		_, err := minimize.Minimize(x.Ctx, in.f, in.x0, newMethod(), minimize.Settings{GradTol: -1, MaxIter: iters, TraceEvery: -1,
			Callback: func(r minimize.Record, _ []float64) bool {
				gaps = append(gaps, r.F-in.fstar)
				if r.Iter > 0 {
					bound := c * scale * shape(float64(r.Iter))
					cv.add(r.F-in.fstar, bound*(1+1e-9)+rateSlack(r.F, in.fstar), at("n = %d, %s", r.Iter, in.name))
				}
				return false
			}})
		if err != nil {
			return nil, err
		}
		norm := make([]float64, len(gaps)-1)
		for k := range norm {
			norm[k] = gaps[k+1] / scale
		}
		tx, ty := thin(seq(1, len(gaps)), norm, 300)
		tx, ty = positive(tx, ty)
		p.observed(in.name, tx, ty).colored(i)
	}
	x.Check(cv.check())
	ns := seq(1, iters+1)
	bound := make([]float64, len(ns))
	for k, n := range ns {
		bound[k] = c * shape(n)
	}
	tx, ty := thin(ns, bound, 300)
	p.bound("bound", tx, ty)
	return p, nil
}

// rateSlack is the rounding of F(θₙ) − F*: each value is computed to a few ulps of its
// size, 64ε leaves room for sums of thousands of terms.
func rateSlack(f, fstar float64) float64 { return 64 * eps * (math.Abs(f) + math.Abs(fstar)) }

const rateSlackNote = "Slack: relative 1e-9 of the bound, plus 64ε(|F(θₙ)| + |F*|) for the rounding of the difference F(θₙ) − F* " +
	"(both values are sums computed to a few ulps of their size)."

// gdSmooth: γ = 1/L, F(θₙ) − F* ≤ c·L‖θ₀ − θ*‖²/n with c = 1/2.
func gdSmooth(c float64) Claim {
	return Claim{
		ID: "gd-smooth", Section: sectionBatch, Kind: Theorem,
		Source:    "Part “Batch optimization”, slide “Batch gradient descent”: “L-smooth case. For γ = 1/L then, F(θₙ) − F* ≤ L/(2n)‖θ₀ − θ*‖²”.",
		Statement: "L-smooth convex F, γ = 1/L: F(θₙ) − F* ≤ L‖θ₀ − θ*‖²/(2n).",
		Criterion: fmt.Sprintf("F(θn) − F* ≤ %gL‖θ0 − θ*‖²/n, n ≤ 1000", c),
		Protocol: fmt.Sprintf("Three convex, not strongly convex instances drawn from the seed: least squares 60×80 of rank 20 (θ* the minimiser "+
			"closest to a Gaussian θ₀), Nesterov's worst function f₂₀₀₁ in 2011 dimensions (L log-uniform in [0.1, 10]) and a one-dimensional Huber "+
			"function started far from its quadratic bottom. Gradient descent with γ = 1/L for 1000 iterations (200 at the reduced size). Pass: "+
			"F(θₙ) − F* ≤ %gL‖θ₀ − θ*‖²/n at every n, with a slack of 1e-9 of the bound plus 64ε(|F(θₙ)| + |F*|), the rounding of the difference.", c),
		Run: func(x *Experiment) error {
			iters := size(x, 1000, 200)
			insts := convexInstances(x, iters)
			p, err := rateCheck(x, insts, func() minimize.Method { return &minimize.GradientDescent{} }, iters,
				fmt.Sprintf("F(θₙ) − F* ≤ %gL‖θ₀ − θ*‖²/n, every n ≤ %d", c, iters), c, func(n float64) float64 { return 1 / n })
			if err != nil {
				return err
			}
			p.lp.Title = "Gradient descent, gamma = 1/L, on convex problems"
			x.Notef("Instances: %s; least squares from a Gaussian θ₀ with θ* the minimiser closest to it, the others from their own points. %d iterations.",
				instNames(insts), iters)
			x.Notef(rateSlackNote)
			x.Notef("On the Huber function the gap reaches about half the bound: the exact worst case of GD is L‖θ₀ − θ*‖²/(4n + 2) (Drori and Teboulle, 2014).")
			x.figure(p, "Normalised gaps of gradient descent under the bound 1/(2n) (dashed).")
			return nil
		},
	}
}

func instNames(insts []convexInst) string {
	s := ""
	for i, in := range insts {
		if i > 0 {
			s += "; "
		}
		s += in.name
	}
	return s
}

// gdStrong: γ = 1/L, ‖θₙ − θ*‖² ≤ (1 − a/κ)ⁿ‖θ₀ − θ*‖² with a = 1.
func gdStrong(a float64) Claim {
	return Claim{
		ID: "gd-strong", Section: sectionBatch, Kind: Theorem,
		Source: "Part “Batch optimization”, slide “Batch gradient descent”: “L-smooth, μ-strongly convex case. For γ = 1/L then, " +
			"‖θₙ − θ*‖² ≤ (1 − 1/κ)ⁿ‖θ₀ − θ*‖²” (and its sketch of proof).",
		Statement: "L-smooth μ-strongly convex F, γ = 1/L: ‖θₙ − θ*‖² ≤ (1 − 1/κ)ⁿ‖θ₀ − θ*‖².",
		Criterion: fmt.Sprintf("‖θn − θ*‖² ≤ (1 − %g/κ)ⁿ‖θ0 − θ*‖², every n", a),
		Protocol: fmt.Sprintf("Random strongly convex quadratics in 20 dimensions (3, 2 at the reduced size; eigenvalues log-spaced in [μ, κμ], "+
			"μ log-uniform in [0.01, 1], κ log-uniform in [10, 1000], [10, 100] at the reduced size) and 2 L2 logistic regressions (200 Gaussian "+
			"samples, 10 features, λ log-uniform in [0.01, 0.1], μ = λ, θ* by Newton's method to ‖∇F‖ ≤ 1e-15). Gradient descent with γ = 1/L from "+
			"a Gaussian θ₀, until the bound falls below the slack. Pass: ‖θₙ − θ*‖ ≤ (1 − %g/κ)^(n/2)‖θ₀ − θ*‖ + 1e-10·max(1, ‖θ*‖) at every n "+
			"(the slack is above the accuracy of θ* and the rounding of the iterates).", a),
		Run: func(x *Experiment) error {
			return runGDStrong(x, a)
		},
	}
}

type strongInst struct {
	name      string
	f         minimize.Objective
	l, mu     float64
	x0, xstar []float64
}

// strongInstances draws random strongly convex quadratics and L2 logistic regressions, with
// their minimisers (by Newton's method for the logistic ones).
func strongInstances(x *Experiment) ([]strongInst, error) {
	r := x.Rand
	var out []strongInst
	for range size(x, 3, 2) {
		d := 20
		mu := logUniform(r, 0.01, 1)
		kappa := logUniform(r, 10, size(x, 1000.0, 100.0))
		q := problem.RandomQuadratic(r, problem.LogSpectrum(d, mu, mu*kappa))
		xs, _ := q.Optimum()
		x0 := slices.Clone(xs)
		axpy(x0, 1, gaussian(r, d, 1))
		out = append(out, strongInst{fmt.Sprintf("quadratic, κ = %.3g", kappa), q, q.Smoothness(), q.StrongConvexity(), x0, xs})
	}
	for range 2 {
		lam := logUniform(r, 0.01, 0.1)
		p := problem.RandomLogistic(r, 200, 10, lam)
		res, err := minimize.Minimize(x.Ctx, p, make([]float64, 10), &minimize.Newton{}, minimize.Settings{GradTol: 1e-15, MaxIter: 50, TraceEvery: -1})
		if err != nil {
			return nil, err
		}
		x0 := gaussian(r, 10, 1)
		out = append(out, strongInst{fmt.Sprintf("logistic, κ = %.3g", p.Smoothness()/lam), p, p.Smoothness(), lam, x0, res.X})
	}
	return out, nil
}

func runGDStrong(x *Experiment, a float64) error {
	insts, err := strongInstances(x)
	if err != nil {
		return err
	}
	cv := upperCurve(fmt.Sprintf("‖θₙ − θ*‖ ≤ (1 − %g/κ)^(n/2)‖θ₀ − θ*‖ + slack, every n", a))
	p := newPlot("Gradient descent, gamma = 1/L, strongly convex problems", "iteration n", "|theta_n - theta*|² / |theta_0 - theta*|²").logY()
	for i, in := range insts {
		kappa := in.l / in.mu
		d0 := dist(in.x0, in.xstar)
		tol := 1e-10 * math.Max(1, norm(in.xstar))
		var ns, obs, bnd []float64
		_, err := minimize.Minimize(x.Ctx, in.f, in.x0, &minimize.GradientDescent{Step: 1 / in.l}, minimize.Settings{GradTol: -1, MaxIter: 100000, TraceEvery: -1,
			Callback: func(r minimize.Record, xn []float64) bool {
				rate := math.Pow(1-a/kappa, float64(r.Iter))
				e := dist(xn, in.xstar)
				if r.Iter > 0 {
					cv.add(e, math.Sqrt(rate)*d0+tol, at("n = %d, %s", r.Iter, in.name))
				}
				ns, obs, bnd = append(ns, float64(r.Iter)), append(obs, e*e/(d0*d0)), append(bnd, rate)
				// Stop once the bound is below the slack: nothing more can be learnt.
				return math.Sqrt(rate)*d0 < tol
			}})
		if err != nil {
			return err
		}
		tx, ty := thinLin(ns, obs, 300)
		tx, ty = positive(tx, ty)
		p.observed(in.name, tx, ty).colored(i)
		bx, by := thinLin(ns, bnd, 300)
		p.bound(fmt.Sprintf("(1 - 1/κ)^n, κ = %.3g", kappa), bx, by).colored(i)
	}
	x.Check(cv.check())
	x.Notef("Instances: %d random quadratics in 20 dimensions (eigenvalues log-spaced in [μ, κμ], μ log-uniform in [0.01, 1], κ log-uniform in [10, 1000], θ₀ − θ* Gaussian) "+
		"and 2 L2 logistic regressions on 200 Gaussian samples in 10 dimensions (λ log-uniform in [0.01, 0.1], μ = λ, θ* by Newton's method to ‖∇F‖ ≤ 1e-15, θ₀ Gaussian). "+
		"Each run stops once the bound falls below the slack.", len(insts)-2)
	x.Notef("Slack on the distance: 1e-10·max(1, ‖θ*‖), above the accuracy of θ* (‖∇F(θ*)‖/μ ≲ 1e-13) and the rounding of the iterates.")
	x.figure(p, "Squared distances to the optimum (solid) under their bounds (1 − 1/κ)ⁿ (dashed, same colour).")
	return nil
}

// thinLin returns at most n points of (x, y) evenly spaced in index, the last one included.
func thinLin(x, y []float64, n int) ([]float64, []float64) {
	if len(x) <= n {
		return x, y
	}
	var tx, ty []float64
	for k := range n {
		i := k * (len(x) - 1) / (n - 1)
		tx, ty = append(tx, x[i]), append(ty, y[i])
	}
	return tx, ty
}
