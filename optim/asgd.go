package optim

import (
	"fmt"
	"math"

	"github.com/descent-ml/descent/internal/fma"
)

// ASGDConfig is the configuration of a group of [ASGD]; start from [DefaultASGD].
type ASGDConfig struct {
	LR          float64 // learning rate γ, positive; default 1e-2
	Lambd       float64 // decay term λ_d of the step size and the parameters; default 1e-4
	Alpha       float64 // power α of the step size's decay; default 0.75
	T0          float64 // step at which averaging starts; default 1e6
	WeightDecay float64 // λ ≥ 0: adds λθ to the gradient; default 0
	Maximize    bool    // ascend the objective
}

// DefaultASGD returns torch's defaults: lr 1e-2, lambd 1e-4, alpha 0.75, t0 1e6.
func DefaultASGD() ASGDConfig { return ASGDConfig{LR: 1e-2, Lambd: 1e-4, Alpha: 0.75, T0: 1e6} }

var asgdSpec = &spec[ASGDConfig]{
	name: "asgd",
	keys: []key[ASGDConfig]{
		floatKey("lr", "learning rate γ", func(c *ASGDConfig) *float64 { return &c.LR }),
		floatKey("lambd", "decay term", func(c *ASGDConfig) *float64 { return &c.Lambd }),
		floatKey("alpha", "power of the step size's decay", func(c *ASGDConfig) *float64 { return &c.Alpha }),
		floatKey("t0", "step at which averaging starts", func(c *ASGDConfig) *float64 { return &c.T0 }),
		floatKey("weight_decay", "L2 penalty λ, adds λθ to the gradient", func(c *ASGDConfig) *float64 { return &c.WeightDecay }),
		boolKey("maximize", "maximise the objective", func(c *ASGDConfig) *bool { return &c.Maximize }),
	},
	validate: func(c *ASGDConfig) error {
		switch {
		case !(c.LR > 0):
			return fmt.Errorf("lr must be positive, got %v", c.LR)
		case !(c.WeightDecay >= 0):
			return fmt.Errorf("weight_decay must be non-negative, got %v", c.WeightDecay)
		case math.IsNaN(c.Lambd) || math.IsNaN(c.Alpha) || math.IsNaN(c.T0):
			return fmt.Errorf("lambd, alpha and t0 must be numbers")
		}
		return nil
	},
	lr:       func(c *ASGDConfig) *float64 { return &c.LR },
	bufNames: []string{"ax"},
	needs:    func(*ASGDConfig) uint { return 1 },
	valNames: []string{"eta", "mu"},
	initVals: func(c *ASGDConfig, v []float64) { v[0], v[1] = float64(float32(c.LR)), 1 },
}

// ASGD is averaged stochastic gradient descent (Polyak and Juditsky, "Acceleration of
// Stochastic Approximation by Averaging", SIAM J. Control Optim. 1992; the step sizes of
// Bottou's "Stochastic Gradient Descent Tricks", 2012), torch.optim.ASGD:
//
//	g_t ← -g_t                          if maximize
//	g_t ← g_t + λ θ_{t-1}               if λ ≠ 0
//	θ_t ← θ_{t-1}(1 - λ_d η_t) - η_t g_t
//	ā_t ← ā_{t-1} + μ_t (θ_t - ā_{t-1})          (ā_t ← θ_t while μ_t = 1)
//	η_{t+1} ← γ / (1 + λ_d γ t)^α,   μ_{t+1} ← 1 / max(1, t - t₀)
//
// with η_1 = γ and μ_1 = 1; η and μ are float32, as torch's tensors. The average ā is kept
// in the state ("ax"), not returned in the parameters. Changing the learning rate after the
// first step only changes η from the next step on, as in torch. State per parameter: "ax"
// and the scalars "eta", "mu".
type ASGD struct {
	base[ASGDConfig, asgdCoef]
}

var _ Optimizer = (*ASGD)(nil)

// NewASGD returns ASGD over params as one group with configuration cfg.
func NewASGD(params []*Param, cfg ASGDConfig) (*ASGD, error) {
	o := &ASGD{}
	return o, o.init(asgdSpec, o, params, cfg)
}

type asgdCoef struct {
	decay, negEta, mu, wd       float32
	maximize, wdecay, averaging bool
}

func (o *ASGD) prepare(i int) {
	c, st := &o.cfgs[o.group[i]], &o.state[i]
	eta, mu := st.vals[0], st.vals[1]
	o.coef[i] = asgdCoef{decay: float32(1 - c.Lambd*eta), negEta: float32(-eta), mu: float32(mu), wd: float32(c.WeightDecay),
		maximize: c.Maximize, wdecay: c.WeightDecay != 0, averaging: mu != 1}
	step := float64(st.step)
	st.vals[0] = float64(float32(c.LR / math.Pow(1+c.Lambd*c.LR*step, c.Alpha)))
	st.vals[1] = float64(float32(1 / math.Max(1, step-c.T0)))
}

// update follows torch: θ = θ·(1-λ_d η); θ = fma(g, -η, θ); ā = ā + (θ - ā)·μ or ā = θ.
func (o *ASGD) update(i, lo, hi int) {
	p, k := o.params[i], &o.coef[i]
	v, g, ax := p.Value[lo:hi], p.Grad[lo:hi], o.state[i].bufs[0][lo:hi]
	for j, gj := range g[:len(v)] {
		if k.maximize {
			gj = -gj
		}
		if k.wdecay {
			gj = fma.Float32(v[j], k.wd, gj)
		}
		x := fma.Float32(gj, k.negEta, v[j]*k.decay)
		v[j] = x
		if k.averaging {
			ax[j] += float32((x - ax[j]) * k.mu)
		} else {
			ax[j] = x
		}
	}
}
