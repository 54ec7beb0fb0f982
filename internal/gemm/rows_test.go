package gemm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// rowsOperand returns a buffer b with NaN guard bands and offsets of rows rows of width
// elements inside it, drawn at random (they overlap), with the matrix they make as a mat.
func rowsOperand(rnd *rand.Rand, rows, width int) (b *mat, offs []int, dense *mat) {
	n := rows*width/2 + width + 5
	b = newMat(rnd, 1, n, n, false)
	dense = newMat(rnd, rows, width, max(1, width), true)
	offs = make([]int, rows)
	for i := range offs {
		offs[i] = rnd.IntN(n - width + 1)
		copy(dense.data()[i*dense.ld:i*dense.ld+width], b.data()[offs[i]:offs[i]+width])
	}
	return b, offs, dense
}

// TestSgemmRows checks SgemmRows in every layout, with every kernel set and cut, with A's
// slivers copied or not (see copyingA), against
// the float64 product with B gathered into a dense matrix.
func TestSgemmRows(t *testing.T) {
	checkImpls(t)
	rnd := rand.New(rand.NewPCG(13, 14))
	shapes := [][3]int{{1, 1, 1}, {5, 17, 3}, {13, 70, 33}, {40, 1200, 100}, {40, 100, 450}, {1200, 20, 200}, {20, 30, 9000}}
	for _, l := range layouts {
		for i, sh := range shapes {
			m, n, k := sh[0], sh[1], sh[2]
			s := scalars[i%len(scalars)]
			c := gemmCase{l, m, n, k, [3]int{i % 3, 0, 2}, s[0], s[1]}
			a, _, c0 := c.operands(rnd)
			rows, width := k, n
			if l.transB {
				rows, width = n, k
			}
			b, offs, dense := rowsOperand(rnd, rows, width)
			want, size := reference(c, a, dense, c0)
			tol := 2 * float64(k+2) * 0x1p-24
			cm := &mat{rows: c0.rows, cols: c0.cols, ld: c0.ld, buf: make([]float32, len(c0.buf))}
			for _, x := range copyingA(impls()) {
				for _, th := range []int{1, 2, 3} {
					copy(cm.buf, c0.buf)
					validate(l.transA, l.transB, m, n, k, a.data(), a.ld, b.data(), 0, offs, cm.data(), cm.ld)
					sgemmRows(x, th, l.transA, l.transB, m, n, k, c.alpha, a.data(), a.ld, b.data(), 0, offs, c.beta, cm.data(), cm.ld)
					name := fmt.Sprintf("SgemmRows %s (%s, %d threads)", c, x.name, th)
					checkGuards(t, name+": C", cm)
					checkGuards(t, name+": b", b)
					for i := 0; i < m; i++ {
						for j := 0; j < n; j++ {
							got, w := float64(cm.data()[i*cm.ld+j]), want[i*n+j]
							if !(math.Abs(got-w) <= tol*size[i*n+j]+1e-30) {
								t.Fatalf("%s: C[%d,%d] = %v, want %v", name, i, j, got, w)
							}
						}
					}
				}
			}
		}
	}
}

// TestPackRows checks the gathering packs against their Go twins, on the edges TestPack
// covers, with rows at random, overlapping offsets.
func TestPackRows(t *testing.T) {
	checkImpls(t)
	rnd := rand.New(rand.NewPCG(15, 16))
	for _, x := range impls() {
		for _, kc := range []int{1, 2, 3, 8, 15, 16, 17, 40} {
			for _, nc := range []int{1, 7, x.nr - 1, x.nr, x.nr + 3, 3*x.nr + 17} {
				b, offs, _ := rowsOperand(rnd, kc, nc)
				size := (nc + x.nr - 1) / x.nr * x.nr * kc
				got := newMat(rnd, 1, size, size, true)
				want := make([]float32, size)
				x.packCopyRows(kc, nc, b.data(), offs, got.data())
				packCopyRowsGo(x.nr, kc, nc, b.data(), offs, want)
				name := fmt.Sprintf("%s packCopyRows kc=%d nc=%d", x.name, kc, nc)
				checkGuards(t, name, got)
				equal(t, name, got.data(), want)
			}
			for rows := 1; rows <= x.nr; rows++ {
				b, offs, _ := rowsOperand(rnd, rows, kc)
				got := newMat(rnd, 1, kc*x.nr, kc*x.nr, true)
				want := make([]float32, kc*x.nr)
				x.packTransRows(kc, rows, b.data(), offs, got.data())
				packTransRowsGo(x.nr, kc, rows, b.data(), offs, want)
				name := fmt.Sprintf("%s packTransRows kc=%d rows=%d", x.name, kc, rows)
				checkGuards(t, name, got)
				equal(t, name, got.data(), want)
			}
		}
	}
}

func TestSgemmRowsPanics(t *testing.T) {
	s := make([]float32, 100)
	for _, tc := range []struct {
		want string
		f    func()
	}{
		{"offs has not one offset", func() { SgemmRows(1, false, false, 2, 2, 3, 1, s, 3, s, []int{0, 1}, 0, s, 2) }},
		{"offs has not one offset", func() { SgemmRows(1, false, true, 2, 2, 3, 1, s, 3, s, []int{0, 1, 2}, 0, s, 2) }},
		{"a row of B outside b", func() { SgemmRows(1, false, false, 2, 2, 3, 1, s, 3, s, []int{0, 99, 1}, 0, s, 2) }},
		{"a row of B outside b", func() { SgemmRows(1, false, true, 2, 2, 3, 1, s, 3, s, []int{-1, 1}, 0, s, 2) }},
		{"lda smaller", func() { SgemmRows(1, false, false, 2, 2, 3, 1, s, 2, s, []int{0, 1, 2}, 0, s, 2) }},
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

// TestKernelRows checks every kernel set's kernelRows against kernelRowsGo on every row
// count, with strides of A in both orders, rows of B at random offsets.
func TestKernelRows(t *testing.T) {
	checkImpls(t)
	rnd := rand.New(rand.NewPCG(17, 18))
	for _, x := range impls() {
		for _, kc := range []int{1, 2, 7, 33} {
			for mr := 1; mr <= x.mr; mr++ {
				for _, trans := range []bool{false, true} {
					for _, beta := range []float32{0, 1, -0.5} {
						rs, ps := kc+1, 1
						if trans {
							rs, ps = 1, mr+2
						}
						a := newMat(rnd, 1, (mr-1)*rs+(kc-1)*ps+1, (mr-1)*rs+(kc-1)*ps+1, false)
						b, offs, _ := rowsOperand(rnd, kc, x.nr)
						ldc := x.nr + 3
						c := newMat(rnd, mr, x.nr, ldc, beta == 0)
						want := newMat(rnd, mr, x.nr, ldc, false)
						copy(want.buf, c.buf)
						kernelRowsGo(kc, a.data(), rs, ps, b.data(), offs, want.data(), ldc, mr, x.nr, 1.5, beta)
						x.kernelRows(kc, a.data(), rs, ps, b.data(), offs, c.data(), ldc, mr, 1.5, beta)
						name := fmt.Sprintf("%s kernelRows kc=%d mr=%d trans=%v beta=%g", x.name, kc, mr, trans, beta)
						checkGuards(t, name, c)
						for i := 0; i < mr; i++ {
							for j := 0; j < x.nr; j++ {
								g, w := c.data()[i*ldc+j], want.data()[i*ldc+j]
								if math.Abs(float64(g-w)) > 1e-5*float64(kc+1) {
									t.Fatalf("%s: C[%d,%d] = %v, want %v", name, i, j, g, w)
								}
							}
						}
					}
				}
			}
		}
	}
}
