package optim

import (
	"fmt"

	"github.com/descent-ml/descent/internal/optimk"
)

// RMSpropConfig is the configuration of a group of [RMSprop]; start from [DefaultRMSprop].
type RMSpropConfig struct {
	LR          float64 // learning rate γ, positive; default 1e-2
	Alpha       float64 // α ≥ 0, the decay of the mean square; default 0.99
	Eps         float64 // ε ≥ 0, added outside the root; default 1e-8
	WeightDecay float64 // λ ≥ 0: adds λθ to the gradient; default 0
	Momentum    float64 // μ ≥ 0; default 0
	Centered    bool    // divide by the estimated standard deviation instead of the RMS
	Maximize    bool    // ascend the objective
}

// DefaultRMSprop returns torch's defaults: lr 1e-2, alpha 0.99, eps 1e-8.
func DefaultRMSprop() RMSpropConfig { return RMSpropConfig{LR: 1e-2, Alpha: 0.99, Eps: 1e-8} }

func (c *RMSpropConfig) validate() error {
	switch {
	case !(c.LR > 0):
		return fmt.Errorf("lr must be positive, got %v", c.LR)
	case !(c.Eps >= 0):
		return fmt.Errorf("eps must be non-negative, got %v", c.Eps)
	case !(c.Momentum >= 0):
		return fmt.Errorf("momentum must be non-negative, got %v", c.Momentum)
	case !(c.WeightDecay >= 0):
		return fmt.Errorf("weight_decay must be non-negative, got %v", c.WeightDecay)
	case !(c.Alpha >= 0):
		return fmt.Errorf("alpha must be non-negative, got %v", c.Alpha)
	}
	return nil
}

var rmspropSpec = &spec[RMSpropConfig]{
	name: "rmsprop",
	keys: []key[RMSpropConfig]{
		floatKey("lr", "learning rate γ", func(c *RMSpropConfig) *float64 { return &c.LR }),
		floatKey("alpha", "decay α of the mean square", func(c *RMSpropConfig) *float64 { return &c.Alpha }),
		floatKey("eps", "ε added to the root", func(c *RMSpropConfig) *float64 { return &c.Eps }),
		floatKey("weight_decay", "L2 penalty λ, adds λθ to the gradient", func(c *RMSpropConfig) *float64 { return &c.WeightDecay }),
		floatKey("momentum", "momentum μ", func(c *RMSpropConfig) *float64 { return &c.Momentum }),
		boolKey("centered", "normalise by the variance estimate", func(c *RMSpropConfig) *bool { return &c.Centered }),
		boolKey("maximize", "maximise the objective", func(c *RMSpropConfig) *bool { return &c.Maximize }),
	},
	validate: (*RMSpropConfig).validate,
	lr:       func(c *RMSpropConfig) *float64 { return &c.LR },
	bufNames: []string{"square_avg", "momentum_buffer", "grad_avg"},
	needs: func(c *RMSpropConfig) uint {
		n := uint(1)
		if c.Momentum > 0 {
			n |= 2
		}
		if c.Centered {
			n |= 4
		}
		return n
	},
}

// RMSprop is Hinton's method (Lecture 6e of "Neural Networks for Machine Learning",
// Coursera 2012; no paper), torch.optim.RMSprop, with Graves's centred form ("Generating
// Sequences With Recurrent Neural Networks", 2013):
//
//	g_t ← -g_t                          if maximize
//	g_t ← g_t + λ θ_{t-1}               if λ ≠ 0
//	v_t ← α v_{t-1} + (1 - α) g_t²
//	a_t ← α a_{t-1} + (1 - α) g_t,  ṽ_t ← v_t - a_t²      if centered, else ṽ_t ← v_t
//	b_t ← μ b_{t-1} + g_t / (√ṽ_t + ε),  θ_t ← θ_{t-1} - γ b_t      if μ > 0
//	θ_t ← θ_{t-1} - γ g_t / (√ṽ_t + ε)                             otherwise
//
// ε is outside the root. State per parameter: "square_avg", "momentum_buffer" (μ > 0),
// "grad_avg" (centered).
type RMSprop struct {
	base[RMSpropConfig, optimk.RMSpropCoef]
}

var _ MomentumOptimizer = (*RMSprop)(nil)

// NewRMSprop returns RMSprop over params as one group with configuration cfg.
func NewRMSprop(params []*Param, cfg RMSpropConfig) (*RMSprop, error) {
	o := &RMSprop{}
	return o, o.init(rmspropSpec, o, params, cfg)
}

// Momentum returns the momentum μ of group g.
func (o *RMSprop) Momentum(g int) float64 { return o.Config(g).Momentum }

// SetMomentum sets the momentum μ of group g, allocating the momentum buffers if the group
// had none. It panics if μ is negative.
func (o *RMSprop) SetMomentum(g int, m float64) {
	c := o.Config(g)
	c.Momentum = m
	if err := o.SetConfig(g, c); err != nil {
		panic(err.Error())
	}
}

func (o *RMSprop) prepare(i int) {
	c := &o.cfgs[o.group[i]]
	k := optimk.RMSpropCoef{Alpha: float32(c.Alpha), Oma: float32(1 - c.Alpha), Eps: float32(c.Eps), WD: float32(c.WeightDecay),
		Mom: float32(c.Momentum), NegLR: float32(-c.LR)}
	if c.Maximize {
		k.Flags |= optimk.RMSpropMaximize
	}
	if c.WeightDecay != 0 {
		k.Flags |= optimk.RMSpropDecay
	}
	if c.Centered {
		k.Flags |= optimk.RMSpropCentered
	}
	if c.Momentum > 0 {
		k.Flags |= optimk.RMSpropMomentum
	}
	o.coef[i] = k
}

func (o *RMSprop) update(i, lo, hi int) {
	p, k, st := o.params[i], &o.coef[i], &o.state[i]
	var buf, ga []float32
	if k.Flags&optimk.RMSpropMomentum != 0 {
		buf = st.bufs[1][lo:hi]
	}
	if k.Flags&optimk.RMSpropCentered != 0 {
		ga = st.bufs[2][lo:hi]
	}
	optimk.RMSprop(p.Value[lo:hi], p.Grad[lo:hi], st.bufs[0][lo:hi], buf, ga, k)
}
