package vec

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/descent-ml/descent/internal/cpu"
)

// checkImpl logs which kernel runs and fails if it is the Go twin where the assembly should
// run: the comparison with the twin would then compare the twin with itself.
func checkImpl(t *testing.T, what, got, asm string, need func(cpu.Features) bool) {
	t.Helper()
	want := asm
	if why := cpu.GoReason(need); why != "" {
		want = "go"
		t.Logf("%s: no %s assembly: %s", what, asm, why)
	}
	t.Logf("%s: the %s kernels ran", what, got)
	if got != want {
		t.Fatalf("%s: the %s kernels ran, want %s (CPU features enabled: %+v)", what, got, want, cpu.Enabled())
	}
}

func needAVX2(f cpu.Features) bool { return f.AVX2 && f.FMA }

// guard is the value of the bands around every operand: a write past the end shows as a
// changed guard.
var guard = float32(math.Float32frombits(0x7fc0dead))

// guarded returns a slice of n random values (with some zeros and negatives) inside guard
// bands of 8 elements on each side, and the whole buffer.
func guarded(rng *rand.Rand, n int) (s, buf []float32) {
	buf = make([]float32, n+16)
	for i := range buf {
		buf[i] = guard
	}
	s = buf[8 : 8+n]
	for i := range s {
		switch rng.IntN(8) {
		case 0:
			s[i] = 0
		default:
			s[i] = float32(rng.NormFloat64())
		}
	}
	return s, buf
}

func checkGuards(t *testing.T, name string, buf []float32) {
	t.Helper()
	n := len(buf) - 16
	for i := range 8 {
		if math.Float32bits(buf[i]) != math.Float32bits(guard) || math.Float32bits(buf[8+n+i]) != math.Float32bits(guard) {
			t.Fatalf("%s: n=%d: write outside the slice", name, n)
		}
	}
}

func same(a, b []float32) bool {
	for i := range a {
		if a[i] != b[i] && !(a[i] != a[i] && b[i] != b[i]) {
			return false
		}
	}
	return true
}

// kernels runs each exported kernel and its Go twin on copies of the same operands.
var kernels = []struct {
	name string
	fast func(dst, x []float32, a float32)
	ref  func(dst, x []float32, a float32)
}{
	{"Add", func(d, x []float32, _ float32) { Add(d, x) }, func(d, x []float32, _ float32) { addGo(d, x) }},
	{"Axpy", func(d, x []float32, a float32) { Axpy(d, a, x) }, func(d, x []float32, a float32) { axpyGo(d, a, x) }},
	{"Scale", func(d, _ []float32, a float32) { Scale(d, a) }, func(d, _ []float32, a float32) { scaleGo(d, a) }},
	{"AddConst", func(d, _ []float32, a float32) { AddConst(d, a) }, func(d, _ []float32, a float32) { addConstGo(d, a) }},
	{"AddReLU", func(d, x []float32, _ float32) { AddReLU(d, x) }, func(d, x []float32, _ float32) { addReLUGo(d, x) }},
	{"AddConstReLU", func(d, _ []float32, a float32) { AddConstReLU(d, a) }, func(d, _ []float32, a float32) { addConstReLUGo(d, a) }},
	{"MaskPositive", func(d, x []float32, _ float32) { MaskPositive(d, x) }, func(d, x []float32, _ float32) { maskPositiveGo(d, x) }},
	{"Exp", func(d, x []float32, _ float32) { Exp(d, x) }, func(d, x []float32, _ float32) { expGo(d, x) }},
	{"Sum", func(d, x []float32, _ float32) { d[0] = Sum(x[:len(d)-1]) }, func(d, x []float32, _ float32) { d[0] = sumGo(x[:len(d)-1]) }},
}

func TestKernelsMatchGo(t *testing.T) {
	checkImpl(t, "vec", impl(), "avx2", needAVX2)
	rng := rand.New(rand.NewPCG(1, 2))
	for _, k := range kernels {
		for n := 0; n <= 100; n++ {
			if k.name == "Sum" && n == 0 {
				continue
			}
			dst, dbuf := guarded(rng, n)
			x, xbuf := guarded(rng, n)
			want := append([]float32(nil), dst...)
			a := float32(rng.NormFloat64())
			k.fast(dst, x, a)
			k.ref(want, x, a)
			checkGuards(t, k.name+" dst", dbuf)
			checkGuards(t, k.name+" x", xbuf)
			if !same(dst, want) {
				t.Fatalf("%s: n=%d: got %v, want %v", k.name, n, dst, want)
			}
		}
	}
}

func TestReferenceLoops(t *testing.T) {
	// The Go twins against the loops written in the doc comments.
	d := []float32{1, -2, 3, 0, float32(math.NaN())}
	x := []float32{-2, 1, 0.5, 0, 1}
	got := append([]float32(nil), d...)
	addReLUGo(got, x)
	want := []float32{0, 0, 3.5, 0, float32(math.NaN())}
	if !same(got, want) {
		t.Errorf("AddReLU = %v, want %v", got, want)
	}
	got = append([]float32(nil), d...)
	maskPositiveGo(got, []float32{1, 0, -1, float32(math.NaN()), 2})
	if want := []float32{1, 0, 0, 0, float32(math.NaN())}; !same(got, want) {
		t.Errorf("MaskPositive = %v, want %v", got, want)
	}
	xs := make([]float32, 77)
	var ref float64
	for i := range xs {
		xs[i] = float32(i%7) - 3
		ref += float64(xs[i])
	}
	if s := sumGo(xs); float64(s) != ref {
		t.Errorf("sum = %v, want %v", s, ref)
	}
}

func TestFromBytes(t *testing.T) {
	checkImpl(t, "vec", impl(), "avx2", needAVX2)
	rng := rand.New(rand.NewPCG(8, 8))
	for n := 0; n <= 100; n++ {
		src := make([]uint8, n+3)
		for i := range src {
			src[i] = uint8(rng.IntN(256))
		}
		dst, buf := guarded(rng, n)
		want := make([]float32, n)
		FromBytes(dst, src, 1/(255*0.3081), -0.1307/0.3081)
		fromBytesGo(want, src, 1/(255*0.3081), -0.1307/0.3081)
		checkGuards(t, "FromBytes", buf)
		if !same(dst, want) {
			t.Fatalf("n=%d: got %v, want %v", n, dst, want)
		}
	}
	d := make([]float32, 2)
	FromBytes(d, []uint8{0, 255}, 2, -1)
	if d[0] != -1 || d[1] != 509 {
		t.Errorf("FromBytes(0, 255) = %v", d)
	}
}

func TestShortOperandPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("Add with a short operand did not panic")
		}
	}()
	Add(make([]float32, 4), make([]float32, 3))
}

func BenchmarkAddReLU(b *testing.B) {
	d, x := make([]float32, 128*1000), make([]float32, 128*1000)
	b.SetBytes(int64(8 * len(d)))
	for b.Loop() {
		AddReLU(d, x)
	}
}
