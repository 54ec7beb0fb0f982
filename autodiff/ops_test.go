package autodiff

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/descent-ml/descent/internal/race"
	"github.com/descent-ml/descent/tensor"
)

// broadcastPairs are the operand shapes of the broadcasting checks, for m rows and n
// columns: a row and a column, a vector and a matrix (both ways), scalars of rank 0 and 1,
// and a rank-3 with a rank-2.
var broadcastPairs = []struct {
	name string
	f    func(m, n int) [][]int
}{
	{"1n+m1", func(m, n int) [][]int { return [][]int{{1, n}, {m, 1}} }},
	{"n+mn", func(m, n int) [][]int { return [][]int{{n}, {m, n}} }},
	{"mn+n", func(m, n int) [][]int { return [][]int{{m, n}, {n}} }},
	{"scalar+mn", func(m, n int) [][]int { return [][]int{{}, {m, n}} }},
	{"mn+1", func(m, n int) [][]int { return [][]int{{m, n}, {1}} }},
	{"21n+m1", func(m, n int) [][]int { return [][]int{{2, 1, n}, {m, 1}} }},
}

func fixed(f func(m, n int) [][]int) func(rng *rand.Rand) [][]int {
	return func(rng *rand.Rand) [][]int { return f(dims(rng, 2, 4), dims(rng, 2, 5)) }
}

func shapes(s ...[]int) func(rng *rand.Rand) [][]int {
	return func(*rand.Rand) [][]int { return s }
}

// positive redraws the inputs as lo + |N(0,1)|.
func positive(lo float64) func(rng *rand.Rand, in []*tensor.Tensor) {
	return func(rng *rand.Rand, in []*tensor.Tensor) {
		for _, x := range in {
			for i := range x.Data() {
				x.Data()[i] = float32(lo + math.Abs(rng.NormFloat64()))
			}
		}
	}
}

// pairAway draws in[0] normal and in[1] = in[0] + d with |d| in [0.05, 2] and at least
// 0.05 from each kink, so that no finite-difference step crosses a kink of a pointwise
// loss of in[0] − in[1].
func pairAway(kinks ...float64) func(rng *rand.Rand, in []*tensor.Tensor) {
	return func(rng *rand.Rand, in []*tensor.Tensor) {
		normal(rng, in[:1])
		for i := range in[1].Data() {
			var u float64
		draw:
			for {
				u = 0.05 + 1.95*rng.Float64()
				for _, k := range kinks {
					if math.Abs(u-k) < 0.05 {
						continue draw
					}
				}
				break
			}
			if rng.IntN(2) == 0 {
				u = -u
			}
			in[1].Data()[i] = in[0].Data()[i] + float32(u)
		}
	}
}

func classWeights(rng *rand.Rand, c int) []float32 {
	w := make([]float32, c)
	for i := range w {
		w[i] = float32(0.2 + 2*rng.Float64())
	}
	return w
}

func binaryOps() []gradCase {
	ops := []struct {
		name string
		f    func(t *Tape, a, b *Var) *Var
		init func(rng *rand.Rand, in []*tensor.Tensor)
		h    float64
	}{
		{"Add", (*Tape).Add, nil, 0}, {"Sub", (*Tape).Sub, nil, 0}, {"Mul", (*Tape).Mul, nil, 0},
		{"Div", (*Tape).Div, func(rng *rand.Rand, in []*tensor.Tensor) {
			normal(rng, in[:1])
			positive(0.5)(rng, in[1:])
		}, 3e-3},
	}
	var cs []gradCase
	for _, op := range ops {
		cs = append(cs, gradCase{name: op.name + "/same", shapes: same(2), init: op.init, h: op.h,
			fn: func(t *Tape, in []*Var, _ *rand.Rand) *Var { return op.f(t, in[0], in[1]) }})
		for _, p := range broadcastPairs {
			cs = append(cs, gradCase{name: op.name + "/" + p.name, shapes: fixed(p.f), init: op.init, h: op.h,
				fn: func(t *Tape, in []*Var, _ *rand.Rand) *Var { return op.f(t, in[0], in[1]) }})
		}
	}
	// An operand broadcast on one side and the same Var on the other.
	cs = append(cs, gradCase{name: "Mul/shared", shapes: shapes([]int{3, 4}), fn: func(t *Tape, in []*Var, _ *rand.Rand) *Var {
		return t.Mul(in[0], t.SumAxis(in[0], 0, true))
	}})
	return cs
}

var opCases = append(binaryOps(), []gradCase{
	{name: "Exp", shapes: same(1), fn: func(t *Tape, in []*Var, _ *rand.Rand) *Var { return t.Exp(in[0]) }},
	{name: "Log", shapes: same(1), init: positive(0.5), fn: func(t *Tape, in []*Var, _ *rand.Rand) *Var { return t.Log(in[0]) }},
	{name: "Sqrt", shapes: same(1), init: positive(0.5), fn: func(t *Tape, in []*Var, _ *rand.Rand) *Var { return t.Sqrt(in[0]) }},
	{name: "Abs", shapes: same(1), init: awayFromZero, fn: func(t *Tape, in []*Var, _ *rand.Rand) *Var { return t.Abs(in[0]) }},
	{name: "Pow2", shapes: same(1), fn: func(t *Tape, in []*Var, _ *rand.Rand) *Var { return t.Pow(in[0], 2) }},
	{name: "Pow3", shapes: same(1), fn: func(t *Tape, in []*Var, _ *rand.Rand) *Var { return t.Pow(in[0], 3) }},
	{name: "Pow0.5", shapes: same(1), init: positive(0.5), fn: func(t *Tape, in []*Var, _ *rand.Rand) *Var { return t.Pow(in[0], 0.5) }},
	{name: "Pow-1.5", shapes: same(1), init: positive(0.5), h: 3e-3, fn: func(t *Tape, in []*Var, _ *rand.Rand) *Var { return t.Pow(in[0], -1.5) }},
	{name: "Pow0", shapes: same(1), fn: func(t *Tape, in []*Var, _ *rand.Rand) *Var { return t.Pow(in[0], 0) }},
	{name: "GELU", shapes: same(1), fn: func(t *Tape, in []*Var, _ *rand.Rand) *Var { return t.GELU(in[0]) }},
	{name: "GELUTanh", shapes: same(1), fn: func(t *Tape, in []*Var, _ *rand.Rand) *Var { return t.GELUTanh(in[0]) }},
	{name: "SiLU", shapes: same(1), fn: func(t *Tape, in []*Var, _ *rand.Rand) *Var { return t.SiLU(in[0]) }},
	{name: "SumAxis1", shapes: shapes([]int{2, 3, 4}), fn: func(t *Tape, in []*Var, _ *rand.Rand) *Var { return t.SumAxis(in[0], 1, false) }},
	{name: "SumAxisLastKeep", shapes: shapes([]int{2, 3, 4}), fn: func(t *Tape, in []*Var, _ *rand.Rand) *Var { return t.SumAxis(in[0], -1, true) }},
	{name: "MeanAxis0", shapes: shapes([]int{3, 4}), fn: func(t *Tape, in []*Var, _ *rand.Rand) *Var { return t.MeanAxis(in[0], 0, false) }},
	{name: "MeanAxisVector", shapes: shapes([]int{5}), fn: func(t *Tape, in []*Var, _ *rand.Rand) *Var { return t.MeanAxis(in[0], 0, false) }},
	{name: "Softmax", shapes: same(1), fn: func(t *Tape, in []*Var, _ *rand.Rand) *Var { return t.Softmax(in[0], -1) }},
	{name: "SoftmaxAxis1", shapes: shapes([]int{2, 3, 4}), fn: func(t *Tape, in []*Var, _ *rand.Rand) *Var { return t.Softmax(in[0], 1) }},
	{name: "LogSoftmaxAxis0", shapes: shapes([]int{3, 4}), fn: func(t *Tape, in []*Var, _ *rand.Rand) *Var { return t.LogSoftmaxAxis(in[0], 0) }},
	{name: "Concat3", shapes: shapes([]int{2, 1, 3}, []int{2, 2, 3}, []int{2, 3, 3}), fn: func(t *Tape, in []*Var, _ *rand.Rand) *Var {
		return t.Concat(1, in[0], in[1], in[2])
	}},
	{name: "Concat4", shapes: shapes([]int{1, 3}, []int{2, 3}, []int{1, 3}, []int{3, 3}), fn: func(t *Tape, in []*Var, _ *rand.Rand) *Var {
		return t.Concat(0, in[0], in[1], in[2], in[3])
	}},
	{name: "ConcatShared", shapes: shapes([]int{2, 3}), fn: func(t *Tape, in []*Var, _ *rand.Rand) *Var {
		return t.Concat(-1, in[0], t.Tanh(in[0]), in[0])
	}},
	{name: "Narrow", shapes: shapes([]int{3, 5}), fn: func(t *Tape, in []*Var, _ *rand.Rand) *Var { return t.Narrow(in[0], -1, 1, 3) }},
	{name: "Permute", shapes: shapes([]int{2, 3, 4}), fn: func(t *Tape, in []*Var, _ *rand.Rand) *Var { return t.Permute(in[0], 2, 0, 1) }},
	{name: "Transpose", shapes: shapes([]int{3, 4}), fn: func(t *Tape, in []*Var, _ *rand.Rand) *Var { return t.Transpose(in[0], 0, 1) }},
	{name: "Transpose4D", shapes: shapes([]int{2, 3, 2, 4}), fn: func(t *Tape, in []*Var, _ *rand.Rand) *Var { return t.Transpose(in[0], 1, -1) }},
	{name: "IndexSelect", shapes: shapes([]int{2, 4, 3}), fn: func(t *Tape, in []*Var, _ *rand.Rand) *Var {
		return t.IndexSelect(in[0], 1, []int{3, 0, 3})
	}},
	{name: "Embedding", shapes: shapes([]int{4, 3}), fn: func(t *Tape, in []*Var, _ *rand.Rand) *Var {
		return t.Embedding(in[0], []int{1, 0, 1, 3, 3, 3}, 2, 3)
	}},
	{name: "LayerNorm", shapes: shapes([]int{3, 5}, []int{5}, []int{5}), fn: func(t *Tape, in []*Var, _ *rand.Rand) *Var {
		return t.LayerNorm(in[0], in[1], in[2], 1, 1e-5)
	}},
	{name: "LayerNorm2D", shapes: shapes([]int{2, 3, 4}, []int{3, 4}, []int{3, 4}), fn: func(t *Tape, in []*Var, _ *rand.Rand) *Var {
		return t.LayerNorm(in[0], in[1], in[2], 2, 1e-5)
	}},
	{name: "LayerNormNoAffine", shapes: shapes([]int{4, 6}), fn: func(t *Tape, in []*Var, _ *rand.Rand) *Var {
		return t.LayerNorm(in[0], nil, nil, 1, 1e-5)
	}},
	{name: "BatchNorm1d", shapes: shapes([]int{5, 3}, []int{3}, []int{3}), fn: func(t *Tape, in []*Var, _ *rand.Rand) *Var {
		return t.BatchNorm(in[0], in[1], in[2], nil, nil, tensor.BatchNormConfig{Training: true, Momentum: 0.1, Eps: 1e-5})
	}},
	{name: "BatchNorm2d", shapes: shapes([]int{2, 3, 2, 3}, []int{3}, []int{3}), fn: func(t *Tape, in []*Var, _ *rand.Rand) *Var {
		return t.BatchNorm(in[0], in[1], in[2], nil, nil, tensor.BatchNormConfig{Training: true, Momentum: 0.1, Eps: 1e-5})
	}},
	{name: "BatchNormEval", shapes: shapes([]int{4, 3, 2}, []int{3}, []int{3}), fn: func(t *Tape, in []*Var, _ *rand.Rand) *Var {
		rm, rv := tensor.FromSlice([]float32{0.1, -0.2, 0.3}, 3), tensor.FromSlice([]float32{0.5, 1.5, 2}, 3)
		return t.BatchNorm(in[0], in[1], in[2], rm, rv, tensor.BatchNormConfig{Momentum: 0.1, Eps: 1e-5})
	}},
	{name: "BatchNormNoAffine", shapes: shapes([]int{6, 2}), fn: func(t *Tape, in []*Var, _ *rand.Rand) *Var {
		return t.BatchNorm(in[0], nil, nil, nil, nil, tensor.BatchNormConfig{Training: true, Eps: 1e-5})
	}},
	{name: "NLLWeighted", shapes: same(1), fn: func(t *Tape, in []*Var, rng *rand.Rand) *Var {
		n, c := in[0].Value.Dim(0), in[0].Value.Dim(1)
		return t.NLL(t.LogSoftmax(in[0]), labels(rng, n, c), tensor.NLLConfig{Weight: classWeights(rng, c)})
	}},
	{name: "NLLSum", shapes: same(1), fn: func(t *Tape, in []*Var, rng *rand.Rand) *Var {
		n, c := in[0].Value.Dim(0), in[0].Value.Dim(1)
		return t.NLL(t.LogSoftmax(in[0]), labels(rng, n, c), tensor.NLLConfig{Reduction: tensor.ReduceSum})
	}},
	{name: "CrossEntropySmoothed", shapes: same(1), fn: func(t *Tape, in []*Var, rng *rand.Rand) *Var {
		n, c := in[0].Value.Dim(0), in[0].Value.Dim(1)
		return t.CrossEntropy(in[0], labels(rng, n, c), tensor.CrossEntropyConfig{LabelSmoothing: 0.2})
	}},
	{name: "CrossEntropyWeightedSmoothed", shapes: same(1), fn: func(t *Tape, in []*Var, rng *rand.Rand) *Var {
		n, c := in[0].Value.Dim(0), in[0].Value.Dim(1)
		return t.CrossEntropy(in[0], labels(rng, n, c), tensor.CrossEntropyConfig{Weight: classWeights(rng, c), LabelSmoothing: 0.15})
	}},
	{name: "CrossEntropyWeightedSum", shapes: same(1), fn: func(t *Tape, in []*Var, rng *rand.Rand) *Var {
		n, c := in[0].Value.Dim(0), in[0].Value.Dim(1)
		return t.CrossEntropy(in[0], labels(rng, n, c), tensor.CrossEntropyConfig{Weight: classWeights(rng, c), Reduction: tensor.ReduceSum})
	}},
	{name: "MSELossSum", shapes: same(2), fn: func(t *Tape, in []*Var, _ *rand.Rand) *Var { return t.MSELoss(in[0], in[1], tensor.ReduceSum) }},
	{name: "L1Loss", shapes: same(2), init: pairAway(), fn: func(t *Tape, in []*Var, _ *rand.Rand) *Var { return t.L1Loss(in[0], in[1], tensor.ReduceMean) }},
	{name: "SmoothL1Loss", shapes: same(2), init: pairAway(0.5), fn: func(t *Tape, in []*Var, _ *rand.Rand) *Var {
		return t.SmoothL1Loss(in[0], in[1], 0.5, tensor.ReduceMean)
	}},
	{name: "HuberLoss", shapes: same(2), init: pairAway(0.7), fn: func(t *Tape, in []*Var, _ *rand.Rand) *Var {
		return t.HuberLoss(in[0], in[1], 0.7, tensor.ReduceSum)
	}},
	{name: "BCEWithLogits", shapes: same(2), init: func(rng *rand.Rand, in []*tensor.Tensor) {
		normal(rng, in[:1])
		for i := range in[1].Data() {
			in[1].Data()[i] = float32(rng.Float64())
		}
	}, fn: func(t *Tape, in []*Var, _ *rand.Rand) *Var {
		return t.BCEWithLogitsLoss(in[0], in[1], nil, tensor.ReduceMean)
	}},
	{name: "BCEWithLogitsPosWeight", shapes: same(2), init: func(rng *rand.Rand, in []*tensor.Tensor) {
		normal(rng, in[:1])
		for i := range in[1].Data() {
			in[1].Data()[i] = float32(rng.IntN(2))
		}
	}, fn: func(t *Tape, in []*Var, rng *rand.Rand) *Var {
		return t.BCEWithLogitsLoss(in[0], in[1], classWeights(rng, in[0].Value.Dim(1)), tensor.ReduceSum)
	}},
	{name: "Custom", shapes: func(rng *rand.Rand) [][]int {
		n := dims(rng, 1, 6)
		return [][]int{{n}, {n}}
	}, fn: func(t *Tape, in []*Var, _ *rand.Rand) *Var { return t.Custom(&sinMul{}, in[0], t.Exp(in[1])) }},
}...)

// sinMul is a custom operation sin(a)·b of two vectors, for the tests.
type sinMul struct {
	wrongBackward bool
}

func (*sinMul) Shape(in []*tensor.Tensor) []int { return in[0].Shape() }

func (*sinMul) Forward(out *tensor.Tensor, in []*tensor.Tensor) {
	a, b := in[0].Data(), in[1].Data()
	for i := range out.Data() {
		out.Data()[i] = float32(math.Sin(float64(a[i]))) * b[i]
	}
}

func (s *sinMul) Backward(grad []*tensor.Tensor, dout, _ *tensor.Tensor, in []*tensor.Tensor) {
	a, b, g := in[0].Data(), in[1].Data(), dout.Data()
	if da := grad[0]; da != nil {
		for i := range g {
			c := float32(math.Cos(float64(a[i])))
			if s.wrongBackward {
				c = float32(math.Sin(float64(a[i])))
			}
			da.Data()[i] += g[i] * c * b[i]
		}
	}
	if db := grad[1]; db != nil {
		for i := range g {
			db.Data()[i] += g[i] * float32(math.Sin(float64(a[i])))
		}
	}
}

// TestCheckGradFails checks that CheckGrad reports an operation whose backward pass is
// wrong, naming the input.
func TestCheckGradFails(t *testing.T) {
	x, y := tensor.FromSlice([]float32{0.3, -1.2, 2}, 3), tensor.FromSlice([]float32{1, 0.5, -2}, 3)
	err := CheckGrad(func(t *Tape, in []*Var) *Var { return t.Custom(&sinMul{wrongBackward: true}, in[0], in[1]) },
		[]*tensor.Tensor{x, y}, GradCheckConfig{})
	var ge *GradError
	if !errors.As(err, &ge) || ge.Input != 0 {
		t.Fatalf("a wrong backward pass gives %v", err)
	}
	if x.Data()[0] != 0.3 || x.Data()[2] != 2 {
		t.Error("CheckGrad did not restore its inputs")
	}
	if err := CheckGrad(func(t *Tape, in []*Var) *Var { return t.Custom(&sinMul{}, in[0], in[1]) },
		[]*tensor.Tensor{x, y}, GradCheckConfig{}); err != nil {
		t.Errorf("the right backward pass: %v", err)
	}
}

// TestBatchNormRunningStats checks the running statistics after two training batches
// against their definition: momentum 0.1 and the unbiased variance.
func TestBatchNormRunningStats(t *testing.T) {
	rm, rv := tensor.New(2), tensor.FromSlice([]float32{1, 1}, 2)
	x1 := tensor.FromSlice([]float32{1, 10, 2, 20, 4, 40}, 3, 2)
	x2 := tensor.FromSlice([]float32{0, 0, 3, -3}, 2, 2)
	tp := NewTape()
	cfg := tensor.BatchNormConfig{Training: true, Momentum: 0.1, Eps: 1e-5}
	tp.BatchNorm(tp.Const(x1), nil, nil, rm, rv, cfg)
	tp.BatchNorm(tp.Const(x2), nil, nil, rm, rv, cfg)
	// Channel 0: batch 1 mean 7/3, unbiased variance 7/3; batch 2 mean 1.5, variance 4.5.
	m0 := 0.9*(0.1*7.0/3) + 0.1*1.5
	v0 := 0.9*(0.9+0.1*7.0/3) + 0.1*4.5
	m1 := 0.9*(0.1*70.0/3) + 0.1*-1.5
	v1 := 0.9*(0.9+0.1*700.0/3) + 0.1*4.5
	for i, c := range []struct{ got, want float64 }{
		{float64(rm.Data()[0]), m0}, {float64(rv.Data()[0]), v0}, {float64(rm.Data()[1]), m1}, {float64(rv.Data()[1]), v1},
	} {
		if math.Abs(c.got-c.want) > 1e-6*(1+math.Abs(c.want)) {
			t.Errorf("statistic %d: %v, want %v", i, c.got, c.want)
		}
	}
}

// TestNewOpsAllocateNothing runs a training step through every operation added for user
// models (broadcasting, the elementwise functions, the reductions along an axis, the
// shape operations, the normalisations, the losses and a custom operation): once warm, a
// step allocates nothing.
func TestNewOpsAllocateNothing(t *testing.T) {
	if race.Enabled {
		t.Skip("the race detector allocates")
	}
	rng := rand.New(rand.NewPCG(5, 6))
	rnd := func(shape ...int) *tensor.Tensor {
		x := tensor.New(shape...)
		normal(rng, []*tensor.Tensor{x})
		return x
	}
	w1, b1 := NewParam(rnd(8, 4)), NewParam(rnd(8))
	lw, lb := NewParam(rnd(8)), NewParam(rnd(8))
	bw, bb := NewParam(rnd(8)), NewParam(rnd(8))
	emb, scale := NewParam(rnd(5, 8)), NewParam(rnd(1, 8))
	ps := []*Var{w1, b1, lw, lb, bw, bb, emb, scale}
	rm, rv := tensor.New(8), tensor.New(8)
	tensor.Fill(rv, 1)
	x, yReg, yBin := rnd(6, 4), rnd(6, 8), tensor.New(6, 8)
	cls := []int{0, 1, 2, 3, 4, 5}
	ids := []int{0, 4, 2, 2, 1, 3}
	weights := []float32{1, 2, 0.5, 1, 1, 3, 1, 1}
	op := &sinMul{}
	one := NewConst(tensor.FromSlice([]float32{1}, 1))
	tp := NewTape()
	step := func() {
		tp.Reset()
		for _, p := range ps {
			p.ZeroGrad()
		}
		h := tp.Linear(tp.Const(x), w1, b1, tensor.ActNone)
		h = tp.GELU(tp.LayerNorm(h, lw, lb, 1, 1e-5))
		h = tp.SiLU(tp.BatchNorm(h, bw, bb, rm, rv, tensor.BatchNormConfig{Training: true, Momentum: 0.1, Eps: 1e-5}))
		h = tp.Add(tp.Mul(h, scale), tp.Embedding(emb, ids))
		h = tp.Div(h, tp.Add(tp.Exp(tp.Abs(scale)), one))
		h = tp.Custom(op, tp.Tanh(h), tp.Sqrt(tp.Pow(tp.Sigmoid(h), 2)))
		c := tp.Concat(1, h, tp.Narrow(h, 1, 2, 3))
		c = tp.Transpose(tp.Permute(tp.Reshape(c, 6, 11, 1), 2, 0, 1), 0, 1)
		c = tp.IndexSelect(tp.Reshape(c, 6, 11), 1, cls)
		loss := tp.CrossEntropy(c, cls, tensor.CrossEntropyConfig{Weight: weights[:6], LabelSmoothing: 0.1})
		loss = tp.Add(loss, tp.MSELoss(h, tp.Const(yReg), tensor.ReduceMean))
		loss = tp.Add(loss, tp.BCEWithLogitsLoss(h, tp.Const(yBin), weights, tensor.ReduceSum))
		loss = tp.Add(loss, tp.HuberLoss(h, tp.Const(yReg), 0.5, tensor.ReduceMean))
		loss = tp.Add(loss, tp.Mean(tp.MeanAxis(tp.Softmax(h, 0), 1, false)))
		loss = tp.Add(loss, tp.Sum(tp.SumAxis(tp.LogSoftmaxAxis(h, -1), 0, true)))
		loss = tp.Sub(loss, tp.Log(tp.Sum(tp.Exp(h))))
		tp.Backward(loss)
	}
	step()
	if a := testing.AllocsPerRun(20, step); a != 0 {
		t.Errorf("a training step allocates %v times", a)
	}
}
