package gemm

import "github.com/descent-ml/descent/internal/hugepage"

// sgemm computes C = alpha·op(A)·op(B) + beta·C with kernel set x, cut into parts for
// threads goroutines (run by the caller and up to GOMAXPROCS−1 workers of
// internal/parallel); the arguments have been checked.
func sgemm(x *impl, threads int, transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	sgemmRows(x, threads, transA, transB, m, n, k, alpha, a, lda, b, ldb, nil, beta, c, ldc)
}

// sgemmRows is sgemm where, with boffs not nil, the rows of B as stored start at b[boffs[i]]
// instead of b[i*ldb] (ldb is then not used).
func sgemmRows(x *impl, threads int, transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, boffs []int, beta float32, c []float32, ldc int) {
	if m == 0 || n == 0 {
		return
	}
	if k == 0 || alpha == 0 {
		scale(m, n, beta, c, ldc)
		return
	}
	p := problem{x: x, transA: transA, transB: transB, m: m, n: n, k: k,
		alpha: alpha, a: a, lda: lda, b: b, ldb: ldb, boffs: boffs, beta: beta, c: c, ldc: ldc,
		aliasA: !transA && aliasesA(x.mr, lda, x.l1)}
	if p.narrow() {
		p.runNarrow(threads)
		return
	}
	cut := p.cut(threads)
	if cut.parts == 1 {
		ws := getWorkspace(x)
		if p.packsAllA(cut) {
			ws.ap = p.useAllA(ws.ap)
			p.packAllA(0, p.k)
		} else if p.copiesAllRowsA(cut) {
			ws.ap = p.useAllRowsA(ws.ap)
			p.copyAllRowsA(0, p.m)
		}
		p.block(ws)
		putWorkspace(ws)
		return
	}
	runParallel(&p, cut, threads)
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
	boffs          []int // with it, the rows of B as stored start at b[boffs[i]]

	// ap, when not nil, holds every sliver of a transposed A, copied once by packAllA
	// (see packsAllA): the sliver of rows ir..ir+mr-1 of the block of k from pc is
	// ap[pc·mp + (ap0+ir)·kc:], mr×kc and k-major, where mp is A's rows rounded up to mr
	// (the whole product's, of which a part cut along m starts at row ap0).
	ap  []float32
	ap0 int
	mp  int

	aliasA bool // A is not transposed and its rows crowd into few sets of the L1 (aliasesA)

	// ar, when not nil, holds all of an aliased A (aliasA), its rows copied once by
	// copyAllRowsA to ars floats apart (see copiesAllRowsA): A(i, l) = ar[i·ars + l].
	ar  []float32
	ars int

	inPlaceA bool // a part of a cut along n that reads its transposed A in place (readsOwnA)
}

// blocks returns the size of the blocks when n is cut into as few blocks of at most most
// as possible, of near-equal sizes rounded up to a multiple of unit.
func blocks(n, most, unit int) int {
	nb := (n + most - 1) / most
	s := (n + nb - 1) / nb
	return min(most, (s+unit-1)/unit*unit)
}

// packPanels is the least number of panels of B, the columns of a block over nr, that a
// sliver of a transposed A must serve to be copied (see copiesA): the copy is a pass over
// kc rows of a, each in its own cache lines, that only reads of the sliver by enough
// panels repay. On an AMD EPYC (Zen 5), one thread, aᵀb of 36864×288×64 (the products of
// a convolution's im2col) ran at 169-173 GFLOP/s with the sliver read in place against
// 110-118 copied on AVX-512 (2 panels of 32), and at 65-70 either way on AVX2 (4 panels of
// 16); 1024³ ran at 163-173 copied against 144-157 in place (AVX-512, 12 panels), 79-81
// against 45-49 (AVX2, 12 panels). On an AMD EPYC (Zen 4), one thread, the two measured
// alternately in one process (medians), 4 panels were better read in place with either
// kernel set: AVX2, n = 64, 36864×288 68 against 51 copied, 4096×288 85 against 71,
// 1000×500 93 against 75; AVX-512, n = 128, 1000×500 102 against 91, 4096×288 109
// against 92. With 16 panels (AVX2, 1000×500×256) the copy won, 90 against 80.
const packPanels = 5

// packsA reports whether block and blockRows copy the slivers of A of a kc×nc block: A
// transposed, its sliver too long to stay in L1 (packAFrom) and reused by enough panels.
func (p *problem) packsA(kc, nc int) bool {
	return p.transA && nc >= packPanels*p.x.nr && kc >= p.x.packAFrom
}

// packAllMax bounds the size of a transposed A copied whole (packsAllA), in floats: 16 MiB.
const packAllMax = 1 << 22

// packsAllA reports whether p, cut by c, copies all the slivers of its transposed A once,
// before its blocks, rather than each block its own (packsA). Block by block, a sliver is
// copied again for every block of nc columns and, when p is cut along n, by every part: for
// 1024³ with AVX2's 6×16 tiles (nc 192), six times on one thread; and each copy is a pass
// over kc rows of a, lda apart. Copied once, the slivers are also contiguous in memory,
// which the hardware prefetcher follows. The copy is worth its memory (the whole of A) only
// when it would otherwise be repeated, and is not made for a cut along k, whose parts split
// the blocks of k.
func (p *problem) packsAllA(c cut) bool {
	x := p.x
	kcb := blocks(p.k, x.kc, 16)
	return p.transA && kcb >= x.packAFrom && p.n >= packPanels*x.nr && c.dim != 'k' &&
		p.repeatsA(c) && p.packedASize() <= packAllMax &&
		!p.readsOwnA(c)
}

// readsOwnA reports whether the parts of p, cut by c along n, each read the slivers of a
// small transposed A (at most ownAMax floats) in place rather than from one copy made for
// all of them by all the threads (packsAllA), or each from its own copies (packsA). On the
// 2 vCPUs of an AMD EPYC (Zen 4), two threads, Aᵀ·B and Aᵀ·Bᵀ (then cut into 8 parts), with
// the avx512 kernels: 128×784×1000 148-154 GFLOP/s from the shared copy against 167-175 in
// place, 128×1000×1000 155-162 against 171-179 (bench gemm, the two builds in turn, two
// rounds), and 199-201 against 198-207 at a time when the host slowed neither; with the
// avx2 kernels, 128×784×1000 157-161 shared, 168-174 each part its own copies, 172-175 in
// place, and 128×1000×1000 Aᵀ·Bᵀ 147-167, 175-178 and 173-179, then, the host slowing
// neither, 185-196 shared against 183-198 in place. A large A (1024³, 4 MiB) was faster
// shared, 155 against 131-137.
func (p *problem) readsOwnA(c cut) bool {
	return p.transA && c.dim == 'n' && c.parts > 1 && p.packedASize() <= ownAMax
}

// ownAMax bounds, in floats, the transposed A whose parts read it each on its own
// (readsOwnA): 256 Ki floats, 1 MiB (an L2 of Zen 4).
const ownAMax = 1 << 18

// repeatsA reports whether p, cut by c, reads each sliver of A in more than one block: when
// it has several blocks of nc columns, or is cut along n, every part reading all of A.
func (p *problem) repeatsA(c cut) bool {
	return p.n > blocks(p.n, p.x.nc, p.x.nr) || (c.dim == 'n' && c.parts > 1)
}

// copiesAllRowsA reports whether p, cut by c, copies all the rows of its aliased A once, to
// rows rowStrideA(k) apart, before its blocks, rather than each block the rows of its own
// slivers (copiesRowsA): when those copies would be repeated (repeatsA), as packsAllA
// decides for a transposed A, and the copy, a pass over A, is repaid by enough panels of B
// in all (those of the whole product, which one copy now serves: copiesRowsA of n) and
// takes at most packAllMax floats. A cut along k splits the blocks of k, which then copy
// their own slivers; a product of one sliver of rows reads A in place (direct).
//
// On an AMD EPYC (Zen 4), two threads, A·B and A·Bᵀ of 1024³ (then cut along n into 8
// parts, each of which copied all of A sliver by sliver) ran at 202.4 and 203.0 GFLOP/s
// with A copied once against 192.9 and 190.7, and 512×1024×1024 at 200.7 and 200.5 against
// 194.2 and 195.9 (medians of 25 alternating rounds in one process); one thread, 1024³ (two
// blocks of nc) gained 1%.
func (p *problem) copiesAllRowsA(c cut) bool {
	return p.copiesRowsA(p.n) && c.dim != 'k' && p.repeatsA(c) && !p.direct() &&
		p.m*rowStrideA(p.k) <= packAllMax
}

// useAllRowsA makes p read its aliased A from buf, grown to hold it whole if it must, and
// returns buf.
func (p *problem) useAllRowsA(buf []float32) []float32 {
	p.ars = rowStrideA(p.k)
	p.ar = growFloats(buf, p.m*p.ars)
	return p.ar
}

// copyAllRowsA copies rows i0..i1-1 of the aliased A to p.ar (see copiesAllRowsA).
func (p *problem) copyAllRowsA(i0, i1 int) {
	for i := i0; i < i1; i++ {
		copy(p.ar[i*p.ars:i*p.ars+p.k], p.a[i*p.lda:i*p.lda+p.k])
	}
}

// slivers returns the number of slivers of mr rows of A.
func (p *problem) slivers() int { return (p.m + p.x.mr - 1) / p.x.mr }

// packedASize returns the floats that packAllA writes: every sliver of A, mr×k each.
func (p *problem) packedASize() int { return p.slivers() * p.x.mr * p.k }

// useAllA makes p read its transposed A from buf, grown to hold it whole if it must, and
// returns buf.
func (p *problem) useAllA(buf []float32) []float32 {
	p.ap, p.mp = growFloats(buf, p.packedASize()), p.slivers()*p.x.mr
	return p.ap
}

// sliverA returns the sliver of the copy of A (p.ap) at row ir of the block of k from pc.
func (p *problem) sliverA(pc, kc, ir int) []float32 { return p.ap[pc*p.mp+(p.ap0+ir)*kc:] }

// packAllRows is how many rows of a packAllA copies to each sliver in turn; the blocks of
// k are multiples of 16 (see blocks), so that a band never straddles two.
const packAllRows = 16

// packAllA copies rows l0..l1-1 of the transposed A's slivers (the rows of k; l0 and l1
// multiples of packAllRows or k) to p.ap, for every sliver.
//
// It goes down a in bands of packAllRows rows, each copied to every sliver in turn, rather
// than sliver by sliver: a sliver is a column of a, kc rows lda apart, whose cache lines
// all fall in one set of the L1 (and a few of the L2) when lda is a multiple of 1024
// floats, and are evicted before the next sliver reads the rest of them; a band is read
// whole, row by row. On an AMD EPYC (Zen 5), aᵀb of 1024³ on one thread, the copy took 9%
// of the samples of the kernel sliver by sliver, 4% by bands. Threads share the copy by
// rows, so that each reads whole rows of a.
func (p *problem) packAllA(l0, l1 int) {
	x := p.x
	kcb := blocks(p.k, x.kc, 16)
	for l := l0; l < l1; l += packAllRows {
		pc := l / kcb * kcb
		kc := min(kcb, p.k-pc)
		rows := min(packAllRows, pc+kc-l, l1-l)
		for ir := 0; ir < p.m; ir += x.mr {
			x.packA(rows, min(x.mr, p.m-ir), p.a[ir+l*p.lda:], p.lda, p.sliverA(pc, kc, ir)[(l-pc)*x.mr:])
		}
	}
}

// growFloats returns s if it holds n floats, else a new slice of n on huge pages.
func growFloats(s []float32, n int) []float32 {
	if len(s) >= n {
		return s
	}
	return hugepage.Float32s(n)
}

// block runs the blocked algorithm on p, packing B into ws.b and, when they need it (see
// sliver), A's slivers into ws.a, unless all of A has been copied (packAllA, copyAllRowsA).
func (p *problem) block(ws *workspace) {
	buf := ws.b
	x := p.x
	mr, nr := x.mr, x.nr
	rs, ps := p.lda, 1 // A(i, l) = a[i*rs + l*ps]
	if p.transA {
		rs, ps = 1, p.lda
	}
	kcb := blocks(p.k, x.kc, 16)
	ncb := blocks(p.n, x.nc, nr)
	direct := p.direct()
	for jc := 0; jc < p.n; jc += ncb {
		nc := min(ncb, p.n-jc)
		for pc := 0; pc < p.k; pc += kcb {
			kc := min(kcb, p.k-pc)
			beta := p.beta
			if pc > 0 {
				beta = 1
			}
			if direct {
				p.blockInPlace(buf, pc, kc, jc, nc, rs, ps, beta)
				continue
			}
			if p.boffs != nil && !p.transB {
				p.blockRows(ws, pc, kc, jc, nc, rs, ps, beta)
				continue
			}
			p.packB(buf, pc, kc, jc, nc)
			for ir := 0; ir < p.m; ir += mr {
				mrr := min(mr, p.m-ir)
				a, ars, aps := p.sliver(ws, pc, kc, ir, mrr, nc, rs, ps)
				c := p.c[ir*p.ldc+jc:]
				for jr := 0; jr < nc; jr += nr {
					x.kernel(kc, a, ars, aps, buf[jr*kc:], nr, c[jr:], p.ldc, mrr, min(nr, nc-jr), p.alpha, beta)
				}
			}
		}
	}
}

// sliver returns where the kernels of a kc×nc block read the sliver of A of rows
// ir..ir+mrr-1 and columns pc..pc+kc-1, with its row and column strides: in place (rows rs
// apart, columns ps apart), in the copy of all of A (p.ap or p.ar), or copied to ws.a first.
func (p *problem) sliver(ws *workspace, pc, kc, ir, mrr, nc, rs, ps int) (a []float32, ars, aps int) {
	x := p.x
	a = p.a[ir*rs+pc*ps:]
	switch {
	case p.ap != nil:
		return p.sliverA(pc, kc, ir), 1, x.mr
	case p.ar != nil:
		return p.ar[ir*p.ars+pc:], p.ars, 1
	case p.packsA(kc, nc) && !p.inPlaceA:
		// A sliver of a transposed A is kc rows of a, lda apart: copied, its rows are
		// contiguous for the panels of B that reuse it; a short one stays in L1 as it is
		// (see copiesA), and so does one that too few panels reuse (see packPanels).
		x.packA(kc, mrr, a, ps, ws.a)
		return ws.a, 1, x.mr
	case p.copiesRowsA(nc):
		s := rowStrideA(kc)
		for i := range mrr {
			copy(ws.a[i*s:i*s+kc], a[i*rs:i*rs+kc])
		}
		return ws.a, s, 1
	}
	return a, rs, ps
}

// copiesRowsA reports whether the slivers of A of a block of nc columns are copied, row by
// row, to rows rowStrideA apart before the kernels read them: A not transposed, its rows
// crowding into too few sets of the L1 (aliasesA) and the sliver reused by enough panels
// of B to repay the copy, a memmove of each row: 4 (the parts of 1024³ on 2 threads, 128
// columns each, gained from it). Measured on an AMD EPYC (Zen 4: L1 32 KiB of 8 ways),
// A·B of 1024³ (rows 4 KiB apart): see aliasesA.
func (p *problem) copiesRowsA(nc int) bool {
	return p.aliasA && nc >= 4*p.x.nr
}

// rowStrideA returns the row stride of a sliver copied by copiesRowsA: kc floats rounded up
// to whole 64-byte lines, plus one or two lines to make the count odd, so that successive
// rows start in different sets of the L1 (whose count is a power of two) and the mr rows
// spread over all of them.
func rowStrideA(kc int) int {
	lines := (kc+15)/16 + 1
	return (lines | 1) * 16
}

// direct reports whether block reads B in place (blockInPlace) rather than packing it: B
// not transposed, and A of at most directSlivers slivers of mr rows (one, if its rows alias
// in the L1, read in place as they are). Packed, each element of B would be copied once
// and read by every sliver; in place, the slivers read each panel of B in turn while it is
// in L1, which costs less until enough slivers repay the copy.
func (p *problem) direct() bool {
	if p.transB || p.boffs != nil {
		return false
	}
	return p.m <= p.x.mr || p.m <= directSlivers*p.x.mr && !p.aliasA
}

// directSlivers is the most slivers of A whose product reads B in place (direct). On an AMD
// EPYC (Zen 4), one thread, measured alternately in one process, B in place against packed:
// AVX2, 10×128×784 (a classifier's weight gradient) 106 against 62 GFLOP/s, 24×128×1000 107
// against 83, 24×784×1000 75-94 against 68-79; AVX-512, 20×128×1000 99-108 against 73-77,
// 48×784×1000 96-105 against 90-97. With 5 to 8 slivers B in place won at k = 128 (AVX-512
// 96×128×1000 108 against 101) but not always at k = 784 (AVX2 48×784×1000 Aᵀ·B 72 against
// 78).
const directSlivers = 4

// blockInPlace computes columns jc..jc+nc-1 of C from rows pc..pc+kc-1 of B when p is
// direct: the full panels of B are read where they are, the last, partial one (whose whole
// vectors would run past B's columns) is packed into buf, and each panel serves every
// sliver of A, read in place, before the next.
func (p *problem) blockInPlace(buf []float32, pc, kc, jc, nc, rs, ps int, beta float32) {
	x := p.x
	a := p.a[pc*ps:]
	b := p.b[pc*p.ldb+jc:]
	full := nc / x.nr * x.nr
	for jr := 0; jr < full; jr += x.nr {
		for ir := 0; ir < p.m; ir += x.mr {
			x.kernel(kc, a[ir*rs:], rs, ps, b[jr:], p.ldb, p.c[ir*p.ldc+jc+jr:], p.ldc, min(x.mr, p.m-ir), x.nr, p.alpha, beta)
		}
	}
	if full < nc {
		x.packCopy(kc, nc-full, b[full:], p.ldb, buf)
		for ir := 0; ir < p.m; ir += x.mr {
			x.kernel(kc, a[ir*rs:], rs, ps, buf, x.nr, p.c[ir*p.ldc+jc+full:], p.ldc, min(x.mr, p.m-ir), nc-full, p.alpha, beta)
		}
	}
}

// blockRows computes columns jc..jc+nc-1 of C from rows pc..pc+kc-1 of a B whose rows
// are at offsets (not transposed): its full panels are read in place, each row from its
// offset, and only the last, partial one (whose whole vectors would run past the rows) is
// packed, into ws.b. Packing would copy each element of B once for every m/mr slivers of
// A that read it, a cost that the small m of a convolution's products (its filters or
// channels) does not amortise.
func (p *problem) blockRows(ws *workspace, pc, kc, jc, nc, rs, ps int, beta float32) {
	x := p.x
	b, offs := p.b[jc:], p.boffs[pc:pc+kc]
	full := nc / x.nr * x.nr
	if full < nc {
		x.packCopyRows(kc, nc-full, b[full:], offs, ws.b)
	}
	for ir := 0; ir < p.m; ir += x.mr {
		mrr := min(x.mr, p.m-ir)
		a, ars, aps := p.sliver(ws, pc, kc, ir, mrr, nc, rs, ps)
		c := p.c[ir*p.ldc+jc:]
		for jr := 0; jr < full; jr += x.nr {
			x.kernelRows(kc, a, ars, aps, b[jr:], offs, c[jr:], p.ldc, mrr, p.alpha, beta)
		}
		if full < nc {
			x.kernel(kc, a, ars, aps, ws.b, x.nr, c[full:], p.ldc, mrr, nc-full, p.alpha, beta)
		}
	}
}

// packB packs rows pc..pc+kc-1 and columns jc..jc+nc-1 of op(B) into buf as panels of nr
// columns, each kc×nr and k-major, the last one zero-padded.
func (p *problem) packB(buf []float32, pc, kc, jc, nc int) {
	x := p.x
	if p.boffs != nil {
		if !p.transB {
			// B(l, j) = b[boffs[l] + j].
			x.packCopyRows(kc, nc, p.b[jc:], p.boffs[pc:pc+kc], buf)
			return
		}
		// B(l, j) = b[boffs[j] + l].
		for j := 0; j < nc; j += x.nr {
			x.packTransRows(kc, min(x.nr, nc-j), p.b[pc:], p.boffs[jc+j:], buf[j*kc:])
		}
		return
	}
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
