package vec

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/descent-ml/descent/internal/cpu"
)

// randomTable returns a table of arbitrary bit patterns (NaNs included), so that every
// byte of every value is checked.
func randomTable(rng *rand.Rand) (*Table, *[256]float32) {
	var v [256]float32
	for i := range v {
		v[i] = math.Float32frombits(rng.Uint32())
	}
	return NewTable(&v), &v
}

func TestLookup(t *testing.T) {
	if vbmi := func(f cpu.Features) bool { return f.AVX512F && f.AVX512BW && f.AVX512VBMI }; cpu.GoReason(vbmi) == "" {
		checkImpl(t, "Lookup", lookupImpl(), "avx512vbmi", vbmi)
	} else {
		checkImpl(t, "Lookup", lookupImpl(), "avx2", needAVX2)
	}
	rng := rand.New(rand.NewPCG(9, 9))
	tab, v := randomTable(rng)
	for _, n := range []int{0, 1, 7, 31, 32, 33, 63, 64, 65, 96, 127, 128, 200, 784, 1000} {
		src := make([]uint8, n+3)
		for i := range src {
			src[i] = uint8(rng.IntN(256))
		}
		if n >= 256 {
			for i := range 256 {
				src[i] = uint8(i) // every byte
			}
		}
		dst, buf := guarded(rng, n)
		Lookup(dst, src, tab)
		checkGuards(t, "Lookup", buf)
		for i := range dst {
			if math.Float32bits(dst[i]) != math.Float32bits(v[src[i]]) {
				t.Fatalf("n=%d: dst[%d] = %#x, want table[%d] = %#x", n, i, math.Float32bits(dst[i]), src[i], math.Float32bits(v[src[i]]))
			}
		}
	}
	if tab.Value(17) != v[17] && !math.IsNaN(float64(v[17])) {
		t.Errorf("Value(17) = %v, want %v", tab.Value(17), v[17])
	}
}

func TestLookupShortSourcePanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("no panic for a short source")
		}
	}()
	tab, _ := randomTable(rand.New(rand.NewPCG(1, 1)))
	Lookup(make([]float32, 10), make([]uint8, 9), tab)
}

// BenchmarkLookup converts a batch of 128 MNIST images, one row at a time, as a data
// loader does; compare with the Go loop and with FromBytes's multiply-add.
func BenchmarkLookup(b *testing.B) {
	const rows, n = 128, 784
	rng := rand.New(rand.NewPCG(1, 2))
	src := make([]uint8, rows*n)
	for i := range src {
		src[i] = uint8(rng.IntN(256))
	}
	dst := make([]float32, rows*n)
	tab, _ := randomTable(rng)
	b.Run("table", func(b *testing.B) {
		for b.Loop() {
			for r := range rows {
				Lookup(dst[r*n:(r+1)*n], src[r*n:(r+1)*n], tab)
			}
		}
	})
	b.Run("go", func(b *testing.B) {
		for b.Loop() {
			for r := range rows {
				lookupGo(dst[r*n:(r+1)*n], src[r*n:(r+1)*n], tab)
			}
		}
	})
	b.Run("fma", func(b *testing.B) {
		for b.Loop() {
			for r := range rows {
				FromBytes(dst[r*n:(r+1)*n], src[r*n:(r+1)*n], 1/(255*0.3081), -0.1307/0.3081)
			}
		}
	})
}
