package model

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/descent-ml/descent/nn"
)

// Inputs and Classes are the sizes of an MNIST image (28×28, flattened) and of its labels.
const (
	Inputs  = 784
	Classes = 10
)

// Config holds the options of the models; its zero value gives each model as described in
// the package documentation.
type Config struct {
	// Hidden is the list of hidden-layer widths of the MLP. Nil means 1000, 1000.
	Hidden []int
	// NoDropout builds the CNN without its two dropout layers, as the PyTorch reference
	// script torch_train.py runs it unless given --dropout.
	NoDropout bool
}

// builders is the registry of models by name.
var builders = []struct {
	name, summary string
	build         func(cfg Config, rng *rand.Rand) nn.Module
}{
	{"logreg", "logistic regression 784→10", func(_ Config, rng *rand.Rand) nn.Module { return NewLogReg(rng) }},
	{"mlp", "multilayer perceptron 784-1000-1000-10, ReLU", func(cfg Config, rng *rand.Rand) nn.Module { return NewMLP(cfg.Hidden, rng) }},
	{"cnn", "pytorch/examples MNIST CNN (2 conv, max-pool, dropout, 2 fc)", func(cfg Config, rng *rand.Rand) nn.Module { return NewCNN(!cfg.NoDropout, rng) }},
}

// Names returns the names New accepts.
func Names() []string {
	var ns []string
	for _, b := range builders {
		ns = append(ns, b.name)
	}
	return ns
}

// Summary returns a one-line description of the named model, or "" for an unknown name.
func Summary(name string) string {
	for _, b := range builders {
		if b.name == name {
			return b.summary
		}
	}
	return ""
}

// New returns the named model (see [Names]) with PyTorch's default initialisation drawn
// from rng.
func New(name string, cfg Config, rng *rand.Rand) (nn.Module, error) {
	for _, h := range cfg.Hidden {
		if h < 1 {
			return nil, fmt.Errorf("model: hidden width %d must be positive", h)
		}
	}
	for _, b := range builders {
		if b.name == name {
			return b.build(cfg, rng), nil
		}
	}
	return nil, fmt.Errorf("model: unknown model %q (have %s)", name, strings.Join(Names(), ", "))
}
