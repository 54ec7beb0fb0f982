package autodiff

import (
	"fmt"

	"github.com/descent-ml/descent/tensor"
)

// A Tape records operations on [Var]s so that [Tape.Backward] can compute gradients by
// reverse-mode differentiation.
//
// The values and gradients of the Vars a tape computes live in buffers it owns and reuses:
// [Tape.Reset] takes them all back, and the next iteration that computes the same shapes
// gets the same buffers, so a training loop allocates only in its first iteration. A
// request takes the shortest free buffer that holds it, so an iteration on smaller shapes
// (a short last batch) allocates nothing either and the tape keeps no buffers for it.
//
// A Tape is not safe for concurrent use. The zero value is not ready: use [NewTape].
type Tape struct {
	nodes     []node
	vars      []*Var // pool; vars[:nvars] are in use
	nvars     int
	floats    arena[float32]
	ints      arena[int]
	int32s    arena[int32]
	varps     arena[*Var]           // the inputs of operations with more than three
	tensorps  arena[*tensor.Tensor] // the operands handed to custom operations
	inference bool
	pass      int32 // number of backward passes since Reset
}

// NewTape returns an empty tape that records operations.
func NewTape() *Tape { return &Tape{} }

// An op is the backward pass of one kind of operation.
type op interface {
	// backward adds the gradient of n's output, n.out.Grad, to the gradients of n's inputs
	// that require one.
	backward(t *Tape, n *node)
}

// A node is one recorded operation: its inputs, output and what its backward pass needs.
type node struct {
	op     op
	in     [3]*Var
	ins    []*Var // all the inputs, for operations with more than three (in is then unused)
	out    *Var
	i      [4]int
	f      float64
	buf    []float32
	w      []float32 // class or positive weights of a loss, copied
	idx    []int32
	tgt    []int
	custom CustomOp
	done   bool
}

// SetInference switches inference mode on or off. In inference mode operations compute
// their values but record nothing and their results need no gradient, as under PyTorch's
// torch.inference_mode(); the buffers are still the tape's, taken back by Reset.
func (t *Tape) SetInference(on bool) { t.inference = on }

// Inference reports whether t is in inference mode.
func (t *Tape) Inference() bool { return t.inference }

// Reset forgets every recorded operation and takes back every buffer, making all Vars
// computed on t since the last Reset invalid. Parameters are untouched.
func (t *Tape) Reset() {
	for i := range t.nodes {
		t.nodes[i] = node{}
	}
	t.nodes = t.nodes[:0]
	for _, v := range t.vars[:t.nvars] {
		*v = Var{}
	}
	t.nvars = 0
	t.pass = 0
	t.floats.reset()
	t.ints.reset()
	t.int32s.reset()
	t.varps.reset()
	t.tensorps.reset()
}

// Release is Reset and also drops the buffers, for the garbage collector to reclaim.
func (t *Tape) Release() {
	t.Reset()
	t.nodes, t.vars = nil, nil
	t.floats.release()
	t.ints.release()
	t.int32s.release()
	t.varps.release()
	t.tensorps.release()
}

// BufferBytes returns the memory held in t's value and gradient buffers.
func (t *Tape) BufferBytes() int {
	return 4*t.floats.size + 8*t.ints.size + 4*t.int32s.size + 8*t.varps.size + 8*t.tensorps.size
}

// Const returns a Var on t that holds x (not copied) and needs no gradient: how a batch
// enters the computation without allocating. It is valid until Reset.
func (t *Tape) Const(x *tensor.Tensor) *Var {
	v := t.newVar()
	v.Value = *x
	v.leaf = true
	return v
}

func (t *Tape) newVar() *Var {
	if t.nvars == len(t.vars) {
		t.vars = append(t.vars, new(Var))
	}
	v := t.vars[t.nvars]
	t.nvars++
	v.tape = t
	return v
}

// result returns a new Var on t with a value buffer of the given shape (contents
// arbitrary), requiring a gradient if any of the inputs does and t records.
func (t *Tape) result(ins []*Var, shape ...int) *Var {
	n := 1
	for _, d := range shape {
		n *= d
	}
	v := t.newVar()
	v.Value = tensor.Wrap(t.floats.get(n), shape...)
	v.requiresGrad = t.records(ins...)
	return v
}

// records reports whether an operation on ins must be recorded.
func (t *Tape) records(ins ...*Var) bool {
	if t.inference {
		return false
	}
	for _, v := range ins {
		if v != nil && v.requiresGrad {
			return true
		}
	}
	return false
}

// record appends a node for out = op(ins) if out requires a gradient, and returns it (nil
// otherwise) for the caller to store what the backward pass needs.
func (t *Tape) record(o op, out *Var, ins ...*Var) *node {
	if !out.requiresGrad {
		return nil
	}
	for _, v := range ins {
		if v != nil && v.tape != nil && v.tape != t {
			panic("autodiff: operation mixes Vars of two tapes")
		}
	}
	t.nodes = append(t.nodes, node{op: o, out: out})
	n := &t.nodes[len(t.nodes)-1]
	if len(ins) > len(n.in) {
		n.ins = t.varps.get(len(ins))
		copy(n.ins, ins)
	} else {
		copy(n.in[:], ins)
	}
	out.node = int32(len(t.nodes))
	return n
}

// grad returns the gradient buffer of v for an operation's backward pass to write, and
// whether to overwrite it (the first contribution to an intermediate) or add to it (a
// parameter, or a later contribution). It returns nil if v needs no gradient.
func (t *Tape) grad(v *Var) (*tensor.Tensor, tensor.Mode) {
	if v == nil || !v.requiresGrad {
		return nil, tensor.Accumulate
	}
	if v.leaf || v.gradPass == t.pass {
		return &v.Grad, tensor.Accumulate
	}
	v.Grad = tensor.Wrap(t.floats.get(v.Value.Len()), v.Value.Shape()...)
	v.gradPass = t.pass
	return &v.Grad, tensor.Assign
}

// Backward computes the gradient of loss, a one-element Var computed on t, with respect to
// every Var it depends on, and adds it to the Grad of each parameter (leaves accumulate
// until zeroed, as in PyTorch). Intermediate gradients are kept until Reset.
//
// As PyTorch without retain_graph, the operations a backward pass goes through cannot be
// gone through again: record a new computation for another pass. Backward panics if loss
// needs no gradient, is not a single element, or was not computed on t.
func (t *Tape) Backward(loss *Var) {
	if loss.Value.Len() != 1 {
		panic(fmt.Sprintf("autodiff: Backward of a Var of shape %v, want a single element", loss.Value.Shape()))
	}
	if !loss.requiresGrad {
		panic("autodiff: Backward of a Var that does not require grad")
	}
	if loss.leaf {
		loss.Grad.Data()[0]++
		return
	}
	if loss.tape != t {
		panic("autodiff: Backward of a Var of another tape")
	}
	t.pass++
	g, mode := t.grad(loss)
	if mode == tensor.Assign {
		g.Data()[0] = 1
	} else {
		g.Data()[0]++
	}
	for i := int(loss.node) - 1; i >= 0; i-- {
		n := &t.nodes[i]
		if n.out.gradPass != t.pass {
			continue
		}
		if n.done {
			panic("autodiff: Backward through operations already gone through (record them again)")
		}
		n.op.backward(t, n)
		n.done = true
	}
}
