package gemm

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// A workspace is one goroutine's packing buffer, reused across calls.
type workspace struct{ b []float32 }

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
	if need := x.kc * x.nc; len(w.b) < need {
		w.b = make([]float32, need)
	}
	return w
}

func putWorkspace(w *workspace) { workspaces.put(w) }

// A task is one parallel call: its problem, cut into parts that the caller and the
// workers it wakes claim one by one until none is left. Tasks are recycled as soon as
// their caller returns, even if a worker has not yet looked at its notice: every use has
// a new generation, and a worker with an old one finds nothing to claim.
type task struct {
	p       problem
	cut     cut
	scratch []float32     // the products of a cut along k, kept for the next call
	gen     uint32        // the current generation; read and written by callers only
	state   atomic.Uint64 // generation<<32 | next part to claim<<16 | parts
	pending atomic.Int32  // parts not yet finished
	wg      sync.WaitGroup
}

// maxParts bounds the parts of one task (they are counted in 16 bits).
const maxParts = 1<<15 - 1

// A notice tells a worker that generation gen of a task wants help.
type notice struct {
	t   *task
	gen uint32
}

// help claims and computes parts of generation gen of t until none is left.
func (t *task) help(gen uint32) {
	for {
		v := t.state.Load()
		next, parts := int(v>>16&0xffff), int(v&0xffff)
		if uint32(v>>32) != gen || next >= parts {
			return
		}
		if !t.state.CompareAndSwap(v, v+1<<16) {
			continue
		}
		q := t.p.part(t.cut, next, t.scratch)
		ws := getWorkspace(q.x)
		q.block(ws.b)
		putWorkspace(ws)
		t.pending.Add(-1)
		t.wg.Done() // t may be recycled from here on
	}
}

var workers struct {
	sync.Mutex
	n    int
	jobs chan notice
}

// spin is how long a worker polls for the next job, and the caller for its workers' end,
// before blocking, when GOMAXPROCS is above 1. Waking a parked thread costs 60-400µs on a
// virtual machine with idle cores, as much as half an MLP layer's product; the products of
// a training step come within microseconds of each other, so a short spin keeps the
// workers awake through a step. The polling does not yield (yielding lets the goroutines
// wander between threads and park them), so it is kept short.
const spin = 200 * time.Microsecond

// spinning reports whether waiting should poll before blocking: only when there is another
// processor to run what is waited for.
func spinning() bool { return runtime.GOMAXPROCS(0) > 1 }

// runParallel computes p cut by c, with the caller and up to threads-1 workers.
func runParallel(p *problem, c cut, threads int) {
	c.parts = min(c.parts, maxParts)
	parts := c.parts
	helpers := min(parts, threads) - 1
	t := tasks.get()
	t.p, t.cut = *p, c
	if c.dim == 'k' {
		if need := (parts - 1) * p.m * p.n; len(t.scratch) < need {
			t.scratch = make([]float32, need)
		}
	}
	t.gen++
	t.pending.Store(int32(parts))
	t.wg.Add(parts)
	t.state.Store(uint64(t.gen)<<32 | uint64(parts))

	workers.Lock()
	if workers.jobs == nil {
		workers.jobs = make(chan notice, 64)
	}
	for ; workers.n < helpers; workers.n++ {
		go work(workers.jobs)
	}
	jobs := workers.jobs
	workers.Unlock()

	for range helpers {
		jobs <- notice{t, t.gen}
	}
	t.help(t.gen)
	if spinning() {
		for start := time.Now(); t.pending.Load() > 0 && time.Since(start) < spin; {
		}
	}
	t.wg.Wait()
	if c.dim == 'k' {
		p.reduce(c, t.scratch)
	}
	t.p = problem{} // drop the caller's slices
	tasks.put(t)
}

// work helps with tasks until the program ends; workers are started on demand and never
// stop. After each task it polls for the next one for spin before blocking.
func work(jobs <-chan notice) {
	for {
		j, ok := poll(jobs)
		if !ok {
			j = <-jobs
		}
		j.t.help(j.gen)
	}
}

// poll waits up to spin for a notice without blocking the thread.
func poll(jobs <-chan notice) (notice, bool) {
	if !spinning() {
		return notice{}, false
	}
	for start := time.Now(); time.Since(start) < spin; {
		select {
		case j := <-jobs:
			return j, true
		default:
		}
	}
	return notice{}, false
}
