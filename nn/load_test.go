package nn

import (
	"errors"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/descent-ml/descent/tensor"
)

// bnNet is a small network with parameters and buffers: Linear(3, 4), BatchNorm1d(4), ReLU,
// Linear(4, 2).
func bnNet(seed uint64) *Sequential {
	rng := rand.New(rand.NewPCG(seed, 9))
	return NewSequential(NewLinear(3, 4, rng), NewBatchNorm1d(4), ReLU{}, NewLinear(4, 2, rng))
}

// cloneState copies the state of m, as a file's tensors would be.
func cloneState(m Module) []NamedTensor {
	var ts []NamedTensor
	for _, e := range StateDict(m) {
		ts = append(ts, NamedTensor{Name: e.Name, Tensor: e.Tensor.Clone(), Int64: e.Int64})
	}
	return ts
}

// stateValues returns every value of m's state.
func stateValues(m Module) []float32 {
	var v []float32
	for _, e := range StateDict(m) {
		v = append(v, e.Tensor.Data()...)
	}
	return v
}

func TestLoadStateDict(t *testing.T) {
	src, dst := bnNet(1), bnNet(2)
	src.Layers[1].(*BatchNorm).RunningMean.Data()[2] = 0.25
	src.Layers[1].(*BatchNorm).NumBatchesTracked.Data()[0] = 7
	ts := cloneState(src)
	slices.Reverse(ts) // by name, not by position
	if err := LoadStateDict(dst, ts, true); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(stateValues(dst), stateValues(src)) {
		t.Fatal("the state differs after loading")
	}
	// The file's tensors are copied, not taken: changing them afterwards leaves the model.
	ts[0].Tensor.Data()[0] = 99
	if slices.Contains(stateValues(dst), 99) {
		t.Fatal("the model aliases the file's tensors")
	}
	// Non-strict loading ignores names the model lacks.
	extra := append(cloneState(src), NamedTensor{Name: "head.weight", Tensor: tensor.New(2)})
	if err := LoadStateDict(bnNet(3), extra, false); err != nil {
		t.Fatalf("non-strict with an extra tensor: %v", err)
	}
}

// TestLoadStateDictErrors: each mismatch is refused with the tensor and the reason, and the
// model is left as it was.
func TestLoadStateDictErrors(t *testing.T) {
	good := cloneState(bnNet(1))
	with := func(change func([]NamedTensor) []NamedTensor) []NamedTensor {
		ts := cloneState(bnNet(1))
		return change(ts)
	}
	rng := rand.New(rand.NewPCG(5, 5))
	wider := cloneState(NewSequential(NewLinear(3, 8, rng), NewBatchNorm1d(8), ReLU{}, NewLinear(8, 2, rng)))
	otherNames := cloneState(&block{NewLinear(3, 4, rng), NewBatchNorm1d(4), NewLayerNorm(4)})
	for _, c := range []struct {
		name   string
		ts     []NamedTensor
		strict bool
		tensor string
		msg    string
	}{
		{"another architecture", wider, true, "0.weight", "shape [8 3] in the file, [4 3] in the model"},
		{"other names", otherNames, false, "0.weight",
			`the model's [4 3] is not in the file, which holds 7 tensors ("fc.weight", "fc.bias", "norm.weight", "norm.bias", …)`},
		{"missing buffer", with(func(ts []NamedTensor) []NamedTensor { return slices.Delete(ts, 4, 5) }), false,
			"1.running_mean", "the model's [4] is not in the file, which holds 8 tensors"},
		{"extra, strict", append(slices.Clone(good), NamedTensor{Name: "2.weight", Tensor: tensor.New(1)}), true,
			"2.weight", "in the file (shape [1]), not in the model, whose state holds 9 tensors (\"0.weight\", \"0.bias\", \"1.weight\", \"1.bias\", …)"},
		{"twice", append(slices.Clone(good), good[3]), false, "1.bias", "appears twice in the file"},
		{"fraction in num_batches_tracked", with(func(ts []NamedTensor) []NamedTensor {
			ts[6].Tensor.Data()[0] = 2.5
			return ts
		}), true, "1.num_batches_tracked", "element 0 is 2.5, the model keeps integers"},
		{"scalar as [1]", with(func(ts []NamedTensor) []NamedTensor {
			ts[6].Tensor = tensor.New(1)
			return ts
		}), true, "1.num_batches_tracked", "shape [1] in the file, [] in the model"},
	} {
		m := bnNet(2)
		before := stateValues(m)
		err := LoadStateDict(m, c.ts, c.strict)
		we, ok := errors.AsType[*WeightsError](err)
		if !ok || we.Tensor != c.tensor || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%s: %v; want tensor %q, %q", c.name, err, c.tensor, c.msg)
		}
		if !slices.Equal(stateValues(m), before) {
			t.Errorf("%s: a refused load changed the model", c.name)
		}
	}
}
