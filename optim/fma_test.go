package optim

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
)

// exactFMA32 is a·b + c rounded once to float32, computed with big.Float.
func exactFMA32(a, b, c float32) float32 {
	x := new(big.Float).SetPrec(200).SetFloat64(float64(a))
	x.Mul(x, new(big.Float).SetFloat64(float64(b)))
	x.Add(x, new(big.Float).SetFloat64(float64(c)))
	f, _ := x.Float32()
	return f
}

func TestFMA32(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	check := func(a, b, c float32) {
		if got, want := fma32(a, b, c), exactFMA32(a, b, c); got != want && !(got != got && want != want) {
			t.Fatalf("fma32(%v, %v, %v) = %v, want %v", a, b, c, got, want)
		}
	}
	for range 200000 {
		a, b, c := float32(r.NormFloat64()), float32(r.NormFloat64()), float32(r.NormFloat64())
		check(a, b, c)
	}
	// Ties: a·b exactly half a float32 ulp of c away from c, plus a tiny extra product.
	for range 20000 {
		c := float32(1 + r.Float64())
		half := float64(math.Nextafter32(c, 2)-c) / 2
		a := float32(half * 3)
		check(a, 1.0/3, c)
		check(float32(half), 1+1.0/(1<<20), c)
		check(float32(half), 1-1.0/(1<<20), c)
	}
}
