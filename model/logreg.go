package model

import (
	"math/rand/v2"

	"github.com/descent-ml/descent/nn"
)

// NewLogReg returns multinomial logistic regression on MNIST: Linear(784, 10) then
// log-softmax, parameters "0.weight" and "0.bias".
func NewLogReg(rng *rand.Rand) *nn.Sequential { return newLogReg(Inputs, Classes, rng) }

// newLogReg is NewLogReg for inputs features and classes classes.
func newLogReg(inputs, classes int, rng *rand.Rand) *nn.Sequential {
	return nn.NewSequential(nn.NewLinear(inputs, classes, rng), nn.LogSoftmax{})
}
