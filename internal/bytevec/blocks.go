package bytevec

import (
	"encoding/binary"
	"fmt"
	"slices"
)

// MaxBlockCols is the most columns a [Blocks] takes: the column offsets of its blocks are
// 16-bit.
const MaxBlockCols = 1 << 16

// Blocks holds a matrix of bytes, n rows of d columns, by the blocks of 8 columns
// (columns 8b to 8b+7 of a row, b < d/8) that are not all zero, and the last d mod 8
// columns of each row whole. On a sparse matrix such as MNIST's images, where 60% of the
// blocks are zero, its dot products and axpys cost the arithmetic and the memory traffic
// of the other 40% only.
//
// A zero block adds nothing to a dot product and leaves an axpy's y as it is (a fused
// multiply-add of 0 leaves a finite y unchanged), so [Blocks.Axpys] computes the bits of
// [Axpy] applied row by row (and of [Axpy4], which applies the rows in order), for finite
// coefficients. [Blocks.Dots] sums the blocks it keeps as [Dot] sums all of them, the k-th
// kept block of a row into vector k mod 4: the same sums, in another order, so not the
// same bits.
//
// A kept block is stored with the column offset of its first byte (16 bits, hence
// [MaxBlockCols]), which the kernels take as the index of its first weight: one load a
// block. Stored as the block's number, which they turned into a byte offset by shifts,
// L-BFGS on the even/odd logistic problem (descent minimize --problem logistic --method
// lbfgs --threads 1, AMD EPYC Zen 4, six runs of each alternately) took 0.978-1.087 s
// against 0.918-1.015 s with the offsets on AVX-512, and 1.130-1.472 s against 1.143-1.293
// s on AVX2 (medians 1.284 and 1.205), to the same f.
type Blocks struct {
	n, d  int
	start []int    // row i's kept blocks are k in start[i]:start[i+1]
	ids   []uint16 // kept block k covers columns ids[k] to ids[k]+7 of its row
	vals  []uint8  // kept block k's bytes are vals[8k:8k+8]
	tail  []uint8  // row i's last d mod 8 bytes are tail[i·(d mod 8):(i+1)·(d mod 8)]
}

// NewBlocks returns the n×d row-major matrix of bytes p by its nonzero blocks, its columns
// in the given order if order is not nil: column j of the matrix stored is column order[j]
// of p (see [BlockOrder]), and [Blocks.Dots] and [Blocks.Axpys] take their vectors in that
// order. It copies what it keeps: p may change afterwards. It panics if len(p) ≠ n·d,
// d > [MaxBlockCols] or order is not nil and not a permutation of 0, …, d−1.
func NewBlocks(p []uint8, n, d int, order []int) *Blocks {
	if n < 0 || d < 0 || len(p) != n*d {
		panic(fmt.Sprintf("bytevec: NewBlocks: len(p) = %d, want %d×%d", len(p), n, d))
	}
	if d > MaxBlockCols {
		panic(fmt.Sprintf("bytevec: NewBlocks: %d columns, at most %d", d, MaxBlockCols))
	}
	var scratch []uint8
	if order != nil {
		checkPerm(order, d)
		scratch = make([]uint8, d)
	}
	// row returns row i of the matrix stored.
	row := func(i int) []uint8 {
		r := p[i*d : (i+1)*d]
		if order == nil {
			return r
		}
		for j, c := range order {
			scratch[j] = r[c]
		}
		return scratch
	}
	nb, t := d/8, d%8
	b := &Blocks{n: n, d: d, start: make([]int, n+1), tail: make([]uint8, n*t)}
	for i := range n {
		r := row(i)
		kept := 0
		for j := 0; j+8 <= 8*nb; j += 8 {
			if binary.LittleEndian.Uint64(r[j:]) != 0 {
				kept++
			}
		}
		b.start[i+1] = b.start[i] + kept
	}
	b.ids, b.vals = make([]uint16, b.start[n]), make([]uint8, 8*b.start[n])
	k := 0
	for i := range n {
		r := row(i)
		for j := range nb {
			if v := binary.LittleEndian.Uint64(r[8*j:]); v != 0 {
				b.ids[k] = uint16(8 * j)
				binary.LittleEndian.PutUint64(b.vals[8*k:], v)
				k++
			}
		}
		copy(b.tail[i*t:(i+1)*t], r[8*nb:])
	}
	return b
}

// checkPerm panics unless order is a permutation of 0, …, d−1.
func checkPerm(order []int, d int) {
	if len(order) != d {
		panic(fmt.Sprintf("bytevec: NewBlocks: an order of %d columns for %d", len(order), d))
	}
	seen := make([]bool, d)
	for _, c := range order {
		if c < 0 || c >= d || seen[c] {
			panic(fmt.Sprintf("bytevec: NewBlocks: order is not a permutation (column %d)", c))
		}
		seen[c] = true
	}
}

// ByLength returns b with its rows in the order of their number of kept blocks, fewest
// first (rows of as many in their order in b), and that order: row j of the matrix
// returned is row order[j] of b. The kernels run fastest on rows so ordered, where the
// number of a loop's turns is the same from row to row and its exit is predicted: on rows
// of 26 to 38 kept blocks (BenchmarkBlocksRowLengths, AMD EPYC Zen 4), Dots took
// 0.95-1.06 ns a block sorted against 1.12-1.51 in random order on AVX2, 0.75-0.87 against
// 0.82-0.85 on AVX-512.
func (b *Blocks) ByLength() (sorted *Blocks, order []int) {
	order = make([]int, b.n)
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(i, j int) int {
		return (b.start[i+1] - b.start[i]) - (b.start[j+1] - b.start[j])
	})
	t := b.d % 8
	sorted = &Blocks{n: b.n, d: b.d, start: make([]int, b.n+1), ids: make([]uint16, len(b.ids)),
		vals: make([]uint8, len(b.vals)), tail: make([]uint8, len(b.tail))}
	for j, i := range order {
		k0, k1, k := b.start[i], b.start[i+1], sorted.start[j]
		sorted.start[j+1] = k + k1 - k0
		copy(sorted.ids[k:], b.ids[k0:k1])
		copy(sorted.vals[8*k:], b.vals[8*k0:8*k1])
		copy(sorted.tail[j*t:(j+1)*t], b.tail[i*t:(i+1)*t])
	}
	return sorted, order
}

// Rows returns n, the number of rows.
func (b *Blocks) Rows() int { return b.n }

// Cols returns d, the number of columns.
func (b *Blocks) Cols() int { return b.d }

// Kept returns the fraction of the blocks of 8 columns that are not zero (0 if there are
// no blocks).
func (b *Blocks) Kept() float64 {
	if all := b.n * (b.d / 8); all > 0 {
		return float64(len(b.ids)) / float64(all)
	}
	return 0
}

// checkRows panics unless 0 ≤ lo ≤ hi ≤ n, len(v) ≥ d and s has room for (hi−lo) values
// stride apart.
func (b *Blocks) checkRows(name string, v []float64, s []float64, stride, lo, hi int) {
	if lo < 0 || lo > hi || hi > b.n {
		panic(fmt.Sprintf("bytevec: Blocks.%s: rows %d:%d of %d", name, lo, hi, b.n))
	}
	if len(v) < b.d {
		panic(fmt.Sprintf("bytevec: Blocks.%s: vector of %d for %d columns", name, len(v), b.d))
	}
	if stride < 1 || hi > lo && len(s) < (hi-lo-1)*stride+1 {
		panic(fmt.Sprintf("bytevec: Blocks.%s: %d values for %d rows %d apart", name, len(s), hi-lo, stride))
	}
}

// checkN panics unless m ≥ 1, ld ≥ d, v holds m vectors of d values ld apart, rows lo to
// hi−1 exist, and s has room for hi−lo rows of m values stride apart.
func (b *Blocks) checkN(name string, v []float64, ld, m int, s []float64, stride, lo, hi int) {
	if m < 1 || ld < b.d || len(v) < (m-1)*ld+b.d {
		panic(fmt.Sprintf("bytevec: Blocks.%s: %d values for %d vectors %d apart of %d columns", name, len(v), m, ld, b.d))
	}
	b.checkRows(name, v, s, stride, lo, hi)
	if hi > lo && len(s) < (hi-lo-1)*stride+m {
		panic(fmt.Sprintf("bytevec: Blocks.%s: %d values for %d rows of %d, %d apart", name, len(s), hi-lo, m, stride))
	}
}

// rowBlocks returns the kept blocks of rows lo to hi−1 (their bytes, column offsets and
// starts, as the kernels take them) and the columns they cover, d rounded down to 8.
func (b *Blocks) rowBlocks(lo, hi int) (vals []uint8, ids []uint16, start []int, d8 int) {
	k0 := b.start[lo]
	return b.vals[8*k0:], b.ids[k0:], b.start[lo : hi+1], b.d &^ 7
}

// Dots sets z[(i−lo)·stride] to the dot product of row i with w, Σⱼ float64(xᵢⱼ)·w[j], for
// lo ≤ i < hi: the kept blocks summed as the type's doc says, then the last d mod 8
// columns as [Dot] sums them. It panics if len(w) < d or z is too short.
func (b *Blocks) Dots(z []float64, stride int, w []float64, lo, hi int) {
	b.checkRows("Dots", w, z, stride, lo, hi)
	if lo == hi {
		return
	}
	vals, ids, start, d8 := b.rowBlocks(lo, hi)
	blockDots(z, stride, vals, ids, start, w[:d8])
	if t := b.d % 8; t > 0 {
		wt := w[b.d-t : b.d]
		for i := lo; i < hi; i++ {
			z[(i-lo)*stride] += dotTail(b.tail[i*t:(i+1)*t], wt)
		}
	}
}

// DotsN is [Blocks.Dots] for the m weight vectors w[k·ld:k·ld+d], k < m: it sets
// z[(i−lo)·stride+k] to the dot product of row i with vector k, the bits of m calls of
// Dots. On AVX-512 it takes the vectors five at a time, each kept block read and widened
// once for the five, which Dots does for each. It panics unless m ≥ 1, ld ≥ d,
// len(w) ≥ (m−1)·ld+d, and z has room for (hi−lo) rows of m values stride apart.
func (b *Blocks) DotsN(z []float64, stride int, w []float64, ld, m, lo, hi int) {
	b.checkN("DotsN", w, ld, m, z, stride, lo, hi)
	if lo == hi {
		return
	}
	vals, ids, start, d8 := b.rowBlocks(lo, hi)
	k := 0
	for ; k+5 <= m; k += 5 {
		blockDots5(z[k:], stride, vals, ids, start, w[k*ld:], ld, d8)
	}
	for ; k < m; k++ {
		blockDots(z[k:], stride, vals, ids, start, w[k*ld:k*ld+d8])
	}
	if t := b.d % 8; t > 0 {
		for k := range m {
			wt := w[k*ld+b.d-t : k*ld+b.d]
			for i := lo; i < hi; i++ {
				z[(i-lo)*stride+k] += dotTail(b.tail[i*t:(i+1)*t], wt)
			}
		}
	}
}

// Axpys adds (scale·a[(i−lo)·stride])·float64(xᵢⱼ) to y[j], j < d, for lo ≤ i < hi, the rows
// in order, each term a fused multiply-add on the kept blocks and a product and a sum on
// the last d mod 8 columns, as [Axpy] adds them. It panics if len(y) < d or a is too
// short.
func (b *Blocks) Axpys(y []float64, scale float64, a []float64, stride int, lo, hi int) {
	b.checkRows("Axpys", y, a, stride, lo, hi)
	if lo == hi {
		return
	}
	vals, ids, start, d8 := b.rowBlocks(lo, hi)
	blockAxpys(y[:d8], scale, a, stride, vals, ids, start)
	if t := b.d % 8; t > 0 {
		yt := y[b.d-t : b.d]
		for i := lo; i < hi; i++ {
			axpyTail(yt, scale*a[(i-lo)*stride], b.tail[i*t:(i+1)*t])
		}
	}
}

// AxpysN is [Blocks.Axpys] for the m vectors y[k·ld:k·ld+d], k < m, with the coefficients
// a[(i−lo)·stride+k]: the bits of m calls of Axpys. On AVX-512 and AVX2 it takes the
// vectors five at a time, each kept block read and widened once for the five, which Axpys
// does for each. It panics unless m ≥ 1, ld ≥ d, len(y) ≥ (m−1)·ld+d, and a has room for (hi−lo)
// rows of m coefficients stride apart.
func (b *Blocks) AxpysN(y []float64, ld, m int, scale float64, a []float64, stride int, lo, hi int) {
	b.checkN("AxpysN", y, ld, m, a, stride, lo, hi)
	if lo == hi {
		return
	}
	vals, ids, start, d8 := b.rowBlocks(lo, hi)
	k := 0
	for ; k+5 <= m; k += 5 {
		blockAxpys5(y[k*ld:], ld, scale, a[k:], stride, vals, ids, start, d8)
	}
	for ; k < m; k++ {
		blockAxpys(y[k*ld:k*ld+d8], scale, a[k:], stride, vals, ids, start)
	}
	if t := b.d % 8; t > 0 {
		for k := range m {
			yt := y[k*ld+b.d-t : k*ld+b.d]
			for i := lo; i < hi; i++ {
				axpyTail(yt, scale*a[(i-lo)*stride+k], b.tail[i*t:(i+1)*t])
			}
		}
	}
}
