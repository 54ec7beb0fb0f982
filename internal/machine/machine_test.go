package machine

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/descent-ml/descent/internal/cpu"
)

// TestKernels checks that the FMA loops the CPU's features call for are the ones that run:
// otherwise the comparisons below would test the Go loop against itself.
func TestKernels(t *testing.T) {
	var want []string
	for _, c := range []struct {
		name string
		need func(cpu.Features) bool
	}{
		{"avx512", func(f cpu.Features) bool { return f.AVX512F }},
		{"avx2", func(f cpu.Features) bool { return f.AVX2 && f.FMA }},
	} {
		if why := cpu.GoReason(c.need); why != "" {
			t.Logf("no %s loop: %s", c.name, why)
		} else {
			want = append(want, c.name)
		}
	}
	want = append(want, "go")
	if got := Kernels(); !slices.Equal(got, want) {
		t.Fatalf("Kernels() = %v, want %v", got, want)
	}
	t.Logf("FMA loops: %v", want)
}

// TestFMAMatchesTwin runs each loop for a few iteration counts from random a and b and
// compares every lane, bit for bit, with fmaTwin (the "go" loop, unfused, with a plain Go
// recurrence).
func TestFMAMatchesTwin(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, k := range fmaKernels() {
		for _, iters := range []int{0, 1, 2, 7, 100} {
			ab := [2]float32{float32(rng.Float64()), float32(2*rng.Float64() - 1)}
			got := make([]float32, k.lanes+1)
			got[k.lanes] = float32(math.NaN()) // a guard the kernel must not write
			k.run(iters, &ab, got[:k.lanes])
			if !math.IsNaN(float64(got[k.lanes])) {
				t.Errorf("%s: wrote past its %d lanes", k.name, k.lanes)
			}
			want := make([]float32, k.lanes)
			if k.name == "go" {
				for i := range want {
					acc := ab[1]
					for range iters {
						acc = ab[0]*acc + ab[1]
					}
					want[i] = acc
				}
			} else {
				fmaTwin(iters, &ab, want)
			}
			for i := range want {
				if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
					t.Fatalf("%s, %d iterations, lane %d: %v, want %v", k.name, iters, i, got[i], want[i])
				}
			}
		}
	}
}

// TestTriadMatchesGo compares triad (assembly where the CPU has AVX2) with triadGo, bit for
// bit, on lengths around the 32-element blocks, inside NaN guard bands.
func TestTriadMatchesGo(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, n := range []int{0, 1, 31, 32, 33, 64, 95, 1000} {
		b, c := make([]float32, n), make([]float32, n)
		for i := range b {
			b[i], c[i] = float32(rng.NormFloat64()), float32(rng.NormFloat64())
		}
		const guard = 8
		buf := make([]float32, n+2*guard)
		for i := range buf {
			buf[i] = float32(math.NaN())
		}
		got, want := buf[guard:guard+n], make([]float32, n)
		triad(got, b, c, 1.7)
		triadGo(want, b, c, 1.7)
		for i := range want {
			if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
				t.Fatalf("n %d, element %d: %v, want %v", n, i, got[i], want[i])
			}
		}
		for i, v := range buf {
			if (i < guard || i >= guard+n) && !math.IsNaN(float64(v)) {
				t.Fatalf("n %d: wrote outside the array at %d", n, i-guard)
			}
		}
	}
}

// TestLimitsPositive runs each measurement briefly: the figures must be positive and finite,
// and the wider loops not slower than the Go one (each vector lane is a multiply-add).
func TestLimitsPositive(t *testing.T) {
	peaks := map[string]float64{}
	for _, k := range Kernels() {
		p := FMAPeak(k, 1, 2, 20*time.Millisecond)
		if !(p > 0) || math.IsInf(p, 0) {
			t.Fatalf("FMAPeak(%s) = %v", k, p)
		}
		peaks[k] = p
	}
	t.Logf("peaks (GFLOP/s, one thread, brief): %v", peaks)
	for k, p := range peaks {
		if p < peaks["go"] {
			t.Errorf("%s loop %.1f GFLOP/s below the go loop's %.1f", k, p, peaks["go"])
		}
	}
	for _, th := range []int{1, 2} {
		if p := FMAAtOnce("go", th, 3, 15*time.Millisecond); !(p > 0) || math.IsInf(p, 0) {
			t.Fatalf("FMAAtOnce(go, %d threads) = %v", th, p)
		}
	}
	if bw := Triad(2, 1<<16, 10*time.Millisecond); !(bw > 0) || math.IsInf(bw, 0) {
		t.Fatalf("Triad = %v", bw)
	}
}

func TestPanics(t *testing.T) {
	for name, f := range map[string]func(){
		"kernel":         func() { FMAPeak("avx1024", 1, 1, time.Millisecond) },
		"threads":        func() { FMAPeak("go", 0, 1, time.Millisecond) },
		"at once":        func() { FMAAtOnce("go", 1, 0, time.Millisecond) },
		"at once kernel": func() { FMAAtOnce("avx1024", 1, 1, time.Millisecond) },
		"triad":          func() { Triad(2, 1, time.Millisecond) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			f()
		}()
	}
}
