package optim

import (
	"fmt"
	"math"
	"strconv"

	"github.com/descent-ml/descent/internal/optimk"
)

// ProdigyConfig is the configuration of a group of [Prodigy]; start from [DefaultProdigy],
// the reference's defaults. Betas, Beta3, D0, DCoef, GrowthRate, UseBiasCorrection and
// Decouple hold for the whole optimiser, as the reference reads them from its first group:
// a group that gives other values is refused.
type ProdigyConfig struct {
	LR                float64 // the multiplier γ of the estimated rate d, ≥ 0 (0: see [Prodigy]); default 1
	Beta1             float64 // β₁ in [0, 1); default 0.9
	Beta2             float64 // β₂ in [0, 1); default 0.999
	Beta3             float64 // β₃ in [0, 1) of the d estimate's averages; negative (default): √β₂, the reference's None
	Eps               float64 // ε > 0, added as d·ε to the root of the second moment; default 1e-8
	WeightDecay       float64 // λ ≥ 0; default 0
	Decouple          bool    // decoupled decay θ ← θ - λ·dlr·θ (AdamW's); else λθ joins the gradient; default true
	UseBiasCorrection bool    // Adam's bias correction in dlr; default false
	SafeguardWarmup   bool    // leave γ out of the s update (d instead of dlr); default false
	D0                float64 // the initial estimate d₀ > 0; default 1e-6
	DCoef             float64 // the factor of the estimate, positive; default 1
	GrowthRate        float64 // d grows at most by this factor per step, > 0; default +Inf
}

// DefaultProdigy returns the reference's defaults: lr 1, betas (0.9, 0.999), beta3 None
// (√β₂), eps 1e-8, weight decay 0, decouple true, no bias correction, no safeguard warmup,
// d0 1e-6, d_coef 1, growth rate +Inf.
func DefaultProdigy() ProdigyConfig {
	return ProdigyConfig{LR: 1, Beta1: 0.9, Beta2: 0.999, Beta3: -1, Eps: 1e-8, Decouple: true, D0: 1e-6, DCoef: 1, GrowthRate: math.Inf(1)}
}

func (c *ProdigyConfig) validate() error {
	switch {
	case !(c.LR >= 0) || math.IsInf(c.LR, 0):
		return fmt.Errorf("lr must be finite and non-negative (0 leaves a group out of the estimate), got %v", c.LR)
	case !(c.Eps > 0):
		return fmt.Errorf("eps must be positive, as the reference requires, got %v", c.Eps)
	case !(0 <= c.Beta1 && c.Beta1 < 1):
		return fmt.Errorf("betas[0] must be in [0, 1), got %v", c.Beta1)
	case !(0 <= c.Beta2 && c.Beta2 < 1):
		return fmt.Errorf("betas[1] must be in [0, 1), got %v", c.Beta2)
	case !(c.WeightDecay >= 0):
		return fmt.Errorf("weight_decay must be non-negative, got %v", c.WeightDecay)
	case c.Beta3 >= 1 || math.IsNaN(c.Beta3):
		return fmt.Errorf("beta3 must be in [0, 1) or none, got %v", c.Beta3)
	case !(c.D0 > 0) || math.IsInf(c.D0, 0):
		return fmt.Errorf("d0 must be positive and finite, got %v", c.D0)
	case !(c.DCoef > 0) || math.IsInf(c.DCoef, 0):
		return fmt.Errorf("d_coef must be positive and finite, got %v", c.DCoef)
	case !(c.GrowthRate > 0):
		return fmt.Errorf("growth_rate must be positive, got %v", c.GrowthRate)
	}
	return nil
}

// beta3 returns β₃, √β₂ for the reference's None.
func (c *ProdigyConfig) beta3() float64 {
	if c.Beta3 < 0 {
		return math.Sqrt(c.Beta2)
	}
	return c.Beta3
}

var prodigySpec = &spec[ProdigyConfig]{
	name: "prodigy",
	keys: []key[ProdigyConfig]{
		floatKey("lr", "multiplier γ of the estimated rate d", func(c *ProdigyConfig) *float64 { return &c.LR }),
		pairKey("betas", "decays β₁/β₂ of the moments", func(c *ProdigyConfig) *float64 { return &c.Beta1 }, func(c *ProdigyConfig) *float64 { return &c.Beta2 }),
		{"beta3", "decay β₃ of the estimate's averages (none: √β₂)",
			func(c *ProdigyConfig) string {
				if c.Beta3 < 0 {
					return "none"
				}
				return strconv.FormatFloat(c.Beta3, 'g', -1, 64)
			},
			func(c *ProdigyConfig, v string) error {
				if v == "none" {
					c.Beta3 = -1
					return nil
				}
				x, err := strconv.ParseFloat(v, 64)
				if err != nil || x < 0 {
					return fmt.Errorf("want none or a number in [0, 1), got %q", v)
				}
				c.Beta3 = x
				return nil
			}},
		floatKey("eps", "ε, added as d·ε to the root of the second moment", func(c *ProdigyConfig) *float64 { return &c.Eps }),
		floatKey("weight_decay", "weight decay λ", func(c *ProdigyConfig) *float64 { return &c.WeightDecay }),
		boolKey("decouple", "decoupled weight decay (AdamW's)", func(c *ProdigyConfig) *bool { return &c.Decouple }),
		boolKey("use_bias_correction", "Adam's bias correction", func(c *ProdigyConfig) *bool { return &c.UseBiasCorrection }),
		boolKey("safeguard_warmup", "leave lr out of the estimate's denominator", func(c *ProdigyConfig) *bool { return &c.SafeguardWarmup }),
		floatKey("d0", "initial estimate d₀", func(c *ProdigyConfig) *float64 { return &c.D0 }),
		floatKey("d_coef", "factor of the estimate", func(c *ProdigyConfig) *float64 { return &c.DCoef }),
		floatKey("growth_rate", "largest growth of d per step", func(c *ProdigyConfig) *float64 { return &c.GrowthRate }),
	},
	validate: (*ProdigyConfig).validate,
	lr:       func(c *ProdigyConfig) *float64 { return &c.LR },
	bufNames: []string{"s", "p0", "exp_avg", "exp_avg_sq"},
	needs:    func(*ProdigyConfig) uint { return 15 },
	shared: func(a, b *ProdigyConfig) error {
		switch {
		case a.Beta1 != b.Beta1 || a.Beta2 != b.Beta2:
			return fmt.Errorf("betas must be the same in every group")
		case a.Beta3 != b.Beta3:
			return fmt.Errorf("beta3 must be the same in every group")
		case a.D0 != b.D0 || a.DCoef != b.DCoef || a.GrowthRate != b.GrowthRate:
			return fmt.Errorf("d0, d_coef and growth_rate must be the same in every group")
		case a.UseBiasCorrection != b.UseBiasCorrection || a.Decouple != b.Decouple:
			return fmt.Errorf("use_bias_correction and decouple must be the same in every group")
		}
		return nil
	},
}

// Prodigy is Adam with a learning rate estimated on the fly (Mishchenko and Defazio,
// "Prodigy: An Expeditiously Adaptive Parameter-Free Learner", ICML 2024), as the authors'
// reference implementation computes it (konstmish/prodigy, prodigyopt/prodigy_reference.py
// at commit 0129cca01d9b83ac2ab1595bc418c9a5892f963a). The estimate d of the distance to the
// solution starts at d₀ and only grows. At step t, with k = t-1 and γ the largest group
// learning rate,
//
//	dlr ← d γ √(1-β₂ᵗ)/(1-β₁ᵗ)   with use_bias_correction, else d γ
//	g ← g + λθ                                   if λ ≠ 0 and not decouple
//	r ← β₃ r + (d/d₀) dlr Σ_params ⟨g, θ₀ - θ⟩    (θ₀ the parameters at their first step)
//	m ← β₁ m + d (1-β₁) g;   v ← β₂ v + d² (1-β₂) g²
//	s ← β₃ s + (d/d₀) dlr g                      ((d/d₀) d g with safeguard_warmup)
//	d̂ ← d_coef · r / Σ_params ‖s‖₁
//	d ← max(d, d̂) if d = d₀;  d_max ← max(d_max, d̂);  d ← min(d_max, d · growth_rate)
//	θ ← θ - λ dlr θ                              if λ ≠ 0 and decouple
//	θ ← θ - dlr m / (√v + d ε)
//
// where the moment updates use d before the estimate and the step's denominator d after it,
// and dlr is the one computed first. If Σ‖s‖₁ is 0 (no gradient yet), the step stops after
// the moment updates, as the reference returns early. Groups may have learning rate 0,
// whose parameters take no part in the estimate (the reference's rule: every group's rate
// is γ or 0, otherwise Step returns an error).
//
// # Summation order
//
// ⟨g, θ₀ - θ⟩ and ‖s‖₁ of a parameter are float64 sums: each term is rounded to float32 as
// the reference's float32 tensors round it (θ₀ - θ, |s|) and multiplied in float64
// (exactly), element j of each block of 4096 elements is added into lane j mod 16, the 16
// lanes are added as lane l += lane l+w for w = 8, 4, 2, 1, and the blocks' sums in order.
// The parameters' terms (d/d₀) dlr ⟨g, θ₀ - θ⟩ and ‖s‖₁ are then added in float64 in the
// order of the parameters, group by group, as the reference's loop adds its .item()s. The
// AVX-512 kernel and its Go twin compute the same bits (internal/optimk), and the sums do
// not depend on how the elements are split among goroutines.
//
// State per parameter: "s", "p0" (θ₀; the reference keeps a scalar 0 for an all-zero
// parameter, here a buffer of zeros), "exp_avg" and "exp_avg_sq"; globals "d", "d_max",
// "d_numerator" (r) and "k". [Prodigy.D] returns d.
type Prodigy struct {
	base[ProdigyConfig, optimk.ProdigyCoef]

	d, dMax, numerator float64 // the estimate, its running maximum and r
	k                  int64   // steps taken

	lr, dlr, num0 float64 // of the current step: γ, dlr and β₃ r
	skip          []bool  // per parameter: in a group of rate 0 this step
	stop          bool    // Σ‖s‖₁ was 0: no update this step
}

// NewProdigy returns Prodigy over params as one group with configuration cfg.
func NewProdigy(params []*Param, cfg ProdigyConfig) (*Prodigy, error) {
	o := &Prodigy{}
	if err := o.init(prodigySpec, o, params, cfg); err != nil {
		return o, err
	}
	o.d, o.dMax = cfg.D0, cfg.D0
	return o, nil
}

// D returns the current estimate d (the learning rate of the step is γ·d).
func (o *Prodigy) D() float64 { return o.d }

// BytesPerParam returns the bytes one Step reads and writes per parameter element, beyond
// the finite check's read of the gradient: the first pass reads g, θ and θ₀ and reads and
// writes s, m and v; the update reads m and v and reads and writes θ.
func (o *Prodigy) BytesPerParam() int { return 4 * (3 + 2*3 + 2 + 2) }

func (o *Prodigy) begin() error {
	c0 := &o.cfgs[0]
	o.lr = math.Inf(-1)
	for g := range o.cfgs {
		o.lr = max(o.lr, o.cfgs[g].LR)
	}
	for g := range o.cfgs {
		if lr := o.cfgs[g].LR; lr != o.lr && lr != 0 {
			return fmt.Errorf("optim: prodigy: group %d has lr %v and another group %v: Prodigy takes one learning rate, or 0 for groups left out of it (the reference's rule)", g, lr, o.lr)
		}
	}
	bc := 1.0
	if c0.UseBiasCorrection {
		t := float64(o.k + 1)
		bc = math.Sqrt(1-math.Pow(c0.Beta2, t)) / (1 - math.Pow(c0.Beta1, t))
	}
	o.dlr = o.d * o.lr * bc
	o.num0 = o.numerator * c0.beta3()
	for len(o.skip) < len(o.params) {
		o.skip = append(o.skip, false)
	}
	return nil
}

func (o *Prodigy) prepare(i int) {
	c := &o.cfgs[o.group[i]]
	p, st := o.params[i], &o.state[i]
	if st.step == 1 {
		copy(st.bufs[1], p.Value)
	}
	o.skip[i] = !(c.LR > 0)
	c3 := (o.d / c.D0) * o.dlr
	if c.SafeguardWarmup {
		c3 = (o.d / c.D0) * o.d
	}
	k := optimk.ProdigyCoef{B1: float32(c.Beta1), C1: float32(o.d * (1 - c.Beta1)), B2: float32(c.Beta2), C2: float32(o.d * o.d * (1 - c.Beta2)),
		B3: float32(c.beta3()), C3: float32(c3), WD: float32(c.WeightDecay)}
	if c.WeightDecay != 0 && !c.Decouple {
		k.Flags |= optimk.ProdigyCoupled
	}
	o.coef[i] = k
}

func (o *Prodigy) sums() (nc, ng int) { return 0, 2 }

func (o *Prodigy) checkBlock(int, int, int, []float64) bool { panic("optim: prodigy: no check sums") }

func (o *Prodigy) gatherBlock(i, lo, hi int, out []float64) {
	if o.skip[i] {
		out[0], out[1] = 0, 0
		return
	}
	p, st := o.params[i], &o.state[i]
	out[0], out[1] = optimk.ProdigyGather(p.Value[lo:hi], p.Grad[lo:hi], st.bufs[1][lo:hi], st.bufs[2][lo:hi], st.bufs[3][lo:hi], st.bufs[0][lo:hi], &o.coef[i])
}

// finish adds up the estimate's sums, updates d and sets the coefficients of the update.
func (o *Prodigy) finish() {
	var delta, denom float64
	for i, p := range o.params {
		if p.Grad == nil || o.skip[i] {
			continue
		}
		c := &o.cfgs[o.group[i]]
		delta += (o.d / c.D0) * o.dlr * blockSum(o.gsum[i], 2, 0)
		denom += blockSum(o.gsum[i], 2, 1)
	}
	o.stop = denom == 0
	if o.stop {
		return
	}
	c0 := &o.cfgs[0]
	num := o.num0 + delta
	if o.lr > 0 {
		dHat := c0.DCoef * num / denom
		if o.d == c0.D0 {
			o.d = max(o.d, dHat)
		}
		o.dMax = max(o.dMax, dHat)
		o.d = min(o.dMax, o.d*c0.GrowthRate)
	}
	o.numerator = num
	o.k++
	for i, p := range o.params {
		if p.Grad == nil {
			continue
		}
		c, k := &o.cfgs[o.group[i]], &o.coef[i]
		k.DEps, k.NegDLR, k.NegDLRWD = float32(o.d*c.Eps), float32(-o.dlr), float32(-c.WeightDecay*o.dlr)
		if c.WeightDecay != 0 && c.Decouple {
			k.Flags |= optimk.ProdigyDecoupled
		}
	}
}

func (o *Prodigy) update(i, lo, hi int) {
	if o.stop {
		return
	}
	p, st := o.params[i], &o.state[i]
	optimk.ProdigyUpdate(p.Value[lo:hi], st.bufs[2][lo:hi], st.bufs[3][lo:hi], &o.coef[i])
}

func (o *Prodigy) saveGlobals() []named {
	return []named{{"d", o.d}, {"d_max", o.dMax}, {"d_numerator", o.numerator}, {"k", float64(o.k)}}
}

func (o *Prodigy) loadGlobals(f *stateFile, cfgs []ProdigyConfig) (func(), error) {
	g := map[string]float64{}
	for _, v := range f.global {
		g[v.name] = v.v
	}
	d, ok1 := g["d"]
	dMax, ok2 := g["d_max"]
	num, ok3 := g["d_numerator"]
	if !ok1 || !ok2 || !ok3 {
		return nil, StateError("the file lacks prodigy's estimate (d, d_max, d_numerator)")
	}
	if !(d > 0) || !(dMax > 0) || math.IsInf(d, 0) || math.IsInf(dMax, 0) || math.IsNaN(num) {
		return nil, StateError(fmt.Sprintf("prodigy's estimate d %v, d_max %v, d_numerator %v", d, dMax, num))
	}
	k, err := globalInt(f, "k")
	if err != nil {
		return nil, err
	}
	return func() { o.d, o.dMax, o.numerator, o.k = d, dMax, num, k }, nil
}
