package gemm

import "runtime"

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

// Kernel returns the name of the micro-kernel Sgemm uses on this machine: "avx512",
// "avx2" or "go".
func Kernel() string { return best.name }

// check validates Sgemm's arguments in gonum's order: dimensions, strides, slice lengths.
func check(transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int) {
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
	if ldb < max(1, colsB) {
		panic("gemm: ldb smaller than a row of B")
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
	if k > 0 && len(b) < (rowsB-1)*ldb+colsB {
		panic("gemm: B slice too short")
	}
	if len(c) < (m-1)*ldc+n {
		panic("gemm: C slice too short")
	}
}
