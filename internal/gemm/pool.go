package gemm

import "sync"

// A workspace is one goroutine's packing buffer, reused across calls.
type workspace struct{ b []float32 }

var free struct {
	sync.Mutex
	ws    []*workspace
	tasks []*task
}

// getWorkspace returns a workspace whose buffer holds a kc×nc block of B for x.
func getWorkspace(x *impl) *workspace {
	free.Lock()
	var w *workspace
	if n := len(free.ws); n > 0 {
		w = free.ws[n-1]
		free.ws = free.ws[:n-1]
	}
	free.Unlock()
	if w == nil {
		w = new(workspace)
	}
	if need := x.kc * x.nc; len(w.b) < need {
		w.b = make([]float32, need)
	}
	return w
}

func putWorkspace(w *workspace) {
	free.Lock()
	free.ws = append(free.ws, w)
	free.Unlock()
}

// A task is one parallel call: its problem, cut into parts run by workers.
type task struct {
	p     problem
	parts int
	wg    sync.WaitGroup
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

// runParallel computes p in parts, parts-1 of them in worker goroutines and the first in
// the caller's.
func runParallel(p *problem, parts int) {
	free.Lock()
	var t *task
	if n := len(free.tasks); n > 0 {
		t = free.tasks[n-1]
		free.tasks = free.tasks[:n-1]
	}
	free.Unlock()
	if t == nil {
		t = new(task)
	}
	t.p, t.parts = *p, parts

	workers.Lock()
	if workers.jobs == nil {
		workers.jobs = make(chan job)
	}
	for ; workers.n < parts-1; workers.n++ {
		go work(workers.jobs)
	}
	jobs := workers.jobs
	workers.Unlock()

	t.wg.Add(parts - 1)
	for i := 1; i < parts; i++ {
		jobs <- job{t, i}
	}
	t.run(0)
	t.wg.Wait()

	t.p = problem{} // drop the caller's slices
	free.Lock()
	free.tasks = append(free.tasks, t)
	free.Unlock()
}

// work runs jobs until the program ends; workers are started on demand and never stop.
func work(jobs <-chan job) {
	for j := range jobs {
		j.t.run(j.i)
		j.t.wg.Done()
	}
}
