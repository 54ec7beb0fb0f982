package lr

import (
	"fmt"
	"slices"
	"sort"
)

// SequentialLR hands the schedule over from one scheduler to the next at given milestone
// steps (torch.optim.lr_scheduler.SequentialLR): a warm-up then a decay, say. At milestone
// i the next scheduler restarts from its step 0, in closed form from the initial rates.
//
// Build the children on the same optimiser, in the order given, just before the
// SequentialLR: like torch, it takes as initial rates (group["initial_lr"]) the optimiser's
// rates before the first child was built, gives them to every child as base rates, and
// restarts the first child.
type SequentialLR struct {
	composite
	milestones []int
	epoch      int
}

// NewSequentialLR returns a SequentialLR of the schedulers, with one milestone fewer than
// schedulers, increasing and positive, and sets the rates of step 0. The schedulers may be
// any of this package but [CyclicLR], [OneCycleLR], [ReduceLROnPlateau] and the composites.
func NewSequentialLR(schedulers []Scheduler, milestones []int) (*SequentialLR, error) {
	const name = "SequentialLR"
	ms, opt, err := members(name, schedulers)
	if err != nil {
		return nil, err
	}
	if len(milestones) != len(ms)-1 {
		return nil, fmt.Errorf("lr: %s needs one milestone fewer than schedulers, got %d milestones for %d schedulers", name, len(milestones), len(ms))
	}
	if err := checkMilestones(name, milestones, 1); err != nil {
		return nil, err
	}
	s := &SequentialLR{composite: composite{name: name, opt: opt, children: ms, last: make([]float64, opt.NumGroups())},
		milestones: slices.Clone(milestones)}
	rebase(ms, opt)
	if err := ms[0].Step(); err != nil {
		return nil, err
	}
	copy(s.last, ms[0].LastLR())
	return s, nil
}

// Step steps the scheduler whose turn it is, restarting it at its milestone.
func (s *SequentialLR) Step() error {
	t := s.epoch + 1
	i := sort.SearchInts(s.milestones, t+1) // bisect_right(milestones, t)
	m := s.children[i]
	var err error
	if i > 0 && s.milestones[i-1] == t {
		err = m.stepZero()
	} else {
		err = m.Step()
	}
	if err != nil {
		return err
	}
	s.epoch = t
	copy(s.last, m.LastLR())
	return nil
}

// MarshalBinary returns the state: step, milestones, rates and the children's states.
func (s *SequentialLR) MarshalBinary() ([]byte, error) { return s.marshal(s.epoch, s.milestones) }

// UnmarshalBinary restores a state saved by a SequentialLR of the same kinds of schedulers.
func (s *SequentialLR) UnmarshalBinary(data []byte) error { return unmarshal(s, data) }

func (s *SequentialLR) load(data []byte) (func(), error) {
	var st compositeState
	commit, err := s.composite.load(data, &st)
	if err != nil {
		return nil, err
	}
	if len(st.Milestones) != len(s.children)-1 {
		return nil, stateErrorf("%s: %d milestones for %d schedulers", s.name, len(st.Milestones), len(s.children))
	}
	if err := wrapCheck(checkMilestones(s.name, st.Milestones, 1)); err != nil {
		return nil, err
	}
	return func() {
		commit()
		s.epoch = st.LastEpoch
		copy(s.milestones, st.Milestones)
	}, nil
}
