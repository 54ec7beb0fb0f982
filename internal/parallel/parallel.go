// Package parallel splits loops over the cores with a persistent pool of worker goroutines.
//
// [For] runs a loop body over disjoint chunks of an index range, one chunk on the calling
// goroutine and the others on pooled workers; [Split] does the same for a given number of
// chunks and tells each call its chunk index, and [SplitBody] takes the body as an
// interface value instead of a closure. The number of chunks of For is at most
// runtime.GOMAXPROCS(0), read at each call, so setting GOMAXPROCS sets the threads.
//
// # Nesting
//
// A body may itself call For (or anything that does): a caller that waits for its chunks
// first takes back every chunk no worker has started, so a full pool never deadlocks.
//
// # Allocation
//
// For, Split and SplitBody allocate nothing once the pool is warm; a closure passed as body
// is allocated by the caller when it captures variables, which a [Body] kept by the caller
// (in a sync.Pool, say) avoids.
package parallel

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// MaxChunks bounds the number of chunks of one call of [For] or [Split].
const MaxChunks = 64

// A Body is a loop body that [SplitBody] runs without a closure: typically a pointer to a
// struct holding the loop's operands, recycled by the caller, so that splitting a loop
// allocates nothing at all.
type Body interface {
	// Range processes chunk i, the indices [lo, hi).
	Range(i, lo, hi int)
}

// A job is one chunk of a call. claimed is set by whoever runs it. Exactly one of body,
// split and b is set.
type job struct {
	body      func(lo, hi int)
	split     func(i, lo, hi int)
	b         Body
	i, lo, hi int
	claimed   atomic.Bool
	g         *group
}

func (j *job) run() {
	defer j.g.pending.Add(-1)
	switch {
	case j.body != nil:
		j.body(j.lo, j.hi)
	case j.split != nil:
		j.split(j.i, j.lo, j.hi)
	default:
		j.b.Range(j.i, j.lo, j.hi)
	}
	j.g.wg.Done()
}

// A group is the state of one call, recycled through groups.
type group struct {
	jobs    [MaxChunks]job
	wg      sync.WaitGroup
	pending atomic.Int32 // chunks not finished, polled before waiting on wg
}

var (
	groups  = sync.Pool{New: func() any { return new(group) }}
	queue   = make(chan *job, 4*MaxChunks)
	mu      sync.Mutex
	workers int // goroutines started so far, each serving queue forever
)

// ensureWorkers starts workers until at least n of them serve the queue.
func ensureWorkers(n int) {
	mu.Lock()
	for workers < n {
		workers++
		go serve()
	}
	mu.Unlock()
}

// serve runs the jobs of the queue that nobody has claimed. A job may be queued after its
// caller took it back and even after its group was reused; the claim decides who runs it.
//
// After each job a worker polls the queue for spin before it blocks: waking a parked
// thread costs tens of microseconds on the virtual machines descent is measured on, more
// than the chunks of a small kernel take, while the kernels of a training step follow
// each other within microseconds. The polling yields the processor every microsecond or
// so, so it delays no runnable goroutine for longer.
func serve() {
	for {
		j, ok := poll()
		if !ok {
			j = <-queue
		}
		if j.claimed.CompareAndSwap(false, true) {
			j.run()
		}
	}
}

// spin is how long an idle worker polls for a job before blocking.
const spin = 100 * time.Microsecond

func poll() (*job, bool) {
	if runtime.GOMAXPROCS(0) < 2 {
		return nil, false
	}
	for start := time.Now(); time.Since(start) < spin; {
		// Check the queue for about a microsecond between yields: yielding at every turn
		// takes the scheduler's lock at a rate that slows everyone.
		for range 64 {
			select {
			case j := <-queue:
				return j, true
			default:
			}
		}
		runtime.Gosched()
	}
	return nil, false
}

// Chunks returns the number of chunks For(n, grain, ·) uses: at most GOMAXPROCS and
// [MaxChunks], and at most n/grain (at least 1).
func Chunks(n, grain int) int {
	if grain < 1 {
		grain = 1
	}
	c := min(runtime.GOMAXPROCS(0), MaxChunks, n/grain)
	return max(c, 1)
}

// PartsPerThread is how many chunks [Parts] gives each goroutine: with several chunks per
// core, one that a busy core starts late only shifts chunks to the others, which claim
// them as they finish their own.
const PartsPerThread = 4

// Parts returns the number of chunks to split n indices into for dynamic load balancing:
// PartsPerThread per GOMAXPROCS, at most n/grain (at least 1) and at most [MaxChunks].
func Parts(n, grain int) int {
	if grain < 1 {
		grain = 1
	}
	if runtime.GOMAXPROCS(0) < 2 {
		return 1
	}
	return max(1, min(PartsPerThread*runtime.GOMAXPROCS(0), MaxChunks, n/grain))
}

// For calls body(lo, hi) for disjoint chunks [lo, hi) that cover [0, n), in parallel, and
// returns when every call has returned. There are [Chunks](n, grain) chunks of nearly equal
// length; with one chunk, body(0, n) runs on the calling goroutine.
func For(n, grain int, body func(lo, hi int)) {
	if n <= 0 {
		return
	}
	c := Chunks(n, grain)
	if c == 1 {
		body(0, n)
		return
	}
	run(n, c, body, nil, nil)
}

// Split calls body(i, lo, hi) for the chunks i = 0 … chunks−1 of [0, n), chunk i being
// [i·n/chunks, (i+1)·n/chunks), in parallel, and returns when every call has returned.
// Chunk 0 runs on the calling goroutine. The chunk index lets each call use its own part of
// a scratch buffer sized for chunks workers. chunks must be in [1, MaxChunks].
func Split(n, chunks int, body func(i, lo, hi int)) {
	if chunks < 1 || chunks > MaxChunks {
		panic("parallel: chunks out of range")
	}
	if chunks == 1 {
		body(0, 0, n)
		return
	}
	run(n, chunks, nil, body, nil)
}

// SplitBody is [Split] with a [Body] in place of a function.
func SplitBody(n, chunks int, b Body) {
	if chunks < 1 || chunks > MaxChunks {
		panic("parallel: chunks out of range")
	}
	if chunks == 1 {
		b.Range(0, 0, n)
		return
	}
	run(n, chunks, nil, nil, b)
}

func run(n, chunks int, body func(lo, hi int), split func(i, lo, hi int), b Body) {
	ensureWorkers(chunks - 1)
	g := groups.Get().(*group)
	g.wg.Add(chunks)
	g.pending.Store(int32(chunks))
	for i := range chunks {
		j := &g.jobs[i]
		j.body, j.split, j.b, j.i, j.lo, j.hi, j.g = body, split, b, i, i*n/chunks, (i+1)*n/chunks, g
		j.claimed.Store(i == 0)
		if i > 0 {
			queue <- j
		}
	}
	g.jobs[0].run()
	for i := 1; i < chunks; i++ {
		if j := &g.jobs[i]; j.claimed.CompareAndSwap(false, true) {
			j.run()
		}
	}
	// Poll before blocking, for the same reason as the workers: a parked caller takes tens of
	// microseconds to wake.
	if runtime.GOMAXPROCS(0) > 1 {
		for start := time.Now(); g.pending.Load() > 0 && time.Since(start) < spin; {
		}
	}
	g.wg.Wait()
	for i := range chunks {
		g.jobs[i].body, g.jobs[i].split, g.jobs[i].b = nil, nil, nil
	}
	groups.Put(g)
}
