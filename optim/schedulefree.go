package optim

import (
	"fmt"
	"math"
	"strconv"

	"github.com/descent-ml/descent/internal/optimk"
)

// A ModeSwitcher keeps two points of the parameters and moves them between the two: the
// point where gradients are taken during training (Train) and the point to evaluate, save
// or deploy (Eval). A training loop calls Eval before evaluating the model or saving it and
// Train before the next Step. [ScheduleFreeAdamW] and [ScheduleFreeSGD] are ModeSwitchers.
type ModeSwitcher interface {
	Optimizer
	// Train puts the parameters at the training point y; Step requires it.
	Train()
	// Eval puts the parameters at the evaluation point x, the average of the iterates.
	Eval()
	// Evaluating reports whether the parameters hold x (after Eval) rather than y.
	Evaluating() bool
}

// sfAverage is the state the schedule-free methods keep beside their buffers: per group,
// the steps it took (the reference's group['k']), the largest warmed-up rate so far
// (lr_max) and the sum of the averaging weights (weight_sum); the rate and averaging
// coefficient c_{t+1} of the current step; and whether the parameters hold x.
type sfAverage struct {
	k          []int64
	lrMax      []float64
	weightSum  []float64
	lr, ckp1   []float64
	evaluating bool
}

// grow gives the groups added since the last call their initial state (lr_max -1, as the
// reference's).
func (a *sfAverage) grow(groups int) {
	for len(a.k) < groups {
		a.k = append(a.k, 0)
		a.lrMax = append(a.lrMax, -1)
		a.weightSum = append(a.weightSum, 0)
		a.lr = append(a.lr, 0)
		a.ckp1 = append(a.ckp1, 0)
	}
}

// advance computes group g's rate and averaging weight for its next step, as the
// reference's step does, and counts the step:
//
//	sched = (k+1)/warmup if k < warmup, else 1;  γ_t = lr·sched·scale
//	lr_max = max(lr_max, γ_t);  w = (k+1)^r · lr_max^power;  weight_sum += w
//	c_{t+1} = w/weight_sum (0 if weight_sum is 0);  k += 1
//
// where scale is √(1-β₂^(k+1)) for AdamW and 1 for SGD.
func (a *sfAverage) advance(g int, lr float64, warmup int, r, power, scale float64) {
	k := a.k[g]
	sched := 1.0
	if k < int64(warmup) {
		sched = float64(k+1) / float64(warmup)
	}
	lr = lr * sched * scale
	a.lrMax[g] = max(lr, a.lrMax[g])
	weight := math.Pow(float64(k+1), r) * math.Pow(a.lrMax[g], power)
	a.weightSum[g] += weight
	c := 0.0
	if a.weightSum[g] != 0 {
		c = weight / a.weightSum[g]
	}
	a.lr[g], a.ckp1[g] = lr, c
	a.k[g]++
}

// save returns the globals of the averages: "k.G", "lr_max.G", "weight_sum.G" for each
// group G and "train_mode" (1 when the parameters hold y, 0 when they hold x).
func (a *sfAverage) save(groups int) []named {
	a.grow(groups)
	var v []named
	for g := range groups {
		s := strconv.Itoa(g)
		v = append(v, named{"k." + s, float64(a.k[g])}, named{"lr_max." + s, a.lrMax[g]}, named{"weight_sum." + s, a.weightSum[g]})
	}
	mode := 1.0
	if a.evaluating {
		mode = 0
	}
	return append(v, named{"train_mode", mode})
}

// load checks the averages of a file of groups groups and returns what applies them.
func (a *sfAverage) load(f *stateFile, groups int) (func(), error) {
	g := map[string]float64{}
	for _, v := range f.global {
		g[v.name] = v.v
	}
	var b sfAverage
	b.grow(groups)
	for i := range groups {
		s := strconv.Itoa(i)
		k, err := globalInt(f, "k."+s)
		if err != nil {
			return nil, err
		}
		lrMax, ok1 := g["lr_max."+s]
		sum, ok2 := g["weight_sum."+s]
		if !ok1 || !ok2 {
			return nil, StateError(fmt.Sprintf("the file lacks the averages of group %d", i))
		}
		b.k[i], b.lrMax[i], b.weightSum[i] = k, lrMax, sum
	}
	mode, ok := g["train_mode"]
	if !ok || (mode != 0 && mode != 1) {
		return nil, StateError(fmt.Sprintf("train_mode is %v, want 0 or 1", mode))
	}
	b.evaluating = mode == 0
	return func() { *a = b }, nil
}

// checkTraining panics unless the parameters hold y: a step at x is a programmer error
// (the reference raises an exception).
func (a *sfAverage) checkTraining(name string) {
	if a.evaluating {
		panic("optim: " + name + ": Step in evaluation mode: call Train before stepping (and Eval before evaluating)")
	}
}

// sfSwitch moves the parameters that have taken a step to x (eval) or to y =
// fma(z, 1-β, x·β) (train), bit for bit the y of their last step. x and z are buffers xb and
// zb of each parameter's state.
func sfSwitch(params []*Param, state []pstate, beta func(i int) float64, xb, zb int, eval bool) {
	for i, p := range params {
		st := &state[i]
		if st.step == 0 {
			continue // never stepped: the parameter is at x = y = z
		}
		if eval {
			copy(p.Value, st.bufs[xb])
		} else {
			b := beta(i)
			optimk.Interp(p.Value, st.bufs[xb], st.bufs[zb], float32(b), float32(1-b))
		}
	}
}

// sfInit sets z and x to the parameter at its first step, as the reference's state
// initialisation (z = x = y = p).
func sfInit(p *Param, st *pstate, xb, zb int) {
	if st.step == 1 {
		copy(st.bufs[zb], p.Value)
		copy(st.bufs[xb], p.Value)
	}
}

// checkSchedule checks the schedule options shared by the schedule-free methods.
func checkSchedule(warmup int, r, power float64) error {
	switch {
	case warmup < 0:
		return fmt.Errorf("warmup_steps must be non-negative, got %d", warmup)
	case math.IsNaN(r) || math.IsInf(r, 0):
		return fmt.Errorf("r must be finite, got %v", r)
	case math.IsNaN(power) || math.IsInf(power, 0):
		return fmt.Errorf("weight_lr_power must be finite, got %v", power)
	}
	return nil
}
