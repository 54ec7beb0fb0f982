package optim

import "github.com/descent-ml/descent/internal/optimk"

// AdamConfig is the configuration of a group of [Adam]. Zero betas are meaningful, so start
// from [DefaultAdam], torch's defaults.
type AdamConfig struct {
	LR          float64 // learning rate γ, positive; torch's default 1e-3
	Beta1       float64 // β₁ in [0, 1), the first moment's decay; default 0.9
	Beta2       float64 // β₂ in [0, 1), the second moment's decay; default 0.999
	Eps         float64 // ε ≥ 0, added after the bias-corrected square root; default 1e-8
	WeightDecay float64 // λ ≥ 0: adds λθ to the gradient (L2), or decoupled (below); default 0
	AMSGrad     AMSGrad // AMSGrad variant; default off
	Maximize    bool    // ascend the objective
	// DecoupledWeightDecay is torch 2's decoupled_weight_decay: θ ← θ(1 - γλ) before the
	// step instead of the L2 term, which makes Adam [AdamW]; default false, torch 1.13's Adam.
	DecoupledWeightDecay bool
}

// DefaultAdam returns torch's defaults: lr 1e-3, betas (0.9, 0.999), eps 1e-8.
func DefaultAdam() AdamConfig { return AdamConfig{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8} }

func (c *AdamConfig) validate() error {
	if err := checkAdamLike(c.LR, c.Beta1, c.Beta2, c.Eps, c.WeightDecay); err != nil {
		return err
	}
	return checkAMSGrad(c.AMSGrad)
}

var adamSpec = &spec[AdamConfig]{
	name: "adam",
	keys: []key[AdamConfig]{
		floatKey("lr", "learning rate γ", func(c *AdamConfig) *float64 { return &c.LR }),
		pairKey("betas", "decays β₁/β₂ of the moments", func(c *AdamConfig) *float64 { return &c.Beta1 }, func(c *AdamConfig) *float64 { return &c.Beta2 }),
		floatKey("eps", "ε added to the root of the second moment", func(c *AdamConfig) *float64 { return &c.Eps }),
		floatKey("weight_decay", "L2 penalty λ, adds λθ to the gradient", func(c *AdamConfig) *float64 { return &c.WeightDecay }),
		amsgradKey(func(c *AdamConfig) *AMSGrad { return &c.AMSGrad }),
		boolKey("maximize", "maximise the objective", func(c *AdamConfig) *bool { return &c.Maximize }),
		boolKey("decoupled_weight_decay", "decoupled decay θ ← θ(1-γλ) instead of the L2 term (AdamW; torch 2)", func(c *AdamConfig) *bool { return &c.DecoupledWeightDecay }),
	},
	validate: (*AdamConfig).validate,
	lr:       func(c *AdamConfig) *float64 { return &c.LR },
	bufNames: adamBufNames,
	needs:    func(c *AdamConfig) uint { return adamNeeds(c.AMSGrad) },
}

var adamBufNames = []string{"exp_avg", "exp_avg_sq", "max_exp_avg_sq", "max_exp_avg_sq_hat"}

func adamNeeds(a AMSGrad) uint {
	switch a {
	case AMSGradTorch:
		return 0b0111
	case AMSGradLecture:
		return 0b1011
	}
	return 0b0011
}

// Adam is Kingma and Ba's method ("Adam: A Method for Stochastic Optimization", ICLR 2015),
// torch.optim.Adam, with torch's and the lecture's AMSGrad (Reddi et al., "On the Convergence
// of Adam and Beyond", ICLR 2018). With g_t the gradient at step t,
//
//	g_t ← -g_t                          if maximize
//	g_t ← g_t + λ θ_{t-1}               if λ ≠ 0 and not decoupled
//	θ_{t-1} ← θ_{t-1} (1 - γλ)          if decoupled_weight_decay (torch 2.x; AdamW)
//	m_t ← β₁ m_{t-1} + (1 - β₁) g_t
//	v_t ← β₂ v_{t-1} + (1 - β₂) g_t²
//	m̂_t ← m_t / (1 - β₁ᵗ)
//	θ_t ← θ_{t-1} - γ m̂_t / (√v_t / √(1 - β₂ᵗ) + ε)               plain
//	θ_t ← θ_{t-1} - γ m̂_t / (√v̂_t / √(1 - β₂ᵗ) + ε), v̂_t = max(v̂_{t-1}, v_t)              amsgrad=true (torch)
//	θ_t ← θ_{t-1} - γ m̂_t / (√v̂_t + ε),  v̂_t = max(v̂_{t-1}, v_t / (1 - β₂ᵗ))             amsgrad=lecture
//
// ε is added after the bias-corrected square root. The lecture's slide writes m_{n+1} in the
// last line where it defines m̂; like Kingma and Ba and torch, the update uses m̂. State per
// parameter: "exp_avg", "exp_avg_sq", and "max_exp_avg_sq" (torch) or "max_exp_avg_sq_hat"
// (lecture).
//
// DecoupledWeightDecay is the option torch 2.x's Adam gained (torch/optim/adam.py, tag
// v2.8.0): with it Adam is AdamW, bit for bit the steps of [AdamW] with the same options.
// Without it the steps are torch 1.13's, bit for bit.
type Adam struct {
	base[AdamConfig, optimk.AdamCoef]
}

var _ MomentumOptimizer = (*Adam)(nil)

// NewAdam returns Adam over params as one group with configuration cfg.
func NewAdam(params []*Param, cfg AdamConfig) (*Adam, error) {
	o := &Adam{}
	return o, o.init(adamSpec, o, params, cfg)
}

// Momentum returns β₁ of group g.
func (o *Adam) Momentum(g int) float64 { return o.Config(g).Beta1 }

// SetMomentum sets β₁ of group g; it panics if β₁ is outside [0, 1).
func (o *Adam) SetMomentum(g int, beta1 float64) {
	c := o.Config(g)
	c.Beta1 = beta1
	if err := o.SetConfig(g, c); err != nil {
		panic(err.Error())
	}
}

func (o *Adam) prepare(i int) {
	c := &o.cfgs[o.group[i]]
	o.coef[i] = newAdamCoef(c.LR, c.Beta1, c.Beta2, c.Eps, c.WeightDecay, c.AMSGrad, c.Maximize, c.DecoupledWeightDecay, o.state[i].step)
}

func (o *Adam) update(i, lo, hi int) { adamUpdate(o.params[i], &o.state[i], &o.coef[i], lo, hi) }

// adamUpdate applies the Adam or AdamW step to the elements [lo, hi) of p.
func adamUpdate(p *Param, st *pstate, k *optimk.AdamCoef, lo, hi int) {
	var vmax []float32
	switch {
	case k.Flags&optimk.AdamAMSTorch != 0:
		vmax = st.bufs[2][lo:hi]
	case k.Flags&optimk.AdamAMSLecture != 0:
		vmax = st.bufs[3][lo:hi]
	}
	optimk.Adam(p.Value[lo:hi], p.Grad[lo:hi], st.bufs[0][lo:hi], st.bufs[1][lo:hi], vmax, k)
}
