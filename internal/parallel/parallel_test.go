package parallel

import (
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestForCoversEachIndexOnce(t *testing.T) {
	for _, procs := range []int{1, 2, 3, 8} {
		old := runtime.GOMAXPROCS(procs)
		for _, n := range []int{0, 1, 2, 7, 100, 1001} {
			for _, grain := range []int{0, 1, 3, 50} {
				counts := make([]int32, n)
				For(n, grain, func(lo, hi int) {
					if grain > 0 && hi-lo < grain && n >= grain {
						t.Errorf("n=%d grain=%d: chunk [%d,%d) shorter than grain", n, grain, lo, hi)
					}
					for i := lo; i < hi; i++ {
						atomic.AddInt32(&counts[i], 1)
					}
				})
				for i, c := range counts {
					if c != 1 {
						t.Fatalf("procs=%d n=%d grain=%d: index %d visited %d times", procs, n, grain, i, c)
					}
				}
			}
		}
		runtime.GOMAXPROCS(old)
	}
}

func TestSplitChunkIndices(t *testing.T) {
	const n, chunks = 10, 4
	var seen [chunks]atomic.Int32
	Split(n, chunks, func(i, lo, hi int) {
		if lo != i*n/chunks || hi != (i+1)*n/chunks {
			t.Errorf("chunk %d is [%d,%d)", i, lo, hi)
		}
		seen[i].Add(1)
	})
	for i := range seen {
		if seen[i].Load() != 1 {
			t.Errorf("chunk %d ran %d times", i, seen[i].Load())
		}
	}
}

func TestNestedForDoesNotDeadlock(t *testing.T) {
	old := runtime.GOMAXPROCS(4)
	defer runtime.GOMAXPROCS(old)
	var total atomic.Int64
	For(64, 1, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			For(64, 1, func(lo, hi int) {
				For(8, 1, func(lo, hi int) { total.Add(int64(hi - lo)) })
			})
		}
	})
	// Each of the 64 middle calls has Chunks(64, 1) chunks, each adding 8.
	if got, want := total.Load(), int64(64*Chunks(64, 1)*8); got != want {
		t.Fatalf("total %d, want %d", got, want)
	}
}

var sink atomic.Int64

func add(lo, hi int) { sink.Add(int64(hi - lo)) }

func TestForAllocatesNothing(t *testing.T) {
	old := runtime.GOMAXPROCS(2)
	defer runtime.GOMAXPROCS(old)
	For(1000, 1, add) // warm the pool
	if a := testing.AllocsPerRun(100, func() { For(1000, 1, add) }); a != 0 {
		t.Errorf("For allocates %v times per call", a)
	}
}

func BenchmarkFor(b *testing.B) {
	for b.Loop() {
		For(1000, 1, add)
	}
}

type countBody struct{ n atomic.Int64 }

func (c *countBody) Range(i, lo, hi int) { c.n.Add(int64(hi - lo)) }

func TestSplitBody(t *testing.T) {
	old := runtime.GOMAXPROCS(2)
	defer runtime.GOMAXPROCS(old)
	var c countBody
	SplitBody(1000, 3, &c)
	if c.n.Load() != 1000 {
		t.Fatalf("covered %d of 1000", c.n.Load())
	}
	if a := testing.AllocsPerRun(100, func() { SplitBody(1000, 2, &c) }); a != 0 {
		t.Errorf("SplitBody allocates %v times per call", a)
	}
}

func TestParts(t *testing.T) {
	old := runtime.GOMAXPROCS(2)
	defer runtime.GOMAXPROCS(old)
	for _, c := range []struct{ n, grain, want int }{{1000, 1, 2 * PartsPerThread}, {3, 1, 3}, {100, 60, 1}, {0, 1, 1}} {
		if got := Parts(c.n, c.grain); got != c.want {
			t.Errorf("Parts(%d, %d) = %d, want %d", c.n, c.grain, got, c.want)
		}
	}
	runtime.GOMAXPROCS(1)
	if Parts(1000, 1) != 1 {
		t.Error("Parts on one thread")
	}
}

// goid returns the calling goroutine's id, from the first line of its stack trace.
func goid() string {
	var buf [64]byte
	f := strings.Fields(string(buf[:runtime.Stack(buf[:], false)]))
	return f[1]
}

// TestChunkZeroOnCaller checks the documented affinity: chunk 0 runs on the calling
// goroutine, whatever the workers do.
func TestChunkZeroOnCaller(t *testing.T) {
	old := runtime.GOMAXPROCS(2)
	defer runtime.GOMAXPROCS(old)
	me := goid()
	for range 20 {
		var ran [8]string
		Split(8, 8, func(i, lo, hi int) { ran[i] = goid() })
		if ran[0] != me {
			t.Fatalf("chunk 0 ran on goroutine %s, the caller is %s", ran[0], me)
		}
	}
}

// TestClaimsBalance checks that the chunks are claimed as goroutines free up: with the
// caller busy in chunk 0 until the other chunks are done, a worker must run them all.
func TestClaimsBalance(t *testing.T) {
	old := runtime.GOMAXPROCS(2)
	defer runtime.GOMAXPROCS(old)
	// Notices of earlier tests that the workers have not read yet could fill the queue, and
	// the call's would be dropped (as it may be: the caller does the work then).
	workers.Lock()
	q := workers.notices
	workers.Unlock()
	for len(q) > 0 {
		runtime.Gosched()
	}
	const chunks = 8
	var done atomic.Int32
	var early int32
	Split(chunks, chunks, func(i, lo, hi int) {
		if i == 0 {
			for deadline := time.Now().Add(10 * time.Second); done.Load() < chunks-1 && time.Now().Before(deadline); {
				runtime.Gosched()
			}
			early = done.Load()
			return
		}
		done.Add(1)
	})
	if early != chunks-1 {
		t.Fatalf("%d of %d chunks done while the caller was busy", early, chunks-1)
	}
}

// TestConcurrentNestedCalls runs many callers at once whose bodies call in again, more
// than the queue of notices holds: every index is visited once and nothing deadlocks.
func TestConcurrentNestedCalls(t *testing.T) {
	old := runtime.GOMAXPROCS(3)
	defer runtime.GOMAXPROCS(old)
	const callers, rounds = 16, 50
	var total atomic.Int64
	var wg sync.WaitGroup
	for range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range rounds {
				Split(100, MaxChunks, func(_, lo, hi int) {
					For(hi-lo, 1, func(lo, hi int) { total.Add(int64(hi - lo)) })
				})
			}
		}()
	}
	wg.Wait()
	if got, want := total.Load(), int64(callers*rounds*100); got != want {
		t.Fatalf("total %d, want %d", got, want)
	}
}

// TestChunksOutOfRange checks the panics of Split and SplitBody.
func TestChunksOutOfRange(t *testing.T) {
	for _, chunks := range []int{0, MaxChunks + 1} {
		for name, f := range map[string]func(){
			"Split":     func() { Split(10, chunks, func(i, lo, hi int) {}) },
			"SplitBody": func() { SplitBody(10, chunks, &countBody{}) },
		} {
			func() {
				defer func() {
					if r := recover(); r != "parallel: chunks out of range" {
						t.Errorf("%s with %d chunks: recovered %v", name, chunks, r)
					}
				}()
				f()
			}()
		}
	}
}

func TestPacingYieldsLate(t *testing.T) {
	for _, c := range []struct {
		d              time.Duration
		goOn, yielding bool
	}{
		{0, true, false},
		{YieldAfter - time.Nanosecond, true, false},
		{YieldAfter, true, true},
		{Spin - time.Nanosecond, true, true},
		{Spin, false, false},
	} {
		if goOn, yielding := pacing(c.d); goOn != c.goOn || yielding != c.yielding {
			t.Errorf("a poll %v into a wait: goes on %v, yields %v; want %v, %v", c.d, goOn, yielding, c.goOn, c.yielding)
		}
	}
}
