package autodiff

import (
	"fmt"

	"github.com/descent-ml/descent/tensor"
)

// A Var is a tensor in a computation: its Value and, once [Tape.Backward] has reached it,
// its Grad (the gradient of the loss with respect to Value, of the same shape).
//
// Leaves are made by [NewParam] (trainable: gradients accumulate into Grad until
// [Var.ZeroGrad], as in PyTorch) and [NewConst] or [Tape.Const] (no gradient). Every other
// Var is the result of an operation of a [Tape] and lives until the tape's
// [Tape.Reset]; its Grad is scratch of the tape, valid until then.
//
// Do not assign Value or Grad; modify their elements only between iterations (as an
// optimiser does with a parameter's Value).
type Var struct {
	Value tensor.Tensor
	Grad  tensor.Tensor

	requiresGrad bool
	leaf         bool
	gradPass     int32 // for an intermediate, the backward pass that gave it a Grad (0: none)
	node         int32 // 1 + index of the node that produced it on tape; 0 for a leaf
	tape         *Tape
}

// NewParam returns a trainable leaf whose value is t (not copied) and whose gradient, of
// the same shape, starts at zero.
func NewParam(t *tensor.Tensor) *Var {
	return &Var{
		Value:        *t,
		Grad:         *tensor.New(t.Shape()...),
		requiresGrad: true,
		leaf:         true,
	}
}

// NewConst returns a leaf that needs no gradient, whose value is t (not copied).
func NewConst(t *tensor.Tensor) *Var {
	return &Var{Value: *t, leaf: true}
}

// RequiresGrad reports whether gradients flow to v: it is a parameter, or was computed from
// one on a tape that was not in inference mode.
func (v *Var) RequiresGrad() bool { return v.requiresGrad }

// IsLeaf reports whether v was made by NewParam, NewConst or Tape.Const rather than by an
// operation.
func (v *Var) IsLeaf() bool { return v.leaf }

// ZeroGrad sets the gradient of a parameter to zero.
func (v *Var) ZeroGrad() {
	clear(v.Grad.Data())
}

// Item returns the single element of a one-element Var such as a loss.
func (v *Var) Item() float32 {
	if v.Value.Len() != 1 {
		panic(fmt.Sprintf("autodiff: Item of a Var of shape %v", v.Value.Shape()))
	}
	return v.Value.Data()[0]
}
