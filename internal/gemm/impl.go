package gemm

// An impl is one kernel set: a micro-kernel, the routines that pack B for it, and the
// blocking sizes that suit it.
type impl struct {
	name   string
	mr, nr int // largest micro-tile: rows of C from A, columns of C from a packed panel of B
	kc     int // largest block of k; a multiple of lanes
	nc     int // largest block of n; a multiple of nr
	lanes  int // packTrans handles k in steps of lanes

	// kernel computes one micro-tile, as kernelGo does with panel width nr.
	kernel func(kc int, a []float32, rs, ps int, b []float32, c []float32, ldc, mr, nr int, alpha, beta float32)
	// packCopy packs np full panels of a B stored k×n, as packCopyGo does.
	packCopy func(kc, np int, b []float32, ldb int, dst []float32)
	// packTrans packs one full panel of a B stored n×k, kc a multiple of lanes, as
	// packTransGo does.
	packTrans func(kc int, b []float32, ldb int, dst []float32)
}

// goImpl is the pure-Go kernel set.
var goImpl = &impl{
	name: "go", mr: 4, nr: 4, kc: 256, nc: 256, lanes: 1,
	kernel: func(kc int, a []float32, rs, ps int, b []float32, c []float32, ldc, mr, nr int, alpha, beta float32) {
		if mr == 4 && nr == 4 {
			kernelGo4x4(kc, a, rs, ps, b, c, ldc, alpha, beta)
			return
		}
		kernelGo(4, kc, a, rs, ps, b, c, ldc, mr, nr, alpha, beta)
	},
	packCopy: func(kc, np int, b []float32, ldb int, dst []float32) {
		packCopyGo(4, kc, np, b, ldb, dst)
	},
	packTrans: func(kc int, b []float32, ldb int, dst []float32) {
		packTransGo(4, kc, b, ldb, dst)
	},
}

// best is the fastest kernel set of this machine; impls lists all that run on it.
var best = impls()[0]
