package tensor

import (
	"fmt"

	"github.com/descent-ml/descent/internal/vec"
)

// normAxis returns axis counted from the front, panicking if x has no such dimension.
func normAxis(op string, x *Tensor, axis int) int {
	a := axis
	if a < 0 {
		a += x.rank
	}
	if a < 0 || a >= x.rank {
		panic(fmt.Sprintf("tensor: %s along dimension %d of shape %v", op, axis, dimsOf(x)))
	}
	return a
}

// sameBut panics unless x and y have the same rank and dimensions, except along axis.
func sameBut(op string, x, y *Tensor, axis int) {
	ok := x.rank == y.rank
	for d := 0; ok && d < x.rank; d++ {
		ok = d == axis || x.shape[d] == y.shape[d]
	}
	if !ok {
		panic(fmt.Sprintf("tensor: %s of %v and %v along dimension %d", op, dimsOf(x), dimsOf(y), axis))
	}
}

// copyBlocks copies (or, with Accumulate, adds) outer blocks of w elements from src, where
// they start every ss elements from soff, to dst, every ds elements from doff.
func copyBlocks(dst []float32, doff, ds int, src []float32, soff, ss, outer, w int, mode Mode) {
	for o := range outer {
		d, s := dst[doff+o*ds:doff+o*ds+w], src[soff+o*ss:soff+o*ss+w]
		if mode == Accumulate {
			vec.Add(d, s)
		} else {
			copy(d, s)
		}
	}
}

// Narrow sets dst (mode Assign) or adds to it (Accumulate) the slice of x along axis that
// starts at start and has dst's length along axis, as PyTorch's narrow: for a matrix and
// axis 1, dst[i, j] = x[i, start+j]. dst and x have the same dimensions but along axis.
func Narrow(dst, x *Tensor, axis, start int, mode Mode) {
	a := normAxis("Narrow", x, axis)
	sameBut("Narrow", dst, x, a)
	outer, n, inner := splitAxis("Narrow", x, a)
	k := dst.shape[a]
	if start < 0 || start+k > n {
		panic(fmt.Sprintf("tensor: Narrow of %v to %d from %d along dimension %d", dimsOf(x), k, start, a))
	}
	copyBlocks(dst.data, 0, k*inner, x.data, start*inner, n*inner, outer, k*inner, mode)
}

// SliceScatter writes src into the slice of dst along axis that starts at start (mode
// Assign), or adds it there (Accumulate), leaving the rest of dst unchanged, as PyTorch's
// slice_scatter: the reverse of [Narrow]. dst and src have the same dimensions but along
// axis.
func SliceScatter(dst, src *Tensor, axis, start int, mode Mode) {
	a := normAxis("SliceScatter", dst, axis)
	sameBut("SliceScatter", dst, src, a)
	outer, n, inner := splitAxis("SliceScatter", dst, a)
	k := src.shape[a]
	if start < 0 || start+k > n {
		panic(fmt.Sprintf("tensor: SliceScatter of %v into %v at %d along dimension %d", dimsOf(src), dimsOf(dst), start, a))
	}
	copyBlocks(dst.data, start*inner, n*inner, src.data, 0, k*inner, outer, k*inner, mode)
}

// Concat sets dst to the tensors xs joined along axis, as PyTorch's cat: they have dst's
// dimensions but along axis, where theirs add up to dst's.
func Concat(dst *Tensor, axis int, xs ...*Tensor) {
	a := normAxis("Concat", dst, axis)
	off := 0
	for _, x := range xs {
		sameBut("Concat", dst, x, a)
		off += x.shape[a]
	}
	if off != dst.shape[a] {
		panic(fmt.Sprintf("tensor: Concat of %d elements along dimension %d into %v", off, a, dimsOf(dst)))
	}
	off = 0
	for _, x := range xs {
		SliceScatter(dst, x, a, off, Assign)
		off += x.shape[a]
	}
}

// Permute sets dst (mode Assign) or adds to it (Accumulate) x with its dimensions
// reordered, as PyTorch's permute followed by contiguous: dimension d of dst is dimension
// perm[d] of x, so that for a matrix and perm [1 0] dst is the transpose of x. dst must not
// be x.
func Permute(dst, x *Tensor, perm []int, mode Mode) {
	var seen [MaxRank]bool
	ok := len(perm) == x.rank && dst.rank == x.rank
	for d := 0; ok && d < len(perm); d++ {
		p := perm[d]
		ok = p >= 0 && p < x.rank && !seen[p] && dst.shape[d] == x.shape[p]
		if ok {
			seen[p] = true
		}
	}
	if !ok {
		panic(fmt.Sprintf("tensor: Permute of %v by %v into %v", dimsOf(x), fmtDims(perm), dimsOf(dst)))
	}
	// The strides of x along dst's dimensions, then the dimensions collapsed where x
	// steps through two of them as through one.
	var xs [MaxRank]int
	st := 1
	for i := x.rank - 1; i >= 0; i-- {
		xs[i] = st
		st *= x.shape[i]
	}
	var l strided
	n := 0
	for d := range dst.rank {
		dim, s := dst.shape[d], xs[perm[d]]
		if dim == 1 {
			continue
		}
		if n > 0 && l.sa[n-1] == s*dim {
			l.dims[n-1] *= dim
			l.sa[n-1] = s
			continue
		}
		l.dims[n], l.sa[n] = dim, s
		n++
	}
	if n == 0 {
		l.dims[0], n = 1, 1
	}
	l.rank = n
	rows, w := l.rows()
	inner := l.sa[n-1]
	it := stridedIter{l: &l}
	for r := range rows {
		d := dst.data[r*w : (r+1)*w]
		switch {
		case inner == 1 && mode == Accumulate:
			vec.Add(d, x.data[it.oa:it.oa+w])
		case inner == 1:
			copy(d, x.data[it.oa:it.oa+w])
		default:
			src := x.data[it.oa : it.oa+(w-1)*inner+1]
			for i := range d {
				if mode == Accumulate {
					d[i] += src[i*inner]
				} else {
					d[i] = src[i*inner]
				}
			}
		}
		it.next()
	}
}

// IndexSelect sets dst to the slices of x along axis at the indices idx, as PyTorch's
// index_select: for a matrix and axis 0, row j of dst is row idx[j] of x. dst has x's
// dimensions but len(idx) along axis. It panics if an index is outside [0, x.Dim(axis)).
func IndexSelect(dst, x *Tensor, axis int, idx []int) {
	a := normAxis("IndexSelect", x, axis)
	sameBut("IndexSelect", dst, x, a)
	outer, n, inner := splitAxis("IndexSelect", x, a)
	checkIndices("IndexSelect", idx, n, dst.shape[a])
	for o := range outer {
		for j, k := range idx {
			copy(dst.data[(o*len(idx)+j)*inner:(o*len(idx)+j+1)*inner], x.data[(o*n+k)*inner:(o*n+k+1)*inner])
		}
	}
}

// IndexAdd adds the slices of src along axis to the slices of dst at the indices idx, as
// PyTorch's index_add_: for a matrix and axis 0, row j of src is added to row idx[j] of
// dst (an index that repeats adds several rows). It is the gradient of [IndexSelect]: src
// has dst's dimensions but len(idx) along axis.
func IndexAdd(dst, src *Tensor, axis int, idx []int) {
	a := normAxis("IndexAdd", dst, axis)
	sameBut("IndexAdd", dst, src, a)
	outer, n, inner := splitAxis("IndexAdd", dst, a)
	checkIndices("IndexAdd", idx, n, src.shape[a])
	for o := range outer {
		for j, k := range idx {
			vec.Add(dst.data[(o*n+k)*inner:(o*n+k+1)*inner], src.data[(o*len(idx)+j)*inner:(o*len(idx)+j+1)*inner])
		}
	}
}

func checkIndices(op string, idx []int, n, want int) {
	if len(idx) != want {
		panic(fmt.Sprintf("tensor: %s of %d indices into a dimension of %d", op, len(idx), want))
	}
	for j, k := range idx {
		if k < 0 || k >= n {
			panic(fmt.Sprintf("tensor: %s: index %d (position %d) out of range [0, %d)", op, k, j, n))
		}
	}
}
