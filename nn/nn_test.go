package nn

import (
	"github.com/descent-ml/descent/internal/race"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/descent-ml/descent/autodiff"
	"github.com/descent-ml/descent/optim"
	"github.com/descent-ml/descent/tensor"
)

func randTensor(rng *rand.Rand, shape ...int) *tensor.Tensor {
	x := tensor.New(shape...)
	for i := range x.Data() {
		x.Data()[i] = float32(rng.NormFloat64())
	}
	return x
}

// lossOf returns the loss of m on (x, y), recorded on t (or evaluated, in inference mode).
func lossOf(t *autodiff.Tape, m Module, x *tensor.Tensor, y []int) *autodiff.Var {
	return NLLLoss{}.Forward(t, m.Forward(t, t.Const(x)), y)
}

// TestLayerGradients checks by central differences the gradient of a loss through every
// layer: with respect to the parameters of a smooth network (Conv2d with stride 2 and
// padding 1, Tanh, Flatten, Linear, Sigmoid, Dropout, LogSoftmax and NLLLoss; MSELoss and
// CrossEntropyLoss), and with respect to the input of the layers with kinks (MaxPool2d,
// ReLU), whose input is drawn with well-separated values away from zero so that no step
// crosses a kink. TestFusedEqualsUnfused covers the fused Linear/Conv2d + ReLU.
func TestLayerGradients(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	net := NewSequential(
		NewConv2d(2, 4, 3, tensor.Conv2dConfig{Stride: 2, Padding: 1}, rng), Tanh{}, Flatten{},
		NewLinear(4*5*5, 6, rng), Sigmoid{},
		NewDropout(0.3, rng),
		NewLinear(6, 3, rng), LogSoftmax{},
	)
	x, y := randTensor(rng, 3, 2, 9, 9), []int{0, 2, 1}
	lin := NewLinear(4, 3, rng)
	xl, target := randTensor(rng, 5, 4), randTensor(rng, 5, 3)
	kinked := NewSequential(MaxPool2d{Kernel: 2}, ReLU{}, Flatten{}, NewLinear(3*3*3, 4, rng), LogSoftmax{})
	xk := tensor.New(2, 3, 6, 7)
	for i, p := range rng.Perm(xk.Len()) {
		v := 0.1 + 0.05*float32(p)
		if p%3 == 0 {
			v = -v
		}
		xk.Data()[i] = v
	}
	xin := autodiff.NewParam(xk)
	for _, tc := range []struct {
		name string
		ps   []*optim.Param
		loss func(t *autodiff.Tape) *autodiff.Var
	}{
		{"network+NLLLoss", Params(net), func(t *autodiff.Tape) *autodiff.Var { return lossOf(t, net, x, y) }},
		{"Linear+MSELoss", Params(lin), func(t *autodiff.Tape) *autodiff.Var {
			return MSELoss{}.Forward(t, lin.Forward(t, t.Const(xl)), t.Const(target))
		}},
		{"Linear+CrossEntropyLoss", Params(lin), func(t *autodiff.Tape) *autodiff.Var {
			return CrossEntropyLoss{}.Forward(t, lin.Forward(t, t.Const(xl)), []int{0, 1, 2, 1, 0})
		}},
		{"MaxPool2d+ReLU input", []*optim.Param{{Name: "x", Value: xk.Data(), Grad: xin.Grad.Data()}},
			func(t *autodiff.Tape) *autodiff.Var { return NLLLoss{}.Forward(t, kinked.Forward(t, xin), []int{1, 3}) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkGradient(t, tc.ps, tc.loss, net, rand.New(rand.NewPCG(3, 3)))
		})
	}
}

// checkGradient compares the gradient of loss with respect to a sample of the elements of
// ps with central differences, re-seeding the Dropout layers of net for each evaluation so
// that all of them draw the same mask.
func checkGradient(t *testing.T, ps []*optim.Param, loss func(t *autodiff.Tape) *autodiff.Var, net *Sequential, rng *rand.Rand) {
	reseed := func() {
		for _, l := range net.Layers {
			if d, ok := l.(*Dropout); ok {
				d.rng = rand.New(rand.NewPCG(42, 42))
			}
		}
	}
	tp := autodiff.NewTape()
	for _, p := range ps {
		clear(p.Grad)
	}
	reseed()
	tp.Backward(loss(tp))
	const h = 1e-2
	eval := func() float64 {
		tp.Reset()
		tp.SetInference(true)
		defer tp.SetInference(false)
		reseed()
		return float64(loss(tp).Item())
	}
	for _, p := range ps {
		scale := 0.0
		for _, g := range p.Grad {
			scale = max(scale, math.Abs(float64(g)))
		}
		for range 12 {
			i := rng.IntN(len(p.Value))
			old := p.Value[i]
			p.Value[i] = old + h
			fp := eval()
			p.Value[i] = old - h
			fm := eval()
			p.Value[i] = old
			num := (fp - fm) / (2 * h)
			if d := math.Abs(num - float64(p.Grad[i])); d > 1e-3*(scale+1e-2) {
				t.Errorf("%s[%d]: backward %v, finite difference %v", p.Name, i, p.Grad[i], num)
			}
		}
	}
}

func TestFusedEqualsUnfused(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	x := randTensor(rng, 4, 3, 6, 6)
	conv, lin := NewConv2d(3, 5, 3, tensor.Conv2dConfig{}, rng), NewLinear(5*4*4, 7, rng)
	fused := NewSequential(conv, ReLU{}, Flatten{}, lin, ReLU{}, LogSoftmax{})
	y := []int{1, 2, 3, 4}
	run := func(f func(t *autodiff.Tape) *autodiff.Var) ([]float32, [][]float32) {
		ZeroGrad(fused)
		tp := autodiff.NewTape()
		l := NLLLoss{}.Forward(tp, f(tp), y)
		tp.Backward(l)
		var g [][]float32
		for _, p := range Params(fused) {
			g = append(g, append([]float32(nil), p.Grad...))
		}
		return []float32{l.Item()}, g
	}
	l1, g1 := run(func(t *autodiff.Tape) *autodiff.Var { return fused.Forward(t, t.Const(x)) })
	l2, g2 := run(func(t *autodiff.Tape) *autodiff.Var {
		h := t.ReLU(conv.Forward(t, t.Const(x)))
		return t.LogSoftmax(t.ReLU(lin.Forward(t, t.Flatten(h))))
	})
	if l1[0] != l2[0] {
		t.Errorf("loss %v fused, %v unfused", l1[0], l2[0])
	}
	for i := range g1 {
		for j := range g1[i] {
			if g1[i][j] != g2[i][j] {
				t.Fatalf("gradient %d element %d: %v fused, %v unfused", i, j, g1[i][j], g2[i][j])
			}
		}
	}
}

func TestParamsAliasAndNames(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	m := NewSequential(NewLinear(3, 4, rng), ReLU{}, NewSequential(NewLinear(4, 2, rng), Tanh{}))
	ps := Params(m)
	names := []string{"0.weight", "0.bias", "2.0.weight", "2.0.bias"}
	for i, p := range ps {
		if p.Name != names[i] {
			t.Errorf("parameter %d named %q, want %q", i, p.Name, names[i])
		}
	}
	ps[1].Value[2] = 42
	ps[1].Grad[2] = 7
	b := m.Layers[0].(*Linear).Bias
	if b.Value.Data()[2] != 42 || b.Grad.Data()[2] != 7 {
		t.Error("optim.Param does not alias the module's storage")
	}
	ZeroGrad(m)
	if b.Grad.Data()[2] != 0 {
		t.Error("ZeroGrad left a gradient")
	}
	// The parameters go to an optimiser as they are, and it updates the module.
	o, err := optim.NewSGD(ps, optim.SGDConfig{LR: 0.5})
	if err != nil {
		t.Fatal(err)
	}
	ps[1].Grad[2] = 2
	if err := o.Step(); err != nil || b.Value.Data()[2] != 41 {
		t.Errorf("SGD step on Params: bias[2] = %v, want 41 (%v)", b.Value.Data()[2], err)
	}
}

func TestDefaultInit(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	l := NewLinear(400, 300, rng)
	c := NewConv2d(8, 16, 3, tensor.Conv2dConfig{}, rng)
	for _, tc := range []struct {
		name  string
		v     []float32
		fanIn int
	}{
		{"linear weight", l.Weight.Value.Data(), 400}, {"linear bias", l.Bias.Value.Data(), 400},
		{"conv weight", c.Weight.Value.Data(), 72}, {"conv bias", c.Bias.Value.Data(), 72},
	} {
		b := 1 / math.Sqrt(float64(tc.fanIn))
		var mean, sq float64
		for _, v := range tc.v {
			if math.Abs(float64(v)) > b {
				t.Fatalf("%s: %v outside ±%v", tc.name, v, b)
			}
			mean += float64(v)
			sq += float64(v) * float64(v)
		}
		n := float64(len(tc.v))
		mean /= n
		// Uniform on ±b: mean 0 and variance b²/3, within a few standard errors.
		if sd := b / math.Sqrt(3*n); math.Abs(mean) > 5*sd {
			t.Errorf("%s: mean %v", tc.name, mean)
		}
		if v := sq/n - mean*mean; n > 1000 && math.Abs(v/(b*b/3)-1) > 0.05 {
			t.Errorf("%s: variance %v, want %v", tc.name, v, b*b/3)
		}
	}
}

func TestDropoutModes(t *testing.T) {
	d := NewDropout(0.25, rand.New(rand.NewPCG(1, 2)))
	tp := autodiff.NewTape()
	x := tensor.New(200, 500)
	tensor.Fill(x, 1)
	out := d.Forward(tp, tp.Const(x)).Value.Data()
	zeros := 0
	for _, v := range out {
		switch v {
		case 0:
			zeros++
		case 1 / 0.75:
		default:
			t.Fatalf("dropout output %v, want 0 or 4/3", v)
		}
	}
	if f := float64(zeros) / float64(len(out)); math.Abs(f-0.25) > 0.005 {
		t.Errorf("dropped fraction %v, want 0.25", f)
	}
	SetTraining(d, false)
	xv := tp.Const(x)
	if d.Forward(tp, xv) != xv {
		t.Error("dropout in evaluation mode is not the identity")
	}
}

func TestTrainingStepAllocatesNothing(t *testing.T) {
	if race.Enabled {
		t.Skip("the race detector allocates")
	}
	rng := rand.New(rand.NewPCG(1, 2))
	m := NewSequential(NewConv2d(1, 4, 3, tensor.Conv2dConfig{Padding: 1}, rng), ReLU{}, MaxPool2d{Kernel: 2},
		Flatten{}, NewDropout(0.5, rng), NewLinear(4*4*4, 16, rng), ReLU{}, NewLinear(16, 10, rng), LogSoftmax{})
	x, y := randTensor(rng, 8, 1, 8, 8), []int{0, 1, 2, 3, 4, 5, 6, 7}
	tp := autodiff.NewTape()
	params := Params(m)
	step := func() {
		tp.Reset()
		loss := lossOf(tp, m, x, y)
		for _, p := range params {
			clear(p.Grad)
		}
		tp.Backward(loss)
		for _, p := range params {
			for i := range p.Value {
				p.Value[i] -= 0.01 * p.Grad[i]
			}
		}
	}
	step()
	if a := testing.AllocsPerRun(20, step); a != 0 {
		t.Errorf("a training step allocates %v times", a)
	}
}
