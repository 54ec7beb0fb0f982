package gemm

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/descent-ml/descent/internal/cpu"
)

// TestBlocking checks blocking against the model's values worked by hand (see blocking.go)
// for the caches of several CPUs and the three tile shapes.
func TestBlocking(t *testing.T) {
	l := func(size, ways int) cpu.Cache { return cpu.Cache{Size: size, Ways: ways, Line: 64} }
	for _, c := range []struct {
		name           string
		caches         cpu.Caches
		mr, nr, kc, nc int
	}{
		{"zen5 vm avx512", cpu.Caches{L1: l(48<<10, 12), L2: l(1<<20, 8)}, 12, 32, 512, 384},
		{"zen5 vm avx2", cpu.Caches{L1: l(48<<10, 12), L2: l(1<<20, 8)}, 6, 16, 1024, 192},
		{"zen5 vm go", cpu.Caches{L1: l(48<<10, 12), L2: l(1<<20, 8)}, 4, 4, 1024, 192},
		{"sapphire rapids avx512", cpu.Caches{L1: l(48<<10, 12), L2: l(2<<20, 16)}, 12, 32, 512, 896},
		{"sapphire rapids avx2", cpu.Caches{L1: l(48<<10, 12), L2: l(2<<20, 16)}, 6, 16, 1024, 448},
		{"skylake-x avx512", cpu.Caches{L1: l(32<<10, 8), L2: l(1<<20, 16)}, 12, 32, 336, 672},
		{"skylake-x avx2", cpu.Caches{L1: l(32<<10, 8), L2: l(1<<20, 16)}, 6, 16, 672, 336},
		{"haswell avx2", cpu.Caches{L1: l(32<<10, 8), L2: l(256<<10, 4)}, 6, 16, 672, 64},
		{"unknown avx512", cpu.Caches{}, 12, 32, 336, 128},
		{"large L1 go", cpu.Caches{L1: l(128<<10, 8), L2: l(4<<20, 16)}, 4, 4, 1024, 896},
	} {
		kc, nc := blocking(c.mr, c.nr, c.caches)
		if kc != c.kc || nc != c.nc {
			t.Errorf("%s: kc, nc = %d, %d; want %d, %d", c.name, kc, nc, c.kc, c.nc)
		}
	}
	for _, x := range impls() {
		if x.kc%16 != 0 || x.nc%x.nr != 0 || x.kc < kcMin || x.kc > kcMax || x.nc < 4*x.nr {
			t.Errorf("%s: kc %d, nc %d out of the model's bounds", x.name, x.kc, x.nc)
		}
		t.Logf("%s: %d×%d tiles, kc %d, nc %d (caches: L1 %v; L2 %v)", x.name, x.mr, x.nr, x.kc, x.nc, cpu.CacheSizes().L1, cpu.CacheSizes().L2)
	}
}

// TestSgemmSmallBlocks runs products through many blocks of k and n, and many slivers of a
// transposed A, with the blocking forced small.
func TestSgemmSmallBlocks(t *testing.T) {
	rnd := rand.New(rand.NewPCG(11, 12))
	for _, x := range impls() {
		small := *x
		small.kc, small.nc = 16, 2*x.nr
		for _, l := range layouts {
			c := gemmCase{l, 2*x.mr + 3, 5*x.nr + 1, 70, [3]int{1, 2, 3}, 1.5, 0.5}
			a, b, c0 := c.operands(rnd)
			want, size := reference(c, a, b, c0)
			tol := 2 * float64(c.k+2) * 0x1p-24
			sgemm(&small, 1, l.transA, l.transB, c.m, c.n, c.k, c.alpha, a.data(), a.ld, b.data(), b.ld, c.beta, c0.data(), c0.ld)
			checkGuards(t, x.name+" "+c.String(), c0)
			for i := 0; i < c.m; i++ {
				for j := 0; j < c.n; j++ {
					if got := float64(c0.data()[i*c0.ld+j]); !(math.Abs(got-want[i*c.n+j]) <= tol*size[i*c.n+j]+1e-30) {
						t.Fatalf("%s %s: C[%d,%d] = %v, want %v", x.name, c, i, j, got, want[i*c.n+j])
					}
				}
			}
		}
	}
}
