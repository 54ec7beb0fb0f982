package optim

import (
	"fmt"

	"github.com/descent-ml/descent/internal/optimk"
)

// SGDConfig is the configuration of a group of [SGD]. Its zero value is not valid: LR has no
// default (torch requires it); every other field defaults to zero, plain SGD.
type SGDConfig struct {
	LR          float64 // learning rate γ, positive; no default
	Momentum    float64 // momentum μ ≥ 0; 0 (default) disables momentum
	Dampening   float64 // dampening τ of the gradient in the momentum buffer; default 0
	WeightDecay float64 // λ ≥ 0: adds λθ to the gradient, the L2 penalty λ/2·‖θ‖²; default 0
	Nesterov    bool    // Nesterov momentum; needs μ > 0 and τ = 0
	Maximize    bool    // ascend the objective instead of descending it
}

func (c *SGDConfig) validate() error {
	switch {
	case !(c.LR > 0):
		return fmt.Errorf("lr must be positive (torch requires it), got %v", c.LR)
	case !(c.Momentum >= 0):
		return fmt.Errorf("momentum must be non-negative, got %v", c.Momentum)
	case !(c.WeightDecay >= 0):
		return fmt.Errorf("weight_decay must be non-negative, got %v", c.WeightDecay)
	case !(c.Dampening >= 0 && c.Dampening <= 1):
		return fmt.Errorf("dampening must be in [0, 1], got %v", c.Dampening)
	case c.Nesterov && (c.Momentum <= 0 || c.Dampening != 0):
		return fmt.Errorf("nesterov needs a positive momentum and zero dampening, got momentum %v, dampening %v", c.Momentum, c.Dampening)
	}
	return nil
}

var sgdSpec = &spec[SGDConfig]{
	name: "sgd",
	keys: []key[SGDConfig]{
		floatKey("lr", "learning rate γ (required)", func(c *SGDConfig) *float64 { return &c.LR }),
		floatKey("momentum", "momentum μ", func(c *SGDConfig) *float64 { return &c.Momentum }),
		floatKey("dampening", "dampening τ", func(c *SGDConfig) *float64 { return &c.Dampening }),
		floatKey("weight_decay", "L2 penalty λ, adds λθ to the gradient", func(c *SGDConfig) *float64 { return &c.WeightDecay }),
		boolKey("nesterov", "Nesterov momentum", func(c *SGDConfig) *bool { return &c.Nesterov }),
		boolKey("maximize", "maximise the objective", func(c *SGDConfig) *bool { return &c.Maximize }),
	},
	validate: (*SGDConfig).validate,
	lr:       func(c *SGDConfig) *float64 { return &c.LR },
	bufNames: []string{"momentum_buffer"},
	needs: func(c *SGDConfig) uint {
		if c.Momentum != 0 {
			return 1
		}
		return 0
	},
	valNames: []string{"momentum_buffer_set"},
}

// SGD is stochastic gradient descent (Robbins and Monro, "A Stochastic Approximation Method",
// Ann. Math. Statist. 1951) with optional momentum, Nesterov momentum, dampening and weight
// decay: torch.optim.SGD. With g_t the gradient at step t,
//
//	g_t ← -g_t                         if maximize
//	g_t ← g_t + λ θ_{t-1}              if λ ≠ 0
//	b_t ← g_t                          if μ ≠ 0, at the first step
//	b_t ← μ b_{t-1} + (1 - τ) g_t      if μ ≠ 0, afterwards
//	g_t ← g_t + μ b_t                  if nesterov, else g_t ← b_t (if μ ≠ 0)
//	θ_t ← θ_{t-1} - γ g_t
//
// The momentum buffer starts at the first gradient, undampened. This is torch's form, where
// the learning rate multiplies the buffer; Sutskever et al. ("On the importance of
// initialization and momentum in deep learning", ICML 2013) put it inside the buffer instead,
// which differs when γ changes. Heavy-ball momentum is Polyak's ("Some methods of speeding up
// the convergence of iteration methods", 1964); the Nesterov form is Sutskever et al.'s
// reading of Nesterov (1983). State per parameter: "momentum_buffer".
type SGD struct {
	base[SGDConfig, optimk.SGDCoef]
}

var _ MomentumOptimizer = (*SGD)(nil)

// NewSGD returns SGD over params as one group with configuration cfg.
func NewSGD(params []*Param, cfg SGDConfig) (*SGD, error) {
	o := &SGD{}
	return o, o.init(sgdSpec, o, params, cfg)
}

// Momentum returns the momentum μ of group g.
func (o *SGD) Momentum(g int) float64 { return o.Config(g).Momentum }

// SetMomentum sets the momentum μ of group g, allocating the momentum buffers if the group
// had none. It panics if the configuration becomes invalid (negative, or zero with Nesterov).
func (o *SGD) SetMomentum(g int, m float64) {
	c := o.Config(g)
	c.Momentum = m
	if err := o.SetConfig(g, c); err != nil {
		panic(err.Error())
	}
}

func (o *SGD) prepare(i int) {
	c := &o.cfgs[o.group[i]]
	k := optimk.SGDCoef{NegLR: float32(-c.LR), WD: float32(c.WeightDecay), Mom: float32(c.Momentum), Damp1: float32(1 - c.Dampening)}
	if c.Maximize {
		k.Flags |= optimk.SGDMaximize
	}
	if c.WeightDecay != 0 {
		k.Flags |= optimk.SGDDecay
	}
	if c.Momentum != 0 {
		k.Flags |= optimk.SGDMomentum
		if st := &o.state[i]; st.vals[0] == 0 {
			k.Flags |= optimk.SGDFirst
			st.vals[0] = 1
		}
		if c.Nesterov {
			k.Flags |= optimk.SGDNesterov
		}
	}
	o.coef[i] = k
}

func (o *SGD) update(i, lo, hi int) {
	p := o.params[i]
	var buf []float32
	if b := o.state[i].bufs[0]; b != nil {
		buf = b[lo:hi]
	}
	optimk.SGD(p.Value[lo:hi], p.Grad[lo:hi], buf, &o.coef[i])
}
