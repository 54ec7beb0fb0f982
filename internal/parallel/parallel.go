// Package parallel splits loops over the cores with the one persistent pool of worker
// goroutines that every package of descent shares.
//
// [For] runs a loop body over disjoint chunks of an index range; [Split] does the same for
// a given number of chunks and tells each call its chunk index, and [SplitBody] takes the
// body as an interface value instead of a closure. The number of chunks of For is at most
// runtime.GOMAXPROCS(0), read at each call, so setting GOMAXPROCS sets the threads.
//
// # Claiming
//
// The chunks of a call are claimed one at a time, as the goroutines working on the call
// free up: the caller runs chunk 0 and then claims the next unclaimed chunk, and so does
// each of the up to GOMAXPROCS−1 workers the call wakes. A call split into more chunks than
// there are cores ([Parts]) so balances itself: a core that starts late, or is busy with
// something else, only leaves its chunks to the others. Which goroutine runs a chunk
// depends on timing; a chunk's bounds do not, so a body that writes each chunk's result to
// its own place, combined afterwards in chunk order, gives the same bits every time.
//
// # Waiting
//
// Waking a parked thread costs 60-400µs on the virtual machines descent is measured on,
// more than the chunks of a small kernel take, while the kernels of a training step follow
// each other within microseconds. So an idle worker polls for the next call for [Spin]
// before it blocks, and a caller polls for its chunks' end as long before it blocks; with
// GOMAXPROCS 1 neither polls.
//
// # Nesting
//
// A body may itself call For (or anything that does): a caller never waits for a chunk
// that nobody has claimed (it claims every chunk left itself), only for chunks being run,
// so a busy pool never deadlocks.
//
// # Allocation
//
// For, Split and SplitBody allocate nothing once the pool is warm; a closure passed as body
// is allocated by the caller when it captures variables, which a [Body] kept by the caller
// avoids.
package parallel

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// MaxChunks bounds the number of chunks of one call of [For], [Split] or [SplitBody].
const MaxChunks = 64

// Spin is how long an idle worker polls for a call, and a caller for the end of its chunks,
// before blocking, when GOMAXPROCS is above 1. The polling does not yield the processor to
// other goroutines (runtime.Gosched lets them wander between threads and park them), so it
// is short. After the first [YieldAfter] of it, the thread offers its core to the kernel
// between two polls (sched_yield(2) on Linux), which hands it over only to a thread ready
// to run there and otherwise returns at once. Two processes that share the cores — two
// shards of a sweep on one machine, each with as many threads as cores — then run each
// other's chunks instead of spinning past them. On 2 cores (AMD EPYC), a 16-trial logreg
// sweep run as a plan, two shards at once and a collect took 1.22–1.26 times as long as
// the same sweep in one process without yielding, 1.04 times with it.
const Spin = 200 * time.Microsecond

// YieldAfter is how long polling runs before it yields the core between polls (see
// [Spin]). A wait that ends sooner, as the hand-overs within a training step of one process
// do, pays no system call: yielding from the first poll made the step of a logistic
// regression on MNIST's shapes 8% slower (0.107 ms instead of 0.098 ms on an AMD EPYC),
// a system call's time added to each hand-over, though it brought the sharded sweep above
// to 0.90 times the local one. A wait for a thread that another process has displaced
// lasts a time slice of the kernel's scheduler, milliseconds.
const YieldAfter = 50 * time.Microsecond

// A Body is a loop body that [SplitBody] runs without a closure: typically a pointer to a
// struct holding the loop's operands, recycled by the caller, so that splitting a loop
// allocates nothing at all.
type Body interface {
	// Range processes chunk i, the indices [lo, hi).
	Range(i, lo, hi int)
}

// A call is one call of For, Split or SplitBody, recycled as soon as its caller returns,
// even if a worker has not yet looked at its notice: every use has a new generation, and
// a worker holding an old one finds nothing to claim.
type call struct {
	// The body: exactly one is set.
	body  func(lo, hi int)
	split func(i, lo, hi int)
	b     Body
	n     int

	gen     uint32        // the current generation; read and written by callers only
	state   atomic.Uint64 // generation<<32 | next chunk to claim<<16 | chunks
	pending atomic.Int32  // chunks not yet finished, polled before waiting on wg
	wg      sync.WaitGroup
}

// runChunk runs chunk i of chunks and marks it finished; c may be recycled as soon as it
// returns.
func (c *call) runChunk(i, chunks int) {
	lo, hi := i*c.n/chunks, (i+1)*c.n/chunks
	switch {
	case c.body != nil:
		c.body(lo, hi)
	case c.split != nil:
		c.split(i, lo, hi)
	default:
		c.b.Range(i, lo, hi)
	}
	c.pending.Add(-1)
	c.wg.Done()
}

// help claims and runs chunks of generation gen of c until none is left.
func (c *call) help(gen uint32) {
	for {
		v := c.state.Load()
		next, chunks := int(v>>16&0xffff), int(v&0xffff)
		if uint32(v>>32) != gen || next >= chunks {
			return
		}
		if c.state.CompareAndSwap(v, v+1<<16) {
			c.runChunk(next, chunks)
		}
	}
}

// A notice tells a worker that generation gen of a call wants help.
type notice struct {
	c   *call
	gen uint32
}

var (
	// calls keeps calls for reuse. Unlike a sync.Pool it is not emptied by the garbage
	// collector, so that a call in steady state never allocates.
	calls struct {
		sync.Mutex
		free []*call
	}
	workers struct {
		sync.Mutex
		n       int // goroutines started so far, each serving notices forever
		notices chan notice
	}
)

func getCall() *call {
	calls.Lock()
	defer calls.Unlock()
	if n := len(calls.free); n > 0 {
		c := calls.free[n-1]
		calls.free = calls.free[:n-1]
		return c
	}
	return new(call)
}

func putCall(c *call) {
	c.body, c.split, c.b = nil, nil, nil // drop the caller's operands
	calls.Lock()
	calls.free = append(calls.free, c)
	calls.Unlock()
}

// notify asks up to k workers for help with generation gen of c, starting workers until
// there are k. It never blocks: when the notices already waiting fill the queue, every
// worker is busy, and the caller does the work itself.
func notify(c *call, gen uint32, k int) {
	workers.Lock()
	if workers.notices == nil {
		workers.notices = make(chan notice, 4*MaxChunks)
	}
	for ; workers.n < k; workers.n++ {
		go serve(workers.notices)
	}
	notices := workers.notices
	workers.Unlock()
	for range k {
		select {
		case notices <- notice{c, gen}:
		default:
			return
		}
	}
}

// serve helps with calls until the program ends; workers are started on demand and never
// stop. After each call a worker polls for the next one for Spin before blocking.
func serve(notices <-chan notice) {
	for {
		j, ok := poll(notices)
		if !ok {
			j = <-notices
		}
		j.c.help(j.gen)
	}
}

// spinning reports whether waiting should poll before blocking: only when there is another
// processor to run what is waited for.
func spinning() bool { return runtime.GOMAXPROCS(0) > 1 }

// pause is the step of a polling loop that started at start: it reports whether the loop
// may go on (Spin has not passed), having yielded the core if YieldAfter has.
func pause(start time.Time) bool {
	goOn, yielding := pacing(time.Since(start))
	if yielding {
		yield()
	}
	return goOn
}

// pacing reports, for a poll d into a wait, whether polling goes on and whether it yields
// the core first.
func pacing(d time.Duration) (goOn, yielding bool) {
	return d < Spin, d >= YieldAfter && d < Spin
}

// poll waits up to Spin for a notice without blocking the thread.
func poll(notices <-chan notice) (notice, bool) {
	if !spinning() {
		return notice{}, false
	}
	for start := time.Now(); ; {
		select {
		case j := <-notices:
			return j, true
		default:
		}
		if !pause(start) {
			return notice{}, false
		}
	}
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
// Chunk 0 runs on the calling goroutine, the others on whichever goroutine claims them
// first (see the package doc). The chunk index lets each call use its own part of a
// scratch buffer sized for chunks. chunks must be in [1, MaxChunks].
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

// run runs the chunks of one call with the caller and up to GOMAXPROCS−1 workers.
func run(n, chunks int, body func(lo, hi int), split func(i, lo, hi int), b Body) {
	c := getCall()
	c.body, c.split, c.b, c.n = body, split, b, n
	c.gen++
	gen := c.gen
	c.pending.Store(int32(chunks))
	c.wg.Add(chunks)
	// Chunk 0 is the caller's: claimed from the start.
	c.state.Store(uint64(gen)<<32 | 1<<16 | uint64(chunks))
	if k := min(chunks, runtime.GOMAXPROCS(0)) - 1; k > 0 {
		notify(c, gen, k)
	}
	c.runChunk(0, chunks)
	c.help(gen)
	if spinning() {
		for start := time.Now(); c.pending.Load() > 0 && pause(start); {
		}
	}
	c.wg.Wait()
	putCall(c)
}
