package tensor

import "fmt"

// Conv2dReLUMaxPoolShape returns the shape n×f×⌊oh/2⌋×⌊ow/2⌋ of [Conv2dReLUMaxPool] of x
// (n×c×h×w) with w (f×c×kh×kw), oh×ow being the convolution's output (see [Conv2dShape]).
func Conv2dReLUMaxPoolShape(x, w *Tensor, cfg Conv2dConfig) [4]int {
	s := Conv2dShape(x, w, cfg)
	return [4]int{s[0], s[1], s[2] / 2, s[3] / 2}
}

// Conv2dReLUMaxPool sets y = maxpool(relu(conv(x, w) + b)), PyTorch's Conv2d, ReLU and
// MaxPool2d(2) one after the other, without writing the convolution's output: each sample's
// planes are rectified and pooled while they are in cache (internal/convk). x is n×c×h×w,
// w is f×c×kh×kw, b has f elements (or is nil), y has the shape of
// [Conv2dReLUMaxPoolShape] and idx its length; idx receives, as [MaxPool2d] records it,
// the position (row·ow + column) in its oh×ow output plane of each maximum. work is
// scratch of at least [Conv2dWorkLen] elements.
//
// The values are those of [Conv2d] with [ActReLU] followed by [MaxPool2d] with kernel 2
// (a zero may differ in sign). The backward passes compute the same gradients from the
// pooling's nonzeros alone where they can (see conv2d_sparse.go): the same sums, in
// another order.
func Conv2dReLUMaxPool(y *Tensor, idx []int32, x, w, b *Tensor, cfg Conv2dConfig, work []float32) {
	g := conv2dGeom("Conv2dReLUMaxPool", x, w, cfg)
	g.checkPooled("Conv2dReLUMaxPool", y, idx, b)
	j := convJob{g: g, x: x.data, y: y.data, w: w.data, act: ActReLU, work: work, pool: true, idx: idx}
	if b != nil {
		j.b = b.data
	}
	j.run(g.checkWork("Conv2dReLUMaxPool", work), convForward)
}

// Conv2dReLUMaxPoolBackwardInput sets dx (mode Assign) or adds to it (Accumulate) the
// gradient of [Conv2dReLUMaxPool] with respect to its input, from dy, the gradient of its
// pooled output y, the positions idx it recorded and the weights w. work is scratch of at
// least [Conv2dWorkLen] elements.
func Conv2dReLUMaxPoolBackwardInput(dx, dy, y *Tensor, idx []int32, w *Tensor, cfg Conv2dConfig, mode Mode, work []float32) {
	g := conv2dGeom("Conv2dReLUMaxPoolBackwardInput", dx, w, cfg)
	g.checkPooledGrad("Conv2dReLUMaxPoolBackwardInput", dy, y, idx)
	j := convJob{g: g, x: dx.data, y: dy.data, w: w.data, mode: mode, work: work, pool: true, py: y.data, idx: idx}
	j.run(g.checkWork("Conv2dReLUMaxPoolBackwardInput", work), convBackwardInput)
}

// Conv2dReLUMaxPoolBackwardWeight sets dw and db (mode Assign) or adds to them
// (Accumulate) the gradients of [Conv2dReLUMaxPool] with respect to its weights and bias,
// from dy, the gradient of its pooled output y, the positions idx it recorded and the input
// x. db may be nil. work is scratch of at least [Conv2dWorkLen] elements.
func Conv2dReLUMaxPoolBackwardWeight(dw, db, dy, y *Tensor, idx []int32, x *Tensor, cfg Conv2dConfig, mode Mode, work []float32) {
	g := conv2dGeom("Conv2dReLUMaxPoolBackwardWeight", x, dw, cfg)
	g.checkPooledGrad("Conv2dReLUMaxPoolBackwardWeight", dy, y, idx)
	j := convJob{g: g, x: x.data, y: dy.data, work: work, pool: true, py: y.data, idx: idx}
	j.weightGrad("Conv2dReLUMaxPoolBackwardWeight", dw, db, mode)
}

// checkPooled panics unless y and idx have the pooled output's shape and length and b, if
// not nil, one element per filter.
func (g *convGeom) checkPooled(op string, y *Tensor, idx []int32, b *Tensor) {
	if y.rank != 4 || y.shape[0] != g.n || y.shape[1] != g.f || y.shape[2] != g.oh/2 || y.shape[3] != g.ow/2 ||
		len(idx) != y.Len() || (b != nil && b.Len() != g.f) {
		panic(fmt.Sprintf("tensor: %s: output %v with %d indices, want [%d %d %d %d]", op, dimsOf(y), len(idx), g.n, g.f, g.oh/2, g.ow/2))
	}
}

// checkPooledGrad panics unless dy, y and idx have the pooled output's shape and length.
func (g *convGeom) checkPooledGrad(op string, dy, y *Tensor, idx []int32) {
	g.checkPooled(op, y, idx, nil)
	if dy.rank != 4 || [4]int(dy.shape[:4]) != [4]int(y.shape[:4]) {
		panic(fmt.Sprintf("tensor: %s: output gradient %v, output %v", op, dimsOf(dy), dimsOf(y)))
	}
}
