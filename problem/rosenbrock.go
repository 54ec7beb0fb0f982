package problem

import "fmt"

// Rosenbrock is the extended Rosenbrock function on ℝᵈ, d ≥ 2,
//
//	f(x) = Σᵢ₌₁ᵈ⁻¹ [100(xᵢ₊₁ − xᵢ²)² + (1 − xᵢ)²],
//
// non-convex, with its minimum f* = 0 at (1, …, 1) at the bottom of a curved valley.
type Rosenbrock struct {
	dim  int
	ones []float64
}

// NewRosenbrock returns the Rosenbrock function on ℝᵈⁱᵐ.
func NewRosenbrock(dim int) *Rosenbrock {
	if dim < 2 {
		panic(fmt.Sprintf("problem: NewRosenbrock: dimension %d < 2", dim))
	}
	ones := make([]float64, dim)
	for i := range ones {
		ones[i] = 1
	}
	return &Rosenbrock{dim: dim, ones: ones}
}

// Dim returns d.
func (p *Rosenbrock) Dim() int { return p.dim }

// ValueGrad returns f(x) and stores ∇f(x) in grad.
func (p *Rosenbrock) ValueGrad(grad, x []float64) float64 {
	checkDim("Rosenbrock", p.dim, grad, x)
	clear(grad)
	f := 0.0
	for i := 0; i+1 < p.dim; i++ {
		a := x[i+1] - x[i]*x[i]
		b := 1 - x[i]
		f += 100*a*a + b*b
		grad[i] += -400*x[i]*a - 2*b
		grad[i+1] += 200 * a
	}
	return f
}

// HessVec stores ∇²f(x)·v in dst.
func (p *Rosenbrock) HessVec(dst, x, v []float64) {
	checkDim("Rosenbrock", p.dim, dst, x, v)
	clear(dst)
	for i := 0; i+1 < p.dim; i++ {
		hii := 1200*x[i]*x[i] - 400*x[i+1] + 2
		hij := -400 * x[i]
		dst[i] += hii*v[i] + hij*v[i+1]
		dst[i+1] += hij*v[i] + 200*v[i+1]
	}
}

// Hessian stores ∇²f(x) in dst (d×d, row-major).
func (p *Rosenbrock) Hessian(dst, x []float64) {
	d := p.dim
	if len(dst) != d*d {
		panic(fmt.Sprintf("problem: Rosenbrock.Hessian: len(dst) = %d, want %d", len(dst), d*d))
	}
	checkDim("Rosenbrock", d, x)
	clear(dst)
	for i := 0; i+1 < d; i++ {
		dst[i*d+i] += 1200*x[i]*x[i] - 400*x[i+1] + 2
		dst[i*d+i+1] += -400 * x[i]
		dst[(i+1)*d+i] += -400 * x[i]
		dst[(i+1)*d+i+1] += 200
	}
}

// Optimum returns (1, …, 1) and f* = 0.
func (p *Rosenbrock) Optimum() ([]float64, float64) { return p.ones, 0 }
