package gemm

// parallelWork is the number of multiply-adds from which a product is worth more than one
// goroutine; each part gets at least this much.
const parallelWork = 1 << 21

// partsPerThread is how many parts a product cut along m gets for each goroutine that
// may work on it, so that a goroutine that starts late, or a core that is busy with
// something else, costs only a part's time: the others claim the parts it would have done.
// A cut along n, and one along m for a tall C (tallRows), have one part per goroutine
// instead (see cut).
const partsPerThread = 4

// tallRows is the fewest rows of C for each goroutine from which a product that the
// traffic alone would cut along n is cut along m instead, into as many parts as
// goroutines: each packs its own copy of B (its cost spread over at least tallRows rows),
// reads only its rows of A and writes only its rows of C, so that the cores share nothing
// but B's reads. The cut along n (B packed once per part, A read by every part) shares A's
// copy and C's rows between the cores, and on the 2 vCPUs of an AMD EPYC (Zen 4) VM it ran
// at 130-155 GFLOP/s for minutes at a time while one goroutine per half of C's rows kept
// 185-215: 1000×128×784 Aᵀ·B 127-135 against 206-213, 1024³ 139-156 against
// 185-200, 512×1024×1024 144-151 against 182-188 (eight rounds of 100 ms each way, in turn,
// in one process); when both ran well, 1000×128×1000 194-200 against 198-215. Four parts
// (two a goroutine, each packing B) fell between the two. The cut gives up the balance of
// partsPerThread: a core held by something else delays the product by its whole part.
const tallRows = 256

// A cut says how a product is shared between goroutines: along n (whole panels of C's
// columns; every part reads all of A), along m (whole micro-tiles of C's rows; every part
// packs all of B) or along k (every part but the first writes its own m×n product into
// scratch memory, added to C at the end).
type cut struct {
	dim   byte // 'n', 'm' or 'k'
	parts int
}

// cut returns how p should be shared by threads goroutines: in one part for a small
// product; along m in one part per goroutine when C has rows enough (see tallRows); else
// along the dimension whose parts repeat the least memory traffic (A's elements read again,
// B's packed again, or C's written and added again).
//
// A cut along n has one part per goroutine rather than partsPerThread: each part reads all
// of A, once for each of its blocks of nc columns, so the fewer the parts the fewer A's
// reads, and with no more parts than goroutines each part keeps its workspace from call to
// call (task.own). On the 2 vCPUs of an AMD EPYC (Zen 4), two threads (eight rounds of 100
// ms each in turn, in one process, medians), avx2 kernels: 128×784×1000 A·B 179 GFLOP/s in
// eight parts, 183 in eight parts that keep their workspaces, 191 in two; A·Bᵀ 186, 187,
// 196; 128×1000×1000 Aᵀ·Bᵀ 172, 174, 181. The avx512 kernels ran within 3% in two parts
// and in eight: 177 against 174 (A·B), 175 and 176 (Aᵀ·B), 180 and 181 (Aᵀ·Bᵀ), 202 and
// 206 (A·Bᵀ), and in a later run, the host fast throughout, 203 against 207, 206 and 208,
// 200 and 207, eight parts ahead. The parts are whole panels of nr columns, and so may
// differ by a panel: 1000 columns are cut into 512 and 488 on avx512, 496 and 504 on avx2.
func (p *problem) cut(threads int) cut {
	work := p.m * p.n * p.k / parallelWork
	if threads <= 1 || work < 2 {
		return cut{'n', 1}
	}
	best, cost := cut{'n', 1}, 0
	try := func(dim byte, parts, perPart int) {
		if parts = min(parts, work); parts >= 2 && (best.parts == 1 || perPart < cost) {
			best, cost = cut{dim, parts}, perPart
		}
	}
	try('n', min(threads, (p.n+p.x.nr-1)/p.x.nr), p.m*p.k)
	try('m', min(threads*partsPerThread, p.m/(8*p.x.mr)), 2*p.k*p.n)
	try('k', min(threads, p.k/64), 3*p.m*p.n)
	if best.dim == 'n' && p.m >= tallRows*threads && p.m/(8*p.x.mr) >= threads && work >= threads {
		return cut{'m', threads} // see tallRows
	}
	return best
}

// part returns part i of p cut by c; scratch holds the products of the parts after the
// first of a cut along k, m×n each.
func (p *problem) part(c cut, i int, scratch []float32) problem {
	q := *p
	switch c.dim {
	case 'n':
		j0, j1 := split(p.n, p.x.nr, i, c.parts)
		q.n = j1 - j0
		q.inPlaceA = p.readsOwnA(c)
		q.c = p.c[j0:]
		if p.boffs != nil && p.transB {
			q.boffs = p.boffs[j0:j1] // B(l, j) = b[boffs[j] + l]
		} else {
			q.b = p.b[j0*p.bStride(false):]
		}
	case 'm':
		i0, i1 := split(p.m, p.x.mr, i, c.parts)
		q.m = i1 - i0
		q.c = p.c[i0*p.ldc:]
		q.a = p.a[i0*p.aStride(false):]
		q.ap0 = p.ap0 + i0
		if p.ar != nil {
			q.ar = p.ar[i0*p.ars:]
		}
	case 'k':
		l0, l1 := split(p.k, 16, i, c.parts)
		q.k = l1 - l0
		q.a = p.a[l0*p.aStride(true):]
		if p.boffs != nil && !p.transB {
			q.boffs = p.boffs[l0:l1] // B(l, j) = b[boffs[l] + j]
		} else {
			q.b = p.b[l0*p.bStride(true):]
		}
		if i > 0 {
			q.c, q.ldc, q.beta = scratch[(i-1)*p.m*p.n:i*p.m*p.n], p.n, 0
		}
	}
	return q
}

// aStride returns the distance in a between A(i, l) and A(i+1, l), or A(i, l+1) with
// alongK.
func (p *problem) aStride(alongK bool) int {
	if p.transA != alongK {
		return 1
	}
	return p.lda
}

// bStride returns the distance in b between B(l, j) and B(l, j+1), or B(l+1, j) with
// alongK.
func (p *problem) bStride(alongK bool) int {
	if p.transB == alongK {
		return 1
	}
	return p.ldb
}

// reduce adds the products of the parts after the first of a cut along k to C.
func (p *problem) reduce(c cut, scratch []float32) {
	for s := 1; s < c.parts; s++ {
		part := scratch[(s-1)*p.m*p.n : s*p.m*p.n]
		for i := 0; i < p.m; i++ {
			row := p.c[i*p.ldc : i*p.ldc+p.n]
			for j, v := range part[i*p.n : (i+1)*p.n] {
				row[j] += v
			}
		}
	}
}

// split returns the bounds of part i when n is cut into parts runs of whole units.
func split(n, unit, i, parts int) (lo, hi int) {
	units := (n + unit - 1) / unit
	lo = min(n, units*i/parts*unit)
	hi = min(n, units*(i+1)/parts*unit)
	return lo, hi
}
