//go:build noasm || !amd64

package convk

// useAVX512 and directAVX2 are false: Conv3x3One and Conv3x3OneGrad have no kernels here.
const (
	useAVX512  = false
	directAVX2 = false
)

func conv3x3OneAVX512(y, x, wt, c *float32, groups, oh, ow, w, relu int) {}

func conv3x3OneGradAVX512(dw, dy, x *float32, pairs, oh, ow, w int) {}

func conv3x3OneAVX2(y, x, wt, c *float32, groups, oh, ow, w, relu int) {}

func conv3x3OneGradAVX2(dw, dy, x *float32, f, oh, ow, w int) {}

func sparseAxpysAVX512(acc *float32, lda, nv, rows, stride int, x *float32, offs *int32, vals *float32, n int) {
}

func sparseAxpysAVX2(acc *float32, lda, nv, rows, stride int, x *float32, offs *int32, vals *float32, n int) {
}

func sparseScatterAVX512(dst *float32, ldw, nv, rows, stride int, w *float32, offs *int32, vals *float32, n int) {
}

func sparseScatterAVX2(dst *float32, ldw, nv, rows, stride int, w *float32, offs *int32, vals *float32, n int) {
}

func pooledNonzerosAVX512(offs *int32, vals *float32, grad, y *float32, idx *int32, ph, pw, ow, ld, scale int) int {
	return 0
}

func pooledNonzerosAVX2(offs *int32, vals *float32, grad, y *float32, idx *int32, ph, pw, ow, ld, scale int, perm *[256][8]int32) int {
	return 0
}
