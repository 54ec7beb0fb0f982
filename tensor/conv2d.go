package tensor

import (
	"fmt"
	"sync"

	"github.com/descent-ml/descent/internal/convk"
	"github.com/descent-ml/descent/internal/parallel"
	"github.com/descent-ml/descent/internal/vec"
)

// Conv2dConfig holds the options of a 2-D convolution. The zero value is stride 1 and no
// padding, PyTorch's defaults.
type Conv2dConfig struct {
	// Stride is the step between windows, in both spatial dimensions. 0 means 1.
	Stride int
	// Padding is the number of zeros added on each side of both spatial dimensions.
	Padding int
}

func (c Conv2dConfig) stride() int { return max(c.Stride, 1) }

// conv2dGeom validates the shapes of x (n×c×h×w) and w (f×c×kh×kw) and returns the geometry.
func conv2dGeom(op string, x, w *Tensor, cfg Conv2dConfig) convGeom {
	if x.rank != 4 || w.rank != 4 || x.shape[1] != w.shape[1] || cfg.Padding < 0 || cfg.Stride < 0 {
		panic(fmt.Sprintf("tensor: %s of input %v with weight %v and %+v", op, dimsOf(x), dimsOf(w), cfg))
	}
	g := convGeom{
		n: x.shape[0], c: x.shape[1], h: x.shape[2], w: x.shape[3],
		f: w.shape[0], kh: w.shape[2], kw: w.shape[3],
		s: cfg.stride(), p: cfg.Padding,
	}
	g.oh = (g.h+2*g.p-g.kh)/g.s + 1
	g.ow = (g.w+2*g.p-g.kw)/g.s + 1
	if g.h+2*g.p < g.kh || g.w+2*g.p < g.kw || g.kh < 1 || g.kw < 1 {
		panic(fmt.Sprintf("tensor: %s: kernel %d×%d larger than padded input %d×%d", op, g.kh, g.kw, g.h+2*g.p, g.w+2*g.p))
	}
	return g
}

// Conv2dShape returns the shape n×f×oh×ow of the convolution of x (n×c×h×w) with w
// (f×c×kh×kw): oh = ⌊(h + 2·padding − kh)/stride⌋ + 1, and ow likewise.
func Conv2dShape(x, w *Tensor, cfg Conv2dConfig) [4]int {
	g := conv2dGeom("Conv2dShape", x, w, cfg)
	return [4]int{g.n, g.f, g.oh, g.ow}
}

// identityUnfold reports whether im2col is the identity (1×1 kernel, stride 1, no padding).
func (g *convGeom) identityUnfold() bool {
	return g.kh == 1 && g.kw == 1 && g.s == 1 && g.p == 0
}

// Conv2dWorkLen returns the length of the scratch buffer that [Conv2d],
// [Conv2dBackwardInput] and [Conv2dBackwardWeight] need for an input shaped like x and
// weights shaped like w. It depends on runtime.GOMAXPROCS, which must not change between
// this call and the kernels that use the buffer.
func Conv2dWorkLen(x, w *Tensor, cfg Conv2dConfig) int {
	g := conv2dGeom("Conv2dWorkLen", x, w, cfg)
	return g.workLen(parallel.Parts(g.n, 1))
}

// workLen is the scratch for chunks workers: for implicit GEMM the flipped weights and each
// worker's buffers, otherwise each worker's unfolded sample and partial weight and bias
// gradients.
func (g *convGeom) workLen(chunks int) int {
	if g.implicit() {
		return g.taps() + chunks*g.implicitChunkWork()
	}
	return chunks * g.chunkWork()
}

// chunkWork is the scratch of one worker of the im2col scheme: the unfolded sample, the
// partial weight and bias gradients, and one sample's output (or its gradient) for
// [Conv2dReLUMaxPool], which keeps only the pooled output.
func (g *convGeom) chunkWork() int { return g.k()*g.q() + g.f*g.k() + g.f + g.f*g.q() }

func (g *convGeom) checkWork(op string, work []float32) int {
	chunks := parallel.Parts(g.n, 1)
	if need := g.workLen(chunks); len(work) < need {
		panic(fmt.Sprintf("tensor: %s: work buffer of %d, need %d (Conv2dWorkLen)", op, len(work), need))
	}
	return chunks
}

// Conv2d sets y = act(conv(x, w) + b), PyTorch's Conv2d (cross-correlation) in NCHW
// layout: x is n×c×h×w, w is f×c×kh×kw, b has f elements (or is nil) and y is
// n×f×oh×ow (see [Conv2dShape]). work is scratch of at least [Conv2dWorkLen] elements.
//
// With stride 1 (and padding smaller than the kernel) the convolution is computed by
// implicit GEMM (see conv2d_implicit.go): one product per sample whose unfolded operand is
// read from the input in place, row by row, never built. Otherwise each sample is unfolded
// (im2col) into a (c·kh·kw)×(oh·ow) matrix multiplied by the weights seen as an
// f×(c·kh·kw) matrix. Either way the samples are split over the cores, each core running
// its products alone.
func Conv2d(y, x, w, b *Tensor, cfg Conv2dConfig, act Activation, work []float32) {
	g := conv2dGeom("Conv2d", x, w, cfg)
	if y.rank != 4 || y.shape[0] != g.n || y.shape[1] != g.f || y.shape[2] != g.oh || y.shape[3] != g.ow || (b != nil && b.Len() != g.f) {
		panic(fmt.Sprintf("tensor: Conv2d of input %v with weight %v into %v", dimsOf(x), dimsOf(w), dimsOf(y)))
	}
	j := convJob{g: g, x: x.data, y: y.data, w: w.data, act: act, work: work}
	if b != nil {
		j.b = b.data
	}
	j.run(g.checkWork("Conv2d", work), convForward)
}

// A convJob holds the operands of one convolution kernel call, so that its per-chunk
// methods can run on the cores without a closure per call.
type convJob struct {
	g       convGeom
	x, y, w []float32 // input (or its gradient), output (or its gradient), weights
	b       []float32 // bias, or its gradient's partial sums (nil: none)
	act     Activation
	mode    Mode
	work    []float32
	pass    int
	offs    []int // the row offsets of an implicit product (see conv2d_implicit.go)
	threads int   // the goroutines of one implicit product (see gemmThreads)

	// With pool, the job is [Conv2dReLUMaxPool]'s or one of its backward passes: y is the
	// pooled output (or its gradient), py the pooled output in the backward passes, idx
	// the positions of the maxima.
	pool bool
	py   []float32
	idx  []int32

	// sparse is set when the pooled input gradient takes the pass from the pooling's
	// nonzeros (conv2d_sparse.go).
	sparse bool
}

// The passes a convJob runs.
const (
	convForward = iota
	convBackwardInput
	convBackwardWeight
)

// run runs pass for each chunk of the batch, on the calling goroutine when there is one.
func (j *convJob) run(chunks, pass int) {
	j.pass = pass
	if g := &j.g; g.implicit() {
		buf := offsPool.Get().(*[]int)
		defer offsPool.Put(buf)
		j.sparse = pass == convBackwardInput && j.pool && g.sparseInputGrad(j.w)
		if j.sparse {
			g.weightsChannelsLast(j.work[:g.taps()], j.w)
		} else if pass == convBackwardInput {
			hq, wq := g.gradPadded()
			j.offs = rowOffsets(buf, g.f, hq, wq, g.kh, g.kw)
			g.flip(j.work[:g.taps()], j.w)
		} else {
			hp, wp := g.padded()
			j.offs = rowOffsets(buf, g.c, hp, wp, g.kh, g.kw)
		}
		j.threads = gemmThreads(chunks)
	}
	if chunks == 1 {
		j.Range(0, 0, j.g.n)
		return
	}
	splitPooled(&convJobs, *j, j.g.n, chunks)
}

var convJobs = sync.Pool{New: func() any { return new(convJob) }}

// Range runs the job's pass on samples [lo, hi) with chunk ci's scratch.
func (j *convJob) Range(ci, lo, hi int) {
	if j.g.implicit() {
		switch j.pass {
		case convForward:
			j.implicitForward(ci, lo, hi)
		case convBackwardInput:
			j.implicitBackwardInput(ci, lo, hi)
		default:
			j.implicitBackwardWeight(ci, lo, hi)
		}
		return
	}
	switch j.pass {
	case convForward:
		j.forward(ci, lo, hi)
	case convBackwardInput:
		j.backwardInput(ci, lo, hi)
	default:
		j.backwardWeight(ci, lo, hi)
	}
}

// scratch returns chunk ci's part of the work buffer: the unfolded sample, the partial
// weight gradient and the partial bias gradient.
func (j *convJob) scratch(ci int) (col, dw, db []float32) {
	g := &j.g
	k, q := g.k(), g.q()
	wk := j.work[ci*g.chunkWork():][:g.chunkWork()]
	return wk[:k*q], wk[k*q : k*q+g.f*k], wk[k*q+g.f*k:][:g.f]
}

// sampleOut returns where sample n's output (f×q) goes: y itself, or with pool chunk ci's
// scratch, pooled into y by poolSample.
func (j *convJob) sampleOut(ci, n int) []float32 {
	g := &j.g
	if j.pool {
		return j.work[ci*g.chunkWork()+g.chunkWork()-g.f*g.q():][:g.f*g.q()]
	}
	return j.y[n*g.f*g.q() : (n+1)*g.f*g.q()]
}

// sampleGrad returns sample n's output gradient (f×q): from y, or with pool routed from
// the pooled gradient into chunk ci's scratch.
func (j *convJob) sampleGrad(ci, n int) []float32 {
	g := &j.g
	if !j.pool {
		return j.y[n*g.f*g.q() : (n+1)*g.f*g.q()]
	}
	dy := j.work[ci*g.chunkWork()+g.chunkWork()-g.f*g.q():][:g.f*g.q()]
	np := (g.oh / 2) * (g.ow / 2)
	for fi := range g.f {
		o := (n*g.f + fi) * np
		convk.Unpool2(dy[fi*g.q():], g.ow, j.y[o:o+np], j.py[o:o+np], j.idx[o:o+np], g.oh, g.ow)
	}
	return dy
}

// poolSample rectifies and pools sample n's planes in out, of oh rows ld apart, one after
// the other, into y and idx.
func (j *convJob) poolSample(n int, out []float32, ld int) {
	g := &j.g
	np := (g.oh / 2) * (g.ow / 2)
	plane := (g.oh-1)*ld + g.ow
	for fi := range g.f {
		var c float32
		if j.b != nil {
			c = j.b[fi]
		}
		o := (n*g.f + fi) * np
		convk.PoolReLU2(j.y[o:o+np], j.idx[o:o+np], out[fi*plane:][:plane], ld, g.oh, g.ow, c)
	}
}

func (j *convJob) forward(ci, lo, hi int) {
	g := &j.g
	k, q, in := g.k(), g.q(), g.c*g.h*g.w
	col, _, _ := j.scratch(ci)
	for n := lo; n < hi; n++ {
		xn, yn := j.x[n*in:(n+1)*in], j.sampleOut(ci, n)
		if g.identityUnfold() {
			col = xn
		} else {
			im2col(col, q, xn, g)
		}
		sgemm(false, false, g.f, q, k, j.w, k, col, q, yn, q, Assign)
		if j.pool {
			j.poolSample(n, yn, g.ow)
			continue
		}
		planeBiasAct(yn, q, j.b, j.act)
	}
}

// planeBiasAct applies act(y + bias[f]) to each plane f (of q elements) of one sample.
func planeBiasAct(y []float32, q int, bias []float32, act Activation) {
	if bias == nil && act == ActNone {
		return
	}
	for f := 0; f*q < len(y); f++ {
		p := y[f*q : (f+1)*q]
		var c float32
		if bias != nil {
			c = bias[f]
		}
		if act == ActReLU {
			vec.AddConstReLU(p, c)
		} else {
			vec.AddConst(p, c)
		}
	}
}

// Conv2dBackwardInput sets dx (mode Assign) or adds to it (Accumulate) the gradient of
// [Conv2d] with respect to its input, from dy, the gradient of its output before the
// activation, and the weights w. work is scratch of at least [Conv2dWorkLen] elements.
func Conv2dBackwardInput(dx, dy, w *Tensor, cfg Conv2dConfig, mode Mode, work []float32) {
	g := conv2dGeom("Conv2dBackwardInput", dx, w, cfg)
	g.checkOut("Conv2dBackwardInput", dy)
	j := convJob{g: g, x: dx.data, y: dy.data, w: w.data, mode: mode, work: work}
	j.run(g.checkWork("Conv2dBackwardInput", work), convBackwardInput)
}

func (j *convJob) backwardInput(ci, lo, hi int) {
	g := &j.g
	k, q, in := g.k(), g.q(), g.c*g.h*g.w
	dcol, _, _ := j.scratch(ci)
	for n := lo; n < hi; n++ {
		dxn, dyn := j.x[n*in:(n+1)*in], j.sampleGrad(ci, n)
		if g.identityUnfold() {
			sgemm(true, false, k, q, g.f, j.w, k, dyn, q, dxn, q, j.mode)
			continue
		}
		sgemm(true, false, k, q, g.f, j.w, k, dyn, q, dcol, q, Assign)
		if j.mode == Assign {
			clear(dxn)
		}
		col2im(dxn, dcol, q, g)
	}
}

// Conv2dBackwardWeight sets dw and db (mode Assign) or adds to them (Accumulate) the
// gradients of [Conv2d] with respect to its weights and bias, from dy, the gradient of its
// output before the activation, and the input x. db may be nil. work is scratch of at least
// [Conv2dWorkLen] elements.
func Conv2dBackwardWeight(dw, db, dy, x *Tensor, cfg Conv2dConfig, mode Mode, work []float32) {
	g := conv2dGeom("Conv2dBackwardWeight", x, dw, cfg)
	g.checkOut("Conv2dBackwardWeight", dy)
	j := convJob{g: g, x: x.data, y: dy.data, work: work}
	j.weightGrad("Conv2dBackwardWeight", dw, db, mode)
}

// weightGrad runs the weight pass of j (whose x, y and work are set) into dw and db, for
// the function op.
func (j *convJob) weightGrad(op string, dw, db *Tensor, mode Mode) {
	g := j.g
	if db != nil {
		if db.Len() != g.f {
			panic(fmt.Sprintf("tensor: %s: bias gradient %v for %d filters", op, dimsOf(db), g.f))
		}
		j.b = db.data // marks that the bias gradient is wanted
	}
	chunks := g.checkWork(op, j.work)
	j.run(chunks, convBackwardWeight)
	// Reduce the partial gradients of the chunks, in chunk order, into chunk 0's.
	pdw, pdb := j.partials(0)
	for ci := 1; ci < chunks; ci++ {
		w, b := j.partials(ci)
		vec.Add(pdw, w)
		vec.Add(pdb, b)
	}
	if mode == Assign {
		copy(dw.data, pdw)
	} else {
		vec.Add(dw.data, pdw)
	}
	if db != nil {
		if mode == Assign {
			copy(db.data, pdb)
		} else {
			vec.Add(db.data, pdb)
		}
	}
}

// partials returns chunk ci's partial weight and bias gradients.
func (j *convJob) partials(ci int) (dw, db []float32) {
	if j.g.implicit() {
		_, _, dw, db = j.implicitScratch(ci)
		return dw, db
	}
	_, dw, db = j.scratch(ci)
	return dw, db
}

func (j *convJob) backwardWeight(ci, lo, hi int) {
	g := &j.g
	k, q, in := g.k(), g.q(), g.c*g.h*g.w
	col, pdw, pdb := j.scratch(ci)
	clear(pdw)
	clear(pdb)
	for n := lo; n < hi; n++ {
		xn, dyn := j.x[n*in:(n+1)*in], j.sampleGrad(ci, n)
		if g.identityUnfold() {
			col = xn
		} else {
			im2col(col, q, xn, g)
		}
		sgemm(false, true, g.f, k, q, dyn, q, col, q, pdw, k, Accumulate)
		if j.b != nil {
			for f := range g.f {
				pdb[f] += vec.Sum(dyn[f*q : (f+1)*q])
			}
		}
	}
}

// checkOut panics unless dy has the output shape of g.
func (g *convGeom) checkOut(op string, dy *Tensor) {
	if dy.rank != 4 || dy.shape[0] != g.n || dy.shape[1] != g.f || dy.shape[2] != g.oh || dy.shape[3] != g.ow {
		panic(fmt.Sprintf("tensor: %s: output gradient %v, want [%d %d %d %d]", op, dimsOf(dy), g.n, g.f, g.oh, g.ow))
	}
}
