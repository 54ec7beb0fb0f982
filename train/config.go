package train

import (
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"

	"github.com/descent-ml/descent/model"
	"github.com/descent-ml/descent/nn"
	"github.com/descent-ml/descent/optim"
	"github.com/descent-ml/descent/optim/lr"
)

// Config is the configuration of one training run. Its zero value trains the MLP with Adam
// for one epoch of batches of 128, seed 0, logging every 10 steps.
type Config struct {
	// Model is the network, as package model names it (model.ParseSpec): "linear",
	// "mlp:W1,W2,...[:relu|gelu|tanh][:layernorm|batchnorm][:dropout=P]", or the MNIST
	// presets "logreg", "mlp" and "cnn"; its inputs and outputs come from the training
	// set (model.Build). If Model is "" and NewModel is nil, it is "mlp".
	Model string
	// ModelConfig holds the hidden widths of the preset mlp and whether the cnn has
	// dropout.
	ModelConfig model.Config
	// NewModel, if not nil, makes the model instead of Model (which must then be ""): any
	// nn.Module, its weights drawn from rng, the run's source of weights and dropout masks,
	// seeded by Seed. The model takes a batch of examples flattened, batch × features, and
	// returns the output the Loss reads.
	NewModel func(rng *rand.Rand) nn.Module
	// Loss is what the run minimises. If Loss is nil, it is [DefaultLoss] of the training
	// set's task: cross-entropy for a classification (the negative log-likelihood for the
	// presets of package model, which output log-probabilities), the mean squared error
	// for a regression.
	Loss Loss
	// InitState, if not nil, is the state the model starts from instead of the weights
	// drawn from Seed: tensors named as nn.StateDict names the model's, which are the
	// names of the equivalent PyTorch module's state_dict (package nn/weights reads them
	// from safetensors or a torch.save file). It must hold every entry of the model's
	// state, of the same shape, and nothing else (nn.LoadStateDict, strict): New refuses
	// it otherwise with an *nn.WeightsError naming the tensor and, as its file, InitFrom.
	// The weights are drawn all the same, so that the dropout masks are those of a run
	// without InitState. Runs only read it: runs made together may share it. Resume does
	// not compare it with the checkpoint's run, whose weights the checkpoint holds.
	InitState []nn.NamedTensor
	// InitFrom names where InitState comes from, for errors: a file.
	InitFrom string

	// Optimizer is the registry name of the optimiser (see optim.Registry). If Optimizer
	// is "", it is "adam".
	Optimizer string
	// Options are the optimiser's hyper-parameters under torch's names, on top of the
	// registry's defaults. If Options has no "lr", the rate is [DefaultLR] of the
	// optimiser.
	Options optim.Options
	// Groups put the parameters whose names match a pattern in groups of their own
	// options, e.g. "*.bias:weight_decay=0".
	Groups []optim.GroupRule
	// Schedule is the learning-rate schedule; its zero value is a constant rate.
	Schedule lr.Spec
	// ClipNorm, if positive, clips the gradients to this global Euclidean norm before
	// each step (torch's clip_grad_norm_).
	ClipNorm float64
	// SWA, if not nil, averages the weights at the ends of the last epochs (stochastic
	// weight averaging), and may hand the learning rate over to SWALR: see [SWA].
	SWA *SWA
	// EMA, if not 0, keeps the exponential moving average of the weights of this decay,
	// in (0, 1), updated after every optimiser step (the first copies the weights):
	// avg ← EMA·avg + (1 − EMA)·w. SWA and EMA may be used together.
	//
	// An averaged model is a copy of the model evaluated after every epoch (once it holds
	// an average), its BatchNorm statistics first recomputed by a pass over the training
	// set in order (nn.UpdateBN); its records are those of a run named after the run with
	// "+swa" or "+ema" ([Run.Averages], [Run.SaveAverage]).
	EMA float64

	// Epochs is the number of passes over the training set. If Epochs is 0, it is 1.
	Epochs int
	// BatchSize is the number of examples per training step. If BatchSize is 0, it is 128,
	// the batch of the PyTorch reference bench/torch_train.py.
	BatchSize int
	// DropLast leaves out the last batch of each epoch when the batch size does not divide
	// the training set (PyTorch's drop_last), so that every step sees BatchSize examples:
	// the examples left out are other ones every epoch. If DropLast is false, the last
	// batch is short.
	DropLast bool
	// EvalBatch is the number of examples per forward pass of an evaluation. If EvalBatch
	// is 0, it is as many as fit in 32 MiB of activations (measured on the first training
	// step), between BatchSize and 1000.
	EvalBatch int
	// Seed seeds the initial weights, the order of the batches and the dropout masks:
	// runs of the same seed start from the same weights and see the same batches,
	// whatever their optimiser.
	Seed uint64

	// LogEvery is the number of steps between two step records of results.jsonl, each
	// holding the mean training loss of the steps since the previous one. If LogEvery is
	// 0, it is 10.
	LogEvery int
	// MaxLoss is the training loss above which a run counts as diverged, as one whose
	// loss is NaN or infinite. If MaxLoss is 0, it is 100 times the loss of the first
	// batch (230 for a model that starts at chance on 10 classes, where a loss of
	// ln 10 = 2.3 means chance, 230 a probability of e^-230 for the right class). If
	// MaxLoss is negative, only a NaN or infinite loss counts.
	MaxLoss float64
}

// withDefaults returns c with its zero fields set to their documented defaults.
func (c Config) withDefaults() Config {
	if c.Model == "" && c.NewModel == nil {
		c.Model = "mlp"
	}
	if c.Optimizer == "" {
		c.Optimizer = "adam"
	}
	if c.Epochs == 0 {
		c.Epochs = 1
	}
	if c.BatchSize == 0 {
		c.BatchSize = 128
	}
	if c.LogEvery == 0 {
		c.LogEvery = 10
	}
	return c
}

// validate checks the numbers of c (after withDefaults); the names are checked by the
// packages that look them up.
func (c Config) validate() error {
	switch {
	case c.Epochs < 0:
		return fmt.Errorf("train: %d epochs, want at least 1", c.Epochs)
	case c.BatchSize < 0:
		return fmt.Errorf("train: batch size %d, want at least 1", c.BatchSize)
	case c.EvalBatch < 0:
		return fmt.Errorf("train: evaluation batch size %d, want at least 1", c.EvalBatch)
	case c.LogEvery < 0:
		return fmt.Errorf("train: logging every %d steps, want at least 1", c.LogEvery)
	case math.IsNaN(c.MaxLoss):
		return fmt.Errorf("train: divergence threshold %v, want a number", c.MaxLoss)
	case c.ClipNorm < 0 || math.IsNaN(c.ClipNorm) || math.IsInf(c.ClipNorm, 0):
		return fmt.Errorf("train: gradient clipping norm %v, want 0 (none) or positive and finite", c.ClipNorm)
	case c.NewModel != nil && c.Model != "":
		return fmt.Errorf("train: both a Model (%q) and NewModel", c.Model)
	}
	if c.SWA != nil {
		if err := c.SWA.check(c.Epochs); err != nil {
			return err
		}
	}
	if err := checkEMA(c.EMA); err != nil {
		return err
	}
	if err := finiteOptions("", c.Options); err != nil {
		return err
	}
	for _, g := range c.Groups {
		if err := finiteOptions(g.Pattern, g.Options); err != nil {
			return err
		}
	}
	return nil
}

// finiteOptions returns an error if a value of opts, or a part of one (betas=0.9/0.999),
// is a number that is NaN or infinite: no option of an optimiser may be. group names the
// parameter group of opts, "" for the optimiser's own.
func finiteOptions(group string, opts optim.Options) error {
	for _, k := range slices.Sorted(maps.Keys(opts)) {
		for _, part := range strings.Split(opts[k], "/") {
			v, err := strconv.ParseFloat(strings.TrimSpace(part), 64)
			if err == nil && (math.IsNaN(v) || math.IsInf(v, 0)) {
				if group != "" {
					return fmt.Errorf("train: option %s=%s of group %s: want finite numbers", k, opts[k], group)
				}
				return fmt.Errorf("train: option %s=%s: want finite numbers", k, opts[k])
			}
		}
	}
	return nil
}

// options returns the optimiser's options: c.Options with the default learning rate
// when they have none.
func (c Config) options() optim.Options {
	o := optim.Options{}
	for k, v := range c.Options {
		o[k] = v
	}
	if _, ok := o["lr"]; !ok {
		if rate, ok := DefaultLR(c.Optimizer); ok {
			o["lr"] = strconv.FormatFloat(rate, 'g', -1, 64)
		}
	}
	return o
}

// LR returns the learning rate the run starts with: the "lr" of Options, else
// [DefaultLR] of the optimiser (NaN for an optimiser without one).
func (c Config) LR() float64 {
	c = c.withDefaults()
	if s, ok := c.options()["lr"]; ok {
		if v, err := strconv.ParseFloat(s, 64); err == nil {
			return v
		}
	}
	return math.NaN()
}

// defaultLRs are the learning rates of DefaultLR.
var defaultLRs = []struct {
	name string
	lr   float64
}{
	{"sgd", 0.1},
	{"momentum", 0.03},
	{"nesterov", 0.03},
	{"adagrad", 0.01},
	{"rmsprop", 1e-3},
	{"adam", 1e-3},
	{"amsgrad", 1e-3},
	{"amsgrad-lecture", 1e-3},
	{"adamw", 1e-3},
	{"adadelta", 1},
	{"adamax", 2e-3},
	{"nadam", 2e-3},
	{"radam", 1e-3},
	{"asgd", 0.1},
	{"rprop", 1e-3},
	{"lbfgs", 1},
	{"lion", 3e-4},
	{"adafactor", 1e-2},
	{"muon", 0.02},
	{"schedulefree-adamw", 3e-3},
	{"schedulefree-sgd", 1},
	{"prodigy", 1},
	{"lamb", 1e-2},
	{"lars", 3},
}

// DefaultLR returns the learning rate descent uses for the optimiser called name when none
// is given, and whether it has one. They suit the models of package model on MNIST with
// batches of 128, where torch's own defaults do not always (RMSprop's 0.01 makes the MLP
// diverge; SGD has none):
//
//	sgd 0.1            momentum 0.03        nesterov 0.03       adagrad 0.01
//	rmsprop 1e-3       adam 1e-3            amsgrad 1e-3        amsgrad-lecture 1e-3
//	adamw 1e-3         adadelta 1           adamax 2e-3         nadam 2e-3
//	radam 1e-3         asgd 0.1             rprop 1e-3          lbfgs 1
//	lion 3e-4          adafactor 1e-2       muon 0.02           schedulefree-adamw 3e-3
//	schedulefree-sgd 1 prodigy 1            lamb 1e-2           lars 3
//
// momentum and nesterov are SGD with momentum 0.9, whose steps are about ten times those
// of plain SGD at the same rate.
//
// The rates of the optimisers beyond torch 1.13 come from the LR range test ([Run.RangeTest],
// "descent lrfind") on the MLP and a one-epoch sweep around its suggestion (validation loss
// on 10000 held-out images, seed 1): lion, schedulefree-adamw, schedulefree-sgd, lamb and
// lars take the best rate of the sweep (lion 3e-4 of 1e-4…3e-3; schedulefree-adamw 3e-3 of
// 3e-4…1e-2; schedulefree-sgd 1 of 0.1…3, where 3 diverges; lamb 1e-2 of 1e-3…3e-2, where
// 3e-2 diverges; lars 3 of 0.3…10). muon takes 0.02, where the range test's suggestions lie
// (0.016 and 0.018; each Muon step on the MLP costs seconds, too many for a sweep here).
// adafactor and prodigy keep their references' defaults: the range test's loss does not
// rise up to a rate of 10, as Adafactor's step is min(lr, 1/√t) times the parameter's scale
// and Prodigy's lr multiplies its own estimate of the step.
func DefaultLR(name string) (float64, bool) {
	for _, d := range defaultLRs {
		if d.name == name {
			return d.lr, true
		}
	}
	return 0, false
}
