package autodiff

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/descent-ml/descent/tensor"
)

// TestConv2dReLUMaxPoolMatchesChain checks the fused operation against Conv2d with ActReLU
// followed by MaxPool2d on the tape: the same values, and the same gradients of the input,
// weights and bias bit for bit, for a loss that weights the pooled outputs at random
// (through a Linear layer), with the bias learning or not.
func TestConv2dReLUMaxPoolMatchesChain(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 9))
	rnd := func(shape ...int) *tensor.Tensor {
		x := tensor.New(shape...)
		normal(rng, []*tensor.Tensor{x})
		return x
	}
	for _, withBias := range []bool{true, false} {
		xv, wv, bv := rnd(3, 4, 9, 10), rnd(6, 4, 3, 3), rnd(6)
		lw := rnd(2, 6*3*4)
		run := func(fused bool) (out []float32, grads [][]float32) {
			x, w, b, l := NewParam(xv.Clone()), NewParam(wv.Clone()), NewParam(bv.Clone()), NewParam(lw.Clone())
			if !withBias {
				b = nil
			}
			tp := NewTape()
			var y *Var
			if fused {
				y = tp.Conv2dReLUMaxPool(x, w, b, tensor.Conv2dConfig{})
			} else {
				y = tp.MaxPool2d(tp.Conv2d(x, w, b, tensor.Conv2dConfig{}, tensor.ActReLU), 2, 2)
			}
			z := tp.Linear(tp.Flatten(y), l, nil, tensor.ActNone)
			tp.Backward(tp.Sum(z))
			out = append(out, y.Value.Data()...)
			for _, p := range []*Var{x, w, b, l} {
				if p != nil {
					grads = append(grads, append([]float32(nil), p.Grad.Data()...))
				}
			}
			return out, grads
		}
		wantOut, wantGrads := run(false)
		gotOut, gotGrads := run(true)
		for i := range wantOut {
			if gotOut[i] != wantOut[i] {
				t.Fatalf("bias %v: output %d = %v, chain %v", withBias, i, gotOut[i], wantOut[i])
			}
		}
		for k := range wantGrads {
			for i := range wantGrads[k] {
				if math.Float32bits(gotGrads[k][i]) != math.Float32bits(wantGrads[k][i]) {
					t.Fatalf("bias %v: gradient %d element %d = %v, chain %v", withBias, k, i, gotGrads[k][i], wantGrads[k][i])
				}
			}
		}
	}
}
