package vec

import (
	"math"
	"math/rand/v2"
	"testing"
)

// ulps returns the distance in units in the last place between a and b (finite, same sign).
func ulps(a, b float32) int64 {
	d := int64(math.Float32bits(a)) - int64(math.Float32bits(b))
	if d < 0 {
		d = -d
	}
	return d
}

func TestExpAccuracy(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	xs := []float32{0, -0, 1, -1, 0.5, 88.7, -87.3, 10, -10, 1e-8, -1e-8, 20.5, -20.5}
	for range 200000 {
		xs = append(xs, float32(rng.Float64()*176-87.3))
	}
	got, ref := make([]float32, len(xs)), make([]float32, len(xs))
	Exp(got, xs)
	expGo(ref, xs)
	worst := int64(0)
	for i, x := range xs {
		want := float32(math.Exp(float64(x)))
		if u := ulps(got[i], want); u > worst {
			worst = u
		}
		if ulps(got[i], want) > 2 {
			t.Fatalf("Exp(%v) = %v, want %v", x, got[i], want)
		}
		if got[i] != ref[i] {
			t.Fatalf("Exp(%v): assembly %v, Go twin %v", x, got[i], ref[i])
		}
	}
	t.Logf("largest error %d ulp", worst)
	special := []float32{float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1)), 89, -88, 88.72, -87.33}
	out := make([]float32, len(special))
	Exp(out, special)
	if out[0] == out[0] || !math.IsInf(float64(out[1]), 1) || out[2] != 0 || !math.IsInf(float64(out[3]), 1) || out[4] != 0 {
		t.Errorf("Exp of NaN, ±Inf, 89, -88: %v", out[:5])
	}
}

func BenchmarkExp(b *testing.B) {
	x, d := make([]float32, 1280), make([]float32, 1280)
	for i := range x {
		x[i] = float32(i%40) - 30
	}
	for b.Loop() {
		Exp(d, x)
	}
}
