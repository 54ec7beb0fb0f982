package tensor

import (
	"fmt"
	"runtime"
	"sync"

	"github.com/descent-ml/descent/internal/gemm"
)

// MatMul sets dst = op(a)·op(b) (mode Assign) or adds it to dst (Accumulate), where op(x)
// is x, or xᵀ when the matching trans flag is set. a, b and dst are matrices (rank 2):
// op(a) is m×k, op(b) is k×n and dst is m×n. dst must not share storage with a or b.
func MatMul(dst, a *Tensor, transA bool, b *Tensor, transB bool, mode Mode) {
	if a.rank != 2 || b.rank != 2 || dst.rank != 2 {
		panic(fmt.Sprintf("tensor: MatMul of shapes %v and %v into %v: need matrices", dimsOf(a), dimsOf(b), dimsOf(dst)))
	}
	m, k := a.shape[0], a.shape[1]
	if transA {
		m, k = k, m
	}
	kb, n := b.shape[0], b.shape[1]
	if transB {
		kb, n = n, kb
	}
	if k != kb || dst.shape[0] != m || dst.shape[1] != n {
		panic(fmt.Sprintf("tensor: MatMul of shapes %v (trans %v) and %v (trans %v) into %v", dimsOf(a), transA, dimsOf(b), transB, dimsOf(dst)))
	}
	sgemmSplit(transA, transB, m, n, k, a.data, a.shape[1], b.data, b.shape[1], dst.data, n, mode)
}

// sgemm is gemm.Sgemm with alpha 1 and beta 0 or 1 from mode, and nothing to do for empty
// products. It runs on the calling goroutine unless internal/gemm splits the product
// itself (from 2²² multiply-adds); kernels that split their own work over the cores call it.
func sgemm(transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int, mode Mode) {
	if m == 0 || n == 0 {
		return
	}
	var beta float32
	if mode == Accumulate {
		beta = 1
	}
	if k == 0 {
		if mode == Assign {
			for i := range m {
				clear(c[i*ldc : i*ldc+n])
			}
		}
		return
	}
	gemm.Sgemm(transA, transB, m, n, k, 1, a, lda, b, ldb, beta, c, ldc)
}

// sgemmSplit is sgemm that also splits in two, over the cores, the products that
// internal/gemm runs on one goroutine (below 2²² multiply-adds) but that are still worth
// halving (from 2¹⁸): a classifier layer's (128×784×10, 128×1000×10) take 15-20µs on one
// core, 8-10µs on two. MatMul and Linear, which run at the top level, use it.
func sgemmSplit(transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int, mode Mode) {
	if mnk := m * n * k; mnk < splitMin || mnk >= splitMax || max(m, n) < 64 || runtime.GOMAXPROCS(0) < 2 {
		sgemm(transA, transB, m, n, k, a, lda, b, ldb, c, ldc, mode)
		return
	}
	splitPooled(&gemmJobs, gemmJob{transA, transB, m, n, k, a, lda, b, ldb, c, ldc, mode}, max(m, n), 2)
}

const (
	splitMin = 1 << 18
	splitMax = 1 << 22
)

// gemmJob is one product, split by the columns of C if n ≥ m, else by its rows.
type gemmJob struct {
	transA, transB bool
	m, n, k        int
	a              []float32
	lda            int
	b              []float32
	ldb            int
	c              []float32
	ldc            int
	mode           Mode
}

var gemmJobs = sync.Pool{New: func() any { return new(gemmJob) }}

// Range computes columns (or rows) [lo, hi) of C, the bounds rounded down to multiples of
// 16 but the last.
func (j *gemmJob) Range(_, lo, hi int) {
	if hi < max(j.m, j.n) {
		hi &^= 15
	}
	lo &^= 15
	if hi <= lo {
		return
	}
	// The columns of op(B) from lo start at element lo of B, or at its row lo if it is
	// transposed; the rows of op(A) at row lo of A, or at its element lo. (The other
	// offset can lie past the end of the slice: a transposed A of k < lo rows.)
	if j.n >= j.m {
		off := lo
		if j.transB {
			off = lo * j.ldb
		}
		sgemm(j.transA, j.transB, j.m, hi-lo, j.k, j.a, j.lda, j.b[off:], j.ldb, j.c[lo:], j.ldc, j.mode)
		return
	}
	off := lo * j.lda
	if j.transA {
		off = lo
	}
	a := j.a[off:]
	sgemm(j.transA, j.transB, hi-lo, j.n, j.k, a, j.lda, j.b, j.ldb, j.c[lo*j.ldc:], j.ldc, j.mode)
}
