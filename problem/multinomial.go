package problem

import (
	"context"
	"fmt"
	"math"

	"github.com/descent-ml/descent/internal/vexp"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
)

// Multinomial is L2-regularised multinomial (softmax) logistic regression without
// intercept, over K classes with a weight vector wₖ ∈ ℝᵈ per class:
//
//	f(W) = (1/n) Σᵢ [log Σₖ exp(wₖ·xᵢ) − w_{yᵢ}·xᵢ] + λ/2 ‖W‖²,
//
// W flattened class by class (w = [w₀; w₁; …], length K·d). Its Hessian is
// (1/n) Σᵢ (diag(pᵢ) − pᵢpᵢᵀ) ⊗ xᵢxᵢᵀ + λI with pᵢ the softmax probabilities; since
// ‖diag(p) − ppᵀ‖ ≤ 1/2, it lies between μ = λ and L = λmax(XᵀX)/(2n) + λ (an upper
// bound, not attained in general). Each sample is ‖xᵢ‖²/2 + λ smooth.
//
// Like [Logistic], it is not safe for concurrent use; see [Multinomial.Clone].
type Multinomial struct {
	fit
	k     int
	label []int // the labels, sample by sample (loss.label in the order of x's rows)

	loss  softmaxLoss
	prob  softmaxProb
	hv    softmaxHessVec
	hessW []float64
}

// NewMultinomial returns the multinomial logistic regression of the n×d row-major
// features x and labels in [0, k), with L2 weight lambda. The slices are kept.
func NewMultinomial(x []float64, n, d int, labels []int, k int, lambda float64) *Multinomial {
	if len(x) != n*d {
		panic(fmt.Sprintf("problem: NewMultinomial: len(x) = %d, want %d×%d", len(x), n, d))
	}
	return newMultinomial(&denseDesign{n: n, d: d, x: x}, labels, k, lambda)
}

// NewMultinomialBytes is [NewMultinomial] for features scale·p with p bytes (see
// [NewLogisticBytes]).
func NewMultinomialBytes(p []uint8, n, d int, scale float64, labels []int, k int, lambda float64) *Multinomial {
	if len(p) != n*d {
		panic(fmt.Sprintf("problem: NewMultinomialBytes: len(p) = %d, want %d×%d", len(p), n, d))
	}
	return newMultinomial(newUint8Design(p, n, d, scale), labels, k, lambda)
}

func newMultinomial(x design, labels []int, k int, lambda float64) *Multinomial {
	if k < 2 {
		panic(fmt.Sprintf("problem: multinomial: %d classes, want at least 2", k))
	}
	if len(labels) != x.rows() {
		panic(fmt.Sprintf("problem: multinomial: %d labels for %d samples", len(labels), x.rows()))
	}
	for i, c := range labels {
		if c < 0 || c >= k {
			panic(fmt.Sprintf("problem: multinomial: label[%d] = %d outside [0, %d)", i, c, k))
		}
	}
	p := &Multinomial{fit: newFit(x, k, lambda, "multinomial"), k: k, label: labels}
	p.loss.label, p.loss.k = byRow(x, labels), k
	p.prob.dst = make([]float64, x.rows()*k)
	p.hv.prob = p.prob.dst
	return p
}

// Clone returns a Multinomial on the same data with its own scratch.
func (p *Multinomial) Clone() *Multinomial { return newMultinomial(p.x, p.label, p.k, p.lambda) }

// Dim returns the number of weights K·d.
func (p *Multinomial) Dim() int { return p.k * p.d }

// Classes returns K.
func (p *Multinomial) Classes() int { return p.k }

// Samples returns n.
func (p *Multinomial) Samples() int { return p.n }

// Lambda returns the L2 weight λ.
func (p *Multinomial) Lambda() float64 { return p.lambda }

// ValueGrad returns f(W) and stores ∇f(W) in grad, in one pass over the data.
func (p *Multinomial) ValueGrad(grad, w []float64) float64 {
	p.checkLen("Multinomial.ValueGrad", grad, w)
	return p.valueGrad(grad, w, &p.loss)
}

// SampleValueGrad returns fᵢ(W) and stores ∇fᵢ(W) in grad.
func (p *Multinomial) SampleValueGrad(grad, w []float64, i int) float64 {
	p.checkLen("Multinomial.SampleValueGrad", grad, w)
	clear(grad)
	return p.sample(grad, w, i, 1, &p.loss)
}

// BatchValueGrad returns the mean of fᵢ(W) over idx and stores its gradient in grad.
func (p *Multinomial) BatchValueGrad(grad, w []float64, idx []int) float64 {
	p.checkLen("Multinomial.BatchValueGrad", grad, w)
	return p.batch(grad, w, idx, &p.loss)
}

// SampleSmoothness returns ‖xᵢ‖²/2 + λ, a smoothness constant of fᵢ.
func (p *Multinomial) SampleSmoothness(i int) float64 { return p.rowSqNorm(i)/2 + p.lambda }

// Smoothness returns L = λmax(XᵀX)/(2n) + λ, an upper bound of the Hessian's
// eigenvalues; λmax is computed once by Lanczos.
func (p *Multinomial) Smoothness() float64 { return p.gramMax()/2 + p.lambda }

// StrongConvexity returns μ = λ.
func (p *Multinomial) StrongConvexity() float64 { return p.lambda }

// HessVec stores ∇²f(W)·v in dst; the probabilities at W are kept between calls.
func (p *Multinomial) HessVec(dst, w, v []float64) {
	p.checkLen("Multinomial.HessVec", dst, w, v)
	p.probabilities(w)
	p.eng.pass(dst, v, &p.hv)
	inv := 1 / float64(p.n)
	for j := range dst {
		dst[j] = dst[j]*inv + p.lambda*v[j]
	}
}

func (p *Multinomial) probabilities(w []float64) {
	if !sameVec(w, p.hessW) {
		p.eng.pass(nil, w, &p.prob)
		p.hessW = append(p.hessW[:0], w...)
	}
}

// Hessian stores ∇²f(W) in dst ((K·d)², row-major): the block of classes a and b is
// (1/n) Σᵢ cᵢ xᵢxᵢᵀ with cᵢ = pᵢₐ(1 − pᵢₐ) when a = b and −pᵢₐpᵢ_b otherwise, each
// a symmetric d×d matrix, so that it takes K(K+1)/2 weighted Gram matrices of nd²/2
// multiply-adds (rank updates of 64 samples at a time, gonum's Syrk): for MNIST's ten
// classes 10¹² multiply-adds into half a gigabyte; an iteration of Newton's method, this
// Hessian and its Cholesky factorisation, took 74 s on an AMD EPYC (Zen 4). Formed sample
// by sample, nK²d² multiply-adds each sweeping the whole matrix, it did not end.
func (p *Multinomial) Hessian(dst, w []float64) { _ = p.HessianContext(context.Background(), dst, w) }

// HessianContext is [Multinomial.Hessian] that stops, returning ctx.Err(), if ctx is done
// before dst is complete (it looks every 64 samples).
func (p *Multinomial) HessianContext(ctx context.Context, dst, w []float64) error {
	dim := p.Dim()
	if len(dst) != dim*dim {
		panic(fmt.Sprintf("problem: Multinomial.Hessian: len(dst) = %d, want %d", len(dst), dim*dim))
	}
	p.checkLen("Multinomial.Hessian", w)
	p.probabilities(w)
	k, d := p.k, p.d
	clear(dst)
	const bs = 64
	rows, scaled := make([]float64, bs*d), make([]float64, bs*d)
	inv := 1 / float64(p.n)
	for lo := 0; lo < p.n; lo += bs {
		if err := ctx.Err(); err != nil {
			return err
		}
		hi := min(lo+bs, p.n)
		for i := lo; i < hi; i++ {
			p.x.row(rows[(i-lo)*d:(i-lo+1)*d], i)
		}
		for a := range k {
			for b := a; b < k; b++ {
				// The weights of the block have one sign: pₐ(1 − pₐ) ≥ 0 on the diagonal,
				// −pₐp_b ≤ 0 off it, the sign carried by the update's factor.
				alpha := -inv
				if a == b {
					alpha = inv
				}
				for i := lo; i < hi; i++ {
					pr := p.prob.dst[i*k : (i+1)*k]
					c := pr[a] * pr[b]
					if a == b {
						c = pr[a] * (1 - pr[a])
					}
					sq, xr := math.Sqrt(max(c, 0)), rows[(i-lo)*d:(i-lo+1)*d]
					sr := scaled[(i-lo)*d : (i-lo)*d+len(xr)]
					for j, v := range xr {
						sr[j] = sq * v
					}
				}
				x := blas64.General{Rows: hi - lo, Cols: d, Stride: d, Data: scaled[:(hi-lo)*d]}
				block := blas64.Symmetric{Uplo: blas.Upper, N: d, Stride: dim, Data: dst[a*d*dim+b*d:]}
				blas64.Syrk(blas.Trans, alpha, x, 1, block)
			}
		}
	}
	// Each block (a, b), a ≤ b, holds its upper triangle: complete it, and copy it to
	// (b, a), its transpose, which it equals.
	for a := range k {
		for b := a; b < k; b++ {
			for s := range d {
				for t := s + 1; t < d; t++ {
					dst[(a*d+t)*dim+b*d+s] = dst[(a*d+s)*dim+b*d+t]
				}
			}
			if b > a {
				for s := range d {
					copy(dst[(b*d+s)*dim+a*d:(b*d+s)*dim+(a+1)*d], dst[(a*d+s)*dim+b*d:(a*d+s)*dim+(b+1)*d])
				}
			}
		}
	}
	for j := 0; j < dim; j++ {
		dst[j*dim+j] += p.lambda
	}
	return nil
}

// softmax stores the softmax of z in pr and returns log Σ exp(z) as zmax + log1p(t), with
// t = Σ_{k ≠ argmax} exp(zₖ − zmax). The exponentials are vexp's, whose kernels give the
// bits of its Go twin Exp1: softmaxLoss.rows computes a block's at once.
func softmax(pr, z []float64) (zmax, t float64) {
	top := shiftExp(pr, z)
	return z[top], normalise(pr, top)
}

// shiftExp stores exp(zₖ − max(z)) in e and returns argmax(z).
func shiftExp(e, z []float64) int {
	top := shiftMax(e, z)
	for k, v := range e {
		e[k] = vexp.Exp1(v)
	}
	return top
}

// shiftMax stores zₖ − max(z) in d and returns argmax(z).
func shiftMax(d, z []float64) int {
	top := argmax(z)
	for k, v := range z {
		d[k] = v - z[top]
	}
	return top
}

// argmax returns the index of the first maximum of z (of those before the first NaN).
// It selects without a branch (a conditional move and a max), since the place of a row's
// largest score is as unpredictable as its label.
func argmax(z []float64) int {
	top, best := 0, z[0]
	for k, v := range z {
		if v > best {
			top = k
		}
		best = max(best, v)
	}
	return top
}

// argmax4 stores in tops[0:4] the argmax of each of the four rows of k values of z: the
// same loop as argmax, the four rows abreast, since one row's chain of max (several
// cycles an element) left the core mostly idle: a third of the multinomial loss's time.
func argmax4(tops []int, z []float64, k int) {
	a, b, c, d := z[:k], z[k:2*k], z[2*k:3*k], z[3*k:4*k]
	b, c, d = b[:len(a)], c[:len(a)], d[:len(a)]
	ta, tb, tc, td := 0, 0, 0, 0
	ba, bb, bc, bd := a[0], b[0], c[0], d[0]
	for j, va := range a {
		vb, vc, vd := b[j], c[j], d[j]
		if va > ba {
			ta = j
		}
		if vb > bb {
			tb = j
		}
		if vc > bc {
			tc = j
		}
		if vd > bd {
			td = j
		}
		ba, bb, bc, bd = max(ba, va), max(bb, vb), max(bc, vc), max(bd, vd)
	}
	tops[0], tops[1], tops[2], tops[3] = ta, tb, tc, td
}

// normalise divides e, the exponentials of z − max(z), by their sum, e[top] taken as 1,
// and returns t, the sum of the others in index order. It multiplies by the reciprocal of
// the sum (within an ulp of dividing by it): one division a row instead of one a class.
func normalise(e []float64, top int) (t float64) {
	for k, v := range e {
		if k != top {
			t += v
		}
	}
	e[top] = 1
	inv := 1 / (1 + t)
	for k := range e {
		e[k] *= inv
	}
	return t
}

// softmaxLoss: ℓᵢ = logsumexp(zᵢ) − z_{i,yᵢ}, ∂ℓᵢ/∂zᵢₖ = pᵢₖ − [k = yᵢ].
type softmaxLoss struct {
	label []int
	k     int // classes
}

func (f *softmaxLoss) row(i int, z, r []float64) (float64, float64) {
	return f.finish(i, z, r, shiftExp(r, z))
}

// finish turns row i's exponentials e of z − max(z), the maximum at top, into the
// gradient ∂ℓᵢ/∂zᵢ (in e) and returns the loss as a + log1p(t).
func (f *softmaxLoss) finish(i int, z, e []float64, top int) (a, t float64) {
	t = normalise(e, top)
	y := f.label[i]
	e[y]--
	return z[top] - z[y], t
}

// rows is row on rows lo to hi−1 in turn, with the exponentials of up to 64 rows at a
// time computed at once by vexp.Exp: the same bits. On MNIST's ten classes, math.Exp one
// value at a time took a seventh of an L-BFGS run.
func (f *softmaxLoss) rows(lo, hi int, z, r []float64, s, prod float64) (float64, float64) {
	const chunk = 64
	var tops [chunk]int
	k := f.k
	for c0 := lo; c0 < hi; c0 += chunk {
		c1 := min(hi, c0+chunk)
		zc, rc := z[(c0-lo)*k:(c1-lo)*k], r[(c0-lo)*k:(c1-lo)*k]
		i := 0
		for ; i+4 <= c1-c0; i += 4 {
			argmax4(tops[i:i+4], zc[i*k:(i+4)*k], k)
		}
		for ; i < c1-c0; i++ {
			tops[i] = argmax(zc[i*k : (i+1)*k])
		}
		for i, top := range tops[:c1-c0] {
			zr := zc[i*k : (i+1)*k]
			rr, m := rc[i*k:i*k+len(zr)], zr[top]
			for j, v := range zr {
				rr[j] = v - m
			}
		}
		vexp.Exp(rc, rc)
		for i := range c1 - c0 {
			a, t := f.finish(c0+i, zc[i*k:(i+1)*k], rc[i*k:(i+1)*k], tops[i])
			s += a
			prod *= 1 + t
		}
	}
	return s, prod
}

// softmaxProb stores the probabilities pᵢ in dst.
type softmaxProb struct{ dst []float64 }

func (f *softmaxProb) row(i int, z, r []float64) (float64, float64) {
	k := len(z)
	softmax(f.dst[i*k:(i+1)*k], z)
	clear(r)
	return 0, 0
}

// softmaxHessVec: rᵢ = (diag(pᵢ) − pᵢpᵢᵀ)uᵢ with uᵢ = V·xᵢ.
type softmaxHessVec struct{ prob []float64 }

func (f *softmaxHessVec) row(i int, u, r []float64) (float64, float64) {
	k := len(u)
	pr := f.prob[i*k : (i+1)*k]
	pu := dot(pr, u)
	for c := range r {
		r[c] = pr[c] * (u[c] - pu)
	}
	return 0, 0
}
