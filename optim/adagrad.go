package optim

import (
	"fmt"

	"github.com/descent-ml/descent/internal/optimk"
)

// AdagradConfig is the configuration of a group of [Adagrad]; start from [DefaultAdagrad].
type AdagradConfig struct {
	LR                      float64 // learning rate γ, positive; default 1e-2
	LRDecay                 float64 // η ≥ 0: step t uses γ/(1 + (t-1)η); default 0
	WeightDecay             float64 // λ ≥ 0: adds λθ to the gradient; default 0
	InitialAccumulatorValue float64 // starting value ≥ 0 of the sum of squares; default 0
	Eps                     float64 // ε ≥ 0, added outside the root; default 1e-10
	Maximize                bool    // ascend the objective
}

// DefaultAdagrad returns torch's defaults: lr 1e-2, eps 1e-10.
func DefaultAdagrad() AdagradConfig { return AdagradConfig{LR: 1e-2, Eps: 1e-10} }

func (c *AdagradConfig) validate() error {
	switch {
	case !(c.LR > 0):
		return fmt.Errorf("lr must be positive, got %v", c.LR)
	case !(c.LRDecay >= 0):
		return fmt.Errorf("lr_decay must be non-negative, got %v", c.LRDecay)
	case !(c.WeightDecay >= 0):
		return fmt.Errorf("weight_decay must be non-negative, got %v", c.WeightDecay)
	case !(c.InitialAccumulatorValue >= 0):
		return fmt.Errorf("initial_accumulator_value must be non-negative, got %v", c.InitialAccumulatorValue)
	case !(c.Eps >= 0):
		return fmt.Errorf("eps must be non-negative, got %v", c.Eps)
	}
	return nil
}

var adagradSpec = &spec[AdagradConfig]{
	name: "adagrad",
	keys: []key[AdagradConfig]{
		floatKey("lr", "learning rate γ", func(c *AdagradConfig) *float64 { return &c.LR }),
		floatKey("lr_decay", "η: step t uses γ/(1+(t-1)η)", func(c *AdagradConfig) *float64 { return &c.LRDecay }),
		floatKey("weight_decay", "L2 penalty λ, adds λθ to the gradient", func(c *AdagradConfig) *float64 { return &c.WeightDecay }),
		floatKey("initial_accumulator_value", "starting sum of squares", func(c *AdagradConfig) *float64 { return &c.InitialAccumulatorValue }),
		floatKey("eps", "ε added to the root of the sum", func(c *AdagradConfig) *float64 { return &c.Eps }),
		boolKey("maximize", "maximise the objective", func(c *AdagradConfig) *bool { return &c.Maximize }),
	},
	validate: (*AdagradConfig).validate,
	lr:       func(c *AdagradConfig) *float64 { return &c.LR },
	bufNames: []string{"sum"},
	needs:    func(*AdagradConfig) uint { return 1 },
	fill:     func(c *AdagradConfig, _ int) float32 { return float32(c.InitialAccumulatorValue) },
}

// Adagrad is Duchi, Hazan and Singer's method ("Adaptive Subgradient Methods for Online
// Learning and Stochastic Optimization", JMLR 2011), torch.optim.Adagrad:
//
//	g_t ← -g_t                          if maximize
//	g_t ← g_t + λ θ_{t-1}               if λ ≠ 0
//	γ_t ← γ / (1 + (t - 1) η)
//	s_t ← s_{t-1} + g_t²                s_0 = initial_accumulator_value
//	θ_t ← θ_{t-1} - γ_t g_t / (√s_t + ε)
//
// ε is outside the root (the lecture writes it inside). State per parameter: "sum".
type Adagrad struct {
	base[AdagradConfig, optimk.AdagradCoef]
}

var _ Optimizer = (*Adagrad)(nil)

// NewAdagrad returns Adagrad over params as one group with configuration cfg.
func NewAdagrad(params []*Param, cfg AdagradConfig) (*Adagrad, error) {
	o := &Adagrad{}
	return o, o.init(adagradSpec, o, params, cfg)
}

func (o *Adagrad) prepare(i int) {
	c := &o.cfgs[o.group[i]]
	step := float64(o.state[i].step)
	k := optimk.AdagradCoef{NegCLR: float32(-(c.LR / (1 + (step-1)*c.LRDecay))), WD: float32(c.WeightDecay), Eps: float32(c.Eps)}
	if c.Maximize {
		k.Flags |= optimk.AdagradMaximize
	}
	if c.WeightDecay != 0 {
		k.Flags |= optimk.AdagradDecay
	}
	o.coef[i] = k
}

func (o *Adagrad) update(i, lo, hi int) {
	p := o.params[i]
	optimk.Adagrad(p.Value[lo:hi], p.Grad[lo:hi], o.state[i].bufs[0][lo:hi], &o.coef[i])
}
