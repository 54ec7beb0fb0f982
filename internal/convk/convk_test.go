package convk

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/descent-ml/descent/internal/cpu"
)

// TestImpl fails if the twins run where the assembly should: the comparisons below would
// then test the twins against themselves.
func TestImpl(t *testing.T) {
	why := cpu.GoReason(func(f cpu.Features) bool { return f.AVX2 })
	if (why == "") != (impl() == "avx2") {
		t.Fatalf("kernels %q, but GoReason says %q", impl(), why)
	}
	t.Logf("kernels: %s %s", impl(), why)
}

// plane returns oh rows of ld elements (ow used) with values that make ties: small
// integers and their negatives, zeros of both signs, repeated values; with nan, one NaN.
func plane(rnd *rand.Rand, oh, ow, ld int, nan bool) []float32 {
	p := make([]float32, (oh-1)*ld+ow+3)
	for i := range p {
		switch rnd.IntN(6) {
		case 0:
			p[i] = 0
		case 1:
			p[i] = float32(math.Copysign(0, -1))
		default:
			p[i] = float32(rnd.IntN(7) - 3)
		}
		if i%ld >= ow {
			p[i] = float32(math.NaN()) // between the rows: must not be read
		}
	}
	if nan && oh > 1 && ow > 1 {
		p[rnd.IntN(oh/2*2)*ld+rnd.IntN(ow/2*2)] = float32(math.NaN())
	}
	return p
}

var sizes = []int{2, 3, 4, 5, 7, 8, 15, 16, 17, 18, 24, 26, 33, 35}

func TestPoolReLU2MatchesTwin(t *testing.T) {
	rnd := rand.New(rand.NewPCG(1, 2))
	for _, oh := range sizes {
		for _, ow := range sizes {
			for _, pad := range []int{0, 3} {
				for _, nan := range []bool{false, true} {
					ld := ow + pad
					src := plane(rnd, oh, ow, ld, nan)
					bias := float32(rnd.IntN(5)-2) / 2
					n := (oh / 2) * (ow / 2)
					y, idx := guarded(n), make([]int32, n+16)
					for i := range idx {
						idx[i] = -7
					}
					PoolReLU2(y[8:8+n], idx[8:8+n], src[:(oh-1)*ld+ow], ld, oh, ow, bias)
					wy, widx := make([]float32, n), make([]int32, n)
					poolReLU2Go(wy, widx, src, ld, oh, ow, bias)
					name := fmt.Sprintf("%d×%d ld %d nan %v", oh, ow, ld, nan)
					for i := range n {
						if math.Float32bits(y[8+i]) != math.Float32bits(wy[i]) || idx[8+i] != widx[i] {
							t.Fatalf("%s: window %d: %v at %d, want %v at %d", name, i, y[8+i], idx[8+i], wy[i], widx[i])
						}
					}
					for i := range 8 {
						if !math.IsNaN(float64(y[i])) || !math.IsNaN(float64(y[8+n+i])) || idx[i] != -7 || idx[8+n+i] != -7 {
							t.Fatalf("%s: wrote outside the pooled plane", name)
						}
					}
				}
			}
		}
	}
}

func TestUnpool2MatchesTwin(t *testing.T) {
	rnd := rand.New(rand.NewPCG(3, 4))
	for _, oh := range sizes {
		for _, ow := range sizes {
			for _, pad := range []int{0, 3} {
				ld := ow + pad
				src := plane(rnd, oh, ow, ld, false)
				n := (oh / 2) * (ow / 2)
				y, idx := make([]float32, n), make([]int32, n)
				poolReLU2Go(y, idx, src, ld, oh, ow, 0.5)
				g := make([]float32, n)
				for i := range g {
					g[i] = float32(rnd.NormFloat64())
				}
				if n > 0 {
					idx[rnd.IntN(n)] += 5 // a position outside its window gets nothing
				}
				size := (oh-1)*ld + ow
				got := guarded(size)
				for i := range got {
					got[i] = float32(math.NaN())
				}
				Unpool2(got[8:8+size], ld, g, y, idx, oh, ow)
				want := make([]float32, size)
				for i := range want {
					want[i] = float32(math.NaN())
				}
				unpool2Go(want, ld, g, y, idx, oh, ow)
				name := fmt.Sprintf("%d×%d ld %d", oh, ow, ld)
				for i := range want {
					if math.Float32bits(got[8+i]) != math.Float32bits(want[i]) {
						t.Fatalf("%s: element %d (row %d, column %d) = %v, want %v", name, i, i/ld, i%ld, got[8+i], want[i])
					}
				}
				for i := range 8 {
					if !math.IsNaN(float64(got[i])) || !math.IsNaN(float64(got[8+size+i])) {
						t.Fatalf("%s: wrote outside the plane", name)
					}
				}
			}
		}
	}
}

// guarded returns n+16 NaNs: the caller's n elements start at 8.
func guarded(n int) []float32 {
	s := make([]float32, n+16)
	for i := range s {
		s[i] = float32(math.NaN())
	}
	return s
}

func TestPanics(t *testing.T) {
	for name, f := range map[string]func(){
		"pool ld":  func() { PoolReLU2(make([]float32, 4), make([]int32, 4), make([]float32, 64), 3, 4, 4, 0) },
		"pool len": func() { PoolReLU2(make([]float32, 3), make([]int32, 4), make([]float32, 64), 4, 4, 4, 0) },
		"pool src": func() { PoolReLU2(make([]float32, 4), make([]int32, 4), make([]float32, 14), 4, 4, 4, 0) },
		"unpool len": func() {
			Unpool2(make([]float32, 16), 4, make([]float32, 4), make([]float32, 3), make([]int32, 4), 4, 4)
		},
		"unpool dst": func() {
			Unpool2(make([]float32, 15), 4, make([]float32, 4), make([]float32, 4), make([]int32, 4), 4, 4)
		},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			f()
		}()
	}
}
