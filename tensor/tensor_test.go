package tensor

import (
	"math"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"
)

func randn(rng *rand.Rand, shape ...int) *Tensor {
	t := New(shape...)
	for i := range t.data {
		t.data[i] = float32(rng.NormFloat64())
	}
	return t
}

func mustPanic(t *testing.T, want string, f func()) {
	t.Helper()
	defer func() {
		r := recover()
		s, _ := r.(string)
		if r == nil || !strings.Contains(s, want) || !strings.HasPrefix(s, "tensor: ") {
			t.Fatalf("panic %v, want one containing %q", r, want)
		}
	}()
	f()
}

// closeTo reports whether got matches want to a relative tolerance of the larger of the
// magnitudes involved.
func closeTo(got float32, want, scale, tol float64) bool {
	return math.Abs(float64(got)-want) <= tol*(scale+math.Abs(want))
}

func TestTensorBasics(t *testing.T) {
	x := New(2, 3, 4)
	if x.Len() != 24 || x.Rank() != 3 || x.Dim(-1) != 4 || x.Dim(0) != 2 {
		t.Fatalf("New(2,3,4): %v", x)
	}
	v := x.Reshape(6, -1)
	if s := v.Shape(); len(s) != 2 || s[0] != 6 || s[1] != 4 {
		t.Errorf("Reshape(6, -1) gives %v", s)
	}
	v.Data()[5] = 7
	if x.Data()[5] != 7 {
		t.Error("Reshape does not share storage")
	}
	c := x.Clone()
	c.Data()[5] = 1
	if x.Data()[5] != 7 || !c.SameShape(x) {
		t.Error("Clone shares storage or changes shape")
	}
	if s := New().Len(); s != 1 {
		t.Errorf("a rank-0 tensor has %d elements", s)
	}
	mustPanic(t, "cannot reshape [2 3 4] to [5 -1]", func() { x.Reshape(5, -1) })
	mustPanic(t, "3 values for shape [2 2]", func() { FromSlice(make([]float32, 3), 2, 2) })
	mustPanic(t, "negative dimension", func() { New(2, -1) })
	mustPanic(t, "dimension 3 of a rank-3", func() { x.Dim(3) })
	mustPanic(t, "shapes [2 3 4] and [6 4] do not broadcast", func() { Add(x, x, &v, Assign) })
}

func TestMatMul(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	for _, sz := range [][3]int{{1, 1, 1}, {3, 17, 5}, {17, 3, 63}, {64, 65, 7}, {130, 100, 47}, {37, 60, 300}, {256, 32, 100}, {100, 32, 256}} {
		m, k, n := sz[0], sz[1], sz[2]
		for _, ta := range []bool{false, true} {
			for _, tb := range []bool{false, true} {
				a, b := randn(rng, m, k), randn(rng, k, n)
				if ta {
					a = randn(rng, k, m)
				}
				if tb {
					b = randn(rng, n, k)
				}
				at := func(i, p int) float64 {
					if ta {
						return float64(a.data[p*m+i])
					}
					return float64(a.data[i*k+p])
				}
				bt := func(p, j int) float64 {
					if tb {
						return float64(b.data[j*k+p])
					}
					return float64(b.data[p*n+j])
				}
				c := randn(rng, m, n)
				c0 := c.Clone()
				MatMul(c, a, ta, b, tb, Accumulate)
				for i := range m {
					for j := range n {
						var s float64
						for p := range k {
							s += at(i, p) * bt(p, j)
						}
						if want := s + float64(c0.data[i*n+j]); !closeTo(c.data[i*n+j], want, math.Sqrt(float64(k)), 1e-5) {
							t.Fatalf("%v ta=%v tb=%v: C[%d,%d] = %v, want %v", sz, ta, tb, i, j, c.data[i*n+j], want)
						}
					}
				}
			}
		}
	}
	mustPanic(t, "MatMul of shapes [2 3] (trans false) and [2 3]", func() { MatMul(New(2, 3), New(2, 3), false, New(2, 3), false, Assign) })
}

// naiveConv is the definition of a 2-D cross-correlation, in float64.
func naiveConv(x, w, b *Tensor, s, p int) []float64 {
	n, c, h, wd := x.shape[0], x.shape[1], x.shape[2], x.shape[3]
	f, kh, kw := w.shape[0], w.shape[2], w.shape[3]
	oh, ow := (h+2*p-kh)/s+1, (wd+2*p-kw)/s+1
	out := make([]float64, n*f*oh*ow)
	for ni := range n {
		for fi := range f {
			for oy := range oh {
				for ox := range ow {
					sum := 0.0
					if b != nil {
						sum = float64(b.data[fi])
					}
					for ci := range c {
						for i := range kh {
							for j := range kw {
								iy, ix := oy*s-p+i, ox*s-p+j
								if iy < 0 || iy >= h || ix < 0 || ix >= wd {
									continue
								}
								sum += float64(x.data[((ni*c+ci)*h+iy)*wd+ix]) * float64(w.data[((fi*c+ci)*kh+i)*kw+j])
							}
						}
					}
					out[((ni*f+fi)*oh+oy)*ow+ox] = sum
				}
			}
		}
	}
	return out
}

func dot(a, b []float32) float64 {
	var s float64
	for i := range a {
		s += float64(a[i]) * float64(b[i])
	}
	return s
}

// TestConv2d checks the forward pass against the definition and the two backward passes
// against it through the adjoint identities ⟨conv(x, w), dy⟩ = ⟨x, ∂x⟩ = ⟨w, ∂w⟩ and
// Σ dy = Σ ∂b per filter, on 1, 2 and 3 cores (the batch split differently each time).
func TestConv2d(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 2))
	type cfg struct{ n, c, h, w, f, k, s, p int }
	cases := []cfg{{1, 1, 5, 5, 1, 3, 1, 0}, {3, 2, 7, 6, 4, 3, 1, 1}, {4, 3, 9, 8, 2, 3, 2, 1},
		{2, 2, 6, 7, 3, 2, 3, 2}, {5, 4, 5, 5, 3, 1, 1, 0}, {3, 2, 4, 4, 2, 5, 1, 2}, {2, 32, 12, 12, 8, 3, 1, 0},
		// Implicit GEMM (stride 1, at least 8 channels), with and without padding.
		{3, 8, 7, 9, 3, 3, 1, 1}, {3, 16, 6, 5, 5, 2, 1, 2}, {1, 9, 4, 4, 12, 4, 1, 0}, {2, 8, 5, 5, 2, 1, 1, 0}}
	for _, procs := range []int{1, 2, 3} {
		old := runtime.GOMAXPROCS(procs)
		for _, c := range cases {
			x, w, b := randn(rng, c.n, c.c, c.h, c.w), randn(rng, c.f, c.c, c.k, c.k), randn(rng, c.f)
			cc := Conv2dConfig{Stride: c.s, Padding: c.p}
			s := Conv2dShape(x, w, cc)
			y := New(s[:]...)
			work := make([]float32, Conv2dWorkLen(x, w, cc))
			Conv2d(y, x, w, b, cc, ActNone, work)
			want := naiveConv(x, w, b, c.s, c.p)
			for i, v := range y.data {
				if !closeTo(v, want[i], math.Sqrt(float64(c.c*c.k*c.k)), 1e-5) {
					t.Fatalf("procs %d %+v: y[%d] = %v, want %v", procs, c, i, v, want[i])
				}
			}
			yr := New(s[:]...)
			Conv2d(yr, x, w, b, cc, ActReLU, work)
			for i, v := range yr.data {
				if v != max(y.data[i], 0) {
					t.Fatalf("%+v: ReLU output %v, want max(%v, 0)", c, v, y.data[i])
				}
			}
			dy := randn(rng, s[:]...)
			dx, dw, db := randn(rng, x.shape[:4]...), randn(rng, w.shape[:4]...), randn(rng, c.f)
			dx0, dw0, db0 := dx.Clone(), dw.Clone(), db.Clone()
			Conv2dBackwardInput(dx, dy, w, cc, Accumulate, work)
			Conv2dBackwardWeight(dw, db, dy, x, cc, Accumulate, work)
			noBias := naiveConv(x, w, nil, c.s, c.p)
			var lhs float64
			for i, v := range noBias {
				lhs += v * float64(dy.data[i])
			}
			scale := math.Sqrt(float64(len(noBias))) * math.Sqrt(float64(c.c*c.k*c.k))
			if got := dot(x.data, dx.data) - dot(x.data, dx0.data); math.Abs(got-lhs) > 1e-4*scale {
				t.Fatalf("procs %d %+v: ⟨x, ∂x⟩ = %v, ⟨conv, dy⟩ = %v", procs, c, got, lhs)
			}
			if got := dot(w.data, dw.data) - dot(w.data, dw0.data); math.Abs(got-lhs) > 1e-4*scale {
				t.Fatalf("procs %d %+v: ⟨w, ∂w⟩ = %v, ⟨conv, dy⟩ = %v", procs, c, got, lhs)
			}
			q := s[2] * s[3]
			for f := range c.f {
				var sum float64
				for n := range c.n {
					for _, v := range dy.data[(n*c.f+f)*q : (n*c.f+f+1)*q] {
						sum += float64(v)
					}
				}
				if !closeTo(db.data[f]-db0.data[f], sum, math.Sqrt(float64(c.n*q)), 1e-5) {
					t.Fatalf("%+v: ∂b[%d] = %v, want %v", c, f, db.data[f]-db0.data[f], sum)
				}
			}
			// Assign mode overwrites what Accumulate added to.
			dx2, dw2 := dx.Clone(), dw.Clone()
			Conv2dBackwardInput(dx2, dy, w, cc, Assign, work)
			Conv2dBackwardWeight(dw2, nil, dy, x, cc, Assign, work)
			for i := range dx2.data {
				if !closeTo(dx2.data[i], float64(dx.data[i]-dx0.data[i]), 1, 1e-5) {
					t.Fatalf("%+v: Assign ∂x differs from the accumulated increment", c)
				}
			}
			for i := range dw2.data {
				if !closeTo(dw2.data[i], float64(dw.data[i]-dw0.data[i]), 1, 1e-4) {
					t.Fatalf("%+v: Assign ∂w differs from the accumulated increment", c)
				}
			}
		}
		runtime.GOMAXPROCS(old)
	}
	mustPanic(t, "work buffer of 3", func() {
		x, w := New(1, 1, 4, 4), New(1, 1, 3, 3)
		Conv2d(New(1, 1, 2, 2), x, w, nil, Conv2dConfig{}, ActNone, make([]float32, 3))
	})
	mustPanic(t, "kernel 5×5 larger than padded input 4×4", func() {
		Conv2dShape(New(1, 1, 4, 4), New(1, 1, 5, 5), Conv2dConfig{})
	})
}

func TestMaxPool2d(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	for _, c := range [][3]int{{2, 0, 7}, {3, 2, 9}, {2, 1, 5}, {3, 3, 10}} {
		k, s, hw := c[0], c[1], c[2]
		x := randn(rng, 2, 3, hw, hw+1)
		os := MaxPool2dShape(x, k, s)
		y, idx := New(os[:]...), make([]int32, os[0]*os[1]*os[2]*os[3])
		MaxPool2d(y, idx, x, k, s)
		st := s
		if st == 0 {
			st = k
		}
		for pl := range 6 {
			for oy := range os[2] {
				for ox := range os[3] {
					m, at := float32(math.Inf(-1)), -1
					for i := range k {
						for j := range k {
							p := (oy*st+i)*(hw+1) + ox*st + j
							if v := x.data[pl*hw*(hw+1)+p]; v > m {
								m, at = v, p
							}
						}
					}
					o := (pl*os[2]+oy)*os[3] + ox
					if y.data[o] != m || int(idx[o]) != at {
						t.Fatalf("k%d s%d: output %d = %v at %d, want %v at %d", k, s, o, y.data[o], idx[o], m, at)
					}
				}
			}
		}
		dy := randn(rng, os[:]...)
		dx := New(x.shape[:4]...)
		MaxPool2dBackward(dx, dy, idx, Assign)
		if got, want := Sum(dx), Sum(dy); math.Abs(got-want) > 1e-4 {
			t.Fatalf("the backward pass moves %v of gradient, want %v", got, want)
		}
	}
	// Ties go to the first maximum; a NaN wins, as in PyTorch.
	x := FromSlice([]float32{1, 1, 0, 1, 2, float32(math.NaN()), 2, 0}, 1, 2, 2, 2)
	y, idx := New(1, 2, 1, 1), make([]int32, 2)
	MaxPool2d(y, idx, x, 2, 2)
	if idx[0] != 0 || idx[1] != 1 || y.data[1] == y.data[1] {
		t.Errorf("ties and NaN: idx %v, y %v", idx, y.data)
	}
}

func TestDropout(t *testing.T) {
	const n = 300000 // large enough to be split over the cores
	x := New(n)
	Fill(x, 2)
	var masks [][]float32
	for _, procs := range []int{1, 2, 3} {
		old := runtime.GOMAXPROCS(procs)
		y, m := New(n), New(n)
		Dropout(y, m, x, 0.3, rand.New(rand.NewPCG(7, 7)))
		runtime.GOMAXPROCS(old)
		masks = append(masks, m.data)
		zeros := 0
		for i, v := range m.data {
			if v == 0 {
				zeros++
			} else if v != float32(1/0.7) {
				t.Fatalf("mask value %v", v)
			}
			if y.data[i] != 2*v {
				t.Fatalf("y = %v with mask %v", y.data[i], v)
			}
		}
		if f := float64(zeros) / n; math.Abs(f-0.3) > 0.004 {
			t.Errorf("dropped %v, want 0.3", f)
		}
	}
	for i := range masks[0] {
		if masks[0][i] != masks[1][i] || masks[0][i] != masks[2][i] {
			t.Fatal("the mask depends on the number of cores")
		}
	}
	y, m := New(10), New(10)
	Dropout(y, m, FromSlice([]float32{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 10), 1, rand.New(rand.NewPCG(1, 1)))
	if Sum(y) != 0 {
		t.Error("p = 1 keeps something")
	}
	Dropout(y, m, FromSlice([]float32{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 10), 0, rand.New(rand.NewPCG(1, 1)))
	if Sum(y) != 55 {
		t.Error("p = 0 drops something")
	}
}

func TestSoftmaxAndLosses(t *testing.T) {
	x := FromSlice([]float32{1, 2, 3, 1000, 1000, 1000}, 2, 3)
	y := New(2, 3)
	LogSoftmax(y, x, -1)
	lse := math.Log(math.Exp(1) + math.Exp(2) + math.Exp(3))
	for j, want := range []float64{1 - lse, 2 - lse, 3 - lse, -math.Log(3), -math.Log(3), -math.Log(3)} {
		if !closeTo(y.data[j], want, 0, 1e-6) {
			t.Errorf("log-softmax[%d] = %v, want %v", j, y.data[j], want)
		}
	}
	target := []int{2, 0}
	if got, want := NLLLoss(y, target, NLLConfig{}), (-(3-lse)+math.Log(3))/2; !closeTo(got, want, 0, 1e-6) {
		t.Errorf("NLLLoss = %v, want %v", got, want)
	}
	lp := New(2, 3)
	if got, want := CrossEntropy(lp, x, target, CrossEntropyConfig{}), NLLLoss(y, target, NLLConfig{}); got != want {
		t.Errorf("CrossEntropy = %v, NLLLoss∘LogSoftmax = %v", got, want)
	}
	mustPanic(t, "target 3 of row 1 out of range [0, 3)", func() { NLLLoss(y, []int{0, 3}, NLLConfig{}) })
	a, b := FromSlice([]float32{1, 2, 3}, 3), FromSlice([]float32{1, 0, 0}, 3)
	if got := MSELoss(a, b, ReduceMean); got != 13.0/3 {
		t.Errorf("MSELoss = %v, want 13/3", got)
	}
}

// TestParallelElementwise compares kernels split over the cores with the same kernels run
// on one.
func TestParallelElementwise(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	const n = 1<<17 + 3
	a, b := randn(rng, n), randn(rng, n)
	run := func(procs int) [][]float32 {
		old := runtime.GOMAXPROCS(procs)
		defer runtime.GOMAXPROCS(old)
		var out [][]float32
		for _, f := range []func(d *Tensor){
			func(d *Tensor) { Add(d, a, b, Assign) },
			func(d *Tensor) { Mul(d, a, b, Assign); Sub(d, a, b, Accumulate) },
			func(d *Tensor) { ReLU(d, a) },
			func(d *Tensor) { ReLUBackward(d, a, b, Assign) },
			func(d *Tensor) { Tanh(d, a); TanhBackward(d, b, d, Accumulate) },
			func(d *Tensor) { Sigmoid(d, a); SigmoidBackward(d, b, d, Assign) },
			func(d *Tensor) { Copy(d, a); AddInto(d, b) },
			func(d *Tensor) {
				Linear(d.Reshape(-1, 1).ptr(), a.Reshape(-1, 1).ptr(), FromSlice([]float32{2}, 1, 1), FromSlice([]float32{-1}, 1), ActReLU)
			},
		} {
			d := New(n)
			f(d)
			out = append(out, d.data)
		}
		return out
	}
	one, two := run(1), run(2)
	for k := range one {
		for i := range one[k] {
			if one[k][i] != two[k][i] {
				t.Fatalf("kernel %d element %d: %v on one core, %v on two", k, i, one[k][i], two[k][i])
			}
		}
	}
	for i, v := range one[7] {
		if want := max(2*a.data[i]-1, 0); v != want {
			t.Fatalf("Linear+ReLU element %d: %v, want %v", i, v, want)
		}
	}
}

func (t Tensor) ptr() *Tensor { return &t }

// TestSoftmaxBackwardBlocks checks the backward kernels, which compute their exponentials
// in blocks of rows (short rows) or of columns (long rows), against the formula in float64.
func TestSoftmaxBackwardBlocks(t *testing.T) {
	rng := rand.New(rand.NewPCG(6, 6))
	for _, s := range [][2]int{{70, 10}, {3, 600}, {5, 256}, {2, 257}, {1, 1}} {
		r, c := s[0], s[1]
		x, dy := randn(rng, r, c), randn(rng, r, c)
		y := New(r, c)
		LogSoftmax(y, x, -1)
		dx, dl := randn(rng, r, c), randn(rng, r, c)
		dx0, dl0 := dx.Clone(), dl.Clone()
		LogSoftmaxBackward(dx, dy, y, -1, Accumulate)
		target := make([]int, r)
		for i := range target {
			target[i] = rng.IntN(c)
		}
		CrossEntropyBackward(dl, y, target, CrossEntropyConfig{}, 0.5, Accumulate)
		for i := range r {
			var sdy float64
			for j := range c {
				sdy += float64(dy.data[i*c+j])
			}
			for j := range c {
				p := math.Exp(float64(y.data[i*c+j]))
				want := float64(dx0.data[i*c+j]) + float64(dy.data[i*c+j]) - p*sdy
				if !closeTo(dx.data[i*c+j], want, 1, 1e-5) {
					t.Fatalf("%v: dx[%d,%d] = %v, want %v", s, i, j, dx.data[i*c+j], want)
				}
				hot := 0.0
				if j == target[i] {
					hot = 1
				}
				want = float64(dl0.data[i*c+j]) + 0.5/float64(r)*(p-hot)
				if !closeTo(dl.data[i*c+j], want, 1, 1e-5) {
					t.Fatalf("%v: CrossEntropyBackward [%d,%d] = %v, want %v", s, i, j, dl.data[i*c+j], want)
				}
			}
		}
	}
}
