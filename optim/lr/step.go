package lr

import (
	"encoding/json"
	"math"
)

// StepLR multiplies the learning rate of each group by γ every StepSize steps
// (torch.optim.lr_scheduler.StepLR): the lecture's "divide the learning rate by D every T
// epochs",
//
//	η_t = η_0 · γ^⌊t/StepSize⌋
//
// computed, as torch does, as η_t = η_{t-1}·γ when StepSize divides t > 0.
type StepLR struct {
	c        core
	stepSize int
	gamma    float64
}

// NewStepLR returns a StepLR over opt and sets the rates of step 0 (the optimiser's own).
// stepSize must be at least 1 and gamma positive (torch's default is 0.1).
func NewStepLR(opt Optimizer, stepSize int, gamma float64) (*StepLR, error) {
	const name = "StepLR"
	if err := checkGroups(opt, name); err != nil {
		return nil, err
	}
	if err := checkStepLR(stepSize, gamma); err != nil {
		return nil, err
	}
	s := &StepLR{c: newCore(opt, name), stepSize: stepSize, gamma: gamma}
	if err := s.Step(); err != nil {
		return nil, err
	}
	return s, nil
}

func checkStepLR(stepSize int, gamma float64) error {
	if err := checkPositiveInt("StepLR", "step size", stepSize); err != nil {
		return err
	}
	return checkPositive("StepLR", "gamma", gamma)
}

// Step multiplies the rates by γ if the new step is a multiple of StepSize.
func (s *StepLR) Step() error { return s.c.apply(s.c.epoch+1, s.rate) }

func (s *StepLR) rate(t, _ int, lr float64) float64 {
	if t == 0 || t%s.stepSize != 0 {
		return lr
	}
	return lr * s.gamma
}

// stepZero is torch's step(0), used by [SequentialLR]: the closed form at step 0.
func (s *StepLR) stepZero() error {
	return s.c.apply(0, func(t, g int, _ float64) float64 {
		return s.c.base[g] * math.Pow(s.gamma, float64(t/s.stepSize))
	})
}

// LastLR returns the rates set by the latest step.
func (s *StepLR) LastLR() []float64 { return s.c.last }

type stepLRState struct {
	common
	StepSize int     `json:"step_size"`
	Gamma    float64 `json:"gamma"`
}

// MarshalBinary returns the state: step, rates, step size and γ.
func (s *StepLR) MarshalBinary() ([]byte, error) {
	return json.Marshal(&stepLRState{s.c.common(), s.stepSize, s.gamma})
}

// UnmarshalBinary restores a state saved by a StepLR, hyper-parameters included.
func (s *StepLR) UnmarshalBinary(data []byte) error { return unmarshal(s, data) }

func (s *StepLR) load(data []byte) (func(), error) {
	var st stepLRState
	if err := s.c.decodeCommon(data, &st, &st.common); err != nil {
		return nil, err
	}
	if err := wrapCheck(checkStepLR(st.StepSize, st.Gamma)); err != nil {
		return nil, err
	}
	return func() { s.c.restore(&st.common); s.stepSize, s.gamma = st.StepSize, st.Gamma }, nil
}

func (s *StepLR) setOptimizer() { s.c.setOptimizer() }
func (s *StepLR) shared() *core { return &s.c }
