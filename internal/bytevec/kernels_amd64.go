//go:build !noasm

package bytevec

import "github.com/descent-ml/descent/internal/cpu"

//go:generate go run ./gen -out kernels_avx2_amd64.s

// useAVX512 selects the assembly kernels of kernels_amd64.s, which need AVX-512F and, for
// VCVTQQ2PD, AVX-512DQ; without them, useAVX2 selects those of kernels_avx2_amd64.s
// (AVX2 and FMA), and without those the Go twins run. All compute the same bits.
var (
	useAVX512 = hasAVX512(cpu.Enabled())
	useAVX2   = !useAVX512 && hasAVX2(cpu.Enabled())
)

// impl names the kernels that run: "avx512", "avx2" (the assembly) or "go" (the twins).
func impl() string {
	switch {
	case useAVX512:
		return "avx512"
	case useAVX2:
		return "avx2"
	}
	return "go"
}

// dotAVX2, axpyAVX2, dot4AVX2, axpy4AVX2, blockDotsAVX2 and blockAxpysAVX2 are the
// AVX-512 kernels of the same names computed on AVX2, each vector of eight float64 lanes
// in two YMM: the same arguments, the same bits.
//
//go:noescape
func dotAVX2(x *uint8, w *float64, n int) float64

//go:noescape
func axpyAVX2(y *float64, a float64, x *uint8, n int)

//go:noescape
func dot4AVX2(x *uint8, stride int, w *float64, n int, out *[4]float64)

//go:noescape
func axpy4AVX2(y *float64, a *[4]float64, x *uint8, stride int, n int)

//go:noescape
func blockDotsAVX2(vals *uint8, ids *uint16, start *int, rows int, w *float64, z *float64, stride int)

//go:noescape
func blockAxpys5AVX2(vals *uint8, ids *uint16, start *int, rows int, y *float64, ld int, a *float64, stride int, scale float64)

//go:noescape
func blockAxpysAVX2(vals *uint8, ids *uint16, start *int, rows int, y *float64, a *float64, stride int, scale float64)

// dotAVX512 is dotBlocksGo on x[0:n], w[0:n], n a multiple of 8.
//
//go:noescape
func dotAVX512(x *uint8, w *float64, n int) float64

// axpyAVX512 is axpyBlocksGo on y[0:n], x[0:n], n a multiple of 8.
//
//go:noescape
func axpyAVX512(y *float64, a float64, x *uint8, n int)

// dot4AVX512 is dot4BlocksGo on w[0:n] and four rows of x, stride apart, n a multiple of 8.
//
//go:noescape
func dot4AVX512(x *uint8, stride int, w *float64, n int, out *[4]float64)

// axpy4AVX512 is axpy4BlocksGo on y[0:n] and four rows of x, stride apart, n a multiple
// of 8.
//
//go:noescape
func axpy4AVX512(y *float64, a *[4]float64, x *uint8, stride int, n int)

// The dispatchers take whole blocks (a length that is a positive multiple of 8), checked
// by the callers in bytevec.go.

func dotBlocks(x []uint8, w []float64) float64 {
	if !useAVX512 && !useAVX2 {
		return dotBlocksGo(x, w)
	}
	w = w[:len(x)]
	if useAVX2 {
		return dotAVX2(&x[0], &w[0], len(x))
	}
	return dotAVX512(&x[0], &w[0], len(x))
}

func axpyBlocks(y []float64, a float64, x []uint8) {
	if !useAVX512 && !useAVX2 {
		axpyBlocksGo(y, a, x)
		return
	}
	y = y[:len(x)]
	if useAVX2 {
		axpyAVX2(&y[0], a, &x[0], len(x))
		return
	}
	axpyAVX512(&y[0], a, &x[0], len(x))
}

func dot4Blocks(out *[4]float64, x []uint8, stride int, w []float64) {
	if !useAVX512 && !useAVX2 {
		dot4BlocksGo(out, x, stride, w)
		return
	}
	_ = x[3*stride+len(w)-1]
	if useAVX2 {
		dot4AVX2(&x[0], stride, &w[0], len(w), out)
		return
	}
	dot4AVX512(&x[0], stride, &w[0], len(w), out)
}

func axpy4Blocks(y []float64, a *[4]float64, x []uint8, stride int) {
	if !useAVX512 && !useAVX2 {
		axpy4BlocksGo(y, a, x, stride)
		return
	}
	_ = x[3*stride+len(y)-1]
	if useAVX2 {
		axpy4AVX2(&y[0], a, &x[0], stride, len(y))
		return
	}
	axpy4AVX512(&y[0], a, &x[0], stride, len(y))
}

// blockDotsAVX512 is blockDotsGo on rows ≥ 1 rows, with start[0:rows+1], the rows' blocks
// from vals and ids on, and z's values stride apart.
//
//go:noescape
func blockDotsAVX512(vals *uint8, ids *uint16, start *int, rows int, w *float64, z *float64, stride int)

// blockAxpysAVX512 is blockAxpysGo on rows ≥ 1 rows (indexed as in blockDotsAVX512), with
// a's coefficients stride apart.
//
//go:noescape
func blockAxpysAVX512(vals *uint8, ids *uint16, start *int, rows int, y *float64, a *float64, stride int, scale float64)

// blockDots5AVX512 is blockDotsAVX512 for the five weight vectors w[k·ld:], k < 5, at
// once, row r's values at z[r·stride+k]: the same bits.
//
//go:noescape
func blockDots5AVX512(vals *uint8, ids *uint16, start *int, rows int, w *float64, ld int, z *float64, stride int)

// blockAxpys5AVX512 is blockAxpysAVX512 for the five vectors y[k·ld:], k < 5, and the
// coefficients a[r·stride+k] at once: the same bits.
//
//go:noescape
func blockAxpys5AVX512(vals *uint8, ids *uint16, start *int, rows int, y *float64, ld int, a *float64, stride int, scale float64)

// blockDots and blockAxpys run the Go twins where no row has a kept block, so that the
// assembly is given no empty slice.

func blockDots(z []float64, stride int, vals []uint8, ids []uint16, start []int, w []float64) {
	rows := len(start) - 1
	kept := start[rows] - start[0]
	if !useAVX512 && !useAVX2 || kept == 0 {
		blockDotsGo(z, stride, vals, ids, start, w)
		return
	}
	_, _, _ = z[(rows-1)*stride], vals[8*kept-1], ids[kept-1]
	if useAVX2 {
		blockDotsAVX2(&vals[0], &ids[0], &start[0], rows, &w[0], &z[0], stride)
		return
	}
	blockDotsAVX512(&vals[0], &ids[0], &start[0], rows, &w[0], &z[0], stride)
}

// blockDots5 is blockDots for the five weight vectors w[k·ld:k·ld+n], k < 5, the values
// of row r at z[r·stride+k]: one kernel widening each block once for the five on
// AVX-512, blockDots on each otherwise (the AVX2 kernels have registers for one vector's
// accumulators only). The same bits either way.
func blockDots5(z []float64, stride int, vals []uint8, ids []uint16, start []int, w []float64, ld, n int) {
	rows := len(start) - 1
	kept := start[rows] - start[0]
	if !useAVX512 || kept == 0 {
		for k := range 5 {
			blockDots(z[k:], stride, vals, ids, start, w[k*ld:k*ld+n])
		}
		return
	}
	_, _, _, _ = z[(rows-1)*stride+4], vals[8*kept-1], ids[kept-1], w[4*ld+n-1]
	blockDots5AVX512(&vals[0], &ids[0], &start[0], rows, &w[0], ld, &z[0], stride)
}

func blockAxpys(y []float64, scale float64, a []float64, stride int, vals []uint8, ids []uint16, start []int) {
	rows := len(start) - 1
	kept := start[rows] - start[0]
	if !useAVX512 && !useAVX2 || kept == 0 {
		blockAxpysGo(y, scale, a, stride, vals, ids, start)
		return
	}
	_, _, _ = a[(rows-1)*stride], vals[8*kept-1], ids[kept-1]
	if useAVX2 {
		blockAxpysAVX2(&vals[0], &ids[0], &start[0], rows, &y[0], &a[0], stride, scale)
		return
	}
	blockAxpysAVX512(&vals[0], &ids[0], &start[0], rows, &y[0], &a[0], stride, scale)
}

// blockAxpys5 is blockAxpys for the five vectors y[k·ld:k·ld+n], k < 5, with the
// coefficients a[r·stride+k]: one kernel widening each block once for the five. The same
// bits.
func blockAxpys5(y []float64, ld int, scale float64, a []float64, stride int, vals []uint8, ids []uint16, start []int, n int) {
	rows := len(start) - 1
	kept := start[rows] - start[0]
	if !useAVX512 && !useAVX2 || kept == 0 {
		blockAxpys5Go(y, ld, scale, a, stride, vals, ids, start, n)
		return
	}
	_, _, _, _ = a[(rows-1)*stride+4], vals[8*kept-1], ids[kept-1], y[4*ld+n-1]
	if useAVX2 {
		blockAxpys5AVX2(&vals[0], &ids[0], &start[0], rows, &y[0], ld, &a[0], stride, scale)
		return
	}
	blockAxpys5AVX512(&vals[0], &ids[0], &start[0], rows, &y[0], ld, &a[0], stride, scale)
}
