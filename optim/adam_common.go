package optim

import (
	"fmt"
	"math"
	"strconv"

	"github.com/descent-ml/descent/internal/optimk"
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

// newAdamCoef computes the coefficients of step t as torch's _single_tensor_adam(w) does:
// in float64, each rounded to float32 where it meets the tensor.
func newAdamCoef(lr, beta1, beta2, eps, wd float64, ams AMSGrad, maximize, decoupled bool, t int64) optimk.AdamCoef {
	step := float64(t)
	bc1 := 1 - math.Pow(beta1, step)
	bc2 := 1 - math.Pow(beta2, step)
	k := optimk.AdamCoef{
		B1: float32(beta1), Omb1: float32(1 - beta1), B2: float32(beta2), Omb2: float32(1 - beta2),
		Bc2s: float32(math.Sqrt(bc2)), Bc2: float32(bc2), Eps: float32(eps),
		NegStep: float32(-(lr / bc1)), WD: float32(wd), Decay: float32(1 - lr*wd),
	}
	if maximize {
		k.Flags |= optimk.AdamMaximize
	}
	if decoupled {
		k.Flags |= optimk.AdamDecoupled
	} else if wd != 0 {
		k.Flags |= optimk.AdamDecay
	}
	switch ams {
	case AMSGradTorch:
		k.Flags |= optimk.AdamAMSTorch
	case AMSGradLecture:
		k.Flags |= optimk.AdamAMSLecture
	}
	return k
}

func checkAMSGrad(a AMSGrad) error {
	if a < AMSGradOff || a > AMSGradLecture {
		return fmt.Errorf("unknown amsgrad variant %d", int(a))
	}
	return nil
}
