package optim

import "github.com/descent-ml/descent/internal/nonfinite"

// NonFiniteError reports a NaN or an infinity: an element of a gradient (Param, Index), or
// for [LBFGS] the closure's loss (Index -1); Value is the number, Step the step refused (1
// for the first) or 0 outside a step (clipping). The first-order optimisers' Step returns
// it before changing anything: every parameter and every buffer is as before the call
// ([LBFGS] keeps its last accepted iterate). minimize returns the same type (it lives in
// internal/nonfinite).
type NonFiniteError = nonfinite.Error

// ErrNonFinite is matched by every [*NonFiniteError]: errors.Is(err, ErrNonFinite).
var ErrNonFinite = nonfinite.Err

// FormatError reports a state file that cannot be read: not a state file, of an unknown
// version, truncated or corrupted.
type FormatError string

func (e FormatError) Error() string { return "optim: invalid state file: " + string(e) }

// StateError reports a state file that is well formed but does not fit the optimiser it is
// loaded into: another optimiser, other parameter names, groups or shapes, bad
// hyper-parameters. Nothing has been loaded.
type StateError string

func (e StateError) Error() string { return "optim: state does not fit: " + string(e) }
