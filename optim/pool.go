package optim

import (
	"runtime"
	"sync"
)

// The worker pool runs the parts of a parallel step. Its goroutines are started on first use,
// as many as GOMAXPROCS has been (less one, the caller working too), and wait on a channel
// between steps; sending a task allocates nothing, where starting a goroutine would.
var pool struct {
	mu      sync.Mutex
	started int
	tasks   chan task
}

// A task is part w of a phase of a step.
type task struct {
	r     runner
	w     int
	phase int
}

type runner interface {
	work(w, phase int)
	done()
}

// submit hands a task to the pool, starting workers up to GOMAXPROCS-1.
func submit(t task) {
	pool.mu.Lock()
	if pool.tasks == nil {
		pool.tasks = make(chan task, 64)
	}
	for want := runtime.GOMAXPROCS(0) - 1; pool.started < want; pool.started++ {
		go worker(pool.tasks)
	}
	tasks := pool.tasks
	pool.mu.Unlock()
	tasks <- t
}

func worker(tasks <-chan task) {
	for t := range tasks {
		t.r.work(t.w, t.phase)
		t.r.done()
	}
}
