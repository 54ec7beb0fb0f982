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
// sums in float64. y must not be x.
func LogSoftmax(y, x *Tensor) {
	mustSameShape("LogSoftmax", y, x)
	r, c := rows("LogSoftmax", x)
	for i := range r {
		xr, yr := x.data[i*c:(i+1)*c], y.data[i*c:(i+1)*c]
		m := rowMax(xr)
		for j, v := range xr {
			yr[j] = v - m
		}
	}
	vec.Exp(y.data, y.data)
	for i := range r {
		xr, yr := x.data[i*c:(i+1)*c], y.data[i*c:(i+1)*c]
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

func rowMax(x []float32) float32 {
	m := x[0]
	for _, v := range x {
		m = max(m, v)
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
	for i := range r {
		dxr, dyr, yr := dx.data[i*c:(i+1)*c], dy.data[i*c:(i+1)*c], y.data[i*c:(i+1)*c]
		var s float64
		for _, g := range dyr {
			s += float64(g)
		}
		sf := float32(s)
		for j0 := 0; j0 < c; j0 += expBlock {
			eb := e[:min(expBlock, c-j0)]
			vec.Exp(eb, yr[j0:])
			for k, ev := range eb {
				g := dyr[j0+k] - ev*sf
				if mode == Accumulate {
					g += dxr[j0+k]
				}
				dxr[j0+k] = g
			}
		}
	}
}
