package optim_test

import (
	"fmt"

	"github.com/descent-ml/descent/optim"
)

func ExampleNewLion() {
	p, grad := quadratic()
	cfg := optim.DefaultLion()
	cfg.LR = 0.01
	o, _ := optim.NewLion([]*optim.Param{p}, cfg)
	run(o, grad, p, 1000) // every coordinate moves by exactly 0.01 a step, or not at all
	// Output: x = (3.0000, 1.0000)
}

func ExampleNewAdafactor() {
	p, grad := quadratic()
	o, _ := optim.NewAdafactor([]*optim.Param{p}, optim.DefaultAdafactor())
	run(o, grad, p, 300)
	// Output: x = (2.9999, 0.9682)
}

func ExampleNewMuon() {
	// Muon orthogonalises the momentum of a matrix (here 1×2: the direction of the row);
	// a parameter of another shape would take AdamW's steps.
	p, grad := quadratic()
	p.Shape = []int{1, 2}
	cfg := optim.DefaultMuon()
	cfg.LR, cfg.WeightDecay = 0.05, 0
	o, _ := optim.NewMuon([]*optim.Param{p}, cfg)
	run(o, grad, p, 60) // steps of length about 0.05, along the momentum's direction
	// Output: x = (2.1589, -0.2616)
}

func ExampleNewScheduleFreeAdamW() {
	p, grad := quadratic()
	cfg := optim.DefaultScheduleFreeAdamW()
	cfg.LR = 0.1
	o, _ := optim.NewScheduleFreeAdamW([]*optim.Param{p}, cfg)
	run(o, grad, p, 300) // the training point y
	o.Eval()             // before evaluating or saving: the average x
	fmt.Printf("x = (%.4f, %.4f)\n", p.Value[0], p.Value[1])
	o.Train() // before the next step
	// Output:
	// x = (2.9995, 1.0122)
	// x = (2.9987, 1.0119)
}

func ExampleNewScheduleFreeSGD() {
	p, grad := quadratic()
	cfg := optim.DefaultScheduleFreeSGD()
	cfg.LR = 0.5
	o, _ := optim.NewScheduleFreeSGD([]*optim.Param{p}, cfg)
	run(o, grad, p, 300)
	o.Eval()
	fmt.Printf("x = (%.4f, %.4f)\n", p.Value[0], p.Value[1])
	// Output:
	// x = (3.0000, 1.0000)
	// x = (3.0000, 1.0000)
}

func ExampleNewProdigy() {
	p, grad := quadratic()
	o, _ := optim.NewProdigy([]*optim.Param{p}, optim.DefaultProdigy())
	run(o, grad, p, 300)
	fmt.Printf("d = %.3g\n", o.D()) // the estimated learning rate
	// Output:
	// x = (3.0000, 1.0000)
	// d = 1.09
}

func ExampleNewLAMB() {
	p, grad := quadratic()
	cfg := optim.DefaultLAMB()
	cfg.LR, cfg.WeightDecay = 0.02, 0
	cfg.AlwaysAdapt = true // the trust ratio ‖θ‖/‖u‖ also without weight decay
	o, _ := optim.NewLAMB([]*optim.Param{p}, cfg)
	// Every step has the length γ‖θ‖ ≈ 0.06, however close x is: x circles the minimum
	// (3, 1) at about that distance, and where it is after 300 steps depends on the last
	// bits of every step.
	run(o, grad, p, 300)
	// Output: x = (2.9788, 0.9980)
}

func ExampleNewLARS() {
	p, grad := quadratic()
	cfg := optim.DefaultLARS()
	cfg.Momentum, cfg.AlwaysAdapt = 0.9, true
	cfg.LR = 10 // the step is γ·η·‖θ‖/‖g‖·g, η = 0.001
	o, _ := optim.NewLARS([]*optim.Param{p}, cfg)
	run(o, grad, p, 300)
	// Output: x = (2.9710, 0.9565)
}
