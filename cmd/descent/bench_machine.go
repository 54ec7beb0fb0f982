package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"runtime"
	"sync"
	"time"

	"github.com/descent-ml/descent/internal/cpu"
	"github.com/descent-ml/descent/internal/gemm"
	"github.com/descent-ml/descent/internal/machine"
)

const machineBenchDoc = `Measures this machine's limits, which the other benchmarks print their figures as fractions
of: the float32 fused multiply-add peak of each kernel set (avx512, avx2, go) on one core
and on --threads cores (independent multiply-adds on enough accumulators to fill the FMA
units; 2 flops each), STREAM's triad bandwidth (a[i] = b[i] + s·c[i], 12 bytes per
element) on one core and on --threads, and the data caches CPUID reports, with the GEMM
blocking derived from them. Each limit is the best of several short runs: on a shared
machine a run can only be slowed down.

The peaks time each thread by its own CPU time, so that a thread that waits for a core
does not lower them: they are what the cores can do. With --threads above 1, the FMA loop
of the GEMM's kernel set is also run on all the threads at once and timed by the wall
clock (the median of 8 runs), which falls when the threads share cores, with other
processes or, on a virtual machine, with what the host runs there: below 90% of the peak,
the output says that figures on that many threads will vary. With --threads above 1 and
two CPUs it also times a cache line's round trip between two CPUs (two threads bound to the first two
of the process, handing a counter back and forth: --round-trips samples of 25 ms each),
the price of every hand-over between cores; cores that share a last-level cache take tens
of nanoseconds, cores apart (another AMD CCD, another socket) several times as long, and
a virtual machine's host may move its virtual CPUs from one case to the other.`

// Limits of the machine, each measured once per process (the benchmarks that divide by
// them ask for the same ones many times).
var (
	limitsMu sync.Mutex
	peaks    = map[[2]any]float64{}
	triads   = map[int]float64{}
)

// peakRuns is the number of runs of one FMA peak measurement, peakTime their total time
// (bench machine's --time sets it), triadTime and triadBytes the time and array size of a
// triad.
const peakRuns = 8

var (
	peakTime   = 400 * time.Millisecond
	triadTime  = time.Second
	triadBytes = machine.TriadBytes
)

// fmaPeak returns the FMA peak, GFLOP/s, of the FMA loop kernel (an internal/gemm kernel set
// name) on threads goroutines.
func fmaPeak(kernel string, threads int) float64 {
	limitsMu.Lock()
	defer limitsMu.Unlock()
	key := [2]any{kernel, threads}
	if p, ok := peaks[key]; ok {
		return p
	}
	p := machine.FMAPeak(kernel, threads, peakRuns, peakTime)
	peaks[key] = p
	return p
}

// triadBandwidth returns STREAM's triad bandwidth, GB/s, on threads goroutines.
func triadBandwidth(threads int) float64 {
	limitsMu.Lock()
	defer limitsMu.Unlock()
	if b, ok := triads[threads]; ok {
		return b
	}
	b := machine.Triad(threads, triadBytes/4, triadTime)
	triads[threads] = b
	return b
}

func benchMachine(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("bench machine", "[flags]", machineBenchDoc, stderr)
	threads := fs.Int("threads", runtime.NumCPU(), "goroutines of the all-core figures")
	asJSON := fs.Bool("json", false, "print one JSON object")
	d := fs.Duration("time", peakTime, "time of each FMA peak measurement (8 runs); each triad's takes 2.5 times as long")
	mib := fs.Int("triad-mib", machine.TriadBytes>>20, "MiB of each of the triad's three arrays")
	trips := fs.Int("round-trips", 20, "samples of 25 ms of the round trip between two CPUs (0: none)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *threads < 1 || *d <= 0 || *mib < 1 || *trips < 0 {
		fmt.Fprintln(stderr, "descent bench machine: --threads, --time and --triad-mib must be positive, --round-trips at least 0")
		return errUsage
	}
	limitsMu.Lock()
	peakTime, triadTime, triadBytes = *d, *d*5/2, *mib<<20
	clear(peaks)
	clear(triads)
	limitsMu.Unlock()
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(max(*threads, runtime.GOMAXPROCS(0))))
	counts := []int{1}
	if *threads > 1 {
		counts = append(counts, *threads)
	}
	type peak struct {
		Kernel  string  `json:"kernel"`
		Threads int     `json:"threads"`
		GFLOPS  float64 `json:"gflops"`
	}
	type band struct {
		Threads int     `json:"threads"`
		GBs     float64 `json:"gb_per_s"`
	}
	type trip struct {
		CPUs     [2]int  `json:"cpus"`
		BestNS   float64 `json:"best_ns"`
		MedianNS float64 `json:"median_ns"`
		WorstNS  float64 `json:"worst_ns"`
		Samples  int     `json:"samples"`
	}
	var res struct {
		CPU      string     `json:"cpu"`
		CPUs     int        `json:"cpus"`
		Mask     string     `json:"descent_cpu,omitempty"`
		Caches   cpu.Caches `json:"caches"`
		Blocking string     `json:"gemm_blocking"`
		Peaks    []peak     `json:"fma_peak"`
		AtOnce   *peak      `json:"fma_at_once,omitempty"`
		Triad    []band     `json:"triad"`
		Trip     *trip      `json:"round_trip,omitempty"`
	}
	res.CPU, res.CPUs, res.Mask, res.Caches, res.Blocking = cpu.Model(), runtime.NumCPU(), cpu.Masked(), cpu.CacheSizes(), gemm.Blocking()
	for _, k := range machine.Kernels() {
		for _, t := range counts {
			if err := ctx.Err(); err != nil {
				return err
			}
			res.Peaks = append(res.Peaks, peak{k, t, roundSig(fmaPeak(k, t), 4)})
		}
	}
	if *threads > 1 {
		if err := ctx.Err(); err != nil {
			return err
		}
		k := gemm.Kernel()
		res.AtOnce = &peak{k, *threads, roundSig(machine.FMAAtOnce(k, *threads, peakRuns, *d), 4)}
	}
	for _, t := range counts {
		if err := ctx.Err(); err != nil {
			return err
		}
		res.Triad = append(res.Triad, band{t, roundSig(triadBandwidth(t), 4)})
	}
	if *threads > 1 && *trips > 0 && res.CPUs > 1 {
		if err := ctx.Err(); err != nil {
			return err
		}
		// The other limits stand without it: a round trip that fails is reported, not fatal.
		if rt, cpus, err := machine.RoundTrips(*trips, tripTime); err != nil {
			fmt.Fprintf(stderr, "descent bench machine: no round trip between CPUs: %v\n", err)
		} else {
			best, median, worst := machine.RoundTripStats(rt)
			ns := func(d time.Duration) float64 { return roundSig(float64(d.Nanoseconds()), 4) }
			res.Trip = &trip{cpus, ns(best), ns(median), ns(worst), len(rt)}
		}
	}
	if *asJSON {
		b, _ := json.Marshal(res)
		fmt.Fprintln(stdout, string(b))
		return nil
	}
	fmt.Fprintf(stdout, "CPU: %s, %d logical CPUs", res.CPU, res.CPUs)
	if res.Mask != "" {
		fmt.Fprintf(stdout, " (%s=%s)", cpu.Env, res.Mask)
	}
	c := res.Caches
	fmt.Fprintf(stdout, "\ncaches (%s): L1d %v; L2 %v; L3 %v\n", c.Source, c.L1, c.L2, c.L3)
	fmt.Fprintf(stdout, "GEMM blocking: %s\n", res.Blocking)
	fmt.Fprintf(stdout, "%-22s", "fp32 FMA peak, GFLOP/s")
	for _, t := range counts {
		fmt.Fprintf(stdout, " %10s", fmt.Sprintf("%d thread%s", t, plural(t)))
	}
	fmt.Fprintln(stdout)
	for i := 0; i < len(res.Peaks); i += len(counts) {
		fmt.Fprintf(stdout, "  %-20s", res.Peaks[i].Kernel)
		for _, p := range res.Peaks[i : i+len(counts)] {
			fmt.Fprintf(stdout, " %10.1f", p.GFLOPS)
		}
		fmt.Fprintln(stdout)
	}
	fmt.Fprintf(stdout, "  %-20s", "triad, GB/s")
	for _, b := range res.Triad {
		fmt.Fprintf(stdout, " %10.1f", b.GBs)
	}
	fmt.Fprintln(stdout)
	if a := res.AtOnce; a != nil {
		p := fmaPeak(a.Kernel, a.Threads)
		fmt.Fprintf(stdout, "%s on %d threads at once, by the wall clock: %.1f GFLOP/s, %s of the peak above", a.Kernel, a.Threads, a.GFLOPS, fraction(a.GFLOPS, p))
		switch {
		case a.Threads > res.CPUs:
			fmt.Fprintf(stdout, ": %d threads share %d logical CPUs", a.Threads, res.CPUs)
		case a.GFLOPS < sharedCores*p:
			fmt.Fprintf(stdout, ": the threads shared cores meanwhile (with other processes, or the host's), and figures on %d threads will vary", a.Threads)
		}
		fmt.Fprintln(stdout)
	}
	if r := res.Trip; r != nil {
		fmt.Fprintf(stdout, "a cache line's round trip between CPUs %d and %d: median %.0f ns, best %.0f, worst %.0f (%d samples of %v)\n",
			r.CPUs[0], r.CPUs[1], r.MedianNS, r.BestNS, r.WorstNS, r.Samples, tripTime)
	}
	return nil
}

// tripTime is the time of one sample of the round trip between two CPUs.
const tripTime = 25 * time.Millisecond

// sharedCores is the share of the FMA peak below which the threads' throughput at once
// says that they shared cores.
const sharedCores = 0.9

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// fraction formats x/limit as a percentage, or "-" without a limit.
func fraction(x, limit float64) string {
	if !(limit > 0) {
		return "-"
	}
	return fmt.Sprintf("%.0f%%", 100*x/limit)
}
