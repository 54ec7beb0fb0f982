package lr

import (
	"encoding/json"
	"math"
	"slices"
	"sort"
)

// MultiStepLR multiplies the learning rate of each group by γ at each milestone step
// (torch.optim.lr_scheduler.MultiStepLR):
//
//	η_t = η_0 · γ^(number of milestones ≤ t)
//
// computed, as torch does, as η_t = η_{t-1}·γ when t is a milestone.
type MultiStepLR struct {
	c          core
	milestones []int
	gamma      float64
}

// NewMultiStepLR returns a MultiStepLR over opt and sets the rates of step 0. The milestones
// must be increasing and not negative (torch also accepts repeated milestones, which apply
// γ once per repetition: give γ² instead); gamma must be positive (torch's default is 0.1).
func NewMultiStepLR(opt Optimizer, milestones []int, gamma float64) (*MultiStepLR, error) {
	const name = "MultiStepLR"
	if err := checkGroups(opt, name); err != nil {
		return nil, err
	}
	if err := checkMultiStepLR(milestones, gamma); err != nil {
		return nil, err
	}
	s := &MultiStepLR{c: newCore(opt, name), milestones: slices.Clone(milestones), gamma: gamma}
	if err := s.Step(); err != nil {
		return nil, err
	}
	return s, nil
}

func checkMultiStepLR(milestones []int, gamma float64) error {
	if err := checkMilestones("MultiStepLR", milestones, 0); err != nil {
		return err
	}
	return checkPositive("MultiStepLR", "gamma", gamma)
}

// Step multiplies the rates by γ if the new step is a milestone.
func (s *MultiStepLR) Step() error { return s.c.apply(s.c.epoch+1, s.rate) }

func (s *MultiStepLR) rate(t, _ int, lr float64) float64 {
	if _, found := slices.BinarySearch(s.milestones, t); found {
		return lr * s.gamma
	}
	return lr
}

// stepZero is torch's step(0), used by [SequentialLR]: the closed form at step 0.
func (s *MultiStepLR) stepZero() error {
	return s.c.apply(0, func(t, g int, _ float64) float64 {
		passed := sort.SearchInts(s.milestones, t+1) // bisect_right(milestones, t)
		return s.c.base[g] * math.Pow(s.gamma, float64(passed))
	})
}

// LastLR returns the rates set by the latest step.
func (s *MultiStepLR) LastLR() []float64 { return s.c.last }

type multiStepLRState struct {
	common
	Milestones []int   `json:"milestones"`
	Gamma      float64 `json:"gamma"`
}

// MarshalBinary returns the state: step, rates, milestones and γ.
func (s *MultiStepLR) MarshalBinary() ([]byte, error) {
	return json.Marshal(&multiStepLRState{s.c.common(), s.milestones, s.gamma})
}

// UnmarshalBinary restores a state saved by a MultiStepLR, hyper-parameters included.
func (s *MultiStepLR) UnmarshalBinary(data []byte) error { return unmarshal(s, data) }

func (s *MultiStepLR) load(data []byte) (func(), error) {
	var st multiStepLRState
	if err := s.c.decodeCommon(data, &st, &st.common); err != nil {
		return nil, err
	}
	if err := wrapCheck(checkMultiStepLR(st.Milestones, st.Gamma)); err != nil {
		return nil, err
	}
	return func() { s.c.restore(&st.common); s.milestones, s.gamma = st.Milestones, st.Gamma }, nil
}

func (s *MultiStepLR) setOptimizer() { s.c.setOptimizer() }
func (s *MultiStepLR) shared() *core { return &s.c }
