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
		for t, r := range fmaRun(k, threads, per) {
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
	per := d / time.Duration(runs)
	rates := make([]float64, runs)
	for r := range rates {
		var start, done sync.WaitGroup
		start.Add(1)
		done.Add(threads)
		iters := make([]int, threads)
		var t0 time.Time
		for t := range threads {
			go func() {
				runtime.LockOSThread()
				defer runtime.UnlockOSThread()
				defer done.Done()
				out := make([]float32, k.lanes)
				ab := [2]float32{0.5, 1}
				start.Wait()
				for time.Since(t0) < per {
					k.run(fmaBatch, &ab, out)
					iters[t] += fmaBatch
				}
			}()
		}
		t0 = time.Now()
		start.Done()
		done.Wait()
		total := 0
		for _, n := range iters {
			total += n
		}
		rates[r] = 2 * float64(total) * float64(k.lanes) / time.Since(t0).Seconds() / 1e9
	}
	slices.Sort(rates)
	return rates[runs/2]
}

// fmaRun runs kernel k on threads goroutines at once, each for at least d of its own time,
// and returns the GFLOP/s of each.
func fmaRun(k fmaKernel, threads int, d time.Duration) []float64 {
	var start, done sync.WaitGroup
	start.Add(1)
	done.Add(threads)
	rates := make([]float64, threads)
	for t := range threads {
		go func() {
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			defer done.Done()
			out := make([]float32, k.lanes)
			ab := [2]float32{0.5, 1}
			start.Wait()
			clock := func() time.Duration {
				if c, ok := threadTime(); ok {
					return c
				}
				return time.Duration(time.Now().UnixNano())
			}
			t0, iters := clock(), 0
			for clock()-t0 < d {
				k.run(fmaBatch, &ab, out)
				iters += fmaBatch
			}
			rates[t] = 2 * float64(iters) * float64(k.lanes) / (clock() - t0).Seconds() / 1e9
		}()
	}
	start.Done()
	done.Wait()
	return rates
}
