package tensor

import (
	"math"
	"sync"

	"github.com/descent-ml/descent/internal/convk"
	"github.com/descent-ml/descent/internal/gemm"
	"github.com/descent-ml/descent/internal/optimk"
	"github.com/descent-ml/descent/internal/vec"
)

// The gradients of a pooled convolution from the pooling's few nonzeros.
//
// Behind [Conv2dReLUMaxPool], the gradient of the convolution's output is zero but at one
// position of each 2×2 pooling window, and there only where the pooled value is positive:
// a quarter of the positions at most, and in training far fewer. The implicit products of
// the gradients (conv2d_implicit.go) multiply all of them; the passes here multiply those
// only, listed for each sample and filter by convk.PooledNonzeros: the position (oy, ox)
// of each, as the offset ((oy·wp + ox)·c) of its run of inputs in a plane laid out
// channels last (xT[(y·wp + x)·c + ch], the padding zero), where the inputs under row i of
// the kernel are one run of kw·c elements from ((oy+i)·wp + ox)·c.
//
//   - Weight gradient: for each filter, convk.SparseAxpys adds each value times its runs to
//     the filter's gradient, held (in the order (i, j, channel)) in registers, the sample's
//     input laid out channels last first (convk.Transpose); the gradient is then put back
//     in the order (channel, i, j) of the weights.
//   - Input gradient: for each filter, convk.SparseScatter adds each value times the
//     filter's weights (laid out (i, j, channel), in registers) to the runs of an input
//     gradient laid out channels last, which is then put back in NCHW.
//
// The sums are those of the products without their terms whose output gradient is zero,
// in another order. Such a term is zero unless its input or weight is infinite or NaN: a
// sample whose input holds such a value is left to the product in the weight gradient,
// and weights that hold one leave the input gradient to the product, so that NaN spreads
// as it does there (and in PyTorch).
//
// On the MNIST CNN's conv2 (32 channels, 3×3, 64 filters, 24×24 outputs pooled to 12×12) at
// batch 128 on 2 threads (AMD EPYC Zen 4): BenchmarkConv2d's pooled gradients (random
// weights, 94% of the pooled values positive) took 8.9-10.8 ms (input) and 6.9-9.4 ms
// (weight) against 18.1-19.5 and 17.1-28.9 ms by the products; `descent bench step --model
// cnn --threads 2`, the backward pass 37.4 → 8.7 ms (medians, one round of each build),
// 42.9 → 12.6 ms on AVX2; `descent train --model cnn --epochs 1 --no-dropout --threads
// 2`, 28.6-29.3 → 14.8-14.9 s, test accuracy 0.9845 → 0.9853 (two rounds each).

// sparsePooled lets the pooled convolutions' gradients take the passes above; the
// benchmarks turn it off to time the products instead.
var sparsePooled = true

// sparseWeightGrad reports whether the weight gradient of a pooled convolution takes
// the pass above: the runs of kw·c inputs at least 16 long, so that SparseAxpys's vectors do
// the work, and a sample's offsets within an int32.
func (g *convGeom) sparseWeightGrad() bool {
	hp, wp := g.padded()
	return sparsePooled && g.kw*g.c >= 16 && hp*wp*g.c <= math.MaxInt32
}

// sparseScratch is the scratch of one chunk of a pass: a sample (or its gradient) channels
// last, the weight gradient in the order (filter, i, j, channel), and one filter's nonzero
// gradients.
type sparseScratch struct {
	xT, dwT []float32
	offs    []int32
	vals    []float32
}

var sparseScratches = sync.Pool{New: func() any { return new(sparseScratch) }}

// growTo returns s with length n, reallocated if its capacity is less.
func growTo[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}

// sparseBackwardWeight adds the weight and bias gradients of samples [lo, hi) to chunk
// ci's partial gradients, from the pooled output gradient (see above).
func (j *convJob) sparseBackwardWeight(ci, lo, hi int) {
	g := &j.g
	hp, wp := g.padded()
	in, l, ph, pw := g.c*g.h*g.w, g.kw*g.c, g.oh/2, g.ow/2
	np := ph * pw
	pad, dyq, pdw, pdb := j.implicitScratch(ci)
	clear(pdw)
	clear(pdb)
	s := sparseScratches.Get().(*sparseScratch)
	defer sparseScratches.Put(s)
	s.xT, s.dwT = growTo(s.xT, hp*wp*g.c), growTo(s.dwT, g.taps())
	s.offs, s.vals = growTo(s.offs, np+7), growTo(s.vals, np+7) // room for convk.PooledNonzeros's AVX2 kernel
	xT, dwT := s.xT, s.dwT
	clear(dwT)
	denseReady := false
	for n := lo; n < hi; n++ {
		if !channelsLast(xT, j.x[n*in:(n+1)*in], g) {
			// A non-finite input: the product, as conv2d_implicit.go runs it.
			if !denseReady {
				clear(dyq)
				denseReady = true
			}
			xs := g.padInput(pad, j.x[n*in:(n+1)*in])
			j.gradRows(dyq, n, wp, g.cols())
			gemm.SgemmRows(1, false, true, g.f, g.k(), g.cols(), 1, dyq, g.cols(), xs, j.offs, 1, pdw, g.k())
			if j.b != nil {
				for f := range g.f {
					pdb[f] += vec.Sum(dyq[f*g.cols() : (f+1)*g.cols()])
				}
			}
			continue
		}
		for fi := range g.f {
			k := j.pooledNonzeros(s.offs, s.vals, n, fi, wp)
			if j.b != nil {
				pdb[fi] += vec.Sum(s.vals[:k])
			}
			convk.SparseAxpys(dwT[fi*g.kh*l:][:g.kh*l], g.kh, wp*g.c, xT, s.offs[:k], s.vals[:k])
		}
	}
	// Add dwT, (filter, i, j, channel), to pdw, (filter, channel, i, j).
	kk := g.kh * g.kw
	for fi := range g.f {
		convk.Transpose(pdw[fi*g.c*kk:], kk, dwT[fi*kk*g.c:], g.c, kk, g.c, true)
	}
}

// channelsLast writes sample x (c×h×w) padded, channels last, into xT (hp×wp×c), and
// reports whether all its elements are finite.
func channelsLast(xT, x []float32, g *convGeom) bool {
	_, wp := g.padded()
	if g.p > 0 {
		clear(xT)
	}
	for y := range g.h {
		convk.Transpose(xT[((y+g.p)*wp+g.p)*g.c:], g.c, x[y*g.w:], g.h*g.w, g.c, g.w, false)
	}
	return optimk.AllFinite(x)
}

// pooledNonzeros writes the nonzero gradients of filter fi's output plane of sample n,
// routed from the pooled gradient as convk.Unpool2 routes them, into offs and vals, in
// the order of the pooling windows, and returns how many: vals[t] the gradient, offs[t]
// the offset ((oy·wp + ox)·c) of its output position's input run, channels last, in rows
// wp wide (convk.PooledNonzeros).
func (j *convJob) pooledNonzeros(offs []int32, vals []float32, n, fi, wp int) int {
	g := &j.g
	np := (g.oh / 2) * (g.ow / 2)
	o := (n*g.f + fi) * np
	return convk.PooledNonzeros(offs, vals, j.y[o:o+np], j.py[o:o+np], j.idx[o:o+np], g.oh, g.ow, wp, g.c)
}

// sparseInputGrad reports whether the input gradient of a pooled convolution with
// weights w takes the pass above: as the weight gradient (sparseWeightGrad), and every
// weight finite.
func (g *convGeom) sparseInputGrad(w []float32) bool {
	return g.sparseWeightGrad() && optimk.AllFinite(w)
}

// weightsChannelsLast writes the weights w (f×c×kh×kw) into wt as (f, i, j, channel), for
// the pass above.
func (g *convGeom) weightsChannelsLast(wt, w []float32) {
	kk := g.kh * g.kw
	for fi := range g.f {
		convk.Transpose(wt[fi*kk*g.c:], g.c, w[fi*g.c*kk:], kk, g.c, kk, false)
	}
}

// sparseBackwardInput writes (mode Assign) or adds (Accumulate) the input gradient of
// samples [lo, hi) from the pooled output gradient (see above), with the weights laid out
// by weightsChannelsLast in j.work.
func (j *convJob) sparseBackwardInput(lo, hi int) {
	g := &j.g
	hp, wp := g.padded()
	in, l := g.c*g.h*g.w, g.kw*g.c
	np := (g.oh / 2) * (g.ow / 2)
	wt := j.work[:g.taps()]
	s := sparseScratches.Get().(*sparseScratch)
	defer sparseScratches.Put(s)
	s.xT = growTo(s.xT, hp*wp*g.c)
	s.offs, s.vals = growTo(s.offs, np+7), growTo(s.vals, np+7) // room for convk.PooledNonzeros's AVX2 kernel
	dxT := s.xT
	for n := lo; n < hi; n++ {
		clear(dxT)
		for fi := range g.f {
			k := j.pooledNonzeros(s.offs, s.vals, n, fi, wp)
			convk.SparseScatter(dxT, g.kh, wp*g.c, wt[fi*g.kh*l:][:g.kh*l], s.offs[:k], s.vals[:k])
		}
		channelsFirst(j.x[n*in:(n+1)*in], dxT, g, j.mode)
	}
}

// channelsFirst writes (mode Assign) or adds (Accumulate) the inside of xT (hp×wp×c,
// padded, channels last) into x (c×h×w), the inverse of channelsLast.
func channelsFirst(x, xT []float32, g *convGeom, mode Mode) {
	_, wp := g.padded()
	for y := range g.h {
		convk.Transpose(x[y*g.w:], g.h*g.w, xT[((y+g.p)*wp+g.p)*g.c:], g.c, g.w, g.c, mode == Accumulate)
	}
}
