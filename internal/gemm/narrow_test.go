package gemm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/descent-ml/descent/internal/fma"
)

// TestSgemmNarrow checks the products A·Bᵀ of at most dotsMaxN columns (dots on the kernel
// sets that have it, the blocked algorithm on the others) against the float64 reference,
// with the guard bands: every n up to dotsMaxN and one past it, k around the chunks of 16,
// rows in pairs and odd, padded strides, alpha and beta, 1 to 3 goroutines (the rows cut
// into parts from 2·parallelWork multiply-adds).
func TestSgemmNarrow(t *testing.T) {
	checkImpls(t)
	rnd := rand.New(rand.NewPCG(71, 72))
	nt := layout{"NT", false, true}
	for n := 1; n <= dotsMaxN+1; n++ {
		for _, k := range []int{1, 15, 16, 17, 33, 784} {
			for _, m := range []int{1, 2, 5, 64} {
				c := gemmCase{l: nt, m: m, n: n, k: k, pad: [3]int{m % 3, n % 2, 1}, alpha: 1}
				if (n+k)%3 == 0 {
					c.alpha, c.beta = 0.5, -1.5
				}
				checkCase(t, []int{1, 2}, c, rnd)
			}
		}
	}
	// Enough work for parts: 1000×784×10, and 130 rows past the stack block of 64.
	checkCase(t, []int{1, 2, 3}, gemmCase{l: nt, m: 1000, n: 10, k: 784, alpha: 1}, rnd)
	checkCase(t, []int{1, 3}, gemmCase{l: nt, m: 1000, n: 7, k: 800, pad: [3]int{1, 2, 3}, alpha: 2, beta: 0.5}, rnd)
}

// TestDotsKernels checks each kernel set's dots against dotsGo: to 4·k ulps of the sum of
// the terms' magnitudes (the assembly fuses what dotsGo rounds twice), nothing written past
// the rows of s.
// TestPackDots checks packDots's layout against its definition, into a buffer holding
// NaNs from before and from rows ldb > k apart: B(o, l) at chunk l/16, vector o, lane l%16,
// zeros past k.
func TestPackDots(t *testing.T) {
	for _, n := range []int{1, 3, dotsMaxN} {
		for _, k := range []int{1, 15, 16, 17, 40, 784} {
			ldb := k + 5
			b := make([]float32, n*ldb)
			for i := range b {
				b[i] = float32(i)
			}
			chunks := (k + dotsLanes - 1) / dotsLanes
			dst := make([]float32, chunks*n*dotsLanes)
			for i := range dst {
				dst[i] = float32(math.NaN())
			}
			packDots(dst, b, ldb, n, k)
			for c := range chunks {
				for o := range n {
					for l := range dotsLanes {
						want := float32(0)
						if p := c*dotsLanes + l; p < k {
							want = b[o*ldb+p]
						}
						if got := dst[(c*n+o)*dotsLanes+l]; math.Float32bits(got) != math.Float32bits(want) {
							t.Fatalf("n=%d k=%d: chunk %d vector %d lane %d = %v, want %v", n, k, c, o, l, got, want)
						}
					}
				}
			}
		}
	}
}

func TestDotsKernels(t *testing.T) {
	rnd := rand.New(rand.NewPCG(73, 74))
	for _, x := range impls() {
		if x.dots == nil {
			continue
		}
		for n := 1; n <= dotsMaxN; n++ {
			for _, k := range []int{1, 16, 31, 100} {
				rows, lda, lds := 5, k+3, n+2
				a := make([]float32, (rows-1)*lda+k)
				for i := range a {
					a[i] = float32(2*rnd.Float64() - 1)
				}
				b := make([]float32, n*k)
				for i := range b {
					b[i] = float32(2*rnd.Float64() - 1)
				}
				bp := make([]float32, (k+15)/16*n*16)
				packDots(bp, b, k, n, k)
				got, want := make([]float32, rows*lds+7), make([]float32, rows*lds+7)
				for i := range got {
					got[i], want[i] = 9, 9
				}
				x.dots(a, lda, bp, got, lds, rows, n, k)
				dotsGo(a, lda, bp, want, lds, rows, n, k)
				what := fmt.Sprintf("%s n=%d k=%d", x.name, n, k)
				// The kernels fuse each multiply-add, which dotsGo does not: against
				// dotsFused, their bits.
				fused := make([]float32, len(got))
				copy(fused, want)
				dotsFused(a, lda, bp, fused, lds, rows, n, k)
				for r := range rows {
					for o := range n {
						if g, w := got[r*lds+o], fused[r*lds+o]; math.Float32bits(g) != math.Float32bits(w) {
							t.Fatalf("%s: s[%d][%d] = %v, fused sums %v", what, r, o, g, w)
						}
					}
				}
				for i := range got {
					if r, o := i/lds, i%lds; r >= rows || o >= n {
						if got[i] != 9 {
							t.Fatalf("%s: wrote s[%d]", what, i)
						}
						continue
					}
					if math.Abs(float64(got[i]-want[i])) > 4*float64(k)*0x1p-24*float64(k) {
						t.Fatalf("%s: s[%d] = %v, dotsGo %v", what, i, got[i], want[i])
					}
				}
			}
		}
	}
}

// dotsFused is dotsGo with each multiply-add fused, as the kernels compute it.
func dotsFused(a []float32, lda int, bp, s []float32, lds, rows, n, k int) {
	for r := range rows {
		for o := range n {
			var lane [dotsLanes]float32
			for p := range k {
				lane[p%dotsLanes] = fma.Float32(a[r*lda+p], bp[((p/dotsLanes)*n+o)*dotsLanes+p%dotsLanes], lane[p%dotsLanes])
			}
			for w := dotsLanes / 2; w >= 1; w /= 2 {
				for l := range w {
					lane[l] += lane[l+w]
				}
			}
			s[r*lds+o] = lane[0]
		}
	}
}

// BenchmarkNarrow times x·wᵀ for the logistic regression's layer (128×784 by 10×784) by
// dots and by the blocked algorithm, on one goroutine.
func BenchmarkNarrow(b *testing.B) {
	m, n, k := 128, 10, 784
	x, w, y := make([]float32, m*k), make([]float32, n*k), make([]float32, m*n)
	for _, im := range impls() {
		b.Run(im.name, func(b *testing.B) {
			for b.Loop() {
				sgemm(im, 1, false, true, m, n, k, 1, x, k, w, k, 0, y, n)
			}
			b.ReportMetric(2*float64(m*n*k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}

// TestNarrowAllocs checks that a product by dots, with alpha and beta or without, on 1 and
// 2 goroutines, allocates nothing in steady state.
func TestNarrowAllocs(t *testing.T) {
	m, n, k := 1000, 10, 784
	x, w, y := make([]float32, m*k), make([]float32, n*k), make([]float32, m*n)
	for _, th := range []int{1, 2} {
		for _, ab := range [][2]float32{{1, 0}, {0.5, 1}} {
			f := func() { sgemm(best, th, false, true, m, n, k, ab[0], x, k, w, k, ab[1], y, n) }
			f()
			if got := testing.AllocsPerRun(20, f); got != 0 {
				t.Errorf("%d threads, alpha %v beta %v: %v allocations per call", th, ab[0], ab[1], got)
			}
		}
	}
}
