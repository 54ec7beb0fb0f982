package optim

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
