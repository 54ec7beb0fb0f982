package lr

// LambdaLR sets the learning rate of each group to its base rate times a function of the
// step t (torch.optim.lr_scheduler.LambdaLR):
//
//	η_t = η_0 · λ(t)
//
// Its state does not hold the functions: build the scheduler that loads it with the same.
type LambdaLR struct {
	c   core
	fns []func(step int) float64
}

// NewLambdaLR returns a LambdaLR over opt with one function for all groups or one per group,
// and sets the rates of step 0.
func NewLambdaLR(opt Optimizer, fns ...func(step int) float64) (*LambdaLR, error) {
	fns, err := groupFuncs("LambdaLR", opt, fns)
	if err != nil {
		return nil, err
	}
	s := &LambdaLR{c: newCore(opt, "LambdaLR"), fns: fns}
	if err := s.Step(); err != nil {
		return nil, err
	}
	return s, nil
}

// Step sets η_{t+1} = η_0 · λ(t+1).
func (s *LambdaLR) Step() error { return s.c.apply(s.c.epoch+1, s.rate) }

func (s *LambdaLR) rate(t, g int, _ float64) float64 { return s.c.base[g] * s.fns[g](t) }

// stepZero is torch's step(0), used by [SequentialLR].
func (s *LambdaLR) stepZero() error { return s.c.apply(0, s.rate) }

// LastLR returns the rates set by the latest step.
func (s *LambdaLR) LastLR() []float64 { return s.c.last }

// MarshalBinary returns the state: step and rates.
func (s *LambdaLR) MarshalBinary() ([]byte, error) { return marshalCommon(&s.c) }

// UnmarshalBinary restores a state saved by a LambdaLR.
func (s *LambdaLR) UnmarshalBinary(data []byte) error { return unmarshal(s, data) }

func (s *LambdaLR) load(data []byte) (func(), error) { return loadCommon(&s.c, data) }
func (s *LambdaLR) setOptimizer()                    { s.c.setOptimizer() }
func (s *LambdaLR) shared() *core                    { return &s.c }
