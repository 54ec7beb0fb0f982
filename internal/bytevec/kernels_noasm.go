//go:build noasm || !amd64

package bytevec

// Without assembly, the kernels are the Go twins.

// impl names the kernels that run: the Go twins.
func impl() string { return "go" }

func dotBlocks(x []uint8, w []float64) float64 { return dotBlocksGo(x, w) }

func axpyBlocks(y []float64, a float64, x []uint8) { axpyBlocksGo(y, a, x) }

func dot4Blocks(out *[4]float64, x []uint8, stride int, w []float64) {
	dot4BlocksGo(out, x, stride, w)
}

func axpy4Blocks(y []float64, a *[4]float64, x []uint8, stride int) {
	axpy4BlocksGo(y, a, x, stride)
}

func blockDots(z []float64, stride int, vals []uint8, ids []uint16, start []int, w []float64) {
	blockDotsGo(z, stride, vals, ids, start, w)
}

func blockAxpys(y []float64, scale float64, a []float64, stride int, vals []uint8, ids []uint16, start []int) {
	blockAxpysGo(y, scale, a, stride, vals, ids, start)
}

func blockDots5(z []float64, stride int, vals []uint8, ids []uint16, start []int, w []float64, ld, n int) {
	blockDots5Go(z, stride, vals, ids, start, w, ld, n)
}

func blockAxpys5(y []float64, ld int, scale float64, a []float64, stride int, vals []uint8, ids []uint16, start []int, n int) {
	blockAxpys5Go(y, ld, scale, a, stride, vals, ids, start, n)
}
