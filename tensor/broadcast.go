package tensor

import (
	"fmt"

	"github.com/descent-ml/descent/internal/vec"
)

// BroadcastShape returns the shape that a and b broadcast to, by NumPy's rule: the shapes
// are aligned at their last dimension, a missing dimension counts as 1, and each pair of
// dimensions must be equal or one of them 1, which stretches to the other. It returns the
// dimensions in an array and their number, so that it allocates nothing; it panics if the
// shapes do not broadcast.
func BroadcastShape(a, b *Tensor) ([MaxRank]int, int) {
	var s [MaxRank]int
	r := max(a.rank, b.rank)
	for d := range r {
		da, db := 1, 1
		if i := d - (r - a.rank); i >= 0 {
			da = a.shape[i]
		}
		if i := d - (r - b.rank); i >= 0 {
			db = b.shape[i]
		}
		switch {
		case da == db || db == 1:
			s[d] = da
		case da == 1:
			s[d] = db
		default:
			panic(fmt.Sprintf("tensor: shapes %v and %v do not broadcast", dimsOf(a), dimsOf(b)))
		}
	}
	return s, r
}

// broadcastsTo reports whether x broadcasts to the shape of out without changing out.
func broadcastsTo(x, out *Tensor) bool {
	if x.rank > out.rank {
		return false
	}
	for i := range x.rank {
		d := x.shape[i]
		if d != 1 && d != out.shape[i+out.rank-x.rank] {
			return false
		}
	}
	return true
}

// A strided loop runs over the elements of a row-major output in rows of its last
// (collapsed) dimension, giving for each row the offset of the matching elements of up to
// two operands that broadcast to it. An operand's stride is 0 along a dimension it
// broadcasts over, so its innermost stride is 0 (one element repeated along the row) or 1.
type strided struct {
	rank   int // number of collapsed dimensions, at least 1
	dims   [MaxRank]int
	sa, sb [MaxRank]int // strides of the operands, in elements
}

// newStrided returns the loop over out for operands a and b (b may be nil), which must
// broadcast to out's shape.
func newStrided(out, a, b *Tensor) strided {
	var l strided
	var sa, sb [MaxRank]int
	stridesTo(&sa, a, out)
	if b != nil {
		stridesTo(&sb, b, out)
	}
	// Drop dimensions of size 1, then merge each dimension into the next inner one when
	// every operand steps through both as through one.
	n := 0
	for d := range out.rank {
		if out.shape[d] == 1 {
			continue
		}
		if n > 0 {
			p := n - 1
			if sa[d]*out.shape[d] == l.sa[p] && sb[d]*out.shape[d] == l.sb[p] {
				l.dims[p] *= out.shape[d]
				l.sa[p], l.sb[p] = sa[d], sb[d]
				continue
			}
		}
		l.dims[n], l.sa[n], l.sb[n] = out.shape[d], sa[d], sb[d]
		n++
	}
	if n == 0 {
		l.dims[0], n = 1, 1
	}
	l.rank = n
	return l
}

// stridesTo sets s to the strides of x's elements along the dimensions of out: the
// row-major stride where x has the dimension, 0 where x broadcasts.
func stridesTo(s *[MaxRank]int, x, out *Tensor) {
	st := 1
	for i := x.rank - 1; i >= 0; i-- {
		d := i + out.rank - x.rank
		if x.shape[i] != 1 {
			s[d] = st
		}
		st *= x.shape[i]
	}
}

// rows returns the number of rows and their length.
func (l *strided) rows() (int, int) {
	n := 1
	for _, d := range l.dims[:l.rank-1] {
		n *= d
	}
	return n, l.dims[l.rank-1]
}

// A stridedIter walks the rows of a strided loop, keeping the operands' offsets.
type stridedIter struct {
	l      *strided
	idx    [MaxRank]int
	oa, ob int
}

// next advances to the next row.
func (it *stridedIter) next() {
	l := it.l
	for d := l.rank - 2; d >= 0; d-- {
		it.idx[d]++
		it.oa += l.sa[d]
		it.ob += l.sb[d]
		if it.idx[d] < l.dims[d] {
			return
		}
		it.oa -= l.sa[d] * l.dims[d]
		it.ob -= l.sb[d] * l.dims[d]
		it.idx[d] = 0
	}
}

// broadcastBinary sets dst = a op b (or adds it) where a and b broadcast to dst's shape.
func broadcastBinary(name string, dst, a, b *Tensor, mode Mode, k binaryKernel) {
	s, r := BroadcastShape(a, b)
	if dst.rank != r || dst.shape != s {
		panic(fmt.Sprintf("tensor: %s of shapes %v and %v into %v", name, dimsOf(a), dimsOf(b), dimsOf(dst)))
	}
	l := newStrided(dst, a, b)
	rows, n := l.rows()
	ia, ib := l.sa[l.rank-1], l.sb[l.rank-1]
	it := stridedIter{l: &l}
	acc := mode == Accumulate
	for r := range rows {
		d := dst.data[r*n : (r+1)*n]
		switch {
		case ia == 1 && ib == 1:
			binaryKernels[k](d, a.data[it.oa:it.oa+n], b.data[it.ob:it.ob+n], mode)
		case ia == 1:
			rowScalarRight(k, d, a.data[it.oa:it.oa+n], b.data[it.ob], acc)
		case ib == 1:
			rowScalarLeft(k, d, a.data[it.oa], b.data[it.ob:it.ob+n], acc)
		default:
			v := applyOp(k, a.data[it.oa], b.data[it.ob])
			for i := range d {
				if acc {
					d[i] += v
				} else {
					d[i] = v
				}
			}
		}
		it.next()
	}
}

func applyOp(k binaryKernel, x, y float32) float32 {
	switch k {
	case addKernel:
		return x + y
	case subKernel:
		return x - y
	case mulKernel:
		return x * y
	}
	return x / y
}

// rowScalarRight sets (or, with acc, adds to) d[i] the value a[i] op s.
func rowScalarRight(k binaryKernel, d, a []float32, s float32, acc bool) {
	a = a[:len(d)]
	switch k {
	case addKernel:
		for i, v := range a {
			if acc {
				d[i] += v + s
			} else {
				d[i] = v + s
			}
		}
	case subKernel:
		for i, v := range a {
			if acc {
				d[i] += v - s
			} else {
				d[i] = v - s
			}
		}
	case mulKernel:
		for i, v := range a {
			if acc {
				d[i] += v * s
			} else {
				d[i] = v * s
			}
		}
	default:
		for i, v := range a {
			if acc {
				d[i] += v / s
			} else {
				d[i] = v / s
			}
		}
	}
}

// rowScalarLeft sets (or, with acc, adds to) d[i] the value s op b[i].
func rowScalarLeft(k binaryKernel, d []float32, s float32, b []float32, acc bool) {
	b = b[:len(d)]
	switch k {
	case addKernel:
		for i, v := range b {
			if acc {
				d[i] += s + v
			} else {
				d[i] = s + v
			}
		}
	case subKernel:
		for i, v := range b {
			if acc {
				d[i] += s - v
			} else {
				d[i] = s - v
			}
		}
	case mulKernel:
		for i, v := range b {
			if acc {
				d[i] += s * v
			} else {
				d[i] = s * v
			}
		}
	default:
		for i, v := range b {
			if acc {
				d[i] += s / v
			} else {
				d[i] = s / v
			}
		}
	}
}

// SumTo sets dst (mode Assign) or adds to it (Accumulate) the sum of x over the
// dimensions along which dst broadcasts to x's shape: the reduction that takes the
// gradient of a broadcast result back to a broadcast operand. dst's shape must broadcast to
// x's (dims of 1 or missing where x is summed, equal elsewhere). Rows of x are summed in
// float32 by [vec.Sum]'s interleaved partial sums; rows added to a row of dst, in float32.
func SumTo(dst, x *Tensor, mode Mode) {
	if !broadcastsTo(dst, x) {
		panic(fmt.Sprintf("tensor: SumTo of %v into %v", dimsOf(x), dimsOf(dst)))
	}
	if mode == Assign {
		clear(dst.data)
	}
	l := newStrided(x, dst, nil)
	rows, n := l.rows()
	it := stridedIter{l: &l}
	inner := l.sa[l.rank-1]
	for r := range rows {
		src := x.data[r*n : (r+1)*n]
		if inner == 1 {
			vec.Add(dst.data[it.oa:it.oa+n], src)
		} else {
			dst.data[it.oa] += sumRow(src)
		}
		it.next()
	}
}

// sumRow returns the sum of x: in float32 by vec.Sum over blocks of 4096, the blocks' sums
// added in float64.
func sumRow(x []float32) float32 {
	if len(x) <= 4096 {
		return vec.Sum(x)
	}
	var s float64
	for len(x) > 0 {
		k := min(len(x), 4096)
		s += float64(vec.Sum(x[:k]))
		x = x[k:]
	}
	return float32(s)
}

// Expand sets dst = s·x (mode Assign) or adds it (Accumulate), x broadcast to dst's shape
// (as PyTorch's expand): the gradient of a sum over the dimensions along which x is
// broadcast. x's shape must broadcast to dst's.
func Expand(dst, x *Tensor, s float32, mode Mode) {
	if !broadcastsTo(x, dst) {
		panic(fmt.Sprintf("tensor: Expand of %v to %v", dimsOf(x), dimsOf(dst)))
	}
	l := newStrided(dst, x, nil)
	rows, n := l.rows()
	it := stridedIter{l: &l}
	inner := l.sa[l.rank-1]
	for r := range rows {
		d := dst.data[r*n : (r+1)*n]
		switch {
		case inner == 1 && mode == Accumulate:
			vec.Axpy(d, s, x.data[it.oa:it.oa+n])
		case inner == 1:
			copy(d, x.data[it.oa:it.oa+n])
			if s != 1 {
				vec.Scale(d, s)
			}
		default:
			v := s * x.data[it.oa]
			if mode == Accumulate {
				vec.AddConst(d, v)
			} else {
				for i := range d {
					d[i] = v
				}
			}
		}
		it.next()
	}
}
