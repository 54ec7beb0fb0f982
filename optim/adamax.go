package optim

import (
	"math"

	"github.com/descent-ml/descent/internal/optimk"
)

// AdamaxConfig is the configuration of a group of [Adamax]; start from [DefaultAdamax].
type AdamaxConfig struct {
	LR          float64 // learning rate γ, positive; default 2e-3
	Beta1       float64 // β₁ in [0, 1); default 0.9
	Beta2       float64 // β₂ in [0, 1), the decay of the infinity norm; default 0.999
	Eps         float64 // ε ≥ 0, added to |g|; default 1e-8
	WeightDecay float64 // λ ≥ 0: adds λθ to the gradient; default 0
	Maximize    bool    // ascend the objective
}

// DefaultAdamax returns torch's defaults: lr 2e-3, betas (0.9, 0.999), eps 1e-8.
func DefaultAdamax() AdamaxConfig { return AdamaxConfig{LR: 2e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8} }

var adamaxSpec = &spec[AdamaxConfig]{
	name: "adamax",
	keys: []key[AdamaxConfig]{
		floatKey("lr", "learning rate γ", func(c *AdamaxConfig) *float64 { return &c.LR }),
		pairKey("betas", "decays β₁/β₂", func(c *AdamaxConfig) *float64 { return &c.Beta1 }, func(c *AdamaxConfig) *float64 { return &c.Beta2 }),
		floatKey("eps", "ε added to |g|", func(c *AdamaxConfig) *float64 { return &c.Eps }),
		floatKey("weight_decay", "L2 penalty λ, adds λθ to the gradient", func(c *AdamaxConfig) *float64 { return &c.WeightDecay }),
		boolKey("maximize", "maximise the objective", func(c *AdamaxConfig) *bool { return &c.Maximize }),
	},
	validate: func(c *AdamaxConfig) error { return checkAdamLike(c.LR, c.Beta1, c.Beta2, c.Eps, c.WeightDecay) },
	lr:       func(c *AdamaxConfig) *float64 { return &c.LR },
	bufNames: []string{"exp_avg", "exp_inf"},
	needs:    func(*AdamaxConfig) uint { return 3 },
}

// Adamax is the infinity-norm variant of Adam (Kingma and Ba, "Adam: A Method for Stochastic
// Optimization", ICLR 2015, section 7.1), torch.optim.Adamax:
//
//	g_t ← -g_t                          if maximize
//	g_t ← g_t + λ θ_{t-1}               if λ ≠ 0
//	m_t ← β₁ m_{t-1} + (1 - β₁) g_t
//	u_t ← max(β₂ u_{t-1}, |g_t| + ε)
//	θ_t ← θ_{t-1} - γ m_t / ((1 - β₁ᵗ) u_t)
//
// State per parameter: "exp_avg" (m) and "exp_inf" (u).
type Adamax struct {
	base[AdamaxConfig, optimk.AdamaxCoef]
}

var _ MomentumOptimizer = (*Adamax)(nil)

// NewAdamax returns Adamax over params as one group with configuration cfg.
func NewAdamax(params []*Param, cfg AdamaxConfig) (*Adamax, error) {
	o := &Adamax{}
	return o, o.init(adamaxSpec, o, params, cfg)
}

// Momentum returns β₁ of group g.
func (o *Adamax) Momentum(g int) float64 { return o.Config(g).Beta1 }

// SetMomentum sets β₁ of group g; it panics if β₁ is outside [0, 1).
func (o *Adamax) SetMomentum(g int, beta1 float64) {
	c := o.Config(g)
	c.Beta1 = beta1
	if err := o.SetConfig(g, c); err != nil {
		panic(err.Error())
	}
}

func (o *Adamax) prepare(i int) {
	c := &o.cfgs[o.group[i]]
	bc := 1 - math.Pow(c.Beta1, float64(o.state[i].step))
	o.coef[i] = optimk.AdamaxCoef{B1: float32(c.Beta1), Omb1: float32(1 - c.Beta1), B2: float32(c.Beta2), Eps: float32(c.Eps),
		WD: float32(c.WeightDecay), NegCLR: float32(-(c.LR / bc))}
	if c.Maximize {
		o.coef[i].Flags |= optimk.AdamMaximize
	}
	if c.WeightDecay != 0 {
		o.coef[i].Flags |= optimk.AdamDecay
	}
}

func (o *Adamax) update(i, lo, hi int) {
	p, st := o.params[i], &o.state[i]
	optimk.Adamax(p.Value[lo:hi], p.Grad[lo:hi], st.bufs[0][lo:hi], st.bufs[1][lo:hi], &o.coef[i])
}
