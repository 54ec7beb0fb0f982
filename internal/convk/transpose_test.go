package convk

import (
	"math/rand/v2"
	"testing"
)

// TestTranspose checks Transpose against its definition, stored and added, on sizes
// around the 8×8 blocks, with strides past the rows, and that nothing else of dst is
// written.
func TestTranspose(t *testing.T) {
	rng := rand.New(rand.NewPCG(71, 72))
	sizes := []int{0, 1, 7, 8, 9, 16, 26, 32, 33}
	for _, rows := range sizes {
		for _, cols := range sizes {
			for _, add := range []bool{false, true} {
				lds, ldd := cols+rng.IntN(3), rows+rng.IntN(3)
				src := make([]float32, rows*lds+1)
				for i := range src {
					src[i] = float32(rng.NormFloat64())
				}
				dst := make([]float32, max(cols, 1)*ldd+5)
				for i := range dst {
					dst[i] = float32(rng.NormFloat64())
				}
				want := append([]float32(nil), dst...)
				for i := range rows {
					for j := range cols {
						if add {
							want[j*ldd+i] += src[i*lds+j]
						} else {
							want[j*ldd+i] = src[i*lds+j]
						}
					}
				}
				Transpose(dst, ldd, src, lds, rows, cols, add)
				for i := range dst {
					if dst[i] != want[i] {
						t.Fatalf("%d×%d (strides %d, %d) add %v: dst[%d] = %v, want %v", rows, cols, lds, ldd, add, i, dst[i], want[i])
					}
				}
			}
		}
	}
	defer func() {
		if recover() == nil {
			t.Error("short dst: no panic")
		}
	}()
	Transpose(make([]float32, 10), 4, make([]float32, 16), 4, 4, 4, false)
}

// BenchmarkTranspose times a sample of the MNIST CNN's conv2 input (32 channels of
// 26×26) into channels last, a row of positions at a time, as package tensor does it.
func BenchmarkTranspose(b *testing.B) {
	const c, h, w = 32, 26, 26
	x, xT := make([]float32, c*h*w), make([]float32, c*h*w)
	for b.Loop() {
		for y := range h {
			Transpose(xT[y*w*c:], c, x[y*w:], h*w, c, w, false)
		}
	}
}
