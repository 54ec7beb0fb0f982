package autodiff

import (
	"fmt"

	"github.com/descent-ml/descent/tensor"
)

// A CustomOp is an operation of your own, with its forward and backward passes written on
// tensors, that [Tape.Custom] records like the tape's own operations. Check its Backward
// against its Forward with [CheckGrad].
//
// The tape hands the operation its operands in slices that it reuses: an operation must
// not keep them, nor the tensors, past the call. A value kept by a CustomOp between its
// Forward and its Backward (a mask, statistics) belongs to one use of the operation: use a
// new value, or recompute it in Backward, when one CustomOp is applied several times on a
// tape. For a training loop that allocates nothing, make the CustomOp a pointer (or an
// empty struct), so that storing it in the interface allocates nothing, and have Shape
// return a slice it owns or a Shape of an input.
type CustomOp interface {
	// Shape returns the shape of the output for inputs of the given shapes and values.
	Shape(in []*tensor.Tensor) []int
	// Forward writes the output, of the shape Shape returned, from the inputs. out's
	// contents are arbitrary when Forward is called.
	Forward(out *tensor.Tensor, in []*tensor.Tensor)
	// Backward adds to grad[i] the gradient of the loss with respect to input i, given
	// the gradient dout of the output, the output out and the inputs in, as Forward saw
	// them. grad[i] is nil for an input that needs no gradient; the others have the
	// input's shape and hold the gradient accumulated so far (zero at first).
	Backward(grad []*tensor.Tensor, dout, out *tensor.Tensor, in []*tensor.Tensor)
}

// Custom records the operation op on the inputs and returns its output: op.Forward
// computes it now, and [Tape.Backward] calls op.Backward when it reaches it. As for the
// tape's own operations, nothing is recorded when no input needs a gradient or the tape
// is in inference mode, and the output's buffer is the tape's until Reset.
func (t *Tape) Custom(op CustomOp, inputs ...*Var) *Var {
	in := t.tensorps.get(len(inputs))
	for i, x := range inputs {
		in[i] = &x.Value
	}
	out := t.result(inputs, op.Shape(in)...)
	op.Forward(&out.Value, in)
	if n := t.record(customNode{}, out, inputs...); n != nil {
		n.custom = op
		if n.ins == nil { // three inputs or fewer are in n.in; keep them all in one place
			n.ins = t.varps.get(len(inputs))
			copy(n.ins, inputs)
		}
	}
	return out
}

type customNode struct{}

func (customNode) backward(t *Tape, n *node) {
	in := t.tensorps.get(len(n.ins))
	grad := t.tensorps.get(len(n.ins))
	for i, x := range n.ins {
		in[i] = &x.Value
		d, mode := t.grad(x)
		if d != nil && mode == tensor.Assign {
			clear(d.Data())
		}
		grad[i] = d
	}
	n.custom.Backward(grad, &n.out.Grad, &n.out.Value, in)
	for i, x := range n.ins {
		if grad[i] != nil && !grad[i].SameShape(&x.Value) {
			panic(fmt.Sprintf("autodiff: custom operation changed the shape of gradient %d", i))
		}
	}
}
