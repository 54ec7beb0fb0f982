package lr_test

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/descent-ml/descent/optim/lr"
)

// TestBadArguments checks that each bad argument is refused with a message naming it, and
// leaves the optimiser's rates alone.
func TestBadArguments(t *testing.T) {
	nan := math.NaN()
	for _, tc := range []struct {
		want  string
		build func(opt lr.Optimizer) (any, error)
	}{
		{"LambdaLR needs one function or one per group (2), got 3", func(o lr.Optimizer) (any, error) {
			f := func(int) float64 { return 1 }
			return lr.NewLambdaLR(o, f, f, f)
		}},
		{"LambdaLR function for group 0 is nil", func(o lr.Optimizer) (any, error) { return lr.NewLambdaLR(o, nil) }},
		{"MultiplicativeLR needs one function or one per group (2), got 0", func(o lr.Optimizer) (any, error) { return lr.NewMultiplicativeLR(o) }},
		{"StepLR step size must be at least 1, got 0", func(o lr.Optimizer) (any, error) { return lr.NewStepLR(o, 0, 0.1) }},
		{"StepLR step size must be at least 1, got -3", func(o lr.Optimizer) (any, error) { return lr.NewStepLR(o, -3, 0.1) }},
		{"StepLR gamma must be positive and finite, got 0", func(o lr.Optimizer) (any, error) { return lr.NewStepLR(o, 10, 0) }},
		{"StepLR gamma must be positive and finite, got NaN", func(o lr.Optimizer) (any, error) { return lr.NewStepLR(o, 10, nan) }},
		{"MultiStepLR milestones must be increasing, got 20 after 30", func(o lr.Optimizer) (any, error) {
			return lr.NewMultiStepLR(o, []int{10, 30, 20}, 0.1)
		}},
		{"MultiStepLR milestones must be increasing, got 30 after 30", func(o lr.Optimizer) (any, error) {
			return lr.NewMultiStepLR(o, []int{30, 30}, 0.1)
		}},
		{"MultiStepLR milestone -1 must be at least 0", func(o lr.Optimizer) (any, error) { return lr.NewMultiStepLR(o, []int{-1}, 0.1) }},
		{"MultiStepLR gamma must be positive and finite, got -0.1", func(o lr.Optimizer) (any, error) { return lr.NewMultiStepLR(o, []int{5}, -0.1) }},
		{"ConstantLR factor must lie in (0, 1], got 0", func(o lr.Optimizer) (any, error) { return lr.NewConstantLR(o, 0, 5) }},
		{"ConstantLR factor must lie in (0, 1], got 1.5", func(o lr.Optimizer) (any, error) { return lr.NewConstantLR(o, 1.5, 5) }},
		{"ConstantLR total iterations must be at least 1, got 0", func(o lr.Optimizer) (any, error) { return lr.NewConstantLR(o, 0.5, 0) }},
		{"LinearLR start factor must lie in (0, 1], got 0", func(o lr.Optimizer) (any, error) { return lr.NewLinearLR(o, 0, 1, 5) }},
		{"LinearLR end factor must lie in [0, 1], got 2", func(o lr.Optimizer) (any, error) { return lr.NewLinearLR(o, 0.5, 2, 5) }},
		{"ExponentialLR gamma must be positive and finite, got 0", func(o lr.Optimizer) (any, error) { return lr.NewExponentialLR(o, 0) }},
		{"ExponentialLR gamma must be positive and finite, got +Inf", func(o lr.Optimizer) (any, error) { return lr.NewExponentialLR(o, math.Inf(1)) }},
		{"PolynomialLR power must be non-negative and finite, got -1", func(o lr.Optimizer) (any, error) { return lr.NewPolynomialLR(o, 5, -1) }},
		{"CosineAnnealingLR T_max must be at least 1, got 0", func(o lr.Optimizer) (any, error) { return lr.NewCosineAnnealingLR(o, 0, 0) }},
		{"CosineAnnealingLR eta_min must be non-negative and finite, got -0.1", func(o lr.Optimizer) (any, error) {
			return lr.NewCosineAnnealingLR(o, 10, -0.1)
		}},
		{"CosineAnnealingWarmRestarts T_0 must be at least 1, got 0", func(o lr.Optimizer) (any, error) {
			return lr.NewCosineAnnealingWarmRestarts(o, 0, 1, 0)
		}},
		{"CosineAnnealingWarmRestarts T_mult must be at least 1, got 0", func(o lr.Optimizer) (any, error) {
			return lr.NewCosineAnnealingWarmRestarts(o, 10, 0, 0)
		}},
		{"CyclicLR needs BaseLR", func(o lr.Optimizer) (any, error) { return lr.NewCyclicLR(o, lr.CyclicConfig{MaxLR: one(0.1)}) }},
		{"CyclicLR needs one MaxLR or one per group (2), got 3", func(o lr.Optimizer) (any, error) {
			return lr.NewCyclicLR(o, lr.CyclicConfig{BaseLR: one(0.01), MaxLR: []float64{1, 2, 3}, NoCycleMomentum: true})
		}},
		{`CyclicLR Mode "sawtooth" is not "triangular", "triangular2" or "exp_range"`, func(o lr.Optimizer) (any, error) {
			return lr.NewCyclicLR(o, lr.CyclicConfig{BaseLR: one(0.01), MaxLR: one(0.1), Mode: "sawtooth", NoCycleMomentum: true})
		}},
		{`CyclicLR Mode "triangular2" and ScaleFn are exclusive`, func(o lr.Optimizer) (any, error) {
			return lr.NewCyclicLR(o, lr.CyclicConfig{BaseLR: one(0.01), MaxLR: one(0.1), Mode: lr.Triangular2,
				ScaleFn: func(int) float64 { return 1 }, NoCycleMomentum: true})
		}},
		{`CyclicLR Gamma is for the ExpRange mode, not "triangular"`, func(o lr.Optimizer) (any, error) {
			return lr.NewCyclicLR(o, lr.CyclicConfig{BaseLR: one(0.01), MaxLR: one(0.1), Gamma: 0.9, NoCycleMomentum: true})
		}},
		{`CyclicLR ScaleMode "cycle" is for a ScaleFn, which is nil`, func(o lr.Optimizer) (any, error) {
			return lr.NewCyclicLR(o, lr.CyclicConfig{BaseLR: one(0.01), MaxLR: one(0.1), ScaleMode: lr.ScaleCycle, NoCycleMomentum: true})
		}},
		{"CyclicLR cycles the momentum but the optimiser (lr.Rates) has none: set NoCycleMomentum", func(o lr.Optimizer) (any, error) {
			return lr.NewCyclicLR(o, lr.CyclicConfig{BaseLR: one(0.01), MaxLR: one(0.1)})
		}},
		{"CyclicLR momentum bounds given with NoCycleMomentum", func(o lr.Optimizer) (any, error) {
			return lr.NewCyclicLR(o, lr.CyclicConfig{BaseLR: one(0.01), MaxLR: one(0.1), NoCycleMomentum: true, MaxMomentum: one(0.9)})
		}},
		{"OneCycleLR needs MaxLR", func(o lr.Optimizer) (any, error) { return lr.NewOneCycleLR(o, lr.OneCycleConfig{TotalSteps: 100}) }},
		{"OneCycleLR MaxLR of group 0 must be positive and finite, got 0", func(o lr.Optimizer) (any, error) {
			return lr.NewOneCycleLR(o, lr.OneCycleConfig{MaxLR: one(0), TotalSteps: 100})
		}},
		{"OneCycleLR total steps must be at least 1, got 0", func(o lr.Optimizer) (any, error) {
			return lr.NewOneCycleLR(o, lr.OneCycleConfig{MaxLR: one(0.1), NoCycleMomentum: true})
		}},
		{"OneCycleLR PctStart must lie in (0, 1], got 1.2", func(o lr.Optimizer) (any, error) {
			return lr.NewOneCycleLR(o, lr.OneCycleConfig{MaxLR: one(0.1), TotalSteps: 100, PctStart: 1.2, NoCycleMomentum: true})
		}},
		{"OneCycleLR phase 2 of 2 has no steps (TotalSteps 100, PctStart 1)", func(o lr.Optimizer) (any, error) {
			return lr.NewOneCycleLR(o, lr.OneCycleConfig{MaxLR: one(0.1), TotalSteps: 100, PctStart: 1, NoCycleMomentum: true})
		}},
		{"OneCycleLR phase 1 of 3 has no steps (TotalSteps 10, PctStart 0.1)", func(o lr.Optimizer) (any, error) {
			return lr.NewOneCycleLR(o, lr.OneCycleConfig{MaxLR: one(0.1), TotalSteps: 10, PctStart: 0.1, ThreePhase: true, NoCycleMomentum: true})
		}},
		{`OneCycleLR Anneal "step" is not "cos" or "linear"`, func(o lr.Optimizer) (any, error) {
			return lr.NewOneCycleLR(o, lr.OneCycleConfig{MaxLR: one(0.1), TotalSteps: 100, Anneal: "step", NoCycleMomentum: true})
		}},
		{"OneCycleLR cycles the momentum but the optimiser (lr.Rates) has none: set NoCycleMomentum", func(o lr.Optimizer) (any, error) {
			return lr.NewOneCycleLR(o, lr.OneCycleConfig{MaxLR: one(0.1), TotalSteps: 100})
		}},
		{"ReduceLROnPlateau Factor must lie in (0, 1), got 1", func(o lr.Optimizer) (any, error) {
			return lr.NewReduceLROnPlateau(o, lr.PlateauConfig{Factor: 1})
		}},
		{`ReduceLROnPlateau Mode "up" is not "min" or "max"`, func(o lr.Optimizer) (any, error) {
			return lr.NewReduceLROnPlateau(o, lr.PlateauConfig{Mode: "up"})
		}},
		{"ReduceLROnPlateau Patience must not be negative, got -1", func(o lr.Optimizer) (any, error) {
			return lr.NewReduceLROnPlateau(o, lr.PlateauConfig{Patience: -1})
		}},
		{`ReduceLROnPlateau ThresholdMode "pct" is not "rel" or "abs"`, func(o lr.Optimizer) (any, error) {
			return lr.NewReduceLROnPlateau(o, lr.PlateauConfig{ThresholdMode: "pct"})
		}},
		{"ReduceLROnPlateau needs one MinLR or one per group (2), got 3", func(o lr.Optimizer) (any, error) {
			return lr.NewReduceLROnPlateau(o, lr.PlateauConfig{MinLR: []float64{0, 0, 0}})
		}},
		{"SequentialLR needs at least one scheduler", func(o lr.Optimizer) (any, error) { return lr.NewSequentialLR(nil, nil) }},
		{"SequentialLR needs one milestone fewer than schedulers, got 2 milestones for 2 schedulers", func(o lr.Optimizer) (any, error) {
			cs, _ := children(o, constant(0.5, 2), exponential(0.9))
			return lr.NewSequentialLR(cs, []int{2, 3})
		}},
		{"SequentialLR milestones must be increasing, got 2 after 5", func(o lr.Optimizer) (any, error) {
			cs, _ := children(o, constant(0.5, 2), exponential(0.9), exponential(0.8))
			return lr.NewSequentialLR(cs, []int{5, 2})
		}},
		{"SequentialLR milestone 0 must be at least 1", func(o lr.Optimizer) (any, error) {
			cs, _ := children(o, constant(0.5, 2), exponential(0.9))
			return lr.NewSequentialLR(cs, []int{0})
		}},
		{"SequentialLR cannot hold scheduler 1, a *lr.OneCycleLR", func(o lr.Optimizer) (any, error) {
			cs, _ := children(o, constant(0.5, 2), func(o lr.Optimizer) (lr.Scheduler, error) {
				return lr.NewOneCycleLR(o, lr.OneCycleConfig{MaxLR: one(0.1), TotalSteps: 100, NoCycleMomentum: true})
			})
			return lr.NewSequentialLR(cs, []int{2})
		}},
		{"ChainedScheduler scheduler 1 is not over the same optimiser as scheduler 0", func(o lr.Optimizer) (any, error) {
			a, _ := lr.NewExponentialLR(o, 0.9)
			b, _ := lr.NewExponentialLR(lr.Rates{0.1, 0.05}, 0.9)
			return lr.NewChainedScheduler([]lr.Scheduler{a, b})
		}},
	} {
		opt := lr.Rates{0.1, 0.05}
		s, err := tc.build(opt)
		if err == nil {
			t.Errorf("%T built, want error %q", s, tc.want)
			continue
		}
		if !strings.HasPrefix(err.Error(), "lr: ") || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("error %q, want %q", err, tc.want)
		}
		if !strings.Contains(tc.want, "Scheduler") && !strings.Contains(tc.want, "SequentialLR") && !equal(rates(opt), []float64{0.1, 0.05}) {
			t.Errorf("%q: the refused scheduler changed the rates to %v", tc.want, rates(opt))
		}
	}
}

// TestNilOptimizerPanics checks the documented panic for a nil optimiser.
func TestNilOptimizerPanics(t *testing.T) {
	defer func() {
		if r := recover(); r == nil || !strings.HasPrefix(r.(string), "lr: StepLR of a nil optimiser") {
			t.Errorf("recovered %v", r)
		}
	}()
	lr.NewStepLR(nil, 1, 0.1)
}

// TestOneCycleEnds checks that OneCycleLR takes TotalSteps steps, like torch, and refuses
// the next with ErrEnded, changing nothing.
func TestOneCycleEnds(t *testing.T) {
	opt := lr.Rates{0.1}
	s, err := lr.NewOneCycleLR(opt, lr.OneCycleConfig{MaxLR: one(0.1), TotalSteps: 10, NoCycleMomentum: true})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 10 {
		if err := s.Step(); err != nil {
			t.Fatalf("step %d: %v", i+1, err)
		}
	}
	before := rates(opt)
	err = s.Step()
	if !errors.Is(err, lr.ErrEnded) || !strings.Contains(err.Error(), "OneCycleLR stepped 12 times (its construction included), past its 10 total steps") {
		t.Fatalf("step 11: %v", err)
	}
	if !equal(before, rates(opt)) {
		t.Errorf("the refused step changed the rates")
	}
}

// TestNonFiniteRate checks that a rate that is not finite is a *RateError and that the step
// changes nothing.
func TestNonFiniteRate(t *testing.T) {
	opt := lr.Rates{0.1, 0.05}
	s, err := lr.NewLambdaLR(opt, func(e int) float64 {
		if e == 3 {
			return math.Inf(1)
		}
		return 1 / float64(e+1)
	})
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := s.Step(); err != nil {
			t.Fatal(err)
		}
	}
	before := rates(opt)
	err = s.Step()
	var re *lr.RateError
	if !errors.As(err, &re) || re.Step != 3 || re.Group != 0 || re.Scheduler != "LambdaLR" {
		t.Fatalf("got %v, want a RateError at step 3", err)
	}
	if err.Error() != "lr: LambdaLR computed the learning rate +Inf for group 0 at step 3" {
		t.Errorf("message %q", err)
	}
	if !equal(before, rates(opt)) || !equal(before, s.LastLR()) {
		t.Errorf("the refused step changed the rates")
	}
	// The schedule has not advanced: once λ is finite again, step 3 is retried.
}

// TestPlateauMetric checks that ReduceLROnPlateau refuses a metric that is not finite.
func TestPlateauMetric(t *testing.T) {
	s, err := lr.NewReduceLROnPlateau(lr.Rates{0.1}, lr.PlateauDefaults())
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Step(math.NaN()); err == nil || err.Error() != "lr: ReduceLROnPlateau metric is NaN at step 1" {
		t.Errorf("got %v", err)
	}
}

// TestNoGroups checks that an optimiser without parameter groups is refused.
func TestNoGroups(t *testing.T) {
	if _, err := lr.NewStepLR(lr.Rates{}, 1, 0.1); err == nil || err.Error() != "lr: StepLR of an optimiser without parameter groups" {
		t.Errorf("got %v", err)
	}
	if _, err := lr.Parse("cosine", lr.Rates{}, 1, 1); err == nil || err.Error() != "lr: schedule of an optimiser without parameter groups" {
		t.Errorf("got %v", err)
	}
}
