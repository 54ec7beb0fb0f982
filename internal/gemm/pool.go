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

// A task is one parallel call: its problem, cut into parts run by workers.
type task struct {
	p       problem
	parts   int
	pending atomic.Int32 // parts not yet finished by workers
	wg      sync.WaitGroup
}

// run computes part i of the task.
func (t *task) run(i int) {
	q := t.p.part(i, t.parts)
	ws := getWorkspace(q.x)
	q.block(ws.b)
	putWorkspace(ws)
}

// A job is one part of a task, sent to a worker.
type job struct {
	t *task
	i int
}

var workers struct {
	sync.Mutex
	n    int
	jobs chan job
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

// runParallel computes p in parts, parts-1 of them in worker goroutines and the first in
// the caller's.
func runParallel(p *problem, parts int) {
	t := tasks.get()
	t.p, t.parts = *p, parts

	workers.Lock()
	if workers.jobs == nil {
		workers.jobs = make(chan job, 64)
	}
	for ; workers.n < parts-1; workers.n++ {
		go work(workers.jobs)
	}
	jobs := workers.jobs
	workers.Unlock()

	t.pending.Store(int32(parts - 1))
	t.wg.Add(parts - 1)
	for i := 1; i < parts; i++ {
		jobs <- job{t, i}
	}
	t.run(0)
	if spinning() {
		for start := time.Now(); t.pending.Load() > 0 && time.Since(start) < spin; {
		}
	}
	t.wg.Wait()

	t.p = problem{} // drop the caller's slices
	tasks.put(t)
}

// work runs jobs until the program ends; workers are started on demand and never stop.
// After each job it polls for the next one for spin before blocking.
func work(jobs <-chan job) {
	for {
		j, ok := poll(jobs)
		if !ok {
			j = <-jobs
		}
		j.t.run(j.i)
		j.t.pending.Add(-1)
		j.t.wg.Done()
	}
}

// poll waits up to spin for a job without blocking the thread.
func poll(jobs <-chan job) (job, bool) {
	if !spinning() {
		return job{}, false
	}
	for start := time.Now(); time.Since(start) < spin; {
		select {
		case j := <-jobs:
			return j, true
		default:
		}
	}
	return job{}, false
}
