package tensor

import "github.com/descent-ml/descent/internal/vec"

// Implicit-GEMM convolution for stride 1: no unfolded (im2col) matrix is built. For kernel
// tap (i, j), the input of one sample seen from offset i·wp + j as a c×Q matrix of row
// stride hp·wp (hp×wp being the padded input) holds, in column q = oy·wp + ox, the input
// value under that tap for output (oy, ox) — for ox < ow; the other columns (ox ≥ ow) are
// values of the next row, whose products land in outputs that are dropped. Q =
// (oh−1)·wp + ow keeps the last view inside the sample. So the output, as an f×Q matrix,
// is the sum over the kh·kw taps of the tap's f×c weights times that view, products the
// GEMM reads in place; the f×Q result is then cropped into NCHW with the bias and the
// activation.
//
// The weight gradient of tap (i, j) is the output gradient (as an f×Q matrix with zero
// columns at the dropped positions) times the transposed view. The input gradient is the
// sum over taps of the transposed tap weights times the output gradient, added into the
// view of the (padded) input gradient at the tap's offset; the zero columns add nothing.

// implicit reports whether the convolution uses implicit GEMM: stride 1 and enough input
// channels for the per-tap products (of inner dimension c) to run near the GEMM's peak.
func (g *convGeom) implicit() bool { return g.s == 1 && g.c >= 8 }

// padded returns the size of the padded input, hp×wp.
func (g *convGeom) padded() (hp, wp int) { return g.h + 2*g.p, g.w + 2*g.p }

// cols returns Q, the columns of the products: output positions oy·wp + ox up to the last.
func (g *convGeom) cols() int { _, wp := g.padded(); return (g.oh-1)*wp + g.ow }

// taps is the size of the repacked weights, tap-major: wr[(i·kw + j)·f·c + fi·c + ci] =
// w[fi][ci][i][j].
func (g *convGeom) taps() int { return g.kh * g.kw * g.f * g.c }

// implicitChunkWork is the scratch of one worker: the padded input (if padded), the f×Q
// output or output gradient, the tap-major partial weight and bias gradients, and the padded
// input gradient (if padded).
func (g *convGeom) implicitChunkWork() int {
	hp, wp := g.padded()
	pad := 0
	if g.p > 0 {
		pad = g.c * hp * wp
	}
	return pad + g.f*g.cols() + g.taps() + g.f
}

// repack writes w (f×c×kh×kw) tap-major into wr.
func (g *convGeom) repack(wr, w []float32) {
	kk := g.kh * g.kw
	for fi := range g.f {
		for ci := range g.c {
			src := w[(fi*g.c+ci)*kk:][:kk]
			for t, v := range src {
				wr[(t*g.f+fi)*g.c+ci] = v
			}
		}
	}
}

// unpack adds (or, with Assign, writes) the tap-major wr into dw (f×c×kh×kw).
func (g *convGeom) unpack(dw, wr []float32, mode Mode) {
	kk := g.kh * g.kw
	for fi := range g.f {
		for ci := range g.c {
			dst := dw[(fi*g.c+ci)*kk:][:kk]
			for t := range dst {
				v := wr[(t*g.f+fi)*g.c+ci]
				if mode == Accumulate {
					v += dst[t]
				}
				dst[t] = v
			}
		}
	}
}

// padInput returns sample xn seen with its padding: xn itself without padding, else xn
// copied into buf (c×hp×wp) inside zeros.
func (g *convGeom) padInput(buf, xn []float32) []float32 {
	if g.p == 0 {
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

// implicitScratch returns chunk ci's buffers: the padded input (or input gradient), the f×Q
// output (or output gradient) and the partial weight and bias gradients.
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

func (j *convJob) implicitForward(ci, lo, hi int) {
	g := &j.g
	hp, wp := g.padded()
	q, in, out := g.cols(), g.c*g.h*g.w, g.f*g.oh*g.ow
	wr := j.work[:g.taps()]
	pad, yq, _, _ := j.implicitScratch(ci)
	for n := lo; n < hi; n++ {
		xs := g.padInput(pad, j.x[n*in:(n+1)*in])
		for t := range g.kh * g.kw {
			mode := Accumulate
			if t == 0 {
				mode = Assign
			}
			i, jj := t/g.kw, t%g.kw
			sgemm(false, false, g.f, q, g.c, wr[t*g.f*g.c:], g.c, xs[i*wp+jj:], hp*wp, yq, q, mode)
		}
		// Crop the f×Q result into y (f×oh×ow) with the bias and the activation.
		yn := j.y[n*out : (n+1)*out]
		for fi := range g.f {
			var c float32
			if j.b != nil {
				c = j.b[fi]
			}
			for oy := range g.oh {
				dst := yn[(fi*g.oh+oy)*g.ow:][:g.ow]
				copy(dst, yq[fi*q+oy*wp:][:g.ow])
				if j.act == ActReLU {
					vec.AddConstReLU(dst, c)
				} else if c != 0 {
					vec.AddConst(dst, c)
				}
			}
		}
	}
}

// spread writes dy (f×oh×ow) into dyq (f×Q): dyq[fi][oy·wp + ox] = dy[fi][oy][ox], zero at
// the columns ox ≥ ow.
func (g *convGeom) spread(dyq, dy []float32) {
	_, wp := g.padded()
	q := g.cols()
	for fi := range g.f {
		row := dyq[fi*q : (fi+1)*q]
		for oy := range g.oh {
			copy(row[oy*wp:][:g.ow], dy[(fi*g.oh+oy)*g.ow:][:g.ow])
			if oy < g.oh-1 {
				clear(row[oy*wp+g.ow : (oy+1)*wp])
			}
		}
	}
}

func (j *convJob) implicitBackwardWeight(ci, lo, hi int) {
	g := &j.g
	hp, wp := g.padded()
	q, in, out := g.cols(), g.c*g.h*g.w, g.f*g.oh*g.ow
	pad, dyq, pdw, pdb := j.implicitScratch(ci)
	clear(pdw)
	clear(pdb)
	for n := lo; n < hi; n++ {
		xs := g.padInput(pad, j.x[n*in:(n+1)*in])
		dyn := j.y[n*out : (n+1)*out]
		g.spread(dyq, dyn)
		for t := range g.kh * g.kw {
			i, jj := t/g.kw, t%g.kw
			sgemm(false, true, g.f, g.c, q, dyq, q, xs[i*wp+jj:], hp*wp, pdw[t*g.f*g.c:], g.c, Accumulate)
		}
		if j.b != nil {
			for f := range g.f {
				pdb[f] += vec.Sum(dyn[f*g.oh*g.ow : (f+1)*g.oh*g.ow])
			}
		}
	}
}

func (j *convJob) implicitBackwardInput(ci, lo, hi int) {
	g := &j.g
	hp, wp := g.padded()
	q, in, out := g.cols(), g.c*g.h*g.w, g.f*g.oh*g.ow
	wr := j.work[:g.taps()]
	pad, dyq, _, _ := j.implicitScratch(ci)
	for n := lo; n < hi; n++ {
		g.spread(dyq, j.y[n*out:(n+1)*out])
		dxn := j.x[n*in : (n+1)*in]
		dxs := pad // the padded input gradient
		switch {
		case g.p == 0 && j.mode == Assign:
			dxs = dxn
			clear(dxs)
		case g.p == 0:
			dxs = dxn
		default:
			clear(dxs)
		}
		for t := range g.kh * g.kw {
			i, jj := t/g.kw, t%g.kw
			sgemm(true, false, g.c, q, g.f, wr[t*g.f*g.c:], g.c, dyq, q, dxs[i*wp+jj:], hp*wp, Accumulate)
		}
		if g.p > 0 {
			for ci := range g.c {
				for y := range g.h {
					src := dxs[(ci*hp+y+g.p)*wp+g.p:][:g.w]
					dst := dxn[(ci*g.h+y)*g.w:][:g.w]
					if j.mode == Accumulate {
						vec.Add(dst, src)
					} else {
						copy(dst, src)
					}
				}
			}
		}
	}
}
