package optim

import (
	"fmt"
	"math"

	"github.com/descent-ml/descent/internal/optimk"
)

// LAMBConfig is the configuration of a group of [LAMB]; start from [DefaultLAMB], the
// reference's defaults. MaxGradNorm holds for the whole optimiser (the reference reads it
// from its defaults): a group that gives another value is refused.
type LAMBConfig struct {
	LR             float64 // learning rate γ, positive; default 1e-3
	BiasCorrection bool    // Adam's bias correction of the moments; default true
	Beta1          float64 // β₁ in [0, 1); default 0.9
	Beta2          float64 // β₂ in [0, 1); default 0.999
	Eps            float64 // ε ≥ 0; default 1e-6
	WeightDecay    float64 // λ ≥ 0, added to the direction as λθ (inside the trust ratio); default 0.01
	GradAveraging  bool    // m ← β₁m + (1-β₁)g; without it m ← β₁m + g; default true
	MaxGradNorm    float64 // clip the gradients' global norm to this before the step; 0: no clipping; default 1
	TrustClip      bool    // clip the trust ratio at 1 (LAMBC); default false
	AlwaysAdapt    bool    // use the trust ratio also where λ = 0; default false
}

// DefaultLAMB returns the reference's defaults: lr 1e-3, bias correction, betas (0.9,
// 0.999), eps 1e-6, weight decay 0.01, grad averaging, max_grad_norm 1, no trust clipping,
// adapt only where λ ≠ 0.
func DefaultLAMB() LAMBConfig {
	return LAMBConfig{LR: 1e-3, BiasCorrection: true, Beta1: 0.9, Beta2: 0.999, Eps: 1e-6, WeightDecay: 0.01, GradAveraging: true, MaxGradNorm: 1}
}

func (c *LAMBConfig) validate() error {
	if err := checkAdamLike(c.LR, c.Beta1, c.Beta2, c.Eps, c.WeightDecay); err != nil {
		return err
	}
	if !(c.MaxGradNorm >= 0) || math.IsInf(c.MaxGradNorm, 0) {
		return fmt.Errorf("max_grad_norm must be finite and non-negative (0: no clipping), got %v", c.MaxGradNorm)
	}
	return nil
}

var lambSpec = &spec[LAMBConfig]{
	name: "lamb",
	keys: []key[LAMBConfig]{
		floatKey("lr", "learning rate γ", func(c *LAMBConfig) *float64 { return &c.LR }),
		boolKey("bias_correction", "Adam's bias correction", func(c *LAMBConfig) *bool { return &c.BiasCorrection }),
		pairKey("betas", "decays β₁/β₂ of the moments", func(c *LAMBConfig) *float64 { return &c.Beta1 }, func(c *LAMBConfig) *float64 { return &c.Beta2 }),
		floatKey("eps", "ε added to the root of the second moment", func(c *LAMBConfig) *float64 { return &c.Eps }),
		floatKey("weight_decay", "decay λ, adds λθ to the direction inside the trust ratio", func(c *LAMBConfig) *float64 { return &c.WeightDecay }),
		boolKey("grad_averaging", "m ← β₁m + (1-β₁)g (else β₁m + g)", func(c *LAMBConfig) *bool { return &c.GradAveraging }),
		floatKey("max_grad_norm", "clip the global gradient norm to this (0: off)", func(c *LAMBConfig) *float64 { return &c.MaxGradNorm }),
		boolKey("trust_clip", "clip the trust ratio at 1", func(c *LAMBConfig) *bool { return &c.TrustClip }),
		boolKey("always_adapt", "use the trust ratio also where weight_decay is 0", func(c *LAMBConfig) *bool { return &c.AlwaysAdapt }),
	},
	validate: (*LAMBConfig).validate,
	lr:       func(c *LAMBConfig) *float64 { return &c.LR },
	bufNames: []string{"exp_avg", "exp_avg_sq"},
	needs:    func(*LAMBConfig) uint { return 3 },
	shared: func(a, b *LAMBConfig) error {
		if a.MaxGradNorm != b.MaxGradNorm {
			return fmt.Errorf("max_grad_norm must be the same in every group")
		}
		return nil
	},
}

// LAMB is layer-wise adaptive Adam (You, Li, Reddi, Hseu, Kumar, Bhojanapalli, Song, Demmel,
// Keutzer and Hsieh, "Large Batch Optimization for Deep Learning: Training BERT in 76
// minutes", ICLR 2020), in the variant of NVIDIA's FusedLAMB ("NVLAMB") as timm computes it
// in PyTorch (huggingface/pytorch-image-models, timm/optim/lamb.py, _single_tensor_lamb, at
// commit 1e19b290d66143fabe98c7ede64d340a61270335). With g_t the gradient and t the step,
//
//	c ← max(1, ‖(g_1, …, g_n)‖₂ / max_grad_norm)   over every parameter, if max_grad_norm > 0
//	g ← g / c
//	m ← β₁ m + (1-β₁) g                          (β₁ m + g without grad_averaging)
//	v ← β₂ v + (1-β₂) g²
//	u ← (m / (1-β₁ᵗ)) / (√v / √(1-β₂ᵗ) + ε)      (bias corrections 1 without bias_correction)
//	u ← u + λ θ                                  if λ ≠ 0
//	r ← ‖θ‖₂ / ‖u‖₂, or 1 if either norm is 0    per parameter tensor, if λ ≠ 0 or always_adapt
//	r ← min(r, 1)                                with trust_clip; r ← 1 if not adapted
//	θ ← θ - γ r u
//
// The trust ratio is per parameter tensor and includes the weight decay (the direction u
// carries λθ); no parameter is excluded by its shape: as in timm, parameters in a group
// with weight_decay 0 (biases, by a group rule such as "*.bias:weight_decay=0") are not
// adapted unless always_adapt. timm's newer options (caution, decoupled_decay,
// corrected_weight_decay) are not offered. The step count is per parameter (torch's
// state["step"]), where timm counts per group: they differ only for a parameter that
// missed a step with a nil gradient.
//
// In float32 the moments are fused multiply-adds, g/c is g·(1/c), and u is computed as
// m·(√(1-β₂ᵗ)/(1-β₁ᵗ)) / (√v + ε√(1-β₂ᵗ)) — the same quantity with one division, the
// coefficients in float64 — twice, in the pass that sums ‖u‖² and ‖θ‖² and in the update,
// with the same bits. The norms are float64 sums
// ordered as [Prodigy]'s; the global gradient norm's squares are summed in the pass that
// checks the gradients are finite. State per parameter: "exp_avg" and "exp_avg_sq".
type LAMB struct {
	base[LAMBConfig, optimk.LAMBCoef]
	clip float64 // the divisor c of the current step
}

var _ MomentumOptimizer = (*LAMB)(nil)

// NewLAMB returns LAMB over params as one group with configuration cfg.
func NewLAMB(params []*Param, cfg LAMBConfig) (*LAMB, error) {
	o := &LAMB{}
	return o, o.init(lambSpec, o, params, cfg)
}

// Momentum returns β₁ of group g.
func (o *LAMB) Momentum(g int) float64 { return o.Config(g).Beta1 }

// SetMomentum sets β₁ of group g; it panics if β₁ is outside [0, 1).
func (o *LAMB) SetMomentum(g int, beta1 float64) {
	c := o.Config(g)
	c.Beta1 = beta1
	if err := o.SetConfig(g, c); err != nil {
		panic(err.Error())
	}
}

// BytesPerParam returns the bytes one Step reads and writes per parameter element, beyond
// the finite check's read of the gradient (which also sums the squares for the global
// norm): the first pass reads g and θ and reads and writes m and v; the update reads m and
// v and reads and writes θ.
func (o *LAMB) BytesPerParam() int { return 4 * (2 + 2*2 + 2 + 2) }

func (o *LAMB) sums() (nc, ng int) { return 1, 2 }

func (o *LAMB) checkBlock(i, lo, hi int, out []float64) bool {
	out[0] = optimk.SumSq(o.params[i].Grad[lo:hi])
	return !math.IsNaN(out[0]) && !math.IsInf(out[0], 0)
}

func (o *LAMB) begin() error {
	o.clip = 1
	if maxNorm := o.cfgs[0].MaxGradNorm; maxNorm > 0 {
		var total float64
		for i, p := range o.params {
			if p.Grad != nil {
				total += blockSum(o.csum[i], 1, 0)
			}
		}
		o.clip = max(math.Sqrt(total)/maxNorm, 1)
	}
	return nil
}

func (o *LAMB) prepare(i int) {
	c := &o.cfgs[o.group[i]]
	bc1, bc2 := 1.0, 1.0
	if c.BiasCorrection {
		t := float64(o.state[i].step)
		bc1, bc2 = 1-math.Pow(c.Beta1, t), 1-math.Pow(c.Beta2, t)
	}
	beta3 := 1.0
	if c.GradAveraging {
		beta3 = 1 - c.Beta1
	}
	k := optimk.LAMBCoef{InvClip: float32(1 / o.clip), B1: float32(c.Beta1), Omb1: float32(beta3), B2: float32(c.Beta2), Omb2: float32(1 - c.Beta2),
		Scale: float32(math.Sqrt(bc2) / bc1), Eps: float32(c.Eps * math.Sqrt(bc2)), WD: float32(c.WeightDecay), TR: 1, NegLR: float32(-c.LR)}
	if o.clip > 1 {
		k.Flags |= optimk.LAMBClip
	}
	if c.WeightDecay != 0 {
		k.Flags |= optimk.LAMBDecay
	}
	o.coef[i] = k
}

func (o *LAMB) gatherBlock(i, lo, hi int, out []float64) {
	p, st := o.params[i], &o.state[i]
	out[0], out[1] = optimk.LAMBGather(p.Value[lo:hi], p.Grad[lo:hi], st.bufs[0][lo:hi], st.bufs[1][lo:hi], &o.coef[i])
}

// finish sets each parameter's trust ratio from the norms of the first pass.
func (o *LAMB) finish() {
	for i, p := range o.params {
		c := &o.cfgs[o.group[i]]
		if p.Grad == nil || (c.WeightDecay == 0 && !c.AlwaysAdapt) {
			continue
		}
		u, w := math.Sqrt(blockSum(o.gsum[i], 2, 0)), math.Sqrt(blockSum(o.gsum[i], 2, 1))
		r := 1.0
		if w > 0 && u > 0 {
			r = w / u
		}
		if c.TrustClip {
			r = min(r, 1)
		}
		o.coef[i].TR = float32(r)
	}
}

func (o *LAMB) update(i, lo, hi int) {
	p, st := o.params[i], &o.state[i]
	optimk.LAMBUpdate(p.Value[lo:hi], st.bufs[0][lo:hi], st.bufs[1][lo:hi], &o.coef[i])
}
