package problem

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/descent-ml/descent/internal/testmnist"
)

// sparseImages returns n×d bytes whose blocks of 8 columns are zero with probability zero.
func sparseImages(rng *rand.Rand, n, d int, zero float64) []uint8 {
	p := randBytes(rng, n*d)
	for i := 0; i+8 <= len(p); i += 8 {
		if rng.Float64() < zero {
			clear(p[i : i+8])
		}
	}
	return p
}

// denseUint8 is the uint8Design of p that reads p itself, never its blocks.
func denseUint8(p []uint8, n, d int, scale float64) *uint8Design {
	return &uint8Design{n: n, d: d, p: p, scale: scale}
}

// shuffleColumns returns p (n×d) with its columns in a random order.
func shuffleColumns(rng *rand.Rand, p []uint8, n, d int) []uint8 {
	perm := rng.Perm(d)
	q := make([]uint8, len(p))
	for i := range n {
		for j, c := range perm {
			q[i*d+j] = p[i*d+c]
		}
	}
	return q
}

// TestUint8DesignBlocks checks when a uint8Design reads its bytes by blocks (at most
// blocksKept of them nonzero, at least 8 columns), when in another order of the columns
// (blocks hidden by a shuffle of the columns) and when in another order of the rows (rows
// of unequal numbers of kept blocks), and that the logistic and multinomial values,
// gradients (of all samples, of single samples and of a batch), samples' smoothness,
// Hessian-vector products and Hessians are then those of the dense kernels to 1e-13
// relative (the dot products are summed in another order), sample by sample.
func TestUint8DesignBlocks(t *testing.T) {
	rng := rand.New(rand.NewPCG(31, 32))
	for _, c := range []struct {
		d                     int
		zero                  float64
		shuffle               bool
		wantBlocks, wantOrder bool
		sameRows              bool // every row keeps as many blocks
	}{
		{784, 0.6, false, true, false, false}, {100, 0.5, false, true, false, false}, {37, 0.9, false, true, false, false},
		{784, 0.1, false, false, false, false}, {7, 1, false, false, false, false},
		{784, 0.7, true, true, true, false}, {37, 0.9, true, true, true, false},
		{64, 0.5, false, true, false, true},
	} {
		n := 203
		p := sparseImages(rng, n, c.d, c.zero)
		if c.sameRows {
			for i := range n {
				p[i*c.d] = 1 // one block a row
				clear(p[i*c.d+8 : (i+1)*c.d])
			}
		}
		if c.shuffle {
			p = shuffleColumns(rng, p, n, c.d)
		}
		x := newUint8Design(p, n, c.d, 1.0/255)
		what := fmt.Sprintf("d=%d zero %v shuffled %v", c.d, c.zero, c.shuffle)
		if got := x.blk != nil; got != c.wantBlocks {
			t.Fatalf("%s: reads blocks %v, want %v", what, got, c.wantBlocks)
		}
		if got := x.perm != nil; got != c.wantOrder {
			t.Fatalf("%s: reorders the columns %v, want %v", what, got, c.wantOrder)
		}
		if got, want := x.ord != nil, c.wantBlocks && !c.sameRows; got != want {
			t.Fatalf("%s: reorders the rows %v, want %v", what, got, want)
		}
		y := signs(rng, n)
		labels := make([]int, n)
		for i := range labels {
			labels[i] = rng.IntN(3)
		}
		for _, pair := range [][2]finiteSum{
			{newLogistic(x, y, 1e-3), newLogistic(denseUint8(p, n, c.d, 1.0/255), y, 1e-3)},
			{newMultinomial(x, labels, 3, 1e-3), newMultinomial(denseUint8(p, n, c.d, 1.0/255), labels, 3, 1e-3)},
		} {
			dim := pair[0].Dim()
			w, v := randPoint(rng, dim, 0.05), randPoint(rng, dim, 1)
			g, gd := make([]float64, dim), make([]float64, dim)
			close := func(name string, f, fd float64) {
				if math.Abs(f-fd) > 1e-13*math.Abs(fd) {
					t.Errorf("%s %T %s: %v, dense %v", what, pair[0], name, f, fd)
				}
				norm := 0.0
				for _, v := range gd {
					norm = math.Max(norm, math.Abs(v))
				}
				for j := range g {
					if math.Abs(g[j]-gd[j]) > 1e-13*norm {
						t.Fatalf("%s %T %s: [%d] = %v, dense %v", what, pair[0], name, j, g[j], gd[j])
					}
				}
			}
			close("ValueGrad", pair[0].ValueGrad(g, w), pair[1].ValueGrad(gd, w))
			idx := []int{5, 0, n - 1, 5}
			close("BatchValueGrad", pair[0].BatchValueGrad(g, w, idx), pair[1].BatchValueGrad(gd, w, idx))
			for _, i := range []int{0, 7, n / 2, n - 1} {
				name := fmt.Sprintf("SampleValueGrad(%d)", i)
				close(name, pair[0].SampleValueGrad(g, w, i), pair[1].SampleValueGrad(gd, w, i))
				close(fmt.Sprintf("SampleSmoothness(%d)", i), pair[0].SampleSmoothness(i), pair[1].SampleSmoothness(i))
			}
			pair[0].HessVec(g, w, v)
			pair[1].HessVec(gd, w, v)
			close("HessVec", 0, 0)
			if dim <= 400 {
				g, gd = make([]float64, dim*dim), make([]float64, dim*dim)
				pair[0].Hessian(g, w)
				pair[1].Hessian(gd, w)
				close("Hessian", 0, 0)
			}
		}
	}
}

// BenchmarkLogisticMNIST times one ValueGrad of the even/odd logistic regression on
// MNIST's 60000 training images, reading the pixels by their nonzero blocks and densely.
// It needs MNIST on the machine (see package testmnist).
func BenchmarkLogisticMNIST(b *testing.B) {
	data := testmnist.Data(b)
	p := MNISTEvenOdd(data.Train.Images, data.Train.Labels, 1e-3)
	dense := newLogistic(denseUint8(data.Train.Images, p.n, p.d, 1.0/255), p.y, 1e-3)
	b.Logf("blocks kept: %.3f", p.x.(*uint8Design).blk.Kept())
	for _, c := range []struct {
		name string
		p    *Logistic
	}{{"blocks", p}, {"dense", dense}} {
		b.Run(c.name, func(b *testing.B) {
			w, g := randPoint(rand.New(rand.NewPCG(1, 1)), p.d, 0.01), make([]float64, p.d)
			b.SetBytes(int64(len(data.Train.Images)))
			for b.Loop() {
				c.p.ValueGrad(g, w)
			}
		})
	}
}

// TestBlockFuncs checks that the rows method of each blockFunc gives the bits of row
// called on each row in turn, on blocks of every length up to 20 and some longer (past
// softmaxLoss's chunks of 64 rows), with values of every size and sign, zero included:
// the logistic loss (one value a row) and the softmax loss (three and ten), ties among a
// row's values included.
func TestBlockFuncs(t *testing.T) {
	rng := rand.New(rand.NewPCG(33, 34))
	n := 160
	lengths := []int{64, 65, 129, 150}
	for l := 20; l >= 0; l-- {
		lengths = append([]int{l}, lengths...)
	}
	y := signs(rng, n)
	labels := func(k int) []int {
		l := make([]int, n)
		for i := range l {
			l[i] = rng.IntN(k)
		}
		return l
	}
	for _, c := range []struct {
		f blockFunc
		m int
	}{{&logLoss{y: y}, 1}, {&softmaxLoss{label: labels(3), k: 3}, 3}, {&softmaxLoss{label: labels(10), k: 10}, 10}} {
		f, m := c.f, c.m
		for lo := 0; lo < 3; lo++ {
			for _, l := range lengths {
				hi := lo + l
				z := make([]float64, (hi-lo)*m)
				for i := range z {
					z[i] = rng.NormFloat64() * math.Pow(10, float64(rng.IntN(6)-2))
				}
				if len(z) > 0 {
					z[0] = 0
				}
				if len(z) >= 2*m && m > 1 {
					z[m+1] = z[m] // a tie in the second row
				}
				zc := append([]float64(nil), z...)
				r := make([]float64, len(z)+m) // longer than the block, as the engine's scratch
				s, prod := f.rows(lo, hi, append(z, make([]float64, m)...), r, 0.5, 1.5)
				ws, wprod := 0.5, 1.5
				for i := lo; i < hi; i++ {
					ri := make([]float64, m)
					a, tt := f.row(i, zc[(i-lo)*m:(i-lo+1)*m], ri)
					ws += a
					wprod *= 1 + tt
					for k := range m {
						if math.Float64bits(ri[k]) != math.Float64bits(r[(i-lo)*m+k]) {
							t.Fatalf("%T rows %d:%d: r[%d][%d] = %v, row's %v", f, lo, hi, i, k, r[(i-lo)*m+k], ri[k])
						}
					}
				}
				if math.Float64bits(s) != math.Float64bits(ws) || math.Float64bits(prod) != math.Float64bits(wprod) {
					t.Fatalf("%T rows %d:%d: (%v, %v), row by row (%v, %v)", f, lo, hi, s, prod, ws, wprod)
				}
			}
		}
	}
}

// TestArgmax4 checks argmax4 against argmax row by row on rows of 1 to 12 values with
// ties (small integers), signed zeros, infinities and NaNs.
func TestArgmax4(t *testing.T) {
	rng := rand.New(rand.NewPCG(35, 36))
	special := []float64{0, math.Copysign(0, -1), math.Inf(1), math.Inf(-1), math.NaN()}
	for k := 1; k <= 12; k++ {
		for trial := range 500 {
			z := make([]float64, 4*k)
			for i := range z {
				switch trial % 3 {
				case 0:
					z[i] = rng.NormFloat64()
				case 1:
					z[i] = float64(rng.IntN(3))
				default:
					z[i] = special[rng.IntN(len(special))]
				}
			}
			var tops [4]int
			argmax4(tops[:], z, k)
			for r := range 4 {
				if want := argmax(z[r*k : (r+1)*k]); tops[r] != want {
					t.Fatalf("k=%d row %v: argmax4 %d, argmax %d", k, z[r*k:(r+1)*k], tops[r], want)
				}
			}
		}
	}
}
