package nn

import (
	"github.com/descent-ml/descent/autodiff"
	"github.com/descent-ml/descent/optim"
)

// A Module is a layer or a network of layers: a function of its input and of its
// parameters, computed on a tape.
type Module interface {
	// Forward computes the module's output for the batch x, recording on t.
	Forward(t *autodiff.Tape, x *autodiff.Var) *autodiff.Var
	// Parameters returns the module's parameters in a fixed order, named as the keys of
	// PyTorch's state_dict for the same module ("weight", "0.bias", "fc1.weight", …).
	Parameters() []Parameter
}

// A Parameter is a named trainable tensor of a [Module].
type Parameter struct {
	Name string
	Var  *autodiff.Var
}

// Trainable is implemented by modules that behave differently in training and in
// evaluation ([Dropout]) and by containers of modules. Modules start in training mode, as
// in PyTorch.
type Trainable interface {
	SetTraining(training bool)
}

// SetTraining puts m in training (true) or evaluation (false) mode, as PyTorch's
// module.train(mode), if m is [Trainable]; other modules have a single mode.
func SetTraining(m Module, training bool) {
	if t, ok := m.(Trainable); ok {
		t.SetTraining(training)
	}
}

// Params returns the parameters of m in the form package optim takes, ready for any
// optimiser's constructor or optim.GroupBy: the Value and Grad of each alias the storage of
// the module's parameter, so an optimiser updates the module in place.
func Params(m Module) []*optim.Param {
	ps := m.Parameters()
	out := make([]*optim.Param, len(ps))
	for i, p := range ps {
		out[i] = &optim.Param{
			Name:  p.Name,
			Shape: append([]int(nil), p.Var.Value.Shape()...),
			Value: p.Var.Value.Data(),
			Grad:  p.Var.Grad.Data(),
		}
	}
	return out
}

// ZeroGrad sets the gradient of every parameter of m to zero. It lists the parameters,
// which allocates: a training loop zeroes the slices of [Params] (or calls its optimiser's
// ZeroGrad) instead.
func ZeroGrad(m Module) {
	for _, p := range m.Parameters() {
		p.Var.ZeroGrad()
	}
}

// NumParams returns the number of scalar parameters of m.
func NumParams(m Module) int {
	n := 0
	for _, p := range m.Parameters() {
		n += p.Var.Value.Len()
	}
	return n
}

// prefixed returns ps with prefix+"." before each name.
func prefixed(prefix string, ps []Parameter) []Parameter {
	for i := range ps {
		ps[i].Name = prefix + "." + ps[i].Name
	}
	return ps
}
