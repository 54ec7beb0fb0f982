package convk

import "fmt"

// PoolReLU2 rectifies and max-pools one plane of a convolution's output: src holds its oh
// rows of ow elements ld apart (ld ≥ ow), y and idx receive the (oh/2)×(ow/2) pooled plane
// row after row. For py < oh/2 and px < ow/2, with u(r, c) = max(src[r·ld+c] + bias, 0),
// y[py·(ow/2)+px] is the maximum of u over rows 2py, 2py+1 and columns 2px, 2px+1, and idx
// the position r·ow + c of the first one in row-major order that holds it (of the last NaN
// if one is NaN), as the rectifier followed by PyTorch's MaxPool2d(2) gives them. A last
// odd row or column of src is not read.
func PoolReLU2(y []float32, idx []int32, src []float32, ld, oh, ow int, bias float32) {
	ph, pw := oh/2, ow/2
	if ld < ow || len(y) != ph*pw || len(idx) != ph*pw || (ph > 0 && len(src) < (2*ph-1)*ld+2*pw) {
		panic(fmt.Sprintf("convk: PoolReLU2 of a %d×%d plane (stride %d, %d elements) into %d values and %d indices", oh, ow, ld, len(src), len(y), len(idx)))
	}
	if ph == 0 || pw == 0 {
		return
	}
	if !poolReLU2(y, idx, src, ld, oh, ow, bias) {
		poolReLU2Go(y, idx, src, ld, oh, ow, bias)
	}
}

// Unpool2 writes the gradient of PoolReLU2 with respect to its input plane: dst, oh rows of
// ow elements ld apart, gets g[w] at the position idx[w] (row·ow + column) where y[w] > 0,
// and zero everywhere else, for the (oh/2)×(ow/2) pooled values y, their gradient g and
// positions idx of PoolReLU2. Positions in idx outside the windows of their pooled value
// get nothing.
func Unpool2(dst []float32, ld int, g, y []float32, idx []int32, oh, ow int) {
	ph, pw := oh/2, ow/2
	if ld < ow || len(g) != ph*pw || len(y) != ph*pw || len(idx) != ph*pw || (oh > 0 && len(dst) < (oh-1)*ld+ow) {
		panic(fmt.Sprintf("convk: Unpool2 of %d values into a %d×%d plane (stride %d, %d elements)", len(g), oh, ow, ld, len(dst)))
	}
	if oh == 0 || ow == 0 {
		return
	}
	if !unpool2(dst, ld, g, y, idx, oh, ow) {
		unpool2Go(dst, ld, g, y, idx, oh, ow)
	}
}
