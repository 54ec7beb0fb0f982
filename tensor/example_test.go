package tensor_test

import (
	"fmt"

	"github.com/descent-ml/descent/tensor"
)

func Example() {
	x := tensor.FromSlice([]float32{1, 2, 3, 4, 5, 6}, 2, 3) // a batch of two rows
	w := tensor.FromSlice([]float32{1, 0, -1, 0.5, 0.5, 0.5}, 2, 3)
	b := tensor.FromSlice([]float32{0, -4}, 2)
	y := tensor.New(2, 2)
	tensor.Linear(y, x, w, b, tensor.ActReLU) // relu(x·wᵀ + b)
	fmt.Println(y.Data())

	logp := tensor.New(2, 2)
	tensor.LogSoftmax(logp, y, -1)
	fmt.Printf("%.4f\n", tensor.NLLLoss(logp, []int{1, 0}, tensor.NLLConfig{}))

	img := tensor.New(1, 1, 5, 5)
	k := tensor.New(4, 1, 3, 3)
	fmt.Println(tensor.Conv2dShape(img, k, tensor.Conv2dConfig{Stride: 2, Padding: 1}))
	// Output:
	// [0 0 0 3.5]
	// 2.1114
	// [1 4 3 3]
}
