package autodiff

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/descent-ml/descent/tensor"
)

// A gradCase is one operation under a finite-difference check: inputs of random shapes
// (drawn by shapes) and a function computing the output from them on a tape. The check
// compares the gradient of a random linear functional of the output, computed by Backward,
// with central differences of the same functional evaluated in float64.
type gradCase struct {
	name   string
	shapes func(rng *rand.Rand) [][]int
	// init fills the inputs; nil means standard normal values.
	init func(rng *rand.Rand, in []*tensor.Tensor)
	// fn computes the output; rng is seeded identically for every evaluation.
	fn func(t *Tape, in []*Var, rng *rand.Rand) *Var
	// h is the finite-difference step; tol the tolerance relative to the gradient's scale.
	h, tol float64
}

func dims(rng *rand.Rand, lo, hi int) int { return lo + rng.IntN(hi-lo+1) }

func same(n int) func(rng *rand.Rand) [][]int {
	return func(rng *rand.Rand) [][]int {
		s := []int{dims(rng, 1, 5), dims(rng, 1, 7)}
		out := make([][]int, n)
		for i := range out {
			out[i] = s
		}
		return out
	}
}

// awayFromZero redraws the inputs as ±(0.1 + |N(0,1)|) so no element sits at a kink.
func awayFromZero(rng *rand.Rand, in []*tensor.Tensor) {
	for _, x := range in {
		for i := range x.Data() {
			v := float32(0.1 + math.Abs(rng.NormFloat64()))
			if rng.IntN(2) == 0 {
				v = -v
			}
			x.Data()[i] = v
		}
	}
}

// distinct fills the inputs with a random permutation of well-separated values, so that a
// max-pooling window never has a near tie.
func distinct(rng *rand.Rand, in []*tensor.Tensor) {
	for _, x := range in {
		p := rng.Perm(x.Len())
		for i := range x.Data() {
			x.Data()[i] = float32(p[i])*0.05 - float32(x.Len())*0.025
		}
	}
}

func labels(rng *rand.Rand, n, c int) []int {
	y := make([]int, n)
	for i := range y {
		y[i] = rng.IntN(c)
	}
	return y
}

// preactMargin is the smallest |z| over the elements of z: a fused ReLU check is valid only
// if it exceeds the finite-difference reach.
func preactMargin(z *tensor.Tensor) float64 {
	m := math.Inf(1)
	for _, v := range z.Data() {
		m = min(m, math.Abs(float64(v)))
	}
	return m
}

var gradCases = []gradCase{
	{name: "Add", shapes: same(2), fn: func(t *Tape, in []*Var, _ *rand.Rand) *Var { return t.Add(in[0], in[1]) }},
	{name: "Sub", shapes: same(2), fn: func(t *Tape, in []*Var, _ *rand.Rand) *Var { return t.Sub(in[0], in[1]) }},
	{name: "Mul", shapes: same(2), fn: func(t *Tape, in []*Var, _ *rand.Rand) *Var { return t.Mul(in[0], in[1]) }},
	{name: "MulSelf", shapes: same(1), fn: func(t *Tape, in []*Var, _ *rand.Rand) *Var { return t.Mul(in[0], in[0]) }},
	{name: "Scale", shapes: same(1), fn: func(t *Tape, in []*Var, _ *rand.Rand) *Var { return t.Scale(in[0], -1.5) }},
	{name: "Sum", shapes: same(1), fn: func(t *Tape, in []*Var, _ *rand.Rand) *Var { return t.Sum(in[0]) }},
	{name: "Mean", shapes: same(1), fn: func(t *Tape, in []*Var, _ *rand.Rand) *Var { return t.Mean(in[0]) }},
	{name: "MatMul", shapes: matShapes(false, false), fn: matFn(false, false)},
	{name: "MatMulTA", shapes: matShapes(true, false), fn: matFn(true, false)},
	{name: "MatMulTB", shapes: matShapes(false, true), fn: matFn(false, true)},
	{name: "MatMulTATB", shapes: matShapes(true, true), fn: matFn(true, true)},
	{name: "Linear", shapes: linearShapes, fn: func(t *Tape, in []*Var, _ *rand.Rand) *Var {
		return t.Linear(in[0], in[1], in[2], tensor.ActNone)
	}},
	{name: "LinearNoBias", shapes: func(rng *rand.Rand) [][]int { return linearShapes(rng)[:2] }, fn: func(t *Tape, in []*Var, _ *rand.Rand) *Var {
		return t.Linear(in[0], in[1], nil, tensor.ActNone)
	}},
	{name: "LinearReLU", shapes: linearShapes, init: reluSafe(func(in []*tensor.Tensor) *tensor.Tensor {
		z := tensor.New(in[0].Dim(0), in[1].Dim(0))
		tensor.Linear(z, in[0], in[1], in[2], tensor.ActNone)
		return z
	}), fn: func(t *Tape, in []*Var, _ *rand.Rand) *Var {
		return t.Linear(in[0], in[1], in[2], tensor.ActReLU)
	}},
	{name: "Conv2d", shapes: convShapes(1, 0), fn: convFn(1, 0, tensor.ActNone)},
	{name: "Conv2dPad", shapes: convShapes(1, 1), fn: convFn(1, 1, tensor.ActNone)},
	{name: "Conv2dStride2Pad2", shapes: convShapes(2, 2), fn: convFn(2, 2, tensor.ActNone)},
	{name: "Conv2dStride3", shapes: convShapes(3, 0), fn: convFn(3, 0, tensor.ActNone)},
	{name: "Conv2d1x1", shapes: func(rng *rand.Rand) [][]int {
		c, f := dims(rng, 1, 4), dims(rng, 1, 4)
		return [][]int{{dims(rng, 1, 3), c, dims(rng, 1, 5), dims(rng, 1, 5)}, {f, c, 1, 1}, {f}}
	}, fn: convFn(1, 0, tensor.ActNone)},
	{name: "Conv2dReLU", shapes: func(rng *rand.Rand) [][]int {
		c, f := dims(rng, 1, 2), dims(rng, 1, 2)
		return [][]int{{1, c, dims(rng, 2, 4), dims(rng, 2, 4)}, {f, c, 2, 2}, {f}}
	}, init: reluSafe(func(in []*tensor.Tensor) *tensor.Tensor {
		s := tensor.Conv2dShape(in[0], in[1], tensor.Conv2dConfig{Padding: 1})
		z := tensor.New(s[:]...)
		tensor.Conv2d(z, in[0], in[1], in[2], tensor.Conv2dConfig{Padding: 1}, tensor.ActNone,
			make([]float32, tensor.Conv2dWorkLen(in[0], in[1], tensor.Conv2dConfig{Padding: 1})))
		return z
	}), fn: convFn(1, 1, tensor.ActReLU)},
	{name: "Conv2dImplicit", shapes: func(rng *rand.Rand) [][]int {
		c, f, k := dims(rng, 8, 10), dims(rng, 1, 3), dims(rng, 1, 3)
		return [][]int{{dims(rng, 1, 2), c, dims(rng, k, k+3), dims(rng, k, k+3)}, {f, c, k, k}, {f}}
	}, fn: convFn(1, 0, tensor.ActNone)},
	{name: "Conv2dImplicitPad", shapes: func(rng *rand.Rand) [][]int {
		c, f, k := dims(rng, 8, 10), dims(rng, 1, 3), dims(rng, 2, 3)
		return [][]int{{dims(rng, 1, 2), c, dims(rng, 1, 4), dims(rng, 1, 4)}, {f, c, k, k}, {f}}
	}, fn: convFn(1, 2, tensor.ActNone)},
	{name: "Conv2dNoBias", shapes: func(rng *rand.Rand) [][]int { return convShapes(2, 1)(rng)[:2] }, fn: func(t *Tape, in []*Var, _ *rand.Rand) *Var {
		return t.Conv2d(in[0], in[1], nil, tensor.Conv2dConfig{Stride: 2, Padding: 1}, tensor.ActNone)
	}},
	{name: "MaxPool2d", shapes: poolShapes, init: distinct, fn: func(t *Tape, in []*Var, _ *rand.Rand) *Var { return t.MaxPool2d(in[0], 2, 0) }},
	{name: "MaxPool2dK3S2", shapes: poolShapes, init: distinct, fn: func(t *Tape, in []*Var, _ *rand.Rand) *Var { return t.MaxPool2d(in[0], 3, 2) }},
	{name: "MaxPool2dK2S1", shapes: poolShapes, init: distinct, fn: func(t *Tape, in []*Var, _ *rand.Rand) *Var { return t.MaxPool2d(in[0], 2, 1) }},
	{name: "ReLU", shapes: same(1), init: awayFromZero, fn: func(t *Tape, in []*Var, _ *rand.Rand) *Var { return t.ReLU(in[0]) }},
	{name: "Tanh", shapes: same(1), fn: func(t *Tape, in []*Var, _ *rand.Rand) *Var { return t.Tanh(in[0]) }},
	{name: "Sigmoid", shapes: same(1), fn: func(t *Tape, in []*Var, _ *rand.Rand) *Var { return t.Sigmoid(in[0]) }},
	{name: "Dropout", shapes: same(1), fn: func(t *Tape, in []*Var, rng *rand.Rand) *Var { return t.Dropout(in[0], 0.4, rng) }},
	{name: "Reshape", shapes: func(rng *rand.Rand) [][]int {
		return [][]int{{dims(rng, 1, 3), 2, dims(rng, 1, 4), 3}}
	}, fn: func(t *Tape, in []*Var, _ *rand.Rand) *Var {
		// The reshaped view feeds an operation, and x also reaches the output directly.
		y := t.Tanh(t.Reshape(in[0], -1, 6))
		return t.Add(t.Flatten(t.Reshape(y, in[0].Value.Shape()...)), t.Flatten(in[0]))
	}},
	{name: "LogSoftmax", shapes: same(1), fn: func(t *Tape, in []*Var, _ *rand.Rand) *Var { return t.LogSoftmax(in[0]) }},
	{name: "NLLLoss", shapes: same(1), fn: func(t *Tape, in []*Var, rng *rand.Rand) *Var {
		return t.NLLLoss(t.LogSoftmax(in[0]), labels(rng, in[0].Value.Dim(0), in[0].Value.Dim(1)))
	}},
	{name: "CrossEntropyLoss", shapes: same(1), fn: func(t *Tape, in []*Var, rng *rand.Rand) *Var {
		return t.CrossEntropyLoss(in[0], labels(rng, in[0].Value.Dim(0), in[0].Value.Dim(1)))
	}},
	{name: "MSELoss", shapes: same(2), fn: func(t *Tape, in []*Var, _ *rand.Rand) *Var { return t.MSELoss(in[0], in[1], tensor.ReduceMean) }},
	{name: "Chain", shapes: func(rng *rand.Rand) [][]int {
		// A shared intermediate used by two branches, the gradients meeting in Add.
		return [][]int{{dims(rng, 2, 4), 5}, {3, 5}}
	}, fn: func(t *Tape, in []*Var, _ *rand.Rand) *Var {
		h := t.Tanh(t.Linear(in[0], in[1], nil, tensor.ActNone))
		return t.Add(t.Sigmoid(h), t.Mul(h, h))
	}, h: 3e-3},
}

func matShapes(ta, tb bool) func(rng *rand.Rand) [][]int {
	return func(rng *rand.Rand) [][]int {
		m, k, n := dims(rng, 1, 6), dims(rng, 1, 6), dims(rng, 1, 6)
		a, b := []int{m, k}, []int{k, n}
		if ta {
			a = []int{k, m}
		}
		if tb {
			b = []int{n, k}
		}
		return [][]int{a, b}
	}
}

func matFn(ta, tb bool) func(t *Tape, in []*Var, _ *rand.Rand) *Var {
	return func(t *Tape, in []*Var, _ *rand.Rand) *Var { return t.MatMul(in[0], ta, in[1], tb) }
}

func linearShapes(rng *rand.Rand) [][]int {
	b, i, o := dims(rng, 1, 5), dims(rng, 1, 7), dims(rng, 1, 6)
	return [][]int{{b, i}, {o, i}, {o}}
}

func convShapes(stride, pad int) func(rng *rand.Rand) [][]int {
	return func(rng *rand.Rand) [][]int {
		c, f, k := dims(rng, 1, 3), dims(rng, 1, 4), dims(rng, 1, 3)
		h, w := dims(rng, k, k+5), dims(rng, k, k+5)
		return [][]int{{dims(rng, 1, 3), c, h, w}, {f, c, k, k}, {f}}
	}
}

func convFn(stride, pad int, act tensor.Activation) func(t *Tape, in []*Var, _ *rand.Rand) *Var {
	return func(t *Tape, in []*Var, _ *rand.Rand) *Var {
		return t.Conv2d(in[0], in[1], in[2], tensor.Conv2dConfig{Stride: stride, Padding: pad}, act)
	}
}

func poolShapes(rng *rand.Rand) [][]int {
	return [][]int{{dims(rng, 1, 2), dims(rng, 1, 3), dims(rng, 3, 8), dims(rng, 3, 8)}}
}

// reluSafe returns an init that redraws normal inputs until every pre-activation (computed
// by preact) is farther from the kink than a finite-difference step (1e-2) can move it: a
// step of one input moves a pre-activation by at most 1e-2 times the largest input.
func reluSafe(preact func(in []*tensor.Tensor) *tensor.Tensor) func(rng *rand.Rand, in []*tensor.Tensor) {
	return func(rng *rand.Rand, in []*tensor.Tensor) {
		for range 10000 {
			normal(rng, in)
			reach := 1.0
			for _, x := range in {
				reach = max(reach, maxAbs(x))
			}
			if preactMargin(preact(in)) > 2e-2*reach {
				return
			}
		}
		panic("reluSafe: no draw keeps the pre-activations off the kink")
	}
}

func maxAbs(x *tensor.Tensor) float64 {
	m := 0.0
	for _, v := range x.Data() {
		m = max(m, math.Abs(float64(v)))
	}
	return m
}

func normal(rng *rand.Rand, in []*tensor.Tensor) {
	for _, x := range in {
		for i := range x.Data() {
			x.Data()[i] = float32(rng.NormFloat64())
		}
	}
}

func TestGradients(t *testing.T) {
	for ci, c := range append(gradCases, opCases...) {
		for trial := range 3 {
			t.Run(fmt.Sprintf("%s/%d", c.name, trial), func(t *testing.T) {
				checkGradient(t, c, uint64(100*ci+trial))
			})
		}
	}
}

func checkGradient(t *testing.T, c gradCase, seed uint64) {
	rng := rand.New(rand.NewPCG(seed, 7))
	shapes := c.shapes(rng)
	vals := make([]*tensor.Tensor, len(shapes))
	for i, s := range shapes {
		vals[i] = tensor.New(s...)
	}
	if c.init != nil {
		c.init(rng, vals)
	} else {
		normal(rng, vals)
	}
	opSeed := rng.Uint64()
	f := func(t *Tape, in []*Var) *Var { return c.fn(t, in, rand.New(rand.NewPCG(opSeed, 1))) }
	if err := CheckGrad(f, vals, GradCheckConfig{Step: c.h, Tol: c.tol, Seed: rng.Uint64()}); err != nil {
		t.Fatal(err)
	}
}
