package lr

import "encoding/json"

// ConstantLR multiplies the learning rate of each group by a constant factor until step
// TotalIters (torch.optim.lr_scheduler.ConstantLR):
//
//	η_t = η_0 · factor  for t < TotalIters,   η_t = η_0  after,
//
// computed, as torch does, as η_0·factor at step 0 and η_{t-1}/factor at step TotalIters.
type ConstantLR struct {
	c          core
	factor     float64
	totalIters int
}

// NewConstantLR returns a ConstantLR over opt and sets the rates of step 0. factor must lie
// in (0, 1] and totalIters be at least 1 (torch's defaults are 1/3 and 5).
func NewConstantLR(opt Optimizer, factor float64, totalIters int) (*ConstantLR, error) {
	const name = "ConstantLR"
	if err := checkGroups(opt, name); err != nil {
		return nil, err
	}
	if err := checkConstantLR(factor, totalIters); err != nil {
		return nil, err
	}
	s := &ConstantLR{c: newCore(opt, name), factor: factor, totalIters: totalIters}
	if err := s.Step(); err != nil {
		return nil, err
	}
	return s, nil
}

func checkConstantLR(factor float64, totalIters int) error {
	if err := checkFactor("ConstantLR", "factor", factor, 0, true); err != nil {
		return err
	}
	return checkPositiveInt("ConstantLR", "total iterations", totalIters)
}

// Step sets the rates of the next step.
func (s *ConstantLR) Step() error { return s.c.apply(s.c.epoch+1, s.rate) }

func (s *ConstantLR) rate(t, _ int, lr float64) float64 {
	switch t {
	case 0:
		return lr * s.factor
	case s.totalIters:
		return lr * (1.0 / s.factor)
	}
	return lr
}

// stepZero is torch's step(0), used by [SequentialLR]: the closed form at step 0.
func (s *ConstantLR) stepZero() error {
	return s.c.apply(0, func(t, g int, _ float64) float64 {
		return s.c.base[g] * (s.factor + b2f(t >= s.totalIters)*(1-s.factor))
	})
}

// b2f is Python's float(b).
func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// LastLR returns the rates set by the latest step.
func (s *ConstantLR) LastLR() []float64 { return s.c.last }

type constantLRState struct {
	common
	Factor     float64 `json:"factor"`
	TotalIters int     `json:"total_iters"`
}

// MarshalBinary returns the state: step, rates, factor and total iterations.
func (s *ConstantLR) MarshalBinary() ([]byte, error) {
	return json.Marshal(&constantLRState{s.c.common(), s.factor, s.totalIters})
}

// UnmarshalBinary restores a state saved by a ConstantLR, hyper-parameters included.
func (s *ConstantLR) UnmarshalBinary(data []byte) error { return unmarshal(s, data) }

func (s *ConstantLR) load(data []byte) (func(), error) {
	var st constantLRState
	if err := s.c.decodeCommon(data, &st, &st.common); err != nil {
		return nil, err
	}
	if err := wrapCheck(checkConstantLR(st.Factor, st.TotalIters)); err != nil {
		return nil, err
	}
	return func() { s.c.restore(&st.common); s.factor, s.totalIters = st.Factor, st.TotalIters }, nil
}

func (s *ConstantLR) setOptimizer() { s.c.setOptimizer() }
func (s *ConstantLR) shared() *core { return &s.c }
