package machine

import (
	"runtime"
	"sync"
	"time"
)

// TriadBytes is the default length in bytes of each of the three arrays of [Triad]: far
// larger than the last-level cache a core can use on the CPUs descent targets (32 MiB per
// AMD Zen CCD, 1.875 MiB per Sapphire Rapids core).
const TriadBytes = 64 << 20

// Triad returns the bandwidth in GB/s of STREAM's triad, a[i] = b[i] + s·c[i], over three
// arrays of n float32 each, split into threads contiguous parts run by as many goroutines,
// each locked to its thread: the best of passes (at least 2) over at least d, counting 12
// bytes per element as STREAM does. The arrays are allocated and written once before the
// first pass. It panics when threads < 1 or n < threads.
func Triad(threads, n int, d time.Duration) float64 {
	if threads < 1 || n < threads {
		panic("machine: Triad needs threads ≥ 1 and n ≥ threads")
	}
	a, b, c := make([]float32, n), make([]float32, n), make([]float32, n)
	for i := range b {
		a[i], b[i], c[i] = 0, 1, 2
	}
	best := 0.0
	t0 := time.Now()
	for pass := 0; pass < 2 || time.Since(t0) < d; pass++ {
		best = max(best, triadPass(a, b, c, threads))
	}
	return best
}

// triadPass runs one triad over the arrays on threads goroutines and returns its GB/s.
func triadPass(a, b, c []float32, threads int) float64 {
	n := len(a)
	var start, done sync.WaitGroup
	start.Add(1)
	done.Add(threads)
	for t := range threads {
		// Parts of whole 32-element blocks, so that only the last has a tail.
		lo, hi := n*t/threads&^31, n*(t+1)/threads&^31
		if t == threads-1 {
			hi = n
		}
		go func() {
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			defer done.Done()
			start.Wait()
			triad(a[lo:hi], b[lo:hi], c[lo:hi], 3)
		}()
	}
	t0 := time.Now()
	start.Done()
	done.Wait()
	return 12 * float64(n) / time.Since(t0).Seconds() / 1e9
}
