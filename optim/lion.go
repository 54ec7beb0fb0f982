package optim

import (
	"fmt"

	"github.com/descent-ml/descent/internal/optimk"
)

// LionConfig is the configuration of a group of [Lion]. Zero betas are meaningful, so start
// from [DefaultLion], the reference's defaults.
type LionConfig struct {
	LR          float64 // learning rate γ, positive; default 1e-4
	Beta1       float64 // β₁ in [0, 1), the interpolation whose sign is the step; default 0.9
	Beta2       float64 // β₂ in [0, 1), the momentum's decay; default 0.99
	WeightDecay float64 // decoupled decay λ ≥ 0: θ ← θ(1 - γλ) before the step; default 0
}

// DefaultLion returns the defaults of the reference: lr 1e-4, betas (0.9, 0.99), weight
// decay 0.
func DefaultLion() LionConfig { return LionConfig{LR: 1e-4, Beta1: 0.9, Beta2: 0.99} }

func (c *LionConfig) validate() error {
	switch {
	case !(c.LR > 0):
		return fmt.Errorf("lr must be positive, got %v", c.LR)
	case !(0 <= c.Beta1 && c.Beta1 < 1):
		return fmt.Errorf("betas[0] must be in [0, 1), got %v", c.Beta1)
	case !(0 <= c.Beta2 && c.Beta2 < 1):
		return fmt.Errorf("betas[1] must be in [0, 1), got %v", c.Beta2)
	case !(c.WeightDecay >= 0):
		return fmt.Errorf("weight_decay must be non-negative, got %v", c.WeightDecay)
	}
	return nil
}

var lionSpec = &spec[LionConfig]{
	name: "lion",
	keys: []key[LionConfig]{
		floatKey("lr", "learning rate γ", func(c *LionConfig) *float64 { return &c.LR }),
		pairKey("betas", "β₁ of the step's sign / β₂ of the momentum", func(c *LionConfig) *float64 { return &c.Beta1 }, func(c *LionConfig) *float64 { return &c.Beta2 }),
		floatKey("weight_decay", "decoupled decay λ: θ ← θ(1-γλ)", func(c *LionConfig) *float64 { return &c.WeightDecay }),
	},
	validate: (*LionConfig).validate,
	lr:       func(c *LionConfig) *float64 { return &c.LR },
	bufNames: []string{"exp_avg"},
	needs:    func(*LionConfig) uint { return 1 },
}

// Lion is the sign-momentum method found by program search (Chen et al., "Symbolic
// Discovery of Optimization Algorithms", NeurIPS 2023), as the authors' PyTorch reference
// computes it (google/automl, lion/lion_pytorch.py at commit
// 87461ee96d8bbfcaf1edd4fbd8659d31d3760a50). With g_t the gradient at step t,
//
//	θ_{t-1} ← θ_{t-1} (1 - γλ)
//	c_t ← β₁ m_{t-1} + (1 - β₁) g_t
//	θ_t ← θ_{t-1} - γ sign(c_t)
//	m_t ← β₂ m_{t-1} + (1 - β₂) g_t
//
// Every coordinate moves by exactly γ (or not at all, where c_t is zero: sign 0, as
// torch's sign_), so the step's size does not depend on the gradient's scale; the paper
// suggests a learning rate 3-10 times smaller than AdamW's and a weight decay 3-10 times
// larger. In float32 the step is θ(1-γλ) rounded, plus ∓γ rounded once; the
// interpolation and the momentum are fused multiply-adds. State per parameter: "exp_avg"
// (m). The reference has no maximize option, so neither has this one.
type Lion struct {
	base[LionConfig, optimk.LionCoef]
}

var _ MomentumOptimizer = (*Lion)(nil)

// NewLion returns Lion over params as one group with configuration cfg.
func NewLion(params []*Param, cfg LionConfig) (*Lion, error) {
	o := &Lion{}
	return o, o.init(lionSpec, o, params, cfg)
}

// Momentum returns β₁ of group g.
func (o *Lion) Momentum(g int) float64 { return o.Config(g).Beta1 }

// SetMomentum sets β₁ of group g; it panics if β₁ is outside [0, 1).
func (o *Lion) SetMomentum(g int, beta1 float64) {
	c := o.Config(g)
	c.Beta1 = beta1
	if err := o.SetConfig(g, c); err != nil {
		panic(err.Error())
	}
}

// BytesPerParam returns the bytes one Step reads and writes per parameter element, beyond
// the finite check's read of the gradient: the gradient read, the value and the momentum
// read and written.
func (o *Lion) BytesPerParam() int { return 4 * (1 + 2 + 2) }

func (o *Lion) prepare(i int) {
	c := &o.cfgs[o.group[i]]
	o.coef[i] = optimk.LionCoef{Decay: float32(1 - c.LR*c.WeightDecay), B1: float32(c.Beta1), Omb1: float32(1 - c.Beta1),
		B2: float32(c.Beta2), Omb2: float32(1 - c.Beta2), NegLR: float32(-c.LR)}
}

func (o *Lion) update(i, lo, hi int) {
	p := o.params[i]
	optimk.Lion(p.Value[lo:hi], p.Grad[lo:hi], o.state[i].bufs[0][lo:hi], &o.coef[i])
}
