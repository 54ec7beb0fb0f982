package tensor

import (
	"fmt"
	"math"

	"github.com/descent-ml/descent/internal/vec"
)

// lineRows returns the lines of x along an axis after which every dimension is 1 (outer
// lines of n elements, the n of a line adjacent) as the rows and columns of a matrix. It
// panics if x is empty.
func lineRows(op string, x *Tensor, outer, n int) (int, int) {
	if outer*n == 0 || len(x.data) == 0 {
		panic(fmt.Sprintf("tensor: %s of shape %v", op, dimsOf(x)))
	}
	return outer, n
}

// LogSoftmax sets y to the logarithm of the softmax of x along dimension axis (negative
// counts from the end, −1 the last): y_j = (x_j − max(x)) − log Σ_k exp(x_k − max(x)) over
// each line of x along axis, as PyTorch evaluates it. Along the last dimension the
// exponentials are computed in float32 (within 2 ulp) a block of rows at a time, the sums
// in float64; along another, everything in float64. A NaN in a line makes the whole line
// NaN. y must not be x.
func LogSoftmax(y, x *Tensor, axis int) {
	mustSameShape("LogSoftmax", y, x)
	outer, n, inner := splitAxis("LogSoftmax", x, axis)
	if inner > 1 {
		softmaxAxis(y, x, axis, true)
		return
	}
	r, c := lineRows("LogSoftmax", x, outer, n)
	var m, ls [lsRows]float32
	var s [lsRows]float64
	for r0 := 0; r0 < r; r0 += lsRows {
		n := min(lsRows, r-r0)
		xb, yb := x.data[r0*c:(r0+n)*c], y.data[r0*c:(r0+n)*c]
		expShifted(yb, xb, m[:n], s[:n], c)
		for i, si := range s[:n] {
			ls[i] = float32(math.Log(si))
		}
		for i, mi := range m[:n] {
			xr, l := xb[i*c:][:c], ls[i]
			yr := yb[i*c:][:len(xr)]
			for j, v := range xr {
				yr[j] = (v - mi) - l
			}
		}
	}
}

// expShifted sets y to the exponentials of x minus its rows' maxima, for the len(m) rows of
// c elements of x, and stores the maxima in m and the float64 sums of the rows of y in s.
func expShifted(y, x, m []float32, s []float64, c int) {
	rowMaxes(m, x, c)
	for i, mi := range m {
		xr := x[i*c:][:c]
		yr := y[i*c:][:len(xr)]
		for j, v := range xr {
			yr[j] = v - mi
		}
	}
	vec.Exp(y, y)
	rowSums(s, y, c)
}

// lsRows is the most rows LogSoftmax and its backward take at a time along the last
// dimension: their maxima and sums are kept on the stack.
const lsRows = 64

// rowMaxes stores in m the largest element of each of the len(m) rows of c elements of x,
// with max: a NaN makes its row's maximum NaN (and the row NaN, as it would through the
// sum of exponentials). Four rows are taken at a time, four independent chains of max, as
// a row of a classifier's scores is too short for one chain to keep the core busy.
func rowMaxes(m, x []float32, c int) {
	i := 0
	for ; i+4 <= len(m); i += 4 {
		a, b, d, e := x[i*c:][:c], x[(i+1)*c:][:c], x[(i+2)*c:][:c], x[(i+3)*c:][:c]
		ma, mb, md, me := a[0], b[0], d[0], e[0]
		for j := 1; j < c; j++ {
			ma, mb, md, me = max(ma, a[j]), max(mb, b[j]), max(md, d[j]), max(me, e[j])
		}
		m[i], m[i+1], m[i+2], m[i+3] = ma, mb, md, me
	}
	for ; i < len(m); i++ {
		r := x[i*c:][:c]
		mr := r[0]
		for _, v := range r[1:] {
			mr = max(mr, v)
		}
		m[i] = mr
	}
}

// rowSums stores in s the sum in float64 of each of the len(s) rows of c elements of x,
// each added in order from its first element; four rows are taken at a time.
func rowSums(s []float64, x []float32, c int) {
	i := 0
	for ; i+4 <= len(s); i += 4 {
		a, b, d, e := x[i*c:][:c], x[(i+1)*c:][:c], x[(i+2)*c:][:c], x[(i+3)*c:][:c]
		var sa, sb, sd, se float64
		for j := 0; j < c; j++ {
			sa, sb, sd, se = sa+float64(a[j]), sb+float64(b[j]), sd+float64(d[j]), se+float64(e[j])
		}
		s[i], s[i+1], s[i+2], s[i+3] = sa, sb, sd, se
	}
	for ; i < len(s); i++ {
		var sr float64
		for _, v := range x[i*c:][:c] {
			sr += float64(v)
		}
		s[i] = sr
	}
}

// expBlock is the number of exponentials the backward kernels compute at a time, on the
// stack.
const expBlock = 256

// LogSoftmaxBackward sets dx (mode Assign) or adds to it (Accumulate) the gradient of
// [LogSoftmax] along axis from its output y and the gradient dy of its output:
// dx_j = dy_j − exp(y_j)·Σ_k dy_k over each line.
func LogSoftmaxBackward(dx, dy, y *Tensor, axis int, mode Mode) {
	mustSameShape("LogSoftmaxBackward", dx, dy, y)
	outer, n, inner := splitAxis("LogSoftmaxBackward", y, axis)
	if inner > 1 {
		softmaxAxisBackward(dx, dy, y, axis, true, mode)
		return
	}
	r, c := lineRows("LogSoftmaxBackward", y, outer, n)
	if c <= expBlock {
		// Short rows, a classifier's: the exponentials and the sums of a block of rows at
		// once.
		var e [expBlock]float32
		var s [lsRows]float64
		per := min(lsRows, expBlock/c)
		for r0 := 0; r0 < r; r0 += per {
			n := min(per, r-r0)
			dxb, dyb := dx.data[r0*c:(r0+n)*c], dy.data[r0*c:(r0+n)*c]
			vec.Exp(e[:n*c], y.data[r0*c:(r0+n)*c])
			rowSums(s[:n], dyb, c)
			for i, si := range s[:n] {
				logSoftmaxGrad(dxb[i*c:][:c], dyb[i*c:][:c], e[i*c:][:c], float32(si), mode)
			}
		}
		return
	}
	var e [expBlock]float32
	for b := (expBlocks{r: r, c: c}); b.next(e[:], y.data); {
		dxr, dyr := dx.data[b.i*c:(b.i+1)*c], dy.data[b.i*c:(b.i+1)*c]
		var s float64
		for _, g := range dyr {
			s += float64(g)
		}
		logSoftmaxGrad(dxr[b.j0:b.j0+b.n], dyr[b.j0:b.j0+b.n], e[b.off:b.off+b.n], float32(s), mode)
	}
}

// logSoftmaxGrad sets dx (Assign) or adds to it (Accumulate) dy − e·s, element by element.
func logSoftmaxGrad(dx, dy, e []float32, s float32, mode Mode) {
	dy, e = dy[:len(dx)], e[:len(dx)]
	if mode == Accumulate {
		for j, g := range dy {
			dx[j] = (g - e[j]*s) + dx[j]
		}
		return
	}
	for j, g := range dy {
		dx[j] = g - e[j]*s
	}
}

// expBlocks walks an r×c matrix y computing its exponentials into a buffer in blocks
// (whole rows when they fit, so that short rows share one call of the vector kernel):
// each call of next moves to the next piece of a row — row i from column j0 — whose
// exponentials are buf[off:off+n]. It keeps only indices, so that the buffer can live on
// the caller's stack.
type expBlocks struct {
	r, c       int
	i, j0      int
	off, n     int
	row0, rows int // the block of rows whose exponentials buf holds
	started    bool
}

func (b *expBlocks) next(buf, y []float32) bool {
	c := b.c
	if per := len(buf) / c; per > 0 {
		if b.started {
			b.i++
		}
		b.started = true
		if b.i >= b.r {
			return false
		}
		if b.i >= b.row0+b.rows {
			b.row0, b.rows = b.i, min(per, b.r-b.i)
			vec.Exp(buf[:b.rows*c], y[b.i*c:(b.i+b.rows)*c])
		}
		b.j0, b.off, b.n = 0, (b.i-b.row0)*c, c
		return true
	}
	switch {
	case !b.started:
		b.started = true
	case b.j0+len(buf) < c:
		b.j0 += len(buf)
	default:
		b.i, b.j0 = b.i+1, 0
	}
	if b.i >= b.r {
		return false
	}
	b.off, b.n = 0, min(len(buf), c-b.j0)
	vec.Exp(buf[:b.n], y[b.i*c+b.j0:])
	return true
}

// Softmax sets y to the softmax of x along dimension axis (negative counts from the end):
// y_j = exp(x_j − max(x)) / Σ_k exp(x_k − max(x)) over each line of x along axis. Along the
// last dimension the exponentials are computed in float32 (within 2 ulp) a block of rows
// at a time, the sums in float64; along another, everything in float64. y must not be x.
func Softmax(y, x *Tensor, axis int) {
	mustSameShape("Softmax", y, x)
	outer, n, inner := splitAxis("Softmax", x, axis)
	if inner > 1 {
		softmaxAxis(y, x, axis, false)
		return
	}
	r, c := lineRows("Softmax", x, outer, n)
	var m [lsRows]float32
	var s [lsRows]float64
	for r0 := 0; r0 < r; r0 += lsRows {
		n := min(lsRows, r-r0)
		xb, yb := x.data[r0*c:(r0+n)*c], y.data[r0*c:(r0+n)*c]
		expShifted(yb, xb, m[:n], s[:n], c)
		for i, si := range s[:n] {
			inv := float32(1 / si)
			yr := yb[i*c:][:c]
			for j := range yr {
				yr[j] *= inv
			}
		}
	}
}

// SoftmaxBackward sets dx (mode Assign) or adds to it (Accumulate) the gradient of
// [Softmax] along axis from its output y: dx_j = y_j·(dy_j − Σ_k dy_k·y_k) over each line.
func SoftmaxBackward(dx, dy, y *Tensor, axis int, mode Mode) {
	mustSameShape("SoftmaxBackward", dx, dy, y)
	outer, n, inner := splitAxis("SoftmaxBackward", y, axis)
	if inner > 1 {
		softmaxAxisBackward(dx, dy, y, axis, false, mode)
		return
	}
	r, c := lineRows("SoftmaxBackward", y, outer, n)
	for i := 0; i < r*c; i += c {
		dxr, dyr, yr := dx.data[i:i+c], dy.data[i:i+c], y.data[i:i+c]
		var s float64
		for j, g := range dyr {
			s += float64(g) * float64(yr[j])
		}
		sf := float32(s)
		for j, g := range dyr {
			d := yr[j] * (g - sf)
			if mode == Accumulate {
				d += dxr[j]
			}
			dxr[j] = d
		}
	}
}

// splitAxis returns x seen as outer×n×inner around dimension axis (negative counts from
// the end), panicking if x has no such dimension.
func splitAxis(op string, x *Tensor, axis int) (outer, n, inner int) {
	a := axis
	if a < 0 {
		a += x.rank
	}
	if a < 0 || a >= x.rank {
		panic(fmt.Sprintf("tensor: %s along dimension %d of shape %v", op, axis, dimsOf(x)))
	}
	outer, inner = 1, 1
	for _, d := range x.shape[:a] {
		outer *= d
	}
	for _, d := range x.shape[a+1 : x.rank] {
		inner *= d
	}
	return outer, x.shape[a], inner
}

// axisBlock is the number of lines along a non-last axis that the strided softmax kernels
// handle at a time, with their maxima and sums on the stack.
const axisBlock = 256

// softmaxAxis is Softmax (or LogSoftmax, with log) along an axis that is not the last, in
// float64: lines of stride inner, handled axisBlock adjacent ones at a time so that every
// pass reads rows of memory.
func softmaxAxis(y, x *Tensor, axis int, log bool) {
	outer, n, inner := splitAxis("Softmax", x, axis)
	var mx [axisBlock]float32
	var sum [axisBlock]float64
	for o := range outer {
		base := o * n * inner
		for i0 := 0; i0 < inner; i0 += axisBlock {
			w := min(axisBlock, inner-i0)
			m, s := mx[:w], sum[:w]
			copy(m, x.data[base+i0:base+i0+w])
			clear(s)
			for k := 1; k < n; k++ {
				for i, v := range x.data[base+k*inner+i0 : base+k*inner+i0+w] {
					if v > m[i] {
						m[i] = v
					}
				}
			}
			for k := range n {
				off := base + k*inner + i0
				for i, v := range x.data[off : off+w] {
					s[i] += math.Exp(float64(v - m[i]))
				}
			}
			for k := range n {
				off := base + k*inner + i0
				yr := y.data[off : off+w]
				for i, v := range x.data[off : off+w] {
					if log {
						yr[i] = float32(float64(v-m[i]) - math.Log(s[i]))
					} else {
						yr[i] = float32(math.Exp(float64(v-m[i])) / s[i])
					}
				}
			}
		}
	}
}

// softmaxAxisBackward is SoftmaxBackward (or LogSoftmaxBackward, with log) along an axis
// that is not the last.
func softmaxAxisBackward(dx, dy, y *Tensor, axis int, log bool, mode Mode) {
	outer, n, inner := splitAxis("SoftmaxBackward", y, axis)
	var sum [axisBlock]float64
	for o := range outer {
		base := o * n * inner
		for i0 := 0; i0 < inner; i0 += axisBlock {
			w := min(axisBlock, inner-i0)
			s := sum[:w]
			clear(s)
			for k := range n {
				off := base + k*inner + i0
				yr := y.data[off : off+w]
				for i, g := range dy.data[off : off+w] {
					if log {
						s[i] += float64(g)
					} else {
						s[i] += float64(g) * float64(yr[i])
					}
				}
			}
			for k := range n {
				off := base + k*inner + i0
				yr, dxr := y.data[off:off+w], dx.data[off:off+w]
				for i, g := range dy.data[off : off+w] {
					var d float32
					if log {
						d = g - float32(math.Exp(float64(yr[i]))*s[i])
					} else {
						d = yr[i] * (g - float32(s[i]))
					}
					if mode == Accumulate {
						d += dxr[i]
					}
					dxr[i] = d
				}
			}
		}
	}
}
