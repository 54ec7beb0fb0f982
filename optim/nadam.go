package optim

import (
	"fmt"
	"math"

	"github.com/descent-ml/descent/internal/optimk"
)

// NAdamConfig is the configuration of a group of [NAdam]; start from [DefaultNAdam].
type NAdamConfig struct {
	LR            float64 // learning rate γ, positive; default 2e-3
	Beta1         float64 // β₁ in [0, 1); default 0.9
	Beta2         float64 // β₂ in [0, 1); default 0.999
	Eps           float64 // ε ≥ 0; default 1e-8
	WeightDecay   float64 // λ ≥ 0: adds λθ to the gradient, or decoupled (below); default 0
	MomentumDecay float64 // ψ ≥ 0, the momentum schedule's decay; default 4e-3
	// DecoupledWeightDecay selects torch 2.x's NAdam with its decoupled_weight_decay:
	// θ ← θ(1 - γλ) before the step instead of the L2 term, and torch 2's μ product (see
	// [NAdam]); default false, torch 1.13's NAdam.
	DecoupledWeightDecay bool
}

// DefaultNAdam returns torch's defaults: lr 2e-3, betas (0.9, 0.999), eps 1e-8, momentum
// decay 4e-3.
func DefaultNAdam() NAdamConfig {
	return NAdamConfig{LR: 2e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, MomentumDecay: 4e-3}
}

var nadamSpec = &spec[NAdamConfig]{
	name: "nadam",
	keys: []key[NAdamConfig]{
		floatKey("lr", "learning rate γ", func(c *NAdamConfig) *float64 { return &c.LR }),
		pairKey("betas", "decays β₁/β₂", func(c *NAdamConfig) *float64 { return &c.Beta1 }, func(c *NAdamConfig) *float64 { return &c.Beta2 }),
		floatKey("eps", "ε added to the root", func(c *NAdamConfig) *float64 { return &c.Eps }),
		floatKey("weight_decay", "L2 penalty λ, adds λθ to the gradient", func(c *NAdamConfig) *float64 { return &c.WeightDecay }),
		floatKey("momentum_decay", "ψ of the momentum schedule μ_t = β₁(1 - 0.96^(tψ)/2)", func(c *NAdamConfig) *float64 { return &c.MomentumDecay }),
		boolKey("decoupled_weight_decay", "decoupled decay θ ← θ(1-γλ) instead of the L2 term (torch 2)", func(c *NAdamConfig) *bool { return &c.DecoupledWeightDecay }),
	},
	validate: func(c *NAdamConfig) error {
		if err := checkAdamLike(c.LR, c.Beta1, c.Beta2, c.Eps, c.WeightDecay); err != nil {
			return err
		}
		if !(c.MomentumDecay >= 0) {
			return fmt.Errorf("momentum_decay must be non-negative, got %v", c.MomentumDecay)
		}
		return nil
	},
	lr:       func(c *NAdamConfig) *float64 { return &c.LR },
	bufNames: []string{"exp_avg", "exp_avg_sq"},
	needs:    func(*NAdamConfig) uint { return 3 },
	valNames: []string{"mu_product"},
	initVals: func(_ *NAdamConfig, v []float64) { v[0] = 1 },
}

// NAdam is Adam with Nesterov momentum (Dozat, "Incorporating Nesterov Momentum into Adam",
// ICLR 2016 workshop), torch.optim.NAdam, with its momentum schedule:
//
//	g_t ← g_t + λ θ_{t-1}               if λ ≠ 0 and not decoupled
//	θ_{t-1} ← θ_{t-1} (1 - γλ)          if decoupled_weight_decay (torch 2.x)
//	μ_t ← β₁ (1 - ½·0.96^(tψ)),  μ_{t+1} ← β₁ (1 - ½·0.96^((t+1)ψ))
//	m_t ← β₁ m_{t-1} + (1 - β₁) g_t
//	v_t ← β₂ v_{t-1} + (1 - β₂) g_t²
//	d_t ← √(v_t / (1 - β₂ᵗ)) + ε
//	θ_t ← θ_{t-1} - γ (1 - μ_t)/(1 - Π_{i≤t} μ_i) · g_t/d_t - γ μ_{t+1}/(1 - Π_{i≤t+1} μ_i) · m_t/d_t
//
// The product of the μ is kept in float32, as torch keeps it in a float32 tensor. State per
// parameter: "exp_avg", "exp_avg_sq" and the scalar "mu_product". torch 1.13's NAdam has no
// maximize option, so neither has this one.
//
// torch 1.13 computes the product in the last term as Π_{i≤t} μ_i · μ_t · μ_{t+1}, counting
// μ_t twice; torch 2.0 corrected it to Π_{i≤t+1} μ_i as written above. Without
// DecoupledWeightDecay the steps are torch 1.13's, bit for bit, its product included. With
// it they are torch 2.x's (torch/optim/nadam.py, _single_tensor_nadam, tag v2.8.0):
// param.mul_(1 - lr * weight_decay) in place of grad.add(param, alpha=weight_decay), and
// the corrected product, since the option exists only in the torch that has it.
type NAdam struct {
	base[NAdamConfig, optimk.NAdamCoef]
}

var _ MomentumOptimizer = (*NAdam)(nil)

// NewNAdam returns NAdam over params as one group with configuration cfg.
func NewNAdam(params []*Param, cfg NAdamConfig) (*NAdam, error) {
	o := &NAdam{}
	return o, o.init(nadamSpec, o, params, cfg)
}

// Momentum returns β₁ of group g.
func (o *NAdam) Momentum(g int) float64 { return o.Config(g).Beta1 }

// SetMomentum sets β₁ of group g; it panics if β₁ is outside [0, 1).
func (o *NAdam) SetMomentum(g int, beta1 float64) {
	c := o.Config(g)
	c.Beta1 = beta1
	if err := o.SetConfig(g, c); err != nil {
		panic(err.Error())
	}
}

func (o *NAdam) prepare(i int) {
	c, st := &o.cfgs[o.group[i]], &o.state[i]
	step := float64(st.step)
	bc2 := 1 - math.Pow(c.Beta2, step)
	mu := c.Beta1 * (1 - 0.5*math.Pow(0.96, step*c.MomentumDecay))
	muNext := c.Beta1 * (1 - 0.5*math.Pow(0.96, (step+1)*c.MomentumDecay))
	// torch: mu_product *= mu; mu_product_next = mu_product * mu * mu_next, in float32
	mp := float32(st.vals[0]) * float32(mu)
	st.vals[0] = float64(mp)
	mpNext := float64((mp * float32(mu)) * float32(muNext))
	if c.DecoupledWeightDecay { // torch 2: mu_product_next = mu_product.item() * mu_next, in float64
		mpNext = float64(mp) * muNext
	}
	o.coef[i] = optimk.NAdamCoef{B1: float32(c.Beta1), Omb1: float32(1 - c.Beta1), B2: float32(c.Beta2), Omb2: float32(1 - c.Beta2),
		Bc2: float32(bc2), Eps: float32(c.Eps), WD: float32(c.WeightDecay),
		Cg: float32(-c.LR * (1 - mu) / (1 - float64(mp))), Cm: float32(-c.LR * muNext / (1 - mpNext))}
	if c.WeightDecay != 0 {
		if c.DecoupledWeightDecay {
			o.coef[i].Flags |= optimk.AdamDecoupled
			o.coef[i].Decay = float32(1 - c.LR*c.WeightDecay)
		} else {
			o.coef[i].Flags |= optimk.AdamDecay
		}
	}
}

// update follows torch: m = fma(g, 1-β₁, m·β₁); v = fma((1-β₂)·g, g, v·β₂);
// d = √(v/bc₂) + ε; θ = θ + (c_g·g)/d; θ = θ + (c_m·m)/d.
func (o *NAdam) update(i, lo, hi int) {
	p, st := o.params[i], &o.state[i]
	optimk.NAdam(p.Value[lo:hi], p.Grad[lo:hi], st.bufs[0][lo:hi], st.bufs[1][lo:hi], &o.coef[i])
}
