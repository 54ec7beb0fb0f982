// Package gemm computes single-precision matrix products for descent's tensors.
package gemm

// Sgemm computes C = alpha·op(A)·op(B) + beta·C for row-major matrices, where op(X) is X, or
// Xᵀ when the matching trans flag is set. op(A) is m×k, op(B) is k×n and C is m×n; lda, ldb
// and ldc are the row strides of A, B and C as stored. When beta is 0, C is not read.
func Sgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	at := func(i, p int) float32 {
		if transA {
			return a[p*lda+i]
		}
		return a[i*lda+p]
	}
	bt := func(p, j int) float32 {
		if transB {
			return b[j*ldb+p]
		}
		return b[p*ldb+j]
	}
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			var s float32
			for p := 0; p < k; p++ {
				s += at(i, p) * bt(p, j)
			}
			if beta == 0 {
				c[i*ldc+j] = alpha * s
			} else {
				c[i*ldc+j] = alpha*s + beta*c[i*ldc+j]
			}
		}
	}
}
