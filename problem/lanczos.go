package problem

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/lapack/lapack64"
	"gonum.org/v1/gonum/mat"
)

// Extremes is the outcome of [Lanczos]: the smallest and largest Ritz values of a
// symmetric operator and the residual norms ‖Av − θv‖ of their Ritz vectors. Both Ritz
// values lie within [λmin, λmax], and each is within its residual of an eigenvalue.
type Extremes struct {
	Min, Max       float64
	ResMin, ResMax float64
	// Iter is the number of operator products made.
	Iter int
}

// Lanczos estimates the extreme eigenvalues of the symmetric d×d operator mul (which
// stores A·v in dst) by the Lanczos method with full reorthogonalisation, from a
// Gaussian start vector drawn from rng. It stops once both residuals are below
// tol·max(|Min|, |Max|), when the Krylov space is invariant (then the values are exact to
// rounding), or after maxIter products. If maxIter is 0 it is min(d, 300); if tol is 0 it
// is 1e-12.
func Lanczos(d int, mul func(dst, v []float64), maxIter int, tol float64, rng *rand.Rand) Extremes {
	return lanczos(d, mul, maxIter, tol, rng, true)
}

// LanczosMax is [Lanczos] stopping on the largest Ritz value alone: once ResMax is below
// tol·max(|Min|, |Max|), when the Krylov space is invariant, or after maxIter products.
// Min and ResMin are then those of the last step, Min still an upper bound on λmin but
// perhaps far from it. The largest eigenvalue, when it stands apart from the others,
// converges in a few steps where the smallest may take hundreds: λmax(XᵀX)/n of MNIST's
// 60000 training images converges to a residual below 1e-13 of it in 10 products, where
// Lanczos stops at its limit of 300, the smallest still at a residual of 2e-6 (about
// 50 times its value).
func LanczosMax(d int, mul func(dst, v []float64), maxIter int, tol float64, rng *rand.Rand) Extremes {
	return lanczos(d, mul, maxIter, tol, rng, false)
}

// lanczos is Lanczos if both, LanczosMax otherwise.
func lanczos(d int, mul func(dst, v []float64), maxIter int, tol float64, rng *rand.Rand, both bool) Extremes {
	if d < 1 {
		panic(fmt.Sprintf("problem: Lanczos dimension %d < 1", d))
	}
	if maxIter == 0 {
		maxIter = min(d, 300)
	}
	if tol == 0 {
		tol = 1e-12
	}
	maxIter = min(maxIter, d)
	var basis [][]float64
	v := make([]float64, d)
	for i := range v {
		v[i] = rng.NormFloat64()
	}
	scal(1/math.Sqrt(dot(v, v)), v)
	w := make([]float64, d)
	var alpha, beta []float64
	var res Extremes
	var rz ritzWork
	for k := 0; k < maxIter; k++ {
		basis = append(basis, v)
		mul(w, v)
		a := dot(w, v)
		alpha = append(alpha, a)
		// Full reorthogonalisation, twice ("twice is enough").
		for range 2 {
			for _, u := range basis {
				axpy(w, -dot(w, u), u)
			}
		}
		b := math.Sqrt(dot(w, w))
		res.Iter = k + 1
		// The extreme Ritz values of the (k+1)×(k+1) tridiagonal matrix T and the last
		// components of their unit eigenvectors, whose products with b are the residuals.
		n := k + 1
		var sMin, sMax float64
		res.Min, res.Max, sMin, sMax = ritz(alpha, beta, &rz)
		res.ResMin = math.Abs(b * sMin)
		res.ResMax = math.Abs(b * sMax)
		scale := math.Max(math.Abs(res.Min), math.Abs(res.Max))
		if b <= 1e-14*scale || res.ResMax <= tol*scale && (!both || res.ResMin <= tol*scale) || n == d {
			break
		}
		beta = append(beta, b)
		v = make([]float64, d)
		for i := range v {
			v[i] = w[i] / b
		}
	}
	return res
}

// ritzWork is the scratch of ritz, reused from one Lanczos step to the next.
type ritzWork struct {
	d, dl, du, x []float64
}

// ritz returns the smallest and largest eigenvalues of the symmetric tridiagonal matrix T
// of diagonal alpha and off-diagonal beta (len(beta) = len(alpha) − 1), and the last
// components sMin, sMax of their unit eigenvectors. The eigenvalues come from bisection on
// Sturm counts (as LAPACK's dstebz), each O(n) per halving of Gershgorin's interval; each
// component from two steps of inverse iteration with the eigenvalue, shifted off it by a
// few ulps of T's norm so that T − θI is not exactly singular (Dgtsv, O(n)). A Lanczos step
// thus costs O(n) here, where a dense eigendecomposition of T cost O(n³): on MNIST's
// logistic regression (about 100 steps), that took more time than the passes over the
// data.
func ritz(alpha, beta []float64, w *ritzWork) (lo, hi, sMin, sMax float64) {
	n := len(alpha)
	if n == 1 {
		return alpha[0], alpha[0], 1, 1
	}
	// Gershgorin's interval, and LAPACK's smallest pivot.
	gl, gu, norm, b2 := math.Inf(1), math.Inf(-1), 0.0, 0.0
	for i, a := range alpha {
		r := 0.0
		if i > 0 {
			r += math.Abs(beta[i-1])
		}
		if i < n-1 {
			r += math.Abs(beta[i])
			b2 = math.Max(b2, beta[i]*beta[i])
		}
		gl, gu = math.Min(gl, a-r), math.Max(gu, a+r)
		norm = math.Max(norm, math.Abs(a)+r)
	}
	pivmin := 0x1p-1022 * math.Max(1, b2)
	lo = bisect(alpha, beta, gl, gu, 1, pivmin)
	hi = bisect(alpha, beta, gl, gu, n, pivmin)
	var ok1, ok2 bool
	sMin, ok1 = lastComponent(alpha, beta, lo-1e-13*norm, w)
	sMax, ok2 = lastComponent(alpha, beta, hi+1e-13*norm, w)
	if !ok1 || !ok2 {
		return ritzDense(alpha, beta)
	}
	return lo, hi, sMin, sMax
}

// sturm returns the number of eigenvalues of T below x: the negative pivots of the LDLᵀ
// factorisation of T − xI, a pivot of magnitude under pivmin counted as −pivmin.
func sturm(alpha, beta []float64, x, pivmin float64) int {
	count := 0
	q := alpha[0] - x
	for i := 0; ; i++ {
		if math.Abs(q) < pivmin {
			q = -pivmin
		}
		if q < 0 {
			count++
		}
		if i+1 == len(alpha) {
			return count
		}
		q = alpha[i+1] - x - beta[i]*beta[i]/q
	}
}

// bisect returns the j-th smallest eigenvalue of T (j from 1), inside [gl, gu], by
// bisection until the interval is a few ulps wide.
func bisect(alpha, beta []float64, gl, gu float64, j int, pivmin float64) float64 {
	a, b := gl, gu
	for range 200 {
		m := a + (b-a)/2
		if m <= a || m >= b || b-a <= 4*0x1p-52*math.Max(math.Abs(a), math.Abs(b))+pivmin {
			break
		}
		if sturm(alpha, beta, m, pivmin) >= j {
			b = m
		} else {
			a = m
		}
	}
	return a + (b-a)/2
}

// lastComponent returns the last component of the unit eigenvector of T whose eigenvalue
// is nearest the shift, by two steps of inverse iteration from (1, …, 1), and false if
// T − shift·I is singular to working precision.
func lastComponent(alpha, beta []float64, shift float64, w *ritzWork) (float64, bool) {
	n := len(alpha)
	w.x = w.x[:0]
	for range n {
		w.x = append(w.x, 1)
	}
	for range 2 {
		w.d, w.dl, w.du = w.d[:0], append(w.dl[:0], beta...), append(w.du[:0], beta...)
		for _, a := range alpha {
			w.d = append(w.d, a-shift)
		}
		t := lapack64.Tridiagonal{N: n, DL: w.dl, D: w.d, DU: w.du}
		if !lapack64.Gtsv(blas.NoTrans, t, blas64.General{Rows: n, Cols: 1, Stride: 1, Data: w.x}) {
			return 0, false
		}
		nrm := math.Sqrt(dot(w.x, w.x))
		if nrm == 0 || math.IsInf(nrm, 0) || math.IsNaN(nrm) {
			return 0, false
		}
		scal(1/nrm, w.x)
	}
	return w.x[n-1], true
}

// ritzDense is ritz by a dense eigendecomposition of T, for the rare T on which the
// tridiagonal routines fail.
func ritzDense(alpha, beta []float64) (lo, hi, sMin, sMax float64) {
	n := len(alpha)
	t := mat.NewSymDense(n, nil)
	for i := 0; i < n; i++ {
		t.SetSym(i, i, alpha[i])
		if i+1 < n {
			t.SetSym(i, i+1, beta[i])
		}
	}
	var eig mat.EigenSym
	if !eig.Factorize(t, true) {
		panic("problem: Lanczos: tridiagonal eigendecomposition failed")
	}
	vals := eig.Values(nil)
	var vecs mat.Dense
	eig.VectorsTo(&vecs)
	return vals[0], vals[n-1], vecs.At(n-1, 0), vecs.At(n-1, n-1)
}

// scal multiplies x by a.
func scal(a float64, x []float64) {
	for i := range x {
		x[i] *= a
	}
}
