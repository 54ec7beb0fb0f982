package autodiff

import (
	"math/rand/v2"
	"testing"

	"github.com/descent-ml/descent/tensor"
)

// BenchmarkLayerNormMSE times a step on the tape at batch 128×256: a LayerNorm with an
// affine transform of a parameter, the MSE loss against a target, and the backward pass
// into the input and the LayerNorm's weight and bias, as in the head of a regression MLP.
func BenchmarkLayerNormMSE(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	rnd := func(shape ...int) *tensor.Tensor {
		x := tensor.New(shape...)
		normal(rng, []*tensor.Tensor{x})
		return x
	}
	x, w, bias, y := NewParam(rnd(128, 256)), NewParam(rnd(256)), NewParam(rnd(256)), rnd(128, 256)
	tp := NewTape()
	for _, c := range []struct {
		name string
		f    func() *Var
	}{
		{"LayerNorm+MSE", func() *Var { return tp.MSELoss(tp.LayerNorm(x, w, bias, 1, 1e-5), tp.Const(y), tensor.ReduceMean) }},
		{"MSE", func() *Var { return tp.MSELoss(x, tp.Const(y), tensor.ReduceMean) }},
	} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				tp.Reset()
				tp.Backward(c.f())
			}
		})
	}
}
