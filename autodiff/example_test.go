package autodiff_test

import (
	"fmt"
	"math"

	"github.com/descent-ml/descent/autodiff"
	"github.com/descent-ml/descent/tensor"
)

// Gradients accumulate across backward passes until zeroed, as in PyTorch.
func Example() {
	w := autodiff.NewParam(tensor.FromSlice([]float32{2, -1}, 1, 2))
	x := tensor.FromSlice([]float32{3, 4}, 1, 2)
	tp := autodiff.NewTape()
	for range 2 {
		tp.Reset()
		y := tp.MatMul(tp.Const(x), false, w, true) // y = x·wᵀ = 2
		loss := tp.Mean(tp.Mul(y, y))               // y² = 4, d/dw = 2y·x
		tp.Backward(loss)
		fmt.Println(loss.Item(), w.Grad.Data())
	}
	w.ZeroGrad()
	fmt.Println(w.Grad.Data())

	tp.Reset()
	tp.SetInference(true) // evaluate without recording
	y := tp.MatMul(tp.Const(x), false, w, true)
	fmt.Println(y.Value.Data(), y.RequiresGrad())
	// Output:
	// 4 [12 16]
	// 4 [24 32]
	// [0 0]
	// [2] false
}

// softplus is an operation of one's own: y = log(1 + eˣ), with gradient σ(x)·g.
type softplus struct{}

func (softplus) Shape(in []*tensor.Tensor) []int { return in[0].Shape() }

func (softplus) Forward(out *tensor.Tensor, in []*tensor.Tensor) {
	for i, x := range in[0].Data() {
		out.Data()[i] = float32(math.Log1p(math.Exp(float64(x))))
	}
}

func (softplus) Backward(grad []*tensor.Tensor, dout, _ *tensor.Tensor, in []*tensor.Tensor) {
	if grad[0] == nil {
		return
	}
	for i, x := range in[0].Data() {
		grad[0].Data()[i] += dout.Data()[i] / float32(1+math.Exp(-float64(x)))
	}
}

// A custom operation is recorded by Tape.Custom like the tape's own, and CheckGrad checks
// its backward pass against finite differences.
func ExampleTape_Custom() {
	x := autodiff.NewParam(tensor.FromSlice([]float32{-1, 0, 2}, 3))
	tp := autodiff.NewTape()
	y := tp.Custom(softplus{}, x)
	tp.Backward(tp.Sum(y))
	fmt.Printf("%.4f %.4f\n", y.Value.Data(), x.Grad.Data())

	err := autodiff.CheckGrad(func(t *autodiff.Tape, in []*autodiff.Var) *autodiff.Var {
		return t.Custom(softplus{}, t.Mul(in[0], in[1])) // composed with the tape's own operations
	}, []*tensor.Tensor{tensor.FromSlice([]float32{0.5, -2}, 2), tensor.FromSlice([]float32{1, 3}, 2)}, autodiff.GradCheckConfig{})
	fmt.Println("gradient check:", err)
	// Output:
	// [0.3133 0.6931 2.1269] [0.2689 0.5000 0.8808]
	// gradient check: <nil>
}

// Operands broadcast as NumPy's: a column and a row give a matrix, and each gradient is
// summed back to its operand's shape.
func ExampleTape_Add() {
	col := autodiff.NewParam(tensor.FromSlice([]float32{1, 2}, 2, 1))
	row := autodiff.NewParam(tensor.FromSlice([]float32{10, 20, 30}, 1, 3))
	tp := autodiff.NewTape()
	s := tp.Add(col, row)
	tp.Backward(tp.Sum(tp.Mul(s, s)))
	fmt.Println(s.Value.Shape(), s.Value.Data())
	fmt.Println(col.Grad.Data(), row.Grad.Data())
	// Output:
	// [2 3] [11 21 31 12 22 32]
	// [126 132] [46 86 126]
}
