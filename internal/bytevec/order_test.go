package bytevec

import (
	"encoding/binary"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// hiddenBlocks returns an n×d matrix of bytes whose columns, taken in some order
// (returned), form blocks of 8 that are each nonzero with probability dense and zero
// otherwise; the last d mod 8 columns in that order are dense.
func hiddenBlocks(rng *rand.Rand, n, d int, dense float64) (p []uint8, hidden []int) {
	hidden = rng.Perm(d)
	p = make([]uint8, n*d)
	for i := range n {
		for j := 0; j < d; j += 8 {
			if j+8 <= d && rng.Float64() >= dense {
				continue
			}
			for _, c := range hidden[j:min(j+8, d)] {
				p[i*d+c] = uint8(1 + rng.IntN(255))
			}
		}
	}
	return p, hidden
}

// keptBlocks counts the nonzero blocks of 8 columns of p's rows, columns in the given order.
func keptBlocks(p []uint8, n, d int, order []int) int {
	k := 0
	row := make([]uint8, d)
	for i := range n {
		for j, c := range order {
			row[j] = p[i*d+c]
		}
		for j := 0; j+8 <= d; j += 8 {
			if binary.LittleEndian.Uint64(row[j:]) != 0 {
				k++
			}
		}
	}
	return k
}

// TestBlockOrder checks that BlockOrder finds blocks hidden by a permutation of the
// columns (as few nonzero blocks as the hidden order), and returns nil where the columns'
// own order is as good, for too few columns and for no rows.
func TestBlockOrder(t *testing.T) {
	rng := rand.New(rand.NewPCG(41, 42))
	for _, d := range []int{16, 37, 200, 784} {
		const n = 5000
		p, hidden := hiddenBlocks(rng, n, d, 0.3)
		order := BlockOrder(p, n, d)
		if order == nil {
			t.Fatalf("d=%d: nil order for hidden blocks", d)
		}
		sorted := slices.Clone(order)
		slices.Sort(sorted)
		for j, c := range sorted {
			if c != j {
				t.Fatalf("d=%d: order %v is not a permutation", d, order)
			}
		}
		natural := make([]int, d)
		for j := range natural {
			natural[j] = j
		}
		got, want := keptBlocks(p, n, d, order), keptBlocks(p, n, d, hidden)
		if got != want {
			t.Errorf("d=%d: %d nonzero blocks in the order found, %d in the hidden one (%d in p's)",
				d, got, want, keptBlocks(p, n, d, natural))
		}
		if b := NewBlocks(p, n, d, order); b.Kept() != float64(got)/float64(n*(d/8)) {
			t.Errorf("d=%d: NewBlocks kept %v of the blocks, want %d of %d", d, b.Kept(), got, n*(d/8))
		}
		if again := BlockOrder(p, n, d); !slices.Equal(again, order) {
			t.Errorf("d=%d: a second call gave another order", d)
		}
	}
	for _, c := range []struct {
		name string
		p    []uint8
		n, d int
	}{
		{"aligned blocks", sparseBytes(rng, 500, 784, 0.6), 500, 784},
		{"15 columns", randBytes(rng, 10*15), 10, 15},
		{"no rows", nil, 0, 784},
		{"2049 columns", make([]uint8, 2*2049), 2, 2049},
	} {
		if order := BlockOrder(c.p, c.n, c.d); order != nil {
			t.Errorf("%s: order %v, want nil", c.name, order[:min(len(order), 16)])
		}
	}
}

// TestBlocksOrdered checks Blocks stored in another order of the columns: Dots and Axpys
// on vectors in that order against Dot and Axpy on p's rows to 1e-12, and the panics on
// orders that are not permutations.
func TestBlocksOrdered(t *testing.T) {
	checkImpl(t)
	rng := rand.New(rand.NewPCG(43, 44))
	for _, d := range []int{16, 37, 784} {
		const n = 31
		p := sparseBytes(rng, n, d, 0.6)
		order := rng.Perm(d)
		b := NewBlocks(p, n, d, order)
		w, y := make([]float64, d), make([]float64, d)
		for j := range w {
			w[j], y[j] = rng.NormFloat64(), rng.NormFloat64()
		}
		wo, yo := make([]float64, d), make([]float64, d)
		for j, c := range order {
			wo[j], yo[j] = w[c], y[c]
		}
		z, a := make([]float64, n), make([]float64, n)
		for i := range a {
			a[i] = rng.NormFloat64()
		}
		b.Dots(z, 1, wo, 0, n)
		b.Axpys(yo, 0.5, a, 1, 0, n)
		for i := range n {
			want := Dot(p[i*d:(i+1)*d], w)
			if math.Abs(z[i]-want) > 1e-12*(1+math.Abs(want)) {
				t.Fatalf("d=%d Dots row %d: %v, Dot %v", d, i, z[i], want)
			}
			Axpy(y, 0.5*a[i], p[i*d:(i+1)*d])
		}
		for j, c := range order {
			if math.Abs(yo[j]-y[c]) > 1e-12*(1+math.Abs(y[c])) {
				t.Fatalf("d=%d Axpys column %d: %v, Axpy %v", d, c, yo[j], y[c])
			}
		}
	}
	for name, order := range map[string][]int{
		"short":     {0, 1, 2},
		"repeated":  {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 14},
		"too large": {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 16},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			NewBlocks(make([]uint8, 2*16), 2, 16, order)
		}()
	}
	func() {
		defer func() {
			if recover() == nil {
				t.Errorf("BlockOrder with a short p: no panic")
			}
		}()
		BlockOrder(make([]uint8, 5), 2, 3)
	}()
}

// BenchmarkBlockOrder times BlockOrder on 60000×784 bytes with hidden blocks.
func BenchmarkBlockOrder(b *testing.B) {
	p, _ := hiddenBlocks(rand.New(rand.NewPCG(45, 46)), 60000, 784, 0.4)
	for b.Loop() {
		BlockOrder(p, 60000, 784)
	}
	b.ReportMetric(float64(keptBlocks(p, 60000, 784, BlockOrder(p, 60000, 784)))/60000, "blocks/row")
}
