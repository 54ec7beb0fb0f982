package problem

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"gonum.org/v1/gonum/mat"
)

// LeastSquares is the least-squares problem
//
//	f(w) = (1/2n) ‖Xw − b‖² = (1/n) Σᵢ ½(xᵢ·w − bᵢ)²,
//
// convex with Hessian XᵀX/n, so L and μ are its extreme eigenvalues (μ = 0 when X has
// rank below d), computed exactly from the singular values of X at construction. When X
// is rank-deficient the minimisers form an affine set; [LeastSquares.Optimum] returns the
// one of least norm, the limit of gradient descent from 0. Each sample fᵢ is ‖xᵢ‖²
// smooth.
//
// It is not safe for concurrent use; see [LeastSquares.Clone].
type LeastSquares struct {
	fit
	b     []float64
	loss  lsLoss
	eig   []float64 // of XᵀX/n, ascending
	rank  int
	xstar []float64
	fstar float64
	gram  []float64 // XᵀX/n, formed on first use
}

// NewLeastSquares returns the least-squares problem of the n×d row-major matrix x and
// targets b (kept, not copied). It computes the SVD of X, in O(nd·min(n, d)).
func NewLeastSquares(x []float64, n, d int, b []float64) *LeastSquares {
	if len(x) != n*d {
		panic(fmt.Sprintf("problem: NewLeastSquares: len(x) = %d, want %d×%d", len(x), n, d))
	}
	if len(b) != n {
		panic(fmt.Sprintf("problem: NewLeastSquares: len(b) = %d, want %d", len(b), n))
	}
	p := &LeastSquares{fit: newFit(&denseDesign{n: n, d: d, x: x}, 1, 0, "least squares"), b: b}
	p.loss.b = b
	var svd mat.SVD
	if !svd.Factorize(mat.NewDense(n, d, x), mat.SVDThin) {
		panic("problem: NewLeastSquares: SVD failed to converge")
	}
	sv := svd.Values(nil)
	var u, v mat.Dense
	svd.UTo(&u)
	svd.VTo(&v)
	tol := float64(max(n, d)) * 0x1p-52 * sv[0]
	p.eig = make([]float64, d)
	p.xstar = make([]float64, d)
	for j, s := range sv {
		if s <= tol {
			continue
		}
		p.rank++
		p.eig[j] = s * s / float64(n)
		// w* += v_j (u_jᵀb)/s_j
		c := mat.Dot(u.ColView(j), mat.NewVecDense(n, b)) / s
		for i := range d {
			p.xstar[i] += c * v.At(i, j)
		}
	}
	slices.Sort(p.eig)
	grad := make([]float64, d)
	p.fstar = p.ValueGrad(grad, p.xstar)
	return p
}

// RandomLeastSquares returns a least-squares problem with an n×d Gaussian matrix of the
// given rank (the product of n×rank and rank×d standard Gaussian matrices, scaled by
// 1/√rank) and targets b = Xw₀ + noise·ε with w₀ and ε standard Gaussian. With noise 0
// the system is consistent (f* = 0, the interpolation regime).
func RandomLeastSquares(rng *rand.Rand, n, d, rank int, noise float64) *LeastSquares {
	if rank < 1 || rank > min(n, d) {
		panic(fmt.Sprintf("problem: RandomLeastSquares: rank %d outside [1, min(%d, %d)]", rank, n, d))
	}
	x := make([]float64, n*d)
	if rank == min(n, d) {
		for i := range x {
			x[i] = rng.NormFloat64()
		}
	} else {
		a := mat.NewDense(n, rank, gaussian(rng, n*rank))
		c := mat.NewDense(rank, d, gaussian(rng, rank*d))
		m := mat.NewDense(n, d, x)
		m.Mul(a, c)
		scal(1/math.Sqrt(float64(rank)), x)
	}
	w0 := gaussian(rng, d)
	b := make([]float64, n)
	for i := range b {
		b[i] = dot(x[i*d:(i+1)*d], w0) + noise*rng.NormFloat64()
	}
	return NewLeastSquares(x, n, d, b)
}

func gaussian(rng *rand.Rand, n int) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = rng.NormFloat64()
	}
	return v
}

// Clone returns a LeastSquares on the same data with its own scratch.
func (p *LeastSquares) Clone() *LeastSquares {
	q := &LeastSquares{fit: newFit(p.x, 1, 0, "least squares"), b: p.b, eig: p.eig, rank: p.rank,
		xstar: p.xstar, fstar: p.fstar, gram: p.gram}
	q.loss.b = p.b
	return q
}

// Dim returns d.
func (p *LeastSquares) Dim() int { return p.d }

// Samples returns n.
func (p *LeastSquares) Samples() int { return p.n }

// Data returns X (n×d, row-major) and b, which must not be modified.
func (p *LeastSquares) Data() (x []float64, n, d int, b []float64) {
	return p.x.(*denseDesign).x, p.n, p.d, p.b
}

// Rank returns the numerical rank of X.
func (p *LeastSquares) Rank() int { return p.rank }

// ValueGrad returns f(w) and stores ∇f(w) = Xᵀ(Xw − b)/n in grad.
func (p *LeastSquares) ValueGrad(grad, w []float64) float64 {
	p.checkLen("LeastSquares.ValueGrad", grad, w)
	return p.valueGrad(grad, w, &p.loss)
}

// SampleValueGrad returns fᵢ(w) = ½(xᵢ·w − bᵢ)² and stores its gradient in grad.
func (p *LeastSquares) SampleValueGrad(grad, w []float64, i int) float64 {
	p.checkLen("LeastSquares.SampleValueGrad", grad, w)
	clear(grad)
	return p.sample(grad, w, i, 1, &p.loss)
}

// BatchValueGrad returns the mean of fᵢ(w) over idx and stores its gradient in grad.
func (p *LeastSquares) BatchValueGrad(grad, w []float64, idx []int) float64 {
	p.checkLen("LeastSquares.BatchValueGrad", grad, w)
	return p.batch(grad, w, idx, &p.loss)
}

// SampleSmoothness returns Lᵢ = ‖xᵢ‖².
func (p *LeastSquares) SampleSmoothness(i int) float64 { return p.rowSqNorm(i) }

// Smoothness returns L = λmax(XᵀX)/n.
func (p *LeastSquares) Smoothness() float64 { return p.eig[len(p.eig)-1] }

// StrongConvexity returns μ = λmin(XᵀX)/n, 0 when X has rank below d.
func (p *LeastSquares) StrongConvexity() float64 { return p.eig[0] }

// Eigenvalues returns the eigenvalues of the Hessian XᵀX/n in ascending order (exact
// zeros for the rank deficiency); the slice must not be modified.
func (p *LeastSquares) Eigenvalues() []float64 { return p.eig }

// Optimum returns the least-norm minimiser and the minimum f*.
func (p *LeastSquares) Optimum() ([]float64, float64) { return p.xstar, p.fstar }

// HessVec stores XᵀXv/n in dst.
func (p *LeastSquares) HessVec(dst, _, v []float64) {
	p.checkLen("LeastSquares.HessVec", dst, v)
	p.eng.pass(dst, v, &p.gramRows)
	scal(1/float64(p.n), dst)
}

// Hessian stores XᵀX/n in dst (d×d, row-major), formed once.
func (p *LeastSquares) Hessian(dst, x []float64) { _ = p.HessianContext(context.Background(), dst, x) }

// HessianContext is [LeastSquares.Hessian] that stops, returning ctx.Err(), if ctx is done
// before XᵀX/n is formed (it looks every 64 samples; a later call forms it again).
func (p *LeastSquares) HessianContext(ctx context.Context, dst, _ []float64) error {
	if len(dst) != p.d*p.d {
		panic(fmt.Sprintf("problem: LeastSquares.Hessian: len(dst) = %d, want %d", len(dst), p.d*p.d))
	}
	if p.gram == nil {
		ones := make([]float64, p.n)
		for i := range ones {
			ones[i] = 1
		}
		gram := make([]float64, p.d*p.d)
		if err := weightedGram(ctx, gram, p.x, ones, 1/float64(p.n)); err != nil {
			return err
		}
		p.gram = gram
	}
	copy(dst, p.gram)
	return nil
}

// lsLoss: ℓᵢ = ½(zᵢ − bᵢ)², ∂ℓᵢ/∂zᵢ = zᵢ − bᵢ.
type lsLoss struct{ b []float64 }

func (f *lsLoss) row(i int, z, r []float64) (float64, float64) {
	e := z[0] - f.b[i]
	r[0] = e
	return e * e / 2, 0
}
