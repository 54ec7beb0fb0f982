package optim

import (
	"fmt"
)

// ErrNonFinite reports a gradient element that is NaN or infinite. Step returns it before
// changing anything: every parameter and every buffer is as before the call.
type ErrNonFinite struct {
	Param string  // the parameter's name
	Index int     // the element's index in the parameter's flat storage
	Value float32 // the offending value
	Step  int64   // the step that was refused (1 for the first); 0 outside a step (clipping)
}

func (e *ErrNonFinite) Error() string {
	if e.Step == 0 {
		return fmt.Sprintf("optim: gradient of %s[%d] is %v", e.Param, e.Index, e.Value)
	}
	return fmt.Sprintf("optim: gradient of %s[%d] is %v at step %d; no parameter was changed", e.Param, e.Index, e.Value, e.Step)
}

// FormatError reports a state file that cannot be read: not a state file, of an unknown
// version, truncated or corrupted.
type FormatError string

func (e FormatError) Error() string { return "optim: invalid state file: " + string(e) }

// StateError reports a state file that is well formed but does not fit the optimiser it is
// loaded into: another optimiser, other parameter names, groups or shapes, bad
// hyper-parameters. Nothing has been loaded.
type StateError string

func (e StateError) Error() string { return "optim: state does not fit: " + string(e) }
