package optim

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/descent-ml/descent/internal/fma"
	"github.com/descent-ml/descent/internal/gemm"
	"github.com/descent-ml/descent/internal/optimk"
)

// MuonConfig is the configuration of a group of [Muon]; start from [DefaultMuon], torch's
// defaults for the two-dimensional parameters and torch's AdamW defaults for the others.
type MuonConfig struct {
	LR             float64    // learning rate γ of the matrices, positive; default 1e-3
	WeightDecay    float64    // decoupled decay λ ≥ 0 of the matrices: θ ← θ(1 - γλ); default 0.1
	Momentum       float64    // μ ≥ 0; default 0.95
	Nesterov       bool       // Nesterov momentum; default true
	NSCoefficients [3]float64 // a, b, c of the Newton–Schulz polynomial; default (3.4445, -4.7750, 2.0315)
	Eps            float64    // ε ≥ 0 under the Frobenius norm; default 1e-7
	NSSteps        int        // Newton–Schulz iterations, in [0, 100); default 5
	AdjustLRFn     string     // "original" (default; torch's None) or "match_rms_adamw"

	AdamWLR          float64 // AdamW's learning rate for the other parameters, positive; default 1e-3
	AdamWBeta1       float64 // AdamW's β₁ in [0, 1); default 0.9
	AdamWBeta2       float64 // AdamW's β₂ in [0, 1); default 0.999
	AdamWEps         float64 // AdamW's ε ≥ 0; default 1e-8
	AdamWWeightDecay float64 // AdamW's decoupled decay λ ≥ 0; default 1e-2
}

// DefaultMuon returns torch's defaults: lr 1e-3, weight decay 0.1, momentum 0.95, Nesterov,
// coefficients (3.4445, -4.7750, 2.0315), eps 1e-7, 5 steps, the original rate adjustment;
// and torch.optim.AdamW's for the parameters that are not matrices: lr 1e-3, betas (0.9,
// 0.999), eps 1e-8, weight decay 1e-2.
func DefaultMuon() MuonConfig {
	return MuonConfig{LR: 1e-3, WeightDecay: 0.1, Momentum: 0.95, Nesterov: true, NSCoefficients: [3]float64{3.4445, -4.7750, 2.0315},
		Eps: 1e-7, NSSteps: 5, AdjustLRFn: "original", AdamWLR: 1e-3, AdamWBeta1: 0.9, AdamWBeta2: 0.999, AdamWEps: 1e-8, AdamWWeightDecay: 1e-2}
}

func (c *MuonConfig) validate() error {
	switch {
	case !(c.LR > 0):
		return fmt.Errorf("lr must be positive, got %v", c.LR)
	case !(c.Momentum >= 0):
		return fmt.Errorf("momentum must be non-negative, got %v", c.Momentum)
	case !(c.WeightDecay >= 0):
		return fmt.Errorf("weight_decay must be non-negative, got %v", c.WeightDecay)
	case !(c.Eps >= 0):
		return fmt.Errorf("eps must be non-negative, got %v", c.Eps)
	case c.NSSteps < 0 || c.NSSteps >= 100:
		return fmt.Errorf("ns_steps must be in [0, 100), got %d", c.NSSteps)
	case c.AdjustLRFn != "original" && c.AdjustLRFn != "match_rms_adamw":
		return fmt.Errorf("adjust_lr_fn must be original or match_rms_adamw, got %q", c.AdjustLRFn)
	}
	for _, x := range c.NSCoefficients {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return fmt.Errorf("ns_coefficients must be finite, got %v", c.NSCoefficients)
		}
	}
	if err := checkAdamLike(c.AdamWLR, c.AdamWBeta1, c.AdamWBeta2, c.AdamWEps, c.AdamWWeightDecay); err != nil {
		return fmt.Errorf("adamw_%w", err)
	}
	return nil
}

var muonSpec = &spec[MuonConfig]{
	name: "muon",
	keys: []key[MuonConfig]{
		floatKey("lr", "learning rate γ of the matrices", func(c *MuonConfig) *float64 { return &c.LR }),
		floatKey("weight_decay", "decoupled decay λ of the matrices", func(c *MuonConfig) *float64 { return &c.WeightDecay }),
		floatKey("momentum", "momentum μ", func(c *MuonConfig) *float64 { return &c.Momentum }),
		boolKey("nesterov", "Nesterov momentum", func(c *MuonConfig) *bool { return &c.Nesterov }),
		{"ns_coefficients", "a/b/c of the Newton–Schulz polynomial aX + bX³ + cX⁵",
			func(c *MuonConfig) string {
				s := make([]string, 3)
				for k, x := range c.NSCoefficients {
					s[k] = strconv.FormatFloat(x, 'g', -1, 64)
				}
				return strings.Join(s, "/")
			},
			func(c *MuonConfig, v string) error {
				s := strings.Split(v, "/")
				if len(s) != 3 {
					return fmt.Errorf("want three numbers like 3.4445/-4.775/2.0315, got %q", v)
				}
				for k := range s {
					x, err := strconv.ParseFloat(s[k], 64)
					if err != nil {
						return fmt.Errorf("want three numbers like 3.4445/-4.775/2.0315, got %q", v)
					}
					c.NSCoefficients[k] = x
				}
				return nil
			}},
		floatKey("eps", "ε under the Frobenius norm", func(c *MuonConfig) *float64 { return &c.Eps }),
		intKey("ns_steps", "Newton–Schulz iterations", func(c *MuonConfig) *int { return &c.NSSteps }),
		{"adjust_lr_fn", "rate adjustment: original (√max(1, A/B)) or match_rms_adamw (0.2√max(A, B))",
			func(c *MuonConfig) string { return c.AdjustLRFn },
			func(c *MuonConfig, v string) error {
				if v != "original" && v != "match_rms_adamw" && v != "none" {
					return fmt.Errorf("want original, match_rms_adamw or none (original), got %q", v)
				}
				if v == "none" {
					v = "original"
				}
				c.AdjustLRFn = v
				return nil
			}},
		floatKey("adamw_lr", "AdamW's learning rate for the other parameters", func(c *MuonConfig) *float64 { return &c.AdamWLR }),
		pairKey("adamw_betas", "AdamW's β₁/β₂", func(c *MuonConfig) *float64 { return &c.AdamWBeta1 }, func(c *MuonConfig) *float64 { return &c.AdamWBeta2 }),
		floatKey("adamw_eps", "AdamW's ε", func(c *MuonConfig) *float64 { return &c.AdamWEps }),
		floatKey("adamw_weight_decay", "AdamW's decoupled decay λ", func(c *MuonConfig) *float64 { return &c.AdamWWeightDecay }),
	},
	validate: (*MuonConfig).validate,
	lr:       func(c *MuonConfig) *float64 { return &c.LR },
	bufNames: []string{"momentum_buffer", "exp_avg", "exp_avg_sq"},
	needs:    func(*MuonConfig) uint { return 0b111 },
	needsParam: func(_ *MuonConfig, p *Param) uint {
		if len(p.Shape) == 2 {
			return 0b001
		}
		return 0b110
	},
}

// Muon is momentum orthogonalised by Newton–Schulz iterations for the two-dimensional
// parameters (Jordan et al., "Muon: An optimizer for hidden layers in neural networks",
// 2024; Liu et al., "Muon is Scalable for LLM Training", 2025), torch 2.9's
// torch.optim.Muon (torch/optim/_muon.py, _single_tensor_muon, read at pytorch/pytorch
// commit 098e03f91de9384cc3afdf5c8b9a6bbc442bd66a), with torch.optim.AdamW for every other
// parameter, as torch's documentation prescribes and Jordan's MuonWithAuxAdam does: biases,
// gains and tensors of other ranks (torch's Muon refuses them). For a matrix θ of A rows and
// B columns, with g its gradient,
//
//	B_t ← μ B_{t-1} + (1-μ) g                   (torch's lerp)
//	M ← g + μ (B_t - g)   with nesterov, else M ← B_t
//	X ← M (Mᵀ if A > B);  X ← X / max(‖X‖_F, ε)
//	k times:  S ← X Xᵀ;  X ← a X + (b S + c S S) X
//	O ← X (Xᵀ if A > B)
//	θ ← θ (1 - γλ) - γ' O,   γ' = γ √max(1, A/B) (original) or 0.2 γ √max(A, B) (match_rms_adamw)
//
// with (a, b, c) = (3.4445, -4.7750, 2.0315) and k = 5 by default, whose iteration maps
// each singular value of X into about [0.7, 1.2] rather than to 1. The other parameters
// take AdamW's step ([AdamW], without AMSGrad) with the adamw_ options. SetLR scales both
// rates together, keeping adamw_lr/lr as configured (by the constructor, AddGroup or
// SetConfig), as a scheduler of two torch optimisers would.
//
// # Precision
//
// The reference orthogonalises in bfloat16 (grad.bfloat16()), 8 bits of mantissa; here X
// and the products are float32 (internal/gemm, fused multiply-adds), the norm a float64
// sum, so the result is closer to the exact polynomial than the reference's, not equal to
// it. The parity fixture's NumPy restatement computes in float64 and Go's float32 follows
// it within 1e-5.
//
// The matrices' steps run one after the other, each product on every core; the AdamW
// steps run element-wise in parallel. State per parameter: "momentum_buffer" (matrices) or
// "exp_avg" and "exp_avg_sq" (the others); globals "adamw_lr_ratio.G" of each group G.
type Muon struct {
	base[MuonConfig, optimk.AdamCoef]
	ratio []float64 // adamw_lr/lr of each group, as configured

	x, xn, s, t []float32 // workspace of the iteration: X, the next X, S and b S + c S S
}

var _ MomentumOptimizer = (*Muon)(nil)

// NewMuon returns Muon over params as one group with configuration cfg.
func NewMuon(params []*Param, cfg MuonConfig) (*Muon, error) {
	o := &Muon{}
	if err := o.init(muonSpec, o, params, cfg); err != nil {
		return o, err
	}
	o.ratio = []float64{cfg.AdamWLR / cfg.LR}
	return o, nil
}

// AddGroup adds a group of parameters with its own configuration (see [base.AddGroup]).
func (o *Muon) AddGroup(params []*Param, cfg MuonConfig) error {
	if err := o.base.AddGroup(params, cfg); err != nil {
		return err
	}
	o.ratio = append(o.ratio, cfg.AdamWLR/cfg.LR)
	return nil
}

// SetConfig replaces the configuration of group g, after validating it; on error nothing
// changes. If it changes lr or adamw_lr, their ratio is the one SetLR keeps from then on.
func (o *Muon) SetConfig(g int, cfg MuonConfig) error {
	old := o.Config(g)
	if err := o.base.SetConfig(g, cfg); err != nil {
		return err
	}
	if cfg.LR != old.LR || cfg.AdamWLR != old.AdamWLR {
		o.ratio[g] = cfg.AdamWLR / cfg.LR
	}
	return nil
}

// SetLR sets the learning rate of the matrices of group g to lr and AdamW's to lr times
// the configured ratio adamw_lr/lr. It panics if lr is NaN or infinite.
func (o *Muon) SetLR(g int, lr float64) {
	o.base.SetLR(g, lr)
	o.cfgs[g].AdamWLR = lr * o.ratio[g]
}

// Momentum returns the momentum μ of group g.
func (o *Muon) Momentum(g int) float64 { return o.Config(g).Momentum }

// SetMomentum sets the momentum μ of group g; it panics if μ is negative.
func (o *Muon) SetMomentum(g int, m float64) {
	c := o.Config(g)
	c.Momentum = m
	if err := o.SetConfig(g, c); err != nil {
		panic(err.Error())
	}
}

func (o *Muon) prepare(i int) {
	if len(o.params[i].Shape) == 2 {
		return
	}
	c := &o.cfgs[o.group[i]]
	o.coef[i] = newAdamCoef(c.AdamWLR, c.AdamWBeta1, c.AdamWBeta2, c.AdamWEps, c.AdamWWeightDecay, AMSGradOff, false, true, o.state[i].step)
}

func (o *Muon) update(i, lo, hi int) {
	if p, st := o.params[i], &o.state[i]; len(p.Shape) != 2 {
		optimk.Adam(p.Value[lo:hi], p.Grad[lo:hi], st.bufs[1][lo:hi], st.bufs[2][lo:hi], nil, &o.coef[i])
	}
}

// finish takes the steps of the matrices.
func (o *Muon) finish() {
	for i, p := range o.params {
		if p.Grad != nil && len(p.Shape) == 2 {
			o.step(i, p)
		}
	}
}

// grow returns a workspace slice of n elements.
func grow(w *[]float32, n int) []float32 {
	if cap(*w) < n {
		*w = make([]float32, n)
	}
	return (*w)[:n]
}

func (o *Muon) step(i int, p *Param) {
	c := &o.cfgs[o.group[i]]
	rows, cols := p.Shape[0], p.Shape[1]
	tr := rows > cols
	r, n := min(rows, cols), max(rows, cols) // X is r×n
	x, xn := grow(&o.x, r*n), grow(&o.xn, r*n)
	s, t := grow(&o.s, r*r), grow(&o.t, r*r)
	buf, g := o.state[i].bufs[0], p.Grad
	mu := float32(c.Momentum)
	w := 1 - mu
	for j, gj := range g {
		b := lerp32(buf[j], gj, w)
		buf[j] = b
		m := b
		if c.Nesterov {
			m = lerp32(gj, b, mu)
		}
		if tr { // element (row, col) of M is element (col, row) of X
			x[(j%cols)*n+j/cols] = m
		} else {
			x[j] = m
		}
	}
	scale := float32(max(math.Sqrt(optimk.SumSq(x)), c.Eps))
	for j := range x {
		x[j] /= scale
	}
	a, bc, cc := float32(c.NSCoefficients[0]), float32(c.NSCoefficients[1]), float32(c.NSCoefficients[2])
	for range c.NSSteps {
		gemm.Sgemm(false, true, r, r, n, 1, x, n, x, n, 0, s, r)
		for j, v := range s {
			t[j] = bc * v
		}
		gemm.Sgemm(false, false, r, r, r, cc, s, r, s, r, 1, t, r)
		for j, v := range x {
			xn[j] = a * v
		}
		gemm.Sgemm(false, false, r, n, r, 1, t, r, x, n, 1, xn, n)
		x, xn = xn, x
	}
	adj := c.LR * math.Sqrt(max(1, float64(rows)/float64(cols)))
	if c.AdjustLRFn == "match_rms_adamw" {
		adj = 0.2 * c.LR * math.Sqrt(float64(n))
	}
	decay, step := float32(1-c.LR*c.WeightDecay), float32(-adj)
	for j := range p.Value {
		oj := x[j]
		if tr {
			oj = x[(j%cols)*n+j/cols]
		}
		p.Value[j] = fma.Float32(oj, step, p.Value[j]*decay)
	}
}

func (o *Muon) saveGlobals() []named {
	var v []named
	for g, r := range o.ratio {
		v = append(v, named{"adamw_lr_ratio." + strconv.Itoa(g), r})
	}
	return v
}

func (o *Muon) loadGlobals(f *stateFile, cfgs []MuonConfig) (func(), error) {
	g := map[string]float64{}
	for _, v := range f.global {
		g[v.name] = v.v
	}
	ratio := make([]float64, len(cfgs))
	for k := range cfgs {
		r, ok := g["adamw_lr_ratio."+strconv.Itoa(k)]
		if !ok || !(r > 0) || math.IsInf(r, 0) {
			return nil, StateError(fmt.Sprintf("the file's adamw_lr_ratio.%d is %v (missing or not positive)", k, r))
		}
		ratio[k] = r
	}
	return func() { o.ratio = ratio }, nil
}
