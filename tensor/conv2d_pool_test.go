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
// bit for bit, on the implicit-GEMM path and the im2col one, on 1, 2 and 3 cores; but the
// gradients of the passes from the pooling's nonzeros (conv2d_sparse.go), which sum the
// same terms in another order: within 1e-5 of the sum of the terms' magnitudes, and NaN
// where the unfused passes give NaN, when an input or a weight is NaN.
func TestConv2dReLUMaxPool(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	type cfg struct {
		n, c, h, w, f, k, s, p int
		nan                    bool // a NaN in the input of the last sample
		nanW                   bool // a NaN weight
	}
	cases := []cfg{
		{2, 32, 12, 12, 8, 3, 1, 0, false, false}, // implicit, the CNN's conv2 in small (sparse gradients)
		{3, 1, 9, 8, 4, 3, 1, 0, false, false},    // implicit, one channel, odd output width
		{2, 3, 7, 9, 5, 3, 1, 1, false, false},    // implicit, padded, odd output height
		{3, 2, 9, 8, 3, 3, 2, 1, false, false},    // im2col (stride 2)
		{2, 4, 6, 6, 3, 1, 1, 0, false, false},    // implicit, 1×1 kernel
		{3, 8, 10, 9, 6, 3, 1, 1, false, false},   // sparse, padded, odd output width
		{3, 16, 8, 8, 5, 3, 1, 0, true, false},    // sparse, a NaN input: that sample by the product
		{2, 16, 8, 8, 5, 3, 1, 0, false, true},    // sparse, a NaN weight: the input gradient by the product
		{2, 8, 11, 12, 4, 5, 1, 2, false, false},  // sparse, 5×5 (rows in two calls), padded, odd output height
	}
	for _, procs := range []int{1, 2, 3} {
		old := runtime.GOMAXPROCS(procs)
		for _, c := range cases {
			x, w, b := randn(rng, c.n, c.c, c.h, c.w), randn(rng, c.f, c.c, c.k, c.k), randn(rng, c.f)
			if c.nan {
				x.data[len(x.data)-c.w-2] = float32(math.NaN())
			}
			if c.nanW {
				w.data[len(w.data)/2] = float32(math.NaN())
			}
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
				if y.data[i] != want.data[i] && !(isNaN32(y.data[i]) && isNaN32(want.data[i])) || idx[i] != wantIdx[i] {
					t.Fatalf("procs %d %+v: pooled %d = %v at %d, want %v at %d", procs, c, i, y.data[i], idx[i], want.data[i], wantIdx[i])
				}
			}
			// Backward.
			dp := randn(rng, ps[:]...)
			dyr := New(s[:]...)
			MaxPool2dBackward(dyr, dp, wantIdx, Assign)
			vec.MaskPositive(dyr.data, yr.data)
			// The magnitudes of the weight and bias gradients' terms.
			ax, ady := x.Clone(), dyr.Clone()
			for _, v := range [][]float32{ax.data, ady.data} {
				for i := range v {
					v[i] = float32(math.Abs(float64(v[i])))
				}
			}
			magW, magB := New(w.shape[:4]...), New(c.f)
			Conv2dBackwardWeight(magW, magB, ady, ax, cc, Assign, work)
			aw := w.Clone()
			for i, v := range aw.data {
				aw.data[i] = float32(math.Abs(float64(v)))
			}
			magX := New(x.shape[:4]...)
			Conv2dBackwardInput(magX, ady, aw, cc, Assign, work)
			sparse := c.s == 1 && c.p < c.k && c.k*c.c >= 16
			for _, mode := range []Mode{Assign, Accumulate} {
				dx0, dw0, db0 := randn(rng, x.shape[:4]...), randn(rng, w.shape[:4]...), randn(rng, c.f)
				dxw, dww, dbw := dx0.Clone(), dw0.Clone(), db0.Clone()
				Conv2dBackwardInput(dxw, dyr, w, cc, mode, work)
				Conv2dBackwardWeight(dww, dbw, dyr, x, cc, mode, work)
				dx, dw, db := dx0.Clone(), dw0.Clone(), db0.Clone()
				Conv2dReLUMaxPoolBackwardInput(dx, dp, y, idx, w, cc, mode, work)
				Conv2dReLUMaxPoolBackwardWeight(dw, db, dp, y, idx, x, cc, mode, work)
				for name, p := range map[string][3]*Tensor{"dx": {dx, dxw, magX}, "dw": {dw, dww, magW}, "db": {db, dbw, magB}} {
					for i := range p[1].data {
						got, want := p[0].data[i], p[1].data[i]
						same := math.Float32bits(got) == math.Float32bits(want)
						if sparse && p[2] != nil {
							same = isNaN32(got) == isNaN32(want) &&
								(isNaN32(got) || math.Abs(float64(got-want)) <= 1e-5*(float64(p[2].data[i])+math.Abs(float64(want))))
						}
						if !same {
							t.Fatalf("procs %d %+v mode %v: %s[%d] = %v, unfused %v", procs, c, mode, name, i, got, want)
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

func isNaN32(v float32) bool { return v != v }

// TestChannelsLast checks the layout channelsLast writes (padded, channels last) and that
// it reports a sample finite unless an element is infinite or NaN, in any channel: a
// false report would silently send every sample to the product.
func TestChannelsLast(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	for _, c := range []struct{ ch, h, w, p int }{{32, 6, 5, 0}, {7, 4, 9, 1}, {1, 3, 3, 2}} {
		g := convGeom{c: c.ch, h: c.h, w: c.w, p: c.p}
		hp, wp := g.padded()
		x := randn(rng, c.ch, c.h, c.w).data
		xT := make([]float32, hp*wp*c.ch)
		for i := range xT {
			xT[i] = 99
		}
		if !channelsLast(xT, x, &g) {
			t.Fatalf("%+v: finite sample reported not finite", c)
		}
		for y := range hp {
			for xx := range wp {
				for ch := range c.ch {
					want := float32(0)
					if iy, ix := y-c.p, xx-c.p; iy >= 0 && iy < c.h && ix >= 0 && ix < c.w {
						want = x[(ch*c.h+iy)*c.w+ix]
					}
					if got := xT[(y*wp+xx)*c.ch+ch]; got != want {
						t.Fatalf("%+v: xT[%d][%d][%d] = %v, want %v", c, y, xx, ch, got, want)
					}
				}
			}
		}
		for _, bad := range []float32{float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN())} {
			for _, i := range []int{0, len(x) / 2, len(x) - 1} {
				old := x[i]
				x[i] = bad
				if channelsLast(xT, x, &g) {
					t.Fatalf("%+v: %v at %d reported finite", c, bad, i)
				}
				x[i] = old
			}
		}
		x[0] = math.MaxFloat32
		if !channelsLast(xT, x, &g) {
			t.Fatalf("%+v: the largest float reported not finite", c)
		}
	}
}
