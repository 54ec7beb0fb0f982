package lr_test

import (
	"encoding/json"
	"math"
	"os"
	"sync"
	"testing"

	"github.com/descent-ml/descent/optim/lr"
)

// The problems shared by the tests: the schedules of testdata/gen_torch.py, each built here
// the way the script builds it in torch, over two groups with rates 0.1 and 0.05.

// schedule is what the tests need of a scheduler, ReduceLROnPlateau included.
type schedule interface {
	LastLR() []float64
	MarshalBinary() ([]byte, error)
	UnmarshalBinary([]byte) error
}

// torchCase builds one schedule of the fixture.
type torchCase struct {
	// momentum is the optimiser's momentum (or Adam's β₁) in torch, 0 for an optimiser
	// built without one; with momentum the test optimiser is a lr.MomentumRates.
	momentum float64
	build    func(opt lr.Optimizer) (schedule, error)
}

func one(v float64) []float64 { return []float64{v} }

// seq builds children in order and then the composite, as the script does in torch.
func children(opt lr.Optimizer, builds ...func(lr.Optimizer) (lr.Scheduler, error)) ([]lr.Scheduler, error) {
	var out []lr.Scheduler
	for _, b := range builds {
		s, err := b(opt)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

func linear(start, end float64, total int) func(lr.Optimizer) (lr.Scheduler, error) {
	return func(o lr.Optimizer) (lr.Scheduler, error) { return lr.NewLinearLR(o, start, end, total) }
}

func constant(factor float64, total int) func(lr.Optimizer) (lr.Scheduler, error) {
	return func(o lr.Optimizer) (lr.Scheduler, error) { return lr.NewConstantLR(o, factor, total) }
}

func exponential(gamma float64) func(lr.Optimizer) (lr.Scheduler, error) {
	return func(o lr.Optimizer) (lr.Scheduler, error) { return lr.NewExponentialLR(o, gamma) }
}

func cosine(tMax int, etaMin float64) func(lr.Optimizer) (lr.Scheduler, error) {
	return func(o lr.Optimizer) (lr.Scheduler, error) { return lr.NewCosineAnnealingLR(o, tMax, etaMin) }
}

var torchCases = map[string]torchCase{
	"lambda/per-group": {build: func(o lr.Optimizer) (schedule, error) {
		return lr.NewLambdaLR(o, func(e int) float64 { return math.Pow(0.95, float64(e)) },
			func(e int) float64 { return 1.0 / (1.0 + 0.01*float64(e)) })
	}},
	"lambda/shared": {build: func(o lr.Optimizer) (schedule, error) {
		return lr.NewLambdaLR(o, func(e int) float64 { return math.Pow(0.5, float64(e/30)) })
	}},
	"multiplicative/constant": {build: func(o lr.Optimizer) (schedule, error) {
		return lr.NewMultiplicativeLR(o, func(int) float64 { return 0.99 })
	}},
	"multiplicative/per-group": {build: func(o lr.Optimizer) (schedule, error) {
		return lr.NewMultiplicativeLR(o, func(int) float64 { return 0.98 }, func(e int) float64 {
			if e%10 == 0 {
				return 0.9
			}
			return 1.0
		})
	}},
	"step/30/0.1": {build: func(o lr.Optimizer) (schedule, error) { return lr.NewStepLR(o, 30, 0.1) }},
	"step/7/0.8":  {build: func(o lr.Optimizer) (schedule, error) { return lr.NewStepLR(o, 7, 0.8) }},
	"multistep/30,80,150/0.1": {build: func(o lr.Optimizer) (schedule, error) {
		return lr.NewMultiStepLR(o, []int{30, 80, 150}, 0.1)
	}},
	"multistep/1,2,3,250/0.5": {build: func(o lr.Optimizer) (schedule, error) {
		return lr.NewMultiStepLR(o, []int{1, 2, 3, 250}, 0.5)
	}},
	"constant/default":   {build: func(o lr.Optimizer) (schedule, error) { return lr.NewConstantLR(o, 1.0/3, 5) }},
	"constant/0.5/100":   {build: func(o lr.Optimizer) (schedule, error) { return lr.NewConstantLR(o, 0.5, 100) }},
	"linear/default":     {build: func(o lr.Optimizer) (schedule, error) { return lr.NewLinearLR(o, 1.0/3, 1, 5) }},
	"linear/decay":       {build: func(o lr.Optimizer) (schedule, error) { return lr.NewLinearLR(o, 1, 0.1, 200) }},
	"linear/warmup":      {build: func(o lr.Optimizer) (schedule, error) { return lr.NewLinearLR(o, 0.01, 1, 250) }},
	"exponential/0.99":   {build: func(o lr.Optimizer) (schedule, error) { return lr.NewExponentialLR(o, 0.99) }},
	"exponential/0.9":    {build: func(o lr.Optimizer) (schedule, error) { return lr.NewExponentialLR(o, 0.9) }},
	"polynomial/default": {build: func(o lr.Optimizer) (schedule, error) { return lr.NewPolynomialLR(o, 5, 1) }},
	"polynomial/250/2":   {build: func(o lr.Optimizer) (schedule, error) { return lr.NewPolynomialLR(o, 250, 2) }},
	"polynomial/300/0.5": {build: func(o lr.Optimizer) (schedule, error) { return lr.NewPolynomialLR(o, 300, 0.5) }},
	"cosine/50":          {build: func(o lr.Optimizer) (schedule, error) { return lr.NewCosineAnnealingLR(o, 50, 0) }},
	"cosine/300/0.001":   {build: func(o lr.Optimizer) (schedule, error) { return lr.NewCosineAnnealingLR(o, 300, 0.001) }},
	"cosine/7/0.01":      {build: func(o lr.Optimizer) (schedule, error) { return lr.NewCosineAnnealingLR(o, 7, 0.01) }},
	"warmrestarts/10": {build: func(o lr.Optimizer) (schedule, error) {
		return lr.NewCosineAnnealingWarmRestarts(o, 10, 1, 0)
	}},
	"warmrestarts/5/2/0.001": {build: func(o lr.Optimizer) (schedule, error) {
		return lr.NewCosineAnnealingWarmRestarts(o, 5, 2, 0.001)
	}},
	"warmrestarts/50/3": {build: func(o lr.Optimizer) (schedule, error) {
		return lr.NewCosineAnnealingWarmRestarts(o, 50, 3, 0)
	}},
	"cyclic/triangular": {momentum: 0.9, build: func(o lr.Optimizer) (schedule, error) {
		return lr.NewCyclicLR(o, lr.CyclicConfig{BaseLR: one(0.01), MaxLR: one(0.1), StepSizeUp: 20})
	}},
	"cyclic/triangular2/per-group": {momentum: 0.9, build: func(o lr.Optimizer) (schedule, error) {
		return lr.NewCyclicLR(o, lr.CyclicConfig{BaseLR: []float64{0.01, 0.001}, MaxLR: []float64{0.1, 0.02},
			StepSizeUp: 10, StepSizeDown: 25, Mode: lr.Triangular2,
			BaseMomentum: []float64{0.8, 0.85}, MaxMomentum: []float64{0.9, 0.95}})
	}},
	"cyclic/exp_range/no-momentum": {build: func(o lr.Optimizer) (schedule, error) {
		return lr.NewCyclicLR(o, lr.CyclicConfig{BaseLR: one(0.001), MaxLR: one(0.1), StepSizeUp: 15,
			Mode: lr.ExpRange, Gamma: 0.995, NoCycleMomentum: true})
	}},
	"cyclic/custom-cycle": {momentum: 0.9, build: func(o lr.Optimizer) (schedule, error) {
		return lr.NewCyclicLR(o, lr.CyclicConfig{BaseLR: one(0.01), MaxLR: one(0.1), StepSizeUp: 12, StepSizeDown: 7,
			ScaleFn: func(x int) float64 { return 1.0 / (1.0 + 0.5*float64(x-1)) }})
	}},
	"cyclic/custom-iterations": {build: func(o lr.Optimizer) (schedule, error) {
		return lr.NewCyclicLR(o, lr.CyclicConfig{BaseLR: one(0.01), MaxLR: one(0.1), StepSizeUp: 9,
			ScaleFn: func(x int) float64 { return 1.0 / (1.0 + 0.01*float64(x)) }, ScaleMode: lr.ScaleIterations,
			NoCycleMomentum: true})
	}},
	"onecycle/cos": {momentum: 0.9, build: func(o lr.Optimizer) (schedule, error) {
		return lr.NewOneCycleLR(o, lr.OneCycleConfig{MaxLR: []float64{0.1, 0.05}, TotalSteps: 300})
	}},
	"onecycle/linear": {momentum: 0.9, build: func(o lr.Optimizer) (schedule, error) {
		return lr.NewOneCycleLR(o, lr.OneCycleConfig{MaxLR: one(0.2), TotalSteps: 300, Anneal: lr.AnnealLinear})
	}},
	"onecycle/three-phase": {momentum: 0.9, build: func(o lr.Optimizer) (schedule, error) {
		return lr.NewOneCycleLR(o, lr.OneCycleConfig{MaxLR: []float64{0.1, 0.05}, TotalSteps: 30 * 10, ThreePhase: true})
	}},
	"onecycle/three-phase-linear/adam": {momentum: 0.9, build: func(o lr.Optimizer) (schedule, error) {
		return lr.NewOneCycleLR(o, lr.OneCycleConfig{MaxLR: []float64{0.01, 0.003}, TotalSteps: 300, PctStart: 0.25,
			Anneal: lr.AnnealLinear, DivFactor: 10, FinalDivFactor: 100, ThreePhase: true,
			BaseMomentum: []float64{0.8, 0.85}, MaxMomentum: one(0.9)})
	}},
	"onecycle/no-momentum": {build: func(o lr.Optimizer) (schedule, error) {
		return lr.NewOneCycleLR(o, lr.OneCycleConfig{MaxLR: one(0.1), TotalSteps: 300, PctStart: 0.4, NoCycleMomentum: true})
	}},
	"plateau/min-rel": {build: func(o lr.Optimizer) (schedule, error) {
		cfg := lr.PlateauDefaults()
		cfg.Factor, cfg.Patience = 0.5, 5
		return lr.NewReduceLROnPlateau(o, cfg)
	}},
	"plateau/min-abs-cooldown": {build: func(o lr.Optimizer) (schedule, error) {
		cfg := lr.PlateauDefaults()
		cfg.Factor, cfg.Patience, cfg.Threshold, cfg.ThresholdMode, cfg.Cooldown = 0.7, 2, 0.01, lr.Absolute, 3
		return lr.NewReduceLROnPlateau(o, cfg)
	}},
	"plateau/max-rel-minlr": {build: func(o lr.Optimizer) (schedule, error) {
		cfg := lr.PlateauDefaults()
		cfg.Mode, cfg.Factor, cfg.Patience, cfg.MinLR = lr.Maximize, 0.3, 3, []float64{0.001, 0.0005}
		return lr.NewReduceLROnPlateau(o, cfg)
	}},
	"plateau/max-abs-eps": {build: func(o lr.Optimizer) (schedule, error) {
		cfg := lr.PlateauDefaults()
		cfg.Mode, cfg.Factor, cfg.Patience, cfg.Threshold, cfg.ThresholdMode = lr.Maximize, 0.8, 1, 0.001, lr.Absolute
		cfg.MinLR, cfg.Eps = one(0.02), 0.004
		return lr.NewReduceLROnPlateau(o, cfg)
	}},
	"sequential/warmup-cosine": {build: func(o lr.Optimizer) (schedule, error) {
		cs, err := children(o, linear(0.1, 1, 20), cosine(280, 0))
		if err != nil {
			return nil, err
		}
		return lr.NewSequentialLR(cs, []int{20})
	}},
	"sequential/constant-exponential": {build: func(o lr.Optimizer) (schedule, error) {
		cs, err := children(o, constant(0.1, 2), exponential(0.9))
		if err != nil {
			return nil, err
		}
		return lr.NewSequentialLR(cs, []int{2})
	}},
	"sequential/three": {build: func(o lr.Optimizer) (schedule, error) {
		cs, err := children(o,
			func(o lr.Optimizer) (lr.Scheduler, error) {
				return lr.NewLambdaLR(o, func(e int) float64 { return float64(e+1) / 10.0 })
			},
			func(o lr.Optimizer) (lr.Scheduler, error) { return lr.NewStepLR(o, 30, 0.5) },
			func(o lr.Optimizer) (lr.Scheduler, error) { return lr.NewCosineAnnealingWarmRestarts(o, 20, 1, 0.001) })
		if err != nil {
			return nil, err
		}
		return lr.NewSequentialLR(cs, []int{10, 100})
	}},
	"sequential/linear-multistep-polynomial": {build: func(o lr.Optimizer) (schedule, error) {
		cs, err := children(o, linear(0.5, 1, 10),
			func(o lr.Optimizer) (lr.Scheduler, error) { return lr.NewMultiStepLR(o, []int{20, 50}, 0.3) },
			func(o lr.Optimizer) (lr.Scheduler, error) { return lr.NewPolynomialLR(o, 100, 1.5) })
		if err != nil {
			return nil, err
		}
		return lr.NewSequentialLR(cs, []int{15, 150})
	}},
	"chained/constant-exponential": {build: func(o lr.Optimizer) (schedule, error) {
		cs, err := children(o, constant(0.1, 2), exponential(0.9))
		if err != nil {
			return nil, err
		}
		return lr.NewChainedScheduler(cs)
	}},
	"chained/step-linear-cosine": {build: func(o lr.Optimizer) (schedule, error) {
		cs, err := children(o, func(o lr.Optimizer) (lr.Scheduler, error) { return lr.NewStepLR(o, 10, 0.5) },
			linear(0.2, 1, 30), cosine(40, 0.0001))
		if err != nil {
			return nil, err
		}
		return lr.NewChainedScheduler(cs)
	}},
	"chained/constant-lambda-multiplicative": {build: func(o lr.Optimizer) (schedule, error) {
		cs, err := children(o, constant(0.25, 4),
			func(o lr.Optimizer) (lr.Scheduler, error) {
				return lr.NewLambdaLR(o, func(e int) float64 { return 1.0 / (1.0 + float64(e)) })
			},
			func(o lr.Optimizer) (lr.Scheduler, error) {
				return lr.NewMultiplicativeLR(o, func(int) float64 { return 1.01 })
			})
		if err != nil {
			return nil, err
		}
		return lr.NewChainedScheduler(cs)
	}},
}

// fixture is testdata/torch_schedules.json, written by testdata/gen_torch.py.
type fixture struct {
	Torch string `json:"torch"`
	Steps int    `json:"steps"`
	Cases []struct {
		Name     string      `json:"name"`
		LR0      []float64   `json:"lr0"`
		LRs      [][]float64 `json:"lrs"`
		Momentum [][]float64 `json:"momentum"`
		Metrics  []float64   `json:"metrics"`
	} `json:"cases"`
}

var loadFixture = sync.OnceValues(func() (*fixture, error) {
	b, err := os.ReadFile("testdata/torch_schedules.json")
	if err != nil {
		return nil, err
	}
	var f fixture
	return &f, json.Unmarshal(b, &f)
})

func readFixture(t *testing.T) *fixture {
	t.Helper()
	f, err := loadFixture()
	if err != nil {
		t.Fatalf("reading the torch fixture: %v", err)
	}
	return f
}

// optimizer returns the test optimiser of a case: the fixture's rates, and the momentum of
// torch's optimiser if the case has one.
func (c torchCase) optimizer(lr0 []float64) lr.Optimizer {
	lrs := append([]float64(nil), lr0...)
	if c.momentum == 0 {
		return lr.Rates(lrs)
	}
	m := make([]float64, len(lrs))
	for g := range m {
		m[g] = c.momentum
	}
	return &lr.MomentumRates{LRs: lrs, Momenta: m}
}

// step takes step t (from 0) of s, with the fixture's metric for ReduceLROnPlateau.
func step(s schedule, metrics []float64, t int) error {
	if p, ok := s.(*lr.ReduceLROnPlateau); ok {
		return p.Step(metrics[t])
	}
	return s.(lr.Scheduler).Step()
}

// momenta returns the optimiser's momenta, or nil.
func momenta(opt lr.Optimizer) []float64 {
	if m, ok := opt.(*lr.MomentumRates); ok {
		return append([]float64(nil), m.Momenta...)
	}
	return nil
}

func rates(opt lr.Optimizer) []float64 {
	out := make([]float64, opt.NumGroups())
	for g := range out {
		out[g] = opt.LR(g)
	}
	return out
}
