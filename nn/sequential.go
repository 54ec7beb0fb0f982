package nn

import (
	"strconv"

	"github.com/descent-ml/descent/autodiff"
	"github.com/descent-ml/descent/tensor"
)

// Sequential applies its layers in order, as PyTorch's nn.Sequential; parameters are named
// by the layer's index ("0.weight", "2.bias", …).
//
// A [Linear] or [Conv2d] followed by [ReLU] runs as one fused operation (the bias and the
// rectifier in the pass that writes the output), with the same results.
type Sequential struct {
	Layers []Module
}

var (
	_ Module    = (*Sequential)(nil)
	_ Trainable = (*Sequential)(nil)
	_ Stateful  = (*Sequential)(nil)
)

// NewSequential returns a Sequential of the given layers.
func NewSequential(layers ...Module) *Sequential {
	return &Sequential{Layers: layers}
}

// Forward applies the layers in order.
func (s *Sequential) Forward(t *autodiff.Tape, x *autodiff.Var) *autodiff.Var {
	for i := 0; i < len(s.Layers); i++ {
		if i+1 < len(s.Layers) && isReLU(s.Layers[i+1]) {
			x = ForwardReLU(t, s.Layers[i], x)
			i++
			continue
		}
		x = s.Layers[i].Forward(t, x)
	}
	return x
}

// fusable is a layer that can apply an activation in the pass that writes its output.
type fusable interface {
	forward(t *autodiff.Tape, x *autodiff.Var, act tensor.Activation) *autodiff.Var
}

func isReLU(m Module) bool {
	switch m.(type) {
	case ReLU, *ReLU:
		return true
	}
	return false
}

// ForwardReLU returns relu(m.Forward(t, x)), fusing the rectifier into m when m is a
// [Linear] or a [Conv2d]. Models other than Sequential use it to get the same fusion.
func ForwardReLU(t *autodiff.Tape, m Module, x *autodiff.Var) *autodiff.Var {
	if f, ok := m.(fusable); ok {
		return f.forward(t, x, tensor.ActReLU)
	}
	return t.ReLU(m.Forward(t, x))
}

// Parameters returns the parameters of the layers, prefixed by the layer's index.
func (s *Sequential) Parameters() []Parameter {
	var ps []Parameter
	for i, l := range s.Layers {
		ps = append(ps, prefixed(strconv.Itoa(i), l.Parameters())...)
	}
	return ps
}

// SetTraining sets the mode of every layer.
func (s *Sequential) SetTraining(training bool) {
	for _, l := range s.Layers {
		SetTraining(l, training)
	}
}

// Buffers returns the buffers of the layers, prefixed by the layer's index.
func (s *Sequential) Buffers() []NamedTensor {
	var bs []NamedTensor
	for i, l := range s.Layers {
		bs = append(bs, prefixedState(strconv.Itoa(i), Buffers(l))...)
	}
	return bs
}

// stateDict lists the state of each layer in turn, prefixed by its index, as PyTorch.
func (s *Sequential) stateDict() []NamedTensor {
	var ts []NamedTensor
	for i, l := range s.Layers {
		ts = append(ts, prefixedState(strconv.Itoa(i), StateDict(l))...)
	}
	return ts
}
