package optim_test

import (
	"fmt"

	"github.com/descent-ml/descent/optim"
)

// quadratic returns a parameter x = (1, -2) and a function that sets its gradient for
// f(x) = ½‖x - (3, 1)‖², the problem of every example.
func quadratic() (*optim.Param, func()) {
	p := &optim.Param{Name: "x", Shape: []int{2}, Value: []float32{1, -2}, Grad: make([]float32, 2)}
	return p, func() {
		p.Grad[0], p.Grad[1] = p.Value[0]-3, p.Value[1]-1
	}
}

// run takes n steps and prints the parameter.
func run(o optim.Optimizer, grad func(), p *optim.Param, n int) {
	for range n {
		grad()
		if err := o.Step(); err != nil {
			panic(err)
		}
	}
	fmt.Printf("x = (%.4f, %.4f)\n", p.Value[0], p.Value[1])
}

func ExampleNewSGD() {
	p, grad := quadratic()
	o, err := optim.NewSGD([]*optim.Param{p}, optim.SGDConfig{LR: 0.1, Momentum: 0.9, Nesterov: true})
	if err != nil {
		panic(err)
	}
	run(o, grad, p, 100)
	// Output: x = (3.0000, 0.9999)
}

func ExampleNewAdam() {
	p, grad := quadratic()
	cfg := optim.DefaultAdam()
	cfg.LR = 0.1
	cfg.AMSGrad = optim.AMSGradLecture
	o, _ := optim.NewAdam([]*optim.Param{p}, cfg)
	run(o, grad, p, 300)
	// Output: x = (3.0000, 1.0000)
}

func ExampleNewAdamW() {
	p, grad := quadratic()
	cfg := optim.DefaultAdamW()
	cfg.LR = 0.1
	o, _ := optim.NewAdamW([]*optim.Param{p}, cfg)
	run(o, grad, p, 300)
	// Output: x = (2.9912, 0.9947)
}

func ExampleNewAdagrad() {
	p, grad := quadratic()
	cfg := optim.DefaultAdagrad()
	cfg.LR = 1
	o, _ := optim.NewAdagrad([]*optim.Param{p}, cfg)
	run(o, grad, p, 200)
	// Output: x = (3.0000, 1.0000)
}

func ExampleNewRMSprop() {
	p, grad := quadratic()
	cfg := optim.DefaultRMSprop()
	cfg.Centered = true
	o, _ := optim.NewRMSprop([]*optim.Param{p}, cfg)
	run(o, grad, p, 500)
	// Output: x = (3.0000, 1.0000)
}

func ExampleNewAdadelta() {
	p, grad := quadratic()
	cfg := optim.DefaultAdadelta()
	cfg.LR = 10
	o, _ := optim.NewAdadelta([]*optim.Param{p}, cfg)
	run(o, grad, p, 500)
	// Output: x = (3.0000, 1.0000)
}

func ExampleNewAdamax() {
	p, grad := quadratic()
	cfg := optim.DefaultAdamax()
	cfg.LR = 0.1
	o, _ := optim.NewAdamax([]*optim.Param{p}, cfg)
	run(o, grad, p, 300)
	// Output: x = (3.0000, 1.0000)
}

func ExampleNewNAdam() {
	p, grad := quadratic()
	cfg := optim.DefaultNAdam()
	cfg.LR = 0.1
	o, _ := optim.NewNAdam([]*optim.Param{p}, cfg)
	run(o, grad, p, 300)
	// Output: x = (3.0000, 1.0000)
}

func ExampleNewRAdam() {
	p, grad := quadratic()
	cfg := optim.DefaultRAdam()
	cfg.LR = 0.1
	o, _ := optim.NewRAdam([]*optim.Param{p}, cfg)
	run(o, grad, p, 300)
	// Output: x = (3.0000, 1.0000)
}

func ExampleNewASGD() {
	p, grad := quadratic()
	cfg := optim.DefaultASGD()
	cfg.LR = 0.1
	o, _ := optim.NewASGD([]*optim.Param{p}, cfg)
	run(o, grad, p, 200)
	// Output: x = (2.9997, 0.9999)
}

func ExampleNewRprop() {
	p, grad := quadratic()
	o, _ := optim.NewRprop([]*optim.Param{p}, optim.DefaultRprop())
	run(o, grad, p, 100)
	// Output: x = (3.0000, 1.0000)
}

// L-BFGS needs a closure that re-evaluates the loss and gradient.
func ExampleNewLBFGS() {
	p, grad := quadratic()
	o, _ := optim.NewLBFGS([]*optim.Param{p}, optim.LBFGSConfig{StrongWolfe: true})
	loss, err := o.StepWith(func() (float64, error) {
		grad()
		a, b := float64(p.Grad[0]), float64(p.Grad[1])
		return (a*a + b*b) / 2, nil
	})
	if err != nil {
		panic(err)
	}
	fmt.Printf("loss at the start %.2f, x = (%.4f, %.4f)\n", loss, p.Value[0], p.Value[1])
	// Output: loss at the start 6.50, x = (3.0000, 1.0000)
}

// The registry builds an optimiser from command-line text, here AdamW without weight decay
// on biases.
func ExampleNew() {
	w := &optim.Param{Name: "fc.weight", Shape: []int{2}, Value: []float32{1, 1}, Grad: []float32{0.5, -0.5}}
	b := &optim.Param{Name: "fc.bias", Shape: []int{1}, Value: []float32{1}, Grad: []float32{0.5}}
	opts, _ := optim.ParseOptions("lr=0.1,weight_decay=0.5")
	rule, _ := optim.ParseGroupRule("*.bias:weight_decay=0")
	groups, _ := optim.GroupBy([]*optim.Param{w, b}, rule)
	o, err := optim.New("adamw", opts, groups...)
	if err != nil {
		panic(err)
	}
	o.Step()
	fmt.Printf("weight %.4f %.4f, bias %.4f\n", w.Value[0], w.Value[1], b.Value[0])
	// Output: weight 0.8500 1.0500, bias 0.9000
}
