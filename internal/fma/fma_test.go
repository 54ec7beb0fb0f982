package fma

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

func TestFloat32(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	check := func(a, b, c float32) {
		if got, want := Float32(a, b, c), exactFMA32(a, b, c); got != want && !(got != got && want != want) {
			t.Fatalf("Float32(%v, %v, %v) = %v, want %v", a, b, c, got, want)
		}
	}
	for range 200000 {
		a, b, c := float32(r.NormFloat64()), float32(r.NormFloat64()), float32(r.NormFloat64())
		check(a, b, c)
	}
	// Ties. With h half an ulp of c, a = h·(1+2⁻¹⁶) and b = 1-2⁻¹⁶ (both float32), a·b is
	// h·(1-2⁻³²): c ± a·b lies a hair inside the tie c ± h, so it rounds to c, while its
	// float64 rounding falls on the tie itself, which rounding twice sends to the even
	// neighbour: half of these cases are wrong unless the tie is settled.
	twice := 0
	for range 20000 {
		c := float32(1 + r.Float64())
		h := (math.Nextafter32(c, 2) - c) / 2
		a, b := h*(1+1.0/(1<<16)), float32(1-1.0/(1<<16))
		for _, ab := range [][2]float32{{a, b}, {-a, b}, {a, -b}, {-a, -b}} {
			check(ab[0], ab[1], c)
			check(ab[0], ab[1], -c)
			if float32(math.FMA(float64(ab[0]), float64(ab[1]), float64(c))) != exactFMA32(ab[0], ab[1], c) {
				twice++
			}
		}
		// Near, not on, a tie.
		check(h*3, 1.0/3, c)
		check(h, 1+1.0/(1<<20), c)
		check(h, 1-1.0/(1<<20), c)
	}
	if twice == 0 {
		t.Error("no tie case where rounding twice is wrong: the ties are not exercised")
	}
}
