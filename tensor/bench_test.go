package tensor

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// The layers of the MNIST CNN at batch 128.
var convBench = []struct {
	name       string
	n, c, h, f int
}{
	{"conv1", 128, 1, 28, 32},
	{"conv2", 128, 32, 26, 64},
}

func BenchmarkConv2d(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	for _, c := range convBench {
		x, w, bias := randn(rng, c.n, c.c, c.h, c.h), randn(rng, c.f, c.c, 3, 3), randn(rng, c.f)
		s := Conv2dShape(x, w, Conv2dConfig{})
		y, dy, dx, dw, db := New(s[:]...), randn(rng, s[:]...), New(c.n, c.c, c.h, c.h), New(c.f, c.c, 3, 3), New(c.f)
		work := make([]float32, Conv2dWorkLen(x, w, Conv2dConfig{}))
		flops := 2 * float64(c.n*c.f*s[2]*s[3]*c.c*9)
		b.Run(c.name+"/forward", func(b *testing.B) {
			for b.Loop() {
				Conv2d(y, x, w, bias, Conv2dConfig{}, ActReLU, work)
			}
			b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
		b.Run(c.name+"/backward-input", func(b *testing.B) {
			for b.Loop() {
				Conv2dBackwardInput(dx, dy, w, Conv2dConfig{}, Assign, work)
			}
			b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
		b.Run(c.name+"/backward-weight", func(b *testing.B) {
			for b.Loop() {
				Conv2dBackwardWeight(dw, db, dy, x, Conv2dConfig{}, Accumulate, work)
			}
			b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
		// The pooled backward passes, as the CNN runs conv2: their GFLOP/s count the
		// multiply-adds of the unpooled products, which they mostly skip (the -product
		// variants run the products instead).
		ps := Conv2dReLUMaxPoolShape(x, w, Conv2dConfig{})
		yp, dyp, idx := New(ps[:]...), randn(rng, ps[:]...), make([]int32, ps[0]*ps[1]*ps[2]*ps[3])
		Conv2dReLUMaxPool(yp, idx, x, w, bias, Conv2dConfig{}, work)
		for _, sparse := range []bool{true, false} {
			suffix := ""
			if !sparse {
				suffix = "-product"
			}
			b.Run(c.name+"/pooled-backward-input"+suffix, func(b *testing.B) {
				defer func(old bool) { sparsePooled = old }(sparsePooled)
				sparsePooled = sparse
				for b.Loop() {
					Conv2dReLUMaxPoolBackwardInput(dx, dyp, yp, idx, w, Conv2dConfig{}, Assign, work)
				}
				b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
			b.Run(c.name+"/pooled-backward-weight"+suffix, func(b *testing.B) {
				defer func(old bool) { sparsePooled = old }(sparsePooled)
				sparsePooled = sparse
				for b.Loop() {
					Conv2dReLUMaxPoolBackwardWeight(dw, db, dyp, yp, idx, x, Conv2dConfig{}, Accumulate, work)
				}
				b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	}
}

func BenchmarkMaxPool2d(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	x := randn(rng, 128, 64, 24, 24)
	y, dx := New(128, 64, 12, 12), New(128, 64, 24, 24)
	idx := make([]int32, y.Len())
	b.Run("forward", func(b *testing.B) {
		for b.Loop() {
			MaxPool2d(y, idx, x, 2, 2)
		}
	})
	b.Run("backward", func(b *testing.B) {
		for b.Loop() {
			MaxPool2dBackward(dx, y, idx, Assign)
		}
	})
}

func BenchmarkLinear(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	for _, s := range [][3]int{{128, 784, 1000}, {128, 1000, 1000}, {128, 1000, 10}, {128, 784, 10}, {128, 9216, 128}} {
		x, w, bias := randn(rng, s[0], s[1]), randn(rng, s[2], s[1]), randn(rng, s[2])
		y := New(s[0], s[2])
		b.Run(fmt.Sprintf("%dx%dx%d", s[0], s[1], s[2]), func(b *testing.B) {
			for b.Loop() {
				Linear(y, x, w, bias, ActReLU)
			}
			b.ReportMetric(2*float64(s[0]*s[1]*s[2])*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}

// BenchmarkLayerNorm times the forward and backward kernels of a LayerNorm over the 256
// features of a batch of 128, with an affine transform, all gradients wanted.
func BenchmarkLayerNorm(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	x, dy, w, bias := randn(rng, 128, 256), randn(rng, 128, 256), randn(rng, 256), randn(rng, 256)
	y, dx, dw, db := New(128, 256), New(128, 256), New(256), New(256)
	stats := make([]float32, LayerNormStatsLen(x, 256))
	b.Run("forward+backward", func(b *testing.B) {
		for b.Loop() {
			LayerNorm(y, x, 256, w, bias, 1e-5, stats)
			LayerNormBackward(dx, dw, db, dy, x, w, 256, stats, Assign, Accumulate, Accumulate)
		}
	})
}

// BenchmarkMSELoss times the loss and its gradient on a batch of 128×256.
func BenchmarkMSELoss(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	a, t, da := randn(rng, 128, 256), randn(rng, 128, 256), New(128, 256)
	b.Run("forward+backward", func(b *testing.B) {
		for b.Loop() {
			MSELoss(a, t, ReduceMean)
			MSELossBackward(da, a, t, 1, ReduceMean, Assign)
		}
	})
}

// BenchmarkLogSoftmax times LogSoftmax and its backward on a classifier's outputs: a batch
// of 128 rows of 10 classes (MNIST's).
func BenchmarkLogSoftmax(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	x, dy := randn(rng, 128, 10), randn(rng, 128, 10)
	y, dx := New(128, 10), New(128, 10)
	b.Run("forward", func(b *testing.B) {
		for b.Loop() {
			LogSoftmax(y, x, -1)
		}
	})
	b.Run("backward", func(b *testing.B) {
		for b.Loop() {
			LogSoftmaxBackward(dx, dy, y, -1, Assign)
		}
	})
}
