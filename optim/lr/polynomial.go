package lr

import (
	"encoding/json"
	"math"
)

// PolynomialLR decays the learning rate of each group to zero over TotalIters steps along a
// polynomial of degree Power (torch.optim.lr_scheduler.PolynomialLR):
//
//	η_t = η_0 · (1 − min(t, TotalIters)/TotalIters)^Power
//
// computed, as torch does, as η_t = η_{t-1}·((1 − t/T)/(1 − (t−1)/T))^Power for 0 < t ≤ T.
type PolynomialLR struct {
	c          core
	totalIters int
	power      float64
}

// NewPolynomialLR returns a PolynomialLR over opt and sets the rates of step 0 (the
// optimiser's own). totalIters must be at least 1 and power not negative (torch's defaults
// are 5 and 1).
func NewPolynomialLR(opt Optimizer, totalIters int, power float64) (*PolynomialLR, error) {
	const name = "PolynomialLR"
	if err := checkGroups(opt, name); err != nil {
		return nil, err
	}
	if err := checkPolynomialLR(totalIters, power); err != nil {
		return nil, err
	}
	s := &PolynomialLR{c: newCore(opt, name), totalIters: totalIters, power: power}
	if err := s.Step(); err != nil {
		return nil, err
	}
	return s, nil
}

func checkPolynomialLR(totalIters int, power float64) error {
	if err := checkPositiveInt("PolynomialLR", "total iterations", totalIters); err != nil {
		return err
	}
	return checkNonNegative("PolynomialLR", "power", power)
}

// Step sets the rates of the next step.
func (s *PolynomialLR) Step() error { return s.c.apply(s.c.epoch+1, s.rate) }

func (s *PolynomialLR) rate(t, _ int, lr float64) float64 {
	if t == 0 || t > s.totalIters {
		return lr
	}
	T := float64(s.totalIters)
	return lr * math.Pow((1.0-float64(t)/T)/(1.0-float64(t-1)/T), s.power)
}

// stepZero is torch's step(0), used by [SequentialLR]: the closed form at step 0.
func (s *PolynomialLR) stepZero() error {
	return s.c.apply(0, func(t, g int, _ float64) float64 {
		return s.c.base[g] * math.Pow(1.0-float64(min(s.totalIters, t))/float64(s.totalIters), s.power)
	})
}

// LastLR returns the rates set by the latest step.
func (s *PolynomialLR) LastLR() []float64 { return s.c.last }

type polynomialLRState struct {
	common
	TotalIters int     `json:"total_iters"`
	Power      float64 `json:"power"`
}

// MarshalBinary returns the state: step, rates, total iterations and power.
func (s *PolynomialLR) MarshalBinary() ([]byte, error) {
	return json.Marshal(&polynomialLRState{s.c.common(), s.totalIters, s.power})
}

// UnmarshalBinary restores a state saved by a PolynomialLR, hyper-parameters included.
func (s *PolynomialLR) UnmarshalBinary(data []byte) error { return unmarshal(s, data) }

func (s *PolynomialLR) load(data []byte) (func(), error) {
	var st polynomialLRState
	if err := s.c.decodeCommon(data, &st, &st.common); err != nil {
		return nil, err
	}
	if err := wrapCheck(checkPolynomialLR(st.TotalIters, st.Power)); err != nil {
		return nil, err
	}
	return func() { s.c.restore(&st.common); s.totalIters, s.power = st.TotalIters, st.Power }, nil
}

func (s *PolynomialLR) setOptimizer() { s.c.setOptimizer() }
func (s *PolynomialLR) shared() *core { return &s.c }
