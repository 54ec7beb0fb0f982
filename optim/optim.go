package optim

import "io"

// Param is a named float32 parameter: the storage of its value and of its gradient, which
// have the same length, the product of Shape. Optimisers read Grad and update Value in place;
// the model that owns the parameter keeps aliasing both slices.
//
// Name identifies the parameter in saved optimiser state (e.g. "fc1.weight"); it must be
// unique among the parameters given to one optimiser.
type Param struct {
	Name  string
	Shape []int
	Value []float32
	Grad  []float32
}

// Optimizer updates parameters, organised in groups, from their gradients.
//
// The learning rate of each group can be read and set between steps, which is how the
// schedulers of package [github.com/descent-ml/descent/optim/lr] act.
type Optimizer interface {
	// Step applies one update to every parameter from its current gradient.
	Step() error
	// ZeroGrad sets every gradient to zero.
	ZeroGrad()
	// NumGroups returns the number of parameter groups.
	NumGroups() int
	// LR returns the learning rate of group g.
	LR(g int) float64
	// SetLR sets the learning rate of group g.
	SetLR(g int, lr float64)
}

// A Closure re-evaluates the model: it sets the gradients of the parameters (zeroing them
// first, as torch's closures call zero_grad) and returns the loss. L-BFGS needs one; the other
// optimisers accept one in StepWith as torch's step(closure) does.
type Closure func() (float64, error)

// A ClosureStepper steps with a closure, as torch's step(closure): the closure is evaluated
// (once for the first-order methods, as often as needed for L-BFGS) and the loss at the
// parameters before the step is returned. Every optimiser of this package is one.
type ClosureStepper interface {
	StepWith(closure Closure) (float64, error)
}

// A MomentumOptimizer has a momentum or first-moment coefficient per group: the momentum of
// SGD and RMSprop, β₁ of the Adam family. The schedulers that cycle momentum (CyclicLR,
// OneCycleLR) find it by type assertion.
type MomentumOptimizer interface {
	Optimizer
	Momentum(g int) float64
	SetMomentum(g int, m float64)
}

// A Stateful optimiser writes its state (hyper-parameters of every group and the buffers of
// every parameter, keyed by parameter name) and reads it back; see "State files" in the
// package documentation. Every optimiser of this package is one.
type Stateful interface {
	Save(w io.Writer) error
	Load(r io.Reader) error
}

// A Traffic optimiser reports the bytes of memory one Step reads and writes per parameter
// element, beyond the read of the gradient that checks it is finite (which every optimiser
// makes): "descent bench optim" divides it by the time of a step. The optimisers whose step
// makes more than one pass over the elements count every pass.
type Traffic interface {
	BytesPerParam() int
}
