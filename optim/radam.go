package optim

import (
	"math"

	"github.com/descent-ml/descent/internal/optimk"
)

// RAdamConfig is the configuration of a group of [RAdam]; start from [DefaultRAdam].
type RAdamConfig struct {
	LR          float64 // learning rate γ, positive; default 1e-3
	Beta1       float64 // β₁ in [0, 1); default 0.9
	Beta2       float64 // β₂ in [0, 1); default 0.999
	Eps         float64 // ε ≥ 0; default 1e-8
	WeightDecay float64 // λ ≥ 0: adds λθ to the gradient, or decoupled (below); default 0
	// DecoupledWeightDecay is torch 2's decoupled_weight_decay: θ ← θ(1 - γλ) before the
	// step instead of the L2 term; default false, torch 1.13's RAdam.
	DecoupledWeightDecay bool
}

// DefaultRAdam returns torch's defaults: lr 1e-3, betas (0.9, 0.999), eps 1e-8.
func DefaultRAdam() RAdamConfig { return RAdamConfig{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8} }

var radamSpec = &spec[RAdamConfig]{
	name: "radam",
	keys: []key[RAdamConfig]{
		floatKey("lr", "learning rate γ", func(c *RAdamConfig) *float64 { return &c.LR }),
		pairKey("betas", "decays β₁/β₂", func(c *RAdamConfig) *float64 { return &c.Beta1 }, func(c *RAdamConfig) *float64 { return &c.Beta2 }),
		floatKey("eps", "ε added to the root", func(c *RAdamConfig) *float64 { return &c.Eps }),
		floatKey("weight_decay", "L2 penalty λ, adds λθ to the gradient", func(c *RAdamConfig) *float64 { return &c.WeightDecay }),
		boolKey("decoupled_weight_decay", "decoupled decay θ ← θ(1-γλ) instead of the L2 term (torch 2)", func(c *RAdamConfig) *bool { return &c.DecoupledWeightDecay }),
	},
	validate: func(c *RAdamConfig) error { return checkAdamLike(c.LR, c.Beta1, c.Beta2, c.Eps, c.WeightDecay) },
	lr:       func(c *RAdamConfig) *float64 { return &c.LR },
	bufNames: []string{"exp_avg", "exp_avg_sq"},
	needs:    func(*RAdamConfig) uint { return 3 },
}

// RAdam is rectified Adam (Liu et al., "On the Variance of the Adaptive Learning Rate and
// Beyond", ICLR 2020), torch.optim.RAdam:
//
//	g_t ← g_t + λ θ_{t-1}               if λ ≠ 0 and not decoupled
//	θ_{t-1} ← θ_{t-1} (1 - γλ)          if decoupled_weight_decay (torch 2.x)
//	m_t ← β₁ m_{t-1} + (1 - β₁) g_t,  m̂_t ← m_t / (1 - β₁ᵗ)
//	v_t ← β₂ v_{t-1} + (1 - β₂) g_t²
//	ρ_∞ ← 2/(1 - β₂) - 1,  ρ_t ← ρ_∞ - 2t β₂ᵗ/(1 - β₂ᵗ)
//	θ_t ← θ_{t-1} - γ m̂_t r_t √(1 - β₂ᵗ)/(√v_t + ε),  r_t = √((ρ_t-4)(ρ_t-2)ρ_∞ / ((ρ_∞-4)(ρ_∞-2)ρ_t))   if ρ_t > 5
//	θ_t ← θ_{t-1} - γ m̂_t                                                                          otherwise
//
// State per parameter: "exp_avg", "exp_avg_sq". torch 1.13's RAdam has no maximize option.
// DecoupledWeightDecay is the option of torch 2.x's RAdam (torch/optim/radam.py, tag v2.8.0);
// without it the steps are torch 1.13's, bit for bit.
type RAdam struct {
	base[RAdamConfig, optimk.RAdamCoef]
}

var _ MomentumOptimizer = (*RAdam)(nil)

// NewRAdam returns RAdam over params as one group with configuration cfg.
func NewRAdam(params []*Param, cfg RAdamConfig) (*RAdam, error) {
	o := &RAdam{}
	return o, o.init(radamSpec, o, params, cfg)
}

// Momentum returns β₁ of group g.
func (o *RAdam) Momentum(g int) float64 { return o.Config(g).Beta1 }

// SetMomentum sets β₁ of group g; it panics if β₁ is outside [0, 1).
func (o *RAdam) SetMomentum(g int, beta1 float64) {
	c := o.Config(g)
	c.Beta1 = beta1
	if err := o.SetConfig(g, c); err != nil {
		panic(err.Error())
	}
}

func (o *RAdam) prepare(i int) {
	c := &o.cfgs[o.group[i]]
	step := float64(o.state[i].step)
	bc1 := 1 - math.Pow(c.Beta1, step)
	bc2 := 1 - math.Pow(c.Beta2, step)
	rhoInf := 2/(1-c.Beta2) - 1
	rhoT := rhoInf - 2*step*math.Pow(c.Beta2, step)/bc2
	k := optimk.RAdamCoef{B1: float32(c.Beta1), Omb1: float32(1 - c.Beta1), B2: float32(c.Beta2), Omb2: float32(1 - c.Beta2),
		Bc1: float32(bc1), LR: float32(c.LR), Eps: float32(c.Eps), WD: float32(c.WeightDecay)}
	if c.WeightDecay != 0 {
		if c.DecoupledWeightDecay {
			k.Flags |= optimk.RAdamDecoupled
			k.Decay = float32(1 - c.LR*c.WeightDecay)
		} else {
			k.Flags |= optimk.RAdamDecay
		}
	}
	if rhoT > 5 {
		k.Flags |= optimk.RAdamRectified
		k.Rect = float32(math.Sqrt((rhoT - 4) * (rhoT - 2) * rhoInf / ((rhoInf - 4) * (rhoInf - 2) * rhoT)))
		k.Bc2s = float32(math.Sqrt(bc2))
	}
	o.coef[i] = k
}

// update follows torch: m̂ = m/bc₁; rectified: θ = θ - ((m̂·γ)·(√bc₂·(1/(√v+ε))))·r,
// else θ = θ - m̂·γ.
func (o *RAdam) update(i, lo, hi int) {
	p, st := o.params[i], &o.state[i]
	optimk.RAdam(p.Value[lo:hi], p.Grad[lo:hi], st.bufs[0][lo:hi], st.bufs[1][lo:hi], &o.coef[i])
}
