package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/descent-ml/descent/internal/gemm"
	"github.com/descent-ml/descent/report"
)

// gemmShapes are the products "descent bench gemm" measures by default, m×k×n: an MLP's
// layers at batch 128, a square product, and the MNIST CNN's im2col products at batch 64 (conv1: 676 positions per image, 9 inputs, 32 filters; conv2: 576
// positions, 288 inputs, 64 filters).
var gemmShapes = [][3]int{
	{128, 784, 1000}, {128, 1000, 1000}, {1000, 128, 1000}, {1024, 1024, 1024},
	{64 * 676, 9, 32}, {64 * 576, 288, 64},
}

const gemmBenchDoc = `Measures gemm.Sgemm, C = op(A)·op(B) with op(A) m×k and op(B) k×n, in GFLOP/s
(2mkn flops per product; the median of --reps repetitions of at least --min-time each), and
as a fraction of the FMA peak of the kernel set on --threads cores (descent bench machine).
Layouts: NN is A·B, NT is A·Bᵀ, TN is Aᵀ·B, TT is Aᵀ·Bᵀ. The reference is bench/torch_gemm.py,
SGEMM through PyTorch's BLAS on the same shapes and layouts, timed the same way, with its
threads pinned (OPENBLAS_NUM_THREADS as well as torch's):
  /usr/bin/python3 bench/torch_gemm.py --threads T
bench/reference.py gemm runs both alternately and prints the ratios.
Default shapes (m×k×n): 128×784×1000, 128×1000×1000, 1000×128×1000, 1024×1024×1024
and the MNIST CNN's im2col products at batch 64.`

func runBenchGemm(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("bench gemm", "[flags]", gemmBenchDoc, stderr)
	threads := fs.Int("threads", 1, "goroutines (GOMAXPROCS) for the products")
	asJSON := fs.Bool("json", false, "print one JSON line per shape and layout")
	reps := fs.Int("reps", 7, "repetitions per shape and layout; the median is reported")
	minTime := fs.Duration("min-time", 100*time.Millisecond, "least time of one repetition")
	shapesFlag := fs.String("shapes", "", "comma-separated shapes m×k×n written MxKxN (default: see above)")
	layoutsFlag := fs.String("layouts", "NN,NT,TN,TT", "comma-separated layouts")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	shapes, err := parseShapes(*shapesFlag)
	if err == nil && (*threads < 1 || *reps < 1 || *minTime <= 0) {
		err = fmt.Errorf("--threads, --reps and --min-time must be positive")
	}
	var layouts []string
	for _, l := range strings.Split(*layoutsFlag, ",") {
		if !slices.Contains([]string{"NN", "NT", "TN", "TT"}, l) && err == nil {
			err = fmt.Errorf("unknown layout %q (want NN, NT, TN or TT)", l)
		}
		layouts = append(layouts, l)
	}
	if err != nil {
		fmt.Fprintf(stderr, "descent bench gemm: %v\n", err)
		fs.Usage()
		return errUsage
	}
	for _, s := range shapes {
		m, k, n := float64(s[0]), float64(s[1]), float64(s[2])
		if err := checkMemory(fmt.Sprintf("bench gemm: the shape %dx%dx%d", s[0], s[1], s[2]), bytesPerFloat32*(m*k+k*n+m*n), nil); err != nil {
			return err
		}
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(*threads))

	peak := fmaPeak(gemm.Kernel(), *threads)
	if !*asJSON {
		fmt.Fprintf(stdout, "%-8s %7s %6s %6s %-6s %8s %6s\n", "kernel", "m", "k", "n", "layout", "GFLOP/s", "peak")
	}
	rnd := rand.New(rand.NewPCG(1, 1))
	for _, s := range shapes {
		m, k, n := s[0], s[1], s[2]
		a, b, c := randSlice(rnd, m*k), randSlice(rnd, k*n), make([]float32, m*n)
		for _, l := range layouts {
			if err := ctx.Err(); err != nil {
				return err
			}
			ta, tb := l[0] == 'T', l[1] == 'T'
			lda, ldb := k, n
			if ta {
				lda = m
			}
			if tb {
				ldb = k
			}
			f := func() { gemm.Sgemm(ta, tb, m, n, k, 1, a, lda, b, ldb, 0, c, n) }
			gf := 2 * float64(m) * float64(k) * float64(n) / 1e9 / medianSeconds(f, *reps, *minTime)
			if *asJSON {
				line, _ := json.Marshal(map[string]any{
					"impl": "descent", "kernel": gemm.Kernel(), "m": m, "k": k, "n": n,
					"layout": l, "gflops": roundSig(gf, 4), "threads": *threads,
					"cpu": report.ThisMachine().CPU, "load": loadAverage(),
					"peak_gflops": roundSig(peak, 4), "peak_fraction": roundSig(gf/peak, 3),
				})
				fmt.Fprintf(stdout, "%s\n", line)
			} else {
				fmt.Fprintf(stdout, "%-8s %7d %6d %6d %-6s %8.1f %6s\n", gemm.Kernel(), m, k, n, l, gf, fraction(gf, peak))
			}
		}
	}
	if !*asJSON {
		fmt.Fprintf(stdout, "peak: %.1f GFLOP/s (%s FMA loop, %d thread%s; descent bench machine)\n", peak, gemm.Kernel(), *threads, plural(*threads))
		fmt.Fprintf(stdout, "CPU: %s\n", machineNote())
	}
	return nil
}

// medianSeconds returns the median, over reps repetitions, of the seconds one call of f
// takes; each repetition calls f often enough to last minTime, after one warm-up call.
func medianSeconds(f func(), reps int, minTime time.Duration) float64 {
	f()
	t0 := time.Now()
	f()
	calls := max(1, int(minTime/max(time.Since(t0), time.Microsecond)))
	per := make([]float64, reps)
	for r := range per {
		t := time.Now()
		for range calls {
			f()
		}
		per[r] = time.Since(t).Seconds() / float64(calls)
	}
	slices.Sort(per)
	return per[reps/2]
}

func parseShapes(s string) ([][3]int, error) {
	if s == "" {
		return gemmShapes, nil
	}
	var shapes [][3]int
	for _, f := range strings.Split(s, ",") {
		parts := strings.Split(strings.ToLower(strings.TrimSpace(f)), "x")
		if len(parts) != 3 {
			return nil, fmt.Errorf("shape %q is not MxKxN", f)
		}
		var sh [3]int
		for i, p := range parts {
			v, err := strconv.Atoi(p)
			if err != nil || v < 1 {
				return nil, fmt.Errorf("shape %q: %q is not a positive integer", f, p)
			}
			sh[i] = v
		}
		shapes = append(shapes, sh)
	}
	return shapes, nil
}

func randSlice(rnd *rand.Rand, n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = float32(2*rnd.Float64() - 1)
	}
	return s
}

// roundSig rounds x to n significant digits, so that tiny products (in tests, under the race
// detector) do not print 0 GFLOP/s.
func roundSig(x float64, n int) float64 {
	v, _ := strconv.ParseFloat(strconv.FormatFloat(x, 'g', n, 64), 64)
	return v
}
