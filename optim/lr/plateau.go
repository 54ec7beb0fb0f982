package lr

import (
	"encoding/json"
	"fmt"
	"math"
)

// PlateauMode says whether a [ReduceLROnPlateau] metric improves by falling or by rising.
type PlateauMode string

// The modes of ReduceLROnPlateau.
const (
	Minimize PlateauMode = "min" // lower is better (a loss)
	Maximize PlateauMode = "max" // higher is better (an accuracy)
)

// ThresholdMode says how [PlateauConfig.Threshold] measures a significant improvement.
type ThresholdMode string

// The threshold modes of ReduceLROnPlateau.
const (
	Relative ThresholdMode = "rel" // better than best·(1 ∓ Threshold)
	Absolute ThresholdMode = "abs" // better than best ∓ Threshold
)

// PlateauConfig sets up a [ReduceLROnPlateau]. Patience, Threshold and Eps are taken as
// given, zero included: start from [PlateauDefaults] for torch's values.
type PlateauConfig struct {
	// Mode says whether the metric should fall or rise. If empty, it is Minimize.
	Mode PlateauMode
	// Factor multiplies the rates at each reduction, in (0, 1). If 0, it is 0.1.
	Factor float64
	// Patience is the number of steps without improvement that are tolerated: the rates
	// are reduced at the next one. torch's default is 10.
	Patience int
	// Threshold is the least improvement that counts, relative or absolute (ThresholdMode).
	// torch's default is 1e-4.
	Threshold float64
	// ThresholdMode measures Threshold. If empty, it is Relative.
	ThresholdMode ThresholdMode
	// Cooldown is the number of steps after a reduction during which bad steps are not
	// counted. torch's default is 0.
	Cooldown int
	// MinLR bounds the rates from below, one value for all groups or one per group. If nil,
	// it is 0.
	MinLR []float64
	// Eps is the least change of a rate that is applied; smaller reductions are skipped.
	// torch's default is 1e-8.
	Eps float64
}

// PlateauDefaults returns torch's defaults: Minimize, Factor 0.1, Patience 10, Threshold 1e-4
// relative, no cooldown, MinLR 0, Eps 1e-8.
func PlateauDefaults() PlateauConfig {
	return PlateauConfig{Mode: Minimize, Factor: 0.1, Patience: 10, Threshold: 1e-4, ThresholdMode: Relative, Eps: 1e-8}
}

// ReduceLROnPlateau multiplies the learning rates by Factor when a metric, typically the
// validation loss, has not improved for more than Patience steps
// (torch.optim.lr_scheduler.ReduceLROnPlateau): the lecture's "once the loss is no longer
// decreasing, reducing the learning rate can help". A step's metric improves on the best so
// far, in Minimize mode with a relative threshold, when metric < best·(1 − Threshold). A reduction
// sets η ← max(η·Factor, MinLR), unless that changes η by Eps or less.
//
// Its Step takes the metric, so it is not a [Scheduler]; it steps once per epoch. Until the
// first step, LastLR returns the optimiser's rates at construction.
type ReduceLROnPlateau struct {
	opt          Optimizer
	cfg          PlateauConfig
	minLRs       []float64
	best         float64
	numBad       int
	cooldownLeft int
	epoch        int
	last         []float64
}

// NewReduceLROnPlateau returns a ReduceLROnPlateau over opt. It does not change the rates.
func NewReduceLROnPlateau(opt Optimizer, cfg PlateauConfig) (*ReduceLROnPlateau, error) {
	const name = "ReduceLROnPlateau"
	if err := checkGroups(opt, name); err != nil {
		return nil, err
	}
	if cfg.Mode == "" {
		cfg.Mode = Minimize
	}
	if cfg.Factor == 0 {
		cfg.Factor = 0.1
	}
	if cfg.ThresholdMode == "" {
		cfg.ThresholdMode = Relative
	}
	if err := checkPlateau(&cfg); err != nil {
		return nil, err
	}
	minLR := cfg.MinLR
	if minLR == nil {
		minLR = []float64{0}
	}
	minLRs, err := checkLRs(name, "MinLR", minLR, opt.NumGroups(), false)
	if err != nil {
		return nil, err
	}
	cfg.MinLR = nil // kept in minLRs
	s := &ReduceLROnPlateau{opt: opt, cfg: cfg, minLRs: minLRs, last: make([]float64, opt.NumGroups())}
	readRates(opt, s.last)
	s.reset()
	return s, nil
}

func checkPlateau(cfg *PlateauConfig) error {
	const name = "ReduceLROnPlateau"
	if cfg.Mode != Minimize && cfg.Mode != Maximize {
		return fmt.Errorf("lr: %s Mode %q is not %q or %q", name, cfg.Mode, Minimize, Maximize)
	}
	if !(cfg.Factor > 0 && cfg.Factor < 1) {
		return fmt.Errorf("lr: %s Factor must lie in (0, 1), got %v", name, cfg.Factor)
	}
	if cfg.Patience < 0 {
		return fmt.Errorf("lr: %s Patience must not be negative, got %d", name, cfg.Patience)
	}
	if err := checkNonNegative(name, "Threshold", cfg.Threshold); err != nil {
		return err
	}
	if cfg.ThresholdMode != Relative && cfg.ThresholdMode != Absolute {
		return fmt.Errorf("lr: %s ThresholdMode %q is not %q or %q", name, cfg.ThresholdMode, Relative, Absolute)
	}
	if cfg.Cooldown < 0 {
		return fmt.Errorf("lr: %s Cooldown must not be negative, got %d", name, cfg.Cooldown)
	}
	return checkNonNegative(name, "Eps", cfg.Eps)
}

// reset forgets the best metric and the counters.
func (s *ReduceLROnPlateau) reset() {
	s.best = math.Inf(1)
	if s.cfg.Mode == Maximize {
		s.best = math.Inf(-1)
	}
	s.cooldownLeft = 0
	s.numBad = 0
}

// Step records the metric of the step just done (an epoch's validation loss, say) and
// reduces the rates if it is one bad step too many. A metric that is NaN or infinite is an
// error, and changes nothing.
func (s *ReduceLROnPlateau) Step(metric float64) error {
	if math.IsNaN(metric) || math.IsInf(metric, 0) {
		return fmt.Errorf("lr: ReduceLROnPlateau metric is %v at step %d", metric, s.epoch+1)
	}
	s.epoch++
	if s.isBetter(metric) {
		s.best = metric
		s.numBad = 0
	} else {
		s.numBad++
	}
	if s.cooldownLeft > 0 {
		s.cooldownLeft--
		s.numBad = 0 // bad steps in cooldown do not count
	}
	if s.numBad > s.cfg.Patience {
		s.reduce()
		s.cooldownLeft = s.cfg.Cooldown
		s.numBad = 0
	}
	readRates(s.opt, s.last)
	return nil
}

func (s *ReduceLROnPlateau) isBetter(a float64) bool {
	switch {
	case s.cfg.Mode == Minimize && s.cfg.ThresholdMode == Relative:
		return a < s.best*(1.-s.cfg.Threshold)
	case s.cfg.Mode == Minimize:
		return a < s.best-s.cfg.Threshold
	case s.cfg.ThresholdMode == Relative:
		return a > s.best*(s.cfg.Threshold+1.)
	}
	return a > s.best+s.cfg.Threshold
}

func (s *ReduceLROnPlateau) reduce() {
	for g, minLR := range s.minLRs {
		old := s.opt.LR(g)
		lr := math.Max(old*s.cfg.Factor, minLR)
		if old-lr > s.cfg.Eps {
			s.opt.SetLR(g, lr)
		}
	}
}

// LastLR returns the rates after the latest step.
func (s *ReduceLROnPlateau) LastLR() []float64 { return s.last }

type plateauState struct {
	header
	LastEpoch     int           `json:"last_epoch"`
	LastLRs       []float64     `json:"last_lrs"`
	Mode          PlateauMode   `json:"mode"`
	Factor        float64       `json:"factor"`
	Patience      int           `json:"patience"`
	Threshold     float64       `json:"threshold"`
	ThresholdMode ThresholdMode `json:"threshold_mode"`
	Cooldown      int           `json:"cooldown"`
	MinLRs        []float64     `json:"min_lrs"`
	Eps           float64       `json:"eps"`
	Best          extended      `json:"best"`
	NumBadEpochs  int           `json:"num_bad_epochs"`
	CooldownLeft  int           `json:"cooldown_counter"`
}

// MarshalBinary returns the state: step, rates, configuration, best metric and counters.
func (s *ReduceLROnPlateau) MarshalBinary() ([]byte, error) {
	c := s.cfg
	return json.Marshal(&plateauState{newHeader("ReduceLROnPlateau"), s.epoch, s.last, c.Mode, c.Factor, c.Patience,
		c.Threshold, c.ThresholdMode, c.Cooldown, s.minLRs, c.Eps, extended(s.best), s.numBad, s.cooldownLeft})
}

// UnmarshalBinary restores a state saved by a ReduceLROnPlateau, configuration included, and
// sets the optimiser's rates.
func (s *ReduceLROnPlateau) UnmarshalBinary(data []byte) error { return unmarshal(s, data) }

func (s *ReduceLROnPlateau) load(data []byte) (func(), error) {
	const name = "ReduceLROnPlateau"
	var st plateauState
	if err := decode(data, name, &st); err != nil {
		return nil, err
	}
	groups := len(s.last)
	if err := checkRates(name, "last_lrs", st.LastLRs, groups); err != nil {
		return nil, err
	}
	if err := checkRates(name, "min_lrs", st.MinLRs, groups); err != nil {
		return nil, err
	}
	cfg := PlateauConfig{Mode: st.Mode, Factor: st.Factor, Patience: st.Patience, Threshold: st.Threshold,
		ThresholdMode: st.ThresholdMode, Cooldown: st.Cooldown, Eps: st.Eps}
	if err := wrapCheck(checkPlateau(&cfg)); err != nil {
		return nil, err
	}
	if st.LastEpoch < 0 || st.NumBadEpochs < 0 || st.CooldownLeft < 0 || math.IsNaN(float64(st.Best)) {
		return nil, stateErrorf("%s: bad counters or best metric", name)
	}
	return func() {
		s.cfg = cfg
		copy(s.minLRs, st.MinLRs)
		copy(s.last, st.LastLRs)
		s.epoch, s.best, s.numBad, s.cooldownLeft = st.LastEpoch, float64(st.Best), st.NumBadEpochs, st.CooldownLeft
	}, nil
}

func (s *ReduceLROnPlateau) setOptimizer() { setRates(s.opt, s.last) }
