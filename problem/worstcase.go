package problem

import (
	"fmt"
	"math"
	"slices"
)

// WorstCase is Nesterov's worst function in the world for first-order methods on convex
// L-smooth functions ("Introductory Lectures on Convex Optimization", 2004, §2.1.2): on
// ℝᵈⁱᵐ, with k ≤ dim,
//
//	f(x) = L/4 · (½[x₁² + Σᵢ₌₁ᵏ⁻¹ (xᵢ − xᵢ₊₁)² + xₖ²] − x₁),
//
// minimised at xᵢ* = 1 − i/(k+1) for i ≤ k (0 beyond), f* = L/8·(−1 + 1/(k+1)). Its
// gradient at x involves only xᵢ₋₁, xᵢ, xᵢ₊₁, so a method whose iterates stay in
// θ₀ + span{∇f(θ₀), …, ∇f(θₙ₋₁)} has, from θ₀ = 0, every coordinate past n exactly 0
// after n steps; with k = 2n+1 this gives the lower bound
// f(θₙ) − f* ≥ 3L‖θ₀ − θ*‖²/(32(n+1)²) (theorem 2.1.7).
//
// The Hessian is the constant L/4·Aₖ (Aₖ tridiagonal with 2 on the diagonal and −1 beside
// it, padded with zeros), with eigenvalues L/4·(2 − 2cos(jπ/(k+1))), j = 1…k, and zeros:
// [WorstCase.Smoothness] returns the parameter L, which bounds them.
type WorstCase struct {
	dim, k int
	l      float64
	xstar  []float64
}

// NewWorstCase returns f_k on ℝᵈⁱᵐ with parameter L.
func NewWorstCase(dim, k int, l float64) *WorstCase {
	if k < 1 || k > dim || !(l > 0) {
		panic(fmt.Sprintf("problem: NewWorstCase(%d, %d, %v): want 1 ≤ k ≤ dim and L > 0", dim, k, l))
	}
	xs := make([]float64, dim)
	for i := range k {
		xs[i] = 1 - float64(i+1)/float64(k+1)
	}
	return &WorstCase{dim: dim, k: k, l: l, xstar: xs}
}

// Dim returns the dimension.
func (p *WorstCase) Dim() int { return p.dim }

// K returns the number k of coupled coordinates.
func (p *WorstCase) K() int { return p.k }

// ValueGrad returns f(x) and stores ∇f(x) in grad.
func (p *WorstCase) ValueGrad(grad, x []float64) float64 {
	checkDim("WorstCase", p.dim, grad, x)
	c := p.l / 4
	q := tridiagForm(grad[:p.k], x[:p.k])
	grad[0] -= 1
	scal(c, grad[:p.k])
	clear(grad[p.k:])
	return c * (q/2 - x[0])
}

// HessVec stores ∇²f·v in dst.
func (p *WorstCase) HessVec(dst, _, v []float64) {
	checkDim("WorstCase", p.dim, dst, v)
	tridiagForm(dst[:p.k], v[:p.k])
	scal(p.l/4, dst[:p.k])
	clear(dst[p.k:])
}

// Hessian stores ∇²f in dst.
func (p *WorstCase) Hessian(dst, _ []float64) {
	tridiagDense(dst, p.dim, p.k, p.l/4, 0)
}

// Smoothness returns the parameter L.
func (p *WorstCase) Smoothness() float64 { return p.l }

// StrongConvexity returns 0 when k < dim (the Hessian is singular), else the smallest
// eigenvalue L/4·(2 − 2cos(π/(k+1))).
func (p *WorstCase) StrongConvexity() float64 {
	if p.k < p.dim {
		return 0
	}
	return p.l / 4 * (2 - 2*math.Cos(math.Pi/float64(p.k+1)))
}

// Eigenvalues returns the Hessian's eigenvalues in ascending order.
func (p *WorstCase) Eigenvalues() []float64 {
	e := make([]float64, p.dim)
	for j := 1; j <= p.k; j++ {
		e[p.dim-p.k+j-1] = p.l / 4 * (2 - 2*math.Cos(float64(j)*math.Pi/float64(p.k+1)))
	}
	slices.Sort(e)
	return e
}

// Optimum returns x* and f* = L/8·(−1 + 1/(k+1)).
func (p *WorstCase) Optimum() ([]float64, float64) {
	return p.xstar, p.l / 8 * (-1 + 1/float64(p.k+1))
}

// WorstCaseStrong is Nesterov's worst function for first-order methods on μ-strongly
// convex L-smooth functions (theorem 2.1.13), truncated to ℝᵈ:
//
//	f(x) = (L−μ)/8 · (x₁² + Σᵢ₌₁ᵈ⁻¹ (xᵢ − xᵢ₊₁)² + x_d² − 2x₁) + μ/2 ‖x‖².
//
// On ℓ₂ its minimiser is xᵢ* = qⁱ with q = (√κ−1)/(√κ+1), and every method of the
// Krylov class has ‖θₙ − θ*‖² ≥ q²ⁿ‖θ₀ − θ*‖²; in finite dimension the minimiser differs
// from qⁱ near the last coordinates and is computed exactly by a tridiagonal solve.
// The Hessian is (L−μ)/4·A_d + μI, with eigenvalues μ + (L−μ)/4·(2 − 2cos(jπ/(d+1))),
// inside [μ, L].
type WorstCaseStrong struct {
	dim   int
	l, mu float64
	xstar []float64
	fstar float64
}

// NewWorstCaseStrong returns the strongly convex worst function on ℝᵈⁱᵐ.
func NewWorstCaseStrong(dim int, l, mu float64) *WorstCaseStrong {
	if dim < 1 || !(mu > 0) || !(l > mu) {
		panic(fmt.Sprintf("problem: NewWorstCaseStrong(%d, %v, %v): want dim ≥ 1 and L > μ > 0", dim, l, mu))
	}
	c := (l - mu) / 4
	// Thomas algorithm for (c·A + μI)x = c·e₁: diagonal 2c+μ, off-diagonal −c.
	diag, off := 2*c+mu, -c
	cp := make([]float64, dim)
	x := make([]float64, dim)
	x[0] = c
	den := diag
	for i := 0; i < dim; i++ {
		if i > 0 {
			den = diag - off*cp[i-1]
			x[i] = (x[i] - off*x[i-1]) / den
		} else {
			x[0] /= den
		}
		cp[i] = off / den
	}
	for i := dim - 2; i >= 0; i-- {
		x[i] -= cp[i] * x[i+1]
	}
	return &WorstCaseStrong{dim: dim, l: l, mu: mu, xstar: x, fstar: -c * x[0] / 2}
}

// Dim returns the dimension.
func (p *WorstCaseStrong) Dim() int { return p.dim }

// ValueGrad returns f(x) and stores ∇f(x) in grad.
func (p *WorstCaseStrong) ValueGrad(grad, x []float64) float64 {
	checkDim("WorstCaseStrong", p.dim, grad, x)
	c := (p.l - p.mu) / 4
	q := tridiagForm(grad, x)
	grad[0] -= 1
	scal(c, grad)
	axpy(grad, p.mu, x)
	return c*(q/2-x[0]) + p.mu/2*dot(x, x)
}

// HessVec stores ∇²f·v in dst.
func (p *WorstCaseStrong) HessVec(dst, _, v []float64) {
	checkDim("WorstCaseStrong", p.dim, dst, v)
	tridiagForm(dst, v)
	scal((p.l-p.mu)/4, dst)
	axpy(dst, p.mu, v)
}

// Hessian stores ∇²f in dst.
func (p *WorstCaseStrong) Hessian(dst, _ []float64) {
	tridiagDense(dst, p.dim, p.dim, (p.l-p.mu)/4, p.mu)
}

// Smoothness returns the parameter L.
func (p *WorstCaseStrong) Smoothness() float64 { return p.l }

// StrongConvexity returns the parameter μ.
func (p *WorstCaseStrong) StrongConvexity() float64 { return p.mu }

// Eigenvalues returns the Hessian's eigenvalues in ascending order.
func (p *WorstCaseStrong) Eigenvalues() []float64 {
	e := make([]float64, p.dim)
	for j := 1; j <= p.dim; j++ {
		e[j-1] = p.mu + (p.l-p.mu)/4*(2-2*math.Cos(float64(j)*math.Pi/float64(p.dim+1)))
	}
	return e
}

// Optimum returns x* and f*.
func (p *WorstCaseStrong) Optimum() ([]float64, float64) { return p.xstar, p.fstar }

// tridiagForm stores A·x in dst, for A tridiagonal with 2 on the diagonal and −1 beside
// it, and returns xᵀAx = x₁² + Σ(xᵢ − xᵢ₊₁)² + xₖ². Each dst[i] depends only on
// x[i−1], x[i], x[i+1], so it is exactly 0 where those are.
func tridiagForm(dst, x []float64) float64 {
	k := len(x)
	q := x[0]*x[0] + x[k-1]*x[k-1]
	for i := range k {
		v := 2 * x[i]
		if i > 0 {
			v -= x[i-1]
		}
		if i+1 < k {
			v -= x[i+1]
			e := x[i] - x[i+1]
			q += e * e
		}
		dst[i] = v
	}
	return q
}

// tridiagDense stores c·Aₖ + μI (Aₖ padded with zeros to dim) in dst.
func tridiagDense(dst []float64, dim, k int, c, mu float64) {
	if len(dst) != dim*dim {
		panic(fmt.Sprintf("problem: Hessian: len(dst) = %d, want %d", len(dst), dim*dim))
	}
	clear(dst)
	for i := range dim {
		dst[i*dim+i] = mu
		if i < k {
			dst[i*dim+i] += 2 * c
			if i+1 < k {
				dst[i*dim+i+1] = -c
				dst[(i+1)*dim+i] = -c
			}
		}
	}
}

func checkDim(name string, d int, s ...[]float64) {
	for _, v := range s {
		if len(v) != d {
			panic(fmt.Sprintf("problem: %s: slice of length %d, want %d", name, len(v), d))
		}
	}
}
