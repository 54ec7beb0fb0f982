package tensor

import "github.com/descent-ml/descent/internal/vec"

// convGeom is the geometry of a 2-D convolution of an n×c×h×w input with f filters of
// c×kh×kw, stride s and zero padding p, giving an n×f×oh×ow output.
type convGeom struct {
	n, c, h, w int
	f, kh, kw  int
	s, p       int
	oh, ow     int
}

// k is the length of one column of the unfolded input (the inner dimension of the GEMM).
func (g *convGeom) k() int { return g.c * g.kh * g.kw }

// q is the number of output positions of one sample.
func (g *convGeom) q() int { return g.oh * g.ow }

// span returns the range [lo, hi) of output columns ow whose input column ow·s − p + j lies
// inside [0, w), for kernel column j.
func (g *convGeom) span(j int) (lo, hi int) {
	// ow·s − p + j ≥ 0  ⇔  ow ≥ ceil((p − j)/s); ow·s − p + j ≤ w − 1  ⇔  ow ≤ floor((w − 1 + p − j)/s).
	lo = 0
	if d := g.p - j; d > 0 {
		lo = (d + g.s - 1) / g.s
	}
	e := g.w - 1 + g.p - j
	if e < 0 {
		return lo, lo
	}
	hi = min(e/g.s+1, g.ow)
	return lo, max(lo, hi)
}

// im2col unfolds one sample x (c×h×w) into col, a k×q matrix with row stride ld: row
// (ci, i, j) holds the input values under kernel tap (i, j) of channel ci for every output
// position, zero where the tap falls in the padding.
func im2col(col []float32, ld int, x []float32, g *convGeom) {
	hw := g.h * g.w
	for ci := range g.c {
		xc := x[ci*hw : (ci+1)*hw]
		for i := range g.kh {
			for j := range g.kw {
				r := col[((ci*g.kh+i)*g.kw+j)*ld:]
				lo, hi := g.span(j)
				for oy := range g.oh {
					dst := r[oy*g.ow : (oy+1)*g.ow]
					iy := oy*g.s - g.p + i
					if iy < 0 || iy >= g.h || lo == hi {
						clear(dst)
						continue
					}
					clear(dst[:lo])
					clear(dst[hi:])
					src := xc[iy*g.w:]
					x0 := lo*g.s - g.p + j
					if g.s == 1 {
						copy(dst[lo:hi], src[x0:x0+hi-lo])
						continue
					}
					for ox := lo; ox < hi; ox++ {
						dst[ox] = src[x0]
						x0 += g.s
					}
				}
			}
		}
	}
}

// col2im folds col (k×q, row stride ld) back onto one sample dx (c×h×w), adding every
// column entry to the input value it was unfolded from: the adjoint of im2col.
func col2im(dx []float32, col []float32, ld int, g *convGeom) {
	hw := g.h * g.w
	for ci := range g.c {
		xc := dx[ci*hw : (ci+1)*hw]
		for i := range g.kh {
			for j := range g.kw {
				r := col[((ci*g.kh+i)*g.kw+j)*ld:]
				lo, hi := g.span(j)
				if lo == hi {
					continue
				}
				for oy := range g.oh {
					iy := oy*g.s - g.p + i
					if iy < 0 || iy >= g.h {
						continue
					}
					src := r[oy*g.ow : (oy+1)*g.ow]
					dst := xc[iy*g.w:]
					x0 := lo*g.s - g.p + j
					if g.s == 1 {
						vec.Add(dst[x0:x0+hi-lo], src[lo:hi])
						continue
					}
					for ox := lo; ox < hi; ox++ {
						dst[x0] += src[ox]
						x0 += g.s
					}
				}
			}
		}
	}
}
