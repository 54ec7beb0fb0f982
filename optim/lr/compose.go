package lr

import (
	"encoding/json"
	"fmt"
	"reflect"
)

// member is a scheduler that [SequentialLR] and [ChainedScheduler] can hold: one of this
// package's that derive their rates from base rates (all but CyclicLR, OneCycleLR and
// ReduceLROnPlateau).
type member interface {
	Scheduler
	stateful
	shared() *core
	stepZero() error // torch's step(0): step 0, in closed form where torch has one
}

// members checks the children of a composite: at least one, all members, over the same
// optimiser. It returns them and the optimiser.
func members(name string, children []Scheduler) ([]member, Optimizer, error) {
	if len(children) == 0 {
		return nil, nil, fmt.Errorf("lr: %s needs at least one scheduler", name)
	}
	ms := make([]member, len(children))
	for i, s := range children {
		m, ok := s.(member)
		if !ok {
			return nil, nil, fmt.Errorf("lr: %s cannot hold scheduler %d, a %T: only schedulers of package lr built on base rates can", name, i, s)
		}
		ms[i] = m
	}
	opt := ms[0].shared().opt
	for i, m := range ms[1:] {
		if !sameOptimizer(opt, m.shared().opt) {
			return nil, nil, fmt.Errorf("lr: %s scheduler %d is not over the same optimiser as scheduler 0", name, i+1)
		}
	}
	return ms, opt, nil
}

// sameOptimizer reports whether a and b are the same optimiser, also when their type is
// not comparable (Rates is a slice).
func sameOptimizer(a, b Optimizer) bool {
	va, vb := reflect.ValueOf(a), reflect.ValueOf(b)
	if va.Type() != vb.Type() {
		return false
	}
	switch va.Kind() {
	case reflect.Slice:
		return va.Len() == vb.Len() && va.Pointer() == vb.Pointer()
	case reflect.Map, reflect.Func:
		return va.Pointer() == vb.Pointer()
	}
	if !va.Type().Comparable() {
		return false
	}
	return a == b
}

// rebase gives every child the initial rates, torch's group["initial_lr"]: the base rates
// of the first child, the optimiser's rates when it was built. The optimiser is given those
// rates and every child is set before its first step.
func rebase(ms []member, opt Optimizer) {
	initial := append([]float64(nil), ms[0].shared().base...)
	for _, m := range ms {
		c := m.shared()
		copy(c.base, initial)
		c.epoch = -1
	}
	setRates(opt, initial)
}

// composite is the state shared by SequentialLR and ChainedScheduler.
type composite struct {
	name     string
	opt      Optimizer
	children []member
	last     []float64
}

// LastLR returns the rates set by the latest step.
func (c *composite) LastLR() []float64 { return c.last }

type compositeState struct {
	header
	LastEpoch  int               `json:"last_epoch"`
	Milestones []int             `json:"milestones,omitempty"`
	LastLRs    []float64         `json:"last_lrs"`
	Schedulers []json.RawMessage `json:"schedulers"`
}

func (c *composite) marshal(epoch int, milestones []int) ([]byte, error) {
	st := compositeState{header: newHeader(c.name), LastEpoch: epoch, Milestones: milestones, LastLRs: c.last}
	for _, m := range c.children {
		b, err := m.MarshalBinary()
		if err != nil {
			return nil, err
		}
		st.Schedulers = append(st.Schedulers, b)
	}
	return json.Marshal(&st)
}

// load decodes a composite's state and its children's, and returns the commit of the
// children and the shared part.
func (c *composite) load(data []byte, st *compositeState) (func(), error) {
	if err := decode(data, c.name, st); err != nil {
		return nil, err
	}
	if len(st.Schedulers) != len(c.children) {
		return nil, stateErrorf("%s: %d schedulers in the state, %d here", c.name, len(st.Schedulers), len(c.children))
	}
	if err := checkRates(c.name, "last_lrs", st.LastLRs, len(c.last)); err != nil {
		return nil, err
	}
	if st.LastEpoch < 0 {
		return nil, stateErrorf("%s: last_epoch %d is negative", c.name, st.LastEpoch)
	}
	commits := make([]func(), len(c.children))
	for i, m := range c.children {
		commit, err := m.load(st.Schedulers[i])
		if err != nil {
			return nil, fmt.Errorf("%w (scheduler %d of the %s)", err, i, c.name)
		}
		commits[i] = commit
	}
	return func() {
		for _, commit := range commits {
			commit()
		}
		copy(c.last, st.LastLRs)
	}, nil
}

func (c *composite) setOptimizer() { setRates(c.opt, c.last) }
