package lr

import (
	"encoding/json"
	"fmt"
	"math"
)

// CyclicMode names a built-in amplitude policy of [CyclicLR].
type CyclicMode string

// The amplitude policies of Smith's paper.
const (
	Triangular  CyclicMode = "triangular"  // constant amplitude
	Triangular2 CyclicMode = "triangular2" // amplitude halved at each cycle
	ExpRange    CyclicMode = "exp_range"   // amplitude times Gamma^iteration
)

// ScaleMode says what a custom [CyclicConfig.ScaleFn] is applied to.
type ScaleMode string

// The arguments of a custom scale function.
const (
	ScaleCycle      ScaleMode = "cycle"      // the cycle number, from 1
	ScaleIterations ScaleMode = "iterations" // the step number, from 0
)

// CyclicConfig sets up a [CyclicLR]. Its zero value, with BaseLR and MaxLR given, is torch's
// defaults.
type CyclicConfig struct {
	// BaseLR and MaxLR are the lower and upper learning rates of the cycle, one value for
	// all groups or one per group. Required.
	BaseLR, MaxLR []float64
	// StepSizeUp is the number of steps of the rising half of a cycle. If 0, it is 2000.
	StepSizeUp int
	// StepSizeDown is the number of steps of the falling half. If 0, it is StepSizeUp.
	StepSizeDown int
	// Mode is the amplitude policy. If empty, it is Triangular. It must be empty when
	// ScaleFn is set.
	Mode CyclicMode
	// Gamma is the factor of ExpRange, and may only be set with it. If 0, it is 1.
	Gamma float64
	// ScaleFn, if not nil, is a custom amplitude policy in place of Mode: a pure function
	// with values in [0, 1] of the cycle number or the step (ScaleMode).
	ScaleFn func(x int) float64
	// ScaleMode is the argument of ScaleFn, and may only be set with it. If empty, it is
	// ScaleCycle.
	ScaleMode ScaleMode
	// NoCycleMomentum turns off the momentum cycle (torch's cycle_momentum=False). The cycle,
	// on by default, needs an optimiser that is a [Momentumer]; it moves the momentum from
	// MaxMomentum down to BaseMomentum while the rate rises, and back.
	NoCycleMomentum bool
	// BaseMomentum and MaxMomentum bound the momentum cycle, one value for all groups or
	// one per group. If nil, they are 0.8 and 0.9.
	BaseMomentum, MaxMomentum []float64
}

// CyclicLR cycles the learning rate of each group between BaseLR and MaxLR along a
// triangle wave, with an amplitude policy, and the momentum the other way (Smith,
// "Cyclical Learning Rates for Training Neural Networks", WACV 2017;
// torch.optim.lr_scheduler.CyclicLR). With S = StepSizeUp + StepSizeDown, at step t
//
//	cycle = ⌊1 + t/S⌋,   x = 1 + t/S − cycle
//	s = x/r if x ≤ r, else (x − 1)/(r − 1),   r = StepSizeUp/S
//	η_t = η_base + (η_max − η_base)·s·f,   m_t = m_max − (m_max − m_base)·s·f
//
// where f is 1 (Triangular), 1/2^(cycle−1) (Triangular2), Gamma^t (ExpRange) or ScaleFn.
// It is meant to step after every batch. Unlike torch 1.13, which refuses Adam here, it
// cycles β₁ of an optimiser whose Momentumer is β₁, as torch 2 does.
//
// Its state does not hold ScaleFn: build the scheduler that loads it with the same.
type CyclicLR struct {
	c              core
	max            []float64
	total, ratio   float64 // S and r
	mode           CyclicMode
	gamma          float64
	scaleFn        func(int) float64
	scaleMode      ScaleMode
	mc             momentumCycle
	stepUp, stepDn int
}

// NewCyclicLR returns a CyclicLR over opt and sets the rates (and momenta) of step 0: BaseLR
// (and MaxMomentum).
func NewCyclicLR(opt Optimizer, cfg CyclicConfig) (*CyclicLR, error) {
	const name = "CyclicLR"
	if err := checkGroups(opt, name); err != nil {
		return nil, err
	}
	n := opt.NumGroups()
	base, err := checkLRs(name, "BaseLR", cfg.BaseLR, n, false)
	if err != nil {
		return nil, err
	}
	max, err := checkLRs(name, "MaxLR", cfg.MaxLR, n, false)
	if err != nil {
		return nil, err
	}
	if cfg.StepSizeUp < 0 || cfg.StepSizeDown < 0 {
		return nil, fmt.Errorf("lr: %s step sizes must not be negative, got %d up and %d down", name, cfg.StepSizeUp, cfg.StepSizeDown)
	}
	if cfg.StepSizeUp == 0 {
		cfg.StepSizeUp = 2000
	}
	if cfg.StepSizeDown == 0 {
		cfg.StepSizeDown = cfg.StepSizeUp
	}
	if cfg.ScaleFn != nil {
		if cfg.Mode != "" {
			return nil, fmt.Errorf("lr: %s Mode %q and ScaleFn are exclusive", name, cfg.Mode)
		}
		if cfg.ScaleMode == "" {
			cfg.ScaleMode = ScaleCycle
		}
	} else {
		if cfg.ScaleMode != "" {
			return nil, fmt.Errorf("lr: %s ScaleMode %q is for a ScaleFn, which is nil", name, cfg.ScaleMode)
		}
		if cfg.Mode == "" {
			cfg.Mode = Triangular
		}
	}
	if cfg.Gamma != 0 && cfg.Mode != ExpRange {
		return nil, fmt.Errorf("lr: %s Gamma is for the ExpRange mode, not %q", name, cfg.Mode)
	}
	if cfg.Gamma == 0 {
		cfg.Gamma = 1
	}
	if err := checkCyclic(cfg.Mode, cfg.ScaleMode, cfg.Gamma, cfg.ScaleFn != nil); err != nil {
		return nil, err
	}
	mc, err := newMomentumCycle(name, opt, cfg.NoCycleMomentum, cfg.BaseMomentum, cfg.MaxMomentum, 0.8, 0.9)
	if err != nil {
		return nil, err
	}
	s := &CyclicLR{c: newCore(opt, name), max: max, mode: cfg.Mode, gamma: cfg.Gamma,
		scaleFn: cfg.ScaleFn, scaleMode: builtinScaleMode(cfg.Mode, cfg.ScaleMode), mc: mc}
	s.setSteps(cfg.StepSizeUp, cfg.StepSizeDown)
	copy(s.c.base, base)
	if err := s.Step(); err != nil {
		return nil, err
	}
	return s, nil
}

// checkCyclic checks the amplitude policy; custom says whether a ScaleFn is given.
func checkCyclic(mode CyclicMode, scaleMode ScaleMode, gamma float64, custom bool) error {
	const name = "CyclicLR"
	if custom {
		if scaleMode != ScaleCycle && scaleMode != ScaleIterations {
			return fmt.Errorf("lr: %s ScaleMode %q is not %q or %q", name, scaleMode, ScaleCycle, ScaleIterations)
		}
	} else if mode != Triangular && mode != Triangular2 && mode != ExpRange {
		return fmt.Errorf("lr: %s Mode %q is not %q, %q or %q", name, mode, Triangular, Triangular2, ExpRange)
	}
	return checkPositive(name, "gamma", gamma)
}

// builtinScaleMode returns the argument of a built-in mode's policy, as torch sets it,
// or scaleMode for a custom one (empty mode).
func builtinScaleMode(mode CyclicMode, scaleMode ScaleMode) ScaleMode {
	switch mode {
	case "":
		return scaleMode
	case ExpRange:
		return ScaleIterations
	}
	return ScaleCycle
}

func (s *CyclicLR) setSteps(up, down int) {
	s.stepUp, s.stepDn = up, down
	s.total = float64(up) + float64(down)
	s.ratio = float64(up) / s.total
}

// scale returns the amplitude policy's factor at step t of the given cycle.
func (s *CyclicLR) scale(t int, cycle float64) float64 {
	x := t
	if s.scaleMode == ScaleCycle {
		x = int(cycle)
	}
	switch {
	case s.scaleFn != nil:
		return s.scaleFn(x)
	case s.mode == Triangular2:
		return 1 / math.Pow(2, float64(x-1))
	case s.mode == ExpRange:
		return math.Pow(s.gamma, float64(x))
	}
	return 1
}

// Step sets the rates (and momenta) of the next step.
func (s *CyclicLR) Step() error {
	t := s.c.epoch + 1
	cycle := math.Floor(1 + float64(t)/s.total)
	x := 1. + float64(t)/s.total - cycle
	var sf float64
	if x <= s.ratio {
		sf = x / s.ratio
	} else {
		sf = (x - 1) / (s.ratio - 1)
	}
	f := s.scale(t, cycle)
	err := s.c.apply(t, func(_, g int, _ float64) float64 {
		return s.c.base[g] + (s.max[g]-s.c.base[g])*sf*f
	})
	if err != nil || s.mc.opt == nil {
		return err
	}
	for g := range s.mc.last {
		s.mc.last[g] = s.mc.max[g] - (s.mc.max[g]-s.mc.base[g])*sf*f
	}
	s.mc.set()
	return nil
}

// LastLR returns the rates set by the latest step.
func (s *CyclicLR) LastLR() []float64 { return s.c.last }

type cyclicLRState struct {
	common
	MaxLRs       []float64 `json:"max_lrs"`
	StepSizeUp   int       `json:"step_size_up"`
	StepSizeDown int       `json:"step_size_down"`
	Mode         string    `json:"mode"` // "custom" for a ScaleFn
	Gamma        float64   `json:"gamma"`
	ScaleMode    ScaleMode `json:"scale_mode"`
	momentumState
}

// MarshalBinary returns the state: step, rates, bounds, step sizes, policy and momenta.
func (s *CyclicLR) MarshalBinary() ([]byte, error) {
	mode := string(s.mode)
	if s.scaleFn != nil {
		mode = "custom"
	}
	return json.Marshal(&cyclicLRState{s.c.common(), s.max, s.stepUp, s.stepDn, mode, s.gamma, s.scaleMode, s.mc.state()})
}

// UnmarshalBinary restores a state saved by a CyclicLR, hyper-parameters included, and
// sets the optimiser's rates and momenta. A state saved with a ScaleFn needs one here.
func (s *CyclicLR) UnmarshalBinary(data []byte) error { return unmarshal(s, data) }

func (s *CyclicLR) load(data []byte) (func(), error) {
	var st cyclicLRState
	if err := s.c.decodeCommon(data, &st, &st.common); err != nil {
		return nil, err
	}
	if err := checkRates(s.c.name, "max_lrs", st.MaxLRs, s.c.groups()); err != nil {
		return nil, err
	}
	if st.StepSizeUp < 1 || st.StepSizeDown < 1 {
		return nil, stateErrorf("%s: step sizes %d and %d must be at least 1", s.c.name, st.StepSizeUp, st.StepSizeDown)
	}
	custom := st.Mode == "custom"
	if custom != (s.scaleFn != nil) {
		return nil, stateErrorf("%s: the state was saved with mode %q; a custom ScaleFn needs one on both sides", s.c.name, st.Mode)
	}
	mode := CyclicMode(st.Mode)
	if custom {
		mode = ""
	}
	if err := wrapCheck(checkCyclic(mode, st.ScaleMode, st.Gamma, custom)); err != nil {
		return nil, err
	}
	commitMomentum, err := s.mc.load(s.c.name, &st.momentumState, s.c.groups())
	if err != nil {
		return nil, err
	}
	return func() {
		s.c.restore(&st.common)
		copy(s.max, st.MaxLRs)
		s.setSteps(st.StepSizeUp, st.StepSizeDown)
		s.mode, s.gamma, s.scaleMode = mode, st.Gamma, builtinScaleMode(mode, st.ScaleMode)
		commitMomentum()
	}, nil
}

func (s *CyclicLR) setOptimizer() {
	s.c.setOptimizer()
	s.mc.set()
}
