package tensor

import (
	"fmt"
	"math"
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
// y_j = (x_j − max(x)) − log Σ_k exp(x_k − max(x)), as PyTorch evaluates it. y may be x.
func LogSoftmax(y, x *Tensor) {
	mustSameShape("LogSoftmax", y, x)
	r, c := rows("LogSoftmax", x)
	for i := range r {
		xr, yr := x.data[i*c:(i+1)*c], y.data[i*c:(i+1)*c]
		m := xr[0]
		for _, v := range xr {
			m = max(m, v)
		}
		var s float64
		for _, v := range xr {
			s += math.Exp(float64(v - m))
		}
		ls := float32(math.Log(s))
		for j, v := range xr {
			yr[j] = (v - m) - ls
		}
	}
}

// LogSoftmaxBackward sets dx (mode Assign) or adds to it (Accumulate) the gradient of
// [LogSoftmax] from its output y and the gradient dy of its output:
// dx_j = dy_j − exp(y_j)·Σ_k dy_k over each row.
func LogSoftmaxBackward(dx, dy, y *Tensor, mode Mode) {
	mustSameShape("LogSoftmaxBackward", dx, dy, y)
	r, c := rows("LogSoftmaxBackward", y)
	for i := range r {
		dxr, dyr, yr := dx.data[i*c:(i+1)*c], dy.data[i*c:(i+1)*c], y.data[i*c:(i+1)*c]
		var s float64
		for _, g := range dyr {
			s += float64(g)
		}
		for j := range dxr {
			g := dyr[j] - float32(math.Exp(float64(yr[j]))*s)
			if mode == Accumulate {
				g += dxr[j]
			}
			dxr[j] = g
		}
	}
}
