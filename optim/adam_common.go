package optim

import (
	"fmt"
	"math"
	"strconv"
)

// AMSGrad selects the AMSGrad variant of [Adam] and [AdamW].
type AMSGrad int

const (
	// AMSGradOff is plain Adam.
	AMSGradOff AMSGrad = iota
	// AMSGradTorch is torch's amsgrad=True: the running maximum of the raw second moment v,
	// divided by the bias correction afterwards: v̂ = max(v̂, v_t), denominator √v̂/√(1-β₂ᵗ) + ε.
	AMSGradTorch
	// AMSGradLecture is the lecture's and Reddi et al.'s form: the running maximum of the
	// bias-corrected second moment, v̂ = max(v̂, v_t/(1-β₂ᵗ)), denominator √v̂ + ε. As
	// 1-β₂ᵗ grows with t, the two maxima differ.
	AMSGradLecture
)

var amsgradNames = [...]string{"false", "true", "lecture"}

// String returns the option's value in [Options]: "false", "true" (torch's) or "lecture".
func (a AMSGrad) String() string {
	if a >= 0 && int(a) < len(amsgradNames) {
		return amsgradNames[a]
	}
	return "AMSGrad(" + strconv.Itoa(int(a)) + ")"
}

func amsgradKey[C any](f func(c *C) *AMSGrad) key[C] {
	return key[C]{"amsgrad", "AMSGrad: false, true (torch: max of v) or lecture (max of bias-corrected v)",
		func(c *C) string { return f(c).String() },
		func(c *C, v string) error {
			for i, n := range amsgradNames {
				if v == n {
					*f(c) = AMSGrad(i)
					return nil
				}
			}
			return fmt.Errorf("want false, true or lecture, got %q", v)
		}}
}

// checkBetas checks torch's conditions on a learning rate, betas, eps and weight decay.
func checkAdamLike(lr, beta1, beta2, eps, wd float64) error {
	switch {
	case !(lr > 0):
		return fmt.Errorf("lr must be positive, got %v", lr)
	case !(eps >= 0):
		return fmt.Errorf("eps must be non-negative, got %v", eps)
	case !(0 <= beta1 && beta1 < 1):
		return fmt.Errorf("betas[0] must be in [0, 1), got %v", beta1)
	case !(0 <= beta2 && beta2 < 1):
		return fmt.Errorf("betas[1] must be in [0, 1), got %v", beta2)
	case !(wd >= 0):
		return fmt.Errorf("weight_decay must be non-negative, got %v", wd)
	}
	return nil
}

// adamCoef are the float32 coefficients of one Adam or AdamW step of one parameter.
type adamCoef struct {
	b1, omb1, b2, omb2 float32 // β₁, 1-β₁, β₂, 1-β₂
	bc2s, bc2, eps     float32 // √(1-β₂ᵗ), 1-β₂ᵗ, ε
	negStep            float32 // -γ/(1-β₁ᵗ)
	wd, decay          float32 // λ (Adam), 1-γλ (AdamW)
	flags              uint32
}

const (
	adamMaximize  = 1 << iota
	adamDecay     // Adam's L2 term λθ added to the gradient
	adamDecoupled // AdamW's θ ← θ·(1-γλ) first
	adamAMSTorch
	adamAMSLecture
)

// newAdamCoef computes the coefficients of step t as torch's _single_tensor_adam(w) does:
// in float64, each rounded to float32 where it meets the tensor.
func newAdamCoef(lr, beta1, beta2, eps, wd float64, ams AMSGrad, maximize, decoupled bool, t int64) adamCoef {
	step := float64(t)
	bc1 := 1 - math.Pow(beta1, step)
	bc2 := 1 - math.Pow(beta2, step)
	k := adamCoef{
		b1: float32(beta1), omb1: float32(1 - beta1), b2: float32(beta2), omb2: float32(1 - beta2),
		bc2s: float32(math.Sqrt(bc2)), bc2: float32(bc2), eps: float32(eps),
		negStep: float32(-(lr / bc1)), wd: float32(wd), decay: float32(1 - lr*wd),
	}
	if maximize {
		k.flags |= adamMaximize
	}
	if decoupled {
		k.flags |= adamDecoupled
	} else if wd != 0 {
		k.flags |= adamDecay
	}
	switch ams {
	case AMSGradTorch:
		k.flags |= adamAMSTorch
	case AMSGradLecture:
		k.flags |= adamAMSLecture
	}
	return k
}

// adamStepGo is one Adam or AdamW step over a slice, torch's operations in torch's order:
//
//	g = ±g; g = fma(θ, λ, g) (Adam) | θ = θ·(1-γλ) (AdamW)
//	m = fma(g, 1-β₁, m·β₁); v = fma((1-β₂)·g, g, v·β₂)
//	d = √v/√bc₂ + ε | v̂ = max(v̂, v), d = √v̂/√bc₂ + ε | v̂ = max(v̂, v/bc₂), d = √v̂ + ε
//	θ = θ + (-γ/bc₁·m)/d
func adamStepGo(p, g, m, v, vmax []float32, k *adamCoef) {
	g, m, v = g[:len(p)], m[:len(p)], v[:len(p)]
	if k.flags&(adamAMSTorch|adamAMSLecture) != 0 {
		vmax = vmax[:len(p)]
	}
	for j, gj := range g {
		if k.flags&adamMaximize != 0 {
			gj = -gj
		}
		pj := p[j]
		if k.flags&adamDecay != 0 {
			gj = fma32(pj, k.wd, gj)
		}
		if k.flags&adamDecoupled != 0 {
			pj *= k.decay
		}
		mj := fma32(gj, k.omb1, m[j]*k.b1)
		vj := fma32(k.omb2*gj, gj, v[j]*k.b2)
		m[j], v[j] = mj, vj
		var d float32
		switch {
		case k.flags&adamAMSTorch != 0:
			x := max(vmax[j], vj)
			vmax[j] = x
			d = sqrt32(x)/k.bc2s + k.eps
		case k.flags&adamAMSLecture != 0:
			x := max(vmax[j], vj/k.bc2)
			vmax[j] = x
			d = sqrt32(x) + k.eps
		default:
			d = sqrt32(vj)/k.bc2s + k.eps
		}
		p[j] = pj + (k.negStep*mj)/d
	}
}

func checkAMSGrad(a AMSGrad) error {
	if a < AMSGradOff || a > AMSGradLecture {
		return fmt.Errorf("unknown amsgrad variant %d", int(a))
	}
	return nil
}
