package lr

import (
	"encoding/json"
	"math"
)

// ExponentialLR multiplies the learning rate of each group by γ at every step
// (torch.optim.lr_scheduler.ExponentialLR):
//
//	η_t = η_0 · γ^t
//
// computed, as torch does, as η_t = η_{t-1}·γ.
type ExponentialLR struct {
	c     core
	gamma float64
}

// NewExponentialLR returns an ExponentialLR over opt and sets the rates of step 0 (the
// optimiser's own). gamma must be positive.
func NewExponentialLR(opt Optimizer, gamma float64) (*ExponentialLR, error) {
	const name = "ExponentialLR"
	if err := checkGroups(opt, name); err != nil {
		return nil, err
	}
	if err := checkPositive(name, "gamma", gamma); err != nil {
		return nil, err
	}
	s := &ExponentialLR{c: newCore(opt, name), gamma: gamma}
	if err := s.Step(); err != nil {
		return nil, err
	}
	return s, nil
}

// Step multiplies the rates by γ.
func (s *ExponentialLR) Step() error { return s.c.apply(s.c.epoch+1, s.rate) }

func (s *ExponentialLR) rate(t, _ int, lr float64) float64 {
	if t == 0 {
		return lr
	}
	return lr * s.gamma
}

// stepZero is torch's step(0), used by [SequentialLR]: the closed form at step 0.
func (s *ExponentialLR) stepZero() error {
	return s.c.apply(0, func(t, g int, _ float64) float64 {
		return s.c.base[g] * math.Pow(s.gamma, float64(t))
	})
}

// LastLR returns the rates set by the latest step.
func (s *ExponentialLR) LastLR() []float64 { return s.c.last }

type exponentialLRState struct {
	common
	Gamma float64 `json:"gamma"`
}

// MarshalBinary returns the state: step, rates and γ.
func (s *ExponentialLR) MarshalBinary() ([]byte, error) {
	return json.Marshal(&exponentialLRState{s.c.common(), s.gamma})
}

// UnmarshalBinary restores a state saved by an ExponentialLR, hyper-parameters included.
func (s *ExponentialLR) UnmarshalBinary(data []byte) error { return unmarshal(s, data) }

func (s *ExponentialLR) load(data []byte) (func(), error) {
	var st exponentialLRState
	if err := s.c.decodeCommon(data, &st, &st.common); err != nil {
		return nil, err
	}
	if err := wrapCheck(checkPositive(s.c.name, "gamma", st.Gamma)); err != nil {
		return nil, err
	}
	return func() { s.c.restore(&st.common); s.gamma = st.Gamma }, nil
}

func (s *ExponentialLR) setOptimizer() { s.c.setOptimizer() }
func (s *ExponentialLR) shared() *core { return &s.c }
