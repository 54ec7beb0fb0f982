package model

import (
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/descent-ml/descent/autodiff"
	"github.com/descent-ml/descent/nn"
	"github.com/descent-ml/descent/tensor"
)

// The parameter names and shapes of each model are those of its PyTorch twin in
// torch_train.py and pytorch/examples.
var wantParams = map[string][]struct {
	name  string
	shape []int
}{
	"logreg": {{"0.weight", []int{10, 784}}, {"0.bias", []int{10}}},
	"mlp": {{"0.weight", []int{1000, 784}}, {"0.bias", []int{1000}}, {"2.weight", []int{1000, 1000}},
		{"2.bias", []int{1000}}, {"4.weight", []int{10, 1000}}, {"4.bias", []int{10}}},
	"cnn": {{"conv1.weight", []int{32, 1, 3, 3}}, {"conv1.bias", []int{32}}, {"conv2.weight", []int{64, 32, 3, 3}},
		{"conv2.bias", []int{64}}, {"fc1.weight", []int{128, 9216}}, {"fc1.bias", []int{128}},
		{"fc2.weight", []int{10, 128}}, {"fc2.bias", []int{10}}},
}

func TestModelsByName(t *testing.T) {
	for _, name := range Names() {
		m, err := New(name, Config{}, rand.New(rand.NewPCG(1, 2)))
		if err != nil {
			t.Fatal(err)
		}
		want := wantParams[name]
		ps := nn.Params(m)
		if len(ps) != len(want) {
			t.Fatalf("%s: %d parameters, want %d", name, len(ps), len(want))
		}
		for i, p := range ps {
			if p.Name != want[i].name || !slices.Equal(p.Shape, want[i].shape) {
				t.Errorf("%s: parameter %d is %s %v, want %s %v", name, i, p.Name, p.Shape, want[i].name, want[i].shape)
			}
		}
		tp := autodiff.NewTape()
		out := m.Forward(tp, tp.Const(tensor.New(3, Inputs)))
		if s := out.Value.Shape(); !slices.Equal(s, []int{3, Classes}) {
			t.Errorf("%s: output shape %v", name, s)
		}
		// Log-probabilities: each row's exponentials sum to one.
		for i := range 3 {
			var s float64
			for _, v := range out.Value.Data()[i*Classes : (i+1)*Classes] {
				s += math.Exp(float64(v))
			}
			if math.Abs(s-1) > 1e-5 {
				t.Errorf("%s: row %d of exp(output) sums to %v", name, i, s)
			}
		}
	}
}

func TestNewErrors(t *testing.T) {
	if _, err := New("resnet", Config{}, rand.New(rand.NewPCG(1, 2))); err == nil || !strings.Contains(err.Error(), `unknown model "resnet" (have logreg, mlp, cnn)`) {
		t.Errorf("New(resnet): %v", err)
	}
	if _, err := New("mlp", Config{Hidden: []int{10, 0}}, rand.New(rand.NewPCG(1, 2))); err == nil || !strings.HasPrefix(err.Error(), "model: ") {
		t.Errorf("New(mlp, hidden 0): %v", err)
	}
	m, err := New("mlp", Config{Hidden: []int{64}}, rand.New(rand.NewPCG(1, 2)))
	if err != nil || nn.NumParams(m) != 784*64+64+64*10+10 {
		t.Errorf("mlp with one hidden layer of 64: %v parameters, error %v", nn.NumParams(m), err)
	}
	if Summary("cnn") == "" || Summary("nope") != "" {
		t.Error("Summary")
	}
}

func TestSameSeedSameWeights(t *testing.T) {
	a := NewCNN(true, rand.New(rand.NewPCG(5, 6)))
	b := NewCNN(true, rand.New(rand.NewPCG(5, 6)))
	pa, pb := nn.Params(a), nn.Params(b)
	for i := range pa {
		for j := range pa[i].Value {
			if pa[i].Value[j] != pb[i].Value[j] {
				t.Fatalf("%s differs at %d", pa[i].Name, j)
			}
		}
	}
}

func TestLoadsPyTorchWeights(t *testing.T) {
	f, err := os.Open("testdata/torch_logreg_weights.bin")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m := NewLogReg(rand.New(rand.NewPCG(1, 2)))
	if err := nn.Load(f, m); err != nil {
		t.Fatal(err)
	}
	fx := readFixture(t, "testdata/torch_mlp.bin.gz")
	tp := autodiff.NewTape()
	tp.SetInference(true)
	loss := tp.NLLLoss(m.Forward(tp, tp.Const(fx["x"])), labelsOf(fx["y"]))
	want := float64(fx["logreg.loss"].Data()[0])
	if e := math.Abs(float64(loss.Item())-want) / want; e > 1e-5 {
		t.Errorf("loss with PyTorch's weights %v, PyTorch %v", loss.Item(), want)
	}
}
