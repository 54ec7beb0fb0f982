package report

import "fmt"

// EMA is exponential smoothing with bias correction, as TensorBoard draws training curves:
//
//	s₀ = 0,  sₜ = w·sₜ₋₁ + (1 − w)·yₜ,  ŷₜ = sₜ / (1 − wᵗ)
//
// so the first points are not pulled towards zero. Each point is a weighted mean of the
// points up to it: the curve lags, and never looks ahead.
type EMA struct {
	// Weight w in [0, 1) of the past. If Weight is 0, it is 0.9 (about the last 10 points).
	Weight float64
}

// Smooth implements Smoother. It panics if the weight is outside [0, 1).
func (e EMA) Smooth(dst, y []float64) {
	if len(dst) != len(y) {
		panic("report: EMA: slice lengths do not match")
	}
	w := e.Weight
	if w == 0 {
		w = 0.9
	}
	if !(w > 0 && w < 1) {
		panic(fmt.Sprintf("report: EMA weight %v is outside [0, 1)", e.Weight))
	}
	s, wt := 0.0, 1.0
	for i, v := range y {
		s = w*s + (1-w)*v
		wt *= w
		dst[i] = s / (1 - wt)
	}
}
