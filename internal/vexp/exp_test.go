package vexp

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/descent-ml/descent/internal/cpu"
)

// checkImpl fails if the Go twin ran where the assembly should: the comparison would
// then compare the twin with itself.
func checkImpl(t *testing.T) {
	t.Helper()
	want := "avx512"
	if why := cpu.GoReason(hasAVX512); why != "" {
		want = "avx2"
		t.Logf("no avx512 assembly: %s", why)
		if why := cpu.GoReason(hasAVX2); why != "" {
			want = "go"
			t.Logf("no avx2 assembly: %s", why)
		}
	}
	t.Logf("vexp: the %s kernel ran", impl())
	if impl() != want {
		t.Fatalf("the %s kernel ran, want %s", impl(), want)
	}
}

// specials are the values at and around the edges of the method.
var specials = []float64{0, math.Copysign(0, -1), 1, -1, 1e-300, -1e-300, 0.5 * math.Ln2, -0.5 * math.Ln2,
	overflow, math.Nextafter(overflow, 1000), 709.7, underflow, math.Nextafter(underflow, -1000),
	-708.4, -708.3, -740, -745, -744.44, 800, -800, -1e300, 1e300, math.Inf(1), math.Inf(-1), math.NaN()}

func values(rng *rand.Rand, n int) []float64 {
	x := make([]float64, n)
	for i := range x {
		switch rng.IntN(4) {
		case 0:
			x[i] = specials[rng.IntN(len(specials))]
		case 1:
			x[i] = rng.NormFloat64()
		default:
			x[i] = -760 + 1480*rng.Float64()
		}
	}
	return x
}

// TestMatchesGo compares Exp (the assembly where it runs) with Exp1 bit for bit on every
// length up to 64, in place and not, inside NaN guard bands.
func TestMatchesGo(t *testing.T) {
	checkImpl(t)
	rng := rand.New(rand.NewPCG(41, 42))
	const band = 8
	for n := 0; n <= 64; n++ {
		for _, inPlace := range []bool{false, true} {
			x := values(rng, n)
			all := make([]float64, n+2*band)
			for i := range all {
				all[i] = math.NaN()
			}
			dst := all[band : band+n]
			src := x
			if inPlace {
				copy(dst, x)
				src = dst
			}
			Exp(dst, src)
			for i := range n {
				if want := Exp1(x[i]); math.Float64bits(dst[i]) != math.Float64bits(want) &&
					!(math.IsNaN(dst[i]) && math.IsNaN(want)) {
					t.Fatalf("n=%d in place %v: exp(%v) = %v, Exp1 %v", n, inPlace, x[i], dst[i], want)
				}
			}
			for i := range band {
				if math.Float64bits(all[i]) != math.Float64bits(math.NaN()) || math.Float64bits(all[band+n+i]) != math.Float64bits(math.NaN()) {
					t.Fatalf("n=%d: guard band written", n)
				}
			}
		}
	}
}

// ulps returns |a − b| in units of the last place of b (of the smallest subnormal where b
// is subnormal or zero).
func ulps(a, b float64) float64 {
	u := math.Nextafter(b, math.Inf(1)) - b
	if u == 0 || math.IsInf(u, 0) {
		u = b - math.Nextafter(b, math.Inf(-1))
	}
	return math.Abs(a-b) / u
}

// TestAccuracy compares Exp1 with math.Exp on a million values over the whole range,
// subnormal results included, and on the special values: within 2 ulp, the same
// infinities, zeros and NaNs (above 709, where amd64's math.Exp overflows early, with
// e·exp(x − 1)).
func TestAccuracy(t *testing.T) {
	rng := rand.New(rand.NewPCG(43, 44))
	worst, at := 0.0, 0.0
	check := func(x float64) {
		got, want := Exp1(x), math.Exp(x)
		switch {
		case x > 709 && x <= overflow:
			// amd64's math.Exp returns +Inf there (exp(709.7) included): compare with
			// e·exp(x − 1) instead, to the rounding of x − 1 and of the product.
			if want := math.E * Exp1(x-1); math.Abs(got-want) > 1e-13*want {
				t.Fatalf("exp(%v) = %v, e·exp(x − 1) = %v", x, got, want)
			}
		case math.IsNaN(want) || math.IsInf(want, 0) || want == 0:
			if math.Float64bits(got) != math.Float64bits(want) && !(math.IsNaN(got) && math.IsNaN(want)) {
				t.Fatalf("exp(%v) = %v, math.Exp %v", x, got, want)
			}
		default:
			if u := ulps(got, want); u > worst {
				worst, at = u, x
			}
		}
	}
	for _, x := range specials {
		check(x)
	}
	for range 1_000_000 {
		check(-746 + 1456*rng.Float64())
	}
	for range 100_000 {
		check(-0.5 + rng.Float64())
	}
	t.Logf("worst: %.2f ulp at x = %v", worst, at)
	if worst > 2 {
		t.Errorf("exp(%v) is %.2f ulp from math.Exp's, want ≤ 2", at, worst)
	}
}

func ExampleExp() {
	x := []float64{0, 1, -1, math.Log(2)}
	Exp(x, x)
	fmt.Printf("%.15f\n", x)
	// Output: [1.000000000000000 2.718281828459045 0.367879441171442 2.000000000000000]
}

// BenchmarkExp times Exp against math.Exp on 1024 values in [−30, 0], the margins of a
// logistic regression.
func BenchmarkExp(b *testing.B) {
	rng := rand.New(rand.NewPCG(45, 46))
	x := make([]float64, 1024)
	for i := range x {
		x[i] = -30 * rng.Float64()
	}
	dst := make([]float64, len(x))
	b.Run("vexp", func(b *testing.B) {
		for b.Loop() {
			Exp(dst, x)
		}
	})
	b.Run("math", func(b *testing.B) {
		for b.Loop() {
			for i, v := range x {
				dst[i] = math.Exp(v)
			}
		}
	})
}

func BenchmarkExp1(b *testing.B) {
	x := make([]float64, 1024)
	rng := rand.New(rand.NewPCG(45, 46))
	for i := range x {
		x[i] = -30 * rng.Float64()
	}
	dst := make([]float64, len(x))
	for b.Loop() {
		for i, v := range x {
			dst[i] = Exp1(v)
		}
	}
}
