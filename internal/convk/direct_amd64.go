//go:build !noasm

package convk

import "github.com/descent-ml/descent/internal/cpu"

// useAVX512 selects the AVX-512 kernels of Conv3x3One and Conv3x3OneGrad; without it,
// directAVX2 selects their AVX2 ones.
var (
	useAVX512  = cpu.Enabled().AVX512F
	directAVX2 = !useAVX512 && cpu.Enabled().AVX2 && cpu.Enabled().FMA
)

// conv3x3OneAVX512 is Conv3x3One's kernel: groups groups of 8 filters, outputs oh×ow, input
// rows w apart, biases c (one a filter, always added), the rectifier with relu ≠ 0.
//
//go:noescape
func conv3x3OneAVX512(y, x, wt, c *float32, groups, oh, ow, w, relu int)

// conv3x3OneGradAVX512 is Conv3x3OneGrad's kernel: pairs pairs of filters, outputs oh×ow,
// input rows w apart.
//
//go:noescape
func conv3x3OneGradAVX512(dw, dy, x *float32, pairs, oh, ow, w int)

// conv3x3OneAVX2 is Conv3x3One's kernel where AVX-512 is missing: groups groups of 4
// filters, outputs oh×ow with ow ≥ 8, input rows w apart, biases c, the rectifier with
// relu ≠ 0; the same bits as conv3x3OneAVX512.
//
//go:noescape
func conv3x3OneAVX2(y, x, wt, c *float32, groups, oh, ow, w, relu int)

// conv3x3OneGradAVX2 is Conv3x3OneGrad's kernel where AVX-512 is missing: f filters,
// outputs oh×ow, input rows w apart.
//
//go:noescape
func conv3x3OneGradAVX2(dw, dy, x *float32, f, oh, ow, w int)

// sparseAxpysAVX512 is SparseAxpys on rows rows (1..3) of 16·nv elements of acc, lda
// apart (nv at most 12, rows·nv at most 24), x's rows stride apart: the n values in
// order, each term a fused multiply-add.
//
//go:noescape
func sparseAxpysAVX512(acc *float32, lda, nv, rows, stride int, x *float32, offs *int32, vals *float32, n int)

// sparseAxpysAVX2 is sparseAxpysAVX512 on rows of 8·nv elements (rows·nv at most 12): the
// same bits.
//
//go:noescape
func sparseAxpysAVX2(acc *float32, lda, nv, rows, stride int, x *float32, offs *int32, vals *float32, n int)

// sparseScatterAVX512 is SparseScatter on rows rows (1..3) of 16·nv elements of w, ldw
// apart (nv at most 12, rows·nv at most 24), dst's rows stride apart: for each value in
// order, each row in order, each term a fused multiply-add.
//
//go:noescape
func sparseScatterAVX512(dst *float32, ldw, nv, rows, stride int, w *float32, offs *int32, vals *float32, n int)

// sparseScatterAVX2 is sparseScatterAVX512 on rows of 8·nv elements (rows·nv at most 12).
//
//go:noescape
func sparseScatterAVX2(dst *float32, ldw, nv, rows, stride int, w *float32, offs *int32, vals *float32, n int)

// pooledNonzerosAVX512 is PooledNonzeros on a plane of ph×pw windows, returning how many it
// wrote.
//
//go:noescape
func pooledNonzerosAVX512(offs *int32, vals *float32, grad, y *float32, idx *int32, ph, pw, ow, ld, scale int) int

// pooledNonzerosAVX2 is pooledNonzerosAVX512 eight windows a step, the kept ones moved to
// the front by perm[mask]; it stores eight elements at a time, up to 7 past the last kept.
//
//go:noescape
func pooledNonzerosAVX2(offs *int32, vals *float32, grad, y *float32, idx *int32, ph, pw, ow, ld, scale int, perm *[256][8]int32) int
