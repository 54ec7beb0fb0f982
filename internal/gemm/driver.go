package gemm

// sgemm computes C = alpha·op(A)·op(B) + beta·C with kernel set x and up to threads
// goroutines; the arguments have been checked.
func sgemm(x *impl, threads int, transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	if m == 0 || n == 0 {
		return
	}
	if k == 0 || alpha == 0 {
		scale(m, n, beta, c, ldc)
		return
	}
	p := problem{x: x, transA: transA, transB: transB, m: m, n: n, k: k,
		alpha: alpha, a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc}
	parts := p.parts(threads)
	if parts == 1 {
		ws := getWorkspace(x)
		p.block(ws.b)
		putWorkspace(ws)
		return
	}
	runParallel(&p, parts, threads)
}

// scale sets C = beta·C, without reading C when beta is 0.
func scale(m, n int, beta float32, c []float32, ldc int) {
	for i := 0; i < m; i++ {
		row := c[i*ldc : i*ldc+n]
		switch beta {
		case 0:
			clear(row)
		case 1:
		default:
			for j := range row {
				row[j] *= beta
			}
		}
	}
}

// A problem is one call's arguments, or one part of them.
type problem struct {
	x              *impl
	transA, transB bool
	m, n, k        int
	alpha, beta    float32
	a, b, c        []float32
	lda, ldb, ldc  int
}

// parallelWork is the number of multiply-adds from which a product is worth more than one
// goroutine; each part gets at least this much.
const parallelWork = 1 << 21

// partsPerThread is how many parts a product is cut into for each goroutine that may work
// on it, so that a goroutine that starts late, or a core that is busy with something else,
// costs only a part's time: the others claim the parts it would have done.
const partsPerThread = 4

// parts returns how many parts p should be cut into for threads goroutines: 1 for a small
// product.
func (p *problem) parts(threads int) int {
	if threads <= 1 {
		return 1
	}
	t := min(threads*partsPerThread, p.m*p.n*p.k/parallelWork)
	if p.n >= p.m {
		t = min(t, (p.n+p.x.nr-1)/p.x.nr) // whole panels of columns
	} else {
		// Whole micro-tiles of rows, at least 8 each: every part packs all of B.
		t = min(t, p.m/(8*p.x.mr))
	}
	return max(t, 1)
}

// part returns part i of parts: a block of whole panels of C's columns when n ≥ m, else of
// whole micro-tiles of its rows.
func (p *problem) part(i, parts int) problem {
	q := *p
	if p.n >= p.m {
		j0, j1 := split(p.n, p.x.nr, i, parts)
		q.n = j1 - j0
		q.c = p.c[j0:]
		if p.transB {
			q.b = p.b[j0*p.ldb:]
		} else {
			q.b = p.b[j0:]
		}
		return q
	}
	i0, i1 := split(p.m, p.x.mr, i, parts)
	q.m = i1 - i0
	q.c = p.c[i0*p.ldc:]
	if p.transA {
		q.a = p.a[i0:]
	} else {
		q.a = p.a[i0*p.lda:]
	}
	return q
}

// split returns the bounds of part i when n is cut into parts runs of whole units.
func split(n, unit, i, parts int) (lo, hi int) {
	units := (n + unit - 1) / unit
	lo = min(n, units*i/parts*unit)
	hi = min(n, units*(i+1)/parts*unit)
	return lo, hi
}

// blocks returns the size of the blocks when n is cut into as few blocks of at most most
// as possible, of near-equal sizes rounded up to a multiple of unit.
func blocks(n, most, unit int) int {
	nb := (n + most - 1) / most
	s := (n + nb - 1) / nb
	return min(most, (s+unit-1)/unit*unit)
}

// block runs the blocked algorithm on p, packing B into buf.
func (p *problem) block(buf []float32) {
	x := p.x
	mr, nr := x.mr, x.nr
	rs, ps := p.lda, 1 // A(i, l) = a[i*rs + l*ps]
	if p.transA {
		rs, ps = 1, p.lda
	}
	kcb := blocks(p.k, x.kc, 16)
	ncb := blocks(p.n, x.nc, nr)
	for jc := 0; jc < p.n; jc += ncb {
		nc := min(ncb, p.n-jc)
		for pc := 0; pc < p.k; pc += kcb {
			kc := min(kcb, p.k-pc)
			p.packB(buf, pc, kc, jc, nc)
			beta := p.beta
			if pc > 0 {
				beta = 1
			}
			for ir := 0; ir < p.m; ir += mr {
				mrr := min(mr, p.m-ir)
				a := p.a[ir*rs+pc*ps:]
				c := p.c[ir*p.ldc+jc:]
				for jr := 0; jr < nc; jr += nr {
					x.kernel(kc, a, rs, ps, buf[jr*kc:], c[jr:], p.ldc, mrr, min(nr, nc-jr), p.alpha, beta)
				}
			}
		}
	}
}

// packB packs rows pc..pc+kc-1 and columns jc..jc+nc-1 of op(B) into buf as panels of nr
// columns, each kc×nr and k-major, the last one zero-padded.
func (p *problem) packB(buf []float32, pc, kc, jc, nc int) {
	x := p.x
	if !p.transB {
		// B(l, j) = b[l*ldb + j].
		x.packCopy(kc, nc, p.b[pc*p.ldb+jc:], p.ldb, buf)
		return
	}
	// B(l, j) = b[j*ldb + l].
	for j := 0; j < nc; j += x.nr {
		x.packTrans(kc, min(x.nr, nc-j), p.b[(jc+j)*p.ldb+pc:], p.ldb, buf[j*kc:])
	}
}
