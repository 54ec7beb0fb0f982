package gemm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/descent-ml/descent/internal/cpu"
)

// checkImpls logs the kernel sets the tests run and fails if one that the CPU's features
// (as internal/cpu enables them) call for is missing: the tests would then compare the Go
// kernels with themselves where the assembly should have been checked.
func checkImpls(t *testing.T) {
	t.Helper()
	var want, got []string
	for _, c := range []struct {
		name string
		need func(cpu.Features) bool
	}{
		{"avx512", func(f cpu.Features) bool { return f.AVX512F }},
		{"avx2", func(f cpu.Features) bool { return f.AVX2 && f.FMA }},
	} {
		if why := cpu.GoReason(c.need); why != "" {
			t.Logf("no %s kernels: %s", c.name, why)
		} else {
			want = append(want, c.name)
		}
	}
	want = append(want, "go")
	for _, x := range impls() {
		got = append(got, x.name)
	}
	t.Logf("kernel sets run: %s (Sgemm uses %s)", strings.Join(got, ", "), best.name)
	if strings.Join(got, " ") != strings.Join(want, " ") || best.name != want[0] {
		t.Fatalf("kernel sets %v, Sgemm uses %s; want %v, the first for Sgemm (CPU features enabled: %+v)", got, best.name, want, cpu.Enabled())
	}
}

// guard is the number of NaNs around every matrix buffer; padding between rows is NaN too.
const guard = 67

// A mat is a row-major matrix inside a NaN-filled buffer: rows×cols with stride ld.
type mat struct {
	rows, cols, ld int
	buf            []float32 // guard NaNs, the matrix, guard NaNs
}

func (x *mat) data() []float32 { return x.buf[guard : len(x.buf)-guard] }

// newMat returns a rows×cols matrix with stride ld, random entries in [-1, 1) and NaN
// everywhere else; with nan set, the entries are NaN too (a C that must not be read).
func newMat(rnd *rand.Rand, rows, cols, ld int, nan bool) *mat {
	n := 0
	if rows > 0 {
		n = (rows-1)*ld + cols
	}
	x := &mat{rows: rows, cols: cols, ld: ld, buf: make([]float32, n+2*guard)}
	for i := range x.buf {
		x.buf[i] = float32(math.NaN())
	}
	d := x.data()
	for i := 0; i < rows; i++ {
		for j := 0; j < cols; j++ {
			if !nan {
				d[i*ld+j] = float32(2*rnd.Float64() - 1)
			}
		}
	}
	return x
}

// checkGuards fails if anything outside the matrix of x is no longer NaN.
func checkGuards(t *testing.T, name string, x *mat) {
	t.Helper()
	for i, v := range x.buf {
		o := i - guard
		inside := o >= 0 && o < len(x.data()) && o%x.ld < x.cols
		if !inside && !math.IsNaN(float64(v)) {
			t.Fatalf("%s: write out of bounds at offset %d (row stride %d): %v", name, o, x.ld, v)
		}
	}
}

// A layout is one of the four combinations of transposes.
type layout struct {
	name           string
	transA, transB bool
}

var layouts = []layout{{"NN", false, false}, {"NT", false, true}, {"TN", true, false}, {"TT", true, true}}

// A gemmCase is one product to check.
type gemmCase struct {
	l           layout
	m, n, k     int
	pad         [3]int // extra stride of A, B, C beyond their rows
	alpha, beta float32
}

func (c gemmCase) String() string {
	return fmt.Sprintf("%s/m=%d,n=%d,k=%d,pad=%v,alpha=%g,beta=%g", c.l.name, c.m, c.n, c.k, c.pad, c.alpha, c.beta)
}

// operands returns A, B and C of the case with their guard bands.
func (c gemmCase) operands(rnd *rand.Rand) (a, b, cm *mat) {
	ra, ca := c.m, c.k
	if c.l.transA {
		ra, ca = c.k, c.m
	}
	rb, cb := c.k, c.n
	if c.l.transB {
		rb, cb = c.n, c.k
	}
	a = newMat(rnd, ra, ca, max(1, ca)+c.pad[0], false)
	b = newMat(rnd, rb, cb, max(1, cb)+c.pad[1], false)
	cm = newMat(rnd, c.m, c.n, max(1, c.n)+c.pad[2], c.beta == 0)
	return a, b, cm
}

// reference returns alpha·op(A)·op(B) + beta·C in float64 and, for each element, the
// sum of the magnitudes of its terms, which bounds the rounding error of a float32 sum.
func reference(c gemmCase, a, b, cm *mat) (want, size []float64) {
	// op(A) row by row and op(B) column by column, in float64.
	ar := make([]float64, c.m*c.k)
	bc := make([]float64, c.n*c.k)
	for i := 0; i < c.m; i++ {
		for l := 0; l < c.k; l++ {
			if c.l.transA {
				ar[i*c.k+l] = float64(a.data()[l*a.ld+i])
			} else {
				ar[i*c.k+l] = float64(a.data()[i*a.ld+l])
			}
		}
	}
	for j := 0; j < c.n; j++ {
		for l := 0; l < c.k; l++ {
			if c.l.transB {
				bc[j*c.k+l] = float64(b.data()[j*b.ld+l])
			} else {
				bc[j*c.k+l] = float64(b.data()[l*b.ld+j])
			}
		}
	}
	want = make([]float64, c.m*c.n)
	size = make([]float64, c.m*c.n)
	for i := 0; i < c.m; i++ {
		x := ar[i*c.k : (i+1)*c.k]
		for j := 0; j < c.n; j++ {
			var s, z float64
			for l, y := range bc[j*c.k : (j+1)*c.k] {
				s += x[l] * y
				z += math.Abs(x[l] * y)
			}
			w, sz := float64(c.alpha)*s, math.Abs(float64(c.alpha))*z
			if c.beta != 0 {
				old := float64(cm.data()[i*cm.ld+j])
				w += float64(c.beta) * old
				sz += math.Abs(float64(c.beta) * old)
			}
			want[i*c.n+j], size[i*c.n+j] = w, sz
		}
	}
	return want, size
}

// checkCase runs one case with every kernel set of this machine on each number of
// goroutines in threads, against one float64 reference.
func checkCase(t *testing.T, threads []int, c gemmCase, rnd *rand.Rand) {
	t.Helper()
	checkCaseOn(t, impls(), threads, c, rnd)
}

// checkCaseOn is checkCase on the kernel sets xs.
func checkCaseOn(t *testing.T, xs []*impl, threads []int, c gemmCase, rnd *rand.Rand) {
	t.Helper()
	a, b, c0 := c.operands(rnd)
	want, size := reference(c, a, b, c0)
	check(c.l.transA, c.l.transB, c.m, c.n, c.k, a.data(), a.ld, b.data(), b.ld, c0.data(), c0.ld)
	tol := 2 * float64(c.k+2) * 0x1p-24
	cm := &mat{rows: c0.rows, cols: c0.cols, ld: c0.ld, buf: make([]float32, len(c0.buf))}
	for _, x := range xs {
		for _, th := range threads {
			copy(cm.buf, c0.buf)
			sgemm(x, th, c.l.transA, c.l.transB, c.m, c.n, c.k, c.alpha, a.data(), a.ld, b.data(), b.ld, c.beta, cm.data(), cm.ld)
			name := fmt.Sprintf("%s (%s, %d threads)", c, x.name, th)
			checkGuards(t, name+": C", cm)
			checkGuards(t, name+": A", a)
			checkGuards(t, name+": B", b)
			for i := 0; i < c.m; i++ {
				for j := 0; j < c.n; j++ {
					got := float64(cm.data()[i*cm.ld+j])
					w := want[i*c.n+j]
					if !(math.Abs(got-w) <= tol*size[i*c.n+j]+1e-30) {
						t.Fatalf("%s: C[%d,%d] = %v, want %v", name, i, j, got, w)
					}
				}
			}
		}
	}
}

// oddSizes are the dimensions every layout is checked on, all against all.
var oddSizes = []int{1, 3, 17, 63, 129}

// scalars are the (alpha, beta) pairs checked.
var scalars = [][2]float32{{1, 0}, {1, 1}, {-0.75, 0.5}, {2, -1}}

// TestSgemmOddSizes checks every layout on all combinations of oddSizes, with every
// kernel set of this machine.
func TestSgemmOddSizes(t *testing.T) {
	checkImpls(t)
	rnd := rand.New(rand.NewPCG(1, 2))
	for _, l := range layouts {
		for _, m := range oddSizes {
			for _, n := range oddSizes {
				for _, k := range oddSizes {
					s := scalars[(m+n+k)%len(scalars)]
					pad := [3]int{(m + k) % 5, (n * 3) % 7, (m + n) % 3}
					checkCase(t, []int{1}, gemmCase{l, m, n, k, pad, s[0], s[1]}, rnd)
				}
			}
		}
	}
}

// TestSgemmBlocks covers several k and n blocks, every alpha/beta pair, and the parallel
// split along n and along m.
func TestSgemmBlocks(t *testing.T) {
	// m, n, k: blocks of k and n; cuts along n, m and k (see TestCut); thin products.
	shapes := [][3]int{{13, 500, 401}, {130, 37, 777}, {40, 1200, 100}, {1200, 20, 200}, {20, 30, 9000}, {2, 2000, 30}, {1100, 3, 20}}
	threads := []int{1, 2, 3}
	if testing.Short() {
		shapes, threads = shapes[:5], []int{3}
	}
	rnd := rand.New(rand.NewPCG(3, 4))
	for _, l := range layouts {
		for i, sh := range shapes {
			s := scalars[i%len(scalars)]
			c := gemmCase{l, sh[0], sh[1], sh[2], [3]int{i % 3, 1, 5}, s[0], s[1]}
			checkCase(t, threads, c, rnd)
		}
	}
}

// TestSgemmCopiesA checks products with a transposed A both with its slivers copied and
// read in place, whatever this CPU's L1 makes of copiesA, and with the choice changing
// between the blocks of k of one product.
func TestSgemmCopiesA(t *testing.T) {
	xs := copyingA(impls())
	rnd := rand.New(rand.NewPCG(5, 6))
	// m, n, k; {40, 1200, 100} and {2000, 450, 120} have A copied whole (packsAllA), cut
	// along n and along m on more than one thread.
	for i, sh := range [][3]int{{37, 300, 128}, {40, 1200, 100}, {130, 70, 777}, {29, 65, 1030}, {2000, 450, 120}} {
		for _, l := range []layout{layouts[2], layouts[3]} {
			s := scalars[i%len(scalars)]
			checkCaseOn(t, xs, []int{1, 2, 3}, gemmCase{l, sh[0], sh[1], sh[2], [3]int{i % 3, 1, 2}, s[0], s[1]}, rnd)
		}
	}
}

// TestCopiesAChoice checks that the driver copies a transposed A's slivers in blocks of
// kc ≥ packAFrom only.
func TestCopiesAChoice(t *testing.T) {
	for _, x := range impls() {
		for _, c := range []struct{ k, from int }{{128, 193}, {192, 193}, {193, 193}, {300, 193}, {600, 1 << 30}} {
			y := *x
			y.packAFrom = c.from
			calls := 0
			y.packA = func(kc, rows int, a []float32, lda int, dst []float32) {
				calls++
				x.packA(kc, rows, a, lda, dst)
			}
			m, n := 50, 200
			a, b, cm := make([]float32, c.k*m), make([]float32, c.k*n), make([]float32, m*n)
			sgemm(&y, 1, true, false, m, n, c.k, 1, a, m, b, n, 0, cm, n)
			kc := blocks(c.k, y.kc, 16)
			if copied := calls > 0; copied != (kc >= c.from) {
				t.Errorf("%s: k %d (kc %d), copying from %d: %d copies", x.name, c.k, kc, c.from, calls)
			}
		}
	}
}

// TestPacksAllA checks when a transposed A is copied whole, once (packsAllA): when its
// slivers would otherwise be copied again for each block of columns or by each part (see
// TestReadsOwnA for the exception); and that it then is, each band of packAllRows rows of
// each sliver once.
func TestPacksAllA(t *testing.T) {
	for _, x := range impls() {
		y := *x
		y.nc, y.packAFrom = 8*x.nr, 200
		mr, nr, nc := y.mr, y.nr, y.nc
		tall := (max(6*nc, 512) + mr - 1) / mr * mr // rows enough for a cut along m
		wide := max(2*nc, 1024)                     // columns enough for a cut along n
		for _, c := range []struct {
			m, n, k, threads int
			dim              byte
			once             bool
		}{
			{50, 3 * nc, 300, 1, 'n', true},       // three blocks of nc
			{50, nc, 300, 1, 'n', false},          // one block: each sliver copied once anyway
			{250, wide, 1200, 2, 'n', true},       // cut along n, A past ownAMax
			{tall, 2 * nc, 600, 2, 'm', true},     // cut along m, two blocks of nc
			{tall, 4 * nr, 600, 2, 'm', false},    // cut along m, one block
			{50, 3 * nc, 120, 1, 'n', false},      // kc below packAFrom: read in place
			{20, 3 * nc, 20 * 512, 2, 'k', false}, // cut along k
		} {
			p := problem{x: &y, transA: true, m: c.m, n: c.n, k: c.k}
			cut := p.cut(c.threads)
			if cut.dim != c.dim || p.packsAllA(cut) != c.once {
				t.Errorf("%s: %d×%d×%d on %d threads: cut %c, copied whole %v; want %c, %v",
					x.name, c.m, c.n, c.k, c.threads, cut.dim, p.packsAllA(cut), c.dim, c.once)
				continue
			}
			if !c.once {
				continue
			}
			z, calls := countPackA(&y)
			a, b, cm := make([]float32, c.k*c.m), make([]float32, c.k*c.n), make([]float32, c.m*c.n)
			sgemm(z, c.threads, true, false, c.m, c.n, c.k, 1, a, c.m, b, c.n, 0, cm, c.n)
			kcb := blocks(c.k, z.kc, 16)
			bands := 0
			for pc := 0; pc < c.k; pc += kcb {
				bands += (min(kcb, c.k-pc) + packAllRows - 1) / packAllRows
			}
			if want := p.slivers() * bands; calls() != want {
				t.Errorf("%s: %d×%d×%d on %d threads: %d copies, want %d (each band of each sliver once)",
					x.name, c.m, c.n, c.k, c.threads, calls(), want)
			}
		}
	}
}

// copyingA returns each of xs with slivers of a transposed A always copied, never
// copied, and copied from kc 100 on.
func copyingA(xs []*impl) []*impl {
	var ys []*impl
	for _, x := range xs {
		for _, from := range []int{1, 1 << 30, 100} {
			y := *x
			y.packAFrom = from
			y.name = fmt.Sprintf("%s, copying A from kc %d", x.name, from)
			ys = append(ys, &y)
		}
	}
	return ys
}

// TestCopiesA checks the least kc from which a transposed A is copied, on the caches of
// TestBlocking.
func TestCopiesA(t *testing.T) {
	l := func(size int) cpu.Cache { return cpu.Cache{Size: size, Ways: 8, Line: 64} }
	for _, c := range []struct {
		name   string
		l1     cpu.Cache
		mr, nr int
		want   int
	}{
		{"48 KiB avx512", l(48 << 10), 12, 32, 193},
		{"48 KiB avx2", l(48 << 10), 6, 16, 257},
		{"48 KiB go", l(48 << 10), 4, 4, 342},
		{"32 KiB avx512", l(32 << 10), 12, 32, 129},
		{"32 KiB avx2", l(32 << 10), 6, 16, 171},
		{"unknown avx512", cpu.Cache{}, 12, 32, 129},
	} {
		if got := copiesA(c.mr, c.nr, cpu.Caches{L1: c.l1}); got != c.want {
			t.Errorf("%s: copiesA = %d, want %d", c.name, got, c.want)
		}
	}
	for _, x := range impls() {
		t.Logf("%s: slivers of a transposed A copied from kc %d (kc %d)", x.name, x.packAFrom, x.kc)
	}
}

// countPackA returns a copy of x whose packA counts its calls, on any goroutine, and the
// count so far.
func countPackA(x *impl) (*impl, func() int) {
	y := *x
	var n atomic.Int64
	y.packA = func(kc, rows int, a []float32, lda int, dst []float32) {
		n.Add(1)
		x.packA(kc, rows, a, lda, dst)
	}
	return &y, func() int { return int(n.Load()) }
}

// TestReadsOwnA checks when the parts of a cut along n read a transposed A in place
// (readsOwnA): a small A, several parts; and that they then copy none of it, and compute
// the bits of one goroutine's product.
func TestReadsOwnA(t *testing.T) {
	for _, x := range impls() {
		nr := x.nr
		for _, c := range []struct {
			m, k, n int
			cut     cut
			own     bool
		}{
			{200, 300, 16 * nr, cut{'n', 8}, true},
			{200, 300, 40 * nr, cut{'n', 8}, true},
			{1024, 1024, 16 * nr, cut{'n', 8}, false},           // A beyond ownAMax
			{200, 300, 16 * nr, cut{'n', 1}, false},             // one part
			{200, 300, 16 * nr, cut{'m', 2}, false},             // not along n
			{ownAMax/300 + 1, 300, 16 * nr, cut{'n', 8}, false}, // the slivers' rows past ownAMax
		} {
			p := problem{x: x, transA: true, m: c.m, n: c.n, k: c.k}
			if got := p.readsOwnA(c.cut); got != c.own {
				t.Errorf("%s: %d×%d×%d cut %c in %d: readsOwnA %v, want %v", x.name, c.m, c.k, c.n, c.cut.dim, c.cut.parts, got, c.own)
			}
			if c.own && p.packsAllA(c.cut) {
				t.Errorf("%s: %d×%d×%d: copied whole though each part reads its own", x.name, c.m, c.k, c.n)
			}
		}
		// A product cut so: no sliver copied, the bits of one goroutine's.
		m, k, n := 200, 600, max(40*nr, 1000)
		if p := (problem{x: x, transA: true, m: m, n: n, k: k}); p.cut(2).dim != 'n' || !p.readsOwnA(p.cut(2)) {
			t.Fatalf("%s: %d×%d×%d on 2 threads: cut %v, readsOwnA %v", x.name, m, k, n, p.cut(2), p.readsOwnA(p.cut(2)))
		}
		y, calls := countPackA(x)
		rnd := rand.New(rand.NewPCG(5, 6))
		a, b := make([]float32, k*m), make([]float32, k*n)
		for i := range a {
			a[i] = float32(rnd.NormFloat64())
		}
		for i := range b {
			b[i] = float32(rnd.NormFloat64())
		}
		one, two := make([]float32, m*n), make([]float32, m*n)
		sgemm(x, 1, true, false, m, n, k, 1, a, m, b, n, 0, one, n)
		sgemm(y, 2, true, false, m, n, k, 1, a, m, b, n, 0, two, n)
		if calls() != 0 {
			t.Errorf("%s: %d slivers of A copied by the parts that read it in place", x.name, calls())
		}
		for i := range one {
			if math.Float32bits(one[i]) != math.Float32bits(two[i]) {
				t.Fatalf("%s: C[%d] = %v on 2 goroutines, %v on one", x.name, i, two[i], one[i])
			}
		}
	}
}

// TestCut checks which dimension products of descent's models are cut along, and that
// the shapes TestSgemmBlocks uses to cover each cut get it.
func TestCut(t *testing.T) {
	for _, x := range impls() {
		for _, tc := range []struct {
			m, n, k int
			want    byte
		}{
			{128, 1000, 784, 'n'},   // MLP layer
			{1024, 1024, 1024, 'm'}, // square: tall enough for one part per goroutine
			{1000, 1000, 128, 'm'},  // MLP weight gradient, the same
			{511, 1000, 300, 'n'},   // just short of tallRows rows per goroutine
			{512, 1000, 300, 'm'},
			{36864, 64, 288, 'm'}, // CNN conv2 by im2col, batch 64
			{64, 288, 36864, 'k'}, // its weight gradient
			{128, 128, 9216, 'k'}, // CNN fc1
			{40, 1200, 100, 'n'},
			{1200, 20, 200, 'm'},
			{20, 30, 9000, 'k'},
		} {
			p := problem{x: x, m: tc.m, n: tc.n, k: tc.k}
			if c := p.cut(2); c.dim != tc.want || c.parts < 2 {
				t.Errorf("%s: %d×%d×%d cut %c in %d parts, want %c", x.name, tc.m, tc.n, tc.k, c.dim, c.parts, tc.want)
			}
			if c := p.cut(2); c.dim == 'm' && tc.m >= 2*tallRows && tc.n >= 300 && c.parts != 2 {
				t.Errorf("%s: %d×%d×%d cut along m in %d parts, want one a goroutine (tallRows)", x.name, tc.m, tc.n, tc.k, c.parts)
			}
			for _, threads := range []int{2, 4} { // 4: parts also bounded by the work
				if c := p.cut(threads); c.dim == 'n' && (c.parts > threads || threads == 2 && c.parts != 2) {
					t.Errorf("%s: %d×%d×%d cut along n in %d parts for %d goroutines, want one a goroutine", x.name, tc.m, tc.n, tc.k, c.parts, threads)
				}
			}
		}
		if p := (problem{x: x, m: 100, n: 100, k: 100}); p.cut(2).parts != 1 {
			t.Errorf("%s: a 100³ product is cut in %d parts, want 1", x.name, p.cut(2).parts)
		}
	}
}

// TestSgemmQuick covers k = 0 and alpha = 0, where A and B are not read.
func TestSgemmQuick(t *testing.T) {
	rnd := rand.New(rand.NewPCG(5, 6))
	for _, s := range [][2]float32{{1, 0}, {1, 1}, {0, 0.5}, {0, 0}} {
		checkCase(t, []int{1}, gemmCase{layouts[0], 5, 7, 0, [3]int{1, 2, 3}, s[0], s[1]}, rnd)
		checkCase(t, []int{1}, gemmCase{layouts[3], 5, 7, 9, [3]int{1, 2, 3}, 0, s[1]}, rnd)
	}
}

// TestKernels checks every assembly kernel against kernelGo on every tile shape, with
// strides of A in both orders.
func TestKernels(t *testing.T) {
	checkImpls(t)
	rnd := rand.New(rand.NewPCG(7, 8))
	for _, x := range impls() {
		for _, kc := range []int{1, 2, 7, 33} {
			for mr := 1; mr <= x.mr; mr++ {
				for nr := 1; nr <= x.nr; nr++ {
					for _, trans := range []bool{false, true} {
						for _, beta := range []float32{0, 1, -0.5} {
							checkKernel(t, x, rnd, kc, mr, nr, trans, beta)
						}
					}
				}
			}
		}
	}
}

func checkKernel(t *testing.T, x *impl, rnd *rand.Rand, kc, mr, nr int, trans bool, beta float32) {
	t.Helper()
	rs, ps := kc+1, 1
	if trans {
		rs, ps = 1, mr+2
	}
	a := newMat(rnd, 1, (mr-1)*rs+(kc-1)*ps+1, (mr-1)*rs+(kc-1)*ps+1, false)
	// B packed (rows x.nr apart), or read in place from a matrix of wider rows.
	bs := x.nr
	if (kc+mr+nr)%2 == 1 {
		bs = x.nr + 7
	}
	b := newMat(rnd, 1, (kc-1)*bs+x.nr, (kc-1)*bs+x.nr, false)
	ldc := nr + 3
	c := newMat(rnd, mr, nr, ldc, beta == 0)
	want := newMat(rnd, mr, nr, ldc, false)
	copy(want.buf, c.buf)
	kernelGo(kc, a.data(), rs, ps, b.data(), bs, want.data(), ldc, mr, nr, 1.5, beta)
	x.kernel(kc, a.data(), rs, ps, b.data(), bs, c.data(), ldc, mr, nr, 1.5, beta)
	name := fmt.Sprintf("%s kernel kc=%d mr=%d nr=%d bs=%d trans=%v beta=%g", x.name, kc, mr, nr, bs, trans, beta)
	checkGuards(t, name, c)
	for i := 0; i < mr; i++ {
		for j := 0; j < nr; j++ {
			g, w := c.data()[i*ldc+j], want.data()[i*ldc+j]
			if math.Abs(float64(g-w)) > 1e-5*float64(kc+1) {
				t.Fatalf("%s: C[%d,%d] = %v, want %v", name, i, j, g, w)
			}
		}
	}
}

// TestPack checks the packing routines against their Go twins on every edge: panel
// counts and partial panels, slivers of every row count, kc below, at and above a
// vector's length, strides with padding; the parts of a sliver's rows past its row count
// must stay unwritten (NaN).
func TestPack(t *testing.T) {
	checkImpls(t)
	rnd := rand.New(rand.NewPCG(9, 10))
	for _, x := range impls() {
		for _, kc := range []int{1, 2, 3, 5, 8, 11, 15, 16, 17, 31, 40} {
			for _, nc := range []int{1, 7, x.nr - 1, x.nr, x.nr + 3, 3 * x.nr, 3*x.nr + 17} {
				ld := nc + kc%3
				b := newMat(rnd, kc, nc, ld, false)
				size := (nc + x.nr - 1) / x.nr * x.nr * kc
				got := newMat(rnd, 1, size, size, true)
				want := make([]float32, size)
				x.packCopy(kc, nc, b.data(), ld, got.data())
				packCopyGo(x.nr, kc, nc, b.data(), ld, want)
				name := fmt.Sprintf("%s packCopy kc=%d nc=%d", x.name, kc, nc)
				checkGuards(t, name, got)
				equal(t, name, got.data(), want)
			}
			for rows := 1; rows <= x.mr; rows++ {
				lda := rows + kc%4
				a := newMat(rnd, kc, rows, lda, false)
				got := newMat(rnd, kc, x.mr, x.mr, true)
				want := make([]float32, kc*x.mr)
				for i := range want {
					want[i] = float32(math.NaN())
				}
				x.packA(kc, rows, a.data(), lda, got.data())
				packAGo(x.mr, kc, rows, a.data(), lda, want)
				name := fmt.Sprintf("%s packA kc=%d rows=%d", x.name, kc, rows)
				checkGuards(t, name, &mat{rows: kc, cols: rows, ld: x.mr, buf: got.buf})
				for i := range want {
					if g, w := got.data()[i], want[i]; g != w && !(g != g && w != w) {
						t.Fatalf("%s: element %d = %v, want %v", name, i, g, w)
					}
				}
			}
			for rows := 1; rows <= x.nr; rows++ {
				ld := kc + rows%3
				b := newMat(rnd, rows, kc, ld, false)
				got := newMat(rnd, 1, kc*x.nr, kc*x.nr, true)
				want := make([]float32, kc*x.nr)
				x.packTrans(kc, rows, b.data(), ld, got.data())
				packTransGo(x.nr, kc, rows, b.data(), ld, want)
				name := fmt.Sprintf("%s packTrans kc=%d rows=%d", x.name, kc, rows)
				checkGuards(t, name, got)
				equal(t, name, got.data(), want)
			}
		}
	}
}

func equal(t *testing.T, name string, got, want []float32) {
	t.Helper()
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("%s: element %d = %v, want %v", name, i, got[i], want[i])
		}
	}
}

func TestSgemmPanics(t *testing.T) {
	s := make([]float32, 100)
	for _, tc := range []struct {
		want string
		f    func()
	}{
		{"negative dimension", func() { Sgemm(false, false, -1, 2, 2, 1, s, 2, s, 2, 0, s, 2) }},
		{"lda smaller", func() { Sgemm(false, false, 2, 2, 3, 1, s, 2, s, 2, 0, s, 2) }},
		{"lda smaller", func() { Sgemm(true, false, 4, 2, 3, 1, s, 3, s, 2, 0, s, 2) }},
		{"ldb smaller", func() { Sgemm(false, true, 2, 2, 3, 1, s, 3, s, 2, 0, s, 2) }},
		{"ldc smaller", func() { Sgemm(false, false, 2, 5, 3, 1, s, 3, s, 5, 0, s, 4) }},
		{"A slice too short", func() { Sgemm(false, false, 20, 2, 6, 1, s, 6, s, 2, 0, s, 2) }},
		{"B slice too short", func() { Sgemm(false, false, 2, 20, 6, 1, s, 6, s, 20, 0, s, 20) }},
		{"C slice too short", func() { Sgemm(false, false, 20, 6, 2, 1, s, 2, s, 6, 0, s, 6) }},
	} {
		func() {
			defer func() {
				r := recover()
				msg, _ := r.(string)
				if !strings.HasPrefix(msg, "gemm: ") || !strings.Contains(msg, tc.want) {
					t.Errorf("panic %q, want gemm: … %s", r, tc.want)
				}
			}()
			tc.f()
		}()
	}
}

// TestSgemmAllocs locks in that a call in steady state allocates nothing, on one goroutine
// and split over several.
func TestSgemmAllocs(t *testing.T) {
	if testing.Short() && runtime.GOARCH != "amd64" {
		t.Skip("slow without assembly")
	}
	m, n, k := 128, 300, 200
	a, b, c := make([]float32, m*k), make([]float32, n*k), make([]float32, m*n)
	for _, threads := range []int{1, 2} {
		for _, l := range layouts {
			ld := func(trans bool, rows, cols int) int {
				if trans {
					return rows
				}
				return cols
			}
			f := func() {
				sgemm(best, threads, l.transA, l.transB, m, n, k, 1, a, ld(l.transA, m, k), b, ld(l.transB, k, n), 0.5, c, n)
			}
			if got := testing.AllocsPerRun(10, f); got != 0 {
				t.Errorf("%s, %d threads: %v allocations per call, want 0", l.name, threads, got)
			}
		}
	}
}

// TestAliasesA checks which row strides of an A read in place crowd its slivers into too
// few sets of the L1 (aliasesA), on the caches of TestBlocking.
func TestAliasesA(t *testing.T) {
	l := func(size, ways int) cpu.Cache { return cpu.Cache{Size: size, Ways: ways, Line: 64} }
	zen4, zen5 := l(32<<10, 8), l(48<<10, 12)
	for _, c := range []struct {
		l1   cpu.Cache
		mr   int
		lda  int
		want bool
	}{
		{zen4, 12, 1024, true},  // one set
		{zen4, 12, 2048, true},  // one set
		{zen4, 12, 3072, true},  // one set
		{zen4, 12, 512, false},  // six in each of two sets: fit the 8 ways
		{zen4, 12, 1536, false}, // 4·1536 mod 4096 = 2048: two sets
		{zen4, 12, 784, false},
		{zen4, 12, 1000, false},
		{zen4, 12, 1025, false}, // a float apart: same line offsets, but successive sets
		{zen4, 6, 1024, false},  // AVX2's 6 rows fit
		{zen4, 7, 1024, true},
		{zen5, 12, 1024, true},
		{zen5, 12, 512, false},
		{zen5, 6, 1024, false},
		{cpu.Cache{}, 12, 1024, false}, // unknown L1: never
	} {
		if got := aliasesA(c.mr, c.lda, c.l1); got != c.want {
			t.Errorf("L1 %d KiB of %d ways, mr %d, lda %d: aliasesA = %v, want %v",
				c.l1.Size>>10, c.l1.Ways, c.mr, c.lda, got, c.want)
		}
	}
}

// TestSgemmCopiesRowsA checks products whose A, not transposed, has its slivers copied row
// by row (copiesRowsA), forced by an L1 of one way: with the copy, every element must be as
// the reference's, with partial slivers, several blocks of k and n, and on several threads.
func TestSgemmCopiesRowsA(t *testing.T) {
	var xs []*impl
	for _, x := range impls() {
		y := *x
		y.l1 = cpu.Cache{Size: 4096, Ways: 1, Line: 64}
		y.name = x.name + ", rows of A copied"
		if !aliasesA(y.mr, 64, y.l1) {
			t.Fatalf("%s: an L1 of one way does not alias", y.name)
		}
		xs = append(xs, &y)
	}
	rnd := rand.New(rand.NewPCG(7, 8))
	for i, sh := range [][3]int{{37, 300, 128}, {29, 600, 1030}, {130, 1100, 77}, {200, 450, 700}} {
		for _, l := range []layout{layouts[0], layouts[1]} {
			s := scalars[i%len(scalars)]
			checkCaseOn(t, xs, []int{1, 2, 3}, gemmCase{l, sh[0], sh[1], sh[2], [3]int{i % 3, 1, 2}, s[0], s[1]}, rnd)
		}
	}
}

// TestCopiesRowsAChoice checks that the slivers of an A not transposed are copied when its
// rows alias in the L1 and enough panels reuse them, and not otherwise: the copy is seen
// through the kernel's row stride.
func TestCopiesRowsAChoice(t *testing.T) {
	for _, x := range impls() {
		for _, c := range []struct {
			lda, n int
			transA bool
			want   bool
		}{
			{1024, 8 * x.nr, false, true},
			{1000, 8 * x.nr, false, false},
			{1024, 2 * x.nr, false, false}, // too few panels
			{1024, 8 * x.nr, true, false},  // transposed: packA's business
		} {
			y := *x
			y.l1 = cpu.Cache{Size: 16 << 10, Ways: 4, Line: 64} // 4 KiB a way, as most L1s
			strides := map[int]bool{}
			y.kernel = func(kc int, a []float32, rs, ps int, b []float32, bs int, cc []float32, ldc, mr, nr int, alpha, beta float32) {
				strides[rs] = true
				x.kernel(kc, a, rs, ps, b, bs, cc, ldc, mr, nr, alpha, beta)
			}
			m, k := 2*y.mr, 300
			a, b, cm := make([]float32, m*c.lda+k*c.lda), make([]float32, k*c.n), make([]float32, m*c.n)
			sgemm(&y, 1, c.transA, false, m, c.n, k, 1, a, c.lda, b, c.n, 0, cm, c.n)
			kc := blocks(k, y.kc, 16)
			copied := strides[rowStrideA(kc)] && !strides[c.lda]
			if !c.transA && copied != c.want || c.transA && strides[rowStrideA(kc)] {
				t.Errorf("%s: lda %d, n %d, transA %v: row strides %v, want copied %v",
					x.name, c.lda, c.n, c.transA, strides, c.want)
			}
		}
	}
}

// TestCopiesAllRowsA checks when the rows of an aliased A are copied whole, once
// (copiesAllRowsA): when its slivers would otherwise be copied again for each block of
// columns or by each part, seen through the kernel's row stride (rowStrideA of k for the
// whole copy, of kc for a sliver's); and that the products are right either way.
func TestCopiesAllRowsA(t *testing.T) {
	rnd := rand.New(rand.NewPCG(9, 10))
	for _, x := range impls() {
		y := *x
		y.l1 = cpu.Cache{Size: 16 << 10, Ways: 4, Line: 64} // 4 KiB a way: lda 1024 aliases
		y.kc, y.nc = 256, 8*x.nr
		mr, nr, nc := y.mr, y.nr, y.nc
		tall := (max(6*nc, 512) + mr - 1) / mr * mr // rows enough for a cut along m
		const k = 700                               // three blocks of kc: rowStrideA(k) ≠ rowStrideA(kc)
		for _, c := range []struct {
			m, n, lda, threads int
			dim                byte
			once, slivers      bool // copied whole; copied sliver by sliver
		}{
			{50, 3 * nc, 1024, 1, 'n', true, false},          // three blocks of nc
			{50, nc, 1024, 1, 'n', false, true},              // one block: each sliver copied once anyway
			{50, 3 * nc, 1000, 1, 'n', false, false},         // rows that do not alias
			{200, max(4*nc, 256), 1024, 2, 'n', true, false}, // cut along n
			{tall, 2 * nc, 1024, 2, 'm', true, false},        // cut along m, two blocks of nc
			{tall, 4 * nr, 1024, 2, 'm', false, true},        // cut along m, one block
			{50, 3 * nc, 1024, 1, 'n', true, false},          // again, the buffer now reused
			{50, 3 * nr, 1024, 1, 'n', false, false},         // too few panels to copy
			{mr, 3 * nc, 1024, 1, 'n', false, false},         // one sliver of rows: A read in place (direct)
		} {
			p := problem{x: &y, m: c.m, n: c.n, k: k, lda: c.lda, aliasA: aliasesA(mr, c.lda, y.l1)}
			cut := p.cut(c.threads)
			if cut.dim != c.dim || p.copiesAllRowsA(cut) != c.once {
				t.Errorf("%s: %d×%d×%d, lda %d, on %d threads: cut %c, copied whole %v; want %c, %v",
					x.name, c.m, c.n, k, c.lda, c.threads, cut.dim, p.copiesAllRowsA(cut), c.dim, c.once)
				continue
			}
			z := y
			var mu sync.Mutex
			strides := map[int]bool{}
			z.kernel = func(kc int, a []float32, rs, ps int, b []float32, bs int, cc []float32, ldc, mr, nr int, alpha, beta float32) {
				mu.Lock()
				strides[rs] = true
				mu.Unlock()
				x.kernel(kc, a, rs, ps, b, bs, cc, ldc, mr, nr, alpha, beta)
			}
			a := make([]float32, c.m*c.lda)
			for i := range a {
				a[i] = float32(rnd.NormFloat64())
			}
			b := make([]float32, k*c.n)
			for i := range b {
				b[i] = float32(rnd.NormFloat64())
			}
			got := make([]float32, c.m*c.n)
			sgemm(&z, c.threads, false, false, c.m, c.n, k, 1, a, c.lda, b, c.n, 0, got, c.n)
			whole, sliver := strides[rowStrideA(k)], strides[rowStrideA(blocks(k, y.kc, 16))]
			if whole != c.once || sliver != c.slivers {
				t.Errorf("%s: %d×%d×%d, lda %d, on %d threads: kernel row strides %v; want whole copy %v (%d), slivers' %v (%d)",
					x.name, c.m, c.n, k, c.lda, c.threads, strides, c.once, rowStrideA(k), c.slivers, rowStrideA(blocks(k, y.kc, 16)))
			}
			// The copy changes where the kernels read A, not the order of the sums: the same
			// product from rows that do not alias (lda k+3) gives the same bits.
			a2 := make([]float32, c.m*(k+3))
			for i := range c.m {
				copy(a2[i*(k+3):i*(k+3)+k], a[i*c.lda:])
			}
			want := make([]float32, c.m*c.n)
			sgemm(&y, c.threads, false, false, c.m, c.n, k, 1, a2, k+3, b, c.n, 0, want, c.n)
			for i, v := range got {
				if v != want[i] {
					t.Fatalf("%s: %d×%d×%d, lda %d, on %d threads: C[%d,%d] = %v, want %v",
						x.name, c.m, c.n, k, c.lda, c.threads, i/c.n, i%c.n, v, want[i])
				}
			}
		}
	}
}

// TestSgemmDirect checks the products that read B in place (direct) with several slivers of
// A: up to directSlivers of every kernel set, with a partial last sliver and panel, several
// blocks of k, every scalar pair and A transposed or not; and that one more sliver, or rows
// of A that alias, pack B instead.
func TestSgemmDirect(t *testing.T) {
	rnd := rand.New(rand.NewPCG(11, 12))
	for _, x := range impls() {
		for i, m := range []int{x.mr + 1, 2 * x.mr, directSlivers*x.mr - 1, directSlivers * x.mr} {
			p := problem{x: x, m: m}
			if !p.direct() {
				t.Fatalf("%s: %d rows are not direct", x.name, m)
			}
			s := scalars[i%len(scalars)]
			k := x.kc + 37 // two blocks of k
			for _, l := range []layout{layouts[0], layouts[2]} {
				checkCaseOn(t, []*impl{x}, []int{1, 2}, gemmCase{l, m, 3*x.nr + 5, k, [3]int{i % 3, 1, 2}, s[0], s[1]}, rnd)
			}
		}
		for _, p := range []problem{
			{x: x, m: directSlivers*x.mr + 1},
			{x: x, m: 2 * x.mr, aliasA: true},
			{x: x, m: x.mr, transB: true},
		} {
			if p.direct() {
				t.Errorf("%s: %d rows (aliasing %v, B transposed %v) are direct", x.name, p.m, p.aliasA, p.transB)
			}
		}
		if p := (problem{x: x, m: x.mr, aliasA: true}); !p.direct() {
			t.Errorf("%s: one sliver of aliasing rows is not direct", x.name)
		}
	}
}
