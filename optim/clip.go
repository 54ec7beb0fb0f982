package optim

import (
	"fmt"
	"math"

	"github.com/descent-ml/descent/internal/fma"
	"github.com/descent-ml/descent/internal/optimk"
)

// ClipGradNorm scales the gradients of params so that their global p-norm is at most maxNorm,
// as torch's clip_grad_norm_: the norm of the vector of the parameters' norms, the
// coefficient maxNorm/(norm + 10⁻⁶) clamped to 1, every gradient multiplied by it. It returns
// the norm before clipping. normType is p: 2 for the Euclidean norm, 1 for the sum of
// magnitudes, math.Inf(1) for the largest magnitude, or any other positive order.
//
// The norms are torch's to the bit for p = 1, 2 and ∞: computed in float32 in the order of
// ATen's kernels (for p = 2, eight lanes of fused multiply-adds over blocks of eight elements,
// then the rest), checked against clip_grad_norm_ on testdata/clip.json. Other orders take
// powers in float64 rounded to float32 where torch calls powf, which can differ in the last
// bit.
//
// Non-finite values are refused as torch's error_if_nonfinite=True refuses them, before any
// gradient changes: a NaN or infinite element is a [*NonFiniteError] naming it; finite
// gradients whose norm overflows float32 (a 2-norm above 3.4e38) are a [*NormOverflowError].
// Parameters with nil gradients are skipped; with none left the norm is 0.
//
// It panics if normType is not positive or maxNorm is negative or NaN.
func ClipGradNorm(params []*Param, maxNorm, normType float64) (float64, error) {
	if !(normType > 0) {
		panic(fmt.Sprintf("optim: ClipGradNorm: the norm type must be positive, got %v", normType))
	}
	if !(maxNorm >= 0) {
		panic(fmt.Sprintf("optim: ClipGradNorm: maxNorm must be non-negative, got %v", maxNorm))
	}
	if err := checkFinite(params, "ClipGradNorm"); err != nil {
		return 0, err
	}
	total := newNormAcc(normType)
	first := "" // the first parameter whose own norm overflows
	for _, p := range params {
		if p.Grad == nil {
			continue
		}
		n := norm32(p.Grad, normType)
		if first == "" && math.IsInf(float64(n), 0) {
			first = p.Name
		}
		total.add(n)
	}
	norm := total.result()
	if math.IsInf(float64(norm), 0) || math.IsNaN(float64(norm)) {
		return float64(norm), &NormOverflowError{Param: first, NormType: normType}
	}
	// torch: max_norm / (total + 1e-6), a Python float over a float32 tensor, which is the
	// tensor's reciprocal times the float, clamped to 1.
	coef := float32(1/(norm+1e-6)) * float32(maxNorm)
	if coef < 1 {
		for _, p := range params {
			for j := range p.Grad {
				p.Grad[j] *= coef
			}
		}
	}
	return float64(norm), nil
}

// NormOverflowError reports finite gradients whose norm is not finite in float32, which
// [ClipGradNorm] refuses before changing any gradient (torch's clip_grad_norm_ raises for it
// with error_if_nonfinite=True, and zeroes every gradient without).
type NormOverflowError struct {
	Param    string  // the first parameter whose own norm overflows; "" if only the total does
	NormType float64 // the order of the norm
}

func (e *NormOverflowError) Error() string {
	if e.Param == "" {
		return fmt.Sprintf("optim: the %v-norm of the gradients overflows float32; no gradient was clipped", e.NormType)
	}
	return fmt.Sprintf("optim: the %v-norm of the gradient of %s overflows float32; no gradient was clipped", e.NormType, e.Param)
}

// ClipGradValue clamps every gradient element to [-clip, clip] (torch's clip_grad_value_).
// A non-finite gradient is a [*NonFiniteError] and leaves every gradient untouched, where
// torch clamps an infinity to ±clip and keeps a NaN.
func ClipGradValue(params []*Param, clip float64) error {
	if err := checkFinite(params, "ClipGradValue"); err != nil {
		return err
	}
	c := float32(clip)
	for _, p := range params {
		for j, v := range p.Grad {
			p.Grad[j] = min(max(v, -c), c)
		}
	}
	return nil
}

func checkFinite(params []*Param, op string) error {
	for _, p := range params {
		if optimk.AllFinite(p.Grad) {
			continue
		}
		for j, v := range p.Grad {
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				return &NonFiniteError{Op: "optim: " + op, Param: p.Name, Index: j, Value: float64(v)}
			}
		}
	}
	return nil
}

// norm32 is torch's float32 p-norm of x (torch.linalg.vector_norm on one thread).
func norm32(x []float32, p float64) float32 {
	a := newNormAcc(p)
	if p == 2 {
		// whole blocks straight from x, the rest through the accumulator
		m := len(x) &^ 7
		for i := 0; i < m; i += 8 {
			b := x[i : i+8 : i+8]
			for l, v := range b {
				a.lanes[l] = fma.Float32(v, v, a.lanes[l])
			}
		}
		x = x[m:]
	}
	for _, v := range x {
		a.add(v)
	}
	return a.result()
}

// A normAcc accumulates a float32 p-norm value by value, in the order of ATen's kernels
// (aten/src/ATen/native/cpu/ReduceOpsKernel.cpp, norm_kernel_tensor_iterator_impl, AVX2):
//
//   - p = ∞: the largest magnitude.
//   - p = 1: Σ|x| in float32, in index order (NormOneOps).
//   - p = 2: blocks of 8 go to 8 lanes by fused multiply-adds (acc += x·x, contracted by the
//     compiler); the lanes are summed left to right; of the t = n mod 8 elements left, the
//     first 4·⌊t/4⌋ squares are rounded and then added (the compiler's four-wide in-order
//     epilogue), the others fused; then the square root.
//   - other p: Σ|x|^p in float32 in index order, then that to the power 1/p (NormOps).
type normAcc struct {
	p     float64
	pf    float32 // p as the kernel's float
	lanes [8]float32
	tail  [8]float32
	n     int // values waiting in tail (p = 2)
	s     float32
}

func newNormAcc(p float64) normAcc { return normAcc{p: p, pf: float32(p)} }

func (a *normAcc) add(v float32) {
	switch {
	case math.IsInf(a.p, 1):
		a.s = max(a.s, float32(math.Abs(float64(v))))
	case a.p == 1:
		a.s += float32(math.Abs(float64(v)))
	case a.p == 2:
		a.tail[a.n] = v
		if a.n++; a.n == 8 {
			for l, t := range a.tail {
				a.lanes[l] = fma.Float32(t, t, a.lanes[l])
			}
			a.n = 0
		}
	default:
		a.s += float32(math.Pow(math.Abs(float64(v)), float64(a.pf)))
	}
}

func (a *normAcc) result() float32 {
	switch {
	case math.IsInf(a.p, 1), a.p == 1:
		return a.s
	case a.p == 2:
		s := a.lanes[0]
		for _, l := range a.lanes[1:] {
			s += l
		}
		q := a.n &^ 3
		for _, t := range a.tail[:q] {
			s += float32(t * t) // the conversion keeps the square rounded (no fusion)
		}
		for _, t := range a.tail[q:a.n] {
			s = fma.Float32(t, t, s)
		}
		return float32(math.Sqrt(float64(s)))
	}
	return float32(math.Pow(float64(a.s), float64(1/a.pf)))
}
