package tensor

import (
	"fmt"

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
	sgemm(transA, transB, m, n, k, a.data, a.shape[1], b.data, b.shape[1], dst.data, n, mode)
}

// sgemm is gemm.Sgemm with alpha 1 and beta 0 or 1 from mode, and nothing to do for empty
// products. It runs on the calling goroutine unless internal/gemm splits the product
// itself (from 2²² multiply-adds); kernels that split their own work over the cores call it.
//
// Until 2026-12 the products from 2¹⁸ multiply-adds (a classifier layer's, 128×784×10)
// were also halved over two cores here, which saved about 8µs each with the pool's worker
// already polling; in a training step on a virtual machine whose thread hand-offs trap
// (AMD EPYC, 2 cores), a logreg epoch took 47 ms with that split and the batch's gather
// split, 34 ms with neither (and 1 thread 33 ms).
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
