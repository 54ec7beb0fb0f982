package gemm

import "github.com/descent-ml/descent/internal/cpu"

// Blocking sizes from the caches, after the analytical model of BLIS (Low, Igual, Smith and
// Quintana-Ortí, "Analytical Modeling Is Enough for High-Performance BLIS", ACM TOMS 43(2),
// 2016), with the roles of A and B exchanged: here the micro-kernel's loop over the panels
// of packed B is the inner one, so the mr×kc sliver of A is what stays in L1 while the
// kc×nr panels of B stream past it, and the packed kc×nc block of B is what stays in L2
// while the slivers of A stream past it.
//
// With an L1 of W₁ ways of S₁/W₁ bytes each, the sliver of A (4·mr·kc bytes) survives the
// streaming panels, under LRU, when it takes at most
//
//	C_A = ⌊(W₁ − 1) / (1 + nr/mr)⌋ ways (at least 1),  so  kc = C_A·(S₁/W₁) / (4·mr),
//
// the panels of B needing nr/mr times its ways and one way being left for C. kc is then
// rounded down to a multiple of 16 and kept within [kcMin, kcMax]: below 256 the cost of
// writing the C tile and entering the kernel (about a hundred cycles) is no longer small
// against kc iterations of the loop, and the L2 feeds L1 fast enough that a sliver partly
// evicted costs less than that (BLIS's own kc exceeds its model's on CPUs whose L1 has 8
// ways for the same reason).
//
// With an L2 of W₂ ways, the block of B gets the ways the sliver of A and one for C leave:
//
//	C_B = W₂ − 1 − ⌈4·mr·kc / (S₂/W₂)⌉ (at least 1),  so  nc = C_B·(S₂/W₂) / (4·kc),
//
// rounded down to a multiple of nr and kept within [4·nr, ncMax]. The L3 needs no block:
// A is read in place, each column block of it once per block of nc columns of B.
//
// For example (mr×nr 12×32 with AVX-512, 6×16 with AVX2):
//
//	AMD Zen 5, Intel Sapphire Rapids: L1 48 KiB of 12 ways: C_A = 3, kc = 256 (AVX2: 512);
//	  L2 1 MiB of 8 ways (Zen 5 as its virtual machines report it): nc = 768 (AVX2: 384);
//	  L2 2 MiB of 16 ways (Sapphire Rapids): nc = 1792 (AVX2: 896);
//	Intel Skylake-X: L1 32 KiB of 8 ways: C_A = 1, kc = 80 → 256 (AVX2: 160 → 256);
//	  L2 1 MiB of 16 ways: nc = 896 (AVX2: 896);
//	Intel Haswell, AVX2: L1 32 KiB of 8 ways, L2 256 KiB of 4: kc = 256, nc = 128.
//
// TestBlocking checks these values.
const (
	kcMin = 256
	kcMax = 1024
	ncMax = 4096
)

// blocking returns kc and nc for micro-tiles of mr×nr on caches c, by the model above.
func blocking(mr, nr int, c cpu.Caches) (kc, nc int) {
	l1, l2 := c.L1, c.L2
	if l1.Size <= 0 || l1.Ways <= 0 {
		l1 = cpu.Cache{Size: 32 << 10, Ways: 8, Line: 64} // fully associative or unknown: as 8 ways
	}
	way1 := l1.Size / l1.Ways
	ca := max(1, (l1.Ways-1)*mr/(mr+nr))
	kc = min(kcMax, max(kcMin, ca*way1/(4*mr)/16*16))

	if l2.Size <= 0 || l2.Ways <= 0 {
		l2 = cpu.Cache{Size: max(l2.Size, 256<<10), Ways: 8, Line: 64}
	}
	way2 := l2.Size / l2.Ways
	cb := max(1, l2.Ways-1-(4*mr*kc+way2-1)/way2)
	nc = min(ncMax, max(4*nr, cb*way2/(4*kc)/nr*nr))
	return kc, nc
}

// copiesA returns the least kc from which a sliver of a transposed A is worth copying.
//
// When A is transposed, its sliver of mr rows is kc rows of a, lda apart: read in place,
// step l of the micro-kernel takes mr floats from one row of a, which touch
// lines = ⌈(4·mr − 4)/line⌉ + 1 cache lines at worst, beside the 4·nr bytes of the panel of
// B. While kc·(lines·line + 4·nr) fits in the L1, the whole sliver stays there between the
// panels of B that reuse it, and copying it first would only add a pass over it (with
// m×k×4 bytes written); beyond that, the sliver read in place is evicted as the panels go
// by and every panel fetches its lines again from L2, which costs more than the copy.
// Hence copy when
//
//	kc ≥ ⌊S₁ / (lines·line + 4·nr)⌋ + 1.
//
// For example, with a 48 KiB L1 of 64-byte lines: 193 for AVX-512's 12×32 tiles, 257 for
// AVX2's 6×16 (129 and 171 with 32 KiB). Measured on an AMD EPYC (Zen 5), one thread, a
// product aᵀb: 1000×128×1000 runs at 198 GFLOP/s with the sliver read in place and 190 with
// it copied, while 1000³ runs at 177 copied against 163 in place.
func copiesA(mr, nr int, c cpu.Caches) int {
	l1 := c.L1
	if l1.Size <= 0 {
		l1.Size = 32 << 10
	}
	line := l1.Line
	if line <= 0 {
		line = 64
	}
	lines := (4*mr-4+line-1)/line + 1
	return l1.Size/(lines*line+4*nr) + 1
}

// blocked returns x with kc, nc and packAFrom set by [blocking] and [copiesA] for this
// CPU's caches.
func blocked(x *impl) *impl {
	c := cpu.CacheSizes()
	x.kc, x.nc = blocking(x.mr, x.nr, c)
	x.packAFrom = copiesA(x.mr, x.nr, c)
	return x
}
