package problem

import (
	"fmt"
	"math"
	"math/rand/v2"

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
	var eig mat.EigenSym
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
		// Ritz values of the (k+1)×(k+1) tridiagonal matrix.
		n := k + 1
		t := mat.NewSymDense(n, nil)
		for i := 0; i < n; i++ {
			t.SetSym(i, i, alpha[i])
			if i+1 < n {
				t.SetSym(i, i+1, beta[i])
			}
		}
		if !eig.Factorize(t, true) {
			panic("problem: Lanczos: tridiagonal eigendecomposition failed")
		}
		vals := eig.Values(nil)
		var vecs mat.Dense
		eig.VectorsTo(&vecs)
		res.Min, res.Max = vals[0], vals[n-1]
		res.ResMin = math.Abs(b * vecs.At(n-1, 0))
		res.ResMax = math.Abs(b * vecs.At(n-1, n-1))
		scale := math.Max(math.Abs(res.Min), math.Abs(res.Max))
		if b <= 1e-14*scale || (res.ResMin <= tol*scale && res.ResMax <= tol*scale) || n == d {
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

// scal multiplies x by a.
func scal(a float64, x []float64) {
	for i := range x {
		x[i] *= a
	}
}
