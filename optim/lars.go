package optim

import (
	"fmt"
	"math"

	"github.com/descent-ml/descent/internal/optimk"
)

// LARSConfig is the configuration of a group of [LARS]; [DefaultLARS] is the reference's
// defaults, with which LARS is plain SGD: the registry's "lars" adds momentum 0.9 and
// always_adapt.
type LARSConfig struct {
	LR          float64 // global learning rate γ, positive; default 1
	Momentum    float64 // momentum μ ≥ 0; default 0
	Dampening   float64 // dampening τ in [0, 1] of the gradient in the momentum buffer; default 0
	WeightDecay float64 // λ ≥ 0, added to the gradient inside the trust ratio; default 0
	Nesterov    bool    // Nesterov momentum; needs μ > 0 and τ = 0
	TrustCoeff  float64 // the trust coefficient η; default 0.001
	Eps         float64 // ε ≥ 0 in the trust ratio's denominator; default 1e-8
	TrustClip   bool    // LARC: clip the local rate at the global one, min(r/γ, 1); default false
	AlwaysAdapt bool    // use the trust ratio also where λ = 0; default false
}

// DefaultLARS returns the reference's defaults: lr 1, no momentum, no dampening, no weight
// decay, trust coefficient 0.001, eps 1e-8, no trust clipping, adapt only where λ ≠ 0.
func DefaultLARS() LARSConfig { return LARSConfig{LR: 1, TrustCoeff: 0.001, Eps: 1e-8} }

func (c *LARSConfig) validate() error {
	switch {
	case !(c.LR > 0):
		return fmt.Errorf("lr must be positive, got %v", c.LR)
	case !(c.Momentum >= 0):
		return fmt.Errorf("momentum must be non-negative, got %v", c.Momentum)
	case !(c.WeightDecay >= 0):
		return fmt.Errorf("weight_decay must be non-negative, got %v", c.WeightDecay)
	case !(c.Dampening >= 0 && c.Dampening <= 1):
		return fmt.Errorf("dampening must be in [0, 1], got %v", c.Dampening)
	case c.Nesterov && (c.Momentum <= 0 || c.Dampening != 0):
		return fmt.Errorf("nesterov needs a positive momentum and zero dampening, got momentum %v, dampening %v", c.Momentum, c.Dampening)
	case !(c.TrustCoeff > 0) || math.IsInf(c.TrustCoeff, 0):
		return fmt.Errorf("trust_coeff must be positive and finite, got %v", c.TrustCoeff)
	case !(c.Eps >= 0):
		return fmt.Errorf("eps must be non-negative, got %v", c.Eps)
	}
	return nil
}

var larsSpec = &spec[LARSConfig]{
	name: "lars",
	keys: []key[LARSConfig]{
		floatKey("lr", "global learning rate γ", func(c *LARSConfig) *float64 { return &c.LR }),
		floatKey("momentum", "momentum μ", func(c *LARSConfig) *float64 { return &c.Momentum }),
		floatKey("dampening", "dampening τ", func(c *LARSConfig) *float64 { return &c.Dampening }),
		floatKey("weight_decay", "decay λ, adds λθ to the gradient inside the trust ratio", func(c *LARSConfig) *float64 { return &c.WeightDecay }),
		boolKey("nesterov", "Nesterov momentum", func(c *LARSConfig) *bool { return &c.Nesterov }),
		floatKey("trust_coeff", "trust coefficient η", func(c *LARSConfig) *float64 { return &c.TrustCoeff }),
		floatKey("eps", "ε in the trust ratio's denominator", func(c *LARSConfig) *float64 { return &c.Eps }),
		boolKey("trust_clip", "LARC: clip the local rate at the global one", func(c *LARSConfig) *bool { return &c.TrustClip }),
		boolKey("always_adapt", "use the trust ratio also where weight_decay is 0", func(c *LARSConfig) *bool { return &c.AlwaysAdapt }),
	},
	validate: (*LARSConfig).validate,
	lr:       func(c *LARSConfig) *float64 { return &c.LR },
	bufNames: []string{"momentum_buffer"},
	needs: func(c *LARSConfig) uint {
		if c.Momentum != 0 {
			return 1
		}
		return 0
	},
	valNames: []string{"momentum_buffer_set"},
}

// LARS is layer-wise adaptive rate scaling (You, Gitman and Ginsburg, "Large Batch Training
// of Convolutional Networks", 2017, arXiv:1708.03888), SGD whose rate is scaled per
// parameter tensor by a trust ratio, as timm computes it (huggingface/pytorch-image-models,
// timm/optim/lars.py at commit 5788a1af80c63cd5da382db9ee48e03d2801bf83, itself after
// NVIDIA apex's LARC). With g_t the gradient,
//
//	r ← η ‖θ‖₂ / (‖g‖₂ + λ ‖θ‖₂ + ε), or 1 if ‖θ‖ or ‖g‖ is 0   per tensor, if λ ≠ 0 or always_adapt
//	r ← min(r/γ, 1)                                           with trust_clip (LARC)
//	d ← (g + λθ) r                                            if adapted, else d ← g
//	b ← d at the first step, then b ← μ b + (1-τ) d           if μ ≠ 0
//	d ← d + μ b (nesterov), or d ← b                          if μ ≠ 0
//	θ ← θ - γ d
//
// The norms are of θ and g before the step, float64 sums ordered as [Prodigy]'s, computed
// in the pass that checks the gradients are finite. The trust coefficient η is 0.001 and ε
// 1e-8 by default; weight decay enters only inside the adaptation (with λ ≠ 0 the
// adaptation is always on); no parameter is excluded by its shape, but a group with
// weight_decay 0 and without always_adapt is plain SGD, as in timm. The paper's Algorithm 1
// is this with momentum, λ > 0 and the global rate γ decayed polynomially. State per
// parameter: "momentum_buffer".
type LARS struct {
	base[LARSConfig, optimk.LARSCoef]
}

var _ MomentumOptimizer = (*LARS)(nil)

// NewLARS returns LARS over params as one group with configuration cfg.
func NewLARS(params []*Param, cfg LARSConfig) (*LARS, error) {
	o := &LARS{}
	return o, o.init(larsSpec, o, params, cfg)
}

// Momentum returns the momentum μ of group g.
func (o *LARS) Momentum(g int) float64 { return o.Config(g).Momentum }

// SetMomentum sets the momentum μ of group g, allocating the momentum buffers if the group
// had none; it panics if the configuration becomes invalid.
func (o *LARS) SetMomentum(g int, m float64) {
	c := o.Config(g)
	c.Momentum = m
	if err := o.SetConfig(g, c); err != nil {
		panic(err.Error())
	}
}

// BytesPerParam returns the bytes one Step reads and writes per parameter element, beyond
// the finite check's read of the gradient: the check pass also reads θ for its norm; the
// update reads g and reads and writes θ and, with momentum (in the first group), the buffer.
func (o *LARS) BytesPerParam() int {
	n := 1 + 1 + 2
	if o.cfgs[0].Momentum != 0 {
		n += 2
	}
	return 4 * n
}

func (o *LARS) sums() (nc, ng int) { return 2, 0 }

func (o *LARS) checkBlock(i, lo, hi int, out []float64) bool {
	p := o.params[i]
	out[0], out[1] = optimk.SumSq2(p.Grad[lo:hi], p.Value[lo:hi])
	return !math.IsNaN(out[0]) && !math.IsInf(out[0], 0)
}

func (o *LARS) gatherBlock(int, int, int, []float64) { panic("optim: lars: no gather pass") }

func (o *LARS) prepare(i int) {
	c := &o.cfgs[o.group[i]]
	k := optimk.LARSCoef{WD: float32(c.WeightDecay), TR: 1, Mom: float32(c.Momentum), Damp1: float32(1 - c.Dampening), NegLR: float32(-c.LR)}
	if c.WeightDecay != 0 || c.AlwaysAdapt {
		k.Flags |= optimk.LARSAdapt
		gn, wn := math.Sqrt(blockSum(o.csum[i], 2, 0)), math.Sqrt(blockSum(o.csum[i], 2, 1))
		r := 1.0
		if wn > 0 && gn > 0 {
			r = c.TrustCoeff * wn / (gn + wn*c.WeightDecay + c.Eps)
		}
		if c.TrustClip {
			r = min(r/c.LR, 1)
		}
		k.TR = float32(r)
	}
	if c.Momentum != 0 {
		k.Flags |= optimk.LARSMomentum
		if st := &o.state[i]; st.vals[0] == 0 {
			k.Flags |= optimk.LARSFirst
			st.vals[0] = 1
		}
		if c.Nesterov {
			k.Flags |= optimk.LARSNesterov
		}
	}
	o.coef[i] = k
}

func (o *LARS) update(i, lo, hi int) {
	p := o.params[i]
	var buf []float32
	if b := o.state[i].bufs[0]; b != nil {
		buf = b[lo:hi]
	}
	optimk.LARS(p.Value[lo:hi], p.Grad[lo:hi], buf, &o.coef[i])
}
