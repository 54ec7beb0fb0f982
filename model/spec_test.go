package model

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/descent-ml/descent/autodiff"
	"github.com/descent-ml/descent/data"
	"github.com/descent-ml/descent/nn"
	"github.com/descent-ml/descent/tensor"
)

func TestParseSpec(t *testing.T) {
	for _, c := range []struct {
		in   string
		want Spec
		str  string // String of the spec; "" for in
	}{
		{"linear", Spec{Name: "linear"}, ""},
		{"logreg", Spec{Name: "logreg"}, ""},
		{"mlp", Spec{Name: "mlp"}, ""},
		{"cnn", Spec{Name: "cnn"}, ""},
		{"mlp:64,64", Spec{Name: "mlp", Widths: []int{64, 64}}, ""},
		{"mlp:64:relu", Spec{Name: "mlp", Widths: []int{64}, Activation: "relu"}, "mlp:64"},
		{"mlp:256,256:layernorm", Spec{Name: "mlp", Widths: []int{256, 256}, Norm: "layernorm"}, ""},
		{"mlp:8:dropout=0.1:batchnorm:gelu", Spec{Name: "mlp", Widths: []int{8}, Activation: "gelu", Norm: "batchnorm", Dropout: 0.1},
			"mlp:8:gelu:batchnorm:dropout=0.1"},
		{" mlp:3, 4:tanh ", Spec{Name: "mlp", Widths: []int{3, 4}, Activation: "tanh"}, "mlp:3,4:tanh"},
	} {
		got, err := ParseSpec(c.in)
		if err != nil {
			t.Errorf("%q: %v", c.in, err)
			continue
		}
		if got.Name != c.want.Name || !slices.Equal(got.Widths, c.want.Widths) || got.Activation != c.want.Activation ||
			got.Norm != c.want.Norm || got.Dropout != c.want.Dropout {
			t.Errorf("%q: %+v, want %+v", c.in, got, c.want)
		}
		str := c.str
		if str == "" {
			str = strings.TrimSpace(c.in)
		}
		if got.String() != str {
			t.Errorf("%q: String() = %q, want %q", c.in, got.String(), str)
		}
		again, err := ParseSpec(got.String())
		if err != nil || again.String() != got.String() {
			t.Errorf("%q: String() %q parses to %+v, %v", c.in, got.String(), again, err)
		}
	}
	for _, c := range []struct{ in, msg string }{
		{"", "unknown model"},
		{"resnet", "unknown model"},
		{"linear:64", "linear takes no options"},
		{"cnn:dropout=0.1", "cnn takes no options"},
		{"mlp:", "no hidden widths"},
		{"mlp:gelu", "the hidden widths come first"},
		{"mlp:64,x", `hidden width "x" is not a positive integer`},
		{"mlp:64,0", `hidden width "0" is not a positive integer`},
		{"mlp:64,,64", `hidden width "" is not a positive integer`},
		{"mlp:99999999", "too large"},
		{"mlp:64:relu:gelu", "two activations"},
		{"mlp:64:layernorm:batchnorm", "two normalisations"},
		{"mlp:64:dropout=1", "dropout probability must be a number in (0, 1)"},
		{"mlp:64:dropout=x", "dropout probability"},
		{"mlp:64:dropout=0.1:dropout=0.2", "two dropouts"},
		{"mlp:64:swish", `unknown option "swish"`},
		{"mlp:64:relu=1", `unknown option "relu=1"`},
	} {
		_, err := ParseSpec(c.in)
		if err == nil || !strings.Contains(err.Error(), c.msg) || !strings.Contains(err.Error(), "model \""+c.in+"\"") {
			t.Errorf("%q: error %v, want one quoting the spec and saying %q", c.in, err, c.msg)
		}
	}
}

func TestBuildRefuses(t *testing.T) {
	classify := data.Task{Kind: data.Classify, Classes: 3}
	regress := data.Task{Kind: data.Regress, TargetShape: []int{1}}
	for _, c := range []struct {
		spec string
		cfg  Config
		in   []int
		task data.Task
		msg  string
	}{
		{"logreg", Config{}, []int{5}, regress, "use linear"},
		{"mlp", Config{}, []int{5}, regress, "use mlp:W1,W2"},
		{"cnn", Config{}, []int{5}, classify, "28×28 images"},
		{"linear", Config{Hidden: []int{3}}, []int{5}, classify, "hidden widths are set for the preset mlp"},
		{"mlp:4", Config{Hidden: []int{3}}, []int{5}, classify, "hidden widths are set for the preset mlp"},
		{"mlp", Config{NoDropout: true}, []int{5}, classify, "NoDropout"},
		{"mlp", Config{Hidden: []int{0}}, []int{5}, classify, "must be positive"},
		{"linear", Config{}, []int{5}, data.Task{Kind: data.Classify}, "0 outputs"},
	} {
		spec, err := ParseSpec(c.spec)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Build(spec, c.cfg, c.in, c.task, rand.New(rand.NewPCG(1, 2))); err == nil || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%s %+v on %v %s: %v, want an error saying %q", c.spec, c.cfg, c.in, c.task, err, c.msg)
		}
	}
}

// TestPresetsBuilt checks that Build makes the MNIST presets as New does, weight for
// weight from the same seed.
func TestPresetsBuilt(t *testing.T) {
	mnist := data.Task{Kind: data.Classify, Classes: Classes}
	for _, c := range []struct {
		name string
		cfg  Config
	}{{"logreg", Config{}}, {"mlp", Config{}}, {"mlp", Config{Hidden: []int{32, 16}}}, {"cnn", Config{}}, {"cnn", Config{NoDropout: true}}} {
		a, err := New(c.name, c.cfg, rand.New(rand.NewPCG(3, 4)))
		if err != nil {
			t.Fatal(err)
		}
		spec, _ := ParseSpec(c.name)
		b, err := Build(spec, c.cfg, []int{1, 28, 28}, mnist, rand.New(rand.NewPCG(3, 4)))
		if err != nil {
			t.Fatal(err)
		}
		pa, pb := nn.Params(a), nn.Params(b)
		if len(pa) != len(pb) {
			t.Fatalf("%s: %d and %d parameters", c.name, len(pa), len(pb))
		}
		for i := range pa {
			if pa[i].Name != pb[i].Name || !slices.Equal(pa[i].Value, pb[i].Value) {
				t.Errorf("%s: parameter %s differs between New and Build", c.name, pa[i].Name)
			}
		}
	}
}

// TestSpecsMatchPyTorch builds each model of testdata/specs.json and compares its state
// dict (names, shapes, order) and its output in evaluation mode with PyTorch's.
func TestSpecsMatchPyTorch(t *testing.T) {
	b, err := os.ReadFile("testdata/specs.json")
	if err != nil {
		t.Fatal(err)
	}
	var fx struct {
		Batch int `json:"batch"`
		Cases []struct {
			Spec      string `json:"spec"`
			Hidden    []int  `json:"hidden"`
			Task      string `json:"task"`
			Inputs    int    `json:"inputs"`
			Outputs   int    `json:"outputs"`
			StateDict []struct {
				Name  string `json:"name"`
				Shape []int  `json:"shape"`
			} `json:"state_dict"`
			X []float32 `json:"x"`
			Y []float64 `json:"y"`
		} `json:"cases"`
	}
	if err := json.Unmarshal(b, &fx); err != nil {
		t.Fatal(err)
	}
	if len(fx.Cases) < 8 {
		t.Fatalf("%d cases in the fixture", len(fx.Cases))
	}
	for _, c := range fx.Cases {
		spec, err := ParseSpec(c.Spec)
		if err != nil {
			t.Fatal(err)
		}
		task := data.Task{Kind: data.Classify, Classes: c.Outputs}
		if c.Task == "regress" {
			task = data.Task{Kind: data.Regress, TargetShape: []int{c.Outputs}}
		}
		m, err := Build(spec, Config{Hidden: c.Hidden}, []int{c.Inputs}, task, rand.New(rand.NewPCG(1, 2)))
		if err != nil {
			t.Fatalf("%s: %v", c.Spec, err)
		}
		sd := nn.StateDict(m)
		if len(sd) != len(c.StateDict) {
			t.Errorf("%s: %d state_dict entries, PyTorch %d", c.Spec, len(sd), len(c.StateDict))
			continue
		}
		for i, e := range sd {
			if e.Name != c.StateDict[i].Name || !slices.Equal(e.Tensor.Shape(), c.StateDict[i].Shape) {
				t.Errorf("%s: entry %d is %s %v, PyTorch's %s %v", c.Spec, i, e.Name, e.Tensor.Shape(), c.StateDict[i].Name, c.StateDict[i].Shape)
			}
		}
		for k, p := range m.Parameters() {
			weightValues(p.Var.Value.Data(), k, 0.5)
		}
		nn.SetTraining(m, false)
		tp := autodiff.NewTape()
		tp.SetInference(true)
		y := m.Forward(tp, tp.Const(tensor.FromSlice(c.X, fx.Batch, c.Inputs))).Value.Data()
		if len(y) != len(c.Y) {
			t.Fatalf("%s: %d outputs, PyTorch %d", c.Spec, len(y), len(c.Y))
		}
		for i := range y {
			if d := math.Abs(float64(y[i]) - c.Y[i]); d > 1e-5*max(1, math.Abs(c.Y[i])) {
				t.Errorf("%s: output %d is %v, PyTorch %v", c.Spec, i, y[i], c.Y[i])
				break
			}
		}
	}
}
