package model

import (
	"fmt"
	"math/rand/v2"

	"github.com/descent-ml/descent/autodiff"
	"github.com/descent-ml/descent/nn"
	"github.com/descent-ml/descent/tensor"
)

// CNN is the convolutional network of pytorch/examples mnist/main.py:
//
//	conv1 (1→32, 3×3) ReLU, conv2 (32→64, 3×3) ReLU, max-pool 2, dropout 0.25, flatten,
//	fc1 (9216→128) ReLU, dropout 0.5, fc2 (128→10), log-softmax
//
// Dropout1 and Dropout2 are nil in a CNN built without dropout.
type CNN struct {
	Conv1, Conv2       *nn.Conv2d
	Dropout1, Dropout2 *nn.Dropout
	FC1, FC2           *nn.Linear
}

var (
	_ nn.Module    = (*CNN)(nil)
	_ nn.Trainable = (*CNN)(nil)
)

// NewCNN returns the network with PyTorch's default initialisation drawn from rng, in the
// order PyTorch creates the layers (conv1, conv2, fc1, fc2); the dropout layers draw
// their masks from rng too.
func NewCNN(dropout bool, rng *rand.Rand) *CNN { return newCNN(dropout, Classes, rng) }

// newCNN is NewCNN with classes outputs.
func newCNN(dropout bool, classes int, rng *rand.Rand) *CNN {
	c := &CNN{
		Conv1: nn.NewConv2d(1, 32, 3, tensor.Conv2dConfig{}, rng),
		Conv2: nn.NewConv2d(32, 64, 3, tensor.Conv2dConfig{}, rng),
		FC1:   nn.NewLinear(9216, 128, rng),
		FC2:   nn.NewLinear(128, classes, rng),
	}
	if dropout {
		c.Dropout1, c.Dropout2 = nn.NewDropout(0.25, rng), nn.NewDropout(0.5, rng)
	}
	return c
}

// Forward returns the log-probabilities of a batch of images, given as batch×784 or
// batch×1×28×28.
func (c *CNN) Forward(t *autodiff.Tape, x *autodiff.Var) *autodiff.Var {
	switch s := x.Value.Shape(); {
	case len(s) == 2 && s[1] == Inputs:
		x = t.Reshape(x, s[0], 1, 28, 28)
	case len(s) == 4 && s[1] == 1 && s[2] == 28 && s[3] == 28:
	default:
		panic(fmt.Sprintf("model: CNN on input of shape %v, want batch×784 or batch×1×28×28", s))
	}
	x = nn.ForwardReLU(t, c.Conv1, x)
	// conv2, ReLU and max-pool 2 in one pass, which never stores conv2's output.
	x = t.Conv2dReLUMaxPool(x, c.Conv2.Weight, c.Conv2.Bias, c.Conv2.Config)
	if c.Dropout1 != nil {
		x = c.Dropout1.Forward(t, x)
	}
	x = nn.ForwardReLU(t, c.FC1, t.Flatten(x))
	if c.Dropout2 != nil {
		x = c.Dropout2.Forward(t, x)
	}
	return t.LogSoftmax(c.FC2.Forward(t, x))
}

// Parameters returns conv1.weight, conv1.bias, conv2.weight, conv2.bias, fc1.weight,
// fc1.bias, fc2.weight and fc2.bias, PyTorch's state_dict keys of the network.
func (c *CNN) Parameters() []nn.Parameter {
	var ps []nn.Parameter
	for _, l := range []struct {
		name string
		m    nn.Module
	}{{"conv1", c.Conv1}, {"conv2", c.Conv2}, {"fc1", c.FC1}, {"fc2", c.FC2}} {
		for _, p := range l.m.Parameters() {
			ps = append(ps, nn.Parameter{Name: l.name + "." + p.Name, Var: p.Var})
		}
	}
	return ps
}

// SetTraining switches the dropout layers between training and evaluation.
func (c *CNN) SetTraining(training bool) {
	for _, d := range []*nn.Dropout{c.Dropout1, c.Dropout2} {
		if d != nil {
			d.SetTraining(training)
		}
	}
}
