package gemm

import (
	"sync"

	"github.com/descent-ml/descent/internal/parallel"
)

// dotsMaxN is the most columns of a product C = A·Bᵀ that a kernel set's dots computes:
// a classifier's outputs (10 for MNIST), whose products the blocked algorithm runs on
// tiles 32 (AVX2: 16) columns wide, a third (two thirds) of them used. dots instead takes each of C's elements as
// the dot product of a row of A with a row of B, as stored, 16 lanes at a time.
const dotsMaxN = 10

// dotsLanes is the chunk of k of the dots kernel and of packDots.
const dotsLanes = 16

// NarrowCols returns the most columns n of a product A·Bᵀ that Sgemm computes by dot
// products of rows on this machine (0 if it has no kernel for them): below it, a caller
// need not transpose such a product to make it wide.
func NarrowCols() int {
	if best.dots == nil {
		return 0
	}
	return dotsMaxN
}

// narrow reports whether p is computed by dots: A as stored times B transposed, B's rows
// contiguous, n at most dotsMaxN, on a kernel set that has dots.
func (p *problem) narrow() bool {
	return p.x.dots != nil && !p.transA && p.transB && p.boffs == nil && p.n <= dotsMaxN
}

// packDots packs B = Dᵀ, D's n rows (k elements, ldb apart) in b, for dots: for each chunk
// of dotsLanes of the k columns, n vectors of dotsLanes, zero past k.
func packDots(dst, b []float32, ldb, n, k int) {
	full, chunks := k/dotsLanes, (k+dotsLanes-1)/dotsLanes
	dst = dst[:chunks*n*dotsLanes]
	for o := range n {
		row := b[o*ldb : o*ldb+k]
		for c := range full { // a copy of an array, not a call of memmove per chunk
			*(*[dotsLanes]float32)(dst[(c*n+o)*dotsLanes:]) = [dotsLanes]float32(row[c*dotsLanes:])
		}
		if full < chunks {
			v := dst[(full*n+o)*dotsLanes:][:dotsLanes]
			clear(v[copy(v, row[full*dotsLanes:]):])
		}
	}
}

// dotsGo is the dots kernels' loop (see dotsAVX512), with products and sums rounded
// separately where the assembly fuses them.
func dotsGo(a []float32, lda int, bp, s []float32, lds, rows, n, k int) {
	for r := range rows {
		for o := range n {
			var lane [dotsLanes]float32
			for p := range k {
				lane[p%dotsLanes] += a[r*lda+p] * bp[((p/dotsLanes)*n+o)*dotsLanes+p%dotsLanes]
			}
			for w := dotsLanes / 2; w >= 1; w /= 2 {
				for l := range w {
					lane[l] += lane[l+w]
				}
			}
			s[r*lds+o] = lane[0]
		}
	}
}

// narrowJob is a product computed by dots, its rows split over the cores.
type narrowJob struct {
	p  problem   // a copy: a pointer to the caller's would move it to the heap
	bp []float32 // B packed by packDots
}

var narrowJobs = sync.Pool{New: func() any { return new(narrowJob) }}

// narrowRowsPerPart is the fewest rows of a part of a product computed by dots.
const narrowRowsPerPart = 64

// runNarrow computes p by dots over up to threads goroutines: B packed once, then the
// rows of A (and C) cut into parts. C's elements do not depend on the cut.
func (p *problem) runNarrow(threads int) {
	ws := getWorkspace(p.x)
	ws.d = growFloats(ws.d, (p.k+dotsLanes-1)/dotsLanes*p.n*dotsLanes)
	packDots(ws.d, p.b, p.ldb, p.n, p.k)
	j := narrowJobs.Get().(*narrowJob)
	j.p, j.bp = *p, ws.d
	parts := 1
	if threads > 1 && p.m*p.n*p.k >= 2*parallelWork {
		parts = min(threads, max(1, p.m/narrowRowsPerPart))
	}
	if parts == 1 {
		j.Range(0, 0, p.m)
	} else {
		parallel.SplitBody(p.m, parts, j)
	}
	j.p, j.bp = problem{}, nil
	narrowJobs.Put(j)
	putWorkspace(ws)
}

// Range computes rows lo..hi-1 of C: straight into C when alpha is 1 and beta 0, else
// through a scratch block of rows, alpha·s + beta·C (C not read when beta is 0).
func (j *narrowJob) Range(_, lo, hi int) {
	p := &j.p
	if p.alpha == 1 && p.beta == 0 {
		p.x.dots(p.a[lo*p.lda:], p.lda, j.bp, p.c[lo*p.ldc:], p.ldc, hi-lo, p.n, p.k)
		return
	}
	ws := getWorkspace(p.x)
	defer putWorkspace(ws)
	ws.s = growFloats(ws.s, narrowRowsPerPart*dotsMaxN)
	s := ws.s
	for r0 := lo; r0 < hi; r0 += narrowRowsPerPart {
		rows := min(narrowRowsPerPart, hi-r0)
		p.x.dots(p.a[r0*p.lda:], p.lda, j.bp, s, p.n, rows, p.n, p.k)
		for r := range rows {
			c := p.c[(r0+r)*p.ldc:][:p.n]
			for o, v := range s[r*p.n : (r+1)*p.n] {
				if p.beta == 0 {
					c[o] = p.alpha * v
				} else {
					c[o] = p.alpha*v + p.beta*c[o]
				}
			}
		}
	}
}
