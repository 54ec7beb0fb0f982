package lr

// ChainedScheduler steps several schedulers together at every step, each changing the rates
// the previous one set (torch.optim.lr_scheduler.ChainedScheduler): a warm-up factor on top
// of a decay, say.
//
// Build the children on the same optimiser, in the order given, just before the
// ChainedScheduler: it replays their construction as torch sees it, every child taking as
// base rates the optimiser's rates before the first child was built (torch's
// group["initial_lr"]). If a child's step fails, the children before it have stepped.
type ChainedScheduler struct {
	composite
	epoch int
}

// NewChainedScheduler returns a ChainedScheduler of the schedulers and sets the rates of
// step 0. The schedulers may be any of this package but [CyclicLR], [OneCycleLR],
// [ReduceLROnPlateau] and the composites.
func NewChainedScheduler(schedulers []Scheduler) (*ChainedScheduler, error) {
	const name = "ChainedScheduler"
	ms, opt, err := members(name, schedulers)
	if err != nil {
		return nil, err
	}
	s := &ChainedScheduler{composite: composite{name: name, opt: opt, children: ms, last: make([]float64, opt.NumGroups())}}
	rebase(ms, opt)
	for _, m := range ms {
		if err := m.Step(); err != nil {
			return nil, err
		}
	}
	readRates(s.opt, s.last)
	return s, nil
}

// Step steps every child in turn.
func (s *ChainedScheduler) Step() error {
	for _, m := range s.children {
		if err := m.Step(); err != nil {
			return err
		}
	}
	s.epoch++
	readRates(s.opt, s.last)
	return nil
}

// MarshalBinary returns the state: step, rates and the children's states.
func (s *ChainedScheduler) MarshalBinary() ([]byte, error) { return s.marshal(s.epoch, nil) }

// UnmarshalBinary restores a state saved by a ChainedScheduler of the same kinds of
// schedulers.
func (s *ChainedScheduler) UnmarshalBinary(data []byte) error { return unmarshal(s, data) }

func (s *ChainedScheduler) load(data []byte) (func(), error) {
	var st compositeState
	commit, err := s.composite.load(data, &st)
	if err != nil {
		return nil, err
	}
	if len(st.Milestones) != 0 {
		return nil, stateErrorf("%s: milestones in the state", s.name)
	}
	return func() { commit(); s.epoch = st.LastEpoch }, nil
}
