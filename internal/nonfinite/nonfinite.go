// Package nonfinite holds the one error that descent's optimisers return when they meet a
// NaN or an infinity: in a gradient of package optim, in the objective or gradient of a
// problem of package minimize, or inside internal/lbfgs, which both wrap. optim and
// minimize re-export it as NonFiniteError and ErrNonFinite, so that users name it there.
package nonfinite

import (
	"errors"
	"fmt"
)

// Err is the sentinel that every [*Error] matches: errors.Is(err, Err) reports whether a
// run stopped on a NaN or an infinity, whatever met it.
var Err = errors.New("NaN or infinity")

// Error reports a NaN or an infinity met by an optimiser: an element of a gradient, or the
// value of the objective. What the optimiser did with its iterate is stated by the method
// that returns it (optim's Step changes nothing; L-BFGS keeps the last accepted iterate).
type Error struct {
	// Op is what met the value, the prefix of the message: "optim: adam",
	// "optim: ClipGradNorm", "minimize", "lbfgs", ….
	Op string
	// Param is the parameter whose gradient holds the value (optim); "" for a method on a
	// single vector.
	Param string
	// Index is the element's index in Param's flat storage, or in the vector; -1 when the
	// value is the objective's.
	Index int
	// Value is the NaN or infinity (a float32 converts exactly).
	Value float64
	// Step is the step or iteration at which the value was met: optim's step count (1 for
	// the first step; 0 outside a step, as in clipping), the iteration of minimize and
	// lbfgs (0 at the starting point).
	Step int64
}

func (e *Error) Error() string {
	var what string
	switch {
	case e.Index < 0:
		what = "the objective"
	case e.Param != "":
		what = fmt.Sprintf("the gradient of %s[%d]", e.Param, e.Index)
	default:
		what = fmt.Sprintf("gradient[%d]", e.Index)
	}
	if e.Step > 0 {
		return fmt.Sprintf("%s: %s is %v at step %d", e.Op, what, e.Value, e.Step)
	}
	return fmt.Sprintf("%s: %s is %v", e.Op, what, e.Value)
}

// Is reports whether target is [Err].
func (e *Error) Is(target error) bool { return target == Err }
