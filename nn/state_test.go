package nn

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/descent-ml/descent/autodiff"
	"github.com/descent-ml/descent/internal/race"
	"github.com/descent-ml/descent/tensor"
)

// block is a module of one's own holding a Linear, a BatchNorm without affine transform
// (buffers only) and a LayerNorm, listing its parameters and buffers with prefixes.
type block struct {
	fc   *Linear
	bn   *BatchNorm
	norm *LayerNorm
}

func (b *block) Forward(t *autodiff.Tape, x *autodiff.Var) *autodiff.Var {
	return b.norm.Forward(t, b.bn.Forward(t, b.fc.Forward(t, x)))
}

func (b *block) Parameters() []Parameter {
	return append(prefixed("fc", b.fc.Parameters()), prefixed("norm", b.norm.Parameters())...)
}

func (b *block) Buffers() []NamedTensor { return prefixedState("bn", b.bn.Buffers()) }

func names(ts []NamedTensor) []string {
	var s []string
	for _, t := range ts {
		s = append(s, t.Name)
	}
	return s
}

func TestStateDictOrder(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	bn := NewBatchNorm1d(4)
	bn.Weight, bn.Bias = nil, nil
	b := &block{NewLinear(3, 4, rng), bn, NewLayerNorm(4)}
	// A module of another type: its entries by module, buffer-only modules last.
	want := []string{"fc.weight", "fc.bias", "norm.weight", "norm.bias", "bn.running_mean", "bn.running_var", "bn.num_batches_tracked"}
	if got := names(StateDict(b)); !slices.Equal(got, want) {
		t.Errorf("custom module: %v, want %v", got, want)
	}
	// A Sequential lists each layer's parameters then its buffers, layer by layer, as
	// PyTorch; a nested module's names get the index.
	s := NewSequential(NewLinear(2, 3, rng), NewBatchNorm1d(3), ReLU{}, NewSequential(NewBatchNorm1d(3), NewLinear(3, 3, rng)), b)
	want = []string{"0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean", "1.running_var", "1.num_batches_tracked",
		"3.0.weight", "3.0.bias", "3.0.running_mean", "3.0.running_var", "3.0.num_batches_tracked", "3.1.weight", "3.1.bias",
		"4.fc.weight", "4.fc.bias", "4.norm.weight", "4.norm.bias", "4.bn.running_mean", "4.bn.running_var", "4.bn.num_batches_tracked"}
	if got := names(StateDict(s)); !slices.Equal(got, want) {
		t.Errorf("Sequential: %v, want %v", got, want)
	}
	// The entries alias the module's storage.
	st := StateDict(s)
	st[0].Tensor.Data()[0] = 42
	st[4].Tensor.Data()[1] = 7
	if s.Layers[0].(*Linear).Weight.Value.Data()[0] != 42 || s.Layers[1].(*BatchNorm).RunningMean.Data()[1] != 7 {
		t.Error("the state dict does not alias the module")
	}
	if got := len(Buffers(s)); got != 9 {
		t.Errorf("%d buffers, want 9", got)
	}
}

// TestNormLayerModes checks BatchNorm's count and modes and LayerNorm's shape check.
func TestNormLayerModes(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 2))
	bn := NewBatchNorm2d(3)
	x := randTensor(rng, 4, 3, 2, 2)
	tp := autodiff.NewTape()
	bn.Forward(tp, tp.Const(x))
	bn.Forward(tp, tp.Const(x))
	if n := bn.NumBatchesTracked.Data()[0]; n != 2 {
		t.Errorf("num_batches_tracked %v after two batches", n)
	}
	rm := bn.RunningMean.Clone()
	SetTraining(bn, false)
	y := bn.Forward(tp, tp.Const(x))
	if n := bn.NumBatchesTracked.Data()[0]; n != 2 || !slices.Equal(rm.Data(), bn.RunningMean.Data()) {
		t.Error("evaluation changed the running statistics")
	}
	// In evaluation, y = (x − running mean)/√(running var + eps).
	for i, v := range x.Data() {
		c := (i / 4) % 3
		want := (float64(v) - float64(bn.RunningMean.Data()[c])) / math.Sqrt(float64(bn.RunningVar.Data()[c])+1e-5)
		if d := float64(y.Value.Data()[i]) - want; d > 1e-5 || d < -1e-5 {
			t.Fatalf("element %d: %v, want %v", i, y.Value.Data()[i], want)
		}
	}
	mustPanicNN(t, "BatchNorm2d(3) on input of shape [4 3]", func() { bn.Forward(tp, tp.Const(tensor.New(4, 3))) })
	mustPanicNN(t, "LayerNorm([2 3]) on input of shape [4 3 2]", func() { NewLayerNorm(2, 3).Forward(tp, tp.Const(tensor.New(4, 3, 2))) })
	mustPanicNN(t, "input 1 is 2.5, not an index", func() {
		NewEmbedding(4, 2, rng).Forward(tp, tp.Const(tensor.FromSlice([]float32{1, 2.5}, 2)))
	})
	mustPanicNN(t, "MSELoss of input [4 1] and target [4]", func() {
		MSELoss{}.Forward(tp, tp.Const(tensor.New(4, 1)), tp.Const(tensor.New(4)))
	})
}

func mustPanicNN(t *testing.T, want string, f func()) {
	t.Helper()
	defer func() {
		s, _ := recover().(string)
		if !strings.Contains(s, want) {
			t.Errorf("panic %q, want %q", s, want)
		}
	}()
	f()
}

// TestNewLayersGradients checks the layers and losses by finite differences through
// autodiff.CheckGrad, with respect to their input.
func TestNewLayersGradients(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	ln := NewLayerNorm(3, 4)
	bn := NewBatchNorm1d(5)
	for _, p := range append(ln.Parameters(), bn.Parameters()...) {
		for i := range p.Var.Value.Data() {
			p.Var.Value.Data()[i] += float32(0.3 * rng.NormFloat64())
		}
	}
	y := []int{1, 0, 4, 2}
	for _, c := range []struct {
		name string
		f    func(t *autodiff.Tape, x []*autodiff.Var) *autodiff.Var
		in   *tensor.Tensor
	}{
		{"LayerNorm+GELU", func(t *autodiff.Tape, x []*autodiff.Var) *autodiff.Var {
			return GELU{}.Forward(t, ln.Forward(t, x[0]))
		}, randTensor(rng, 2, 3, 4)},
		{"BatchNorm1d+SiLU+CrossEntropy", func(t *autodiff.Tape, x []*autodiff.Var) *autodiff.Var {
			bn.RunningMean, bn.RunningVar = tensor.New(5), tensor.New(5) // fresh, so every call is the same
			return CrossEntropyLoss{LabelSmoothing: 0.1}.Forward(t, SiLU{}.Forward(t, bn.Forward(t, x[0])), y)
		}, randTensor(rng, 4, 5)},
	} {
		if err := autodiff.CheckGrad(c.f, []*tensor.Tensor{c.in}, autodiff.GradCheckConfig{Seed: 1}); err != nil {
			t.Errorf("%s: %v", c.name, err)
		}
	}
}

// TestMLPStepAllocatesNothing trains an MLP with BatchNorm, LayerNorm, GELU and an MSE
// loss: once warm, a step allocates nothing.
func TestMLPStepAllocatesNothing(t *testing.T) {
	if race.Enabled {
		t.Skip("the race detector allocates")
	}
	rng := rand.New(rand.NewPCG(4, 4))
	m := NewSequential(NewLinear(10, 16, rng), NewLayerNorm(16), GELU{}, NewLinear(16, 16, rng), NewBatchNorm1d(16), ReLU{},
		NewLinear(16, 2, rng))
	x, y := randTensor(rng, 8, 10), randTensor(rng, 8, 2)
	ps := m.Parameters()
	tp := autodiff.NewTape()
	step := func() {
		tp.Reset()
		for _, p := range ps {
			p.Var.ZeroGrad()
		}
		tp.Backward(MSELoss{}.Forward(tp, m.Forward(tp, tp.Const(x)), tp.Const(y)))
	}
	step()
	if a := testing.AllocsPerRun(20, step); a != 0 {
		t.Errorf("a training step allocates %v times", a)
	}
}
