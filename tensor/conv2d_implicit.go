package tensor

import (
	"sync"

	"github.com/descent-ml/descent/internal/convk"
	"github.com/descent-ml/descent/internal/gemm"
	"github.com/descent-ml/descent/internal/vec"
)

// Implicit-GEMM convolution for stride 1: each pass is one product per sample whose
// unfolded operand is never built. Seen from offset ci·hp·wp + i·wp + j, the (padded)
// input plane of channel ci, read as a row of Q = (oh−1)·wp + ow elements, holds in column
// q = oy·wp + ox the input under kernel tap (i, j) for output (oy, ox) — for ox < ow; the
// columns ox ≥ ow (wp − ow of each wp) hold values of the next row, whose products land in
// outputs that are dropped. internal/gemm's SgemmRows packs those rows, at their offsets,
// straight into its panels of B, so that:
//
//   - forward: the output as an f×Q matrix is w (f×K, K = c·kh·kw, as stored) times the
//     K×Q matrix of those rows, one product of inner dimension K; it is then cropped into
//     NCHW with the bias and the activation;
//   - weight gradient: ∂w (f×K) is the output gradient spread into an f×Q matrix (zero at
//     the dropped columns) times the transpose of the same K×Q matrix (SgemmRows with B
//     transposed, the rows gathered the same way), summed over the samples;
//   - input gradient: a stride-1 convolution's input gradient is the convolution of the
//     output gradient, padded by kh−1−p rows and kw−1−p columns, with the weights flipped
//     in both spatial dimensions and their two channel dimensions exchanged: the same
//     forward product on the padded gradient (c×Q' from c×(f·kh·kw) weights), cropped into
//     the input gradient.
//
// Each product has an inner dimension of K (c·9 = 288 for a 3×3 convolution of 32 channels)
// or Q, so the micro-kernel runs its long loop, where a product per tap (inner dimension c)
// would write its C tile every c steps. The dropped columns cost (wp−ow)/wp of the flops
// (2/26 for 3×3 kernels on 26-wide planes).
//
// FLOPs: a pass of a convolution computes 2·n·f·c·kh·kw·oh·ow useful flops (the forward
// output, and each gradient, is that many multiply-adds of the unfolded product); the
// products here also do the dropped columns' share.

// implicit reports whether the convolution uses implicit GEMM: stride 1 and padding
// smaller than the kernel (for the input gradient's padding kh−1−p to be a padding).
func (g *convGeom) implicit() bool { return g.s == 1 && g.p < g.kh && g.p < g.kw }

// padded returns the size of the padded input, hp×wp.
func (g *convGeom) padded() (hp, wp int) { return g.h + 2*g.p, g.w + 2*g.p }

// cols returns Q, the columns of the forward products: output positions oy·wp + ox.
func (g *convGeom) cols() int { _, wp := g.padded(); return (g.oh-1)*wp + g.ow }

// gradPadded returns the size of the output gradient padded for the input gradient's
// product, hq×wq: oh + 2(kh−1−p) by ow + 2(kw−1−p).
func (g *convGeom) gradPadded() (hq, wq int) {
	return g.oh + 2*(g.kh-1-g.p), g.ow + 2*(g.kw-1-g.p)
}

// gradCols returns Q', the columns of the input gradient's product: (h−1)·wq + w.
func (g *convGeom) gradCols() int { _, wq := g.gradPadded(); return (g.h-1)*wq + g.w }

// taps is the size of the weights: f·c·kh·kw.
func (g *convGeom) taps() int { return g.kh * g.kw * g.f * g.c }

// implicitChunkWork is the scratch of one worker: for the forward and weight passes the
// padded input (if padded), the f×Q output or output gradient and the partial weight and
// bias gradients; for the input gradient the padded output gradient and the c×Q' product.
func (g *convGeom) implicitChunkWork() int {
	hp, wp := g.padded()
	pad := 0
	if g.p > 0 {
		pad = g.c * hp * wp
	}
	hq, wq := g.gradPadded()
	return max(pad+g.f*g.cols()+g.taps()+g.f, g.f*hq*wq+g.c*g.gradCols())
}

// implicitScratch returns chunk ci's buffers for the forward and weight passes: the padded
// input, the f×Q output (or output gradient) and the partial weight and bias gradients.
func (j *convJob) implicitScratch(ci int) (pad, yq, pdw, pdb []float32) {
	g := &j.g
	hp, wp := g.padded()
	wk := j.work[g.taps()+ci*g.implicitChunkWork():][:g.implicitChunkWork()]
	np := 0
	if g.p > 0 {
		np = g.c * hp * wp
	}
	pad, wk = wk[:np], wk[np:]
	yq, wk = wk[:g.f*g.cols()], wk[g.f*g.cols():]
	pdw, wk = wk[:g.taps()], wk[g.taps():]
	return pad, yq, pdw, wk[:g.f]
}

// gradScratch returns chunk ci's buffers for the input gradient: the padded output
// gradient and the c×Q' product.
func (j *convJob) gradScratch(ci int) (dyp, dxq []float32) {
	g := &j.g
	hq, wq := g.gradPadded()
	wk := j.work[g.taps()+ci*g.implicitChunkWork():][:g.implicitChunkWork()]
	return wk[:g.f*hq*wq], wk[g.f*hq*wq:][:g.c*g.gradCols()]
}

// offsPool holds the row offsets of the products, reused across calls.
var offsPool = sync.Pool{New: func() any { return new([]int) }}

// rowOffsets returns the offsets of the K = planes·kh·kw rows of an implicit product over
// planes planes of hp×wp, in the order (plane, i, j): plane·hp·wp + i·wp + j; buf is reused.
func rowOffsets(buf *[]int, planes, hp, wp, kh, kw int) []int {
	n := planes * kh * kw
	if cap(*buf) < n {
		*buf = make([]int, n)
	}
	offs := (*buf)[:n]
	for p := range planes {
		for i := range kh {
			for jj := range kw {
				offs[(p*kh+i)*kw+jj] = p*hp*wp + i*wp + jj
			}
		}
	}
	return offs
}

// flip writes the weights of the input gradient's product into wr (c×(f·kh·kw)):
// wr[ci][(fi·kh + i)·kw + j] = w[fi][ci][kh−1−i][kw−1−j].
func (g *convGeom) flip(wr, w []float32) {
	kk := g.kh * g.kw
	for fi := range g.f {
		for ci := range g.c {
			src := w[(fi*g.c+ci)*kk:][:kk]
			dst := wr[ci*g.f*kk+fi*kk:][:kk]
			for t, v := range src {
				dst[kk-1-t] = v
			}
		}
	}
}

// padInput returns sample xn seen with its padding: xn itself without padding (read once
// in order first, see warm), else xn copied into buf (c×hp×wp) inside zeros.
func (g *convGeom) padInput(buf, xn []float32) []float32 {
	if g.p == 0 {
		warm(xn)
		return xn
	}
	hp, wp := g.padded()
	buf = buf[:g.c*hp*wp]
	clear(buf)
	for ci := range g.c {
		for y := range g.h {
			copy(buf[(ci*hp+y+g.p)*wp+g.p:][:g.w], xn[(ci*g.h+y)*g.w:][:g.w])
		}
	}
	return buf
}

// warm reads one element of each 64-byte line of x, in order, and returns their sum (so
// that the reads are not optimised away): a stream that the hardware prefetchers follow,
// bringing x into the caches in a few microseconds. The products then read x by rows at c·kh·kw
// offsets, planes apart, a pattern the prefetchers do not follow, and wait for each line
// from memory: on an AMD EPYC (Zen 5), a 32-channel 26×26 sample fresh from memory took
// its forward product 139 µs unwarmed, 117 µs warmed, against 112 µs already in cache.
//
//go:noinline
func warm(x []float32) float32 {
	var s float32
	for i := 0; i < len(x); i += 16 {
		s += x[i]
	}
	return s
}

// conv3x3Direct lets the forward and weight-gradient passes of one input channel and a
// 3×3 kernel use convk.Conv3x3One and Conv3x3OneGrad; the tests turn it off to compare
// the two ways.
var conv3x3Direct = true

// direct3x3 reports whether the passes try convk's direct kernels first: one input
// channel, a 3×3 kernel, no padding (and stride 1, as for every implicit convolution).
func (g *convGeom) direct3x3() bool {
	return conv3x3Direct && g.c == 1 && g.kh == 3 && g.kw == 3 && g.p == 0
}

// gemmThreads is the goroutines a per-sample product may use: one when the samples are
// already split over the cores, all of them when one chunk does the whole batch.
func gemmThreads(chunks int) int {
	if chunks > 1 {
		return 1
	}
	return 0
}

func (j *convJob) implicitForward(ci, lo, hi int) {
	g := &j.g
	_, wp := g.padded()
	q, in, out, k := g.cols(), g.c*g.h*g.w, g.f*g.oh*g.ow, g.k()
	pad, yq, _, _ := j.implicitScratch(ci)
	if g.direct3x3() && !j.pool && (j.act == ActNone || j.act == ActReLU) {
		// One input channel: a direct kernel where it runs (convk.Conv3x3One, the same
		// bits), the products below for the samples it leaves.
		for ; lo < hi; lo++ {
			if !convk.Conv3x3One(j.y[lo*out:(lo+1)*out], j.x[lo*in:(lo+1)*in], j.w, j.b, g.f, g.h, g.w, j.act == ActReLU) {
				break
			}
		}
	}
	for n := lo; n < hi; n++ {
		xs := g.padInput(pad, j.x[n*in:(n+1)*in])
		gemm.SgemmRows(j.threads, false, false, g.f, q, k, 1, j.w, k, xs, j.offs, 0, yq, q)
		if j.pool {
			j.poolSample(n, yq, wp)
			continue
		}
		// Crop the f×Q result into y (f×oh×ow) with the bias and the activation.
		yn := j.y[n*out : (n+1)*out]
		for fi := range g.f {
			plane := yn[fi*g.oh*g.ow : (fi+1)*g.oh*g.ow]
			src := yq[fi*q:]
			for oy := range g.oh {
				copy(plane[oy*g.ow:(oy+1)*g.ow], src[oy*wp:oy*wp+g.ow])
			}
			var c float32
			if j.b != nil {
				c = j.b[fi]
			}
			if j.act == ActReLU {
				vec.AddConstReLU(plane, c)
			} else if c != 0 {
				vec.AddConst(plane, c)
			}
		}
	}
}

// gradRows writes sample n's output gradient into dst, plane fi's oh rows of ow elements
// ld apart from dst[fi·stride]: copied from y, or with pool routed from the pooled gradient
// (convk.Unpool2). The elements between the rows are not written.
func (j *convJob) gradRows(dst []float32, n, ld, stride int) {
	g := &j.g
	plane := (g.oh-1)*ld + g.ow
	if j.pool {
		np := (g.oh / 2) * (g.ow / 2)
		for fi := range g.f {
			o := (n*g.f + fi) * np
			convk.Unpool2(dst[fi*stride:][:plane], ld, j.y[o:o+np], j.py[o:o+np], j.idx[o:o+np], g.oh, g.ow)
		}
		return
	}
	dy := j.y[n*g.f*g.oh*g.ow:]
	for fi := range g.f {
		for oy := range g.oh {
			copy(dst[fi*stride+oy*ld:][:g.ow], dy[(fi*g.oh+oy)*g.ow:][:g.ow])
		}
	}
}

func (j *convJob) implicitBackwardWeight(ci, lo, hi int) {
	g := &j.g
	if j.pool && g.sparseWeightGrad() {
		j.sparseBackwardWeight(ci, lo, hi)
		return
	}
	_, wp := g.padded()
	q, in, k := g.cols(), g.c*g.h*g.w, g.k()
	pad, dyq, pdw, pdb := j.implicitScratch(ci)
	clear(pdw)
	clear(pdb)
	clear(dyq) // the dropped columns stay zero; the others are overwritten for each sample
	if g.direct3x3() {
		// One input channel: a direct kernel where it runs (convk.Conv3x3OneGrad, the same
		// sums in another order), the products below for the samples it leaves. It reads
		// the output gradient as planes: y itself, or with pool routed into dyq as such.
		plane := g.oh * g.ow
		for ; lo < hi; lo++ {
			var dyn []float32
			if j.pool {
				dyn = dyq[:g.f*plane]
				j.gradRows(dyn, lo, g.ow, plane)
			} else {
				dyn = j.y[lo*g.f*plane : (lo+1)*g.f*plane]
			}
			if !convk.Conv3x3OneGrad(pdw, dyn, j.x[lo*in:(lo+1)*in], g.f, g.h, g.w) {
				clear(dyq)
				break
			}
			if j.b != nil {
				for f := range g.f {
					pdb[f] += vec.Sum(dyn[f*plane : (f+1)*plane])
				}
			}
		}
	}
	for n := lo; n < hi; n++ {
		xs := g.padInput(pad, j.x[n*in:(n+1)*in])
		j.gradRows(dyq, n, wp, q)
		gemm.SgemmRows(j.threads, false, true, g.f, k, q, 1, dyq, q, xs, j.offs, 1, pdw, k)
		if j.b != nil {
			for f := range g.f {
				pdb[f] += vec.Sum(dyq[f*q : (f+1)*q])
			}
		}
	}
}

func (j *convJob) implicitBackwardInput(ci, lo, hi int) {
	g := &j.g
	if j.sparse {
		j.sparseBackwardInput(lo, hi)
		return
	}
	hq, wq := g.gradPadded()
	ph, pw := g.kh-1-g.p, g.kw-1-g.p
	q, in, k := g.gradCols(), g.c*g.h*g.w, g.f*g.kh*g.kw
	wr := j.work[:g.taps()]
	dyp, dxq := j.gradScratch(ci)
	clear(dyp) // the padding stays zero; the inside is overwritten for each sample
	for n := lo; n < hi; n++ {
		j.gradRows(dyp[ph*wq+pw:], n, wq, hq*wq)
		gemm.SgemmRows(j.threads, false, false, g.c, q, k, 1, wr, k, dyp, j.offs, 0, dxq, q)
		dxn := j.x[n*in : (n+1)*in]
		for c := range g.c {
			for y := range g.h {
				src := dxq[c*q+y*wq:][:g.w]
				dst := dxn[(c*g.h+y)*g.w:][:g.w]
				if j.mode == Accumulate {
					vec.Add(dst, src)
				} else {
					copy(dst, src)
				}
			}
		}
	}
}
