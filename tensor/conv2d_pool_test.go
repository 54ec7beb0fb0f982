package tensor

import (
	"math"
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/descent-ml/descent/internal/vec"
)

// TestConv2dReLUMaxPool checks the fused convolution, rectifier and pooling against the
// three run one after the other ([Conv2d] with ActReLU, [MaxPool2d], and backward
// [MaxPool2dBackward], the rectifier's mask, [Conv2dBackwardInput] and
// [Conv2dBackwardWeight]): the same pooled values and positions, and the same gradients
// bit for bit, on the implicit-GEMM path and the im2col one, on 1, 2 and 3 cores.
func TestConv2dReLUMaxPool(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	type cfg struct{ n, c, h, w, f, k, s, p int }
	cases := []cfg{
		{2, 32, 12, 12, 8, 3, 1, 0}, // implicit, the CNN's conv2 in small
		{3, 1, 9, 8, 4, 3, 1, 0},    // implicit, one channel, odd output width
		{2, 3, 7, 9, 5, 3, 1, 1},    // implicit, padded, odd output height
		{3, 2, 9, 8, 3, 3, 2, 1},    // im2col (stride 2)
		{2, 4, 6, 6, 3, 1, 1, 0},    // implicit, 1×1 kernel
	}
	for _, procs := range []int{1, 2, 3} {
		old := runtime.GOMAXPROCS(procs)
		for _, c := range cases {
			x, w, b := randn(rng, c.n, c.c, c.h, c.w), randn(rng, c.f, c.c, c.k, c.k), randn(rng, c.f)
			cc := Conv2dConfig{Stride: c.s, Padding: c.p}
			work := make([]float32, Conv2dWorkLen(x, w, cc))
			// Unfused.
			s := Conv2dShape(x, w, cc)
			yr := New(s[:]...)
			Conv2d(yr, x, w, b, cc, ActReLU, work)
			ps := MaxPool2dShape(yr, 2, 2)
			want, wantIdx := New(ps[:]...), make([]int32, ps[0]*ps[1]*ps[2]*ps[3])
			MaxPool2d(want, wantIdx, yr, 2, 2)
			// Fused.
			if got := Conv2dReLUMaxPoolShape(x, w, cc); got != ps {
				t.Fatalf("%+v: shape %v, want %v", c, got, ps)
			}
			y, idx := New(ps[:]...), make([]int32, len(wantIdx))
			Conv2dReLUMaxPool(y, idx, x, w, b, cc, work)
			for i := range want.data {
				if y.data[i] != want.data[i] || idx[i] != wantIdx[i] {
					t.Fatalf("procs %d %+v: pooled %d = %v at %d, want %v at %d", procs, c, i, y.data[i], idx[i], want.data[i], wantIdx[i])
				}
			}
			// Backward.
			dp := randn(rng, ps[:]...)
			dyr := New(s[:]...)
			MaxPool2dBackward(dyr, dp, wantIdx, Assign)
			vec.MaskPositive(dyr.data, yr.data)
			for _, mode := range []Mode{Assign, Accumulate} {
				dx0, dw0, db0 := randn(rng, x.shape[:4]...), randn(rng, w.shape[:4]...), randn(rng, c.f)
				dxw, dww, dbw := dx0.Clone(), dw0.Clone(), db0.Clone()
				Conv2dBackwardInput(dxw, dyr, w, cc, mode, work)
				Conv2dBackwardWeight(dww, dbw, dyr, x, cc, mode, work)
				dx, dw, db := dx0.Clone(), dw0.Clone(), db0.Clone()
				Conv2dReLUMaxPoolBackwardInput(dx, dp, y, idx, w, cc, mode, work)
				Conv2dReLUMaxPoolBackwardWeight(dw, db, dp, y, idx, x, cc, mode, work)
				for name, p := range map[string][2]*Tensor{"dx": {dx, dxw}, "dw": {dw, dww}, "db": {db, dbw}} {
					for i := range p[1].data {
						if math.Float32bits(p[0].data[i]) != math.Float32bits(p[1].data[i]) {
							t.Fatalf("procs %d %+v mode %v: %s[%d] = %v, unfused %v", procs, c, mode, name, i, p[0].data[i], p[1].data[i])
						}
					}
				}
			}
		}
		runtime.GOMAXPROCS(old)
	}
	mustPanic(t, "Conv2dReLUMaxPool: output", func() {
		x, w := New(1, 1, 6, 6), New(2, 1, 3, 3)
		Conv2dReLUMaxPool(New(1, 2, 4, 4), make([]int32, 32), x, w, nil, Conv2dConfig{}, make([]float32, Conv2dWorkLen(x, w, Conv2dConfig{})))
	})
}
