package tensor

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// TestConv2dDirect checks that a convolution of one input channel with 3×3 filters gives the
// same bits through convk.Conv3x3One as through the implicit-GEMM products, with and
// without bias and rectifier, on filter counts the kernels take (8, 32) and one the
// forward kernel leaves to the products (12); and the weight and bias gradients through
// convk.Conv3x3OneGrad to 1e-5 of the products'.
func TestConv2dDirect(t *testing.T) {
	rng := rand.New(rand.NewPCG(61, 62))
	defer func() { conv3x3Direct = true }()
	for _, c := range []struct{ n, f, h, w int }{{5, 32, 28, 28}, {3, 8, 10, 37}, {2, 12, 9, 9}} {
		for _, act := range []Activation{ActNone, ActReLU} {
			for _, biased := range []bool{false, true} {
				x, w := randn(rng, c.n, 1, c.h, c.w), randn(rng, c.f, 1, 3, 3)
				var b *Tensor
				if biased {
					b = randn(rng, c.f)
				}
				work := make([]float32, Conv2dWorkLen(x, w, Conv2dConfig{}))
				shape := Conv2dShape(x, w, Conv2dConfig{})
				got, want := New(shape[:]...), New(shape[:]...)
				conv3x3Direct = true
				Conv2d(got, x, w, b, Conv2dConfig{}, act, work)
				conv3x3Direct = false
				Conv2d(want, x, w, b, Conv2dConfig{}, act, work)
				what := fmt.Sprintf("%d×1×%d×%d, %d filters, act %d, bias %v", c.n, c.h, c.w, c.f, act, biased)
				for i, v := range got.data {
					if math.Float32bits(v) != math.Float32bits(want.data[i]) {
						t.Fatalf("%s: y[%d] = %v, by the products %v", what, i, v, want.data[i])
					}
				}
				// The weight and bias gradients, summed in another order: to 1e-5 of the
				// largest (each is a sum of n·oh·ow terms of about 1).
				dy := randn(rng, shape[:]...)
				dw, dwp := New(c.f, 1, 3, 3), New(c.f, 1, 3, 3)
				var db, dbp *Tensor
				if biased {
					db, dbp = New(c.f), New(c.f)
				}
				conv3x3Direct = true
				Conv2dBackwardWeight(dw, db, dy, x, Conv2dConfig{}, Assign, work)
				conv3x3Direct = false
				Conv2dBackwardWeight(dwp, dbp, dy, x, Conv2dConfig{}, Assign, work)
				pairs := [][2]*Tensor{{dw, dwp}}
				if biased {
					pairs = append(pairs, [2]*Tensor{db, dbp})
				}
				for _, p := range pairs {
					scale := 0.0
					for _, v := range p[1].data {
						scale = math.Max(scale, math.Abs(float64(v)))
					}
					for i, v := range p[0].data {
						if math.Abs(float64(v-p[1].data[i])) > 1e-5*scale {
							t.Fatalf("%s: gradient [%d] = %v, by the products %v", what, i, v, p[1].data[i])
						}
					}
				}
			}
		}
	}
}
