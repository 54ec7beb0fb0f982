package model

import (
	"math/rand/v2"

	"github.com/descent-ml/descent/nn"
)

// NewMLP returns a multilayer perceptron on MNIST with ReLU after each hidden layer of the
// given widths (nil means 1000, 1000, the network of the Adam paper's MNIST experiment)
// and log-softmax at the end. Layers are numbered as in PyTorch's nn.Sequential: the
// default's parameters are "0.weight", "0.bias", "2.weight", "2.bias", "4.weight",
// "4.bias".
func NewMLP(hidden []int, rng *rand.Rand) *nn.Sequential { return newMLP(Inputs, hidden, Classes, rng) }

// newMLP is NewMLP for inputs features and classes classes.
func newMLP(inputs int, hidden []int, classes int, rng *rand.Rand) *nn.Sequential {
	if hidden == nil {
		hidden = []int{1000, 1000}
	}
	var layers []nn.Module
	in := inputs
	for _, h := range hidden {
		layers = append(layers, nn.NewLinear(in, h, rng), nn.ReLU{})
		in = h
	}
	layers = append(layers, nn.NewLinear(in, classes, rng), nn.LogSoftmax{})
	return nn.NewSequential(layers...)
}
