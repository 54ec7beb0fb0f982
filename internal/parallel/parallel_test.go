package parallel

import (
	"runtime"
	"sync/atomic"
	"testing"
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
