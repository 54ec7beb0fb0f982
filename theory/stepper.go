package theory

import (
	"math/rand/v2"

	"github.com/descent-ml/descent/minimize"
	"github.com/descent-ml/descent/optim"
)

// finiteSum is a problem F = (1/N)Σᵢ fᵢ whose samples can be evaluated alone: the least
// squares and logistic regressions of package problem.
type finiteSum interface {
	minimize.Objective
	Samples() int
	SampleValueGrad(grad, w []float64, i int) float64
	BatchValueGrad(grad, w []float64, idx []int) float64
	SampleSmoothness(i int) float64
}

// maxSampleSmoothness returns maxᵢ Lᵢ.
func maxSampleSmoothness(f finiteSum) float64 {
	m := 0.0
	for i := range f.Samples() {
		m = max(m, f.SampleSmoothness(i))
	}
	return m
}

// sigma2 returns σ² = (1/N)Σᵢ‖fᵢ'(θ) − F'(θ)‖², the variance of one sampled gradient at θ
// (E‖fᵢ'(θ*)‖² at the optimum), and F'(θ).
func sigma2(f finiteSum, theta []float64) (float64, []float64) {
	d := f.Dim()
	full := make([]float64, d)
	f.ValueGrad(full, theta)
	g := make([]float64, d)
	s := 0.0
	for i := range f.Samples() {
		f.SampleValueGrad(g, theta, i)
		for k := range g {
			e := g[k] - full[k]
			s += e * e
		}
	}
	return s / float64(f.Samples()), full
}

// stepper32 runs an optimiser of package optim on a finite sum: the parameters are float32,
// as a model's are; each step evaluates the sampled gradient in float64 at the float32
// iterate and hands it to the optimiser rounded to float32.
type stepper32 struct {
	f     finiteSum
	param optim.Param
	opt   optim.Optimizer
	w, g  []float64
	idx   []int
}

// newStepper32 starts at x0 (rounded to float32) with the optimiser that mk builds over
// the one parameter "theta".
func newStepper32(f finiteSum, x0 []float64, mk func([]*optim.Param) (optim.Optimizer, error)) (*stepper32, error) {
	d := f.Dim()
	s := &stepper32{f: f, w: make([]float64, d), g: make([]float64, d)}
	s.param = optim.Param{Name: "theta", Shape: []int{d}, Value: make([]float32, d), Grad: make([]float32, d)}
	for i, v := range x0 {
		s.param.Value[i] = float32(v)
	}
	opt, err := mk([]*optim.Param{&s.param})
	if err != nil {
		return nil, err
	}
	s.opt = opt
	return s, nil
}

// sgd32 returns a maker of plain SGD with step lr.
func sgd32(lr float64) func([]*optim.Param) (optim.Optimizer, error) {
	return func(p []*optim.Param) (optim.Optimizer, error) { return optim.NewSGD(p, optim.SGDConfig{LR: lr}) }
}

// x returns the current iterate in float64 (a view reused by the next call).
func (s *stepper32) x() []float64 {
	for i, v := range s.param.Value {
		s.w[i] = float64(v)
	}
	return s.w
}

// step takes one step on the gradient of the mean of the samples idx (one sample for
// plain SGD).
func (s *stepper32) step(idx ...int) error {
	w := s.x()
	if len(idx) == 1 {
		s.f.SampleValueGrad(s.g, w, idx[0])
	} else {
		s.f.BatchValueGrad(s.g, w, idx)
	}
	for i, v := range s.g {
		s.param.Grad[i] = float32(v)
	}
	return s.opt.Step()
}

// stepRandom takes one step on a mini-batch of b indices drawn with replacement from r.
func (s *stepper32) stepRandom(r *rand.Rand, b int) error {
	n := s.f.Samples()
	if b == 1 {
		return s.step(r.IntN(n))
	}
	s.idx = s.idx[:0]
	for range b {
		s.idx = append(s.idx, r.IntN(n))
	}
	return s.step(s.idx...)
}

// value returns F at the current iterate.
func (s *stepper32) value() float64 {
	return s.f.ValueGrad(s.g, s.x())
}
