package optim

import (
	"fmt"

	"github.com/descent-ml/descent/internal/fma"
)

// RpropConfig is the configuration of a group of [Rprop]; start from [DefaultRprop].
type RpropConfig struct {
	LR          float64 // initial step size, positive; default 1e-2
	EtaMinus    float64 // η⁻ in (0, 1), the step's shrink factor; default 0.5
	EtaPlus     float64 // η⁺ > 1, the step's growth factor; default 1.2
	StepSizeMin float64 // smallest step; default 1e-6
	StepSizeMax float64 // largest step; default 50
	Maximize    bool    // ascend the objective
}

// DefaultRprop returns torch's defaults: lr 1e-2, etas (0.5, 1.2), step sizes (1e-6, 50).
func DefaultRprop() RpropConfig {
	return RpropConfig{LR: 1e-2, EtaMinus: 0.5, EtaPlus: 1.2, StepSizeMin: 1e-6, StepSizeMax: 50}
}

var rpropSpec = &spec[RpropConfig]{
	name: "rprop",
	keys: []key[RpropConfig]{
		floatKey("lr", "initial step size", func(c *RpropConfig) *float64 { return &c.LR }),
		pairKey("etas", "shrink/growth factors η⁻/η⁺", func(c *RpropConfig) *float64 { return &c.EtaMinus }, func(c *RpropConfig) *float64 { return &c.EtaPlus }),
		pairKey("step_sizes", "smallest/largest step", func(c *RpropConfig) *float64 { return &c.StepSizeMin }, func(c *RpropConfig) *float64 { return &c.StepSizeMax }),
		boolKey("maximize", "maximise the objective", func(c *RpropConfig) *bool { return &c.Maximize }),
	},
	validate: func(c *RpropConfig) error {
		switch {
		case !(c.LR > 0):
			return fmt.Errorf("lr must be positive, got %v", c.LR)
		case !(0 < c.EtaMinus && c.EtaMinus < 1 && 1 < c.EtaPlus):
			return fmt.Errorf("etas must satisfy 0 < etaminus < 1 < etaplus, got %v/%v", c.EtaMinus, c.EtaPlus)
		case !(0 <= c.StepSizeMin && c.StepSizeMin <= c.StepSizeMax):
			return fmt.Errorf("step_sizes must satisfy 0 <= min <= max, got %v/%v", c.StepSizeMin, c.StepSizeMax)
		}
		return nil
	},
	lr:       func(c *RpropConfig) *float64 { return &c.LR },
	bufNames: []string{"prev", "step_size"},
	needs:    func(*RpropConfig) uint { return 3 },
	fill: func(c *RpropConfig, b int) float32 {
		if b == 1 {
			return float32(c.LR)
		}
		return 0
	},
}

// Rprop is resilient backpropagation (Riedmiller and Braun, "A Direct Adaptive Method for
// Faster Backpropagation Learning: The RPROP Algorithm", ICNN 1993), torch.optim.Rprop,
// which uses only the signs of the gradients:
//
//	g_t ← -g_t                          if maximize
//	s ← sign(g_t g_{t-1})
//	Δ_t ← clamp(Δ_{t-1}·η⁺, Δ_min, Δ_max) if s > 0;  clamp(Δ_{t-1}·η⁻, …) if s < 0;  Δ_{t-1} if s = 0
//	g_t ← 0                             if s < 0 (and g_t is remembered as 0)
//	θ_t ← θ_{t-1} - sign(g_t) Δ_t
//
// with Δ_0 = lr. The learning rate only sets Δ_0: changing it later has no effect, as in
// torch. State per parameter: "prev" and "step_size".
type Rprop struct {
	base[RpropConfig, rpropCoef]
}

var _ Optimizer = (*Rprop)(nil)

// NewRprop returns Rprop over params as one group with configuration cfg.
func NewRprop(params []*Param, cfg RpropConfig) (*Rprop, error) {
	o := &Rprop{}
	return o, o.init(rpropSpec, o, params, cfg)
}

type rpropCoef struct {
	etaMinus, etaPlus, lo, hi float32
	maximize                  bool
}

func (o *Rprop) prepare(i int) {
	c := &o.cfgs[o.group[i]]
	o.coef[i] = rpropCoef{float32(c.EtaMinus), float32(c.EtaPlus), float32(c.StepSizeMin), float32(c.StepSizeMax), c.Maximize}
}

// update follows torch: the factor is η⁺, η⁻ or 1 by the sign of g·prev; Δ = clamp(Δ·factor);
// g = 0 where the factor is η⁻; θ = fma(-sign(g), Δ, θ); prev = g.
func (o *Rprop) update(i, lo, hi int) {
	p, k, st := o.params[i], &o.coef[i], &o.state[i]
	v, g, prev, ss := p.Value[lo:hi], p.Grad[lo:hi], st.bufs[0][lo:hi], st.bufs[1][lo:hi]
	for j, gj := range g[:len(v)] {
		if k.maximize {
			gj = -gj
		}
		f := float32(1)
		switch s := gj * prev[j]; {
		case s > 0:
			f = k.etaPlus
		case s < 0:
			f = k.etaMinus
		}
		d := min(max(ss[j]*f, k.lo), k.hi)
		ss[j] = d
		if f == k.etaMinus {
			gj = 0
		}
		var sg float32
		switch {
		case gj > 0:
			sg = -1
		case gj < 0:
			sg = 1
		}
		v[j] = fma.Float32(sg, d, v[j])
		prev[j] = gj
	}
}
