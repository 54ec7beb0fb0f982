package optim

import (
	"math"
	"testing"
)

// TestAdafactorVectorMatchesFloat64 runs Adafactor's vector path, on several 4096-element
// blocks and a tail (the kernels of internal/optimk, split among goroutines), against
// torch 2.5's formulas in float64, with weight decay and maximize and then without: after
// 6 steps every element is within 1e-5 (relative to max(1, |θ|)) of the float64 run, the
// tolerance of the NumPy reference test.
func TestAdafactorVectorMatchesFloat64(t *testing.T) {
	const n, steps = 3*4096 + 1000, 6
	for _, cfg := range []AdafactorConfig{
		{LR: 0.02, Beta2Decay: -0.8, Eps1: float32Eps, Eps2: 1e-3, D: 1, WeightDecay: 0.1, Maximize: true},
		{LR: 0.01, Beta2Decay: -0.5, Eps1: 1e-30, Eps2: 1e-3, D: 2},
	} {
		p := &Param{Name: "v", Shape: []int{n}, Value: make([]float32, n), Grad: make([]float32, n)}
		theta, v := make([]float64, n), make([]float64, n)
		for j := range n {
			p.Value[j] = float32(math.Sin(float64(j)))
			theta[j] = float64(p.Value[j])
		}
		o, err := NewAdafactor([]*Param{p}, cfg)
		if err != nil {
			t.Fatal(err)
		}
		for s := 1; s <= steps; s++ {
			for j := range n {
				p.Grad[j] = float32(math.Cos(float64(3*j+s)) * (1 + float64(j%7)))
			}
			if err := o.Step(); err != nil {
				t.Fatal(err)
			}
			tt := float64(s)
			rho := min(cfg.LR, 1/math.Sqrt(tt))
			var pp, uu float64
			for _, x := range theta {
				pp += x * x
			}
			alpha := max(cfg.Eps2, math.Sqrt(pp/n)) * rho
			w := math.Pow(tt, cfg.Beta2Decay)
			u := make([]float64, n)
			for j := range n {
				theta[j] *= 1 - cfg.LR*cfg.WeightDecay
				g := float64(p.Grad[j])
				if cfg.Maximize {
					g = -g
				}
				v[j] += w * (g*g - v[j])
				u[j] = g / math.Sqrt(max(v[j], cfg.Eps1*cfg.Eps1))
				uu += u[j] * u[j]
			}
			a := alpha / max(1, math.Sqrt(uu/n)/cfg.D)
			for j := range n {
				theta[j] -= a * u[j]
			}
		}
		for j := range n {
			if d := math.Abs(float64(p.Value[j]) - theta[j]); d > 1e-5*max(1, math.Abs(theta[j])) {
				t.Fatalf("%+v: θ[%d] = %v, float64 %v", cfg, j, p.Value[j], theta[j])
			}
		}
	}
}
