package model

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"

	"github.com/descent-ml/descent/data"
	"github.com/descent-ml/descent/nn"
)

// A Spec is a model as the command line names it: one of the MNIST presets, "logreg",
// "mlp" and "cnn", a linear model, "linear", or a multilayer perceptron of given widths,
// "mlp:W1,W2,...", with options after the widths, in any order:
//
//	relu | gelu | tanh        the activation after each hidden layer (default relu)
//	layernorm | batchnorm     a normalisation between each hidden layer and its activation
//	dropout=P                 dropout of probability P after each activation
//
// such as "mlp:256,256:gelu:layernorm:dropout=0.1". [ParseSpec] reads one, [Spec.String]
// writes it back, [Build] makes the network for a dataset.
type Spec struct {
	// Name is "linear", "logreg", "mlp" or "cnn".
	Name string
	// Widths are the hidden widths of an MLP given as mlp:W1,W2,...; nil for the preset
	// mlp and the other models.
	Widths []int
	// Activation is "relu", "gelu" or "tanh" (an MLP of Widths); "" is relu.
	Activation string
	// Norm is "", "layernorm" or "batchnorm" (an MLP of Widths).
	Norm string
	// Dropout is the probability of dropout after each hidden activation (an MLP of
	// Widths); 0 is none.
	Dropout float64
}

// Preset reports whether s is one of the MNIST presets, logreg, mlp (without widths) and
// cnn, which end in log-softmax: their output is log-probabilities, to be trained with the
// negative log-likelihood (nn.NLLLoss). The other models output scores (logits) for a
// classification, to be trained with cross-entropy, or values for a regression.
func (s Spec) Preset() bool {
	return s.Name == "logreg" || s.Name == "cnn" || s.Name == "mlp" && s.Widths == nil
}

// String returns s as ParseSpec reads it, in a canonical form: widths, then the
// activation unless relu, the normalisation and the dropout.
func (s Spec) String() string {
	if s.Widths == nil {
		return s.Name
	}
	var b strings.Builder
	b.WriteString(s.Name + ":")
	for i, w := range s.Widths {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.Itoa(w))
	}
	if s.Activation != "" && s.Activation != "relu" {
		b.WriteString(":" + s.Activation)
	}
	if s.Norm != "" {
		b.WriteString(":" + s.Norm)
	}
	if s.Dropout != 0 {
		b.WriteString(":dropout=" + strconv.FormatFloat(s.Dropout, 'g', -1, 64))
	}
	return b.String()
}

// SpecNames lists the model names ParseSpec accepts, with what each is.
const SpecNames = "linear (logistic, softmax or linear regression, by the task), " +
	"mlp:W1,W2,...[:relu|gelu|tanh][:layernorm|batchnorm][:dropout=P] (a multilayer perceptron), " +
	"and the MNIST presets logreg, mlp (784-1000-1000-10) and cnn"

// ParseSpec parses a model as the command line gives it (see [Spec]). Its errors quote s
// and say what is wrong.
func ParseSpec(s string) (Spec, error) {
	bad := func(format string, args ...any) (Spec, error) {
		return Spec{}, fmt.Errorf("model %q: %s", s, fmt.Sprintf(format, args...))
	}
	fields := strings.Split(strings.TrimSpace(s), ":")
	name := fields[0]
	switch {
	case name == "linear" || name == "logreg" || name == "cnn":
		if len(fields) > 1 {
			return bad("%s takes no options", name)
		}
		return Spec{Name: name}, nil
	case name == "mlp" && len(fields) == 1:
		return Spec{Name: name}, nil
	case name != "mlp":
		return bad("unknown model: want %s", SpecNames)
	}
	sp := Spec{Name: "mlp"}
	if strings.TrimSpace(fields[1]) == "" {
		return bad("no hidden widths: an MLP is mlp:W1,W2,..., as in mlp:64,64")
	}
	for _, f := range strings.Split(fields[1], ",") {
		w, err := strconv.Atoi(strings.TrimSpace(f))
		switch {
		case err != nil && isOption(f):
			return bad("the hidden widths come first, after mlp:, as in mlp:64,64:%s", fields[1])
		case err != nil || w < 1:
			return bad("hidden width %q is not a positive integer", f)
		case w > 1<<20:
			return bad("hidden width %d is too large", w)
		}
		sp.Widths = append(sp.Widths, w)
	}
	for _, f := range fields[2:] {
		key, _, _ := strings.Cut(f, "=")
		if key != "dropout" && key != f {
			key = ""
		}
		switch key {
		case "relu", "gelu", "tanh":
			if sp.Activation != "" {
				return bad("two activations, %s and %s", sp.Activation, f)
			}
			sp.Activation = f
		case "layernorm", "batchnorm":
			if sp.Norm != "" {
				return bad("two normalisations, %s and %s", sp.Norm, f)
			}
			sp.Norm = f
		case "dropout":
			if sp.Dropout != 0 {
				return bad("two dropouts")
			}
			v, err := strconv.ParseFloat(strings.TrimPrefix(f, "dropout="), 64)
			if err != nil || !(v > 0 && v < 1) {
				return bad("%q: the dropout probability must be a number in (0, 1)", f)
			}
			sp.Dropout = v
		default:
			return bad("unknown option %q: want relu, gelu, tanh, layernorm, batchnorm or dropout=P", f)
		}
	}
	return sp, nil
}

// isOption reports whether f looks like an option of an MLP rather than a width.
func isOption(f string) bool {
	key, _, _ := strings.Cut(f, "=")
	switch key {
	case "relu", "gelu", "tanh", "layernorm", "batchnorm", "dropout":
		return true
	}
	return false
}

// Build returns the model of spec for examples of shape in (a model sees them flattened,
// batch × the product of in, as a data.Loader gives them) and the task, with PyTorch's
// default initialisation drawn from rng (and its dropout masks, later): the same rng
// gives the same weights. cfg applies to the presets: Hidden to mlp, NoDropout to cnn.
//
// The sizes come from the data: the inputs are the features of an example, the outputs
// the classes of a classification or the values of a regression target. A preset ends in
// log-softmax and serves classification only; cnn takes 28×28 images. A linear model is
// one nn.Linear, "0.weight" and "0.bias" (logistic or softmax regression with
// cross-entropy, linear regression with the squared error: the loss makes the
// difference). An MLP of widths W1, W2, ... is the nn.Sequential of PyTorch
//
//	Linear(in, W1), [LayerNorm(W1) | BatchNorm1d(W1)], activation, [Dropout(P)],
//	Linear(W1, W2), ..., Linear(Wk, outputs)
//
// so that its state_dict names ("0.weight", "1.weight" of the norm, ...) are those of
// the same nn.Sequential in PyTorch.
func Build(spec Spec, cfg Config, in []int, task data.Task, rng *rand.Rand) (nn.Module, error) {
	inputs := 1
	for _, d := range in {
		inputs *= d
	}
	outputs := task.Outputs()
	switch {
	case inputs < 1 || len(in) == 0:
		return nil, fmt.Errorf("model %s: examples of shape %v", spec, in)
	case outputs < 1:
		return nil, fmt.Errorf("model %s: a task of %d outputs (%s)", spec, outputs, task)
	case spec.Preset() && task.Kind != data.Classify:
		alt := "linear"
		if spec.Name != "logreg" {
			alt = "mlp:W1,W2,..."
		}
		return nil, fmt.Errorf("model %s ends in log-softmax, for a classification; this is a %s task: use %s", spec, task.Kind, alt)
	case cfg.Hidden != nil && !(spec.Name == "mlp" && spec.Widths == nil):
		return nil, fmt.Errorf("model %s: hidden widths are set for the preset mlp, which this is not", spec)
	case cfg.NoDropout && spec.Name != "cnn":
		return nil, fmt.Errorf("model %s: NoDropout is an option of the cnn, which this is not", spec)
	}
	for _, h := range cfg.Hidden {
		if h < 1 {
			return nil, fmt.Errorf("model: hidden width %d must be positive", h)
		}
	}
	switch spec.Name {
	case "linear":
		return nn.NewSequential(nn.NewLinear(inputs, outputs, rng)), nil
	case "logreg":
		return newLogReg(inputs, outputs, rng), nil
	case "cnn":
		if inputs != Inputs {
			return nil, fmt.Errorf("model cnn takes 28×28 images, not examples of shape %v", in)
		}
		return newCNN(!cfg.NoDropout, outputs, rng), nil
	case "mlp":
		if spec.Widths == nil {
			return newMLP(inputs, cfg.Hidden, outputs, rng), nil
		}
		return newCustomMLP(spec, inputs, outputs, rng), nil
	}
	return nil, fmt.Errorf("model %s: unknown model: want %s", spec, SpecNames)
}

// newCustomMLP returns the MLP of spec, which has widths.
func newCustomMLP(spec Spec, inputs, outputs int, rng *rand.Rand) *nn.Sequential {
	var layers []nn.Module
	in := inputs
	for _, w := range spec.Widths {
		layers = append(layers, nn.NewLinear(in, w, rng))
		switch spec.Norm {
		case "layernorm":
			layers = append(layers, nn.NewLayerNorm(w))
		case "batchnorm":
			layers = append(layers, nn.NewBatchNorm1d(w))
		}
		switch spec.Activation {
		case "", "relu":
			layers = append(layers, nn.ReLU{})
		case "gelu":
			layers = append(layers, nn.GELU{})
		case "tanh":
			layers = append(layers, nn.Tanh{})
		default:
			panic("model: unknown activation " + spec.Activation)
		}
		if spec.Dropout > 0 {
			layers = append(layers, nn.NewDropout(spec.Dropout, rng))
		}
		in = w
	}
	return nn.NewSequential(append(layers, nn.NewLinear(in, outputs, rng))...)
}

// Describe says what the model of spec is for inputs features and outputs outputs, e.g.
// "multilayer perceptron 30-64-64-2, ReLU, scores (logits)".
func Describe(spec Spec, cfg Config, inputs, outputs int, task data.Kind) string {
	widths := func(hidden []int) string {
		w := []string{strconv.Itoa(inputs)}
		for _, h := range hidden {
			w = append(w, strconv.Itoa(h))
		}
		return strings.Join(append(w, strconv.Itoa(outputs)), "-")
	}
	switch spec.Name {
	case "logreg":
		return fmt.Sprintf("logistic regression %d→%d, log-softmax", inputs, outputs)
	case "cnn":
		d := " (with dropout)"
		if cfg.NoDropout {
			d = " (without dropout)"
		}
		return fmt.Sprintf("convolutional network of pytorch/examples%s, %d outputs, log-softmax", d, outputs)
	case "linear":
		switch {
		case task == data.Regress:
			return fmt.Sprintf("linear regression %d→%d", inputs, outputs)
		case outputs == 2:
			return fmt.Sprintf("logistic regression %d→2 (two scores)", inputs)
		}
		return fmt.Sprintf("softmax regression %d→%d", inputs, outputs)
	}
	if spec.Widths == nil {
		hidden := cfg.Hidden
		if hidden == nil {
			hidden = []int{1000, 1000}
		}
		return "multilayer perceptron " + widths(hidden) + " with ReLU, log-softmax"
	}
	act := map[string]string{"": "ReLU", "relu": "ReLU", "gelu": "GELU", "tanh": "tanh"}[spec.Activation]
	s := "multilayer perceptron " + widths(spec.Widths) + " with " + act
	switch spec.Norm {
	case "layernorm":
		s += ", LayerNorm"
	case "batchnorm":
		s += ", BatchNorm"
	}
	if spec.Dropout > 0 {
		s += ", dropout " + strconv.FormatFloat(spec.Dropout, 'g', -1, 64)
	}
	return s
}
