package tensor

import (
	"fmt"
	"sync"

	"github.com/descent-ml/descent/internal/parallel"
)

// MaxPool2dShape returns the shape n×c×oh×ow of [MaxPool2d] of x (n×c×h×w) with a square
// window of kernel and the given stride (0 means kernel, PyTorch's default):
// oh = ⌊(h − kernel)/stride⌋ + 1, and ow likewise.
func MaxPool2dShape(x *Tensor, kernel, stride int) [4]int {
	if stride == 0 {
		stride = kernel
	}
	if x.rank != 4 || kernel < 1 || stride < 1 || x.shape[2] < kernel || x.shape[3] < kernel {
		panic(fmt.Sprintf("tensor: MaxPool2d of %v with kernel %d, stride %d", dimsOf(x), kernel, stride))
	}
	return [4]int{x.shape[0], x.shape[1], (x.shape[2]-kernel)/stride + 1, (x.shape[3]-kernel)/stride + 1}
}

// MaxPool2d sets y to the maximum of x over kernel×kernel windows moved by stride (0 means
// kernel) and records in idx, for each element of y, the position (row·w + column) in its
// input plane of the maximum that was chosen: the first in row-major order, or the last NaN
// if the window has one, as PyTorch does. y has the shape of [MaxPool2dShape] and idx its length.
func MaxPool2d(y *Tensor, idx []int32, x *Tensor, kernel, stride int) {
	s := MaxPool2dShape(x, kernel, stride)
	if stride == 0 {
		stride = kernel
	}
	if y.rank != 4 || [4]int(y.shape[:4]) != s || len(idx) != y.Len() {
		panic(fmt.Sprintf("tensor: MaxPool2d of %v into %v with %d indices", dimsOf(x), dimsOf(y), len(idx)))
	}
	j := poolJob{x: x.data, y: y.data, idx: idx, h: x.shape[2], w: x.shape[3], oh: s[2], ow: s[3], kernel: kernel, stride: stride}
	planes, chunks := s[0]*s[1], 1
	if y.Len() >= grain {
		chunks = parallel.Parts(planes, max(1, grain/(j.oh*j.ow)))
	}
	if chunks == 1 {
		j.Range(0, 0, planes)
		return
	}
	splitPooled(&poolJobs, j, planes, chunks)
}

// A poolJob holds the operands of a pooling kernel for its per-chunk methods.
type poolJob struct {
	x, y           []float32 // input and output, or their gradients
	idx            []int32
	h, w, oh, ow   int
	kernel, stride int
	mode           Mode
	backward       bool // the job is MaxPool2dBackward's
}

var poolJobs = sync.Pool{New: func() any { return new(poolJob) }}

// Range pools (or routes the gradient of) planes [lo, hi).
func (j *poolJob) Range(_, lo, hi int) {
	if j.backward {
		j.backwardPlanes(lo, hi)
	} else {
		j.forward(lo, hi)
	}
}

func (j *poolJob) forward(lo, hi int) {
	h, w, oh, ow, kernel, stride := j.h, j.w, j.oh, j.ow, j.kernel, j.stride
	for pl := lo; pl < hi; pl++ {
		xp := j.x[pl*h*w : (pl+1)*h*w]
		yp, ip := j.y[pl*oh*ow:(pl+1)*oh*ow], j.idx[pl*oh*ow:(pl+1)*oh*ow]
		if kernel == 2 && stride == 2 {
			maxPool2x2(yp, ip, xp, w, oh, ow)
			continue
		}
		for oy := range oh {
			for ox := range ow {
				best := int32((oy*stride)*w + ox*stride)
				m := xp[best]
				for i := range kernel {
					row := (oy*stride+i)*w + ox*stride
					for j := range kernel {
						if v := xp[row+j]; v > m || v != v {
							m, best = v, int32(row+j)
						}
					}
				}
				yp[oy*ow+ox], ip[oy*ow+ox] = m, best
			}
		}
	}
}

// maxPool2x2 is the kernel 2, stride 2 case of MaxPool2d for one plane. It takes the
// maximum without branches and then the first position holding it; a window with a NaN
// goes to the general rule.
func maxPool2x2(y []float32, idx []int32, x []float32, w, oh, ow int) {
	for oy := range oh {
		r0 := x[2*oy*w : 2*oy*w+2*ow]
		r1 := x[(2*oy+1)*w : (2*oy+1)*w+2*ow]
		yr, ir := y[oy*ow:(oy+1)*ow], idx[oy*ow:(oy+1)*ow]
		base := int32(2 * oy * w)
		for ox := range yr {
			a, b, c, d := r0[2*ox], r0[2*ox+1], r1[2*ox], r1[2*ox+1]
			m := max(max(a, b), max(c, d))
			k := int32(w + 1)
			if c == m {
				k = int32(w)
			}
			if b == m {
				k = 1
			}
			if a == m {
				k = 0
			}
			if m != m {
				k = lastNaN2x2(a, b, c, d, w)
			}
			yr[ox], ir[ox] = m, base+int32(2*ox)+k
		}
	}
}

// lastNaN2x2 returns the offset of the last NaN of a 2×2 window (a b / c d) in a plane of
// width w, which PyTorch picks.
func lastNaN2x2(a, b, c, d float32, w int) int32 {
	switch {
	case d != d:
		return int32(w + 1)
	case c != c:
		return int32(w)
	case b != b:
		return 1
	}
	return 0
}

// MaxPool2dBackward sets dx (mode Assign) or adds to it (Accumulate) the gradient of
// [MaxPool2d]: each element of dy goes to the input position recorded in idx.
func MaxPool2dBackward(dx, dy *Tensor, idx []int32, mode Mode) {
	if dx.rank != 4 || dy.rank != 4 || dx.shape[0] != dy.shape[0] || dx.shape[1] != dy.shape[1] || len(idx) != dy.Len() {
		panic(fmt.Sprintf("tensor: MaxPool2dBackward of %v into %v with %d indices", dimsOf(dy), dimsOf(dx), len(idx)))
	}
	j := poolJob{x: dx.data, y: dy.data, idx: idx, h: dx.shape[2], w: dx.shape[3], oh: dy.shape[2], ow: dy.shape[3], mode: mode, backward: true}
	planes, chunks := dx.shape[0]*dx.shape[1], 1
	if dx.Len() >= grain {
		chunks = parallel.Parts(planes, max(1, grain/(j.h*j.w)))
	}
	if chunks == 1 {
		j.Range(0, 0, planes)
		return
	}
	splitPooled(&poolJobs, j, planes, chunks)
}

func (j *poolJob) backwardPlanes(lo, hi int) {
	in, out := j.h*j.w, j.oh*j.ow
	for pl := lo; pl < hi; pl++ {
		dxp, dyp, ip := j.x[pl*in:(pl+1)*in], j.y[pl*out:(pl+1)*out], j.idx[pl*out:(pl+1)*out]
		if j.mode == Assign {
			clear(dxp)
		}
		for i, g := range dyp {
			dxp[ip[i]] += g
		}
	}
}
