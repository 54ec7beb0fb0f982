package optim

import (
	"fmt"

	"github.com/descent-ml/descent/internal/optimk"
)

// AdadeltaConfig is the configuration of a group of [Adadelta]; start from [DefaultAdadelta].
type AdadeltaConfig struct {
	LR          float64 // γ, positive, scales the step; default 1
	Rho         float64 // ρ in [0, 1], the decay of both averages; default 0.9
	Eps         float64 // ε ≥ 0, added inside the roots; default 1e-6
	WeightDecay float64 // λ ≥ 0: adds λθ to the gradient; default 0
	Maximize    bool    // ascend the objective
}

// DefaultAdadelta returns torch's defaults: lr 1, rho 0.9, eps 1e-6.
func DefaultAdadelta() AdadeltaConfig { return AdadeltaConfig{LR: 1, Rho: 0.9, Eps: 1e-6} }

func (c *AdadeltaConfig) validate() error {
	switch {
	case !(c.LR > 0):
		return fmt.Errorf("lr must be positive, got %v", c.LR)
	case !(c.Rho >= 0 && c.Rho <= 1):
		return fmt.Errorf("rho must be in [0, 1], got %v", c.Rho)
	case !(c.Eps >= 0):
		return fmt.Errorf("eps must be non-negative, got %v", c.Eps)
	case !(c.WeightDecay >= 0):
		return fmt.Errorf("weight_decay must be non-negative, got %v", c.WeightDecay)
	}
	return nil
}

var adadeltaSpec = &spec[AdadeltaConfig]{
	name: "adadelta",
	keys: []key[AdadeltaConfig]{
		floatKey("lr", "scale γ of the step", func(c *AdadeltaConfig) *float64 { return &c.LR }),
		floatKey("rho", "decay ρ of the averages", func(c *AdadeltaConfig) *float64 { return &c.Rho }),
		floatKey("eps", "ε added inside the roots", func(c *AdadeltaConfig) *float64 { return &c.Eps }),
		floatKey("weight_decay", "L2 penalty λ, adds λθ to the gradient", func(c *AdadeltaConfig) *float64 { return &c.WeightDecay }),
		boolKey("maximize", "maximise the objective", func(c *AdadeltaConfig) *bool { return &c.Maximize }),
	},
	validate: (*AdadeltaConfig).validate,
	lr:       func(c *AdadeltaConfig) *float64 { return &c.LR },
	bufNames: []string{"square_avg", "acc_delta"},
	needs:    func(*AdadeltaConfig) uint { return 3 },
}

// Adadelta is Zeiler's method ("ADADELTA: An Adaptive Learning Rate Method", 2012),
// torch.optim.Adadelta:
//
//	g_t ← -g_t                          if maximize
//	g_t ← g_t + λ θ_{t-1}               if λ ≠ 0
//	v_t ← ρ v_{t-1} + (1 - ρ) g_t²
//	Δ_t ← √(u_{t-1} + ε) / √(v_t + ε) · g_t
//	u_t ← ρ u_{t-1} + (1 - ρ) Δ_t²
//	θ_t ← θ_{t-1} - γ Δ_t
//
// ε is inside the roots. State per parameter: "square_avg" (v) and "acc_delta" (u).
type Adadelta struct {
	base[AdadeltaConfig, optimk.AdadeltaCoef]
}

var _ Optimizer = (*Adadelta)(nil)

// NewAdadelta returns Adadelta over params as one group with configuration cfg.
func NewAdadelta(params []*Param, cfg AdadeltaConfig) (*Adadelta, error) {
	o := &Adadelta{}
	return o, o.init(adadeltaSpec, o, params, cfg)
}

func (o *Adadelta) prepare(i int) {
	c := &o.cfgs[o.group[i]]
	k := optimk.AdadeltaCoef{Rho: float32(c.Rho), Omr: float32(1 - c.Rho), Eps: float32(c.Eps), WD: float32(c.WeightDecay),
		NegLR: float32(-c.LR)}
	if c.Maximize {
		k.Flags |= optimk.AdadeltaMaximize
	}
	if c.WeightDecay != 0 {
		k.Flags |= optimk.AdadeltaDecay
	}
	o.coef[i] = k
}

func (o *Adadelta) update(i, lo, hi int) {
	p, st := o.params[i], &o.state[i]
	optimk.Adadelta(p.Value[lo:hi], p.Grad[lo:hi], st.bufs[0][lo:hi], st.bufs[1][lo:hi], &o.coef[i])
}
