package problem

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/descent-ml/descent/internal/vexp"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
)

// Logistic is L2-regularised binary logistic regression without intercept,
//
//	f(w) = (1/n) Σᵢ log(1 + exp(−yᵢ xᵢ·w)) + λ/2 ‖w‖²,   yᵢ ∈ {−1, +1},
//
// whose Hessian (1/n) Σᵢ σᵢ(1−σᵢ) xᵢxᵢᵀ + λI lies between μ = λ and
// L = λmax(XᵀX)/(4n) + λ, reached at w = 0 (σᵢ = 1/2). It is a finite sum of the
// samples fᵢ(w) = log(1 + exp(−yᵢ xᵢ·w)) + λ/2‖w‖², each ‖xᵢ‖²/4 + λ smooth.
//
// Its evaluations are split over the cores, but a Logistic is not safe for concurrent
// use: use [Logistic.Clone] for that.
type Logistic struct {
	fit
	y []float64 // the labels, sample by sample (loss.y in the order of x's rows)

	loss  logLoss
	curv  logCurv
	hv    logHessVec
	hessW []float64 // w at which curv.dst holds the curvatures
}

// NewLogistic returns the binary logistic regression of the n×d row-major features x
// and labels y (each −1 or +1) with L2 weight lambda. The slices are kept, not copied.
func NewLogistic(x []float64, n, d int, y []float64, lambda float64) *Logistic {
	if len(x) != n*d {
		panic(fmt.Sprintf("problem: NewLogistic: len(x) = %d, want %d×%d", len(x), n, d))
	}
	return newLogistic(&denseDesign{n: n, d: d, x: x}, y, lambda)
}

// NewLogisticBytes is [NewLogistic] for features scale·p, where p is an n×d row-major
// matrix of bytes (such as pixels, with scale 1/255): the data stay in bytes, an eighth
// of the memory traffic, and the arithmetic is the same (the scale is applied once per
// dot product).
func NewLogisticBytes(p []uint8, n, d int, scale float64, y []float64, lambda float64) *Logistic {
	if len(p) != n*d {
		panic(fmt.Sprintf("problem: NewLogisticBytes: len(p) = %d, want %d×%d", len(p), n, d))
	}
	return newLogistic(newUint8Design(p, n, d, scale), y, lambda)
}

// RandomLogistic returns a logistic regression of n samples with standard Gaussian
// features in ℝᵈ and labels drawn from the model itself, P(y = +1) = σ(x·w₀) for a
// standard Gaussian w₀/√d, all from rng, with L2 weight lambda.
func RandomLogistic(rng *rand.Rand, n, d int, lambda float64) *Logistic {
	if n < 1 || d < 1 {
		panic(fmt.Sprintf("problem: RandomLogistic(%d, %d): want n, d ≥ 1", n, d))
	}
	x := gaussian(rng, n*d)
	w0 := gaussian(rng, d)
	scal(1/math.Sqrt(float64(d)), w0)
	y := make([]float64, n)
	for i := range y {
		y[i] = -1
		if rng.Float64() < 1/(1+math.Exp(-dot(x[i*d:(i+1)*d], w0))) {
			y[i] = 1
		}
	}
	return NewLogistic(x, n, d, y, lambda)
}

// LectureExample returns the lecture's one-dimensional example
// F(x) = log(1 + e^{−x}) + 0.05x², a logistic regression with one sample x = 1, y = 1 and
// λ = 0.1, so μ = 0.1 and L = 0.35.
func LectureExample() *Logistic {
	return NewLogistic([]float64{1}, 1, 1, []float64{1}, 0.1)
}

func newLogistic(x design, y []float64, lambda float64) *Logistic {
	if len(y) != x.rows() {
		panic(fmt.Sprintf("problem: logistic: %d labels for %d samples", len(y), x.rows()))
	}
	for i, v := range y {
		if v != 1 && v != -1 {
			panic(fmt.Sprintf("problem: logistic: label y[%d] = %v, want −1 or +1", i, v))
		}
	}
	p := &Logistic{fit: newFit(x, 1, lambda, "logistic"), y: y}
	p.loss.y = byRow(x, y)
	p.curv.y = p.loss.y
	p.curv.dst = make([]float64, x.rows())
	p.hv.curv = p.curv.dst
	return p
}

// Clone returns a Logistic on the same data (shared, not copied) with its own scratch,
// for use in another goroutine.
func (p *Logistic) Clone() *Logistic { return newLogistic(p.x, p.y, p.lambda) }

// Dim returns the number of weights d.
func (p *Logistic) Dim() int { return p.d }

// Samples returns the number of samples n.
func (p *Logistic) Samples() int { return p.n }

// Lambda returns the L2 weight λ.
func (p *Logistic) Lambda() float64 { return p.lambda }

// ValueGrad returns f(w) and stores ∇f(w) in grad, in one pass over the data.
func (p *Logistic) ValueGrad(grad, w []float64) float64 {
	p.checkLen("Logistic.ValueGrad", grad, w)
	return p.valueGrad(grad, w, &p.loss)
}

// SampleValueGrad returns fᵢ(w) and stores ∇fᵢ(w) in grad.
func (p *Logistic) SampleValueGrad(grad, w []float64, i int) float64 {
	p.checkLen("Logistic.SampleValueGrad", grad, w)
	clear(grad)
	return p.sample(grad, w, i, 1, &p.loss)
}

// BatchValueGrad returns the mean of fᵢ(w) over the indices idx (repetitions count) and
// stores its gradient in grad.
func (p *Logistic) BatchValueGrad(grad, w []float64, idx []int) float64 {
	p.checkLen("Logistic.BatchValueGrad", grad, w)
	return p.batch(grad, w, idx, &p.loss)
}

// SampleSmoothness returns Lᵢ = ‖xᵢ‖²/4 + λ, the smoothness constant of fᵢ.
func (p *Logistic) SampleSmoothness(i int) float64 { return p.rowSqNorm(i)/4 + p.lambda }

// Smoothness returns L = λmax(XᵀX)/(4n) + λ, the supremum of the Hessian's eigenvalues
// (attained at w = 0). λmax is computed once, by Lanczos on passes over the data.
func (p *Logistic) Smoothness() float64 { return p.gramMax()/4 + p.lambda }

// StrongConvexity returns μ = λ, the infimum of the Hessian's eigenvalues.
func (p *Logistic) StrongConvexity() float64 { return p.lambda }

// HessVec stores ∇²f(w)·v in dst. The curvatures σᵢ(1−σᵢ) at w are kept from one call to
// the next, so that repeated products at the same w cost one pass each.
func (p *Logistic) HessVec(dst, w, v []float64) {
	p.checkLen("Logistic.HessVec", dst, w, v)
	p.curvatures(w)
	p.eng.pass(dst, v, &p.hv)
	inv := 1 / float64(p.n)
	for j := range dst {
		dst[j] = dst[j]*inv + p.lambda*v[j]
	}
}

func (p *Logistic) curvatures(w []float64) {
	if !sameVec(w, p.hessW) {
		p.eng.pass(nil, w, &p.curv)
		p.hessW = append(p.hessW[:0], w...)
	}
}

// Hessian stores ∇²f(w) in dst (d×d, row-major). It costs O(nd²).
func (p *Logistic) Hessian(dst, w []float64) { _ = p.HessianContext(context.Background(), dst, w) }

// HessianContext is [Logistic.Hessian] that stops, returning ctx.Err(), if ctx is done
// before dst is complete (it looks every 64 samples).
func (p *Logistic) HessianContext(ctx context.Context, dst, w []float64) error {
	if len(dst) != p.d*p.d {
		panic(fmt.Sprintf("problem: Logistic.Hessian: len(dst) = %d, want %d", len(dst), p.d*p.d))
	}
	p.checkLen("Logistic.Hessian", w)
	p.curvatures(w)
	if err := weightedGram(ctx, dst, p.x, p.curv.dst, 1/float64(p.n)); err != nil {
		return err
	}
	for j := 0; j < p.d; j++ {
		dst[j*p.d+j] += p.lambda
	}
	return nil
}

// weightedGram stores scale·Σᵢ cᵢ xᵢxᵢᵀ in dst (d×d), for cᵢ ≥ 0. It returns ctx.Err(),
// dst incomplete, if ctx is done before (it looks every 64 rows).
func weightedGram(ctx context.Context, dst []float64, x design, c []float64, scale float64) error {
	n, d := x.rows(), x.cols()
	const bs = 64
	blk := make([]float64, bs*d)
	out := blas64.Symmetric{Uplo: blas.Upper, N: d, Stride: d, Data: dst}
	clear(dst)
	for lo := 0; lo < n; lo += bs {
		if err := ctx.Err(); err != nil {
			return err
		}
		hi := min(lo+bs, n)
		for i := lo; i < hi; i++ {
			row := blk[(i-lo)*d : (i-lo+1)*d]
			x.row(row, i)
			scal(math.Sqrt(c[i]), row)
		}
		a := blas64.General{Rows: hi - lo, Cols: d, Stride: d, Data: blk[:(hi-lo)*d]}
		blas64.Syrk(blas.Trans, scale, a, 1, out)
	}
	for i := 0; i < d; i++ {
		for j := i + 1; j < d; j++ {
			dst[j*d+i] = dst[i*d+j]
		}
	}
	return nil
}

// logLoss: ℓᵢ = log(1 + exp(−yᵢzᵢ)), ∂ℓᵢ/∂zᵢ = −yᵢ/(1 + exp(yᵢzᵢ)). With the margin
// m = yᵢzᵢ and e = exp(−|m|), ℓᵢ = max(−m, 0) + log1p(e), and ∂ℓᵢ/∂zᵢ = −yᵢe/(1 + e) for
// m ≥ 0, −yᵢ/(1 + e) for m < 0. The exponentials are internal/vexp's, a block of rows at
// a time in rows, one at a time (the same bits) in row.
type logLoss struct{ y []float64 }

func (f *logLoss) row(i int, z, r []float64) (float64, float64) {
	m := f.y[i] * z[0]
	return logRow(f.y[i], m, vexp.Exp1(-math.Abs(m)), r)
}

func (f *logLoss) rows(lo, hi int, z, r []float64, s, prod float64) (float64, float64) {
	n := hi - lo
	y, z, r := f.y[lo:hi], z[:n], r[:n]
	for i := range r {
		r[i] = -math.Abs(y[i] * z[i])
	}
	vexp.Exp(r, r)
	for i := range r {
		e := r[i]
		a, t := logRow(y[i], y[i]*z[i], e, r[i:i+1])
		s += a
		prod *= 1 + t
	}
	return s, prod
}

// logRow stores ∂ℓ/∂z in r[0] and returns ℓ as a + log1p(t), for the label y, the margin
// m and e = exp(−|m|).
func logRow(y, m, e float64, r []float64) (float64, float64) {
	// The cases are selected on the sign bit of m, without a branch, which a margin's
	// sign would mispredict far from the optimum. m = −0 takes the second case, where
	// e = 1 makes both cases agree.
	neg := -(math.Float64bits(m) >> 63) // all ones where m < 0
	n := math.Float64frombits(math.Float64bits(e)&^neg | math.Float64bits(1)&neg)
	r[0] = -y * n / (1 + e)
	return math.Float64frombits(math.Float64bits(-m) & neg), e
}

// logCurv stores the curvatures σ(zᵢ)(1 − σ(zᵢ)) in dst.
type logCurv struct{ y, dst []float64 }

func (f *logCurv) row(i int, z, r []float64) (float64, float64) {
	e := math.Exp(-math.Abs(z[0]))
	f.dst[i] = e / ((1 + e) * (1 + e))
	r[0] = 0
	return 0, 0
}

// logHessVec: rᵢ = cᵢ·(xᵢ·v).
type logHessVec struct{ curv []float64 }

func (f *logHessVec) row(i int, z, r []float64) (float64, float64) {
	r[0] = f.curv[i] * z[0]
	return 0, 0
}
