package autodiff_test

import (
	"fmt"

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
