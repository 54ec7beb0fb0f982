package optim

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/descent-ml/descent/internal/fma"
	"github.com/descent-ml/descent/internal/optimk"
)

// float32Eps is torch.finfo(torch.float32).eps, 2⁻²³: Adafactor's ε₁ when it is None.
const float32Eps = 0x1p-23

// AdafactorConfig is the configuration of a group of [Adafactor]; start from
// [DefaultAdafactor], torch's defaults.
type AdafactorConfig struct {
	LR          float64 // γ > 0: the largest relative step ρ_t and the decay's rate; default 1e-2
	Beta2Decay  float64 // τ ≤ 0: the second moment's weight 1 - β̂₂ = t^τ; default -0.8
	Eps1        float64 // ε₁ ≥ 0, floor of the variance estimate's root; default 2⁻²³ (torch's None)
	Eps2        float64 // ε₂ ≥ 0, floor of the parameter's RMS in the step size; default 1e-3
	D           float64 // clipping threshold d ≥ 1 of the update's RMS; default 1
	WeightDecay float64 // decoupled decay λ ≥ 0: θ ← θ(1 - γλ); default 0
	Maximize    bool    // ascend the objective
}

// DefaultAdafactor returns torch's defaults: lr 1e-2, beta2_decay -0.8, eps (None, 1e-3), d
// 1, weight decay 0.
func DefaultAdafactor() AdafactorConfig {
	return AdafactorConfig{LR: 1e-2, Beta2Decay: -0.8, Eps1: float32Eps, Eps2: 1e-3, D: 1}
}

func (c *AdafactorConfig) validate() error {
	switch {
	case !(c.LR > 0):
		return fmt.Errorf("lr must be positive, got %v", c.LR)
	case !(c.Beta2Decay <= 0):
		return fmt.Errorf("beta2_decay must be non-positive, got %v", c.Beta2Decay)
	case !(c.Eps1 >= 0) || math.IsInf(c.Eps1, 0):
		return fmt.Errorf("eps[0] must be finite and non-negative, got %v", c.Eps1)
	case !(c.Eps2 >= 0) || math.IsInf(c.Eps2, 0):
		return fmt.Errorf("eps[1] must be finite and non-negative, got %v", c.Eps2)
	case !(c.D >= 1):
		return fmt.Errorf("d must be at least 1, got %v", c.D)
	case !(c.WeightDecay >= 0):
		return fmt.Errorf("weight_decay must be non-negative, got %v", c.WeightDecay)
	}
	return nil
}

var adafactorSpec = &spec[AdafactorConfig]{
	name: "adafactor",
	keys: []key[AdafactorConfig]{
		floatKey("lr", "largest relative step ρ and the decay's rate γ", func(c *AdafactorConfig) *float64 { return &c.LR }),
		floatKey("beta2_decay", "τ: the second moment's new weight is t^τ", func(c *AdafactorConfig) *float64 { return &c.Beta2Decay }),
		{"eps", "ε₁/ε₂: floors of the variance's root (none: 2⁻²³) and of the RMS of θ",
			func(c *AdafactorConfig) string {
				e1 := strconv.FormatFloat(c.Eps1, 'g', -1, 64)
				if c.Eps1 == float32Eps {
					e1 = "none"
				}
				return e1 + "/" + strconv.FormatFloat(c.Eps2, 'g', -1, 64)
			},
			func(c *AdafactorConfig, v string) error {
				a, b, ok := strings.Cut(v, "/")
				x, err1 := strconv.ParseFloat(a, 64)
				if a == "none" {
					x, err1 = float32Eps, nil
				}
				y, err2 := strconv.ParseFloat(b, 64)
				if !ok || err1 != nil || err2 != nil {
					return fmt.Errorf("want two numbers like none/0.001 or 1e-30/0.001, got %q", v)
				}
				c.Eps1, c.Eps2 = x, y
				return nil
			}},
		floatKey("d", "clipping threshold of the update's RMS", func(c *AdafactorConfig) *float64 { return &c.D }),
		floatKey("weight_decay", "decoupled decay λ: θ ← θ(1-γλ)", func(c *AdafactorConfig) *float64 { return &c.WeightDecay }),
		boolKey("maximize", "maximise the objective", func(c *AdafactorConfig) *bool { return &c.Maximize }),
	},
	validate: (*AdafactorConfig).validate,
	lr:       func(c *AdafactorConfig) *float64 { return &c.LR },
	bufNames: []string{"row_var", "col_var", "variance"},
	needsParam: func(_ *AdafactorConfig, p *Param) uint {
		if len(p.Shape) >= 2 {
			return 0b011
		}
		return 0b100
	},
	bufLen: func(shape []int, b int) int {
		n := 1
		for _, d := range shape {
			n *= d
		}
		switch {
		case b < 2 && len(shape) < 2:
			return -1 // a vector has no factored moments
		case b == 0: // row_var: shape with the last dimension 1
			return n / shape[len(shape)-1]
		case b == 1: // col_var: shape with the next-to-last dimension 1
			return n / shape[len(shape)-2]
		}
		return n
	},
}

// Adafactor is Shazeer and Stern's method ("Adafactor: Adaptive Learning Rates with
// Sublinear Memory Cost", ICML 2018) with torch 2.5's semantics, torch.optim.Adafactor
// (torch/optim/_adafactor.py, _single_tensor_adafactor, the file torch 2.5 introduced;
// read at pytorch/pytorch commit 051d6a09bb159a48ac11006c454c0c979511d0f3). For
// a parameter of two or more dimensions the second moment is kept factored over its last
// two, as a row vector R and a column vector C per matrix of the leading dimensions; a
// vector keeps it whole (V). At step t of a parameter, with G the gradient (negated with
// maximize),
//
//	ρ_t ← min(γ, 1/√t);   α_t ← max(ε₂, RMS(θ_{t-1})) ρ_t;   β̂ ← 1 - t^τ
//	θ ← θ (1 - γλ)
//	R ← β̂ R + (1-β̂) mean_cols(G²);  C ← β̂ C + (1-β̂) mean_rows(G²)      (factored)
//	V̂ ← R C / max(mean(R), ε₁)
//	V ← β̂ V + (1-β̂) G²;  V̂ ← V                                           (vectors)
//	U ← G / √max(V̂, ε₁²)
//	θ ← θ - α_t U / max(1, RMS(U)/d)
//
// where the moving averages are torch's lerp(·, ·, t^τ) and RMS(x) = ‖x‖₂/√numel. As torch
// notes, this differs from the paper in using γ as the bound of ρ_t and as the decay's
// rate, and in applying ε₁ to the variance estimate rather than to the squared gradient.
// ε₁ None is float32's machine epsilon 2⁻²³, the dtype of every parameter here. torch's
// foreach option picks an implementation of the same arithmetic and has no counterpart.
//
// A vector's step is element-wise but for two norms: it runs as three passes over the
// elements, split among goroutines as every optimiser's, on the kernels of internal/optimk
// (AVX-512 where available, with Go twins of the same bits): the check of the gradient,
// which also sums θ² for RMS(θ); the moving average of V, which sums U²; and the update,
// which recomputes U with the same bits. A parameter of two or more dimensions takes its
// step in Go, parameter by parameter, after the passes. The sums are in float64 (squares
// exact, in 16 lanes and 4096-element blocks as [Prodigy]'s), so they do not depend on the
// number of threads; the elements are float32 as torch's. State per parameter: "row_var"
// and "col_var" (two or more dimensions) or "variance".
type Adafactor struct {
	base[AdafactorConfig, optimk.AdafactorCoef]
	cols []float64 // workspace: column sums of G²
}

// NewAdafactor returns Adafactor over params as one group with configuration cfg.
func NewAdafactor(params []*Param, cfg AdafactorConfig) (*Adafactor, error) {
	o := &Adafactor{}
	return o, o.init(adafactorSpec, o, params, cfg)
}

// BytesPerParam returns the bytes one Step on vectors reads and writes per parameter
// element, beyond the finite check's read of the gradient: the check also reads θ; the
// second pass reads g and reads and writes V; the update reads g and V and reads and
// writes θ.
func (o *Adafactor) BytesPerParam() int { return 4 * (1 + 1 + 2 + 1 + 1 + 2) }

func (o *Adafactor) sums() (nc, ng int) { return 2, 1 }

func (o *Adafactor) checkBlock(i, lo, hi int, out []float64) bool {
	p := o.params[i]
	out[0], out[1] = optimk.SumSq2(p.Grad[lo:hi], p.Value[lo:hi])
	return !math.IsNaN(out[0]) && !math.IsInf(out[0], 0)
}

// lerp32 is torch's lerp in float32: a + w(b-a) for w < 0.5, else b - (b-a)(1-w).
func lerp32(a, b, w float32) float32 {
	if w < 0.5 {
		return fma.Float32(w, b-a, a)
	}
	return fma.Float32(-(b - a), 1-w, b)
}

// prepare sets the coefficients of parameter i but the step's multiplier, which needs ΣU².
func (o *Adafactor) prepare(i int) {
	c := &o.cfgs[o.group[i]]
	w := float32(math.Pow(float64(o.state[i].step), c.Beta2Decay))
	k := optimk.AdafactorCoef{W: w, OmW: 1 - w, Floor: float32(c.Eps1 * c.Eps1), Decay: 1}
	if w >= 0.5 {
		k.Flags |= optimk.AdafactorHigh
	}
	if c.WeightDecay != 0 {
		k.Decay = float32(1 - c.LR*c.WeightDecay)
	}
	o.coef[i] = k
}

func (o *Adafactor) gatherBlock(i, lo, hi int, out []float64) {
	p := o.params[i]
	if len(p.Shape) >= 2 {
		out[0] = 0
		return
	}
	out[0] = optimk.AdafactorGather(p.Grad[lo:hi], o.state[i].bufs[2][lo:hi], &o.coef[i])
}

// alpha returns α_t = max(ε₂, RMS(θ_{t-1})) ρ_t of parameter i, from the check pass's sums.
func (o *Adafactor) alpha(i int) float64 {
	c := &o.cfgs[o.group[i]]
	rho := min(c.LR, 1/math.Sqrt(float64(o.state[i].step)))
	return max(c.Eps2, math.Sqrt(blockSum(o.csum[i], 2, 1))/math.Sqrt(float64(len(o.params[i].Value)))) * rho
}

// finish sets the step's multiplier of every vector from ΣU² and takes the whole step of
// every parameter of two or more dimensions.
func (o *Adafactor) finish() {
	for i, p := range o.params {
		if p.Grad == nil {
			continue
		}
		if len(p.Shape) >= 2 {
			o.step(i, p)
			continue
		}
		c := &o.cfgs[o.group[i]]
		uu := blockSum(o.gsum[i], 1, 0)
		a := float32(-o.alpha(i) / max(1, math.Sqrt(uu)/(math.Sqrt(float64(len(p.Value)))*c.D)))
		if c.Maximize {
			a = -a // -(g·r)·a = (g·r)·(-a): the direction's sign moves to the multiplier
		}
		o.coef[i].A = a
	}
}

func (o *Adafactor) update(i, lo, hi int) {
	p := o.params[i]
	if len(p.Shape) >= 2 {
		return
	}
	optimk.AdafactorUpdate(p.Value[lo:hi], p.Grad[lo:hi], o.state[i].bufs[2][lo:hi], &o.coef[i])
}

// step takes the step of parameter i, of two or more dimensions (the factored moments).
func (o *Adafactor) step(i int, p *Param) {
	c, st := &o.cfgs[o.group[i]], &o.state[i]
	t := float64(st.step)
	n := len(p.Value)
	w := float32(math.Pow(t, c.Beta2Decay))
	alpha := o.alpha(i)
	if c.WeightDecay != 0 {
		decay := float32(1 - c.LR*c.WeightDecay)
		for j := range p.Value {
			p.Value[j] *= decay
		}
	}
	g := p.Grad
	sign := float32(1)
	if c.Maximize {
		sign = -1
	}
	floor := float32(c.Eps1 * c.Eps1)
	// dir returns U at element j given the variance estimate v there.
	dir := func(j int, v float32) float32 {
		return sign * g[j] * (1 / sqrt32(max(v, floor)))
	}
	var uu float64
	rows, cols := p.Shape[len(p.Shape)-2], p.Shape[len(p.Shape)-1]
	mats := n / (rows * cols)
	rv, cv := st.bufs[0], st.bufs[1]
	if cap(o.cols) < cols {
		o.cols = make([]float64, cols)
	}
	means := o.cols[:cols]
	eps1 := float32(c.Eps1)
	// the factors of every matrix, and the mean of R, clamped, for each
	for b := range mats {
		gm, r, cc := g[b*rows*cols:(b+1)*rows*cols], rv[b*rows:(b+1)*rows], cv[b*cols:(b+1)*cols]
		clear(means)
		for k := range rows {
			row := gm[k*cols : (k+1)*cols]
			r[k] = lerp32(r[k], float32(optimk.SumSq(row)/float64(cols)), w)
			for j, x := range row {
				means[j] += sqr64(x)
			}
		}
		for j := range cc {
			cc[j] = lerp32(cc[j], float32(means[j]/float64(rows)), w)
		}
	}
	// U's norm, then the step, U recomputed with the same bits
	var acc [16]float64
	for pass := range 2 {
		var a float32
		if pass == 1 {
			uu = laneTotal(&acc)
			a = float32(-alpha / max(1, math.Sqrt(uu)/(math.Sqrt(float64(n))*c.D)))
		}
		for b := range mats {
			r, cc := rv[b*rows:(b+1)*rows], cv[b*cols:(b+1)*cols]
			var rs float64
			for _, x := range r {
				rs += float64(x)
			}
			rm := max(float32(rs/float64(rows)), eps1)
			off := b * rows * cols
			for k := range rows {
				for j := range cols {
					e := off + k*cols + j
					u := dir(e, (r[k]*cc[j])/rm)
					if pass == 0 {
						acc[e&15] += sqr64(u)
					} else {
						p.Value[e] = fma.Float32(u, a, p.Value[e])
					}
				}
			}
		}
	}
}

// sqrt32 is the correctly rounded float32 square root.
func sqrt32(x float32) float32 { return float32(math.Sqrt(float64(x))) }

// sqr64 returns x² in float64 (exact).
func sqr64(x float32) float64 { return float64(x) * float64(x) }

// laneTotal adds 16 lanes as optimk's reductions do: lane l += lane l+w for w = 8, 4, 2, 1.
func laneTotal(a *[16]float64) float64 {
	s := *a
	for w := 8; w > 0; w /= 2 {
		for l := range w {
			s[l] += s[l+w]
		}
	}
	return s[0]
}
