package gemm_test

import (
	"fmt"

	"github.com/descent-ml/descent/internal/gemm"
)

// A linear layer's forward pass, y = x·Wᵀ, with W stored out×in as torch stores it.
func ExampleSgemm() {
	x := []float32{ // 2 samples × 3 inputs
		1, 2, 3,
		4, 5, 6,
	}
	w := []float32{ // 2 outputs × 3 inputs
		1, 0, -1,
		0.5, 0.5, 0.5,
	}
	y := make([]float32, 2*2)
	gemm.Sgemm(false, true, 2, 2, 3, 1, x, 3, w, 3, 0, y, 2)
	fmt.Println(y)
	// Output: [-2 3 -2 7.5]
}
