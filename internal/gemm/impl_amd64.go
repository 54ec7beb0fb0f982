//go:build !noasm

package gemm

import "github.com/descent-ml/descent/internal/cpu"

// avx512Impl uses kernelAVX512: 12×32 tiles.
var avx512Impl = blocked(&impl{
	name: "avx512", mr: 12, nr: 32,
	kernel: func(kc int, a []float32, rs, ps int, b []float32, bs int, c []float32, ldc, mr, nr int, alpha, beta float32) {
		_ = b[(kc-1)*bs+(nr+15)&^15-1] // the whole vectors the kernel reads
		kernelAVX512(kc, &a[0], rs, ps, &b[0], bs, &c[0], ldc, mr, nr, alpha, beta)
	},
	kernelRows: func(kc int, a []float32, rs, ps int, b []float32, offs []int, c []float32, ldc, mr int, alpha, beta float32) {
		_ = offs[kc-1]
		kernelRowsAVX512(kc, &a[0], rs, ps, &b[0], &offs[0], &c[0], ldc, mr, 32, alpha, beta)
	},
	packCopy: func(kc, nc int, b []float32, ldb int, dst []float32) {
		_ = dst[(nc+31)/32*32*kc-1]
		packCopyAVX512(kc, nc, &b[0], ldb, &dst[0])
	},
	packTrans: func(kc, rows int, b []float32, ldb int, dst []float32) {
		_ = dst[32*kc-1]
		packTransAVX512(kc, rows, &b[0], ldb, &dst[0])
	},
	packCopyRows: func(kc, nc int, b []float32, offs []int, dst []float32) {
		_ = dst[(nc+31)/32*32*kc-1]
		checkRows(b, offs[:kc], nc)
		packCopyRowsAVX512(kc, nc, &b[0], &offs[0], &dst[0])
	},
	packTransRows: func(kc, rows int, b []float32, offs []int, dst []float32) {
		_ = dst[32*kc-1]
		checkRows(b, offs[:rows], kc)
		packTransRowsAVX512(kc, rows, &b[0], &offs[0], &dst[0])
	},
	packA: func(kc, rows int, a []float32, lda int, dst []float32) {
		if kc > 0 {
			_ = a[(kc-1)*lda+rows-1]
			_ = dst[(kc-1)*12+rows-1]
			packAAVX512(kc, rows, &a[0], lda, &dst[0])
		}
	},
	dots: func(a []float32, lda int, bp, s []float32, lds, rows, n, k int) {
		if rows > 0 {
			_ = a[(rows-1)*lda+k-1]
			_ = bp[(k+15)/16*n*16-1]
			_ = s[(rows-1)*lds+n-1]
			dotsAVX512(&a[0], lda, &bp[0], &s[0], lds, rows, n, k)
		}
	},
})

// avx2Impl uses kernelAVX2: 6×16 tiles.
var avx2Impl = blocked(&impl{
	name: "avx2", mr: 6, nr: 16,
	kernel: func(kc int, a []float32, rs, ps int, b []float32, bs int, c []float32, ldc, mr, nr int, alpha, beta float32) {
		_ = b[(kc-1)*bs+(nr+7)&^7-1] // the whole vectors the kernel reads
		kernelAVX2(kc, &a[0], rs, ps, &b[0], bs, &c[0], ldc, mr, nr, alpha, beta)
	},
	kernelRows: func(kc int, a []float32, rs, ps int, b []float32, offs []int, c []float32, ldc, mr int, alpha, beta float32) {
		_ = offs[kc-1]
		kernelRowsAVX2(kc, &a[0], rs, ps, &b[0], &offs[0], &c[0], ldc, mr, 16, alpha, beta)
	},
	packCopy: func(kc, nc int, b []float32, ldb int, dst []float32) {
		_ = dst[(nc+15)/16*16*kc-1]
		packCopyAVX2(kc, nc, &b[0], ldb, &dst[0])
	},
	// Full panels in blocks of 8 columns of b in assembly, the edges in Go.
	packTrans: func(kc, rows int, b []float32, ldb int, dst []float32) {
		kv := 0
		if rows == 16 {
			kv = kc / 8 * 8
		}
		if kv > 0 {
			_ = dst[16*kv-1]
			packTransAVX2(kv, &b[0], ldb, &dst[0])
		}
		if kc > kv {
			packTransGo(16, kc-kv, rows, b[kv:], ldb, dst[16*kv:])
		}
	},
	packCopyRows: func(kc, nc int, b []float32, offs []int, dst []float32) {
		_ = dst[(nc+15)/16*16*kc-1]
		checkRows(b, offs[:kc], nc)
		packCopyRowsAVX2(kc, nc, &b[0], &offs[0], &dst[0])
	},
	// Full panels in blocks of 8 columns of b in assembly, the edges in Go.
	packTransRows: func(kc, rows int, b []float32, offs []int, dst []float32) {
		kv := 0
		if rows == 16 {
			kv = kc / 8 * 8
		}
		if kv > 0 {
			_ = dst[16*kv-1]
			checkRows(b, offs[:16], kv)
			packTransRowsAVX2(kv, &b[0], &offs[0], &dst[0])
		}
		if kc > kv {
			offs := offs[:rows]
			var shifted [16]int
			for j, o := range offs {
				shifted[j] = o + kv
			}
			packTransRowsGo(16, kc-kv, rows, b, shifted[:rows], dst[16*kv:])
		}
	},
	packA: func(kc, rows int, a []float32, lda int, dst []float32) {
		if kc > 0 {
			_ = a[(kc-1)*lda+rows-1]
			_ = dst[(kc-1)*6+rows-1]
			packAAVX2(kc, rows, &a[0], lda, &dst[0])
		}
	},
	// The n rows of B in as few groups of at most dotsAVX2Group as there can be, of
	// near-equal sizes (10: 5 and 5).
	dots: func(a []float32, lda int, bp, s []float32, lds, rows, n, k int) {
		if rows > 0 {
			_ = a[(rows-1)*lda+k-1]
			_ = bp[(k+15)/16*n*16-1]
			_ = s[(rows-1)*lds+n-1]
			groups := (n + dotsAVX2Group - 1) / dotsAVX2Group
			for o := 0; o < n; groups-- {
				nb := (n - o + groups - 1) / groups
				dotsAVX2(&a[0], lda, &bp[16*o], &s[o], lds, rows, n, nb, k)
				o += nb
			}
		}
	},
})

// dotsAVX2Group is the most rows of B whose sums one call of dotsAVX2 computes.
const dotsAVX2Group = 7

// impls lists the kernel sets this CPU runs, fastest first; the last is always goImpl.
func impls() []*impl {
	f := cpu.Enabled()
	var s []*impl
	if f.AVX512F {
		s = append(s, avx512Impl)
	}
	if f.AVX2 && f.FMA {
		s = append(s, avx2Impl)
	}
	return append(s, goImpl)
}

// checkRows panics unless every row of n elements starting at an offset of offs lies
// inside b, as the assembly that reads them does not check.
func checkRows(b []float32, offs []int, n int) {
	for _, o := range offs {
		_ = b[o : o+n]
	}
}
