package tensor

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// TestConv2dDirect checks that a convolution of one input channel with 3×3 filters gives the
// same bits through convk.Conv3x3One as through the implicit-GEMM products, with and
// without bias and rectifier, on filter counts the kernel takes (8, 32) and one it leaves
// to the products (12).
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
			}
		}
	}
}
