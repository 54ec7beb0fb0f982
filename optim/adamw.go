package optim

import "github.com/descent-ml/descent/internal/optimk"

// AdamWConfig is the configuration of a group of [AdamW]. Start from [DefaultAdamW], torch's
// defaults.
type AdamWConfig struct {
	LR          float64 // learning rate γ, positive; torch's default 1e-3
	Beta1       float64 // β₁ in [0, 1); default 0.9
	Beta2       float64 // β₂ in [0, 1); default 0.999
	Eps         float64 // ε ≥ 0; default 1e-8
	WeightDecay float64 // decoupled decay λ ≥ 0: θ ← θ(1 - γλ) before the step; default 1e-2
	AMSGrad     AMSGrad // AMSGrad variant; default off
	Maximize    bool    // ascend the objective
}

// DefaultAdamW returns torch's defaults: lr 1e-3, betas (0.9, 0.999), eps 1e-8, weight decay 1e-2.
func DefaultAdamW() AdamWConfig {
	return AdamWConfig{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: 1e-2}
}

func (c *AdamWConfig) validate() error {
	if err := checkAdamLike(c.LR, c.Beta1, c.Beta2, c.Eps, c.WeightDecay); err != nil {
		return err
	}
	return checkAMSGrad(c.AMSGrad)
}

var adamwSpec = &spec[AdamWConfig]{
	name: "adamw",
	keys: []key[AdamWConfig]{
		floatKey("lr", "learning rate γ", func(c *AdamWConfig) *float64 { return &c.LR }),
		pairKey("betas", "decays β₁/β₂ of the moments", func(c *AdamWConfig) *float64 { return &c.Beta1 }, func(c *AdamWConfig) *float64 { return &c.Beta2 }),
		floatKey("eps", "ε added to the root of the second moment", func(c *AdamWConfig) *float64 { return &c.Eps }),
		floatKey("weight_decay", "decoupled decay λ: θ ← θ(1-γλ)", func(c *AdamWConfig) *float64 { return &c.WeightDecay }),
		amsgradKey(func(c *AdamWConfig) *AMSGrad { return &c.AMSGrad }),
		boolKey("maximize", "maximise the objective", func(c *AdamWConfig) *bool { return &c.Maximize }),
	},
	validate: (*AdamWConfig).validate,
	lr:       func(c *AdamWConfig) *float64 { return &c.LR },
	bufNames: adamBufNames,
	needs:    func(c *AdamWConfig) uint { return adamNeeds(c.AMSGrad) },
}

// AdamW is Adam with decoupled weight decay (Loshchilov and Hutter, "Decoupled Weight Decay
// Regularization", ICLR 2019), torch.optim.AdamW. The decay shrinks the parameter before the
// moments are updated, and does not enter them:
//
//	θ_{t-1} ← θ_{t-1} (1 - γλ)
//	m_t ← β₁ m_{t-1} + (1 - β₁) g_t
//	v_t ← β₂ v_{t-1} + (1 - β₂) g_t²
//	θ_t ← θ_{t-1} - γ m_t/(1 - β₁ᵗ) / (√v_t / √(1 - β₂ᵗ) + ε)
//
// with the AMSGrad variants of [Adam]. State per parameter: as [Adam].
type AdamW struct {
	base[AdamWConfig, optimk.AdamCoef]
}

var _ MomentumOptimizer = (*AdamW)(nil)

// NewAdamW returns AdamW over params as one group with configuration cfg.
func NewAdamW(params []*Param, cfg AdamWConfig) (*AdamW, error) {
	o := &AdamW{}
	return o, o.init(adamwSpec, o, params, cfg)
}

// Momentum returns β₁ of group g.
func (o *AdamW) Momentum(g int) float64 { return o.Config(g).Beta1 }

// SetMomentum sets β₁ of group g; it panics if β₁ is outside [0, 1).
func (o *AdamW) SetMomentum(g int, beta1 float64) {
	c := o.Config(g)
	c.Beta1 = beta1
	if err := o.SetConfig(g, c); err != nil {
		panic(err.Error())
	}
}

func (o *AdamW) prepare(i int) {
	c := &o.cfgs[o.group[i]]
	o.coef[i] = newAdamCoef(c.LR, c.Beta1, c.Beta2, c.Eps, c.WeightDecay, c.AMSGrad, c.Maximize, true, o.state[i].step)
}

func (o *AdamW) update(i, lo, hi int) { adamUpdate(o.params[i], &o.state[i], &o.coef[i], lo, hi) }
