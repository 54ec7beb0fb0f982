package lr

import "encoding/json"

// LinearLR changes the factor multiplying the learning rate of each group linearly from
// Start to End over TotalIters steps (torch.optim.lr_scheduler.LinearLR), a linear warm-up
// when Start < End:
//
//	η_t = η_0 · (Start + (End − Start)·min(t, TotalIters)/TotalIters)
//
// computed, as torch does, by the ratio of consecutive factors:
// η_t = η_{t-1} · (1 + (End − Start)/(TotalIters·Start + (t−1)(End − Start))).
type LinearLR struct {
	c                      core
	startFactor, endFactor float64
	totalIters             int
}

// NewLinearLR returns a LinearLR over opt and sets the rates of step 0. startFactor must
// lie in (0, 1], endFactor in [0, 1] and totalIters be at least 1 (torch's defaults are 1/3,
// 1 and 5).
func NewLinearLR(opt Optimizer, startFactor, endFactor float64, totalIters int) (*LinearLR, error) {
	const name = "LinearLR"
	if err := checkGroups(opt, name); err != nil {
		return nil, err
	}
	if err := checkLinearLR(startFactor, endFactor, totalIters); err != nil {
		return nil, err
	}
	s := &LinearLR{c: newCore(opt, name), startFactor: startFactor, endFactor: endFactor, totalIters: totalIters}
	if err := s.Step(); err != nil {
		return nil, err
	}
	return s, nil
}

func checkLinearLR(startFactor, endFactor float64, totalIters int) error {
	if err := checkFactor("LinearLR", "start factor", startFactor, 0, true); err != nil {
		return err
	}
	if err := checkFactor("LinearLR", "end factor", endFactor, 0, false); err != nil {
		return err
	}
	return checkPositiveInt("LinearLR", "total iterations", totalIters)
}

// Step sets the rates of the next step.
func (s *LinearLR) Step() error { return s.c.apply(s.c.epoch+1, s.rate) }

func (s *LinearLR) rate(t, _ int, lr float64) float64 {
	if t == 0 {
		return lr * s.startFactor
	}
	if t > s.totalIters {
		return lr
	}
	d := s.endFactor - s.startFactor
	return lr * (1.0 + d/(float64(s.totalIters)*s.startFactor+float64(t-1)*d))
}

// stepZero is torch's step(0), used by [SequentialLR]: the closed form at step 0.
func (s *LinearLR) stepZero() error {
	return s.c.apply(0, func(t, g int, _ float64) float64 {
		return s.c.base[g] * (s.startFactor + (s.endFactor-s.startFactor)*float64(min(s.totalIters, t))/float64(s.totalIters))
	})
}

// LastLR returns the rates set by the latest step.
func (s *LinearLR) LastLR() []float64 { return s.c.last }

type linearLRState struct {
	common
	StartFactor float64 `json:"start_factor"`
	EndFactor   float64 `json:"end_factor"`
	TotalIters  int     `json:"total_iters"`
}

// MarshalBinary returns the state: step, rates, factors and total iterations.
func (s *LinearLR) MarshalBinary() ([]byte, error) {
	return json.Marshal(&linearLRState{s.c.common(), s.startFactor, s.endFactor, s.totalIters})
}

// UnmarshalBinary restores a state saved by a LinearLR, hyper-parameters included.
func (s *LinearLR) UnmarshalBinary(data []byte) error { return unmarshal(s, data) }

func (s *LinearLR) load(data []byte) (func(), error) {
	var st linearLRState
	if err := s.c.decodeCommon(data, &st, &st.common); err != nil {
		return nil, err
	}
	if err := wrapCheck(checkLinearLR(st.StartFactor, st.EndFactor, st.TotalIters)); err != nil {
		return nil, err
	}
	return func() {
		s.c.restore(&st.common)
		s.startFactor, s.endFactor, s.totalIters = st.StartFactor, st.EndFactor, st.TotalIters
	}, nil
}

func (s *LinearLR) setOptimizer() { s.c.setOptimizer() }
func (s *LinearLR) shared() *core { return &s.c }
