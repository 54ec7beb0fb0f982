package nn_test

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"testing"

	"github.com/descent-ml/descent/autodiff"
	"github.com/descent-ml/descent/nn"
	"github.com/descent-ml/descent/tensor"
)

type bnTensor struct {
	Shape []int     `json:"shape"`
	Int   bool      `json:"int"`
	Data  []float64 `json:"data"`
}

func (b bnTensor) tensor() *tensor.Tensor {
	d := make([]float32, len(b.Data))
	for i, v := range b.Data {
		d[i] = float32(v)
	}
	return tensor.FromSlice(d, b.Shape...)
}

// TestUpdateBNTorch replays torch 1.13's update_bn (testdata/update_bn.json, written by
// optim/swa/testdata/gen_swa.py) on a model with BatchNorm1d layers and one with
// BatchNorm2d, both in evaluation mode with momentum 0.3 and running statistics of earlier
// batches: every value of the state after the pass must be torch's to relative 1e-6 (the
// counters exactly), and the momentum and the mode must be restored.
func TestUpdateBNTorch(t *testing.T) {
	const tol = 1e-6
	b, err := os.ReadFile("testdata/update_bn.json")
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Torch string
		Cases []struct {
			Name                   string
			Names                  []string
			Before, Batches, After []bnTensor
		}
	}
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	models := map[string]func() (nn.Module, []*nn.BatchNorm){
		"bn1d": func() (nn.Module, []*nn.BatchNorm) {
			a, c := nn.NewBatchNorm1d(8), nn.NewBatchNorm1d(4)
			return nn.NewSequential(nn.NewLinear(6, 8, rng), a, nn.ReLU{}, nn.NewLinear(8, 4, rng), c), []*nn.BatchNorm{a, c}
		},
		"bn2d": func() (nn.Module, []*nn.BatchNorm) {
			a := nn.NewBatchNorm2d(3)
			return nn.NewSequential(nn.NewConv2d(2, 3, 3, tensor.Conv2dConfig{}, rng), a, nn.ReLU{}, nn.Flatten{}, nn.NewLinear(48, 5, rng)),
				[]*nn.BatchNorm{a}
		},
	}
	if len(f.Cases) != len(models) {
		t.Fatalf("fixture has %d cases, want %d", len(f.Cases), len(models))
	}
	worst := 0.0
	for _, c := range f.Cases {
		m, bns := models[c.Name]()
		before := make([]nn.NamedTensor, len(c.Names))
		for i, n := range c.Names {
			before[i] = nn.NamedTensor{Name: n, Tensor: c.Before[i].tensor(), Int64: c.Before[i].Int}
		}
		if err := nn.LoadStateDict(m, before, true); err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		for _, bn := range bns {
			bn.Momentum = 0.3
		}
		nn.SetTraining(m, false)
		batches := func(yield func(*tensor.Tensor) bool) {
			for _, x := range c.Batches {
				if !yield(x.tensor()) {
					return
				}
			}
		}
		if n := nn.UpdateBN(nil, m, batches); n != len(bns) {
			t.Errorf("%s: UpdateBN found %d BatchNorm layers, want %d", c.Name, n, len(bns))
		}
		for i, e := range nn.StateDict(m) {
			if e.Name != c.Names[i] {
				t.Fatalf("%s: state entry %d is %s, torch's %s", c.Name, i, e.Name, c.Names[i])
			}
			for j, w := range c.After[i].Data {
				got := float64(e.Tensor.Data()[j])
				d := math.Abs(got - w)
				if d > 0 {
					worst = max(worst, d/math.Max(math.Abs(got), math.Abs(w)))
				}
				if d > tol*math.Abs(w) {
					t.Errorf("%s %s[%d]: %v, torch %v", c.Name, e.Name, j, got, w)
				}
			}
		}
		for _, bn := range bns {
			if bn.Momentum != 0.3 || bn.CumulativeAverage {
				t.Errorf("%s: momentum %v, cumulative %v after UpdateBN, want 0.3 and false", c.Name, bn.Momentum, bn.CumulativeAverage)
			}
		}
		// Evaluation mode is back: a forward pass leaves the statistics alone.
		st := slices.Clone(bns[0].RunningMean.Data())
		nn.UpdateBN(nil, nn.NewSequential(), batches) // no BatchNorm: nothing happens
		x := c.Batches[0].tensor()
		tp := autodiff.NewTape()
		m.Forward(tp, tp.Const(x))
		if !slices.Equal(st, bns[0].RunningMean.Data()) || bns[0].NumBatchesTracked.Data()[0] != float32(len(c.Batches)) {
			t.Errorf("%s: the model is not in evaluation mode after UpdateBN", c.Name)
		}
	}
	t.Logf("torch %s: largest relative difference %.3g", f.Torch, worst)
}
