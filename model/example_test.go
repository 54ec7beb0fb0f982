package model_test

import (
	"fmt"
	"math/rand/v2"

	"github.com/descent-ml/descent/autodiff"
	"github.com/descent-ml/descent/model"
	"github.com/descent-ml/descent/nn"
	"github.com/descent-ml/descent/tensor"
)

// Build a model by name, as the command line does, and train it for a few steps of plain
// gradient descent on one batch.
func Example() {
	rng := rand.New(rand.NewPCG(1, 2))
	m, err := model.New("mlp", model.Config{Hidden: []int{32}}, rng)
	if err != nil {
		panic(err)
	}
	fmt.Println("parameters:", nn.NumParams(m))

	x := tensor.New(16, model.Inputs)
	y := make([]int, 16)
	for i := range y {
		y[i] = i % model.Classes
		x.Data()[i*model.Inputs+y[i]] = 3 // a feature that gives the label away
	}
	tp := autodiff.NewTape()
	params := nn.Params(m)
	for step := range 30 {
		tp.Reset()
		loss := tp.NLLLoss(m.Forward(tp, tp.Const(x)), y)
		nn.ZeroGrad(m)
		tp.Backward(loss)
		for _, p := range params {
			for i := range p.Value {
				p.Value[i] -= 0.5 * p.Grad[i]
			}
		}
		if step%10 == 0 || step == 29 {
			fmt.Printf("step %2d loss %.2f\n", step, loss.Item())
		}
	}
	// Output:
	// parameters: 25450
	// step  0 loss 2.31
	// step 10 loss 1.22
	// step 20 loss 0.25
	// step 29 loss 0.08
}
