package convk

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestPooledNonzeros checks PooledNonzeros (the kernels where they run) and its loop against
// the windows that Unpool2 writes to: planes of every size around the 16 windows of a
// vector, odd ones, values positive, zero, negative and NaN, maxima in each place of their
// windows and some outside them, positions scaled and not.
func TestPooledNonzeros(t *testing.T) {
	rng := rand.New(rand.NewPCG(81, 82))
	for _, oh := range sizes {
		for _, ow := range append(sizes, 64, 65) {
			for _, scale := range []int{1, 32} {
				ph, pw := oh/2, ow/2
				n := ph * pw
				ld := ow + rng.IntN(3)
				g, y, idx := make([]float32, n), make([]float32, n), make([]int32, n)
				for w := range n {
					g[w] = float32(rng.NormFloat64())
					switch rng.IntN(5) {
					case 0:
						y[w] = 0
					case 1:
						y[w] = -1
					case 2:
						y[w] = float32(math.NaN())
					default:
						y[w] = float32(rng.IntN(9) + 1)
					}
					py, px := w/pw, w%pw
					idx[w] = int32((2*py+rng.IntN(2))*ow + 2*px + rng.IntN(2))
					if rng.IntN(10) == 0 {
						idx[w] = int32(rng.IntN(oh*ow+4) - 2) // anywhere, perhaps outside
					}
				}
				var wantOffs []int32
				var wantVals []float32
				for w := range n {
					py, px := w/pw, w%pw
					k := int(idx[w]) - 2*py*ow - 2*px
					if y[w] > 0 && (k == 0 || k == 1 || k == ow || k == ow+1) {
						wantOffs = append(wantOffs, int32(((2*py+k/ow)*ld+2*px+k%ow)*scale))
						wantVals = append(wantVals, g[w])
					}
				}
				for _, impl := range []string{"PooledNonzeros", "loop"} {
					// Room for 7 more than the windows, which the AVX2 kernel wants, and a
					// guard after them.
					end := n + 7
					offs, vals := make([]int32, end+1), make([]float32, end+1)
					offs[end], vals[end] = -9, -9
					var k int
					if impl == "loop" {
						k = pooledNonzerosGo(offs, vals, g, y, idx, ph, pw, ow, ld, scale)
					} else {
						k = PooledNonzeros(offs, vals, g, y, idx, oh, ow, ld, scale)
					}
					if k != len(wantOffs) {
						t.Fatalf("%s %d×%d (ld %d, scale %d): %d kept, want %d", impl, oh, ow, ld, scale, k, len(wantOffs))
					}
					for i := range k {
						if offs[i] != wantOffs[i] || math.Float32bits(vals[i]) != math.Float32bits(wantVals[i]) {
							t.Fatalf("%s %d×%d: [%d] = (%d, %v), want (%d, %v)", impl, oh, ow, i, offs[i], vals[i], wantOffs[i], wantVals[i])
						}
					}
					if offs[end] != -9 || vals[end] != -9 {
						t.Fatalf("%s %d×%d: wrote past its windows", impl, oh, ow)
					}
				}
			}
		}
	}
	defer func() {
		if recover() == nil {
			t.Error("short offsets: no panic")
		}
	}()
	PooledNonzeros(make([]int32, 3), make([]float32, 4), make([]float32, 4), make([]float32, 4), make([]int32, 4), 4, 4, 4, 1)
}

// BenchmarkPooledNonzeros times the lists of one filter's plane of the MNIST CNN's conv2
// (24×24 pooled to 12×12), three in four windows kept.
func BenchmarkPooledNonzeros(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	const oh, ow, c = 24, 24, 32
	n := (oh / 2) * (ow / 2)
	g, y, idx := make([]float32, n), make([]float32, n), make([]int32, n)
	for w := range n {
		g[w], y[w] = 1, float32(rng.IntN(4))
		idx[w] = int32((2*(w/12)+rng.IntN(2))*ow + 2*(w%12) + rng.IntN(2))
	}
	offs, vals := make([]int32, n+7), make([]float32, n+7)
	for b.Loop() {
		PooledNonzeros(offs, vals, g, y, idx, oh, ow, 26, c)
	}
}
