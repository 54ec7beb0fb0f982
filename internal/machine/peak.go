package machine

import (
	"fmt"
	"runtime"
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
// (one of [Kernels]) run on threads goroutines at once, each locked to its own thread: the
// best of runs of at least d/runs each. It panics on an unknown kernel, threads < 1 or
// runs < 1.
func FMAPeak(kernel string, threads, runs int, d time.Duration) float64 {
	k := kernelByName(kernel)
	if threads < 1 || runs < 1 {
		panic("machine: FMAPeak needs threads ≥ 1 and runs ≥ 1")
	}
	per := d / time.Duration(runs)
	best := 0.0
	for range runs {
		best = max(best, fmaRun(k, threads, per))
	}
	return best
}

// fmaRun runs kernel k on threads goroutines, each for at least d, and returns their
// summed GFLOP/s: the flops of all of them over the time from the common start to the
// last one's end.
func fmaRun(k fmaKernel, threads int, d time.Duration) float64 {
	var start, done sync.WaitGroup
	start.Add(1)
	done.Add(threads)
	iters := make([]int, threads)
	for t := range threads {
		go func() {
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			defer done.Done()
			out := make([]float32, k.lanes)
			ab := [2]float32{0.5, 1}
			start.Wait()
			t0 := time.Now()
			for time.Since(t0) < d {
				k.run(fmaBatch, &ab, out)
				iters[t] += fmaBatch
			}
		}()
	}
	t0 := time.Now()
	start.Done()
	done.Wait()
	el := time.Since(t0).Seconds()
	total := 0
	for _, n := range iters {
		total += n
	}
	return 2 * float64(total) * float64(k.lanes) / el / 1e9
}
