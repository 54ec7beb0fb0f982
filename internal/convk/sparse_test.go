package convk

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestSparseAxpys checks SparseAxpys against its documented sums, term by term in order,
// bit for bit (fma32's double rounding does not occur on this fixed data), on rows of
// every length around the vectors and the kernels' pieces, one to four rows (more than a
// call takes) apart and overlapping, with no value, one and many, offsets at both ends of
// x, and that nothing past acc is written.
func TestSparseAxpys(t *testing.T) {
	rng := rand.New(rand.NewPCG(61, 62))
	for _, l := range []int{0, 1, 7, 8, 9, 15, 16, 17, 31, 95, 96, 97, 191, 192, 193, 200, 385, 400} {
		for _, rows := range []int{1, 2, 3, 4} {
			for _, n := range []int{0, 1, 5, 40} {
				stride := l + rng.IntN(40) - 5
				stride = max(stride, 0)
				span := (rows-1)*stride + l
				x := make([]float32, span+300)
				for i := range x {
					x[i] = float32(rng.NormFloat64())
				}
				offs, vals := make([]int32, n), make([]float32, n)
				for t := range offs {
					offs[t] = int32(rng.IntN(len(x) - span + 1))
					vals[t] = float32(rng.NormFloat64())
				}
				if n > 1 {
					offs[0], offs[1] = 0, int32(len(x)-span)
				}
				buf := make([]float32, rows*l+20)
				for i := range buf {
					buf[i] = float32(rng.NormFloat64())
				}
				want := append([]float32(nil), buf...)
				for r := range rows {
					for i := range l {
						for t, o := range offs {
							want[r*l+i] = fma32(vals[t], x[int(o)+r*stride+i], want[r*l+i])
						}
					}
				}
				SparseAxpys(buf[:rows*l], rows, stride, x, offs, vals)
				for i := range buf {
					if math.Float32bits(buf[i]) != math.Float32bits(want[i]) {
						t.Fatalf("l %d, %d rows %d apart, %d values: acc[%d] = %v, want %v", l, rows, stride, n, i, buf[i], want[i])
					}
				}
			}
		}
	}
}

func TestSparseAxpysPanics(t *testing.T) {
	mustPanicEach(t, map[string]func(){
		"lengths":  func() { SparseAxpys(make([]float32, 4), 1, 0, make([]float32, 8), []int32{0}, nil) },
		"past x":   func() { SparseAxpys(make([]float32, 4), 1, 0, make([]float32, 8), []int32{5}, []float32{1}) },
		"rows":     func() { SparseAxpys(make([]float32, 4), 2, 4, make([]float32, 8), []int32{3}, []float32{1}) },
		"negative": func() { SparseAxpys(make([]float32, 4), 1, 0, make([]float32, 8), []int32{-1}, []float32{1}) },
		"no rows":  func() { SparseAxpys(make([]float32, 4), 0, 0, make([]float32, 8), nil, nil) },
		"uneven":   func() { SparseAxpys(make([]float32, 5), 2, 4, make([]float32, 8), nil, nil) },
	})
}

// mustPanicEach fails t for each function of fs that does not panic.
func mustPanicEach(t *testing.T, fs map[string]func()) {
	t.Helper()
	for name, f := range fs {
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

// BenchmarkSparseAxpys times the weight gradient of the MNIST CNN's conv2 (32 channels,
// 3×3) from one filter's pooled gradient on one sample: about 108 values (144 pooling
// windows in order, three in four positive) over the three runs of 96 inputs of its 26×26
// channels-last input under the kernel. It reports GFLOP/s of the multiply-adds done.
func BenchmarkSparseAxpys(b *testing.B) {
	const c, h, w = 32, 26, 26
	x, acc := make([]float32, c*h*w), make([]float32, 3*3*c)
	offs, vals := conv2Nonzeros(c, h, w)
	for b.Loop() {
		SparseAxpys(acc, 3, w*c, x, offs, vals)
	}
	b.ReportMetric(2*float64(len(acc)*len(offs))*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}

// TestSparseScatter checks SparseScatter against its documented sums on rows of every
// length around the vectors and the kernels' pieces, one to four rows (more than a call
// takes) apart, with no value, one and many: bit for bit against the terms in order where
// no two values' runs overlap, within 1e-5 of the terms' magnitudes where they do (their
// order then depends on the kernel); nothing outside the runs is written.
func TestSparseScatter(t *testing.T) {
	rng := rand.New(rand.NewPCG(63, 64))
	for _, l := range []int{0, 1, 7, 8, 9, 16, 17, 95, 96, 97, 192, 200, 385, 400} {
		for _, rows := range []int{1, 2, 3, 4} {
			for _, n := range []int{0, 1, 5, 40} {
				for _, overlap := range []bool{false, true} {
					stride := l + rng.IntN(10)
					span := (rows-1)*stride + l
					w := make([]float32, rows*l)
					for i := range w {
						w[i] = float32(rng.NormFloat64())
					}
					var dst []float32
					offs, vals := make([]int32, n), make([]float32, n)
					if overlap {
						dst = make([]float32, span+50)
						for t := range offs {
							offs[t] = int32(rng.IntN(len(dst) - span + 1))
						}
					} else { // each value its own stretch of dst, in random order
						dst = make([]float32, n*(span+1)+3)
						for t, p := range rng.Perm(n) {
							offs[t] = int32(p*(span+1) + rng.IntN(2))
						}
					}
					for t := range vals {
						vals[t] = float32(rng.NormFloat64())
					}
					for i := range dst {
						dst[i] = float32(rng.NormFloat64())
					}
					want := make([]float64, len(dst))
					mag := make([]float64, len(dst))
					bits := append([]float32(nil), dst...)
					for i, v := range dst {
						want[i], mag[i] = float64(v), math.Abs(float64(v))
					}
					for t, o := range offs {
						for r := range rows {
							for i := range l {
								p := int(o) + r*stride + i
								term := float64(vals[t]) * float64(w[r*l+i])
								want[p] += term
								mag[p] += math.Abs(term)
								bits[p] = fma32(vals[t], w[r*l+i], bits[p])
							}
						}
					}
					SparseScatter(dst, rows, stride, w, offs, vals)
					for i, v := range dst {
						if !overlap && math.Float32bits(v) != math.Float32bits(bits[i]) ||
							math.Abs(float64(v)-want[i]) > 1e-5*mag[i] {
							t.Fatalf("l %d, %d rows %d apart, %d values, overlap %v: dst[%d] = %v, want %v", l, rows, stride, n, overlap, i, v, want[i])
						}
					}
				}
			}
		}
	}
	mustPanicEach(t, map[string]func(){
		"past dst": func() { SparseScatter(make([]float32, 8), 1, 0, make([]float32, 4), []int32{5}, []float32{1}) },
		"overlap":  func() { SparseScatter(make([]float32, 8), 2, 1, make([]float32, 4), nil, nil) },
		"lengths":  func() { SparseScatter(make([]float32, 8), 1, 0, make([]float32, 4), []int32{0}, nil) },
		"uneven":   func() { SparseScatter(make([]float32, 8), 2, 4, make([]float32, 5), nil, nil) },
	})
}

// BenchmarkSparseScatter times the input gradient of the MNIST CNN's conv2 from one
// filter's pooled gradient on one sample, as BenchmarkSparseAxpys its weight gradient.
func BenchmarkSparseScatter(b *testing.B) {
	const c, h, w = 32, 26, 26
	dst, wt := make([]float32, c*h*w), make([]float32, 3*3*c)
	offs, vals := conv2Nonzeros(c, h, w)
	for b.Loop() {
		SparseScatter(dst, 3, w*c, wt, offs, vals)
	}
	b.ReportMetric(2*float64(len(wt)*len(offs))*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}

// conv2Nonzeros returns the offsets (channels last, c a position) and values of the nonzero
// gradients of one filter's pooled plane of a 3×3 convolution of h×w inputs: the pooling
// windows in order, the maximum anywhere in each, three in four kept.
func conv2Nonzeros(c, h, w int) ([]int32, []float32) {
	rng := rand.New(rand.NewPCG(1, 2))
	var offs []int32
	for wy := range (h - 2) / 2 {
		for wx := range (w - 2) / 2 {
			if rng.IntN(4) > 0 {
				offs = append(offs, int32(c*((2*wy+rng.IntN(2))*w+2*wx+rng.IntN(2))))
			}
		}
	}
	vals := make([]float32, len(offs))
	for t := range vals {
		vals[t] = float32(rng.NormFloat64())
	}
	return offs, vals
}
