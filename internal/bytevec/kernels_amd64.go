//go:build !noasm

package bytevec

import "github.com/descent-ml/descent/internal/cpu"

// useAVX512 selects the assembly kernels of kernels_amd64.s, which need AVX-512F and, for
// VCVTQQ2PD, AVX-512DQ; without them the Go twins run. Both compute the same bits.
var useAVX512 = hasAVX512(cpu.Enabled())

// impl names the kernels that run: "avx512" (the assembly) or "go" (the twins).
func impl() string {
	if useAVX512 {
		return "avx512"
	}
	return "go"
}

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
	if !useAVX512 {
		return dotBlocksGo(x, w)
	}
	w = w[:len(x)]
	return dotAVX512(&x[0], &w[0], len(x))
}

func axpyBlocks(y []float64, a float64, x []uint8) {
	if !useAVX512 {
		axpyBlocksGo(y, a, x)
		return
	}
	y = y[:len(x)]
	axpyAVX512(&y[0], a, &x[0], len(x))
}

func dot4Blocks(out *[4]float64, x []uint8, stride int, w []float64) {
	if !useAVX512 {
		dot4BlocksGo(out, x, stride, w)
		return
	}
	_ = x[3*stride+len(w)-1]
	dot4AVX512(&x[0], stride, &w[0], len(w), out)
}

func axpy4Blocks(y []float64, a *[4]float64, x []uint8, stride int) {
	if !useAVX512 {
		axpy4BlocksGo(y, a, x, stride)
		return
	}
	_ = x[3*stride+len(y)-1]
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

// blockDots and blockAxpys run the Go twins where no row has a kept block, so that the
// assembly is given no empty slice.

func blockDots(z []float64, stride int, vals []uint8, ids []uint16, start []int, w []float64) {
	rows := len(start) - 1
	kept := start[rows] - start[0]
	if !useAVX512 || kept == 0 {
		blockDotsGo(z, stride, vals, ids, start, w)
		return
	}
	_, _, _ = z[(rows-1)*stride], vals[8*kept-1], ids[kept-1]
	blockDotsAVX512(&vals[0], &ids[0], &start[0], rows, &w[0], &z[0], stride)
}

func blockAxpys(y []float64, scale float64, a []float64, stride int, vals []uint8, ids []uint16, start []int) {
	rows := len(start) - 1
	kept := start[rows] - start[0]
	if !useAVX512 || kept == 0 {
		blockAxpysGo(y, scale, a, stride, vals, ids, start)
		return
	}
	_, _, _ = a[(rows-1)*stride], vals[8*kept-1], ids[kept-1]
	blockAxpysAVX512(&vals[0], &ids[0], &start[0], rows, &y[0], &a[0], stride, scale)
}
