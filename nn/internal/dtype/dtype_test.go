package dtype

import (
	"encoding/binary"
	"errors"
	"math"
	"testing"
)

// TestHalfAllValues compares Half on every binary16 pattern with a conversion by the
// definition: (−1)^s · 2^(e−15) · (1 + f/1024), subnormals 2^−14 · f/1024.
func TestHalfAllValues(t *testing.T) {
	for h := range 1 << 16 {
		s, e, f := h>>15, (h>>10)&0x1f, h&0x3ff
		var want float64
		switch {
		case e == 0x1f && f == 0:
			want = math.Inf(1)
		case e == 0x1f:
			if got := Half(uint16(h)); !math.IsNaN(float64(got)) {
				t.Fatalf("%#04x: %v, want NaN", h, got)
			}
			continue
		case e == 0:
			want = math.Ldexp(float64(f)/1024, -14)
		default:
			want = math.Ldexp(1+float64(f)/1024, e-15)
		}
		if s == 1 {
			want = -want
		}
		got := Half(uint16(h))
		if float64(got) != want || math.Signbit(float64(got)) != (s == 1) {
			t.Fatalf("%#04x: %v, want %v", h, got, want)
		}
	}
}

func TestDecode(t *testing.T) {
	le := binary.LittleEndian
	f64 := func(vs ...float64) []byte {
		b := make([]byte, 8*len(vs))
		for i, v := range vs {
			le.PutUint64(b[8*i:], math.Float64bits(v))
		}
		return b
	}
	i64 := func(vs ...int64) []byte {
		b := make([]byte, 8*len(vs))
		for i, v := range vs {
			le.PutUint64(b[8*i:], uint64(v))
		}
		return b
	}
	dst := make([]float32, 3)
	if err := Decode(dst, f64(0.1, -3e38, math.Inf(-1)), F64, 0); err != nil || dst[0] != float32(0.1) || dst[1] != -3e38 || !math.IsInf(float64(dst[2]), -1) {
		t.Fatalf("F64: %v %v", dst, err)
	}
	var re *RangeError
	if err := Decode(dst, f64(1, 2, 4e38), F64, 10); !errors.As(err, &re) || re.Index != 12 {
		t.Fatalf("F64 beyond float32: %v", err)
	}
	if err := Decode(dst, i64(-7, 1<<24, 1<<40), I64, 0); err != nil || dst[0] != -7 || dst[1] != 1<<24 || dst[2] != 1<<40 {
		t.Fatalf("I64: %v %v", dst, err)
	}
	if err := Decode(dst, i64(0, 1<<24+1, 0), I64, 0); !errors.As(err, &re) || re.Index != 1 || re.Value != "16777217" {
		t.Fatalf("I64 2²⁴+1: %v", err)
	}
	if err := Decode(dst, i64(0, 0, math.MaxInt64), I64, 0); !errors.As(err, &re) || re.Index != 2 {
		t.Fatalf("I64 max: %v", err)
	}
	bf := []byte{0x80, 0x3f, 0x00, 0xc0, 0xc0, 0x7f} // 1, −2, NaN
	if err := Decode(dst, bf, BF16, 0); err != nil || dst[0] != 1 || dst[1] != -2 || !math.IsNaN(float64(dst[2])) {
		t.Fatalf("BF16: %v %v", dst, err)
	}
}

func TestIntegral(t *testing.T) {
	for _, c := range []struct {
		v    float32
		want bool
	}{{0, true}, {-3, true}, {1 << 30, true}, {0.5, false}, {float32(math.Inf(1)), false}, {float32(math.NaN()), false}, {1e30, false}} {
		if got := Integral(c.v); got != c.want {
			t.Errorf("Integral(%v) = %v", c.v, got)
		}
	}
}
