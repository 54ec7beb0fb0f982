package tensor

import (
	"math"
	"sync"

	"github.com/descent-ml/descent/internal/convk"
	"github.com/descent-ml/descent/internal/gemm"
	"github.com/descent-ml/descent/internal/optimk"
	"github.com/descent-ml/descent/internal/vec"
)

// The weight gradient of a pooled convolution from the pooling's few nonzeros.
//
// Behind [Conv2dReLUMaxPool], the gradient of the convolution's output is zero but at one
// position of each 2×2 pooling window, and there only where the pooled value is positive:
// a quarter of the positions at most. The implicit product of the weight gradient
// (conv2d_implicit.go) multiplies all of them; this pass multiplies those only. For each
// sample the input is laid out channels last (xT[(y·wp + x)·c + ch], the padding zero),
// where the inputs under row i of the kernel at output position (oy, ox) are one run of
// kw·c elements from ((oy+i)·wp + ox)·c; for each filter the positions and values of its
// nonzero gradients are listed, and convk.SparseAxpys adds each value times its run to the
// filter's row i of the weight gradient, held (in the order (i, j, channel)) in registers.
// The weight gradient is then put back in the order (channel, i, j) of the weights.
//
// The sums are those of the product without its terms whose gradient is zero, in another
// order. A term 0·x is zero unless x is infinite or NaN; a sample whose input holds such a
// value is left to the product, so that NaN spreads as it does there (and in PyTorch).
//
// On the MNIST CNN's conv2 (32 channels, 3×3, 64 filters, 24×24 outputs pooled to 12×12)
// it does at most a quarter of the product's multiply-adds, fewer where the rectifier zeroes
// pooled values. At batch 128 on 2 threads (AMD EPYC Zen 4), BenchmarkConv2d's pooled
// weight gradient (random weights, 94% of the pooled values positive) took 8.3-8.9 ms
// against 15.6-16.0 ms by the product; `descent bench step --model cnn --threads 2`, two
// rounds of each build alternately, its backward pass 38.2-38.4 → 26.1-26.4 ms (medians).

// sparsePooled lets the pooled convolutions' gradients take the passes above; the
// benchmarks turn it off to time the products instead.
var sparsePooled = true

// sparseWeightGrad reports whether the weight gradient of a pooled convolution takes
// the pass above: the runs of kw·c inputs at least 16 long, so that SparseAxpys's vectors do
// the work.
func (g *convGeom) sparseWeightGrad() bool { return sparsePooled && g.kw*g.c >= 16 }

// sparseScratch is the scratch of one chunk of the pass: the sample channels last, the
// weight gradient in the order (filter, i, j, channel), and one filter's nonzero gradients.
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
	s.offs, s.vals = growTo(s.offs, np), growTo(s.vals, np)
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
		for t := range kk {
			src := dwT[(fi*kk+t)*g.c:][:g.c]
			for c, v := range src {
				pdw[(fi*g.c+c)*kk+t] += v
			}
		}
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

// The input gradient of a pooled convolution from the pooling's nonzeros.
//
// The implicit product of the input gradient (conv2d_implicit.go) multiplies the flipped
// weights with every position of the output gradient; this pass spreads each nonzero one
// over the inputs under the kernel at its position instead: for each sample, an input
// gradient channels last (dxT, as xT above) gets, for each nonzero value v of filter f at
// output position (oy, ox) and each row i of the kernel, v times the filter's row i, kw·c
// weights laid out as (j, channel), added to the run of kw·c elements from
// ((oy+i)·wp + ox)·c (convk.SparseScatter, the filter's weights in registers); dxT is then
// put back in NCHW without its padding.
//
// A term v·0·w is zero unless w is infinite or NaN; with such a weight, the product runs
// instead, so that NaN spreads as it does there.
//
// On the MNIST CNN's conv2 at batch 128 on 2 threads (AMD EPYC Zen 4), BenchmarkConv2d's
// pooled input gradient took 11.3-14.6 ms against 18.0-18.8 ms by the product; `descent
// bench step --model cnn --threads 2`, two rounds of each build alternately, its backward
// pass (the weight gradient already from the nonzeros) 29.5-29.7 → 14.1-14.4 ms (medians):
// in training, most pooled values are zero or their gradients are, far more than the
// benchmark's random weights make.

// sparseInputGrad reports whether the input gradient of a pooled convolution with
// weights w takes the pass above: runs of kw·c at least 16 long and every weight finite.
func (g *convGeom) sparseInputGrad(w []float32) bool {
	if !sparsePooled || g.kw*g.c < 16 {
		return false
	}
	var inf uint32 // as in channelsLast
	for _, v := range w {
		inf |= math.Float32bits(v)&0x7f800000 + 0x00800000
	}
	return inf&0x80000000 == 0
}

// weightsChannelsLast writes the weights w (f×c×kh×kw) into wt as (f, i, j, channel), for
// the pass above.
func (g *convGeom) weightsChannelsLast(wt, w []float32) {
	kk := g.kh * g.kw
	for fi := range g.f {
		for c := range g.c {
			for t, v := range w[(fi*g.c+c)*kk:][:kk] {
				wt[(fi*kk+t)*g.c+c] = v
			}
		}
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
	s.offs, s.vals = growTo(s.offs, np), growTo(s.vals, np)
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
