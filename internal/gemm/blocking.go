package gemm

import "github.com/descent-ml/descent/internal/cpu"

// Blocking sizes from the caches. The micro-kernel's loop over the panels of packed B is
// the inner one (the roles of A and B are exchanged from BLIS's), so the mr×kc sliver of A
// is what stays in L1 while the kc×nr panels of B stream past it, and the packed kc×nc
// block of B is what stays in L2 while the slivers of A stream past it.
//
// kc is the one that makes the sliver of A (4·mr·kc bytes) fill half of an L1 of S₁ bytes,
// as Goto and van de Geijn size the micro-panel that stays in L1 ("Anatomy of
// High-Performance Matrix Multiplication", ACM TOMS 34(3), 2008, §6.3: half of the L1, the
// other half for the panels streaming through and the tile of C):
//
//	kc = (S₁/2) / (4·mr),
//
// rounded down to a multiple of 16 and kept within [kcMin, kcMax]: below 256 the cost of
// writing the C tile and entering the kernel (about a hundred cycles) is no longer small
// against kc iterations of the loop. Each block of kc is a pass over C, read and written,
// and a thread's part of a product with few rows (the batch of 128 of an MLP) is little
// more than those passes: with two threads on an AMD Zen 5, the MLP's products (128×784×1000
// and 128×1000×1000) and 1024³ ran 4–9% faster at kc 512 than at the 256 of BLIS's analytical
// model (Low, Igual, Smith and Quintana-Ortí, ACM TOMS 43(2), 2016), which keeps the sliver
// in a quarter of a 12-way L1, and no slower on one thread.
//
// With an L2 of W₂ ways, the block of B gets the ways the sliver of A and one for C leave,
// as in BLIS's model:
//
//	C_B = W₂ − 1 − ⌈4·mr·kc / (S₂/W₂)⌉ (at least 1),  so  nc = C_B·(S₂/W₂) / (4·kc),
//
// rounded down to a multiple of nr and kept within [4·nr, ncMax]. The L3 needs no block:
// A is read in place, each column block of it once per block of nc columns of B.
//
// For example (mr×nr 12×32 with AVX-512, 6×16 with AVX2):
//
//	AMD Zen 5, Intel Sapphire Rapids: L1 48 KiB: kc = 512 (AVX2: 1024);
//	  L2 1 MiB of 8 ways (Zen 5 as its virtual machines report it): nc = 384 (AVX2: 192);
//	  L2 2 MiB of 16 ways (Sapphire Rapids): nc = 896 (AVX2: 448);
//	Intel Skylake-X: L1 32 KiB: kc = 341 → 336 (AVX2: 682 → 672);
//	  L2 1 MiB of 16 ways: nc = 672 (AVX2: 336);
//	Intel Haswell, AVX2: L1 32 KiB, L2 256 KiB of 4 ways: kc = 672, nc = 48 → 64.
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
	if l1.Size <= 0 {
		l1.Size = 32 << 10 // unknown: as a common 32 KiB
	}
	kc = min(kcMax, max(kcMin, l1.Size/2/(4*mr)/16*16))

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
	x.l1 = c.L1
	return x
}

// aliasesA reports whether the mr rows of a sliver of an A read in place (not transposed),
// lda floats apart, crowd into so few sets of the L1 that they take more than three
// quarters of its ways, leaving too few for the panels of B that stream past. Rows 4·lda
// bytes apart start in waySize/max(line, gcd(4·lda, waySize)) distinct sets (waySize =
// S₁/W₁, the bytes one way spans); each row then runs over consecutive sets from its
// start. With a 32 KiB L1 of 8 ways (AMD Zen 4, Intel Skylake-X) and AVX-512's 12 rows,
// lda = 1024 or 2048 puts all 12 rows in one set, lda = 512 six in each of two (which fit),
// while lda = 784 or 1000 spreads them over 64 and 128 positions; with a 48 KiB L1 of 12
// ways (Zen 5), lda a multiple of 1024 crowds them.
//
// On an AMD EPYC (Zen 4), one thread, A·B and A·Bᵀ ran at 102.9-105.1 GFLOP/s with the
// slivers copied (copiesRowsA) against 95.5-99.7 in place for 1024³, 104.8-105.7 against
// 93.4-99.7 for 2048³, and 102.9-110.3 against 108.0-111.6 for 512³ (not copied since).
func aliasesA(mr, lda int, l1 cpu.Cache) bool {
	if l1.Size <= 0 || l1.Ways <= 0 {
		return false
	}
	line := max(l1.Line, 1)
	waySize := l1.Size / l1.Ways
	sets := waySize / max(line, gcd(4*lda%waySize, waySize))
	perSet := (mr + sets - 1) / sets
	return 4*perSet > 3*l1.Ways
}

// gcd returns the greatest common divisor of a ≥ 0 and b > 0.
func gcd(a, b int) int {
	for a != 0 {
		a, b = b%a, a
	}
	return b
}
