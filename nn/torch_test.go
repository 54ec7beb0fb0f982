package nn

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/descent-ml/descent/autodiff"
	"github.com/descent-ml/descent/tensor"
)

// torchLayers is testdata/torch_layers.json, written by testdata/gen_torch.py.
type torchLayers struct {
	Torch    string
	Defaults struct {
		LayerNorm struct {
			Eps               float64
			ElementwiseAffine bool `json:"elementwise_affine"`
			State             []namedTorch
		} `json:"layer_norm"`
		BatchNorm1d torchBN `json:"batch_norm1d"`
		BatchNorm2d torchBN `json:"batch_norm2d"`
		Embedding   struct {
			StateKeys []string `json:"state_keys"`
		}
	}
	Models []torchModel
	Losses []torchLoss
}

type torchBN struct {
	Eps, Momentum float64
	State         []namedTorch
}

type torchTensor struct {
	Shape []int
	Data  []float64
}

type namedTorch struct {
	Name string
	torchTensor
}

type torchModel struct {
	Name        string
	Init        []namedTorch
	ClassWeight []float32 `json:"class_weight"`
	Steps       []struct {
		X      torchTensor
		Y      json.RawMessage // class indices, or a tensor
		Output torchTensor
		Loss   float64
		Grads  []namedTorch
		State  []namedTorch
	}
	Eval struct {
		X      torchTensor
		Output torchTensor
	}
}

type torchLoss struct {
	Name string
	Args struct {
		Reduction      string
		Beta, Delta    float64
		PosWeight      []float32 `json:"pos_weight"`
		Weight         []float32
		LabelSmoothing float64 `json:"label_smoothing"`
	}
	Inputs []torchTensor
	Target []int
	Value  float64
	Grads  []torchTensor
}

func (t torchTensor) tensor() *tensor.Tensor {
	x := tensor.New(t.Shape...)
	for i, v := range t.Data {
		x.Data()[i] = float32(v)
	}
	return x
}

func loadTorchLayers(t *testing.T) *torchLayers {
	b, err := os.ReadFile("testdata/torch_layers.json")
	if err != nil {
		t.Fatal(err)
	}
	var f torchLayers
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	return &f
}

// compareTorch checks got against PyTorch's want elementwise: |got − want| ≤
// tol·max(|want|, 1e-2·max|want|), relative to each element, an element smaller than 1% of
// the largest counting as that 1%.
func compareTorch(got *tensor.Tensor, want torchTensor, tol float64) error {
	return compareScaled(got, want, tol, 0)
}

// compareScaled is compareTorch with the 1% taken of the larger of max|want| and scale:
// for the gradients of a model, scale is the largest gradient of any parameter, so that a
// gradient that is zero by cancellation (a bias before a BatchNorm) is held to the rounding
// of the others.
func compareScaled(got *tensor.Tensor, want torchTensor, tol, scale float64) error {
	if !slices.Equal(got.Shape(), want.Shape) {
		return fmt.Errorf("shape %v, want %v", got.Shape(), want.Shape)
	}
	top := scale
	for _, w := range want.Data {
		top = max(top, math.Abs(w))
	}
	for i, w := range want.Data {
		g := float64(got.Data()[i])
		if d := math.Abs(g - w); !(d <= tol*max(math.Abs(w), 1e-2*top)) {
			return fmt.Errorf("element %d: %v, want %v", i, g, w)
		}
	}
	return nil
}

// embedNet is the fixture's module holding an Embedding as attribute emb.
type embedNet struct{ emb *Embedding }

func (e *embedNet) Forward(t *autodiff.Tape, x *autodiff.Var) *autodiff.Var {
	return e.emb.Forward(t, x)
}
func (e *embedNet) Parameters() []Parameter { return prefixed("emb", e.emb.Parameters()) }

// torchModels builds the Go twins of the fixture's models and their losses.
func torchModels(rng *rand.Rand) map[string]struct {
	m    Module
	loss func(t *autodiff.Tape, out *autodiff.Var, y json.RawMessage, mc *torchModel) *autodiff.Var
} {
	type entry = struct {
		m    Module
		loss func(t *autodiff.Tape, out *autodiff.Var, y json.RawMessage, mc *torchModel) *autodiff.Var
	}
	weighted := func(t *autodiff.Tape, out *autodiff.Var, y json.RawMessage, mc *torchModel) *autodiff.Var {
		var target []int
		if err := json.Unmarshal(y, &target); err != nil {
			panic(err)
		}
		w := tensor.FromSlice(mc.ClassWeight, len(mc.ClassWeight))
		return CrossEntropyLoss{Weight: w, LabelSmoothing: 0.1}.Forward(t, out, target)
	}
	tensorOf := func(y json.RawMessage) *tensor.Tensor {
		var r torchTensor
		if err := json.Unmarshal(y, &r); err != nil {
			panic(err)
		}
		return r.tensor()
	}
	dot := func(t *autodiff.Tape, out *autodiff.Var, y json.RawMessage, _ *torchModel) *autodiff.Var {
		return t.Sum(t.Mul(out, t.Const(tensorOf(y))))
	}
	cum := NewBatchNorm1d(4)
	cum.CumulativeAverage = true
	return map[string]entry{
		"mlp":             {NewSequential(NewLinear(6, 8, rng), NewBatchNorm1d(8), ReLU{}, NewLayerNorm(8), GELU{}, NewLinear(8, 4, rng)), weighted},
		"bn2d":            {NewSequential(NewConv2d(2, 3, 3, tensor.Conv2dConfig{Padding: 1}, rng), NewBatchNorm2d(3), SiLU{}), dot},
		"bn1d_cumulative": {NewSequential(cum, Tanh{}), dot},
		"ln_regression": {NewSequential(NewLinear(5, 6, rng), NewLayerNorm(6), GELU{Tanh: true}, NewLinear(6, 1, rng)),
			func(t *autodiff.Tape, out *autodiff.Var, y json.RawMessage, _ *torchModel) *autodiff.Var {
				return HuberLoss{}.Forward(t, out, t.Const(tensorOf(y)))
			}},
		"embedding": {&embedNet{NewEmbedding(7, 3, rng)}, dot},
	}
}

// loadState copies a state dict into m through StateDict, checking that the names come
// in PyTorch's order.
func loadState(t *testing.T, m Module, want []namedTorch) {
	t.Helper()
	got := StateDict(m)
	names := make([]string, len(got))
	for i, e := range got {
		names[i] = e.Name
	}
	var wantNames []string
	for _, e := range want {
		wantNames = append(wantNames, e.Name)
	}
	if !slices.Equal(names, wantNames) {
		t.Fatalf("state dict %v, PyTorch's %v", names, wantNames)
	}
	for i, e := range want {
		if !slices.Equal(got[i].Tensor.Shape(), e.Shape) {
			t.Fatalf("%s: shape %v, PyTorch's %v", e.Name, got[i].Tensor.Shape(), e.Shape)
		}
		if got[i].Int64 != strings.HasSuffix(e.Name, "num_batches_tracked") {
			t.Errorf("%s: Int64 %v", e.Name, got[i].Int64)
		}
		for j, v := range e.Data {
			got[i].Tensor.Data()[j] = float32(v)
		}
	}
}

// TestTorchModels runs the fixture's models: the state dict's names and order, and for
// each training batch the output, the loss and every gradient, and the state after it
// (BatchNorm's running statistics and count), then the output in evaluation mode.
func TestTorchModels(t *testing.T) {
	f := loadTorchLayers(t)
	builders := torchModels(rand.New(rand.NewPCG(1, 2)))
	for i := range f.Models {
		mc := &f.Models[i]
		t.Run(mc.Name, func(t *testing.T) {
			b, ok := builders[mc.Name]
			if !ok {
				t.Fatalf("no model %q", mc.Name)
			}
			m := b.m
			loadState(t, m, mc.Init)
			for si, st := range mc.Steps {
				ZeroGrad(m)
				tp := autodiff.NewTape()
				out := m.Forward(tp, tp.Const(st.X.tensor()))
				if err := compareTorch(&out.Value, st.Output, 1e-5); err != nil {
					t.Fatalf("step %d output: %v", si, err)
				}
				loss := b.loss(tp, out, st.Y, mc)
				if d := math.Abs(float64(loss.Item()) - st.Loss); d > 1e-5*math.Abs(st.Loss) {
					t.Errorf("step %d loss %v, want %v", si, loss.Item(), st.Loss)
				}
				tp.Backward(loss)
				ps := m.Parameters()
				if len(ps) != len(st.Grads) {
					t.Fatalf("%d parameters, PyTorch has %d", len(ps), len(st.Grads))
				}
				scale := 0.0
				for _, g := range st.Grads {
					for _, v := range g.Data {
						scale = max(scale, math.Abs(v))
					}
				}
				for k, g := range st.Grads {
					if ps[k].Name != g.Name {
						t.Fatalf("parameter %d is %q, PyTorch's %q", k, ps[k].Name, g.Name)
					}
					if err := compareScaled(&ps[k].Var.Grad, g.torchTensor, 1e-4, scale); err != nil {
						t.Errorf("step %d gradient of %s: %v", si, g.Name, err)
					}
				}
				state := StateDict(m)
				for k, s := range st.State {
					if err := compareTorch(state[k].Tensor, s.torchTensor, 1e-5); err != nil {
						t.Errorf("step %d %s: %v", si, s.Name, err)
					}
				}
			}
			SetTraining(m, false)
			tp := autodiff.NewTape()
			tp.SetInference(true)
			out := m.Forward(tp, tp.Const(mc.Eval.X.tensor()))
			if err := compareTorch(&out.Value, mc.Eval.Output, 1e-5); err != nil {
				t.Errorf("evaluation output: %v", err)
			}
		})
	}
}

// TestTorchLosses compares each loss module, with its defaults and with options, with
// PyTorch's: the value within 1e-5 and the gradients within 1e-4.
func TestTorchLosses(t *testing.T) {
	f := loadTorchLayers(t)
	red := func(s string) tensor.Reduction {
		if s == "sum" {
			return tensor.ReduceSum
		}
		return tensor.ReduceMean
	}
	for _, c := range f.Losses {
		t.Run(c.Name, func(t *testing.T) {
			xs := make([]*autodiff.Var, len(c.Inputs))
			for i, in := range c.Inputs {
				xs[i] = autodiff.NewParam(in.tensor())
			}
			r := red(c.Args.Reduction)
			var w, pw *tensor.Tensor
			if c.Args.Weight != nil {
				w = tensor.FromSlice(c.Args.Weight, len(c.Args.Weight))
			}
			if c.Args.PosWeight != nil {
				pw = tensor.FromSlice(c.Args.PosWeight, len(c.Args.PosWeight))
			}
			tp := autodiff.NewTape()
			var loss *autodiff.Var
			switch c.Name {
			case "mse", "mse_sum":
				loss = MSELoss{Reduction: r}.Forward(tp, xs[0], xs[1])
			case "l1":
				loss = L1Loss{}.Forward(tp, xs[0], xs[1])
			case "smooth_l1", "smooth_l1_beta":
				loss = SmoothL1Loss{Beta: c.Args.Beta}.Forward(tp, xs[0], xs[1])
			case "huber", "huber_delta":
				loss = HuberLoss{Delta: c.Args.Delta, Reduction: r}.Forward(tp, xs[0], xs[1])
			case "bce_with_logits", "bce_with_logits_pos_weight":
				loss = BCEWithLogitsLoss{PosWeight: pw}.Forward(tp, xs[0], xs[1])
			case "cross_entropy", "cross_entropy_smooth", "cross_entropy_weight_smooth":
				loss = CrossEntropyLoss{Weight: w, LabelSmoothing: c.Args.LabelSmoothing}.Forward(tp, xs[0], c.Target)
			case "nll", "nll_weight":
				loss = NLLLoss{Weight: w}.Forward(tp, xs[0], c.Target)
			default:
				t.Fatalf("no loss %q", c.Name)
			}
			if d := math.Abs(float64(loss.Item()) - c.Value); d > 1e-5*math.Abs(c.Value) {
				t.Errorf("loss %v, want %v", loss.Item(), c.Value)
			}
			tp.Backward(loss)
			for i, g := range c.Grads {
				if err := compareTorch(&xs[i].Grad, g, 1e-4); err != nil {
					t.Errorf("gradient of input %d: %v", i, err)
				}
			}
		})
	}
}

// TestTorchDefaults checks the defaults and the initial state of the new layers against
// PyTorch's modules: eps, momentum, the initial parameters and buffers and the state dict
// names; Embedding's standard normal initialisation by its moments.
func TestTorchDefaults(t *testing.T) {
	f := loadTorchLayers(t)
	d := f.Defaults
	ln := NewLayerNorm(5)
	if ln.Eps != d.LayerNorm.Eps || !d.LayerNorm.ElementwiseAffine {
		t.Errorf("LayerNorm eps %v, PyTorch's %v", ln.Eps, d.LayerNorm.Eps)
	}
	checkState(t, "LayerNorm", StateDict(ln), d.LayerNorm.State)
	for _, c := range []struct {
		name string
		bn   *BatchNorm
		want torchBN
	}{{"BatchNorm1d", NewBatchNorm1d(4), d.BatchNorm1d}, {"BatchNorm2d", NewBatchNorm2d(3), d.BatchNorm2d}} {
		if c.bn.Eps != c.want.Eps || c.bn.Momentum != c.want.Momentum || !c.bn.training {
			t.Errorf("%s: eps %v momentum %v training %v, PyTorch's %v %v true", c.name, c.bn.Eps, c.bn.Momentum, c.bn.training,
				c.want.Eps, c.want.Momentum)
		}
		checkState(t, c.name, StateDict(c.bn), c.want.State)
	}
	e := NewEmbedding(200, 100, rand.New(rand.NewPCG(3, 4)))
	var names []string
	for _, s := range StateDict(e) {
		names = append(names, s.Name)
	}
	if !slices.Equal(names, d.Embedding.StateKeys) {
		t.Errorf("Embedding state %v, PyTorch's %v", names, d.Embedding.StateKeys)
	}
	var mean, sq float64
	for _, v := range e.Weight.Value.Data() {
		mean += float64(v)
		sq += float64(v) * float64(v)
	}
	n := float64(e.Weight.Value.Len())
	mean /= n
	// N(0, 1): the mean within 5 standard errors of 0, the variance within 5% of 1.
	if math.Abs(mean) > 5/math.Sqrt(n) || math.Abs(sq/n-mean*mean-1) > 0.05 {
		t.Errorf("Embedding weights: mean %v, variance %v; want N(0, 1)", mean, sq/n-mean*mean)
	}
}

func checkState(t *testing.T, name string, got []NamedTensor, want []namedTorch) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d state entries, PyTorch has %d", name, len(got), len(want))
	}
	for i, w := range want {
		if got[i].Name != w.Name {
			t.Errorf("%s: entry %d is %q, PyTorch's %q", name, i, got[i].Name, w.Name)
			continue
		}
		if err := compareTorch(got[i].Tensor, w.torchTensor, 0); err != nil {
			t.Errorf("%s %s: %v", name, w.Name, err)
		}
	}
}
