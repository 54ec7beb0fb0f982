package lr

import (
	"fmt"
	"math"
)

// Optimizer is what a scheduler needs of an optimiser: its parameter groups' learning rates.
// [github.com/descent-ml/descent/optim.Optimizer] satisfies it, and so does [Rates].
type Optimizer interface {
	// NumGroups returns the number of parameter groups.
	NumGroups() int
	// LR returns the learning rate of group g.
	LR(g int) float64
	// SetLR sets the learning rate of group g.
	SetLR(g int, lr float64)
}

// Momentumer is the optional ability of an optimiser to read and set a momentum per group:
// the momentum of SGD and RMSprop, β₁ of the Adam family. [CyclicLR] and [OneCycleLR] find
// it by type assertion to cycle the momentum inversely to the learning rate (torch's
// cycle_momentum).
type Momentumer interface {
	// Momentum returns the momentum (or β₁) of group g.
	Momentum(g int) float64
	// SetMomentum sets the momentum (or β₁) of group g.
	SetMomentum(g int, m float64)
}

// Scheduler sets the learning rates of an optimiser's parameter groups, one step at a time.
// Every scheduler of this package but [ReduceLROnPlateau] (whose Step takes a metric)
// implements it.
//
// A scheduler has already taken its first step when its constructor returns (torch's
// constructor does the same): the optimiser holds the rates for the first epoch or batch.
// Call Step after each epoch or batch, after the optimiser's step.
type Scheduler interface {
	// Step advances the schedule by one step and sets the new learning rates. It returns an
	// error, and changes nothing, when a rate would not be finite or the schedule is over
	// ([OneCycleLR]).
	Step() error
	// LastLR returns the learning rates set by the latest step, one per group (torch's
	// get_last_lr). The slice belongs to the scheduler and changes at the next step.
	LastLR() []float64
	// MarshalBinary returns the scheduler's state in the format of the package doc.
	MarshalBinary() ([]byte, error)
	// UnmarshalBinary restores a state saved by MarshalBinary of the same type, then sets
	// the optimiser's learning rates (and momenta) to those of the saved step.
	UnmarshalBinary(data []byte) error
}

// RateError reports a learning rate that is not finite (NaN or ±Inf), computed by the
// named scheduler for group Group at step Step. The step that met it changed nothing.
type RateError struct {
	Scheduler string
	Group     int
	Step      int
	LR        float64
}

func (e *RateError) Error() string {
	return fmt.Sprintf("lr: %s computed the learning rate %v for group %d at step %d", e.Scheduler, e.LR, e.Group, e.Step)
}

// core is the state shared by the schedulers: torch's base_lrs, last_epoch and _last_lr.
type core struct {
	opt   Optimizer
	name  string    // type name, for errors and saved state
	base  []float64 // base learning rates (torch's base_lrs, from the group's initial_lr)
	last  []float64 // rates set by the latest step (torch's _last_lr)
	next  []float64 // scratch for the step being computed
	epoch int       // torch's last_epoch: steps taken, the constructor's one being step 0
}

// newCore returns the core of a scheduler over opt, with the optimiser's current rates as
// base rates and last_epoch -1, ready for its first step.
func newCore(opt Optimizer, name string) core {
	if opt == nil {
		panic("lr: " + name + " of a nil optimiser")
	}
	n := opt.NumGroups()
	c := core{opt: opt, name: name, base: make([]float64, n), last: make([]float64, n), next: make([]float64, n), epoch: -1}
	for g := range n {
		c.base[g] = opt.LR(g)
		c.last[g] = c.base[g]
	}
	return c
}

// groups returns the number of parameter groups.
func (c *core) groups() int { return len(c.base) }

// LastLR returns the learning rates set by the latest step.
func (c *core) LastLR() []float64 { return c.last }

// apply computes the rates of step epoch, rate(epoch, g, lr) for each group g whose current
// rate is lr, and sets them all, or none if one is not finite.
func (c *core) apply(epoch int, rate func(t, g int, lr float64) float64) error {
	for g := range c.next {
		v := rate(epoch, g, c.opt.LR(g))
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return &RateError{Scheduler: c.name, Group: g, Step: epoch, LR: v}
		}
		c.next[g] = v
	}
	c.epoch = epoch
	c.set(c.next)
	return nil
}

// set sets the optimiser's rates and records them, as read back, as the last rates.
func (c *core) set(lrs []float64) {
	for g, v := range lrs {
		c.opt.SetLR(g, v)
		c.last[g] = c.opt.LR(g)
	}
}

// readRates copies the optimiser's rates into dst.
func readRates(opt Optimizer, dst []float64) {
	for g := range dst {
		dst[g] = opt.LR(g)
	}
}

// setRates sets the optimiser's rates to src.
func setRates(opt Optimizer, src []float64) {
	for g, v := range src {
		opt.SetLR(g, v)
	}
}

// groupFuncs expands the functions of LambdaLR and MultiplicativeLR, given once for all
// groups or once per group.
func groupFuncs(name string, opt Optimizer, fns []func(int) float64) ([]func(int) float64, error) {
	if err := checkGroups(opt, name); err != nil {
		return nil, err
	}
	n := opt.NumGroups()
	if len(fns) != 1 && len(fns) != n {
		return nil, fmt.Errorf("lr: %s needs one function or one per group (%d), got %d", name, n, len(fns))
	}
	out := make([]func(int) float64, n)
	for g := range out {
		out[g] = fns[min(g, len(fns)-1)]
		if out[g] == nil {
			return nil, fmt.Errorf("lr: %s function for group %d is nil", name, g)
		}
	}
	return out, nil
}

// perGroup expands values given once for all groups or once per group.
func perGroup(name, what string, v []float64, groups int) ([]float64, error) {
	switch len(v) {
	case 1:
		out := make([]float64, groups)
		for g := range out {
			out[g] = v[0]
		}
		return out, nil
	case groups:
		return append([]float64(nil), v...), nil
	}
	return nil, fmt.Errorf("lr: %s needs one %s or one per group (%d), got %d", name, what, groups, len(v))
}

// checkGroups returns an error if the optimiser has no parameter group.
func checkGroups(opt Optimizer, name string) error {
	if opt == nil {
		panic("lr: " + name + " of a nil optimiser")
	}
	if opt.NumGroups() < 1 {
		return fmt.Errorf("lr: %s of an optimiser without parameter groups", name)
	}
	return nil
}

// Rates is the simplest [Optimizer]: the learning rates of its groups and nothing else. Use
// it to tabulate or plot a schedule without training anything.
type Rates []float64

// NumGroups returns len(r).
func (r Rates) NumGroups() int { return len(r) }

// LR returns r[g].
func (r Rates) LR(g int) float64 { return r[g] }

// SetLR sets r[g].
func (r Rates) SetLR(g int, lr float64) { r[g] = lr }

// MomentumRates is an [Optimizer] with a [Momentumer]: the learning rates and momenta of
// its groups (LRs and Momenta have the same length), for tabulating [CyclicLR] and
// [OneCycleLR] with their momentum cycle.
type MomentumRates struct {
	LRs, Momenta []float64
}

// NumGroups returns len(r.LRs).
func (r *MomentumRates) NumGroups() int { return len(r.LRs) }

// LR returns r.LRs[g].
func (r *MomentumRates) LR(g int) float64 { return r.LRs[g] }

// SetLR sets r.LRs[g].
func (r *MomentumRates) SetLR(g int, lr float64) { r.LRs[g] = lr }

// Momentum returns r.Momenta[g].
func (r *MomentumRates) Momentum(g int) float64 { return r.Momenta[g] }

// SetMomentum sets r.Momenta[g].
func (r *MomentumRates) SetMomentum(g int, m float64) { r.Momenta[g] = m }

var (
	_ Optimizer  = Rates(nil)
	_ Optimizer  = (*MomentumRates)(nil)
	_ Momentumer = (*MomentumRates)(nil)
)

var (
	_ Scheduler = (*LambdaLR)(nil)
	_ Scheduler = (*MultiplicativeLR)(nil)
	_ Scheduler = (*StepLR)(nil)
	_ Scheduler = (*MultiStepLR)(nil)
	_ Scheduler = (*ConstantLR)(nil)
	_ Scheduler = (*LinearLR)(nil)
	_ Scheduler = (*ExponentialLR)(nil)
	_ Scheduler = (*PolynomialLR)(nil)
	_ Scheduler = (*CosineAnnealingLR)(nil)
	_ Scheduler = (*CosineAnnealingWarmRestarts)(nil)
	_ Scheduler = (*CyclicLR)(nil)
	_ Scheduler = (*OneCycleLR)(nil)
	_ Scheduler = (*SequentialLR)(nil)
	_ Scheduler = (*ChainedScheduler)(nil)
	_ member    = (*LambdaLR)(nil)
	_ member    = (*MultiplicativeLR)(nil)
	_ member    = (*StepLR)(nil)
	_ member    = (*MultiStepLR)(nil)
	_ member    = (*ConstantLR)(nil)
	_ member    = (*LinearLR)(nil)
	_ member    = (*ExponentialLR)(nil)
	_ member    = (*PolynomialLR)(nil)
	_ member    = (*CosineAnnealingLR)(nil)
	_ member    = (*CosineAnnealingWarmRestarts)(nil)
)
