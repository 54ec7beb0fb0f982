package optim

import (
	"fmt"

	"github.com/descent-ml/descent/internal/optimk"
)

// ScheduleFreeSGDConfig is the configuration of a group of [ScheduleFreeSGD]; start from
// [DefaultScheduleFreeSGD], the reference's defaults.
type ScheduleFreeSGDConfig struct {
	LR            float64 // learning rate γ, positive; default 1
	Momentum      float64 // β in (0, 1), the interpolation y = βx + (1-β)z; default 0.9
	WeightDecay   float64 // λ ≥ 0: adds λy to the gradient (L2 at y); default 0
	WarmupSteps   int     // linear warmup of γ over this many steps; default 0
	R             float64 // the averaging weights grow as t^r; default 0
	WeightLRPower float64 // and as lr_max^power; default 2
}

// DefaultScheduleFreeSGD returns the reference's defaults: lr 1, momentum 0.9, weight decay
// 0, no warmup, r 0, weight_lr_power 2.
func DefaultScheduleFreeSGD() ScheduleFreeSGDConfig {
	return ScheduleFreeSGDConfig{LR: 1, Momentum: 0.9, WeightLRPower: 2}
}

func (c *ScheduleFreeSGDConfig) validate() error {
	switch {
	case !(c.LR > 0):
		return fmt.Errorf("lr must be positive, got %v", c.LR)
	case !(0 < c.Momentum && c.Momentum < 1):
		return fmt.Errorf("momentum must be in (0, 1), as the reference requires, got %v", c.Momentum)
	case !(c.WeightDecay >= 0):
		return fmt.Errorf("weight_decay must be non-negative, got %v", c.WeightDecay)
	}
	return checkSchedule(c.WarmupSteps, c.R, c.WeightLRPower)
}

var sfSGDSpec = &spec[ScheduleFreeSGDConfig]{
	name: "schedulefree-sgd",
	keys: []key[ScheduleFreeSGDConfig]{
		floatKey("lr", "learning rate γ", func(c *ScheduleFreeSGDConfig) *float64 { return &c.LR }),
		floatKey("momentum", "β of y = βx + (1-β)z", func(c *ScheduleFreeSGDConfig) *float64 { return &c.Momentum }),
		floatKey("weight_decay", "L2 penalty λ at y, adds λy to the gradient", func(c *ScheduleFreeSGDConfig) *float64 { return &c.WeightDecay }),
		intKey("warmup_steps", "steps of linear learning-rate warmup", func(c *ScheduleFreeSGDConfig) *int { return &c.WarmupSteps }),
		floatKey("r", "the averaging weights grow as t^r", func(c *ScheduleFreeSGDConfig) *float64 { return &c.R }),
		floatKey("weight_lr_power", "the averaging weights grow as lr_max^power", func(c *ScheduleFreeSGDConfig) *float64 { return &c.WeightLRPower }),
	},
	validate: (*ScheduleFreeSGDConfig).validate,
	lr:       func(c *ScheduleFreeSGDConfig) *float64 { return &c.LR },
	bufNames: []string{"z", "x"},
	needs:    func(*ScheduleFreeSGDConfig) uint { return 3 },
}

// ScheduleFreeSGD is Schedule-Free SGD (Defazio, Yang, Mehta, Mishchenko, Khaled and
// Cutkosky, "The Road Less Scheduled", NeurIPS 2024), as the authors' reference
// implementation computes it (facebookresearch/schedule_free,
// schedulefree/sgd_schedulefree_reference.py at commit
// 59ed9b662d5ec5799aded7390b2482758423653c). At step t, with k = t-1 the group's steps so
// far,
//
//	γ_t ← γ · min(1, (k+1)/warmup)
//	lr_max ← max(lr_max, γ_t);  w_t ← (k+1)^r lr_max^power;  c_{t+1} ← w_t / Σ_{i≤t} w_i
//	g ← g + λ y
//	z ← z - γ_t g
//	x ← (1 - c_{t+1}) x + c_{t+1} z
//	y ← β x + (1 - β) z
//
// with the parameters holding y, and the evaluation point x behind
// [ScheduleFreeSGD.Eval] and [ScheduleFreeSGD.Train] as for [ScheduleFreeAdamW] (call Eval
// before evaluating or saving the model and Train before the next Step, which panics at x).
// With r = 0 and power 0, x is the uniform average of the z iterates (Polyak-Ruppert
// averaging), and y interpolates it with the last iterate like a momentum of β.
//
// In float32 each update above is a fused multiply-add. State per parameter: "z" and "x";
// globals: "k.G", "lr_max.G" and "weight_sum.G" of each group G, and "train_mode".
type ScheduleFreeSGD struct {
	base[ScheduleFreeSGDConfig, optimk.ScheduleFreeCoef]
	avg sfAverage
}

var (
	_ MomentumOptimizer = (*ScheduleFreeSGD)(nil)
	_ ModeSwitcher      = (*ScheduleFreeSGD)(nil)
)

// NewScheduleFreeSGD returns Schedule-Free SGD over params as one group with configuration
// cfg, in training mode.
func NewScheduleFreeSGD(params []*Param, cfg ScheduleFreeSGDConfig) (*ScheduleFreeSGD, error) {
	o := &ScheduleFreeSGD{}
	return o, o.init(sfSGDSpec, o, params, cfg)
}

// Momentum returns β of group g.
func (o *ScheduleFreeSGD) Momentum(g int) float64 { return o.Config(g).Momentum }

// SetMomentum sets β of group g; it panics if β is outside (0, 1).
func (o *ScheduleFreeSGD) SetMomentum(g int, m float64) {
	c := o.Config(g)
	c.Momentum = m
	if err := o.SetConfig(g, c); err != nil {
		panic(err.Error())
	}
}

// Train puts the parameters at y, computed from x and z with each group's current β.
func (o *ScheduleFreeSGD) Train() {
	if o.avg.evaluating {
		sfSwitch(o.params, o.state, func(i int) float64 { return o.cfgs[o.group[i]].Momentum }, 1, 0, false)
		o.avg.evaluating = false
	}
}

// Eval puts the parameters at x, the average of the iterates.
func (o *ScheduleFreeSGD) Eval() {
	if !o.avg.evaluating {
		sfSwitch(o.params, o.state, nil, 1, 0, true)
		o.avg.evaluating = true
	}
}

// Evaluating reports whether the parameters hold x.
func (o *ScheduleFreeSGD) Evaluating() bool { return o.avg.evaluating }

// BytesPerParam returns the bytes one Step reads and writes per parameter element, beyond
// the finite check's read of the gradient: the gradient read; y, z and x read and written.
func (o *ScheduleFreeSGD) BytesPerParam() int { return 4 * (1 + 2*3) }

func (o *ScheduleFreeSGD) begin() error {
	o.avg.checkTraining(o.spec.name)
	o.avg.grow(len(o.cfgs))
	for g := range o.cfgs {
		c := &o.cfgs[g]
		o.avg.advance(g, c.LR, c.WarmupSteps, c.R, c.WeightLRPower, 1)
	}
	return nil
}

func (o *ScheduleFreeSGD) prepare(i int) {
	g := o.group[i]
	c := &o.cfgs[g]
	o.coef[i] = optimk.ScheduleFreeCoef{NegLR: float32(-o.avg.lr[g]), WD: float32(c.WeightDecay),
		C: float32(o.avg.ckp1[g]), Omc: float32(1 - o.avg.ckp1[g]), B1: float32(c.Momentum), Omb1: float32(1 - c.Momentum)}
	sfInit(o.params[i], &o.state[i], 1, 0)
}

func (o *ScheduleFreeSGD) update(i, lo, hi int) {
	p, st := o.params[i], &o.state[i]
	optimk.ScheduleFreeSGD(p.Value[lo:hi], p.Grad[lo:hi], st.bufs[0][lo:hi], st.bufs[1][lo:hi], &o.coef[i])
}

func (o *ScheduleFreeSGD) saveGlobals() []named { return o.avg.save(len(o.cfgs)) }

func (o *ScheduleFreeSGD) loadGlobals(f *stateFile, cfgs []ScheduleFreeSGDConfig) (func(), error) {
	return o.avg.load(f, len(cfgs))
}
