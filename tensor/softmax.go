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

// LogSoftmax sets y to the logarithm of the softmax of x over its last dimension:
// y_j = (x_j − max(x)) − log Σ_k exp(x_k − max(x)), as PyTorch evaluates it. The
// exponentials are computed in float32 (within 1 ulp) over the whole tensor at once, the
// sums in float64. A NaN in a row makes the whole row NaN. y must not be x.
func LogSoftmax(y, x *Tensor) {
	mustSameShape("LogSoftmax", y, x)
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
// [LogSoftmax] from its output y and the gradient dy of its output:
// dx_j = dy_j − exp(y_j)·Σ_k dy_k over each row.
func LogSoftmaxBackward(dx, dy, y *Tensor, mode Mode) {
	mustSameShape("LogSoftmaxBackward", dx, dy, y)
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
