package convk

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// fma32 is the fused multiply-add of float32 operands, rounded once to float32 (through
// float64, exact for the product; the double rounding of the sum is too rare to matter
// for these tests' fixed data).
func fma32(a, b, c float32) float32 {
	return float32(math.FMA(float64(a), float64(b), float64(c)))
}

// conv3x3OneRef is Conv3x3One's documented semantics, output by output.
func conv3x3OneRef(y, x, wt, bias []float32, f, h, w int, relu bool) {
	oh, ow := h-2, w-2
	for fi := range f {
		var c float32
		if bias != nil {
			c = bias[fi]
		}
		for oy := range oh {
			for ox := range ow {
				var s float32
				for i := range 3 {
					for j := range 3 {
						s = fma32(wt[fi*9+i*3+j], x[(oy+i)*w+ox+j], s)
					}
				}
				switch {
				case relu:
					if s += c; 0 > s {
						s = 0
					}
				case c != 0:
					s += c
				}
				y[(fi*oh+oy)*ow+ox] = s
			}
		}
	}
}

// TestConv3x3One checks the kernel bit for bit against the reference on planes of several
// sizes (outputs of 1 to 38 columns: whole vectors of 16 and masked ones), with biases,
// zero biases of either sign and none, with and without the rectifier, on inputs with
// zeros of either sign and a NaN, and that it writes nothing outside y.
func TestConv3x3One(t *testing.T) {
	rng := rand.New(rand.NewPCG(51, 52))
	ran := false
	for _, sz := range [][2]int{{28, 28}, {3, 3}, {5, 20}, {19, 3}, {30, 40}, {4, 18}} {
		for _, f := range []int{8, 32} {
			for _, relu := range []bool{false, true} {
				for _, biased := range []bool{false, true} {
					h, w := sz[0], sz[1]
					oh, ow := h-2, w-2
					x := make([]float32, h*w)
					for i := range x {
						x[i] = float32(rng.NormFloat64())
						if rng.IntN(8) == 0 {
							x[i] = float32(math.Copysign(0, float64(rng.IntN(2)*2-1)))
						}
					}
					if h == 28 {
						x[rng.IntN(len(x))] = float32(math.NaN())
					}
					wt := make([]float32, 9*f)
					for i := range wt {
						wt[i] = float32(rng.NormFloat64())
					}
					var bias []float32
					if biased {
						bias = make([]float32, f)
						for i := range bias {
							bias[i] = float32(rng.NormFloat64())
						}
						bias[0], bias[1] = 0, float32(math.Copysign(0, -1))
					}
					n := f * oh * ow
					buf := make([]float32, n+64)
					for i := range buf {
						buf[i] = 7
					}
					y := buf[:n:n]
					want := make([]float32, n)
					conv3x3OneRef(want, x, wt, bias, f, h, w, relu)
					what := fmt.Sprintf("%d×%d, %d filters, relu %v, bias %v", h, w, f, relu, biased)
					if !Conv3x3One(y, x, wt, bias, f, h, w, relu) {
						continue
					}
					ran = true
					for i := range y {
						if math.Float32bits(y[i]) != math.Float32bits(want[i]) {
							t.Fatalf("%s: y[%d] = %v, want %v", what, i, y[i], want[i])
						}
					}
					for i, v := range buf[n:] {
						if v != 7 {
							t.Fatalf("%s: wrote %v past y at %d", what, v, n+i)
						}
					}
				}
			}
		}
	}
	if (useAVX512 || directAVX2) && !ran {
		t.Error("the kernel never ran with AVX-512 or AVX2 enabled")
	}
	if Conv3x3One(make([]float32, 4*26*26), make([]float32, 28*28), make([]float32, 36), nil, 4, 28, 28, true) {
		t.Error("ran with 4 filters")
	}
}

// TestConv3x3OnePanics checks the panics of Conv3x3One and Conv3x3OneGrad on slices of the
// wrong lengths.
func TestConv3x3OnePanics(t *testing.T) {
	for name, f := range map[string]func(){
		"x": func() {
			Conv3x3One(make([]float32, 8*9), make([]float32, 24), make([]float32, 72), nil, 8, 5, 5, false)
		},
		"wt": func() {
			Conv3x3One(make([]float32, 8*9), make([]float32, 25), make([]float32, 71), nil, 8, 5, 5, false)
		},
		"y": func() {
			Conv3x3One(make([]float32, 8*9-1), make([]float32, 25), make([]float32, 72), nil, 8, 5, 5, false)
		},
		"bias": func() {
			Conv3x3One(make([]float32, 8*9), make([]float32, 25), make([]float32, 72), make([]float32, 7), 8, 5, 5, false)
		},
		"tiny":    func() { Conv3x3One(nil, make([]float32, 4), nil, nil, 0, 2, 2, false) },
		"grad x":  func() { Conv3x3OneGrad(make([]float32, 18), make([]float32, 18), make([]float32, 24), 2, 5, 5) },
		"grad dw": func() { Conv3x3OneGrad(make([]float32, 17), make([]float32, 18), make([]float32, 25), 2, 5, 5) },
		"grad dy": func() { Conv3x3OneGrad(make([]float32, 18), make([]float32, 19), make([]float32, 25), 2, 5, 5) },
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

// BenchmarkConv3x3One times the kernel on MNIST's first layer: 32 filters on 28×28.
func BenchmarkConv3x3One(b *testing.B) {
	x, wt, bias := make([]float32, 28*28), make([]float32, 9*32), make([]float32, 32)
	y := make([]float32, 32*26*26)
	if !Conv3x3One(y, x, wt, bias, 32, 28, 28, true) {
		b.Skip("no kernel on this machine")
	}
	for b.Loop() {
		Conv3x3One(y, x, wt, bias, 32, 28, 28, true)
	}
	b.ReportMetric(2*32*9*26*26*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}

// TestConv3x3OneGrad checks the weight gradient against a float64 reference to 1e-5 of the
// sum of the terms' magnitudes, on the sizes of TestConv3x3One, and that it adds to dw.
func TestConv3x3OneGrad(t *testing.T) {
	rng := rand.New(rand.NewPCG(53, 54))
	ran := false
	for _, sz := range [][2]int{{28, 28}, {3, 3}, {5, 20}, {19, 3}, {30, 40}, {4, 18}} {
		for _, f := range []int{2, 32, 6} {
			h, w := sz[0], sz[1]
			oh, ow := h-2, w-2
			x, dy := make([]float32, h*w), make([]float32, f*oh*ow)
			for i := range x {
				x[i] = float32(rng.NormFloat64())
			}
			for i := range dy {
				dy[i] = float32(rng.NormFloat64())
			}
			dw := make([]float32, 9*f)
			for i := range dw {
				dw[i] = float32(rng.NormFloat64())
			}
			start := append([]float32(nil), dw...)
			if !Conv3x3OneGrad(dw, dy, x, f, h, w) {
				continue
			}
			ran = true
			for fi := range f {
				for tap := range 9 {
					i, j := tap/3, tap%3
					want, mag := float64(start[fi*9+tap]), math.Abs(float64(start[fi*9+tap]))
					for oy := range oh {
						for ox := range ow {
							p := float64(dy[(fi*oh+oy)*ow+ox]) * float64(x[(oy+i)*w+ox+j])
							want += p
							mag += math.Abs(p)
						}
					}
					if got := float64(dw[fi*9+tap]); math.Abs(got-want) > 1e-5*mag {
						t.Fatalf("%d×%d, %d filters: dw[%d][%d] = %v, want %v", h, w, f, fi, tap, got, want)
					}
				}
			}
		}
	}
	if (useAVX512 || directAVX2) && !ran {
		t.Error("the kernel never ran with AVX-512 or AVX2 enabled")
	}
}

// BenchmarkConv3x3OneGrad times the weight gradient on MNIST's first layer: 32 filters on
// 28×28.
func BenchmarkConv3x3OneGrad(b *testing.B) {
	x, dy, dw := make([]float32, 28*28), make([]float32, 32*26*26), make([]float32, 9*32)
	if !Conv3x3OneGrad(dw, dy, x, 32, 28, 28) {
		b.Skip("no kernel on this machine")
	}
	for b.Loop() {
		Conv3x3OneGrad(dw, dy, x, 32, 28, 28)
	}
	b.ReportMetric(2*32*9*26*26*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}
