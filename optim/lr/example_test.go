package lr_test

import (
	"fmt"
	"log"
	"math"

	"github.com/descent-ml/descent/optim/lr"
)

// show prints the rates of the steps in which a scheduler over opt is stepped n times.
func show(opt lr.Optimizer, s lr.Scheduler, n int) {
	for t := range n {
		fmt.Printf("step %d:", t)
		for g := range opt.NumGroups() {
			fmt.Printf(" %.4g", opt.LR(g))
		}
		fmt.Println()
		// An epoch (or batch) of training with the optimiser goes here.
		if err := s.Step(); err != nil {
			log.Fatal(err)
		}
	}
}

// The lecture's recipe for vision: divide the learning rate by 10 every 20 epochs (here
// every 2), with torch's StepLR(optimizer, step_size=20, gamma=0.1).
func ExampleStepLR() {
	opt := lr.Rates{0.01}
	sched, err := lr.NewStepLR(opt, 2, 0.1)
	if err != nil {
		log.Fatal(err)
	}
	show(opt, sched, 5)
	// Output:
	// step 0: 0.01
	// step 1: 0.01
	// step 2: 0.001
	// step 3: 0.001
	// step 4: 0.0001
}

// Two parameter groups, the second with half the rate, decay at epochs 2 and 4.
func ExampleMultiStepLR() {
	opt := lr.Rates{0.1, 0.05}
	sched, err := lr.NewMultiStepLR(opt, []int{2, 4}, 0.5)
	if err != nil {
		log.Fatal(err)
	}
	show(opt, sched, 5)
	// Output:
	// step 0: 0.1 0.05
	// step 1: 0.1 0.05
	// step 2: 0.05 0.025
	// step 3: 0.05 0.025
	// step 4: 0.025 0.0125
}

// The lecture's decaying step size γ_n ∝ 1/n for SGD on a strongly convex problem, as a
// function of the step.
func ExampleLambdaLR() {
	opt := lr.Rates{1}
	sched, err := lr.NewLambdaLR(opt, func(n int) float64 { return 1 / float64(n+1) })
	if err != nil {
		log.Fatal(err)
	}
	show(opt, sched, 4)
	// Output:
	// step 0: 1
	// step 1: 0.5
	// step 2: 0.3333
	// step 3: 0.25
}

func ExampleMultiplicativeLR() {
	opt := lr.Rates{1}
	sched, err := lr.NewMultiplicativeLR(opt, func(int) float64 { return 0.9 })
	if err != nil {
		log.Fatal(err)
	}
	show(opt, sched, 4)
	// Output:
	// step 0: 1
	// step 1: 0.9
	// step 2: 0.81
	// step 3: 0.729
}

func ExampleExponentialLR() {
	opt := lr.Rates{1}
	sched, err := lr.NewExponentialLR(opt, 0.5)
	if err != nil {
		log.Fatal(err)
	}
	show(opt, sched, 4)
	// Output:
	// step 0: 1
	// step 1: 0.5
	// step 2: 0.25
	// step 3: 0.125
}

// A third of the rate for the first 2 steps.
func ExampleConstantLR() {
	opt := lr.Rates{0.3}
	sched, err := lr.NewConstantLR(opt, 1.0/3, 2)
	if err != nil {
		log.Fatal(err)
	}
	show(opt, sched, 4)
	// Output:
	// step 0: 0.1
	// step 1: 0.1
	// step 2: 0.3
	// step 3: 0.3
}

// A linear warm-up from a quarter of the rate over 3 steps.
func ExampleLinearLR() {
	opt := lr.Rates{1}
	sched, err := lr.NewLinearLR(opt, 0.25, 1, 3)
	if err != nil {
		log.Fatal(err)
	}
	show(opt, sched, 5)
	// Output:
	// step 0: 0.25
	// step 1: 0.5
	// step 2: 0.75
	// step 3: 1
	// step 4: 1
}

// A quadratic decay to zero over 4 steps.
func ExamplePolynomialLR() {
	opt := lr.Rates{1}
	sched, err := lr.NewPolynomialLR(opt, 4, 2)
	if err != nil {
		log.Fatal(err)
	}
	show(opt, sched, 6)
	// Output:
	// step 0: 1
	// step 1: 0.5625
	// step 2: 0.25
	// step 3: 0.0625
	// step 4: 0
	// step 5: 0
}

// A half cosine from 1 to 0.1 over 4 steps, and back up over the next 4.
func ExampleCosineAnnealingLR() {
	opt := lr.Rates{1}
	sched, err := lr.NewCosineAnnealingLR(opt, 4, 0.1)
	if err != nil {
		log.Fatal(err)
	}
	show(opt, sched, 7)
	// Output:
	// step 0: 1
	// step 1: 0.8682
	// step 2: 0.55
	// step 3: 0.2318
	// step 4: 0.1
	// step 5: 0.2318
	// step 6: 0.55
}

// SGDR: half cosines of 2 steps, then 4.
func ExampleCosineAnnealingWarmRestarts() {
	opt := lr.Rates{1}
	sched, err := lr.NewCosineAnnealingWarmRestarts(opt, 2, 2, 0)
	if err != nil {
		log.Fatal(err)
	}
	show(opt, sched, 7)
	// Output:
	// step 0: 1
	// step 1: 0.5
	// step 2: 1
	// step 3: 0.8536
	// step 4: 0.5
	// step 5: 0.1464
	// step 6: 1
}

// A triangle wave between 0.1 and 1 with halving amplitude, rising over 2 batches and
// falling over 2, with the momentum of an SGD-like optimiser cycled the other way.
func ExampleCyclicLR() {
	opt := &lr.MomentumRates{LRs: []float64{0}, Momenta: []float64{0.9}}
	sched, err := lr.NewCyclicLR(opt, lr.CyclicConfig{BaseLR: []float64{0.1}, MaxLR: []float64{1},
		StepSizeUp: 2, Mode: lr.Triangular2})
	if err != nil {
		log.Fatal(err)
	}
	for t := range 9 {
		fmt.Printf("batch %d: lr %.4g momentum %.4g\n", t, opt.LR(0), opt.Momentum(0))
		if err := sched.Step(); err != nil {
			log.Fatal(err)
		}
	}
	// Output:
	// batch 0: lr 0.1 momentum 0.9
	// batch 1: lr 0.55 momentum 0.85
	// batch 2: lr 1 momentum 0.8
	// batch 3: lr 0.55 momentum 0.85
	// batch 4: lr 0.1 momentum 0.9
	// batch 5: lr 0.325 momentum 0.875
	// batch 6: lr 0.55 momentum 0.85
	// batch 7: lr 0.325 momentum 0.875
	// batch 8: lr 0.1 momentum 0.9
}

// The 1cycle policy over 10 batches, for an Adam-like optimiser whose β₁ is cycled.
func ExampleOneCycleLR() {
	opt := &lr.MomentumRates{LRs: []float64{0}, Momenta: []float64{0.9}}
	sched, err := lr.NewOneCycleLR(opt, lr.OneCycleConfig{MaxLR: []float64{1}, TotalSteps: 10})
	if err != nil {
		log.Fatal(err)
	}
	for t := range 10 {
		fmt.Printf("batch %d: lr %.4g beta1 %.4g\n", t, opt.LR(0), opt.Momentum(0))
		if err := sched.Step(); err != nil {
			log.Fatal(err)
		}
	}
	// Output:
	// batch 0: lr 0.04 beta1 0.95
	// batch 1: lr 0.52 beta1 0.9
	// batch 2: lr 1 beta1 0.85
	// batch 3: lr 0.9505 beta1 0.855
	// batch 4: lr 0.8117 beta1 0.8688
	// batch 5: lr 0.6113 beta1 0.8889
	// batch 6: lr 0.3887 beta1 0.9111
	// batch 7: lr 0.1883 beta1 0.9312
	// batch 8: lr 0.04952 beta1 0.945
	// batch 9: lr 4e-06 beta1 0.95
}

// Halve the rate when the validation loss has not improved for more than one epoch.
func ExampleReduceLROnPlateau() {
	opt := lr.Rates{1}
	cfg := lr.PlateauDefaults()
	cfg.Factor, cfg.Patience = 0.5, 1
	sched, err := lr.NewReduceLROnPlateau(opt, cfg)
	if err != nil {
		log.Fatal(err)
	}
	for epoch, loss := range []float64{1, 0.8, 0.81, 0.8, 0.79, 0.79, 0.79, 0.5} {
		if err := sched.Step(loss); err != nil {
			log.Fatal(err)
		}
		fmt.Printf("epoch %d: loss %.2f, lr for the next epoch %.4g\n", epoch, loss, opt.LR(0))
	}
	// Output:
	// epoch 0: loss 1.00, lr for the next epoch 1
	// epoch 1: loss 0.80, lr for the next epoch 1
	// epoch 2: loss 0.81, lr for the next epoch 1
	// epoch 3: loss 0.80, lr for the next epoch 0.5
	// epoch 4: loss 0.79, lr for the next epoch 0.5
	// epoch 5: loss 0.79, lr for the next epoch 0.5
	// epoch 6: loss 0.79, lr for the next epoch 0.25
	// epoch 7: loss 0.50, lr for the next epoch 0.25
}

// A linear warm-up of 3 steps, then a cosine decay over 4.
func ExampleSequentialLR() {
	opt := lr.Rates{1}
	warm, err := lr.NewLinearLR(opt, 0.25, 1, 3)
	if err != nil {
		log.Fatal(err)
	}
	decay, err := lr.NewCosineAnnealingLR(opt, 4, 0)
	if err != nil {
		log.Fatal(err)
	}
	sched, err := lr.NewSequentialLR([]lr.Scheduler{warm, decay}, []int{3})
	if err != nil {
		log.Fatal(err)
	}
	show(opt, sched, 8)
	// Output:
	// step 0: 0.25
	// step 1: 0.5
	// step 2: 0.75
	// step 3: 1
	// step 4: 0.8536
	// step 5: 0.5
	// step 6: 0.1464
	// step 7: 0
}

// A constant factor of 0.1 for 2 steps on top of an exponential decay. These are the rates
// of torch 1.13's code; its docstring's 0.09, 0.081, 0.729, ... are off by one step.
func ExampleChainedScheduler() {
	opt := lr.Rates{1}
	factor, err := lr.NewConstantLR(opt, 0.1, 2)
	if err != nil {
		log.Fatal(err)
	}
	decay, err := lr.NewExponentialLR(opt, 0.9)
	if err != nil {
		log.Fatal(err)
	}
	sched, err := lr.NewChainedScheduler([]lr.Scheduler{factor, decay})
	if err != nil {
		log.Fatal(err)
	}
	show(opt, sched, 5)
	// Output:
	// step 0: 0.1
	// step 1: 0.09
	// step 2: 0.81
	// step 3: 0.729
	// step 4: 0.6561
}

// A --schedule flag for a run of 4 epochs of 2 batches: the schedule knows whether it steps
// per batch or per epoch.
func ExampleParse() {
	for _, spec := range []string{"step:2:0.1", "linear-warmup:1+cosine"} {
		opt := lr.Rates{1}
		sched, err := lr.Parse(spec, opt, 4, 2)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%s (per batch: %v):", sched.Spec(), sched.PerBatch())
		for range 4 {
			for range 2 {
				fmt.Printf(" %.3g", opt.LR(0))
				// opt.Step() on a batch goes here.
				if err := sched.BatchEnd(); err != nil {
					log.Fatal(err)
				}
			}
			validationLoss := 1.0
			if err := sched.EpochEnd(validationLoss); err != nil {
				log.Fatal(err)
			}
		}
		fmt.Println()
	}
	_, err := lr.ParseSpec("step:20:0,1")
	fmt.Println(err)
	// Output:
	// step:2:0.1 (per batch: false): 1 1 1 1 0.1 0.1 0.1 0.1
	// linear-warmup:1:0.1+cosine:0 (per batch: true): 0.1 0.55 1 0.933 0.75 0.5 0.25 0.067
	// lr: schedule "step:20:0,1": GAMMA "0,1" is not a finite number
}

// Save the state at step 3 and resume in a fresh scheduler.
func ExampleScheduler_resume() {
	opt := lr.Rates{1}
	sched, err := lr.NewCosineAnnealingLR(opt, 10, 0)
	if err != nil {
		log.Fatal(err)
	}
	for range 3 {
		if err := sched.Step(); err != nil {
			log.Fatal(err)
		}
	}
	state, err := sched.MarshalBinary()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s\n", state)

	opt2 := lr.Rates{1}
	resumed, err := lr.NewCosineAnnealingLR(opt2, 10, 0)
	if err != nil {
		log.Fatal(err)
	}
	if err := resumed.UnmarshalBinary(state); err != nil {
		log.Fatal(err)
	}
	fmt.Println(opt2.LR(0) == opt.LR(0), math.Abs(opt2.LR(0)-0.7939) < 1e-4)
	// Output:
	// {"format":"descent/optim/lr","version":1,"type":"CosineAnnealingLR","last_epoch":3,"base_lrs":[1],"last_lrs":[0.7938926261462367],"T_max":10,"eta_min":0}
	// true true
}
