package problem

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// objective is what every problem offers.
type objective interface {
	Dim() int
	ValueGrad(grad, x []float64) float64
	HessVec(dst, x, v []float64)
	Hessian(dst, x []float64)
}

// finiteSum is what the data-fitting problems add for stochastic methods.
type finiteSum interface {
	objective
	Samples() int
	SampleValueGrad(grad, x []float64, i int) float64
	BatchValueGrad(grad, x []float64, idx []int) float64
	SampleSmoothness(i int) float64
}

type testProblem struct {
	name string
	p    objective
	// scale of the random test points.
	scale float64
}

func randBytes(rng *rand.Rand, n int) []uint8 {
	b := make([]uint8, n)
	for i := range b {
		if rng.IntN(3) > 0 {
			b[i] = uint8(rng.IntN(256))
		}
	}
	return b
}

func signs(rng *rand.Rand, n int) []float64 {
	y := make([]float64, n)
	for i := range y {
		y[i] = float64(2*rng.IntN(2) - 1)
	}
	return y
}

func classes(rng *rand.Rand, n, k int) []int {
	c := make([]int, n)
	for i := range c {
		c[i] = rng.IntN(k)
	}
	return c
}

// testProblems is the table of problems every test runs through.
func testProblems() []testProblem {
	rng := rand.New(rand.NewPCG(7, 11))
	return []testProblem{
		{"quadratic-random", RandomQuadratic(rng, LogSpectrum(6, 0.1, 10)), 1},
		{"quadratic-diag", NewQuadratic([]float64{1, 0, 0, 100}, []float64{0, 0}), 1},
		{"quadratic-singular", RandomQuadratic(rng, []float64{0, 0, 1, 3}), 1},
		{"leastsquares", RandomLeastSquares(rng, 20, 5, 5, 0.3), 1},
		{"leastsquares-rankdeficient", RandomLeastSquares(rng, 20, 8, 3, 0.3), 1},
		{"leastsquares-underdetermined", RandomLeastSquares(rng, 5, 10, 5, 0), 1},
		{"logistic", NewLogistic(gaussian(rng, 30*5), 30, 5, signs(rng, 30), 0.01), 1},
		{"logistic-random", RandomLogistic(rng, 50, 6, 0.1), 1},
		{"logistic-bytes", NewLogisticBytes(randBytes(rng, 40*19), 40, 19, 1.0/255, signs(rng, 40), 1e-3), 0.3},
		{"logistic-bytes-wide", NewLogisticBytes(randBytes(rng, 50*70), 50, 70, 1.0/255, signs(rng, 50), 1e-3), 0.05},
		{"lecture", LectureExample(), 3},
		{"multinomial", NewMultinomial(gaussian(rng, 30*4), 30, 4, classes(rng, 30, 3), 3, 0.01), 1},
		{"multinomial-bytes", NewMultinomialBytes(randBytes(rng, 25*17), 25, 17, 1.0/255, classes(rng, 25, 4), 4, 1e-3), 0.3},
		{"worstcase", NewWorstCase(10, 7, 2), 1},
		{"worstcase-full", NewWorstCase(6, 6, 1), 1},
		{"worstcase-strong", NewWorstCaseStrong(8, 10, 0.5), 1},
		{"rosenbrock", NewRosenbrock(2), 1},
		{"rosenbrock-5", NewRosenbrock(5), 1},
	}
}

func randPoint(rng *rand.Rand, d int, scale float64) []float64 {
	x := gaussian(rng, d)
	scal(scale, x)
	return x
}

func norm(x []float64) float64 { return math.Sqrt(dot(x, x)) }

func relErr(got, want []float64) float64 {
	diff := make([]float64, len(got))
	for i := range got {
		diff[i] = got[i] - want[i]
	}
	return norm(diff) / math.Max(norm(want), 1e-300)
}

// fdGrad returns the central finite-difference gradient of f at x.
func fdGrad(p objective, x []float64) []float64 {
	d := p.Dim()
	g := make([]float64, d)
	scratch := make([]float64, d)
	xp := append([]float64(nil), x...)
	for i := range d {
		h := 1e-6 * math.Max(1, math.Abs(x[i]))
		xp[i] = x[i] + h
		fp := p.ValueGrad(scratch, xp)
		xp[i] = x[i] - h
		fm := p.ValueGrad(scratch, xp)
		xp[i] = x[i]
		g[i] = (fp - fm) / (2 * h)
	}
	return g
}

func TestGradientFiniteDifference(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, tp := range testProblems() {
		d := tp.p.Dim()
		for trial := range 3 {
			x := randPoint(rng, d, tp.scale)
			g := make([]float64, d)
			tp.p.ValueGrad(g, x)
			if e := relErr(fdGrad(tp.p, x), g); e > 1e-6 {
				t.Errorf("%s trial %d: gradient differs from finite differences by %.2g (relative)", tp.name, trial, e)
			}
		}
	}
}

func TestHessVecFiniteDifference(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, tp := range testProblems() {
		d := tp.p.Dim()
		for trial := range 3 {
			x := randPoint(rng, d, tp.scale)
			v := gaussian(rng, d)
			hv := make([]float64, d)
			tp.p.HessVec(hv, x, v)
			h := 1e-6
			gp, gm := make([]float64, d), make([]float64, d)
			xp, xm := make([]float64, d), make([]float64, d)
			for i := range x {
				xp[i], xm[i] = x[i]+h*v[i], x[i]-h*v[i]
			}
			tp.p.ValueGrad(gp, xp)
			tp.p.ValueGrad(gm, xm)
			fd := make([]float64, d)
			for i := range fd {
				fd[i] = (gp[i] - gm[i]) / (2 * h)
			}
			if e := relErr(hv, fd); e > 1e-6 {
				t.Errorf("%s trial %d: Hessian-vector product differs from finite differences by %.2g", tp.name, trial, e)
			}
		}
	}
}

func TestHessianMatchesHessVec(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, tp := range testProblems() {
		d := tp.p.Dim()
		x := randPoint(rng, d, tp.scale)
		hess := make([]float64, d*d)
		tp.p.Hessian(hess, x)
		col, e := make([]float64, d), make([]float64, d)
		for j := range d {
			e[j] = 1
			tp.p.HessVec(col, x, e)
			e[j] = 0
			for i := range d {
				if math.Abs(hess[i*d+j]-col[i]) > 1e-12*math.Max(1, math.Abs(col[i])) {
					t.Fatalf("%s: Hessian[%d][%d] = %v, HessVec gives %v", tp.name, i, j, hess[i*d+j], col[i])
				}
			}
		}
	}
}

type constants interface {
	Smoothness() float64
	StrongConvexity() float64
}

// TestConstants checks μ ⪯ ∇²f ⪯ L at random points, and that the bounds are tight
// where they are documented as exact.
func TestConstants(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 9))
	for _, tp := range testProblems() {
		c, ok := tp.p.(constants)
		if !ok {
			continue
		}
		l, mu := c.Smoothness(), c.StrongConvexity()
		d := tp.p.Dim()
		for trial := range 4 {
			x := randPoint(rng, d, tp.scale)
			if trial == 0 {
				x = make([]float64, d)
			}
			ev := hessianEigenvalues(tp.p, x)
			lo, hi := ev[0], ev[d-1]
			tol := 1e-10 * l
			if lo < mu-tol || hi > l+tol {
				t.Errorf("%s: Hessian eigenvalues [%v, %v] outside [μ, L] = [%v, %v]", tp.name, lo, hi, mu, l)
			}
		}
		if e, ok := tp.p.(interface{ Eigenvalues() []float64 }); ok {
			want := hessianEigenvalues(tp.p, make([]float64, d))
			got := e.Eigenvalues()
			for i := range want {
				if math.Abs(got[i]-want[i]) > 1e-10*l {
					t.Errorf("%s: eigenvalue %d = %v, want %v", tp.name, i, got[i], want[i])
				}
			}
		}
	}
	// Logistic: L is attained at w = 0.
	for _, tp := range testProblems() {
		if p, ok := tp.p.(*Logistic); ok {
			ev := hessianEigenvalues(p, make([]float64, p.Dim()))
			if l := p.Smoothness(); math.Abs(ev[len(ev)-1]-l) > 1e-10*l {
				t.Errorf("%s: λmax(∇²f(0)) = %v, Smoothness() = %v", tp.name, ev[len(ev)-1], l)
			}
		}
	}
	if l, mu := LectureExample().Smoothness(), LectureExample().StrongConvexity(); math.Abs(l-0.35) > 1e-15 || mu != 0.1 {
		t.Errorf("lecture example: L = %v, μ = %v, want 0.35, 0.1", l, mu)
	}
}

func hessianEigenvalues(p objective, x []float64) []float64 {
	d := p.Dim()
	h := make([]float64, d*d)
	p.Hessian(h, x)
	var es mat.EigenSym
	if !es.Factorize(mat.NewSymDense(d, h), false) {
		panic("eigendecomposition failed")
	}
	return es.Values(nil)
}

type optimumer interface {
	Optimum() ([]float64, float64)
}

func TestOptimum(t *testing.T) {
	for _, tp := range testProblems() {
		o, ok := tp.p.(optimumer)
		if !ok {
			continue
		}
		xs, fs := o.Optimum()
		g := make([]float64, len(xs))
		f := tp.p.ValueGrad(g, xs)
		if math.Abs(f-fs) > 1e-12*math.Max(1, math.Abs(fs)) || norm(g) > 1e-10 {
			t.Errorf("%s: f(x*) = %v (want %v), ‖∇f(x*)‖ = %.2g", tp.name, f, fs, norm(g))
		}
	}
	// The least-norm minimiser of a rank-deficient problem is orthogonal to the null space.
	p := RandomLeastSquares(rand.New(rand.NewPCG(1, 1)), 6, 9, 4, 0.1)
	if p.Rank() != 4 || p.StrongConvexity() != 0 {
		t.Errorf("rank-deficient least squares: rank %d, μ = %v", p.Rank(), p.StrongConvexity())
	}
	xs, _ := p.Optimum()
	h := make([]float64, 81)
	p.Hessian(h, xs)
	var es mat.EigenSym
	es.Factorize(mat.NewSymDense(9, h), true)
	var vecs mat.Dense
	es.VectorsTo(&vecs)
	vals := es.Values(nil)
	for j, v := range vals {
		if v < 1e-10 {
			if c := mat.Dot(vecs.ColView(j), mat.NewVecDense(9, xs)); math.Abs(c) > 1e-10 {
				t.Errorf("least-norm optimum has component %v along the null space", c)
			}
		}
	}
}

func TestFiniteSums(t *testing.T) {
	rng := rand.New(rand.NewPCG(10, 11))
	for _, tp := range testProblems() {
		p, ok := tp.p.(finiteSum)
		if !ok {
			continue
		}
		d, n := p.Dim(), p.Samples()
		x := randPoint(rng, d, tp.scale)
		g, gi, mean := make([]float64, d), make([]float64, d), make([]float64, d)
		f := p.ValueGrad(g, x)
		fm := 0.0
		all := make([]int, n)
		for i := range n {
			all[i] = i
			fm += p.SampleValueGrad(gi, x, i) / float64(n)
			axpy(mean, 1/float64(n), gi)
		}
		if math.Abs(fm-f) > 1e-12*math.Max(1, math.Abs(f)) || relErr(mean, g) > 1e-12 {
			t.Errorf("%s: mean of samples f = %v, grad error %.2g; full f = %v", tp.name, fm, relErr(mean, g), f)
		}
		fb := p.BatchValueGrad(gi, x, all)
		if math.Abs(fb-f) > 1e-12*math.Max(1, math.Abs(f)) || relErr(gi, g) > 1e-12 {
			t.Errorf("%s: full batch f = %v (want %v), grad error %.2g", tp.name, fb, f, relErr(gi, g))
		}
		// A repeated index counts twice.
		if n < 2 {
			continue
		}
		fb2 := p.BatchValueGrad(gi, x, []int{0, 0, 1})
		f0 := p.SampleValueGrad(g, x, 0)
		f1 := p.SampleValueGrad(mean, x, 1)
		if want := (2*f0 + f1) / 3; math.Abs(fb2-want) > 1e-13*math.Max(1, math.Abs(want)) {
			t.Errorf("%s: batch {0, 0, 1} f = %v, want %v", tp.name, fb2, want)
		}
		// Each sample's Hessian lies below its smoothness constant.
		for i := range min(n, 5) {
			li := p.SampleSmoothness(i)
			one := sampleProblem{p, i}
			ev := hessianEigenvaluesFD(one, x)
			if ev > li*(1+1e-6)+1e-9 {
				t.Errorf("%s: sample %d has curvature %v above Lᵢ = %v", tp.name, i, ev, li)
			}
		}
	}
}

// sampleProblem is the objective of one sample.
type sampleProblem struct {
	p finiteSum
	i int
}

// hessianEigenvaluesFD returns the largest eigenvalue of a sample's Hessian at x, from
// finite differences of its gradient.
func hessianEigenvaluesFD(s sampleProblem, x []float64) float64 {
	d := s.p.Dim()
	h := make([]float64, d*d)
	gp, gm := make([]float64, d), make([]float64, d)
	xp := append([]float64(nil), x...)
	for j := range d {
		step := 1e-5
		xp[j] = x[j] + step
		s.p.SampleValueGrad(gp, xp, s.i)
		xp[j] = x[j] - step
		s.p.SampleValueGrad(gm, xp, s.i)
		xp[j] = x[j]
		for i := range d {
			h[i*d+j] = (gp[i] - gm[i]) / (2 * step)
		}
	}
	sym := mat.NewSymDense(d, nil)
	for i := range d {
		for j := i; j < d; j++ {
			sym.SetSym(i, j, (h[i*d+j]+h[j*d+i])/2)
		}
	}
	var es mat.EigenSym
	es.Factorize(sym, false)
	v := es.Values(nil)
	return v[d-1]
}

// TestDeterministicAcrossCores checks that the parallel passes give the same bits
// whatever GOMAXPROCS is.
func TestDeterministicAcrossCores(t *testing.T) {
	rng := rand.New(rand.NewPCG(12, 13))
	n, d := 3000, 50
	p := NewLogisticBytes(randBytes(rng, n*d), n, d, 1.0/255, signs(rng, n), 1e-3)
	w := randPoint(rng, d, 0.1)
	g1, g2 := make([]float64, d), make([]float64, d)
	old := runtime.GOMAXPROCS(1)
	f1 := p.ValueGrad(g1, w)
	runtime.GOMAXPROCS(max(2, old))
	f2 := p.ValueGrad(g2, w)
	runtime.GOMAXPROCS(old)
	if f1 != f2 {
		t.Errorf("f differs across GOMAXPROCS: %v vs %v", f1, f2)
	}
	for i := range g1 {
		if g1[i] != g2[i] {
			t.Fatalf("grad[%d] differs across GOMAXPROCS: %v vs %v", i, g1[i], g2[i])
		}
	}
}

func TestLanczos(t *testing.T) {
	rng := rand.New(rand.NewPCG(14, 15))
	for _, d := range []int{1, 2, 7, 40} {
		q := RandomQuadratic(rng, LogSpectrum(d, 0.5, 50))
		ext := Lanczos(d, func(dst, v []float64) { q.HessVec(dst, nil, v) }, 0, 0, rng)
		if math.Abs(ext.Max-50) > 1e-9 || math.Abs(ext.Min-0.5) > 1e-9 && d > 1 || ext.Iter > d {
			t.Errorf("d = %d: Lanczos gives [%v, %v] in %d products, want [0.5, 50]", d, ext.Min, ext.Max, ext.Iter)
		}
	}
	// With fewer iterations the Ritz values stay inside the spectrum.
	q := RandomQuadratic(rng, LogSpectrum(200, 1, 1000))
	ext := Lanczos(200, func(dst, v []float64) { q.HessVec(dst, nil, v) }, 10, 0, rng)
	if ext.Min < 1-1e-9 || ext.Max > 1000+1e-9 || ext.Iter != 10 {
		t.Errorf("10 Lanczos steps: [%v, %v] in %d products", ext.Min, ext.Max, ext.Iter)
	}
}

// TestLanczosMax checks that LanczosMax finds the largest eigenvalue to its tolerance, in
// fewer products than Lanczos where the smallest converges more slowly, and with the same
// products and values as Lanczos up to its stop.
func TestLanczosMax(t *testing.T) {
	rng := rand.New(rand.NewPCG(18, 19))
	// A spectrum whose top eigenvalue stands apart: 1000, then 200 values in [1e-3, 10].
	d := 201
	eig := append(LogSpectrum(d-1, 1e-3, 10), 1000)
	q := RandomQuadratic(rng, eig)
	mul := func(dst, v []float64) { q.HessVec(dst, nil, v) }
	const tol = 1e-12
	both := Lanczos(d, mul, 0, tol, rand.New(rand.NewPCG(1, 2)))
	top := LanczosMax(d, mul, 0, tol, rand.New(rand.NewPCG(1, 2)))
	if math.Abs(top.Max-1000) > 1e-9 || top.ResMax > tol*1000 {
		t.Errorf("LanczosMax: Max %v (residual %v), want 1000", top.Max, top.ResMax)
	}
	if top.Iter >= both.Iter {
		t.Errorf("LanczosMax took %d products, Lanczos %d: want fewer", top.Iter, both.Iter)
	}
	if top.Min < 1e-3-1e-12 || top.Max > 1000+1e-9 {
		t.Errorf("LanczosMax: [%v, %v] outside the spectrum", top.Min, top.Max)
	}
	// Stopped after as many products as LanczosMax, Lanczos gives the same values.
	cut := Lanczos(d, mul, top.Iter, tol, rand.New(rand.NewPCG(1, 2)))
	if cut != top {
		t.Errorf("Lanczos cut at %d products: %+v, LanczosMax %+v", top.Iter, cut, top)
	}
}

func TestRandomRotationOrthogonal(t *testing.T) {
	rng := rand.New(rand.NewPCG(16, 17))
	d := 9
	q := mat.NewDense(d, d, RandomRotation(rng, d))
	var qtq mat.Dense
	qtq.Mul(q.T(), q)
	if !mat.EqualApprox(&qtq, eye(d), 1e-13) {
		t.Errorf("QᵀQ ≠ I")
	}
	// Same seed, same bits.
	a := RandomRotation(rand.New(rand.NewPCG(1, 2)), 5)
	b := RandomRotation(rand.New(rand.NewPCG(1, 2)), 5)
	for i := range a {
		if a[i] != b[i] {
			t.Fatal("RandomRotation is not reproducible from its seed")
		}
	}
}

func eye(d int) *mat.Dense {
	m := mat.NewDense(d, d, nil)
	for i := range d {
		m.Set(i, i, 1)
	}
	return m
}

func TestWorstCaseZeroPattern(t *testing.T) {
	for _, k := range []int{1, 5, 21} {
		p := NewWorstCase(30, k, 1)
		x, g := make([]float64, 30), make([]float64, 30)
		for step := 1; step <= 25; step++ {
			p.ValueGrad(g, x)
			axpy(x, -1, g)
			for i := step; i < 30; i++ {
				if x[i] != 0 {
					t.Fatalf("k = %d: after %d steps x[%d] = %v, want exactly 0", k, step, i, x[i])
				}
			}
		}
	}
}

func TestWorstCaseStrongOptimum(t *testing.T) {
	// Far from the truncation, x* follows Nesterov's qⁱ.
	l, mu := 100.0, 1.0
	p := NewWorstCaseStrong(200, l, mu)
	xs, _ := p.Optimum()
	q := (math.Sqrt(l/mu) - 1) / (math.Sqrt(l/mu) + 1)
	for i := range 10 {
		if want := math.Pow(q, float64(i+1)); math.Abs(xs[i]-want) > 1e-12 {
			t.Errorf("x*[%d] = %v, want q^%d = %v", i, xs[i], i+1, want)
		}
	}
}

func TestBadInput(t *testing.T) {
	for _, c := range []struct {
		name string
		f    func()
	}{
		{"label", func() { NewLogistic([]float64{1, 2}, 2, 1, []float64{1, 0}, 0) }},
		{"lambda", func() { NewLogistic([]float64{1}, 1, 1, []float64{1}, -1) }},
		{"shape", func() { NewLogistic([]float64{1, 2, 3}, 2, 2, []float64{1, 1}, 0) }},
		{"class", func() { NewMultinomial([]float64{1}, 1, 1, []int{3}, 3, 0) }},
		{"asymmetric", func() { NewQuadratic([]float64{1, 2, 0, 1}, []float64{0, 0}) }},
		{"indefinite", func() { NewQuadratic([]float64{1, 0, 0, -1}, []float64{0, 0}) }},
		{"worstcase", func() { NewWorstCase(3, 4, 1) }},
		{"rank", func() { RandomLeastSquares(rand.New(rand.NewPCG(1, 1)), 3, 4, 4, 0) }},
		{"dim", func() { NewRosenbrock(2).ValueGrad(make([]float64, 3), make([]float64, 3)) }},
		{"mnist", func() { MNISTEvenOdd(make([]uint8, 10), []uint8{1}, 0) }},
	} {
		func() {
			defer func() {
				r := recover()
				if s, ok := r.(string); !ok || len(s) < 9 || s[:9] != "problem: " {
					t.Errorf("%s: recovered %v, want a panic starting with \"problem: \"", c.name, r)
				}
			}()
			c.f()
		}()
	}
}

func TestValueGradAllocations(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 3))
	n, d := 4000, 100
	p := NewLogisticBytes(randBytes(rng, n*d), n, d, 1.0/255, signs(rng, n), 1e-3)
	w, g := randPoint(rng, d, 0.1), make([]float64, d)
	for _, procs := range []int{1, 2} {
		old := runtime.GOMAXPROCS(procs)
		p.ValueGrad(g, w) // warm the pool
		allocs := testing.AllocsPerRun(10, func() { p.ValueGrad(g, w) })
		runtime.GOMAXPROCS(old)
		if allocs != 0 {
			t.Errorf("GOMAXPROCS %d: ValueGrad allocates %v times per call, want 0", procs, allocs)
		}
	}
}

func ExampleLectureExample() {
	p := LectureExample()
	g := make([]float64, 1)
	f := p.ValueGrad(g, []float64{0})
	fmt.Printf("F(0) = %.6f, F'(0) = %.2f, μ = %.2f, L = %.2f\n", f, g[0], p.StrongConvexity(), p.Smoothness())
	// Output: F(0) = 0.693147, F'(0) = -0.50, μ = 0.10, L = 0.35
}

// BenchmarkLogisticMNISTSize times one ValueGrad of binary logistic regression on data
// of MNIST's size (60000×784 bytes, synthetic, 2/3 non-zero).
func BenchmarkLogisticMNISTSize(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	n, d := 60000, 784
	p := NewLogisticBytes(randBytes(rng, n*d), n, d, 1.0/255, signs(rng, n), 1e-3)
	w, g := randPoint(rng, d, 0.01), make([]float64, d)
	b.SetBytes(int64(n * d))
	for b.Loop() {
		p.ValueGrad(g, w)
	}
}

// TestRitz compares ritz (bisection and inverse iteration) with the dense
// eigendecomposition of T on random tridiagonal matrices of sizes 1 to 60, some with
// tiny off-diagonal entries (nearly decoupled blocks): the extreme eigenvalues to 1e-13
// of T's norm, and the magnitudes of their eigenvectors' last components to 1e-7.
func TestRitz(t *testing.T) {
	rng := rand.New(rand.NewPCG(51, 52))
	var w ritzWork
	for n := 1; n <= 60; n++ {
		for trial := range 4 {
			alpha, beta := make([]float64, n), make([]float64, n-1)
			for i := range alpha {
				alpha[i] = rng.NormFloat64() * 10
			}
			for i := range beta {
				beta[i] = math.Abs(rng.NormFloat64())
				if trial == 3 && rng.IntN(4) == 0 {
					beta[i] *= 1e-9
				}
			}
			lo, hi, sMin, sMax := ritz(alpha, beta, &w)
			dlo, dhi, dMin, dMax := ritzDense(alpha, beta)
			norm := math.Max(math.Abs(dlo), math.Abs(dhi))
			if math.Abs(lo-dlo) > 1e-13*norm || math.Abs(hi-dhi) > 1e-13*norm {
				t.Fatalf("n=%d trial %d: eigenvalues [%v, %v], dense [%v, %v]", n, trial, lo, hi, dlo, dhi)
			}
			if math.Abs(math.Abs(sMin)-math.Abs(dMin)) > 1e-7 || math.Abs(math.Abs(sMax)-math.Abs(dMax)) > 1e-7 {
				t.Fatalf("n=%d trial %d: last components %v, %v, dense %v, %v", n, trial, sMin, sMax, dMin, dMax)
			}
		}
	}
}

// contextHessianer is minimize.ContextHessianer's method.
type contextHessianer interface {
	HessianContext(ctx context.Context, dst, x []float64) error
}

// TestHessianContext: the problems whose Hessian is a pass over the samples form it under a
// context: the same bits as Hessian under one that is never done, context.Canceled and
// nothing kept under a cancelled one (a least-squares Gram matrix is formed again after).
func TestHessianContext(t *testing.T) {
	rng := rand.New(rand.NewPCG(12, 13))
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	seen := map[string]bool{}
	for _, tp := range testProblems() {
		h, ok := tp.p.(contextHessianer)
		if !ok {
			continue
		}
		seen[fmt.Sprintf("%T", tp.p)] = true
		d := tp.p.Dim()
		x := make([]float64, d)
		for i := range x {
			x[i] = rng.NormFloat64()
		}
		got := make([]float64, d*d)
		if err := h.HessianContext(cancelled, got, x); !errors.Is(err, context.Canceled) {
			t.Errorf("%s: HessianContext under a cancelled context: %v", tp.name, err)
		}
		want := make([]float64, d*d)
		tp.p.Hessian(want, x)
		if err := h.HessianContext(context.Background(), got, x); err != nil {
			t.Fatalf("%s: %v", tp.name, err)
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: HessianContext differs from Hessian", tp.name)
		}
		if norm(want) == 0 {
			t.Errorf("%s: zero Hessian", tp.name)
		}
	}
	for _, name := range []string{"*problem.Logistic", "*problem.Multinomial", "*problem.LeastSquares"} {
		if !seen[name] {
			t.Errorf("no test problem of type %s has HessianContext", name)
		}
	}
}
