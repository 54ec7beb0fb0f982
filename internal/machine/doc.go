// Package machine measures the limits of the machine that descent's kernels run against:
// the fused multiply-add throughput of one core and of all cores ([FMAPeak]), the
// bandwidth of streaming memory ([Triad]), and the time a cache line takes between two
// cores and back ([RoundTrips]). Benchmarks print their figures as fractions of
// these, so that a figure says how far it is from what the hardware can do, whatever the
// CPU; "descent bench machine" prints them with the caches that internal/cpu reads.
//
// # FMA peak
//
// Each kernel runs a loop of independent fused multiply-adds, acc = a·acc + b, on as many
// accumulators as it takes to fill every FMA unit despite the instructions' latency (units
// × latency: 2 × 4 on Intel Sapphire Rapids and AMD Zen 4 and 5, 2 × 5 on older Zen): 24
// ZMM registers for "avx512" (16 lanes each), 12 YMM registers for "avx2" (8 lanes), and 8
// scalar float32 variables for "go", the pure-Go loop, which the Go compiler does not fuse
// (a multiply and an add, 2 flops as well). A multiply-add counts 2 flops per lane, as the
// GEMM's 2mnk does. The loop touches no memory, so the figure is the bound of the core's
// arithmetic: the kernel's GFLOP/s can only approach it. Each thread times itself by its own
// CPU time (on Linux; the wall clock elsewhere), so that the figure is the core's rate while
// it runs, which other processes taking turns on a shared machine do not lower. Run on T
// goroutines locked to their threads at once, the figure is the sum over them: the bound of
// T cores' arithmetic, at whatever clock the CPU keeps with T cores busy.
//
// # Bandwidth
//
// [Triad] times STREAM's triad, a[i] = b[i] + s·c[i], over arrays far larger than the caches,
// split over T goroutines, and counts STREAM's 12 bytes per element (two loads, one store;
// the write-allocation read of a, which most CPUs also do, is not counted, as in STREAM).
//
// # Round trip
//
// [RoundTrips] binds two threads to two CPUs (on Linux; elsewhere they run where the system
// puts them) and has them hand a counter back and forth. On the 2 vCPUs of an AMD EPYC (Zen
// 4) under KVM, a probe of that loop read 48-100 ns a round trip most of the time and
// 310-380 ns for seconds at a time, back and forth within a minute (2026-12-08): the
// levels of cores that share an L3 and of cores apart, as the host placed the two vCPUs
// from one moment to the next. Every hand-over between descent's threads (a part claimed, a part done, a line
// written on one core and read on the other) pays it.
//
// # Timing
//
// A limit is the best of several short runs, not the median: on a machine shared with other
// work each run can only be slowed down, and a limit is what the hardware allows. The triad
// is timed by the wall clock, as STREAM times it: its threads share the memory system, so
// their CPU times would overstate it when they do not run at once.
//
// The kernels are amd64 assembly (kernels_amd64.s), each with its Go twin (twins.go) that the
// tests compare it with; with -tags noasm or on other architectures only "go" runs.
package machine
