package gemm

import "github.com/descent-ml/descent/internal/cpu"

// An impl is one kernel set: a micro-kernel, the routines that pack B for it, and the
// blocking sizes that suit it.
type impl struct {
	name   string
	mr, nr int // largest micro-tile: rows of C from A, columns of C from a packed panel of B
	kc     int // largest block of k, from the caches (see blocking)
	nc     int // largest block of n, a multiple of nr, from the caches (see blocking)
	// packAFrom is the least kc at which a sliver of a transposed A is copied (packA)
	// rather than read in place, from the L1's size (see copiesA).
	packAFrom int
	// l1 is the L1 data cache the blocking was sized for (see aliasesA).
	l1 cpu.Cache

	// kernel computes one micro-tile, as kernelGo does, from a panel of B whose rows are bs
	// apart: nr for a packed panel, B's row stride for a panel read in place (which must
	// then hold whole vectors of each row: nr columns of a full panel).
	kernel func(kc int, a []float32, rs, ps int, b []float32, bs int, c []float32, ldc, mr, nr int, alpha, beta float32)
	// kernelRows computes one micro-tile, as kernelRowsGo does, from a full panel (nr
	// columns) of B read in place from rows anywhere: row p is b[offs[p] : offs[p]+nr],
	// which the caller has checked lie inside b.
	kernelRows func(kc int, a []float32, rs, ps int, b []float32, offs []int, c []float32, ldc, mr int, alpha, beta float32)
	// packCopy packs the nc columns of a B stored k×n, as packCopyGo does.
	packCopy func(kc, nc int, b []float32, ldb int, dst []float32)
	// packTrans packs one panel of a B stored n×k from rows ≤ nr rows of b, as
	// packTransGo does.
	packTrans func(kc, rows int, b []float32, ldb int, dst []float32)
	// packCopyRows is packCopy for a B whose row p starts at b[offs[p]], as
	// packCopyRowsGo does.
	packCopyRows func(kc, nc int, b []float32, offs []int, dst []float32)
	// packTransRows is packTrans for a b whose row j starts at b[offs[j]], as
	// packTransRowsGo does.
	packTransRows func(kc, rows int, b []float32, offs []int, dst []float32)
	// packA copies a sliver of rows ≤ mr columns of A = aᵀ (kc rows of a) to dst, mr
	// apart, as packAGo does.
	packA func(kc, rows int, a []float32, lda int, dst []float32)
	// dots, if not nil, sets s[r*lds+o] to the dot product of row r of A (k elements, lda
	// apart) with row o of B packed by packDots, for r < rows and o < n ≤ dotsMaxN, as
	// dotsGo does (see narrow.go).
	dots func(a []float32, lda int, bp, s []float32, lds, rows, n, k int)
}

// goImpl is the pure-Go kernel set.
var goImpl = blocked(&impl{
	name: "go", mr: 4, nr: 4,
	kernel: func(kc int, a []float32, rs, ps int, b []float32, bs int, c []float32, ldc, mr, nr int, alpha, beta float32) {
		if mr == 4 && nr == 4 {
			kernelGo4x4(kc, a, rs, ps, b, bs, c, ldc, alpha, beta)
			return
		}
		kernelGo(kc, a, rs, ps, b, bs, c, ldc, mr, nr, alpha, beta)
	},
	kernelRows: func(kc int, a []float32, rs, ps int, b []float32, offs []int, c []float32, ldc, mr int, alpha, beta float32) {
		kernelRowsGo(kc, a, rs, ps, b, offs, c, ldc, mr, 4, alpha, beta)
	},
	packCopy: func(kc, nc int, b []float32, ldb int, dst []float32) {
		packCopyGo(4, kc, nc, b, ldb, dst)
	},
	packTrans: func(kc, rows int, b []float32, ldb int, dst []float32) {
		packTransGo(4, kc, rows, b, ldb, dst)
	},
	packCopyRows: func(kc, nc int, b []float32, offs []int, dst []float32) {
		packCopyRowsGo(4, kc, nc, b, offs, dst)
	},
	packTransRows: func(kc, rows int, b []float32, offs []int, dst []float32) {
		packTransRowsGo(4, kc, rows, b, offs, dst)
	},
	packA: func(kc, rows int, a []float32, lda int, dst []float32) {
		packAGo(4, kc, rows, a, lda, dst)
	},
})

// best is the fastest kernel set of this machine; impls lists all that run on it.
var best = impls()[0]
