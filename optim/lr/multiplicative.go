package lr

// MultiplicativeLR multiplies the learning rate of each group by a function of the step t
// at every step but the first (torch.optim.lr_scheduler.MultiplicativeLR):
//
//	η_t = η_{t-1} · λ(t)
//
// Its state does not hold the functions: build the scheduler that loads it with the same.
type MultiplicativeLR struct {
	c   core
	fns []func(step int) float64
}

// NewMultiplicativeLR returns a MultiplicativeLR over opt with one function for all groups or
// one per group, and sets the rates of step 0 (the optimiser's own).
func NewMultiplicativeLR(opt Optimizer, fns ...func(step int) float64) (*MultiplicativeLR, error) {
	fns, err := groupFuncs("MultiplicativeLR", opt, fns)
	if err != nil {
		return nil, err
	}
	s := &MultiplicativeLR{c: newCore(opt, "MultiplicativeLR"), fns: fns}
	if err := s.Step(); err != nil {
		return nil, err
	}
	return s, nil
}

// Step sets η_{t+1} = η_t · λ(t+1).
func (s *MultiplicativeLR) Step() error { return s.c.apply(s.c.epoch+1, s.rate) }

func (s *MultiplicativeLR) rate(t, g int, lr float64) float64 {
	if t > 0 {
		return lr * s.fns[g](t)
	}
	return lr
}

// stepZero is torch's step(0), used by [SequentialLR].
func (s *MultiplicativeLR) stepZero() error { return s.c.apply(0, s.rate) }

// LastLR returns the rates set by the latest step.
func (s *MultiplicativeLR) LastLR() []float64 { return s.c.last }

// MarshalBinary returns the state: step and rates.
func (s *MultiplicativeLR) MarshalBinary() ([]byte, error) { return marshalCommon(&s.c) }

// UnmarshalBinary restores a state saved by a MultiplicativeLR.
func (s *MultiplicativeLR) UnmarshalBinary(data []byte) error { return unmarshal(s, data) }

func (s *MultiplicativeLR) load(data []byte) (func(), error) { return loadCommon(&s.c, data) }
func (s *MultiplicativeLR) setOptimizer()                    { s.c.setOptimizer() }
func (s *MultiplicativeLR) shared() *core                    { return &s.c }
