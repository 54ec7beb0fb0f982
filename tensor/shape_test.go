package tensor

import (
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"
)

// unravel returns the multi-index of element i of a row-major tensor of the given shape.
func unravel(i int, shape []int) []int {
	idx := make([]int, len(shape))
	for d := len(shape) - 1; d >= 0; d-- {
		idx[d] = i % shape[d]
		i /= shape[d]
	}
	return idx
}

// at returns the element of x at the multi-index idx of a shape x broadcasts to.
func at(x *Tensor, idx []int) float32 {
	off := 0
	for i, d := range x.Shape() {
		k := idx[len(idx)-x.rank+i]
		if d == 1 {
			k = 0
		}
		off = off*d + k
	}
	return x.data[off]
}

// randShapes returns two shapes that broadcast: a random shape, and a copy with some
// dimensions set to 1 and some leading ones dropped, in a random order.
func randShapes(rng *rand.Rand) ([]int, []int) {
	r := 1 + rng.IntN(4)
	s := make([]int, r)
	for i := range s {
		s[i] = 1 + rng.IntN(4)
	}
	t := slices.Clone(s)
	for i := range t {
		if rng.IntN(2) == 0 {
			t[i] = 1
		}
	}
	t = t[rng.IntN(len(t)+1):]
	if rng.IntN(2) == 0 {
		return s, t
	}
	return t, s
}

func TestBroadcastBinary(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	ops := []struct {
		name string
		f    func(dst, a, b *Tensor, mode Mode)
		op   func(x, y float32) float32
	}{
		{"Add", Add, func(x, y float32) float32 { return x + y }},
		{"Sub", Sub, func(x, y float32) float32 { return x - y }},
		{"Mul", Mul, func(x, y float32) float32 { return x * y }},
		{"Div", Div, func(x, y float32) float32 { return x / y }},
	}
	cases := [][2][]int{{{1, 5}, {4, 1}}, {{5}, {4, 5}}, {{}, {3, 2}}, {{1}, {3, 2}}, {{3, 2}, {}}, {{2, 1, 3}, {4, 1}}}
	for range 200 {
		a, b := randShapes(rng)
		cases = append(cases, [2][]int{a, b})
	}
	for _, c := range cases {
		a, b := randn(rng, c[0]...), randn(rng, c[1]...)
		s, r := BroadcastShape(a, b)
		shape := s[:r]
		for _, op := range ops {
			for _, mode := range []Mode{Assign, Accumulate} {
				dst := randn(rng, shape...)
				before := dst.Clone()
				op.f(dst, a, b, mode)
				for i, v := range dst.data {
					idx := unravel(i, shape)
					want := op.op(at(a, idx), at(b, idx))
					if mode == Accumulate {
						want += before.data[i]
					}
					if v != want {
						t.Fatalf("%s %v %v mode %d: element %v = %v, want %v", op.name, c[0], c[1], mode, idx, v, want)
					}
				}
			}
		}
		// SumTo takes a gradient of the broadcast shape back to each operand's, and
		// Expand broadcasts an operand.
		g := randn(rng, shape...)
		for _, x := range []*Tensor{a, b} {
			want := make([]float64, x.Len())
			for i, v := range g.data {
				idx := unravel(i, shape)
				off := 0
				for k, d := range x.Shape() {
					j := idx[len(idx)-x.rank+k]
					if d == 1 {
						j = 0
					}
					off = off*d + j
				}
				want[off] += float64(v)
			}
			dst := randn(rng, x.Shape()...)
			SumTo(dst, g, Assign)
			for i, v := range dst.data {
				if math.Abs(float64(v)-want[i]) > 1e-5*(1+math.Abs(want[i])) {
					t.Fatalf("SumTo %v into %v: element %d = %v, want %v", shape, x.Shape(), i, v, want[i])
				}
			}
			e := randn(rng, shape...)
			e0 := e.Clone()
			Expand(e, x, -2, Accumulate)
			for i, v := range e.data {
				if want := e0.data[i] + -2*at(x, unravel(i, shape)); v != want {
					t.Fatalf("Expand %v to %v: element %d = %v, want %v", x.Shape(), shape, i, v, want)
				}
			}
		}
	}
	mustPanic(t, "Add of shapes [2 3] and [3] into [3]", func() { Add(New(3), New(2, 3), New(3), Assign) })
	mustPanic(t, "SumTo of [2 3] into [2]", func() { SumTo(New(2), New(2, 3), Assign) })
}

func TestPermute(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 8))
	for range 100 {
		r := 1 + rng.IntN(MaxRank)
		shape := make([]int, r)
		for i := range shape {
			shape[i] = 1 + rng.IntN(4)
		}
		perm := rng.Perm(r)
		x := randn(rng, shape...)
		out := make([]int, r)
		for d, p := range perm {
			out[d] = shape[p]
		}
		for _, mode := range []Mode{Assign, Accumulate} {
			dst := randn(rng, out...)
			before := dst.Clone()
			Permute(dst, x, perm, mode)
			for i, v := range dst.data {
				idx := unravel(i, out)
				src := make([]int, r)
				for d, p := range perm {
					src[p] = idx[d]
				}
				want := at(x, src)
				if mode == Accumulate {
					want += before.data[i]
				}
				if v != want {
					t.Fatalf("Permute %v by %v: element %v = %v, want %v", shape, perm, idx, v, want)
				}
			}
		}
	}
	mustPanic(t, "Permute of [2 3] by [0 0]", func() { Permute(New(2, 3), New(2, 3), []int{0, 0}, Assign) })
}

func TestAxisKernels(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	x := randn(rng, 2, 5, 3)
	// Narrow, then SliceScatter back.
	n := New(2, 2, 3)
	Narrow(n, x, 1, 2, Assign)
	for i, v := range n.data {
		idx := unravel(i, n.Shape())
		if want := at(x, []int{idx[0], idx[1] + 2, idx[2]}); v != want {
			t.Fatalf("Narrow element %v = %v, want %v", idx, v, want)
		}
	}
	y := New(2, 5, 3)
	SliceScatter(y, n, 1, 2, Assign)
	SliceScatter(y, n, -2, 2, Accumulate)
	for i, v := range y.data {
		idx := unravel(i, y.Shape())
		want := float32(0)
		if idx[1] >= 2 && idx[1] < 4 {
			want = 2 * at(x, idx)
		}
		if v != want {
			t.Fatalf("SliceScatter element %v = %v, want %v", idx, v, want)
		}
	}
	// Concat of three pieces along the middle axis gives x back.
	a, b, c := New(2, 1, 3), New(2, 3, 3), New(2, 1, 3)
	Narrow(a, x, 1, 0, Assign)
	Narrow(b, x, 1, 1, Assign)
	Narrow(c, x, 1, 4, Assign)
	z := New(2, 5, 3)
	Concat(z, 1, a, b, c)
	if !slices.Equal(z.data, x.data) {
		t.Error("Concat of the narrowed pieces is not the original")
	}
	mustPanic(t, "Concat of 4 elements along dimension 1", func() { Concat(z, 1, a, b) })
	mustPanic(t, "Narrow of [2 5 3] to 2 from 4", func() { Narrow(n, x, 1, 4, Assign) })

	// IndexSelect with a repeated index, and IndexAdd adding both rows back.
	idx := []int{4, 0, 4}
	s := New(2, 3, 3)
	IndexSelect(s, x, 1, idx)
	for i, v := range s.data {
		k := unravel(i, s.Shape())
		if want := at(x, []int{k[0], idx[k[1]], k[2]}); v != want {
			t.Fatalf("IndexSelect element %v = %v, want %v", k, v, want)
		}
	}
	acc := New(2, 5, 3)
	IndexAdd(acc, s, 1, idx)
	for i, v := range acc.data {
		k := unravel(i, acc.Shape())
		want := float32(0)
		switch k[1] {
		case 4:
			want = 2 * at(x, k)
		case 0:
			want = at(x, k)
		}
		if v != want {
			t.Fatalf("IndexAdd element %v = %v, want %v", k, v, want)
		}
	}
	mustPanic(t, "index 5 (position 0) out of range [0, 5)", func() { IndexSelect(New(2, 1, 3), x, 1, []int{5}) })
}

// TestSoftmaxAxis compares Softmax and LogSoftmax and their gradients (assigned and
// accumulated) along every axis of a 3-D tensor with the formulas in float64. The shapes
// give the last axis blocks of rows with tails of every length, rows of 1 element, and
// rows as long as LogSoftmaxBackward's buffer of exponentials and longer.
func TestSoftmaxAxis(t *testing.T) {
	rng := rand.New(rand.NewPCG(10, 10))
	for _, shape := range [][]int{{3, 4, 5}, {2, 300, 2}, {1, 2, 600}, {1, 131, 10}, {3, 45, 1}, {1, 67, 256}, {2, 3, 257}} {
		x, dy := randn(rng, shape...), randn(rng, shape...)
		for axis := -3; axis < 3; axis++ {
			outer, n, inner := splitAxis("test", x, axis)
			for _, tc := range []struct {
				log  bool
				mode Mode
			}{{false, Accumulate}, {true, Accumulate}, {false, Assign}, {true, Assign}} {
				log := tc.log
				y, dx := New(shape...), randn(rng, shape...)
				dx0 := dx.Clone()
				if log {
					LogSoftmax(y, x, axis)
					LogSoftmaxBackward(dx, dy, y, axis, tc.mode)
				} else {
					Softmax(y, x, axis)
					SoftmaxBackward(dx, dy, y, axis, tc.mode)
				}
				for o := range outer {
					for i := range inner {
						at := func(k int) int { return (o*n+k)*inner + i }
						var s, gs, gys float64
						for k := range n {
							s += math.Exp(float64(x.data[at(k)]))
						}
						p := make([]float64, n)
						for k := range n {
							p[k] = math.Exp(float64(x.data[at(k)])) / s
							gs += float64(dy.data[at(k)])
							gys += float64(dy.data[at(k)]) * p[k]
						}
						for k := range n {
							want, dwant := p[k], p[k]*(float64(dy.data[at(k)])-gys)
							if log {
								want = math.Log(p[k])
								dwant = float64(dy.data[at(k)]) - p[k]*gs
							}
							if tc.mode == Accumulate {
								dwant += float64(dx0.data[at(k)])
							}
							if !closeTo(y.data[at(k)], want, 0, 2e-6) || !closeTo(dx.data[at(k)], dwant, 1, 1e-5) {
								t.Fatalf("%v axis %d log %v mode %v at (%d,%d,%d): %v, %v; want %v, %v", shape, axis, log, tc.mode, o, k, i,
									y.data[at(k)], dx.data[at(k)], want, dwant)
							}
						}
					}
				}
			}
		}
	}
}

// TestLayerNormParallel checks that LayerNorm and its backward pass give the same bits on
// one core and on two, and match the formula in float64.
func TestLayerNormParallel(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 11))
	const rows, n = 700, 300
	x, dy, w, b := randn(rng, rows, n), randn(rng, rows, n), randn(rng, n), randn(rng, n)
	for i := range x.data {
		x.data[i] = 3 + 2*x.data[i]
	}
	run := func(procs int) [][]float32 {
		old := runtime.GOMAXPROCS(procs)
		defer runtime.GOMAXPROCS(old)
		y, dx, dw, db := New(rows, n), New(rows, n), randn(rand.New(rand.NewPCG(1, 1)), n), New(n)
		stats := make([]float32, LayerNormStatsLen(x, n))
		LayerNorm(y, x, n, w, b, 1e-5, stats)
		LayerNormBackward(dx, dw, db, dy, x, w, n, stats, Assign, Accumulate, Assign)
		return [][]float32{y.data, dx.data, dw.data, db.data, stats}
	}
	one, two := run(1), run(2)
	for k := range one {
		if !slices.Equal(one[k], two[k]) {
			t.Fatalf("output %d differs between one core and two", k)
		}
	}
	dw0 := randn(rand.New(rand.NewPCG(1, 1)), n)
	dwWant, dbWant := make([]float64, n), make([]float64, n)
	for r := range rows {
		xr, gr := x.data[r*n:(r+1)*n], dy.data[r*n:(r+1)*n]
		var mean, v float64
		for _, e := range xr {
			mean += float64(e)
		}
		mean /= n
		for _, e := range xr {
			v += (float64(e) - mean) * (float64(e) - mean)
		}
		rs := 1 / math.Sqrt(v/n+1e-5)
		var su, sux float64
		xh := make([]float64, n)
		for j, e := range xr {
			xh[j] = (float64(e) - mean) * rs
			u := float64(gr[j]) * float64(w.data[j])
			su += u
			sux += u * xh[j]
			dwWant[j] += float64(gr[j]) * xh[j]
			dbWant[j] += float64(gr[j])
		}
		for j := range xr {
			y := xh[j]*float64(w.data[j]) + float64(b.data[j])
			u := float64(gr[j]) * float64(w.data[j])
			dx := rs * (u - su/n - xh[j]*sux/n)
			if !closeTo(one[0][r*n+j], y, 1, 2e-6) || !closeTo(one[1][r*n+j], dx, 1, 2e-5) {
				t.Fatalf("row %d col %d: y %v dx %v, want %v %v", r, j, one[0][r*n+j], one[1][r*n+j], y, dx)
			}
		}
	}
	for j := range n {
		if !closeTo(one[2][j], float64(dw0.data[j])+dwWant[j], 10, 1e-5) || !closeTo(one[3][j], dbWant[j], 10, 1e-5) {
			t.Fatalf("col %d: dw %v db %v, want %v %v", j, one[2][j], one[3][j], float64(dw0.data[j])+dwWant[j], dbWant[j])
		}
	}
}

// TestUnaryParallel checks that the elementwise functions give the same bits split over
// two cores as on one.
func TestUnaryParallel(t *testing.T) {
	rng := rand.New(rand.NewPCG(12, 12))
	const n = 1<<17 + 5
	x, g := randn(rng, n), randn(rng, n)
	pos := New(n)
	Abs(pos, x)
	fs := []func(d *Tensor){
		func(d *Tensor) { Exp(d, x) }, func(d *Tensor) { Log(d, pos) }, func(d *Tensor) { Sqrt(d, pos) },
		func(d *Tensor) { Pow(d, pos, 1.7) }, func(d *Tensor) { PowBackward(d, g, pos, 1.7, Assign) },
		func(d *Tensor) { GELU(d, x) }, func(d *Tensor) { GELUBackward(d, g, x, Assign) },
		func(d *Tensor) { GELUTanh(d, x) }, func(d *Tensor) { GELUTanhBackward(d, g, x, Assign) },
		func(d *Tensor) { SiLU(d, x) }, func(d *Tensor) { SiLUBackward(d, g, x, Assign) },
		func(d *Tensor) { AbsBackward(d, g, x, Assign) }, func(d *Tensor) { SqrtBackward(d, g, pos, Assign) },
		func(d *Tensor) { MSELossBackward(d, x, g, 3, ReduceSum, Assign) },
	}
	run := func(procs int) [][]float32 {
		old := runtime.GOMAXPROCS(procs)
		defer runtime.GOMAXPROCS(old)
		var out [][]float32
		for _, f := range fs {
			d := New(n)
			f(d)
			out = append(out, d.data)
		}
		return out
	}
	one, two := run(1), run(2)
	for k := range one {
		if !slices.Equal(one[k], two[k]) {
			t.Errorf("function %d differs between one core and two", k)
		}
	}
	// Spot values of the formulas.
	for _, c := range []struct {
		name string
		f    func(d, x *Tensor)
		x    float32
		want float64
	}{
		{"GELU", GELU, 1, 0.8413447460685429},
		{"GELUTanh", GELUTanh, 1, 0.8411919906082768},
		{"SiLU", SiLU, -2, -2 / (1 + math.Exp(2))},
		{"Pow", func(d, x *Tensor) { Pow(d, x, 2.5) }, 4, 32},
		{"Log", Log, float32(math.E), 1},
	} {
		d := New(1)
		c.f(d, FromSlice([]float32{c.x}, 1))
		if !closeTo(d.data[0], c.want, 0, 1e-7) {
			t.Errorf("%s(%v) = %v, want %v", c.name, c.x, d.data[0], c.want)
		}
	}
}
