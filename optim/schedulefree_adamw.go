package optim

import (
	"math"

	"github.com/descent-ml/descent/internal/optimk"
)

// ScheduleFreeAdamWConfig is the configuration of a group of [ScheduleFreeAdamW]; start
// from [DefaultScheduleFreeAdamW], the reference's defaults.
type ScheduleFreeAdamWConfig struct {
	LR            float64 // learning rate γ, positive; default 0.0025
	Beta1         float64 // β₁ in [0, 1), the interpolation y = β₁x + (1-β₁)z; default 0.9
	Beta2         float64 // β₂ in [0, 1), the second moment's decay; default 0.999
	Eps           float64 // ε ≥ 0; default 1e-8
	WeightDecay   float64 // λ ≥ 0: z ← z - γ_t λ y (or z) before the step; default 0
	WarmupSteps   int     // linear warmup of γ over this many steps; default 0
	R             float64 // the averaging weights grow as t^r; default 0
	WeightLRPower float64 // and as lr_max^power; default 2
	DecayAtZ      bool    // compute the weight decay at z instead of y; default false
}

// DefaultScheduleFreeAdamW returns the reference's defaults: lr 0.0025, betas (0.9, 0.999),
// eps 1e-8, weight decay 0, no warmup, r 0, weight_lr_power 2, decay at y.
func DefaultScheduleFreeAdamW() ScheduleFreeAdamWConfig {
	return ScheduleFreeAdamWConfig{LR: 0.0025, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightLRPower: 2}
}

func (c *ScheduleFreeAdamWConfig) validate() error {
	if err := checkAdamLike(c.LR, c.Beta1, c.Beta2, c.Eps, c.WeightDecay); err != nil {
		return err
	}
	return checkSchedule(c.WarmupSteps, c.R, c.WeightLRPower)
}

var sfAdamWSpec = &spec[ScheduleFreeAdamWConfig]{
	name: "schedulefree-adamw",
	keys: []key[ScheduleFreeAdamWConfig]{
		floatKey("lr", "learning rate γ", func(c *ScheduleFreeAdamWConfig) *float64 { return &c.LR }),
		pairKey("betas", "β₁ of y = β₁x + (1-β₁)z / β₂ of the second moment", func(c *ScheduleFreeAdamWConfig) *float64 { return &c.Beta1 }, func(c *ScheduleFreeAdamWConfig) *float64 { return &c.Beta2 }),
		floatKey("eps", "ε added to the root of the second moment", func(c *ScheduleFreeAdamWConfig) *float64 { return &c.Eps }),
		floatKey("weight_decay", "decay λ: z ← z - γλy", func(c *ScheduleFreeAdamWConfig) *float64 { return &c.WeightDecay }),
		intKey("warmup_steps", "steps of linear learning-rate warmup", func(c *ScheduleFreeAdamWConfig) *int { return &c.WarmupSteps }),
		floatKey("r", "the averaging weights grow as t^r", func(c *ScheduleFreeAdamWConfig) *float64 { return &c.R }),
		floatKey("weight_lr_power", "the averaging weights grow as lr_max^power", func(c *ScheduleFreeAdamWConfig) *float64 { return &c.WeightLRPower }),
		boolKey("decay_at_z", "weight decay at z instead of y", func(c *ScheduleFreeAdamWConfig) *bool { return &c.DecayAtZ }),
	},
	validate: (*ScheduleFreeAdamWConfig).validate,
	lr:       func(c *ScheduleFreeAdamWConfig) *float64 { return &c.LR },
	bufNames: []string{"z", "x", "exp_avg_sq"},
	needs:    func(*ScheduleFreeAdamWConfig) uint { return 7 },
}

// ScheduleFreeAdamW is Schedule-Free AdamW (Defazio, Yang, Mehta, Mishchenko, Khaled and
// Cutkosky, "The Road Less Scheduled", NeurIPS 2024), as the authors' reference
// implementation computes it (facebookresearch/schedule_free,
// schedulefree/adamw_schedulefree_reference.py at commit
// 1fb6be511a11a7901ee033fe63b5de7bb5ce1f68). Three sequences replace the learning-rate
// schedule: z takes the gradient steps, x is their weighted average, and gradients are
// taken at their interpolation y. At step t, with k = t-1 the group's steps so far,
//
//	γ_t ← γ · min(1, (k+1)/warmup) · √(1 - β₂^(k+1))
//	lr_max ← max(lr_max, γ_t);  w_t ← (k+1)^r lr_max^power;  c_{t+1} ← w_t / Σ_{i≤t} w_i
//	z ← z - γ_t λ y                              (or λ z with decay_at_z)
//	v ← β₂ v + (1 - β₂) g²
//	z ← z - γ_t g / (√v + ε)
//	x ← (1 - c_{t+1}) x + c_{t+1} z
//	y ← β₁ x + (1 - β₁) z
//
// and the parameters hold y. z, x and y start at the parameters' value at their first step.
// [ScheduleFreeAdamW.Eval] puts x in the parameters, [ScheduleFreeAdamW.Train] puts y back
// (recomputed from x and z, the same bits): call Eval before evaluating or saving the model
// and Train before the next Step, which panics at x as the reference raises. A saved state
// records which point the parameters held ("train_mode"), and loading it restores that mode,
// so save the model and the state together.
//
// In float32 each update above is a fused multiply-add. State per parameter: "z", "x" and
// "exp_avg_sq" (the reference also keeps y, which here is the parameter itself); globals:
// "k.G", "lr_max.G" and "weight_sum.G" of each group G, and "train_mode".
type ScheduleFreeAdamW struct {
	base[ScheduleFreeAdamWConfig, optimk.ScheduleFreeCoef]
	avg sfAverage
}

var (
	_ MomentumOptimizer = (*ScheduleFreeAdamW)(nil)
	_ ModeSwitcher      = (*ScheduleFreeAdamW)(nil)
)

// NewScheduleFreeAdamW returns Schedule-Free AdamW over params as one group with
// configuration cfg, in training mode.
func NewScheduleFreeAdamW(params []*Param, cfg ScheduleFreeAdamWConfig) (*ScheduleFreeAdamW, error) {
	o := &ScheduleFreeAdamW{}
	return o, o.init(sfAdamWSpec, o, params, cfg)
}

// Momentum returns β₁ of group g.
func (o *ScheduleFreeAdamW) Momentum(g int) float64 { return o.Config(g).Beta1 }

// SetMomentum sets β₁ of group g; it panics if β₁ is outside [0, 1).
func (o *ScheduleFreeAdamW) SetMomentum(g int, beta1 float64) {
	c := o.Config(g)
	c.Beta1 = beta1
	if err := o.SetConfig(g, c); err != nil {
		panic(err.Error())
	}
}

// Train puts the parameters at y, the point where gradients are taken, computed from x and
// z with each group's current β₁.
func (o *ScheduleFreeAdamW) Train() {
	if o.avg.evaluating {
		sfSwitch(o.params, o.state, func(i int) float64 { return o.cfgs[o.group[i]].Beta1 }, 1, 0, false)
		o.avg.evaluating = false
	}
}

// Eval puts the parameters at x, the average of the iterates.
func (o *ScheduleFreeAdamW) Eval() {
	if !o.avg.evaluating {
		sfSwitch(o.params, o.state, nil, 1, 0, true)
		o.avg.evaluating = true
	}
}

// Evaluating reports whether the parameters hold x.
func (o *ScheduleFreeAdamW) Evaluating() bool { return o.avg.evaluating }

// BytesPerParam returns the bytes one Step reads and writes per parameter element, beyond
// the finite check's read of the gradient: the gradient read; y, z, x and v read and written.
func (o *ScheduleFreeAdamW) BytesPerParam() int { return 4 * (1 + 2*4) }

func (o *ScheduleFreeAdamW) begin() error {
	o.avg.checkTraining(o.spec.name)
	o.avg.grow(len(o.cfgs))
	for g := range o.cfgs {
		c := &o.cfgs[g]
		o.avg.advance(g, c.LR, c.WarmupSteps, c.R, c.WeightLRPower, math.Sqrt(1-math.Pow(c.Beta2, float64(o.avg.k[g]+1))))
	}
	return nil
}

func (o *ScheduleFreeAdamW) prepare(i int) {
	g := o.group[i]
	c := &o.cfgs[g]
	lr := o.avg.lr[g]
	k := optimk.ScheduleFreeCoef{NegLR: float32(-lr), NegLRWD: float32(-(lr * c.WeightDecay)),
		C: float32(o.avg.ckp1[g]), Omc: float32(1 - o.avg.ckp1[g]), B1: float32(c.Beta1), Omb1: float32(1 - c.Beta1),
		B2: float32(c.Beta2), Omb2: float32(1 - c.Beta2), Eps: float32(c.Eps)}
	if c.DecayAtZ {
		k.Flags |= optimk.ScheduleFreeDecayAtZ
	}
	o.coef[i] = k
	sfInit(o.params[i], &o.state[i], 1, 0)
}

func (o *ScheduleFreeAdamW) update(i, lo, hi int) {
	p, st := o.params[i], &o.state[i]
	optimk.ScheduleFreeAdamW(p.Value[lo:hi], p.Grad[lo:hi], st.bufs[0][lo:hi], st.bufs[1][lo:hi], st.bufs[2][lo:hi], &o.coef[i])
}

func (o *ScheduleFreeAdamW) saveGlobals() []named { return o.avg.save(len(o.cfgs)) }

func (o *ScheduleFreeAdamW) loadGlobals(f *stateFile, cfgs []ScheduleFreeAdamWConfig) (func(), error) {
	return o.avg.load(f, len(cfgs))
}
