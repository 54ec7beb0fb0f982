package model

import (
	"math/rand/v2"
	"testing"

	"github.com/descent-ml/descent/autodiff"
	"github.com/descent-ml/descent/nn"
	"github.com/descent-ml/descent/tensor"
)

// BenchmarkTrainStep times forward, backward and a plain SGD update of each model on a
// batch of 128 (descent bench step times the same with the optimisers of package optim).
func BenchmarkTrainStep(b *testing.B) {
	for _, name := range Names() {
		b.Run(name, func(b *testing.B) {
			rng := rand.New(rand.NewPCG(1, 2))
			m, err := New(name, Config{}, rng)
			if err != nil {
				b.Fatal(err)
			}
			x := tensor.New(128, Inputs)
			for i := range x.Data() {
				x.Data()[i] = float32(rng.NormFloat64())
			}
			y := make([]int, 128)
			for i := range y {
				y[i] = rng.IntN(Classes)
			}
			params := nn.Params(m)
			tp := autodiff.NewTape()
			for b.Loop() {
				tp.Reset()
				for _, p := range params {
					clear(p.Grad)
				}
				tp.Backward(tp.NLLLoss(m.Forward(tp, tp.Const(x)), y))
				for _, p := range params {
					for i := range p.Value {
						p.Value[i] -= 1e-3 * p.Grad[i]
					}
				}
			}
		})
	}
}
