package problem

import (
	"math"
	"math/rand/v2"
	"testing"
)

// guarded returns a slice of n values inside NaN guard bands, to catch reads and
// writes out of bounds.
func guarded(rng *rand.Rand, n int) (all, inner []float64) {
	const band = 16
	all = make([]float64, n+2*band)
	for i := range all {
		all[i] = math.NaN()
	}
	inner = all[band : band+n]
	for i := range inner {
		inner[i] = rng.NormFloat64()
	}
	return all, inner
}

func checkBands(t *testing.T, all []float64, n int, what string) {
	t.Helper()
	for i := range 16 {
		if !math.IsNaN(all[i]) || !math.IsNaN(all[16+n+i]) {
			t.Fatalf("%s n = %d: guard band overwritten", what, n)
		}
	}
}

// TestKernels compares the dispatched kernels (assembly where available) with their
// pure-Go twins on every length up to 100 and at unaligned offsets.
func TestKernels(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	for n := 0; n <= 100; n++ {
		for off := range 3 {
			xb := randBytes(rng, n+off+7)
			for i := range xb {
				xb[i] = uint8(rng.IntN(256))
			}
			x := xb[off : off+n]
			wAll, w := guarded(rng, n)
			got, want := dotU8(x, w), dotU8Go(x, w)
			if math.Abs(got-want) > 1e-12*(1+math.Abs(want)) {
				t.Fatalf("dotU8 n = %d: %v, want %v", n, got, want)
			}
			checkBands(t, wAll, n, "dotU8")
			gAll, g := guarded(rng, n)
			ref := append([]float64(nil), g...)
			a := rng.NormFloat64()
			axpyU8(g, a, x)
			axpyU8Go(ref, a, x)
			for i := range g {
				if math.Abs(g[i]-ref[i]) > 1e-14*(1+math.Abs(ref[i])) {
					t.Fatalf("axpyU8 n = %d: g[%d] = %v, want %v", n, i, g[i], ref[i])
				}
			}
			checkBands(t, gAll, n, "axpyU8")

			// Four rows with a stride past n.
			stride := n + off
			xs := randBytes(rng, 3*stride+n)
			var got4, want4 [4]float64
			dot4U8(&got4, xs, stride, w)
			dot4U8Go(&want4, xs, stride, w)
			for r := range 4 {
				if math.Abs(got4[r]-want4[r]) > 1e-12*(1+math.Abs(want4[r])) {
					t.Fatalf("dot4U8 n = %d row %d: %v, want %v", n, r, got4[r], want4[r])
				}
			}
			checkBands(t, wAll, n, "dot4U8")
			a4 := [4]float64{rng.NormFloat64(), rng.NormFloat64(), rng.NormFloat64(), rng.NormFloat64()}
			ref = append(ref[:0], g...)
			axpy4U8(g, &a4, xs, stride)
			axpy4U8Go(ref, &a4, xs, stride)
			for i := range g {
				if math.Abs(g[i]-ref[i]) > 1e-13*(1+math.Abs(ref[i])) {
					t.Fatalf("axpy4U8 n = %d: g[%d] = %v, want %v", n, i, g[i], ref[i])
				}
			}
			checkBands(t, gAll, n, "axpy4U8")
		}
	}
}

// BenchmarkLogisticMNISTSize times one ValueGrad of binary logistic regression on data
// of MNIST's size (60000×784 bytes, synthetic, 2/3 non-zero).
func BenchmarkLogisticMNISTSize(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	n, d := 60000, 784
	p := NewLogisticBytes(randBytes(rng, n*d), n, d, 1.0/255, signs(rng, n), 1e-3)
	w, g := randPoint(rng, d, 0.01), make([]float64, d)
	b.SetBytes(int64(n * d))
	for b.Loop() {
		p.ValueGrad(g, w)
	}
}
