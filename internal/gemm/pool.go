package gemm

import (
	"sync"

	"github.com/descent-ml/descent/internal/hugepage"
	"github.com/descent-ml/descent/internal/parallel"
)

// A workspace is one goroutine's packing buffers, reused across calls: b for a block of
// B, a for a sliver of A, ap for all of A copied once (see packsAllA and copiesAllRowsA),
// d for the B of dots (see packDots) and s for their sums before alpha and beta.
type workspace struct{ a, b, ap, d, s []float32 }

// A freeList keeps values for reuse. Unlike a sync.Pool it is not emptied by the garbage
// collector, so that a call in steady state never allocates.
type freeList[T any] struct {
	mu sync.Mutex
	s  []*T
}

// get returns a value from the list, or a new zero one.
func (f *freeList[T]) get() *T {
	f.mu.Lock()
	defer f.mu.Unlock()
	if n := len(f.s); n > 0 {
		x := f.s[n-1]
		f.s = f.s[:n-1]
		return x
	}
	return new(T)
}

func (f *freeList[T]) put(x *T) {
	f.mu.Lock()
	f.s = append(f.s, x)
	f.mu.Unlock()
}

var (
	workspaces freeList[workspace]
	tasks      freeList[task]
)

// getWorkspace returns a workspace whose buffer holds a kc×nc block of B for x.
func getWorkspace(x *impl) *workspace {
	w := workspaces.get()
	w.fit(x)
	return w
}

// fit grows w's buffers, if they must, to hold a kc×nc block of B and a sliver of A for x.
func (w *workspace) fit(x *impl) {
	if need := x.kc * x.nc; len(w.b) < need {
		w.b = make([]float32, need)
	}
	if need := rowStrideA(x.kc) * x.mr; len(w.a) < need { // ≥ kc·mr for packA
		w.a = make([]float32, need)
	}
}

func putWorkspace(w *workspace) { workspaces.put(w) }

// A task is one parallel call: its problem, cut into parts that the caller and the
// workers of internal/parallel claim one by one as they free up.
type task struct {
	p       problem
	cut     cut
	scratch []float32 // the products of a cut along k, kept for the next call
	ap      []float32 // all of A copied once (packsAllA, copiesAllRowsA), kept for the next call
	packing bool      // Range copies A (packAllA, copyAllRowsA) instead of computing parts

	// own holds a workspace for each part, kept for the next call, used when the task
	// has no more parts than goroutines (owns): part 0 runs on the caller and part 1 on the
	// worker that claims it, call after call, so that each core packs B into buffers it
	// wrote last and still holds in its own caches. From the free list, the buffers change
	// hands between the cores from one call to the next, and every line packed is first
	// fetched from the other core. On the 2 vCPUs of an AMD EPYC (Zen 4), two threads, avx2
	// kernels, 128×784×1000 A·B cut along n into two parts ran at 174 GFLOP/s with
	// workspaces from the free list and 189 with its own (eight rounds of 100 ms each in
	// turn, in one process, medians).
	own  []*workspace
	owns bool
}

// Range computes part i of the task (lo and hi, the same as i, are not used), or, while the
// task is packing, copies bands lo..hi-1 of packAllRows rows of A's slivers (packAllA) or of
// A's rows (copyAllRowsA).
func (t *task) Range(i, lo, hi int) {
	if t.packing {
		if t.p.ar != nil {
			t.p.copyAllRowsA(lo*packAllRows, min(hi*packAllRows, t.p.m))
		} else {
			t.p.packAllA(lo*packAllRows, min(hi*packAllRows, t.p.k))
		}
		return
	}
	q := t.p.part(t.cut, i, t.scratch)
	if t.owns {
		q.block(t.own[i])
		return
	}
	ws := getWorkspace(q.x)
	q.block(ws)
	putWorkspace(ws)
}

// runParallel computes p cut by c over threads goroutines.
func runParallel(p *problem, c cut, threads int) {
	c.parts = min(c.parts, parallel.MaxChunks)
	t := tasks.get()
	t.p, t.cut = *p, c
	if t.owns = c.parts <= threads; t.owns {
		for len(t.own) < c.parts {
			t.own = append(t.own, new(workspace))
		}
		for _, w := range t.own[:c.parts] {
			w.fit(p.x)
		}
	}
	if c.dim == 'k' {
		if need := (c.parts - 1) * p.m * p.n; len(t.scratch) < need {
			t.scratch = hugepage.Float32s(need)
		}
	}
	if p.packsAllA(c) {
		t.ap = t.p.useAllA(t.ap)
		t.packing = true
		bands := (p.k + packAllRows - 1) / packAllRows
		parallel.SplitBody(bands, min(c.parts, bands), t)
		t.packing = false
	} else if p.copiesAllRowsA(c) {
		t.ap = t.p.useAllRowsA(t.ap)
		t.packing = true
		bands := (p.m + packAllRows - 1) / packAllRows
		parallel.SplitBody(bands, min(c.parts, bands), t)
		t.packing = false
	}
	parallel.SplitBody(c.parts, c.parts, t)
	if c.dim == 'k' {
		p.reduce(c, t.scratch)
	}
	t.p = problem{} // drop the caller's slices
	tasks.put(t)
}
