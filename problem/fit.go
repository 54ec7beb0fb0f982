package problem

import (
	"fmt"
	"math/rand/v2"
	"sync"
)

// fit holds what the data-fitting problems (least squares, logistic regressions) share:
// the design, the engine of parallel passes over it, the L2 weight λ and scratch for
// single samples. A problem's parameters are m vectors of d weights, one per output.
type fit struct {
	x       design
	n, d, m int
	lambda  float64
	eng     *engine
	z, r    []float64 // scratch for one sample
	single  []float64 // scratch: gradient of one sample
	at      []int     // sample i is row at[i] of x; nil: row i (see design.samples)

	gramOnce sync.Once
	gram     float64 // λmax(XᵀX)/n
	gramRows gramRows
}

func newFit(x design, m int, lambda float64, name string) fit {
	if lambda < 0 {
		panic(fmt.Sprintf("problem: %s: negative λ %v", name, lambda))
	}
	if x.rows() < 1 || x.cols() < 1 {
		panic(fmt.Sprintf("problem: %s: empty data (%d×%d)", name, x.rows(), x.cols()))
	}
	var at []int
	if s := x.samples(); s != nil {
		at = make([]int, len(s))
		for i, v := range s {
			at[v] = i
		}
	}
	return fit{x: x, n: x.rows(), d: x.cols(), m: m, lambda: lambda, eng: newEngine(x, m),
		z: make([]float64, m), r: make([]float64, m), single: make([]float64, m*x.cols()), at: at}
}

// rowOf returns the row of x that holds sample i, panicking if there is no sample i.
func (f *fit) rowOf(i int) int {
	if i < 0 || i >= f.n {
		panic(fmt.Sprintf("problem: sample index %d out of range [0, %d)", i, f.n))
	}
	if f.at != nil {
		return f.at[i]
	}
	return i
}

// byRow returns v, given sample by sample, in the order of x's rows (v itself if that is
// the samples' order).
func byRow[T any](x design, v []T) []T {
	s := x.samples()
	if s == nil {
		return v
	}
	out := make([]T, len(v))
	for i, j := range s {
		out[i] = v[j]
	}
	return out
}

func (f *fit) dim() int { return f.m * f.d }

func (f *fit) checkLen(name string, s ...[]float64) {
	for _, v := range s {
		if len(v) != f.dim() {
			panic(fmt.Sprintf("problem: %s: slice of length %d, want %d", name, len(v), f.dim()))
		}
	}
}

// valueGrad returns (1/n)Σᵢ ℓᵢ + λ/2‖w‖² and its gradient, where rows computes ℓᵢ and
// its derivatives with respect to zᵢ.
func (f *fit) valueGrad(grad, w []float64, rows rowFunc) float64 {
	s := f.eng.pass(grad, w, rows)
	inv := 1 / float64(f.n)
	for j := range grad {
		grad[j] = grad[j]*inv + f.lambda*w[j]
	}
	return s*inv + f.lambda/2*dot(w, w)
}

// sample returns ℓᵢ(w) + λ/2‖w‖² and adds scale times its gradient to grad.
func (f *fit) sample(grad, w []float64, i int, scale float64, rows rowFunc) float64 {
	i = f.rowOf(i)
	f.x.dots(f.z, w, f.m, i, i+1)
	l := rowValue(rows.row(i, f.z, f.r))
	for k := range f.r {
		f.r[k] *= scale
	}
	f.x.axpys(grad, f.r, f.m, i, i+1)
	axpy(grad, scale*f.lambda, w)
	return l + f.lambda/2*dot(w, w)
}

// batch returns the mean of the samples idx (repetitions count) and its gradient.
func (f *fit) batch(grad, w []float64, idx []int, rows rowFunc) float64 {
	if len(idx) == 0 {
		panic("problem: empty batch")
	}
	clear(grad)
	inv := 1 / float64(len(idx))
	s := 0.0
	for _, i := range idx {
		s += f.sample(grad, w, i, inv, rows)
	}
	return s * inv
}

// rowSqNorm returns ‖xᵢ‖².
func (f *fit) rowSqNorm(i int) float64 {
	row := f.single[:f.d]
	f.x.row(row, f.rowOf(i))
	return dot(row, row)
}

// gramMax returns λmax(XᵀX)/n, computed once by LanczosMax on passes over the data from a
// fixed start, to relative 1e-13: the Ritz value plus its residual, an upper bound.
func (f *fit) gramMax() float64 {
	f.gramOnce.Do(func() {
		e := f.eng
		if f.m != 1 {
			e = newEngine(f.x, 1)
		}
		inv := 1 / float64(f.n)
		ext := LanczosMax(f.d, func(dst, v []float64) {
			e.pass(dst, v, &f.gramRows)
			scal(inv, dst)
		}, 0, 1e-13, rand.New(rand.NewPCG(1, 2)))
		f.gram = ext.Max + ext.ResMax
	})
	return f.gram
}

// gramRows makes a pass compute XᵀXv.
type gramRows struct{}

func (gramRows) row(_ int, z, r []float64) (float64, float64) {
	copy(r, z)
	return 0, 0
}

// sameVec reports whether a equals b elementwise (b may be nil).
func sameVec(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
