package autodiff

import (
	"github.com/descent-ml/descent/internal/race"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/descent-ml/descent/tensor"
)

// smallNet returns parameters of a 3-4-2 network and a function computing its loss on a
// fixed batch.
func smallNet() (params []*Var, loss func(t *Tape) *Var) {
	rng := rand.New(rand.NewPCG(3, 4))
	rnd := func(shape ...int) *tensor.Tensor {
		x := tensor.New(shape...)
		normal(rng, []*tensor.Tensor{x})
		return x
	}
	w1, b1, w2 := NewParam(rnd(4, 3)), NewParam(rnd(4)), NewParam(rnd(2, 4))
	x, y := rnd(5, 3), []int{0, 1, 1, 0, 1}
	return []*Var{w1, b1, w2}, func(t *Tape) *Var {
		h := t.Linear(t.Const(x), w1, b1, tensor.ActReLU)
		return t.NLLLoss(t.LogSoftmax(t.Linear(h, w2, nil, tensor.ActNone)), y)
	}
}

func grads(ps []*Var) [][]float32 {
	var g [][]float32
	for _, p := range ps {
		g = append(g, append([]float32(nil), p.Grad.Data()...))
	}
	return g
}

func TestGradientsAccumulateUntilZeroed(t *testing.T) {
	ps, loss := smallNet()
	tp := NewTape()
	tp.Backward(loss(tp))
	once := grads(ps)
	// A second graph on the same tape, without Reset, and a third after Reset.
	tp.Backward(loss(tp))
	tp.Reset()
	tp.Backward(loss(tp))
	for i, g := range grads(ps) {
		for j := range g {
			if d := g[j] - 3*once[i][j]; d > 1e-5 || d < -1e-5 {
				t.Fatalf("param %d element %d: %v after three passes, want 3×%v", i, j, g[j], once[i][j])
			}
		}
	}
	for _, p := range ps {
		p.ZeroGrad()
	}
	tp.Reset()
	tp.Backward(loss(tp))
	for i, g := range grads(ps) {
		for j := range g {
			if g[j] != once[i][j] {
				t.Fatalf("after ZeroGrad, param %d element %d: %v, want %v", i, j, g[j], once[i][j])
			}
		}
	}
}

func TestInferenceRecordsNothing(t *testing.T) {
	ps, loss := smallNet()
	tp := NewTape()
	tp.SetInference(true)
	l := loss(tp)
	if l.RequiresGrad() || len(tp.nodes) != 0 {
		t.Fatalf("inference: RequiresGrad %v, %d nodes recorded", l.RequiresGrad(), len(tp.nodes))
	}
	tp.SetInference(false)
	tp.Reset()
	l2 := loss(tp)
	if l.Item() != l2.Item() {
		t.Errorf("inference loss %v, training loss %v", l.Item(), l2.Item())
	}
	_ = ps
}

func mustPanic(t *testing.T, want string, f func()) {
	t.Helper()
	defer func() {
		r := recover()
		if r == nil {
			t.Fatalf("no panic, want %q", want)
		}
		if s, _ := r.(string); !strings.Contains(s, want) {
			t.Fatalf("panic %v, want %q", r, want)
		}
	}()
	f()
}

func TestBackwardMisuse(t *testing.T) {
	_, loss := smallNet()
	tp := NewTape()
	l := loss(tp)
	tp.Backward(l)
	mustPanic(t, "already gone through", func() { tp.Backward(l) })

	tp.Reset()
	c := tp.Const(tensor.New(1))
	mustPanic(t, "does not require grad", func() { tp.Backward(tp.Scale(c, 2)) })
	mustPanic(t, "single element", func() { tp.Backward(tp.Const(tensor.New(2))) })
	other := NewTape()
	mustPanic(t, "two tapes", func() {
		p := NewParam(tensor.New(2))
		tp.Add(tp.Scale(p, 1), other.Scale(p, 1))
	})
}

func TestNoGradientForConstants(t *testing.T) {
	tp := NewTape()
	x := tp.Const(tensor.New(2, 3))
	w := NewParam(tensor.New(4, 3))
	out := tp.Linear(x, w, nil, tensor.ActNone)
	tp.Backward(tp.Sum(out))
	if x.Grad.Len() != 0 {
		t.Errorf("a constant got a gradient of %d elements", x.Grad.Len())
	}
}

func TestTrainingStepAllocatesNothing(t *testing.T) {
	if race.Enabled {
		t.Skip("the race detector allocates")
	}
	ps, loss := smallNet()
	tp := NewTape()
	step := func() {
		tp.Reset()
		for _, p := range ps {
			p.ZeroGrad()
		}
		tp.Backward(loss(tp))
	}
	step()
	if a := testing.AllocsPerRun(50, step); a != 0 {
		t.Errorf("a training step allocates %v times", a)
	}
}

func TestTapeReusesBuffers(t *testing.T) {
	_, loss := smallNet()
	tp := NewTape()
	tp.Backward(loss(tp))
	held := tp.BufferBytes()
	if held == 0 {
		t.Fatal("a tape that computed something holds no buffers")
	}
	for range 3 {
		tp.Reset()
		tp.Backward(loss(tp))
	}
	if tp.BufferBytes() != held {
		t.Errorf("buffers grew from %d to %d bytes over identical iterations", held, tp.BufferBytes())
	}
	tp.Release()
	if tp.BufferBytes() != 0 {
		t.Errorf("Release kept %d bytes", tp.BufferBytes())
	}
	tp.Backward(loss(tp)) // still usable
}
