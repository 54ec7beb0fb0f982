package problem

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"gonum.org/v1/gonum/mat"
)

// Quadratic is the convex quadratic
//
//	f(x) = ½ (x − x*)ᵀ H (x − x*)
//
// with H symmetric positive semi-definite, written around its minimiser x* so that
// f(x) − f* = f(x) is computed without cancellation. L and μ are the extreme eigenvalues
// of H. It is not safe for concurrent use (it keeps scratch space).
type Quadratic struct {
	d     int
	h     []float64
	xstar []float64
	eig   []float64
	diff  []float64
}

// NewQuadratic returns the quadratic with the d×d row-major symmetric positive
// semi-definite Hessian h and minimiser xstar (both kept, not copied). Its eigenvalues
// are computed, in O(d³). It panics if h is not symmetric or has a negative eigenvalue
// beyond rounding.
func NewQuadratic(h, xstar []float64) *Quadratic {
	d := len(xstar)
	if len(h) != d*d {
		panic(fmt.Sprintf("problem: NewQuadratic: len(h) = %d, want %d² for len(xstar) = %d", len(h), d, d))
	}
	for i := range d {
		for j := range i {
			if h[i*d+j] != h[j*d+i] {
				panic(fmt.Sprintf("problem: NewQuadratic: h is not symmetric at (%d, %d)", i, j))
			}
		}
	}
	var es mat.EigenSym
	if !es.Factorize(mat.NewSymDense(d, slices.Clone(h)), false) {
		panic("problem: NewQuadratic: eigendecomposition failed")
	}
	eig := es.Values(nil)
	top := math.Max(math.Abs(eig[0]), math.Abs(eig[d-1]))
	for i, v := range eig {
		if v < 0 {
			if v < -float64(d)*0x1p-52*top {
				panic(fmt.Sprintf("problem: NewQuadratic: h is not positive semi-definite (eigenvalue %g)", v))
			}
			eig[i] = 0
		}
	}
	return &Quadratic{d: d, h: h, xstar: xstar, eig: eig, diff: make([]float64, d)}
}

// RandomQuadratic returns the quadratic with Hessian H = Q·diag(eigenvalues)·Qᵀ for a
// random rotation Q (Haar-distributed, see [RandomRotation]) and a minimiser x* with
// standard Gaussian coordinates, both drawn from rng. Its L and μ are exactly the largest
// and smallest of the given eigenvalues, which must be non-negative.
func RandomQuadratic(rng *rand.Rand, eigenvalues []float64) *Quadratic {
	d := len(eigenvalues)
	if d == 0 {
		panic("problem: RandomQuadratic: no eigenvalues")
	}
	for _, v := range eigenvalues {
		if !(v >= 0) || math.IsInf(v, 0) {
			panic(fmt.Sprintf("problem: RandomQuadratic: eigenvalue %v is not finite and non-negative", v))
		}
	}
	q := RandomRotation(rng, d)
	h := make([]float64, d*d)
	for i := range d {
		for j := 0; j <= i; j++ {
			s := 0.0
			for k, l := range eigenvalues {
				s += q[i*d+k] * l * q[j*d+k]
			}
			h[i*d+j], h[j*d+i] = s, s
		}
	}
	eig := slices.Clone(eigenvalues)
	slices.Sort(eig)
	return &Quadratic{d: d, h: h, xstar: gaussian(rng, d), eig: eig, diff: make([]float64, d)}
}

// RandomRotation returns a d×d row-major orthogonal matrix drawn from the Haar measure:
// the Q of the QR factorisation of a standard Gaussian matrix, with the signs of its
// columns fixed by R's diagonal (Mezzadri, "How to generate random matrices from the
// classical compact groups", 2007).
func RandomRotation(rng *rand.Rand, d int) []float64 {
	if d < 1 {
		panic(fmt.Sprintf("problem: RandomRotation: dimension %d < 1", d))
	}
	var qr mat.QR
	qr.Factorize(mat.NewDense(d, d, gaussian(rng, d*d)))
	var q, r mat.Dense
	qr.QTo(&q)
	qr.RTo(&r)
	out := make([]float64, d*d)
	for j := range d {
		s := 1.0
		if r.At(j, j) < 0 {
			s = -1
		}
		for i := range d {
			out[i*d+j] = s * q.At(i, j)
		}
	}
	return out
}

// LogSpectrum returns d eigenvalues spaced evenly in log scale from mu to l (both
// included; d = 1 gives l), for quadratics of condition number l/mu.
func LogSpectrum(d int, mu, l float64) []float64 {
	if d < 1 || !(mu > 0) || !(l >= mu) {
		panic(fmt.Sprintf("problem: LogSpectrum(%d, %v, %v): want d ≥ 1 and 0 < mu ≤ l", d, mu, l))
	}
	s := make([]float64, d)
	if d == 1 {
		s[0] = l
		return s
	}
	for i := range s {
		s[i] = mu * math.Pow(l/mu, float64(i)/float64(d-1))
	}
	s[0], s[d-1] = mu, l
	return s
}

// Dim returns d.
func (p *Quadratic) Dim() int { return p.d }

// ValueGrad returns f(x) and stores H(x − x*) in grad.
func (p *Quadratic) ValueGrad(grad, x []float64) float64 {
	p.check(grad, x)
	for i := range p.diff {
		p.diff[i] = x[i] - p.xstar[i]
	}
	p.mul(grad, p.diff)
	return dot(p.diff, grad) / 2
}

func (p *Quadratic) check(s ...[]float64) {
	for _, v := range s {
		if len(v) != p.d {
			panic(fmt.Sprintf("problem: Quadratic: slice of length %d, want %d", len(v), p.d))
		}
	}
}

func (p *Quadratic) mul(dst, v []float64) {
	for i := range dst {
		dst[i] = dot(p.h[i*p.d:(i+1)*p.d], v)
	}
}

// HessVec stores H·v in dst.
func (p *Quadratic) HessVec(dst, _, v []float64) {
	p.check(dst, v)
	p.mul(dst, v)
}

// Hessian copies H into dst.
func (p *Quadratic) Hessian(dst, _ []float64) {
	if len(dst) != p.d*p.d {
		panic(fmt.Sprintf("problem: Quadratic.Hessian: len(dst) = %d, want %d", len(dst), p.d*p.d))
	}
	copy(dst, p.h)
}

// Smoothness returns L = λmax(H).
func (p *Quadratic) Smoothness() float64 { return p.eig[p.d-1] }

// StrongConvexity returns μ = λmin(H).
func (p *Quadratic) StrongConvexity() float64 { return p.eig[0] }

// Eigenvalues returns the eigenvalues of H in ascending order; the slice must not be
// modified.
func (p *Quadratic) Eigenvalues() []float64 { return p.eig }

// Optimum returns x* and f* = 0.
func (p *Quadratic) Optimum() ([]float64, float64) { return p.xstar, 0 }
