package autodiff

import (
	"fmt"

	"github.com/descent-ml/descent/tensor"
)

// Concat returns xs joined along dimension axis (negative counts from the end), as
// PyTorch's cat: they have the same dimensions but along axis. The gradient of each is its
// slice of the output's gradient. It panics without inputs.
func (t *Tape) Concat(axis int, xs ...*Var) *Var {
	if len(xs) == 0 {
		panic("autodiff: Concat of nothing")
	}
	var s [tensor.MaxRank]int
	first := &xs[0].Value
	a := axis
	if a < 0 {
		a += first.Rank()
	}
	first.Dim(axis) // panics if out of range
	copy(s[:], first.Shape())
	s[a] = 0
	for _, x := range xs {
		if x.Value.Rank() != first.Rank() {
			panic(fmt.Sprintf("autodiff: Concat of shapes %v and %v", first.Shape(), x.Value.Shape()))
		}
		s[a] += x.Value.Dim(a)
	}
	out := t.result(xs, s[:first.Rank()]...)
	off := 0
	for _, x := range xs {
		tensor.SliceScatter(&out.Value, &x.Value, a, off, tensor.Assign)
		off += x.Value.Dim(a)
	}
	if n := t.record(concatOp{}, out, xs...); n != nil {
		n.i[0] = a
	}
	return out
}

type concatOp struct{}

func (concatOp) backward(t *Tape, n *node) {
	ins := n.in[:]
	if n.ins != nil {
		ins = n.ins
	}
	off, a := 0, n.i[0]
	for _, x := range ins {
		if x == nil {
			break
		}
		if dx, mode := t.grad(x); dx != nil {
			tensor.Narrow(dx, &n.out.Grad, a, off, mode)
		}
		off += x.Value.Dim(a)
	}
}

// Narrow returns the slice of x along dimension axis from start, of the given length, as
// PyTorch's narrow (a copy, not a view). The gradient of x is the output's gradient in
// that slice and zero elsewhere.
func (t *Tape) Narrow(x *Var, axis, start, length int) *Var {
	var s [tensor.MaxRank]int
	r := x.Value.Rank()
	a := axis
	if a < 0 {
		a += r
	}
	x.Value.Dim(axis) // panics if out of range
	copy(s[:], x.Value.Shape())
	s[a] = length
	out := t.result([]*Var{x}, s[:r]...)
	tensor.Narrow(&out.Value, &x.Value, a, start, tensor.Assign)
	if n := t.record(narrowOp{}, out, x); n != nil {
		n.i[0], n.i[1] = a, start
	}
	return out
}

type narrowOp struct{}

func (narrowOp) backward(t *Tape, n *node) {
	if dx, mode := t.grad(n.in[0]); dx != nil {
		if mode == tensor.Assign {
			clear(dx.Data())
		}
		tensor.SliceScatter(dx, &n.out.Grad, n.i[0], n.i[1], tensor.Accumulate)
	}
}

// Permute returns x with its dimensions reordered, as PyTorch's x.permute(perm) made
// contiguous (a copy): dimension d of the output is dimension perm[d] of x. The gradient
// is the output's gradient permuted back.
func (t *Tape) Permute(x *Var, perm ...int) *Var {
	r := x.Value.Rank()
	if len(perm) != r {
		panic(fmt.Sprintf("autodiff: Permute of shape %v by %d dimensions", x.Value.Shape(), len(perm)))
	}
	var s [tensor.MaxRank]int
	for d, p := range perm {
		s[d] = x.Value.Dim(p)
	}
	out := t.result([]*Var{x}, s[:r]...)
	tensor.Permute(&out.Value, &x.Value, perm, tensor.Assign)
	if n := t.record(permuteOp{}, out, x); n != nil {
		n.tgt = t.ints.get(r)
		copy(n.tgt, perm)
	}
	return out
}

// Transpose returns x with dimensions d0 and d1 swapped (negative counts from the end), as
// PyTorch's x.transpose(d0, d1) made contiguous: [Tape.Permute] by the identity with d0
// and d1 exchanged.
func (t *Tape) Transpose(x *Var, d0, d1 int) *Var {
	var p [tensor.MaxRank]int
	r := x.Value.Rank()
	for i := range r {
		p[i] = i
	}
	x.Value.Dim(d0) // panics if out of range
	x.Value.Dim(d1)
	if d0 < 0 {
		d0 += r
	}
	if d1 < 0 {
		d1 += r
	}
	p[d0], p[d1] = p[d1], p[d0]
	return t.Permute(x, p[:r]...)
}

type permuteOp struct{}

func (permuteOp) backward(t *Tape, n *node) {
	if dx, mode := t.grad(n.in[0]); dx != nil {
		var inv [tensor.MaxRank]int
		for d, p := range n.tgt {
			inv[p] = d
		}
		tensor.Permute(dx, &n.out.Grad, inv[:len(n.tgt)], mode)
	}
}

// IndexSelect returns the slices of x along dimension axis at the indices idx, as
// PyTorch's index_select: the output has x's dimensions but len(idx) along axis. The
// gradient of x adds each slice of the output's gradient at its index (an index that
// repeats gets the sum). idx is copied; it panics if an index is out of range.
func (t *Tape) IndexSelect(x *Var, axis int, idx []int) *Var {
	var s [tensor.MaxRank]int
	r := x.Value.Rank()
	a := axis
	if a < 0 {
		a += r
	}
	x.Value.Dim(axis) // panics if out of range
	copy(s[:], x.Value.Shape())
	s[a] = len(idx)
	out := t.result([]*Var{x}, s[:r]...)
	tensor.IndexSelect(&out.Value, &x.Value, a, idx)
	if n := t.record(indexSelectOp{}, out, x); n != nil {
		n.i[0] = a
		n.tgt = t.targets(idx)
	}
	return out
}

type indexSelectOp struct{}

func (indexSelectOp) backward(t *Tape, n *node) {
	if dx, mode := t.grad(n.in[0]); dx != nil {
		if mode == tensor.Assign {
			clear(dx.Data())
		}
		g := n.out.Grad
		if n.i[0] < 0 { // an embedding: the output is shape×dim, the slices are rows
			g = g.Reshape(len(n.tgt), dx.Dim(1))
		}
		tensor.IndexAdd(dx, &g, max(n.i[0], 0), n.tgt)
	}
}

// Embedding returns the rows of w (entries×dim) at the indices idx, shaped shape×dim, as
// PyTorch's embedding of an index tensor of the given shape: out[..., :] = w[idx[...], :].
// Without a shape the indices are a vector (len(idx)×dim). The gradient of w adds each
// row of the output's gradient to the row of its index. idx is copied; it panics if an
// index is out of range.
func (t *Tape) Embedding(w *Var, idx []int, shape ...int) *Var {
	if w.Value.Rank() != 2 {
		panic(fmt.Sprintf("autodiff: Embedding of a table of shape %v", w.Value.Shape()))
	}
	var s [tensor.MaxRank]int
	r := copy(s[:], shape)
	if len(shape) == 0 {
		s[0], r = len(idx), 1
	}
	if r >= tensor.MaxRank {
		panic(fmt.Sprintf("autodiff: Embedding of indices of shape %v", shape))
	}
	n := 1
	for _, d := range s[:r] {
		n *= d
	}
	if n != len(idx) {
		panic(fmt.Sprintf("autodiff: Embedding of %d indices shaped %v", len(idx), shape))
	}
	s[r] = w.Value.Dim(1)
	out := t.result([]*Var{w}, s[:r+1]...)
	rows := out.Value.Reshape(len(idx), w.Value.Dim(1))
	tensor.IndexSelect(&rows, &w.Value, 0, idx)
	if nd := t.record(indexSelectOp{}, out, w); nd != nil {
		nd.i[0] = -1
		nd.tgt = t.targets(idx)
	}
	return out
}
