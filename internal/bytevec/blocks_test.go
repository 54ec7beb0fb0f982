package bytevec

import (
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"testing"
)

// sparseBytes returns an n×d matrix of random bytes whose blocks of 8 columns are zero
// with probability zero, as are its rows with probability zero/4.
func sparseBytes(rng *rand.Rand, n, d int, zero float64) []uint8 {
	p := randBytes(rng, n*d)
	for i := range n {
		row := p[i*d : (i+1)*d]
		if rng.Float64() < zero/4 {
			clear(row)
			continue
		}
		for j := 0; j+8 <= d; j += 8 {
			if rng.Float64() < zero {
				clear(row[j : j+8])
			}
		}
	}
	return p
}

// TestBlocks checks Blocks on matrices of every width up to 40 and some wider, sparse and
// dense, over sub-ranges of rows, with values stride apart: the kernels (assembly where it
// runs) against their Go twins bit for bit, Axpys against Axpy row by row bit for bit, and
// Dots against Dot to a few ulps; nothing outside the operands is written.
func TestBlocks(t *testing.T) {
	checkImpl(t)
	rng := rand.New(rand.NewPCG(25, 26))
	widths := []int{}
	for d := 0; d <= 40; d++ {
		widths = append(widths, d)
	}
	widths = append(widths, 784, 1001)
	for _, d := range widths {
		for _, zero := range []float64{0, 0.6, 1} {
			const n = 23
			p := sparseBytes(rng, n, d, zero)
			b := NewBlocks(p, n, d, nil)
			for _, r := range [][2]int{{0, n}, {3, 4}, {5, 17}, {n, n}} {
				lo, hi := r[0], r[1]
				for _, stride := range []int{1, 3} {
					what := fmt.Sprintf("d=%d zero %v rows %d:%d stride %d", d, zero, lo, hi, stride)
					wAll, w := guarded(rng, d)
					zAll, z := guarded(rng, max(0, (hi-lo-1)*stride+1))
					b.Dots(z, stride, w, lo, hi)
					checkBands(t, wAll, "Dots "+what)
					checkBands(t, zAll, "Dots "+what)
					for i := lo; i < hi; i++ {
						want := Dot(p[i*d:(i+1)*d], w)
						if got := z[(i-lo)*stride]; math.Abs(got-want) > 1e-12*(1+math.Abs(want)) {
							t.Fatalf("Dots %s row %d: %v, Dot %v", what, i, got, want)
						}
					}
					if hi > lo {
						k0 := b.start[lo]
						m := d &^ 7
						got := make([]float64, len(z))
						twin := make([]float64, len(z))
						blockDots(got, stride, b.vals[8*k0:], b.ids[k0:], b.start[lo:hi+1], w[:m])
						blockDotsGo(twin, stride, b.vals[8*k0:], b.ids[k0:], b.start[lo:hi+1], w[:m])
						sameBits(t, "blockDots "+what, got, twin)
					}

					a := make([]float64, len(z))
					for i := range a {
						a[i] = rng.NormFloat64()
					}
					scale := 1.0 / 255
					yAll, y := guarded(rng, d)
					ref := append([]float64(nil), y...)
					b.Axpys(y, scale, a, stride, lo, hi)
					checkBands(t, yAll, "Axpys "+what)
					for i := lo; i < hi; i++ {
						Axpy(ref, scale*a[(i-lo)*stride], p[i*d:(i+1)*d])
					}
					sameBits(t, "Axpys "+what, y, ref)
				}
			}
		}
	}
}

// TestBlocksLayout checks what NewBlocks keeps: the nonzero blocks only, and a copy.
func TestBlocksLayout(t *testing.T) {
	p := make([]uint8, 3*20)
	p[0] = 1     // row 0, block 0
	p[15] = 2    // row 0, block 1
	p[20+17] = 3 // row 1's tail
	p[40+8] = 4  // row 2, block 1
	b := NewBlocks(p, 3, 20, nil)
	if got, want := fmt.Sprint(b.start, b.ids, len(b.vals), b.tail), "[0 2 2 3] [0 8 8] 24 [0 0 0 0 0 3 0 0 0 0 0 0]"; got != want {
		t.Fatalf("layout %s, want %s", got, want)
	}
	if got := b.Kept(); got != 0.5 {
		t.Errorf("Kept() = %v, want 3/6", got)
	}
	p[0] = 9
	if b.vals[0] != 1 {
		t.Errorf("NewBlocks did not copy p")
	}
}

// TestBlocksByLength checks ByLength on sparse matrices with a tail of columns and on an
// empty one: the order is a permutation, by nondecreasing number of kept blocks, stable,
// and the matrix returned is the one NewBlocks makes of the rows in that order.
func TestBlocksByLength(t *testing.T) {
	rng := rand.New(rand.NewPCG(41, 42))
	for _, c := range []struct{ n, d int }{{0, 16}, {1, 8}, {57, 37}, {200, 64}, {31, 5}} {
		p := sparseBytes(rng, c.n, c.d, 0.5)
		order := rng.Perm(c.d)
		b := NewBlocks(p, c.n, c.d, order)
		sorted, rows := b.ByLength()
		kept := func(i int) int { return b.start[i+1] - b.start[i] }
		seen := make([]bool, c.n)
		for j, i := range rows {
			if i < 0 || i >= c.n || seen[i] {
				t.Fatalf("%dx%d: order %v is not a permutation", c.n, c.d, rows)
			}
			seen[i] = true
			if j > 0 && (kept(rows[j-1]) > kept(i) || kept(rows[j-1]) == kept(i) && rows[j-1] > i) {
				t.Fatalf("%dx%d: row %d (%d blocks) after row %d (%d)", c.n, c.d, i, kept(i), rows[j-1], kept(rows[j-1]))
			}
		}
		q := make([]uint8, 0, len(p))
		for _, i := range rows {
			q = append(q, p[i*c.d:(i+1)*c.d]...)
		}
		if want := NewBlocks(q, c.n, c.d, order); !reflect.DeepEqual(sorted, want) {
			t.Fatalf("%dx%d: ByLength is not NewBlocks of the rows in its order", c.n, c.d)
		}
	}
}

// TestBlocksWidest checks Blocks on rows of MaxBlockCols columns, whose last block's
// column offset is the largest that 16 bits hold: Dots and Axpys against their Go twins
// and against Dot and Axpy.
func TestBlocksWidest(t *testing.T) {
	checkImpl(t)
	rng := rand.New(rand.NewPCG(29, 30))
	const n, d = 2, MaxBlockCols
	p := sparseBytes(rng, n, d, 0.9)
	for i := range n {
		p[i*d+d-1] = uint8(1 + i) // each row's last block is kept
	}
	b := NewBlocks(p, n, d, nil)
	if got, want := int(b.ids[len(b.ids)-1]), d-8; got != want {
		t.Fatalf("last block at column %d, want %d", got, want)
	}
	w := make([]float64, d)
	for j := range w {
		w[j] = rng.NormFloat64()
	}
	z, twin := make([]float64, n), make([]float64, n)
	b.Dots(z, 1, w, 0, n)
	blockDotsGo(twin, 1, b.vals, b.ids, b.start, w)
	sameBits(t, "blockDots", z, twin)
	for i := range n {
		if want := Dot(p[i*d:(i+1)*d], w); math.Abs(z[i]-want) > 1e-12*(1+math.Abs(want)) {
			t.Errorf("Dots row %d: %v, Dot %v", i, z[i], want)
		}
	}
	a := []float64{0.5, -2}
	y, ref := make([]float64, d), make([]float64, d)
	b.Axpys(y, 1, a, 1, 0, n)
	for i := range n {
		Axpy(ref, a[i], p[i*d:(i+1)*d])
	}
	sameBits(t, "Axpys", y, ref)
}

// TestBlocksDotsN checks DotsN against Dots vector by vector bit for bit, for every count
// of vectors up to 12 (five at a time and the rest alone), vectors further apart than the
// width, values stride apart, on widths with and without a tail and rows of any number of
// kept blocks; nothing outside z is written. With the assembly, blockDots5 is also checked
// against its twin.
func TestBlocksDotsN(t *testing.T) {
	checkImpl(t)
	rng := rand.New(rand.NewPCG(29, 30))
	for _, d := range []int{5, 8, 13, 64, 100, 784} {
		const n = 37
		p := sparseBytes(rng, n, d, 0.5)
		b := NewBlocks(p, n, d, nil)
		for m := 1; m <= 12; m++ {
			ld := d + 3
			w := make([]float64, (m-1)*ld+d)
			for i := range w {
				w[i] = rng.NormFloat64()
			}
			for _, r := range [][2]int{{0, n}, {4, 5}, {n, n}} {
				lo, hi := r[0], r[1]
				stride := m + 2
				what := fmt.Sprintf("d=%d m=%d rows %d:%d", d, m, lo, hi)
				zAll, z := guarded(rng, max(0, (hi-lo-1)*stride+m))
				b.DotsN(z, stride, w, ld, m, lo, hi)
				checkBands(t, zAll, "DotsN "+what)
				for k := range m * min(1, hi-lo) {
					want := make([]float64, len(z))
					copy(want, z)
					b.Dots(want[k:], stride, w[k*ld:k*ld+d], lo, hi)
					sameBits(t, fmt.Sprintf("DotsN %s vector %d", what, k), z, want)
				}
				if hi > lo && m >= 5 && d >= 8 {
					k0 := b.start[lo]
					got, twin := make([]float64, len(z)), make([]float64, len(z))
					blockDots5(got, stride, b.vals[8*k0:], b.ids[k0:], b.start[lo:hi+1], w, ld, d&^7)
					blockDots5Go(twin, stride, b.vals[8*k0:], b.ids[k0:], b.start[lo:hi+1], w, ld, d&^7)
					sameBits(t, "blockDots5 "+what, got, twin)
				}
			}
		}
	}
}

// TestBlocksAxpysN checks AxpysN against Axpys vector by vector bit for bit, as
// TestBlocksDotsN checks DotsN; nothing outside y's vectors is written, even between them.
func TestBlocksAxpysN(t *testing.T) {
	checkImpl(t)
	rng := rand.New(rand.NewPCG(31, 32))
	for _, d := range []int{5, 8, 13, 64, 100, 784} {
		const n = 37
		p := sparseBytes(rng, n, d, 0.5)
		b := NewBlocks(p, n, d, nil)
		for m := 1; m <= 12; m++ {
			ld := d + 3
			for _, r := range [][2]int{{0, n}, {4, 5}, {n, n}} {
				lo, hi := r[0], r[1]
				stride := m + 2
				what := fmt.Sprintf("d=%d m=%d rows %d:%d", d, m, lo, hi)
				a := make([]float64, max(0, (hi-lo-1)*stride+m))
				for i := range a {
					a[i] = rng.NormFloat64()
				}
				yAll, y := guarded(rng, (m-1)*ld+d)
				for k := range m - 1 { // the gaps between the vectors must stay as they are
					for j := k*ld + d; j < (k+1)*ld; j++ {
						y[j] = 12345
					}
				}
				want := append([]float64(nil), y...)
				b.AxpysN(y, ld, m, 1.0/255, a, stride, lo, hi)
				checkBands(t, yAll, "AxpysN "+what)
				for k := range m * min(1, hi-lo) {
					b.Axpys(want[k*ld:k*ld+d], 1.0/255, a[k:], stride, lo, hi)
				}
				for j := range y {
					if math.Float64bits(y[j]) != math.Float64bits(want[j]) && !(math.IsNaN(y[j]) && math.IsNaN(want[j])) {
						t.Fatalf("AxpysN %s: element %d is %v, Axpys gives %v", what, j, y[j], want[j])
					}
				}
				if hi > lo && m >= 5 && d >= 8 {
					k0 := b.start[lo]
					got := append([]float64(nil), want...)
					twin := append([]float64(nil), want...)
					blockAxpys5(got, ld, 0.5, a, stride, b.vals[8*k0:], b.ids[k0:], b.start[lo:hi+1], d&^7)
					blockAxpys5Go(twin, ld, 0.5, a, stride, b.vals[8*k0:], b.ids[k0:], b.start[lo:hi+1], d&^7)
					for j := range got {
						if math.Float64bits(got[j]) != math.Float64bits(twin[j]) && !(math.IsNaN(got[j]) && math.IsNaN(twin[j])) {
							t.Fatalf("blockAxpys5 %s: element %d is %v, the twin's %v", what, j, got[j], twin[j])
						}
					}
				}
			}
		}
	}
}

// TestBlocksPanics checks the panics on bad arguments.
func TestBlocksPanics(t *testing.T) {
	b := NewBlocks(make([]uint8, 4*16), 4, 16, nil)
	for name, f := range map[string]func(){
		"len(p)":      func() { NewBlocks(make([]uint8, 5), 2, 3, nil) },
		"columns":     func() { NewBlocks(nil, 0, MaxBlockCols+1, nil) },
		"rows":        func() { b.Dots(make([]float64, 8), 1, make([]float64, 16), 2, 5) },
		"short w":     func() { b.Dots(make([]float64, 8), 1, make([]float64, 15), 0, 4) },
		"short z":     func() { b.Dots(make([]float64, 3), 1, make([]float64, 16), 0, 4) },
		"short a":     func() { b.Axpys(make([]float64, 16), 1, make([]float64, 6), 2, 0, 4) },
		"zero stride": func() { b.Axpys(make([]float64, 16), 1, make([]float64, 6), 0, 0, 4) },
		"DotsN m":     func() { b.DotsN(make([]float64, 8), 2, make([]float64, 16), 16, 0, 0, 4) },
		"DotsN ld":    func() { b.DotsN(make([]float64, 8), 2, make([]float64, 32), 15, 2, 0, 4) },
		"DotsN w":     func() { b.DotsN(make([]float64, 8), 2, make([]float64, 31), 16, 2, 0, 4) },
		"DotsN z":     func() { b.DotsN(make([]float64, 7), 2, make([]float64, 32), 16, 2, 0, 4) },
		"AxpysN m":    func() { b.AxpysN(make([]float64, 16), 16, 0, 1, make([]float64, 8), 2, 0, 4) },
		"AxpysN ld":   func() { b.AxpysN(make([]float64, 32), 15, 2, 1, make([]float64, 8), 2, 0, 4) },
		"AxpysN y":    func() { b.AxpysN(make([]float64, 31), 16, 2, 1, make([]float64, 8), 2, 0, 4) },
		"AxpysN a":    func() { b.AxpysN(make([]float64, 32), 16, 2, 1, make([]float64, 7), 2, 0, 4) },
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

// BenchmarkBlocks times Dots and Axpys over 60000×784 random bytes with 60% of their
// blocks zero (as MNIST's images), 8 rows at a time as package problem's passes run them,
// against Dot4 and Axpy4 over the same bytes. The bytes per second are the dense matrix's.
func BenchmarkBlocks(b *testing.B) {
	const n, d, rows = 60000, 784, 8
	rng := rand.New(rand.NewPCG(27, 28))
	p := sparseBytes(rng, n, d, 0.6)
	blk := NewBlocks(p, n, d, nil)
	w := make([]float64, d)
	for j := range w {
		w[j] = rng.NormFloat64()
	}
	z, a := make([]float64, rows), make([]float64, rows)
	for i := range a {
		a[i] = rng.NormFloat64()
	}
	b.Run("blocks/dots", func(b *testing.B) {
		b.SetBytes(n * d)
		for b.Loop() {
			for lo := 0; lo < n; lo += rows {
				blk.Dots(z, 1, w, lo, lo+rows)
			}
		}
	})
	b.Run("blocks/axpys", func(b *testing.B) {
		b.SetBytes(n * d)
		for b.Loop() {
			for lo := 0; lo < n; lo += rows {
				blk.Axpys(w, 1e-9, a, 1, lo, lo+rows)
			}
		}
	})
	const m = 10
	wm := make([]float64, m*d)
	for j := range wm {
		wm[j] = rng.NormFloat64()
	}
	zm := make([]float64, rows*m)
	b.Run("blocks/dots10", func(b *testing.B) {
		b.SetBytes(n * d * m)
		for b.Loop() {
			for lo := 0; lo < n; lo += rows {
				for k := range m {
					blk.Dots(zm[k:], m, wm[k*d:(k+1)*d], lo, lo+rows)
				}
			}
		}
	})
	b.Run("blocks/dotsN10", func(b *testing.B) {
		b.SetBytes(n * d * m)
		for b.Loop() {
			for lo := 0; lo < n; lo += rows {
				blk.DotsN(zm, m, wm, d, m, lo, lo+rows)
			}
		}
	})
	am := make([]float64, rows*m)
	for i := range am {
		am[i] = rng.NormFloat64()
	}
	b.Run("blocks/axpys10", func(b *testing.B) {
		b.SetBytes(n * d * m)
		for b.Loop() {
			for lo := 0; lo < n; lo += rows {
				for k := range m {
					blk.Axpys(wm[k*d:(k+1)*d], 1e-9, am[k:], m, lo, lo+rows)
				}
			}
		}
	})
	b.Run("blocks/axpysN10", func(b *testing.B) {
		b.SetBytes(n * d * m)
		for b.Loop() {
			for lo := 0; lo < n; lo += rows {
				blk.AxpysN(wm, d, m, 1e-9, am, m, lo, lo+rows)
			}
		}
	})
	var out, a4 [4]float64
	b.Run("dense/dot4", func(b *testing.B) {
		b.SetBytes(n * d)
		for b.Loop() {
			for lo := 0; lo < n; lo += 4 {
				Dot4(&out, p[lo*d:(lo+4)*d], d, w)
			}
		}
	})
	b.Run("dense/axpy4", func(b *testing.B) {
		b.SetBytes(n * d)
		for b.Loop() {
			for lo := 0; lo < n; lo += 4 {
				Axpy4(w, &a4, p[lo*d:(lo+4)*d], d)
			}
		}
	})
}

// BenchmarkBlocksRowLengths times Dots over 60000 rows of 784 bytes whose kept blocks
// number 26 to 38 a row (MNIST's images keep 30.5 on average in BlockOrder's order), 48
// rows a call as package problem's passes run them: in random order, sorted by their
// number of blocks (the loops' exits then predictable from row to row), and all of 32
// blocks for comparison. It reports ns per kept block.
func BenchmarkBlocksRowLengths(b *testing.B) {
	const n, d, rows = 60000, 784, 48
	for _, tc := range []struct {
		name  string
		count func(rng *rand.Rand, i int) int
	}{
		{"random", func(rng *rand.Rand, _ int) int { return 26 + rng.IntN(13) }},
		{"sorted", func(_ *rand.Rand, i int) int { return 26 + 13*i/n }},
		{"fixed32", func(*rand.Rand, int) int { return 32 }},
	} {
		b.Run(tc.name, func(b *testing.B) {
			// The rows are made here, so that a -bench pattern that leaves this case out
			// does not pay for them.
			rng := rand.New(rand.NewPCG(1, 2))
			p := make([]uint8, n*d)
			for i := range n {
				for _, blk := range rng.Perm(d / 8)[:tc.count(rng, i)] {
					for j := range 8 {
						p[i*d+8*blk+j] = uint8(1 + rng.IntN(255))
					}
				}
			}
			blk := NewBlocks(p, n, d, nil)
			w, z := make([]float64, d), make([]float64, rows)
			for b.Loop() {
				for lo := 0; lo+rows <= n; lo += rows {
					blk.Dots(z, 1, w, lo, lo+rows)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(blk.ids)), "ns/block")
		})
	}
}
