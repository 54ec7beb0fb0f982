package lr

import (
	"fmt"
	"math"
)

// momentumCycle holds the momentum bounds of [CyclicLR] and [OneCycleLR] and the momenta
// they set.
type momentumCycle struct {
	opt       Momentumer // nil when the momentum is not cycled
	base, max []float64
	last      []float64
}

// newMomentumCycle checks and expands the momentum bounds of a cycling scheduler: nil
// bounds take the defaults, and an optimiser without momentum is an error unless the
// cycle is off, in which case no bound may be given.
func newMomentumCycle(name string, opt Optimizer, off bool, base, max []float64, defBase, defMax float64) (momentumCycle, error) {
	if off {
		if base != nil || max != nil {
			return momentumCycle{}, fmt.Errorf("lr: %s momentum bounds given with NoCycleMomentum", name)
		}
		return momentumCycle{}, nil
	}
	m, ok := opt.(Momentumer)
	if !ok {
		return momentumCycle{}, fmt.Errorf("lr: %s cycles the momentum but the optimiser (%T) has none: set NoCycleMomentum", name, opt)
	}
	if base == nil {
		base = []float64{defBase}
	}
	if max == nil {
		max = []float64{defMax}
	}
	n := opt.NumGroups()
	mc := momentumCycle{opt: m, last: make([]float64, n)}
	var err error
	if mc.base, err = perGroup(name, "base momentum", base, n); err != nil {
		return momentumCycle{}, err
	}
	if mc.max, err = perGroup(name, "max momentum", max, n); err != nil {
		return momentumCycle{}, err
	}
	if err := checkMomenta(name, mc.base, mc.max); err != nil {
		return momentumCycle{}, err
	}
	return mc, nil
}

func checkMomenta(name string, base, max []float64) error {
	for g := range base {
		if err := checkNonNegative(name, fmt.Sprintf("base momentum of group %d", g), base[g]); err != nil {
			return err
		}
		if err := checkNonNegative(name, fmt.Sprintf("max momentum of group %d", g), max[g]); err != nil {
			return err
		}
	}
	return nil
}

// set sets and records the momenta.
func (mc *momentumCycle) set() {
	if mc.opt == nil {
		return
	}
	for g, m := range mc.last {
		mc.opt.SetMomentum(g, m)
	}
}

// momentumState is the saved part of a momentum cycle.
type momentumState struct {
	CycleMomentum bool      `json:"cycle_momentum"`
	BaseMomenta   []float64 `json:"base_momentums,omitempty"`
	MaxMomenta    []float64 `json:"max_momentums,omitempty"`
	LastMomenta   []float64 `json:"last_momentums,omitempty"`
}

func (mc *momentumCycle) state() momentumState {
	if mc.opt == nil {
		return momentumState{}
	}
	return momentumState{true, mc.base, mc.max, mc.last}
}

// load checks a saved momentum cycle against mc, which must cycle the momentum just as
// the state does, and returns the commit.
func (mc *momentumCycle) load(name string, st *momentumState, groups int) (func(), error) {
	if st.CycleMomentum != (mc.opt != nil) {
		return nil, stateErrorf("%s: cycle_momentum is %v in the state, %v here", name, st.CycleMomentum, mc.opt != nil)
	}
	if !st.CycleMomentum {
		return func() {}, nil
	}
	for _, f := range []struct {
		field string
		v     []float64
	}{{"base_momentums", st.BaseMomenta}, {"max_momentums", st.MaxMomenta}, {"last_momentums", st.LastMomenta}} {
		if err := checkRates(name, f.field, f.v, groups); err != nil {
			return nil, err
		}
	}
	if err := wrapCheck(checkMomenta(name, st.BaseMomenta, st.MaxMomenta)); err != nil {
		return nil, err
	}
	return func() {
		copy(mc.base, st.BaseMomenta)
		copy(mc.max, st.MaxMomenta)
		copy(mc.last, st.LastMomenta)
	}, nil
}

// checkLRs checks learning-rate bounds given once or per group and expands them.
func checkLRs(name, what string, v []float64, groups int, positive bool) ([]float64, error) {
	if len(v) == 0 {
		return nil, fmt.Errorf("lr: %s needs %s", name, what)
	}
	out, err := perGroup(name, what, v, groups)
	if err != nil {
		return nil, err
	}
	for g, x := range out {
		if math.IsNaN(x) || math.IsInf(x, 0) || x < 0 || (positive && x == 0) {
			return nil, fmt.Errorf("lr: %s %s of group %d must be %s and finite, got %v", name, what, g, map[bool]string{true: "positive", false: "non-negative"}[positive], x)
		}
	}
	return out, nil
}
