package lr

import (
	"encoding/json"
	"math"
)

// CosineAnnealingLR anneals the learning rate of each group from its base rate η_0 to
// EtaMin along a half cosine of TMax steps, and back up over the next TMax steps, and so on
// (torch.optim.lr_scheduler.CosineAnnealingLR; the annealing of SGDR, Loshchilov and Hutter,
// "SGDR: Stochastic Gradient Descent with Warm Restarts", ICLR 2017, without the restarts):
//
//	η_t = η_min + (η_0 − η_min)·(1 + cos(π t/T_max))/2
//
// computed, as torch does, recursively from η_{t-1}, which rounds differently and lets the
// rate be changed between steps:
//
//	η_t = η_min + (η_{t-1} − η_min)·(1 + cos(π t/T_max))/(1 + cos(π (t−1)/T_max)),
//	η_t = η_{t-1} + (η_0 − η_min)·(1 − cos(π/T_max))/2   when t−1−T_max is a multiple of 2T_max.
type CosineAnnealingLR struct {
	c      core
	tMax   int
	etaMin float64
}

// NewCosineAnnealingLR returns a CosineAnnealingLR over opt and sets the rates of step 0
// (the optimiser's own). tMax must be at least 1 and etaMin not negative (torch's default
// is 0).
func NewCosineAnnealingLR(opt Optimizer, tMax int, etaMin float64) (*CosineAnnealingLR, error) {
	const name = "CosineAnnealingLR"
	if err := checkGroups(opt, name); err != nil {
		return nil, err
	}
	if err := checkCosineAnnealingLR(tMax, etaMin); err != nil {
		return nil, err
	}
	s := &CosineAnnealingLR{c: newCore(opt, name), tMax: tMax, etaMin: etaMin}
	if err := s.Step(); err != nil {
		return nil, err
	}
	return s, nil
}

func checkCosineAnnealingLR(tMax int, etaMin float64) error {
	if err := checkPositiveInt("CosineAnnealingLR", "T_max", tMax); err != nil {
		return err
	}
	return checkNonNegative("CosineAnnealingLR", "eta_min", etaMin)
}

// Step sets the rates of the next step.
func (s *CosineAnnealingLR) Step() error { return s.c.apply(s.c.epoch+1, s.rate) }

func (s *CosineAnnealingLR) rate(t, g int, lr float64) float64 {
	T := float64(s.tMax)
	switch {
	case t == 0:
		return lr
	case (t-1-s.tMax)%(2*s.tMax) == 0:
		return lr + (s.c.base[g]-s.etaMin)*(1-math.Cos(math.Pi/T))/2
	}
	return (1+math.Cos(math.Pi*float64(t)/T))/(1+math.Cos(math.Pi*float64(t-1)/T))*(lr-s.etaMin) + s.etaMin
}

// stepZero is torch's step(0), used by [SequentialLR]: the closed form at step 0.
func (s *CosineAnnealingLR) stepZero() error {
	return s.c.apply(0, func(t, g int, _ float64) float64 {
		return s.etaMin + (s.c.base[g]-s.etaMin)*(1+math.Cos(math.Pi*float64(t)/float64(s.tMax)))/2
	})
}

// LastLR returns the rates set by the latest step.
func (s *CosineAnnealingLR) LastLR() []float64 { return s.c.last }

type cosineAnnealingLRState struct {
	common
	TMax   int     `json:"T_max"`
	EtaMin float64 `json:"eta_min"`
}

// MarshalBinary returns the state: step, rates, T_max and η_min.
func (s *CosineAnnealingLR) MarshalBinary() ([]byte, error) {
	return json.Marshal(&cosineAnnealingLRState{s.c.common(), s.tMax, s.etaMin})
}

// UnmarshalBinary restores a state saved by a CosineAnnealingLR, hyper-parameters included.
func (s *CosineAnnealingLR) UnmarshalBinary(data []byte) error { return unmarshal(s, data) }

func (s *CosineAnnealingLR) load(data []byte) (func(), error) {
	var st cosineAnnealingLRState
	if err := s.c.decodeCommon(data, &st, &st.common); err != nil {
		return nil, err
	}
	if err := wrapCheck(checkCosineAnnealingLR(st.TMax, st.EtaMin)); err != nil {
		return nil, err
	}
	return func() { s.c.restore(&st.common); s.tMax, s.etaMin = st.TMax, st.EtaMin }, nil
}

func (s *CosineAnnealingLR) setOptimizer() { s.c.setOptimizer() }
func (s *CosineAnnealingLR) shared() *core { return &s.c }
