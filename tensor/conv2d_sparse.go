package tensor

import (
	"math"
	"sync"

	"github.com/descent-ml/descent/internal/convk"
	"github.com/descent-ml/descent/internal/gemm"
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
			o := (n*g.f + fi) * np
			k := 0
			idx, py, dy := j.idx[o:o+np], j.py[o:o+np], j.y[o:o+np]
			for wy := range ph {
				for wx := range pw {
					// Without branches, which the maxima's random places in their windows
					// would mispredict: r is the position in the window, 0, 1, ow or ow+1;
					// a position outside the window, or a pooled value not positive, is
					// written and not counted (nothing, as convk.Unpool2).
					w := wy*pw + wx
					oy, ox := 2*wy, 2*wx
					r := int(idx[w]) - oy*g.ow - ox
					second := (g.ow - 1 - r) >> 63 // −1 in the window's second row, else 0
					r -= g.ow & second
					oy -= second
					ok := 1
					if uint(r) > 1 {
						ok = 0
					}
					if !(py[w] > 0) {
						ok = 0
					}
					s.offs[k], s.vals[k] = int32((oy*wp+ox+r)*g.c), dy[w]
					k += ok
				}
			}
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
	// inf has bit 31 set where an element's exponent is all ones (infinite or NaN): the
	// exponent plus one carries into it.
	var inf uint32
	plane := g.h * g.w
	for y := range g.h {
		dst := xT[((y+g.p)*wp+g.p)*g.c:][:g.w*g.c]
		c := 0
		for ; c+4 <= g.c; c += 4 { // four channels at a time: four adjacent elements of dst
			r0 := x[c*plane+y*g.w:][:g.w]
			r1 := x[(c+1)*plane+y*g.w:][:g.w]
			r2 := x[(c+2)*plane+y*g.w:][:g.w]
			r3 := x[(c+3)*plane+y*g.w:][:g.w]
			for xx := range r0 {
				d := dst[xx*g.c+c:][:4]
				d[0], d[1], d[2], d[3] = r0[xx], r1[xx], r2[xx], r3[xx]
				inf |= (math.Float32bits(r0[xx])&0x7f800000 + 0x00800000) | (math.Float32bits(r1[xx])&0x7f800000 + 0x00800000) |
					(math.Float32bits(r2[xx])&0x7f800000 + 0x00800000) | (math.Float32bits(r3[xx])&0x7f800000 + 0x00800000)
			}
		}
		for ; c < g.c; c++ {
			for xx, v := range x[c*plane+y*g.w:][:g.w] {
				dst[xx*g.c+c] = v
				inf |= math.Float32bits(v)&0x7f800000 + 0x00800000
			}
		}
	}
	return inf&0x80000000 == 0
}
