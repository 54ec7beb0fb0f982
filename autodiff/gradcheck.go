package autodiff

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/descent-ml/descent/tensor"
)

// GradCheckConfig holds the options of [CheckGrad]. The zero value uses the defaults.
type GradCheckConfig struct {
	// Step is the finite-difference step h. If Step is 0, it is 1e-2: in float32 the
	// rounding error of a difference quotient grows as 1/h (about 1e-7·|f|/h) while the
	// truncation error of the central difference shrinks as h².
	Step float64
	// Tol is the tolerance: the check fails where |backward − numerical| exceeds
	// Tol·(1 + the largest |backward| of that input). If Tol is 0, it is 2e-4.
	Tol float64
	// Seed seeds the random weights of the functional that is differentiated.
	Seed uint64
}

// A GradError reports an element whose gradient from the backward pass differs from its
// finite-difference estimate.
type GradError struct {
	Input     int   // which input
	Shape     []int // its shape
	Element   int   // the element's index in the input's storage
	Backward  float64
	Numerical float64
	Tol       float64 // the tolerance the difference exceeds
}

func (e *GradError) Error() string {
	return fmt.Sprintf("autodiff: gradient check: input %d %v, element %d: backward %.7g, finite difference %.7g (tolerance %.3g)",
		e.Input, e.Shape, e.Element, e.Backward, e.Numerical, e.Tol)
}

// CheckGrad checks the backward pass of f, a function of the inputs computed on a tape
// (the tape's operations, [Tape.Custom] operations of your own, or both), against central
// differences. It draws a random tensor r of the output's shape from cfg.Seed and compares
// the gradient of L = Σ r ⊙ f(x) with respect to every element of every input, computed by
// [Tape.Backward], with
//
//	(L(x + h·e_i) − L(x − h·e_i)) / (x_i⁺ − x_i⁻)
//
// where x_i± are the float32 values x_i ± h actually take and L is summed in float64 from
// f's float32 output, in inference mode. It returns a *[GradError] for the first element
// outside the tolerance, nil if there is none.
//
// f must be deterministic: an operation that draws random numbers (dropout) must draw
// them from a generator that f seeds afresh at each call. CheckGrad changes the inputs'
// elements one at a time and restores them; inputs near a kink of f (ReLU at 0, the max
// of a pooling window) must be farther from it than h. It makes 2·n + 1 calls of f for n
// input elements, so it is meant for small inputs.
func CheckGrad(f func(t *Tape, x []*Var) *Var, inputs []*tensor.Tensor, cfg GradCheckConfig) error {
	h, tol := cfg.Step, cfg.Tol
	if h == 0 {
		h = 1e-2
	}
	if tol == 0 {
		tol = 2e-4
	}
	params := make([]*Var, len(inputs))
	for i, x := range inputs {
		params[i] = NewParam(x)
	}
	tp := NewTape()
	out := f(tp, params)
	r := tensor.New(out.Value.Shape()...)
	rng := rand.New(rand.NewPCG(cfg.Seed, 0x9e3779b97f4a7c15))
	for i := range r.Data() {
		r.Data()[i] = float32(rng.NormFloat64())
	}
	tp.Backward(tp.Sum(tp.Mul(out, tp.Const(r))))

	eval := func() (float64, error) {
		tp.Reset()
		tp.SetInference(true)
		defer tp.SetInference(false)
		y := f(tp, params)
		if len(tp.nodes) != 0 {
			return 0, fmt.Errorf("autodiff: gradient check: inference mode recorded %d operations", len(tp.nodes))
		}
		if !y.Value.SameShape(r) {
			return 0, fmt.Errorf("autodiff: gradient check: output of shape %v, then %v", r.Shape(), y.Value.Shape())
		}
		var s float64
		for i, v := range y.Value.Data() {
			s += float64(v) * float64(r.Data()[i])
		}
		return s, nil
	}
	for pi, p := range params {
		x, g := p.Value.Data(), p.Grad.Data()
		scale := 0.0
		for _, v := range g {
			scale = max(scale, math.Abs(float64(v)))
		}
		for i := range x {
			old := x[i]
			xp, xm := old+float32(h), old-float32(h)
			x[i] = xp
			fp, err := eval()
			if err != nil {
				x[i] = old
				return err
			}
			x[i] = xm
			fm, err := eval()
			x[i] = old
			if err != nil {
				return err
			}
			num := (fp - fm) / (float64(xp) - float64(xm))
			if d := math.Abs(num - float64(g[i])); !(d <= tol*(1+scale)) {
				return &GradError{Input: pi, Shape: append([]int(nil), p.Value.Shape()...), Element: i,
					Backward: float64(g[i]), Numerical: num, Tol: tol * (1 + scale)}
			}
		}
	}
	return nil
}
