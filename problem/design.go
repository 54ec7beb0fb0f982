package problem

import (
	"math"

	"github.com/descent-ml/descent/internal/bytevec"
	"github.com/descent-ml/descent/internal/parallel"
)

// design is a data matrix X of n rows (samples) and d columns (features), read row-wise
// by the data-fitting problems.
type design interface {
	rows() int
	cols() int
	// dots sets z[(i−lo)·m+k] = xᵢ·wₖ for lo ≤ i < hi and the m vectors wₖ = w[k·d:(k+1)·d].
	dots(z, w []float64, m, lo, hi int)
	// axpys adds Σᵢ r[(i−lo)·m+k]·xᵢ to gₖ = g[k·d:(k+1)·d] for lo ≤ i < hi.
	axpys(g, r []float64, m, lo, hi int)
	// row copies xᵢ into dst.
	row(dst []float64, i int)
	// samples maps the rows to the samples of the data the design was made from: row i
	// is sample samples()[i]. nil: row i is sample i. Everything indexed by row (labels,
	// the engine's per-row results) is in the rows' order; package problem's exported
	// methods take samples.
	samples() []int
	// block is the number of rows whose dots and axpys are done together, so that the
	// rows stay in the L1 cache between the two.
	block() int
}

// A reordered design keeps its columns in another order for the engine's passes, where
// it reads them faster (a uint8Design gathers the zeros of sparse rows into whole blocks):
// column j of that order is column order()[j] of X, and dotsIn and axpysIn are dots and
// axpys with their vectors w and g in that order. The engine puts W in that order once a
// pass, and the sums back in X's order. With order() nil, they are dots and axpys.
type reordered interface {
	order() []int
	dotsIn(z, w []float64, m, lo, hi int)
	axpysIn(g, r []float64, m, lo, hi int)
}

// denseDesign stores X as float64, row-major.
type denseDesign struct {
	n, d int
	x    []float64
}

func (x *denseDesign) rows() int  { return x.n }
func (x *denseDesign) cols() int  { return x.d }
func (x *denseDesign) block() int { return max(1, 2048/max(1, x.d)) }

func (x *denseDesign) row(dst []float64, i int) { copy(dst, x.x[i*x.d:(i+1)*x.d]) }
func (x *denseDesign) samples() []int           { return nil }

func (x *denseDesign) dots(z, w []float64, m, lo, hi int) {
	d := x.d
	for i := lo; i < hi; i++ {
		xi := x.x[i*d : (i+1)*d]
		for k := 0; k < m; k++ {
			z[(i-lo)*m+k] = dot(xi, w[k*d:(k+1)*d])
		}
	}
}

func (x *denseDesign) axpys(g, r []float64, m, lo, hi int) {
	d := x.d
	for i := lo; i < hi; i++ {
		xi := x.x[i*d : (i+1)*d]
		for k := 0; k < m; k++ {
			if a := r[(i-lo)*m+k]; a != 0 {
				axpy(g[k*d:(k+1)*d], a, xi)
			}
		}
	}
}

// uint8Design stores X = scale·P for a matrix P of bytes (pixels), row-major: an eighth
// of the memory traffic of float64, and exact, since the scale is factored out of every
// dot product and applied once.
//
// Where at most blocksKept of P's blocks of 8 columns are nonzero, it also holds P by its
// nonzero blocks (bytevec.Blocks), its columns reordered to gather the zeros into whole
// blocks where that keeps fewer (bytevec.BlockOrder), and the engine's passes read those
// instead: the arithmetic and the memory traffic of the kept blocks only, the same sums in
// another order. MNIST's images keep 31.1% of their blocks so, 39.5% in their own order;
// an L-BFGS run on them (minimize --problem logistic) took 0.82-0.84 of the time it took
// on the blocks in the pixels' order (AMD EPYC, Zen 5, 1 and 2 threads).
// Single rows (dots and axpys) read P.
//
// Its rows are then also in the order of their number of kept blocks (Blocks.ByLength),
// in which the kernels predict their loops' exits. L-BFGS on MNIST (minimize --problem
// logistic --method lbfgs, AMD EPYC Zen 4, the two builds alternately, medians) took,
// with the rows so ordered against in the images' order, 1.164 against 1.225 s on AVX2
// and one thread (4.67 against 5.02 ms an evaluation, ten runs each), 0.572 against 0.640
// s on two; 0.919 against 0.978 s on AVX-512 and one thread, 0.419 against 0.526 s on two
// (six runs each). The sums are taken in another order: 249 evaluations instead of 244,
// f the same to 4e-15 relative.
type uint8Design struct {
	n, d  int
	p     []uint8
	scale float64
	blk   *bytevec.Blocks // nil: the passes read p
	perm  []int           // blk's order of the columns; nil: p's
	ord   []int           // row i is row ord[i] of p; nil: row i
}

// blocksKept is the largest fraction of nonzero blocks for which a uint8Design reads P
// by its blocks: about where the two layouts cost the same. On an AMD EPYC (Zen 5), the
// blocks' kernels took 1.0-1.1 ns per kept block of a row (dot product and axpy, data in
// the L1 cache), the dense ones about 1.1 ns per block with the rows streamed from memory;
// on MNIST's images (39.5% of the blocks kept, in the pixels' order), a ValueGrad took
// 0.73-0.78 of the dense layout's time (BenchmarkLogisticMNIST, 1 and 2 threads).
const blocksKept = 0.75

func newUint8Design(p []uint8, n, d int, scale float64) *uint8Design {
	x := &uint8Design{n: n, d: d, p: p, scale: scale}
	if d >= 8 && d <= bytevec.MaxBlockCols {
		order := bytevec.BlockOrder(p, n, d)
		if b := bytevec.NewBlocks(p, n, d, order); b.Kept() <= blocksKept {
			x.blk, x.perm = b, order
			if sorted, rows := b.ByLength(); !identity(rows) {
				x.blk, x.ord = sorted, rows
			}
		}
	}
	return x
}

func (x *uint8Design) rows() int { return x.n }
func (x *uint8Design) cols() int { return x.d }

// block keeps a block's rows in the L1 cache between its dots and its axpys: 8 KiB of
// dense rows, or 16 KiB of kept blocks (8 bytes and a 2-byte column offset each, rounded down to
// a multiple of 8 rows, at least 8), where longer blocks also spread the per-block costs
// (the exponentials of a logistic loss are computed 8 at a time). On MNIST that is 48
// rows (40 in the pixels' order); a ValueGrad took 0.90-0.91 of the time with 32 or 64 rows as with 8
// (BenchmarkLogisticMNIST, 2 threads, AMD EPYC Zen 5).
func (x *uint8Design) block() int {
	if x.blk != nil {
		perRow := 10 * x.blk.Kept() * float64(x.d/8)
		return max(8, int(16384/max(1, perRow))&^7)
	}
	return max(4, 8192/max(1, x.d)&^3)
}

func (x *uint8Design) row(dst []float64, i int) {
	for j, v := range x.pRow(i) {
		dst[j] = x.scale * float64(v)
	}
}

func (x *uint8Design) samples() []int { return x.ord }

// pRow returns row i's bytes in P.
func (x *uint8Design) pRow(i int) []uint8 {
	if x.ord != nil {
		i = x.ord[i]
	}
	return x.p[i*x.d : (i+1)*x.d]
}

// identity reports whether order is 0, 1, …, len(order)−1.
func identity(order []int) bool {
	for i, v := range order {
		if v != i {
			return false
		}
	}
	return true
}

// order is the order of the columns of dotsIn and axpysIn (see reordered).
func (x *uint8Design) order() []int { return x.perm }

func (x *uint8Design) dots(z, w []float64, m, lo, hi int) {
	if x.perm == nil && x.blk != nil {
		x.dotsIn(z, w, m, lo, hi)
		return
	}
	d := x.d
	var out [4]float64
	i := lo
	for ; x.ord == nil && i+4 <= hi; i += 4 {
		pi := x.p[i*d : (i+4)*d]
		for k := 0; k < m; k++ {
			bytevec.Dot4(&out, pi, d, w[k*d:(k+1)*d])
			for r := range 4 {
				z[(i-lo+r)*m+k] = x.scale * out[r]
			}
		}
	}
	for ; i < hi; i++ {
		pi := x.pRow(i)
		for k := 0; k < m; k++ {
			z[(i-lo)*m+k] = x.scale * bytevec.Dot(pi, w[k*d:(k+1)*d])
		}
	}
}

// dotsIn is dots with w in the order of the columns of order.
func (x *uint8Design) dotsIn(z, w []float64, m, lo, hi int) {
	if x.blk == nil {
		x.dots(z, w, m, lo, hi)
		return
	}
	x.blk.DotsN(z, m, w, x.d, m, lo, hi)
	for j := range (hi - lo) * m {
		z[j] *= x.scale
	}
}

func (x *uint8Design) axpys(g, r []float64, m, lo, hi int) {
	if x.perm == nil && x.blk != nil {
		x.axpysIn(g, r, m, lo, hi)
		return
	}
	d := x.d
	var a [4]float64
	i := lo
	for ; x.ord == nil && i+4 <= hi; i += 4 {
		pi := x.p[i*d : (i+4)*d]
		for k := 0; k < m; k++ {
			for q := range 4 {
				a[q] = x.scale * r[(i-lo+q)*m+k]
			}
			bytevec.Axpy4(g[k*d:(k+1)*d], &a, pi, d)
		}
	}
	for ; i < hi; i++ {
		pi := x.pRow(i)
		for k := 0; k < m; k++ {
			if a := r[(i-lo)*m+k]; a != 0 {
				bytevec.Axpy(g[k*d:(k+1)*d], x.scale*a, pi)
			}
		}
	}
}

// axpysIn is axpys with g in the order of the columns of order.
func (x *uint8Design) axpysIn(g, r []float64, m, lo, hi int) {
	if x.blk == nil {
		x.axpys(g, r, m, lo, hi)
		return
	}
	x.blk.AxpysN(g, x.d, m, x.scale, r, m, lo, hi)
}

// A rowFunc turns the m values zᵢ = W·xᵢ of row i into a scalar (its loss), returned as
// a + log1p(t) with t ≥ 0, and writes in r the m coefficients of xᵢ in the accumulated sum
// Σᵢ rᵢ ⊗ xᵢ. Splitting off the logarithm lets a pass take one logarithm of a product of
// many 1 + t instead of one per row: a fifth of the time of a logistic regression pass.
type rowFunc interface {
	row(i int, z, r []float64) (a, t float64)
}

// A blockFunc is a rowFunc that also takes a block of rows at once, with the results of
// row on each in turn: rows handles rows lo to hi−1 (their values and coefficients at
// (i−lo)·m in z and r), adds each a to s and multiplies prod by each 1 + t, in row order,
// and returns s and prod. It lets a loss compute its exponentials as a vector.
type blockFunc interface {
	rowFunc
	rows(lo, hi int, z, r []float64, s, prod float64) (float64, float64)
}

// rowValue returns the loss a + log1p(t) of one row, accurately.
func rowValue(a, t float64) float64 { return a + math.Log1p(t) }

// engine runs passes over a design split into a fixed number of parts, each with its
// own accumulators, summed in a fixed order: results depend neither on GOMAXPROCS nor on
// which goroutine of internal/parallel's pool runs which part.
type engine struct {
	x      design
	m      int
	bounds []int       // part p is rows bounds[p]:bounds[p+1]
	acc    [][]float64 // per part: m·d accumulated coefficients
	sum    []float64   // per part: accumulated scalars
	z, r   [][]float64 // per part: block·m scratch

	// The passes' reading of x: its dots and axpys, or those of its order (perm not nil),
	// with w put in that order in wIn.
	dots, axpys func(v, u []float64, m, lo, hi int)
	perm        []int
	wIn         []float64

	// The pass in progress, for Range.
	grad bool
	w    []float64
	f    rowFunc
}

// maxParts bounds the parts of an engine.
const maxParts = 16

// newEngine prepares passes over x with m values per row.
func newEngine(x design, m int) *engine {
	n, d := x.rows(), x.cols()
	parts := min(maxParts, max(1, n*d*m/(1<<16)), max(1, n))
	e := &engine{x: x, m: m, bounds: make([]int, parts+1), acc: make([][]float64, parts),
		sum: make([]float64, parts), z: make([][]float64, parts), r: make([][]float64, parts)}
	for p := 0; p <= parts; p++ {
		e.bounds[p] = p * n / parts
	}
	e.dots, e.axpys = x.dots, x.axpys
	if r, ok := x.(reordered); ok && r.order() != nil {
		e.dots, e.axpys, e.perm, e.wIn = r.dotsIn, r.axpysIn, r.order(), make([]float64, m*d)
	}
	b := x.block()
	for p := range parts {
		e.acc[p] = make([]float64, m*d)
		e.z[p] = make([]float64, b*m)
		e.r[p] = make([]float64, b*m)
	}
	return e
}

// pass computes zᵢ = W·xᵢ for every row (W is w, m×d row-major), calls f on each, and
// returns the sum of the scalars; if out is not nil it also stores Σᵢ rᵢ ⊗ xᵢ there.
func (e *engine) pass(out, w []float64, f rowFunc) float64 {
	parts, d := len(e.acc), e.x.cols()
	if e.perm != nil {
		for k := range e.m {
			wk, in := w[k*d:(k+1)*d], e.wIn[k*d:(k+1)*d]
			for j, c := range e.perm {
				in[j] = wk[c]
			}
		}
		w = e.wIn
	}
	e.grad, e.w, e.f = out != nil, w, f
	parallel.SplitBody(parts, parts, e)
	e.w, e.f = nil, nil
	s := 0.0
	for p := range parts {
		s += e.sum[p]
	}
	if out == nil {
		return s
	}
	// out is the sum of the parts' accumulators, in part order (into the first, when its
	// order is not X's).
	sum := out
	if e.perm != nil {
		sum = e.acc[0]
	} else {
		copy(sum, e.acc[0])
	}
	for p := 1; p < parts; p++ {
		add(sum, e.acc[p])
	}
	if e.perm != nil {
		for k := range e.m {
			sk, ok := sum[k*d:(k+1)*d], out[k*d:(k+1)*d]
			for j, c := range e.perm {
				ok[c] = sk[j]
			}
		}
	}
	return s
}

// Range runs part p of the pass in progress (lo and hi, the same as p, are not used).
func (e *engine) Range(p, _, _ int) { e.part(p, e.grad, e.w, e.f) }

func (e *engine) part(p int, grad bool, w []float64, f rowFunc) {
	m, b := e.m, e.x.block()
	acc, z, r := e.acc[p], e.z[p], e.r[p]
	if grad {
		clear(acc)
	}
	// The sum of the logarithms is the logarithm of the product, folded into s before it
	// can overflow: each factor is in [1, ∞) and the rounding of the product, relative
	// 2⁻⁵³ per factor, stays far below the rounding of s.
	s, prod := 0.0, 1.0
	bf, _ := f.(blockFunc)
	for lo := e.bounds[p]; lo < e.bounds[p+1]; lo += b {
		hi := min(lo+b, e.bounds[p+1])
		e.dots(z, w, m, lo, hi)
		if bf != nil {
			s, prod = bf.rows(lo, hi, z, r, s, prod)
		} else {
			for i := lo; i < hi; i++ {
				j := (i - lo) * m
				a, t := f.row(i, z[j:j+m], r[j:j+m])
				s += a
				prod *= 1 + t
			}
		}
		if prod > 0x1p500 {
			s += math.Log(prod)
			prod = 1
		}
		if grad {
			e.axpys(acc, r, m, lo, hi)
		}
	}
	e.sum[p] = s + math.Log(prod)
}

func dot(x, y []float64) float64 {
	y = y[:len(x)]
	var s0, s1, s2, s3 float64
	i := 0
	for ; i+4 <= len(x); i += 4 {
		s0 += x[i] * y[i]
		s1 += x[i+1] * y[i+1]
		s2 += x[i+2] * y[i+2]
		s3 += x[i+3] * y[i+3]
	}
	for ; i < len(x); i++ {
		s0 += x[i] * y[i]
	}
	return (s0 + s1) + (s2 + s3)
}

// axpy adds a·x to y.
func axpy(y []float64, a float64, x []float64) {
	y = y[:len(x)]
	for i, v := range x {
		y[i] += a * v
	}
}

// add adds x to y.
func add(y, x []float64) {
	y = y[:len(x)]
	for i, v := range x {
		y[i] += v
	}
}
