package gemm

import (
	"fmt"
	"runtime"
)

//go:generate go run ./gen -out kernels_amd64.s -stubs kernels_amd64.go

// Sgemm computes C = alpha·op(A)·op(B) + beta·C for row-major matrices, where op(X) is X, or
// Xᵀ when the matching trans flag is set. op(A) is m×k, op(B) is k×n and C is m×n; lda, ldb
// and ldc are the row strides of A, B and C as stored. When beta is 0, C is not read.
//
// Sgemm uses the fastest kernel of this CPU (see [Kernel]) and up to runtime.GOMAXPROCS(0)
// goroutines for large products. It panics on a negative dimension, a stride smaller than
// its row, or a slice too short for its matrix. It is safe for concurrent use; C must not
// overlap A or B.
func Sgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	check(transA, transB, m, n, k, a, lda, b, ldb, c, ldc)
	sgemm(best, runtime.GOMAXPROCS(0), transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// SgemmRows is [Sgemm] for a B whose rows, as stored, are anywhere in b: row i of B (k×n)
// is b[offs[i] : offs[i]+n] when transB is false; when it is true, B = Dᵀ and row j of D
// (n×k) is b[offs[j] : offs[j]+k]. offs has k or n entries, and rows may overlap. This reads
// the unfolded input of a convolution without building it: the row of tap (i, j) of input
// channel c is the channel's plane seen from offset c·h·w + i·w + j.
//
// It uses up to threads goroutines, or runtime.GOMAXPROCS(0) when threads ≤ 0: a caller
// that splits its own work over the cores (a convolution, sample by sample) passes 1. It
// panics as Sgemm does, and when offs has the wrong length or a row runs outside b.
func SgemmRows(threads int, transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, offs []int, beta float32, c []float32, ldc int) {
	validate(transA, transB, m, n, k, a, lda, b, 0, offs, c, ldc)
	if threads <= 0 {
		threads = runtime.GOMAXPROCS(0)
	}
	sgemmRows(best, threads, transA, transB, m, n, k, alpha, a, lda, b, 0, offs, beta, c, ldc)
}

// Kernel returns the name of the micro-kernel Sgemm uses on this machine: "avx512",
// "avx2" or "go".
func Kernel() string { return best.name }

// Blocking describes the tiles and blocks of Sgemm's kernel set on this machine, as
// "avx512: 12×32 tiles, kc 512, nc 384" (see blocking.go for how the caches set them).
func Blocking() string {
	return fmt.Sprintf("%s: %d×%d tiles, kc %d, nc %d", best.name, best.mr, best.nr, best.kc, best.nc)
}

// check validates Sgemm's arguments in gonum's order: dimensions, strides, slice lengths.
func check(transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int) {
	validate(transA, transB, m, n, k, a, lda, b, ldb, nil, c, ldc)
}

// validate checks the arguments of Sgemm (offs nil) or SgemmRows (offs giving the rows of
// B as stored; ldb is then not used) in gonum's order: dimensions, strides, slice lengths.
func validate(transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, offs []int, c []float32, ldc int) {
	if m < 0 || n < 0 || k < 0 {
		panic("gemm: negative dimension")
	}
	rowsA, colsA := m, k
	if transA {
		rowsA, colsA = k, m
	}
	rowsB, colsB := k, n
	if transB {
		rowsB, colsB = n, k
	}
	if lda < max(1, colsA) {
		panic("gemm: lda smaller than a row of A")
	}
	if offs == nil && ldb < max(1, colsB) {
		panic("gemm: ldb smaller than a row of B")
	}
	if offs != nil && len(offs) != rowsB {
		panic("gemm: offs has not one offset per row of B as stored")
	}
	if ldc < max(1, n) {
		panic("gemm: ldc smaller than a row of C")
	}
	if m == 0 || n == 0 {
		return
	}
	if k > 0 && len(a) < (rowsA-1)*lda+colsA {
		panic("gemm: A slice too short")
	}
	if k > 0 && offs == nil && len(b) < (rowsB-1)*ldb+colsB {
		panic("gemm: B slice too short")
	}
	if k > 0 && offs != nil {
		for _, o := range offs {
			if o < 0 || o+colsB > len(b) {
				panic("gemm: a row of B outside b")
			}
		}
	}
	if len(c) < (m-1)*ldc+n {
		panic("gemm: C slice too short")
	}
}
