package lr

import (
	"encoding/json"
	"math"
)

// CosineAnnealingWarmRestarts anneals the learning rate of each group from its base rate η_0
// to EtaMin along a half cosine, then restarts at η_0; the first period lasts T0 steps and
// each next one TMult times longer (torch.optim.lr_scheduler.CosineAnnealingWarmRestarts;
// Loshchilov and Hutter, "SGDR: Stochastic Gradient Descent with Warm Restarts", ICLR 2017):
//
//	η_t = η_min + (η_0 − η_min)·(1 + cos(π T_cur/T_i))/2
//
// where T_cur counts the steps since the latest restart and T_i is the current period.
// Stepping once per batch with T0 = epochs × batches per epoch gives torch's fractional-epoch
// use, scheduler.step(epoch + i/iters), up to rounding.
type CosineAnnealingWarmRestarts struct {
	c         core
	t0, tMult int
	etaMin    float64
	tCur, tI  int
}

// NewCosineAnnealingWarmRestarts returns a CosineAnnealingWarmRestarts over opt and sets the
// rates of step 0 (the optimiser's own). t0 and tMult must be at least 1 and etaMin not
// negative (torch's defaults are tMult 1 and etaMin 0).
func NewCosineAnnealingWarmRestarts(opt Optimizer, t0, tMult int, etaMin float64) (*CosineAnnealingWarmRestarts, error) {
	const name = "CosineAnnealingWarmRestarts"
	if err := checkGroups(opt, name); err != nil {
		return nil, err
	}
	if err := checkWarmRestarts(t0, tMult, etaMin); err != nil {
		return nil, err
	}
	s := &CosineAnnealingWarmRestarts{c: newCore(opt, name), t0: t0, tMult: tMult, etaMin: etaMin, tCur: -1, tI: t0}
	if err := s.Step(); err != nil {
		return nil, err
	}
	return s, nil
}

func checkWarmRestarts(t0, tMult int, etaMin float64) error {
	const name = "CosineAnnealingWarmRestarts"
	if err := checkPositiveInt(name, "T_0", t0); err != nil {
		return err
	}
	if err := checkPositiveInt(name, "T_mult", tMult); err != nil {
		return err
	}
	return checkNonNegative(name, "eta_min", etaMin)
}

// Step advances T_cur, restarting when it reaches T_i, and sets the rates.
func (s *CosineAnnealingWarmRestarts) Step() error {
	if s.c.epoch < 0 {
		return s.stepZero()
	}
	tCur, tI := s.tCur+1, s.tI
	if tCur >= tI {
		tCur -= tI
		tI *= s.tMult
	}
	return s.stepTo(s.c.epoch+1, tCur, tI)
}

// stepZero is torch's step(0), used by [SequentialLR] and by the first step.
func (s *CosineAnnealingWarmRestarts) stepZero() error { return s.stepTo(0, 0, s.t0) }

// stepTo sets the rates for step t at position tCur of a period of tI steps.
func (s *CosineAnnealingWarmRestarts) stepTo(t, tCur, tI int) error {
	x := math.Cos(math.Pi * float64(tCur) / float64(tI))
	err := s.c.apply(t, func(_, g int, _ float64) float64 {
		return s.etaMin + (s.c.base[g]-s.etaMin)*(1+x)/2
	})
	if err == nil {
		s.tCur, s.tI = tCur, tI
	}
	return err
}

// LastLR returns the rates set by the latest step.
func (s *CosineAnnealingWarmRestarts) LastLR() []float64 { return s.c.last }

type warmRestartsState struct {
	common
	T0     int     `json:"T_0"`
	TMult  int     `json:"T_mult"`
	EtaMin float64 `json:"eta_min"`
	TCur   int     `json:"T_cur"`
	TI     int     `json:"T_i"`
}

// MarshalBinary returns the state: step, rates, T_0, T_mult, η_min, T_cur and T_i.
func (s *CosineAnnealingWarmRestarts) MarshalBinary() ([]byte, error) {
	return json.Marshal(&warmRestartsState{s.c.common(), s.t0, s.tMult, s.etaMin, s.tCur, s.tI})
}

// UnmarshalBinary restores a state saved by a CosineAnnealingWarmRestarts,
// hyper-parameters included.
func (s *CosineAnnealingWarmRestarts) UnmarshalBinary(data []byte) error {
	return unmarshal(s, data)
}

func (s *CosineAnnealingWarmRestarts) load(data []byte) (func(), error) {
	var st warmRestartsState
	if err := s.c.decodeCommon(data, &st, &st.common); err != nil {
		return nil, err
	}
	if err := wrapCheck(checkWarmRestarts(st.T0, st.TMult, st.EtaMin)); err != nil {
		return nil, err
	}
	if st.TI < st.T0 || st.TCur < 0 || st.TCur >= st.TI {
		return nil, stateErrorf("%s: T_cur %d and T_i %d do not fit T_0 %d", s.c.name, st.TCur, st.TI, st.T0)
	}
	return func() {
		s.c.restore(&st.common)
		s.t0, s.tMult, s.etaMin, s.tCur, s.tI = st.T0, st.TMult, st.EtaMin, st.TCur, st.TI
	}, nil
}

func (s *CosineAnnealingWarmRestarts) setOptimizer() { s.c.setOptimizer() }
func (s *CosineAnnealingWarmRestarts) shared() *core { return &s.c }
