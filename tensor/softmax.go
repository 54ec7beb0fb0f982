package tensor

import (
	"fmt"
	"math"

	"github.com/descent-ml/descent/internal/vec"
)

// rows returns x seen as a matrix over its last dimension: the number of rows and columns.
func rows(op string, x *Tensor) (int, int) {
	if x.rank == 0 || x.shape[x.rank-1] == 0 {
		panic(fmt.Sprintf("tensor: %s of shape %v", op, dimsOf(x)))
	}
	c := x.shape[x.rank-1]
	return len(x.data) / c, c
}

// LogSoftmax sets y to the logarithm of the softmax of x along dimension axis (negative
// counts from the end, −1 the last): y_j = (x_j − max(x)) − log Σ_k exp(x_k − max(x)) over
// each line of x along axis, as PyTorch evaluates it. Along the last dimension the
// exponentials are computed in float32 (within 2 ulp) over the whole tensor at once, the
// sums in float64; along another, everything in float64. A NaN in a line makes the whole
// line NaN. y must not be x.
func LogSoftmax(y, x *Tensor, axis int) {
	mustSameShape("LogSoftmax", y, x)
	if _, _, inner := splitAxis("LogSoftmax", x, axis); inner > 1 {
		softmaxAxis(y, x, axis, true)
		return
	}
	r, c := rows("LogSoftmax", x)
	xd, yd := x.data[:r*c], y.data[:r*c]
	for i := 0; i < r*c; i += c {
		xr, yr := xd[i:i+c], yd[i:i+c]
		m := rowMax(xr)
		for j, v := range xr {
			yr[j] = v - m
		}
	}
	vec.Exp(yd, yd)
	for i := 0; i < r*c; i += c {
		xr, yr := xd[i:i+c], yd[i:i+c]
		var s float64
		for _, e := range yr {
			s += float64(e)
		}
		m, ls := rowMax(xr), float32(math.Log(s))
		for j, v := range xr {
			yr[j] = (v - m) - ls
		}
	}
}

// rowMax returns the largest element of x, ignoring NaNs (a NaN reaches the result
// through the sum of exponentials instead).
func rowMax(x []float32) float32 {
	m := x[0]
	for _, v := range x[1:] {
		if v > m {
			m = v
		}
	}
	return m
}

// expBlock is the number of exponentials the backward kernels compute at a time, on the
// stack.
const expBlock = 256

// LogSoftmaxBackward sets dx (mode Assign) or adds to it (Accumulate) the gradient of
// [LogSoftmax] along axis from its output y and the gradient dy of its output:
// dx_j = dy_j − exp(y_j)·Σ_k dy_k over each line.
func LogSoftmaxBackward(dx, dy, y *Tensor, axis int, mode Mode) {
	mustSameShape("LogSoftmaxBackward", dx, dy, y)
	if _, _, inner := splitAxis("LogSoftmaxBackward", y, axis); inner > 1 {
		softmaxAxisBackward(dx, dy, y, axis, true, mode)
		return
	}
	r, c := rows("LogSoftmaxBackward", y)
	var e [expBlock]float32
	for b := (expBlocks{r: r, c: c}); b.next(e[:], y.data); {
		dxr, dyr := dx.data[b.i*c:(b.i+1)*c], dy.data[b.i*c:(b.i+1)*c]
		var s float64
		for _, g := range dyr {
			s += float64(g)
		}
		sf := float32(s)
		for k, ev := range e[b.off : b.off+b.n] {
			g := dyr[b.j0+k] - ev*sf
			if mode == Accumulate {
				g += dxr[b.j0+k]
			}
			dxr[b.j0+k] = g
		}
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
// last dimension the exponentials are computed in float32 (within 2 ulp), the sums in
// float64; along another, everything in float64. y must not be x.
func Softmax(y, x *Tensor, axis int) {
	mustSameShape("Softmax", y, x)
	if _, _, inner := splitAxis("Softmax", x, axis); inner > 1 {
		softmaxAxis(y, x, axis, false)
		return
	}
	r, c := rows("Softmax", x)
	xd, yd := x.data[:r*c], y.data[:r*c]
	for i := 0; i < r*c; i += c {
		xr, yr := xd[i:i+c], yd[i:i+c]
		m := rowMax(xr)
		for j, v := range xr {
			yr[j] = v - m
		}
	}
	vec.Exp(yd, yd)
	for i := 0; i < r*c; i += c {
		yr := yd[i : i+c]
		var s float64
		for _, e := range yr {
			s += float64(e)
		}
		inv := float32(1 / s)
		for j := range yr {
			yr[j] *= inv
		}
	}
}

// SoftmaxBackward sets dx (mode Assign) or adds to it (Accumulate) the gradient of
// [Softmax] along axis from its output y: dx_j = y_j·(dy_j − Σ_k dy_k·y_k) over each line.
func SoftmaxBackward(dx, dy, y *Tensor, axis int, mode Mode) {
	mustSameShape("SoftmaxBackward", dx, dy, y)
	if _, _, inner := splitAxis("SoftmaxBackward", y, axis); inner > 1 {
		softmaxAxisBackward(dx, dy, y, axis, false, mode)
		return
	}
	r, c := rows("SoftmaxBackward", y)
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
