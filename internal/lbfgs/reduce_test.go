package lbfgs

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"math"
	"os"
	"testing"
)

// opsCase is one case of testdata/torch_ops.json (see gen_ops.py there): torch's x.dot(y),
// x.abs().sum() and y.add_(x, alpha) of two LCG vectors, as bits.
type opsCase struct {
	Dtype  string
	N      int
	SX     uint64 `json:"seed_x"`
	SY     uint64 `json:"seed_y"`
	Alpha  float64
	Dot    uint64
	AbsSum uint64 `json:"abs_sum"`
	Axpy   string
}

// lcg is gen_ops.py's vector: exact float32 values of magnitudes from 2^-4 to 2^4.
func lcg(seed uint64, n int) []float64 {
	out := make([]float64, n)
	s := seed
	for i := range out {
		s = s*6364136223846793005 + 1442695040888963407
		v := int64(s >> 40)
		k := int((s>>37)&7) - 3
		out[i] = math.Ldexp(float64(v-1<<23), k-23)
	}
	return out
}

func convert[T Float](v []float64) []T {
	out := make([]T, len(v))
	for i, x := range v {
		out[i] = T(x)
	}
	return out
}

func bitsOf[T Float](v T) uint64 {
	if f, ok := any(v).(float32); ok {
		return uint64(math.Float32bits(f))
	}
	return math.Float64bits(float64(v))
}

func checkOps[T Float](t *testing.T, c opsCase, blasThreads int) {
	x, y := convert[T](lcg(c.SX, c.N)), convert[T](lcg(c.SY, c.N))
	got := dot(x, y)
	if _, ok := any(got).(float64); ok && c.N > 10000 {
		// OpenBLAS's ddot splits these across its threads: check our kernel on each part
		// (blas_level1_thread's split: ⌈rest/threads left⌉ elements per part), and the whole
		// to rounding.
		var split T
		for i, k := 0, blasThreads; k > 0; k-- {
			w := (c.N - i + k - 1) / k
			split += dot(x[i:i+w], y[i:i+w])
			i += w
		}
		want := math.Float64frombits(c.Dot)
		if bitsOf(split) != c.Dot || math.Abs(float64(got)-want) > 1e-12*math.Abs(want) {
			t.Errorf("%s n=%d: dot %v, in %d parts %v, torch %v", c.Dtype, c.N, got, blasThreads, split, want)
		}
	} else if bitsOf(got) != c.Dot {
		t.Errorf("%s n=%d: dot %v (%#x), torch %#x", c.Dtype, c.N, got, bitsOf(got), c.Dot)
	}
	if got := absSum(x); bitsOf(got) != c.AbsSum {
		t.Errorf("%s n=%d: abs sum %v (%#x), torch %#x", c.Dtype, c.N, got, bitsOf(got), c.AbsSum)
	}
	if c.Axpy == "" {
		return
	}
	b, err := base64.StdEncoding.DecodeString(c.Axpy)
	if err != nil {
		t.Fatal(err)
	}
	z := make([]T, c.N)
	axpyTo(z, T(c.Alpha), x, y)
	size := len(b) / c.N
	for i, g := range z {
		var want uint64
		if size == 4 {
			want = uint64(binary.LittleEndian.Uint32(b[4*i:]))
		} else {
			want = binary.LittleEndian.Uint64(b[8*i:])
		}
		if bitsOf(g) != want {
			t.Errorf("%s n=%d: add_ element %d is %#x, torch %#x", c.Dtype, c.N, i, bitsOf(g), want)
		}
	}
}

// TestTorchOps checks dot, absSum and axpyTo bit for bit against torch on vectors of 1 to
// 100000 elements, across the block sizes of OpenBLAS's kernels and ATen's vectors. Float64
// dot products of more than 10000 elements are the exception: OpenBLAS splits them across
// its threads, which dot does not imitate (see its documentation).
func TestTorchOps(t *testing.T) {
	b, err := os.ReadFile("testdata/torch_ops.json")
	if err != nil {
		t.Fatal(err)
	}
	var fx struct {
		OpenBLASThreads int `json:"openblas_threads"`
		Cases           []opsCase
	}
	if err := json.Unmarshal(b, &fx); err != nil {
		t.Fatal(err)
	}
	if len(fx.Cases) < 50 {
		t.Fatalf("%d cases in torch_ops.json", len(fx.Cases))
	}
	for _, c := range fx.Cases {
		switch c.Dtype {
		case "float32":
			checkOps[float32](t, c, fx.OpenBLASThreads)
		case "float64":
			checkOps[float64](t, c, fx.OpenBLASThreads)
		default:
			t.Fatalf("dtype %q", c.Dtype)
		}
	}
}
