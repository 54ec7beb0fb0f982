package swa_test

import (
	"fmt"

	"github.com/descent-ml/descent/optim/swa"
)

// Stochastic weight averaging of a one-parameter "model" over the ends of four epochs, and
// the exponential moving average of the same weights with decay 0.5.
func Example() {
	w := []float32{0} // the model's weights
	avg := swa.New([]swa.Tensor{{Data: make([]float32, 1)}}, nil)
	ema := swa.New([]swa.Tensor{{Data: make([]float32, 1)}}, swa.EMA(0.5))
	for epoch := 1; epoch <= 4; epoch++ {
		w[0] = float32(epoch) // training moves the weights
		avg.Update([][]float32{w})
		ema.Update([][]float32{w})
		fmt.Printf("epoch %d: weights %g, SWA %g of %d, EMA %g\n", epoch, w[0], avg.Tensors()[0].Data[0], avg.N(), ema.Tensors()[0].Data[0])
	}
	// Output:
	// epoch 1: weights 1, SWA 1 of 1, EMA 1
	// epoch 2: weights 2, SWA 1.5 of 2, EMA 1.5
	// epoch 3: weights 3, SWA 2 of 3, EMA 2.25
	// epoch 4: weights 4, SWA 2.5 of 4, EMA 3.125
}
