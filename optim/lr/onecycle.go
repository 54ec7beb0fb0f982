package lr

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
)

// ErrEnded is wrapped by the error of a step past the end of a schedule of fixed length
// ([OneCycleLR]).
var ErrEnded = errors.New("lr: schedule ended")

// Anneal names the shape of the phases of [OneCycleLR] and of the annealing of [SWALR].
type Anneal string

// The annealing strategies.
const (
	AnnealCos    Anneal = "cos"    // half a cosine
	AnnealLinear Anneal = "linear" // a straight line
)

// OneCycleConfig sets up a [OneCycleLR]. Its zero value, with MaxLR and TotalSteps given,
// is torch's defaults.
type OneCycleConfig struct {
	// MaxLR is the peak learning rate, one value for all groups or one per group. Required.
	MaxLR []float64
	// TotalSteps is the number of steps of the cycle, torch's total_steps or epochs ×
	// steps_per_epoch. Required.
	TotalSteps int
	// PctStart is the fraction of the steps spent rising to MaxLR, in (0, 1]. If 0, it is 0.3.
	PctStart float64
	// Anneal is the shape of the phases. If empty, it is AnnealCos.
	Anneal Anneal
	// NoCycleMomentum turns off the momentum cycle (torch's cycle_momentum=False). The cycle,
	// on by default, needs an optimiser that is a [Momentumer]; it moves the momentum (or
	// β₁) from MaxMomentum down to BaseMomentum while the rate rises, and back.
	NoCycleMomentum bool
	// BaseMomentum and MaxMomentum bound the momentum cycle, one value for all groups or
	// one per group. If nil, they are 0.85 and 0.95.
	BaseMomentum, MaxMomentum []float64
	// DivFactor sets the initial rate, MaxLR/DivFactor. If 0, it is 25.
	DivFactor float64
	// FinalDivFactor sets the final rate, MaxLR/DivFactor/FinalDivFactor. If 0, it is 1e4.
	FinalDivFactor float64
	// ThreePhase, as in Smith's paper, falls back to the initial rate as fast as it rose,
	// then anneals to the final rate in a third phase; otherwise (fastai's way) the second
	// phase anneals from MaxLR straight to the final rate.
	ThreePhase bool
}

// OneCycleLR runs the 1cycle policy (Smith and Topin, "Super-Convergence: Very Fast Training
// of Neural Networks Using Large Learning Rates", 2017; torch.optim.lr_scheduler.OneCycleLR):
// the learning rate of each group rises from MaxLR/DivFactor to MaxLR over the first
// PctStart of TotalSteps, then anneals to MaxLR/DivFactor/FinalDivFactor, while the
// momentum moves the other way. Within a phase from a to b over steps s₀ to s₁, at step t
//
//	p = (t − s₀)/(s₁ − s₀),   η_t = b + (a − b)(1 + cos πp)/2  (AnnealCos)  or  a + (b − a)p  (AnnealLinear)
//
// with phase ends PctStart·T − 1 (then 2·PctStart·T − 2 with ThreePhase) and T − 1. It is
// meant to step after every batch. Like torch, it accepts TotalSteps steps after its
// construction, the last of which extrapolates past the end of the schedule (for a training
// step that does not come); one more is an error wrapping [ErrEnded].
type OneCycleLR struct {
	c                core
	max, min         []float64 // per group; c.base holds the initial rates
	total            int
	pctStart         float64
	anneal           Anneal
	threePhase       bool
	divFactor, final float64
	ends             []float64 // phase ends
	mc               momentumCycle
}

// NewOneCycleLR returns a OneCycleLR over opt and sets the rates (and momenta) of step 0:
// MaxLR/DivFactor (and MaxMomentum).
func NewOneCycleLR(opt Optimizer, cfg OneCycleConfig) (*OneCycleLR, error) {
	const name = "OneCycleLR"
	if err := checkGroups(opt, name); err != nil {
		return nil, err
	}
	max, err := checkLRs(name, "MaxLR", cfg.MaxLR, opt.NumGroups(), true)
	if err != nil {
		return nil, err
	}
	if cfg.PctStart == 0 {
		cfg.PctStart = 0.3
	}
	if cfg.Anneal == "" {
		cfg.Anneal = AnnealCos
	}
	if cfg.DivFactor == 0 {
		cfg.DivFactor = 25
	}
	if cfg.FinalDivFactor == 0 {
		cfg.FinalDivFactor = 1e4
	}
	ends, err := checkOneCycle(cfg.TotalSteps, cfg.PctStart, cfg.Anneal, cfg.ThreePhase, cfg.DivFactor, cfg.FinalDivFactor)
	if err != nil {
		return nil, err
	}
	mc, err := newMomentumCycle(name, opt, cfg.NoCycleMomentum, cfg.BaseMomentum, cfg.MaxMomentum, 0.85, 0.95)
	if err != nil {
		return nil, err
	}
	s := &OneCycleLR{c: newCore(opt, name), max: max, min: make([]float64, len(max)), total: cfg.TotalSteps,
		pctStart: cfg.PctStart, anneal: cfg.Anneal, threePhase: cfg.ThreePhase,
		divFactor: cfg.DivFactor, final: cfg.FinalDivFactor, ends: ends, mc: mc}
	for g := range max {
		s.c.base[g] = max[g] / cfg.DivFactor
		s.min[g] = s.c.base[g] / cfg.FinalDivFactor
	}
	if err := s.Step(); err != nil {
		return nil, err
	}
	return s, nil
}

// checkOneCycle checks the shape of the cycle and returns the ends of its phases, none of
// which may be empty.
func checkOneCycle(total int, pctStart float64, anneal Anneal, threePhase bool, div, final float64) ([]float64, error) {
	const name = "OneCycleLR"
	if err := checkPositiveInt(name, "total steps", total); err != nil {
		return nil, err
	}
	if err := checkFactor(name, "PctStart", pctStart, 0, true); err != nil {
		return nil, err
	}
	if anneal != AnnealCos && anneal != AnnealLinear {
		return nil, fmt.Errorf("lr: %s Anneal %q is not %q or %q", name, anneal, AnnealCos, AnnealLinear)
	}
	if err := checkPositive(name, "DivFactor", div); err != nil {
		return nil, err
	}
	if err := checkPositive(name, "FinalDivFactor", final); err != nil {
		return nil, err
	}
	T := float64(total)
	ends := []float64{pctStart*T - 1, T - 1}
	if threePhase {
		ends = []float64{pctStart*T - 1, 2*pctStart*T - 2, T - 1}
	}
	start := 0.0
	for i, end := range ends {
		if end == start {
			return nil, fmt.Errorf("lr: %s phase %d of %d has no steps (TotalSteps %d, PctStart %v)", name, i+1, len(ends), total, pctStart)
		}
		start = end
	}
	return ends, nil
}

// Step sets the rates (and momenta) of the next step, or returns an error wrapping
// [ErrEnded] after TotalSteps steps.
func (s *OneCycleLR) Step() error {
	t := s.c.epoch + 1
	if t > s.total {
		return fmt.Errorf("%w: OneCycleLR stepped %d times (its construction included), past its %d total steps", ErrEnded, t+1, s.total)
	}
	phase, pct := s.position(t)
	err := s.c.apply(t, func(_, g int, _ float64) float64 {
		a, b := s.phaseLRs(phase, g)
		return s.annealing(a, b, pct)
	})
	if err != nil || s.mc.opt == nil {
		return err
	}
	for g := range s.mc.last {
		a, b := s.mc.max[g], s.mc.base[g] // rising phase: momentum falls
		switch {
		case phase == 1:
			a, b = b, a
		case phase == 2:
			b = a
		}
		s.mc.last[g] = s.annealing(a, b, pct)
	}
	s.mc.set()
	return nil
}

// position returns the phase of step t and the fraction of it done, as torch finds them.
func (s *OneCycleLR) position(t int) (phase int, pct float64) {
	start := 0.0
	for i, end := range s.ends {
		if float64(t) <= end || i == len(s.ends)-1 {
			return i, (float64(t) - start) / (end - start)
		}
		start = end
	}
	panic("unreachable")
}

// phaseLRs returns the rates at the start and end of a phase for group g.
func (s *OneCycleLR) phaseLRs(phase, g int) (from, to float64) {
	switch {
	case phase == 0:
		return s.c.base[g], s.max[g]
	case phase == 1 && s.threePhase:
		return s.max[g], s.c.base[g]
	case phase == 1:
		return s.max[g], s.min[g]
	}
	return s.c.base[g], s.min[g]
}

func (s *OneCycleLR) annealing(start, end, pct float64) float64 {
	if s.anneal == AnnealLinear {
		return (end-start)*pct + start
	}
	cosOut := math.Cos(math.Pi*pct) + 1
	return end + (start-end)/2.0*cosOut
}

// LastLR returns the rates set by the latest step.
func (s *OneCycleLR) LastLR() []float64 { return s.c.last }

type oneCycleLRState struct {
	common
	MaxLRs         []float64 `json:"max_lrs"`
	MinLRs         []float64 `json:"min_lrs"`
	TotalSteps     int       `json:"total_steps"`
	PctStart       float64   `json:"pct_start"`
	Anneal         Anneal    `json:"anneal_strategy"`
	ThreePhase     bool      `json:"three_phase"`
	DivFactor      float64   `json:"div_factor"`
	FinalDivFactor float64   `json:"final_div_factor"`
	momentumState
}

// MarshalBinary returns the state: step, rates (initial in base_lrs), cycle and momenta.
func (s *OneCycleLR) MarshalBinary() ([]byte, error) {
	return json.Marshal(&oneCycleLRState{s.c.common(), s.max, s.min, s.total, s.pctStart, s.anneal,
		s.threePhase, s.divFactor, s.final, s.mc.state()})
}

// UnmarshalBinary restores a state saved by a OneCycleLR, hyper-parameters included, and
// sets the optimiser's rates and momenta.
func (s *OneCycleLR) UnmarshalBinary(data []byte) error { return unmarshal(s, data) }

func (s *OneCycleLR) load(data []byte) (func(), error) {
	var st oneCycleLRState
	if err := s.c.decodeCommon(data, &st, &st.common); err != nil {
		return nil, err
	}
	for _, f := range []struct {
		field string
		v     []float64
	}{{"max_lrs", st.MaxLRs}, {"min_lrs", st.MinLRs}} {
		if err := checkRates(s.c.name, f.field, f.v, s.c.groups()); err != nil {
			return nil, err
		}
	}
	ends, err := checkOneCycle(st.TotalSteps, st.PctStart, st.Anneal, st.ThreePhase, st.DivFactor, st.FinalDivFactor)
	if err != nil {
		return nil, wrapCheck(err)
	}
	if st.LastEpoch > st.TotalSteps {
		return nil, stateErrorf("%s: last_epoch %d is past total_steps %d", s.c.name, st.LastEpoch, st.TotalSteps)
	}
	commitMomentum, err := s.mc.load(s.c.name, &st.momentumState, s.c.groups())
	if err != nil {
		return nil, err
	}
	return func() {
		s.c.restore(&st.common)
		copy(s.max, st.MaxLRs)
		copy(s.min, st.MinLRs)
		s.total, s.pctStart, s.anneal, s.threePhase = st.TotalSteps, st.PctStart, st.Anneal, st.ThreePhase
		s.divFactor, s.final, s.ends = st.DivFactor, st.FinalDivFactor, ends
		commitMomentum()
	}, nil
}

func (s *OneCycleLR) setOptimizer() {
	s.c.setOptimizer()
	s.mc.set()
}
