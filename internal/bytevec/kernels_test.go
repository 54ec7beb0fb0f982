package bytevec

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/descent-ml/descent/internal/cpu"
)

// checkImpl logs which kernels run and fails if they are the Go twins where the assembly
// should run: the comparison with the twins would then compare the twins with themselves.
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
	t.Logf("bytevec: the %s kernels ran", impl())
	if impl() != want {
		t.Fatalf("the %s kernels ran, want %s (CPU features enabled: %+v)", impl(), want, cpu.Enabled())
	}
}

const band = 16

// guarded returns n random values inside NaN guard bands, and the whole buffer.
func guarded(rng *rand.Rand, n int) (all, inner []float64) {
	all = make([]float64, n+2*band)
	for i := range all {
		all[i] = math.NaN()
	}
	inner = all[band : band+n]
	for i := range inner {
		inner[i] = rng.NormFloat64()
	}
	return all, inner
}

func checkBands(t *testing.T, all []float64, what string) {
	t.Helper()
	n := len(all) - 2*band
	for i := range band {
		if !math.IsNaN(all[i]) || !math.IsNaN(all[band+n+i]) {
			t.Fatalf("%s: guard band overwritten", what)
		}
	}
}

func randBytes(rng *rand.Rand, n int) []uint8 {
	b := make([]uint8, n)
	for i := range b {
		b[i] = uint8(rng.IntN(256))
	}
	return b
}

func sameBits(t *testing.T, what string, got, want []float64) {
	t.Helper()
	for i := range want {
		if math.Float64bits(got[i]) != math.Float64bits(want[i]) {
			t.Fatalf("%s: element %d is %v, the twin's %v", what, i, got[i], want[i])
		}
	}
}

// TestKernelsMatchGo compares the kernels (assembly where it runs) with their Go twins bit
// for bit, on every whole-block length up to 264 and some longer ones, at unaligned offsets,
// with rows further apart than their length, inside NaN guard bands.
func TestKernelsMatchGo(t *testing.T) {
	checkImpl(t)
	rng := rand.New(rand.NewPCG(21, 22))
	lengths := []int{}
	for n := 8; n <= 264; n += 8 {
		lengths = append(lengths, n)
	}
	lengths = append(lengths, 784, 1000, 4096)
	for _, n := range lengths {
		for off := range 3 {
			what := fmt.Sprintf("n=%d offset %d", n, off)
			x := randBytes(rng, n+off)[off:]
			wAll, w := guarded(rng, n)
			if got, want := dotBlocks(x, w), dotBlocksGo(x, w); math.Float64bits(got) != math.Float64bits(want) {
				t.Fatalf("dot %s: %v, the twin's %v", what, got, want)
			}
			checkBands(t, wAll, "dot "+what)

			yAll, y := guarded(rng, n)
			ref := append([]float64(nil), y...)
			a := rng.NormFloat64()
			axpyBlocks(y, a, x)
			axpyBlocksGo(ref, a, x)
			sameBits(t, "axpy "+what, y, ref)
			checkBands(t, yAll, "axpy "+what)

			stride := n + off + 5
			xs := randBytes(rng, 3*stride+n)
			var got4, want4 [4]float64
			dot4Blocks(&got4, xs, stride, w)
			dot4BlocksGo(&want4, xs, stride, w)
			sameBits(t, "dot4 "+what, got4[:], want4[:])
			checkBands(t, wAll, "dot4 "+what)

			a4 := [4]float64{rng.NormFloat64(), rng.NormFloat64(), rng.NormFloat64(), rng.NormFloat64()}
			ref = append(ref[:0], y...)
			axpy4Blocks(y, &a4, xs, stride)
			axpy4BlocksGo(ref, &a4, xs, stride)
			sameBits(t, "axpy4 "+what, y, ref)
			checkBands(t, yAll, "axpy4 "+what)
		}
	}
}

// TestFunctions checks the exported functions, blocks and tails together, against sums in
// float64 on every length up to 100: the results agree to a few ulps (the order of the sums
// differs), and nothing outside the operands is written.
func TestFunctions(t *testing.T) {
	rng := rand.New(rand.NewPCG(23, 24))
	for n := 0; n <= 100; n++ {
		x := randBytes(rng, n)
		wAll, w := guarded(rng, n)
		var want float64
		for i := range x {
			want += float64(x[i]) * w[i]
		}
		if got := Dot(x, w); math.Abs(got-want) > 1e-12*(1+math.Abs(want)) {
			t.Fatalf("Dot n=%d: %v, want %v", n, got, want)
		}
		checkBands(t, wAll, "Dot")

		yAll, y := guarded(rng, n)
		ref := append([]float64(nil), y...)
		a := rng.NormFloat64()
		Axpy(y, a, x)
		for i := range ref {
			ref[i] += a * float64(x[i])
			if math.Abs(y[i]-ref[i]) > 1e-14*(1+math.Abs(ref[i])) {
				t.Fatalf("Axpy n=%d: y[%d] = %v, want %v", n, i, y[i], ref[i])
			}
		}
		checkBands(t, yAll, "Axpy")

		stride := n + 3
		xs := randBytes(rng, 3*stride+n)
		var got4 [4]float64
		Dot4(&got4, xs, stride, w)
		for r := range 4 {
			want := Dot(xs[r*stride:r*stride+n], w)
			if math.Abs(got4[r]-want) > 1e-12*(1+math.Abs(want)) {
				t.Fatalf("Dot4 n=%d row %d: %v, want %v", n, r, got4[r], want)
			}
		}

		a4 := [4]float64{rng.NormFloat64(), rng.NormFloat64(), rng.NormFloat64(), rng.NormFloat64()}
		ref = append(ref[:0], y...)
		Axpy4(y, &a4, xs, stride)
		for j := range ref {
			for r := range 4 {
				ref[j] += a4[r] * float64(xs[r*stride+j])
			}
			if math.Abs(y[j]-ref[j]) > 1e-13*(1+math.Abs(ref[j])) {
				t.Fatalf("Axpy4 n=%d: y[%d] = %v, want %v", n, j, y[j], ref[j])
			}
		}
		checkBands(t, yAll, "Axpy4")
	}
}

// TestSum8 checks the twins' lane order on numbers where the order shows: 1e16 + 1 - 1e16
// is 0 or 1 depending on which pairs are added first.
func TestSum8(t *testing.T) {
	z := [8]float64{1e16, 1, 0, 0, -1e16, 0, 0, 0}
	// (z0+z4) + (z2+z6) + ((z1+z5) + (z3+z7)) = 0 + 0 + 1.
	if got := sum8(&z); got != 1 {
		t.Errorf("sum8 = %v, want 1 (lane l with l+4 first)", got)
	}
}
