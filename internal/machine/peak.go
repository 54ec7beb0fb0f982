package machine

import (
	"fmt"
	"runtime"
	"slices"
	"sync"
	"time"
)

// An fmaKernel is one FMA loop: run(iters, ab, out) updates lanes accumulators iters times
// and stores them to out.
type fmaKernel struct {
	name  string
	lanes int
	run   func(iters int, ab *[2]float32, out []float32)
}

var goKernel = fmaKernel{"go", goAcc, fmaGo}

// Kernels returns the names of the FMA loops this machine runs, widest first: "avx512" and
// "avx2" where the CPU has them (as internal/cpu enables its features, so DESCENT_CPU masks
// them) and "go", always last. They are the names of internal/gemm's kernel sets.
func Kernels() []string {
	var s []string
	for _, k := range fmaKernels() {
		s = append(s, k.name)
	}
	return s
}

func kernelByName(name string) fmaKernel {
	for _, k := range fmaKernels() {
		if k.name == name {
			return k
		}
	}
	panic(fmt.Sprintf("machine: no FMA kernel %q on this machine (have %v)", name, Kernels()))
}

// fmaBatch is the iterations of one call of a kernel: 2¹⁴ iterations of 24 ZMM
// multiply-adds take about 0.1 ms on a core of 2 FMA units at 4 GHz.
const fmaBatch = 1 << 14

// FMAPeak returns the GFLOP/s (2 flops per multiply-add and lane) of the FMA loop kernel
// (one of [Kernels]) run on threads goroutines at once, each locked to its own thread and
// timed by its own CPU time where the OS gives it (Linux), else by the wall clock: the sum
// over the threads of the best of runs of at least d/runs each. It panics on an unknown
// kernel, threads < 1 or runs < 1.
func FMAPeak(kernel string, threads, runs int, d time.Duration) float64 {
	k := kernelByName(kernel)
	if threads < 1 || runs < 1 {
		panic("machine: FMAPeak needs threads ≥ 1 and runs ≥ 1")
	}
	per := d / time.Duration(runs)
	best := make([]float64, threads)
	for range runs {
		each, _ := fmaRun(k, threads, per, threadClock)
		for t, r := range each {
			best[t] = max(best[t], r)
		}
	}
	total := 0.0
	for _, r := range best {
		total += r
	}
	return total
}

// FMAAtOnce returns the GFLOP/s of the FMA loop kernel (one of [Kernels]) run on threads
// goroutines at once, each locked to its own thread, timed by the wall clock from their
// common start to the last one's end: the median of runs of at least d/runs each. Where
// [FMAPeak] times each thread by its own CPU time, and so reads the cores' capability even
// while the threads take turns on fewer cores, this falls when they share cores — with
// other processes, or, on a virtual machine, with what the host runs on the same cores —
// and is what they had at once. It panics on an unknown kernel, threads < 1 or runs < 1.
func FMAAtOnce(kernel string, threads, runs int, d time.Duration) float64 {
	k := kernelByName(kernel)
	if threads < 1 || runs < 1 {
		panic("machine: FMAAtOnce needs threads ≥ 1 and runs ≥ 1")
	}
	rates := make([]float64, runs)
	for r := range rates {
		_, rates[r] = fmaRun(k, threads, d/time.Duration(runs), wallClock)
	}
	slices.Sort(rates)
	return rates[runs/2]
}

// threadClock is the calling thread's CPU time where the OS gives it (Linux), else the
// wall clock's.
func threadClock() time.Duration {
	if c, ok := threadTime(); ok {
		return c
	}
	return wallClock()
}

// wallClock is the wall clock's time.
func wallClock() time.Duration { return time.Duration(time.Now().UnixNano()) }

// fmaRun runs kernel k on threads goroutines at once, each locked to its own thread, for
// at least d of clock's time from its start, and returns the GFLOP/s of each over its
// clock's time, and of them all over the wall clock's from their common start to the last
// one's end.
func fmaRun(k fmaKernel, threads int, d time.Duration, clock func() time.Duration) (each []float64, all float64) {
	var start, done sync.WaitGroup
	start.Add(1)
	done.Add(threads)
	each = make([]float64, threads)
	iters := make([]int, threads)
	for t := range threads {
		go func() {
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			defer done.Done()
			out := make([]float32, k.lanes)
			ab := [2]float32{0.5, 1}
			start.Wait()
			t0 := clock()
			for clock()-t0 < d {
				k.run(fmaBatch, &ab, out)
				iters[t] += fmaBatch
			}
			each[t] = 2 * float64(iters[t]) * float64(k.lanes) / (clock() - t0).Seconds() / 1e9
		}()
	}
	t0 := time.Now()
	start.Done()
	done.Wait()
	total := 0
	for _, n := range iters {
		total += n
	}
	return each, 2 * float64(total) * float64(k.lanes) / time.Since(t0).Seconds() / 1e9
}
