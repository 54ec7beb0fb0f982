package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"runtime"
	"time"

	"github.com/descent-ml/descent/internal/gemm"
	"github.com/descent-ml/descent/tensor"
)

const convBenchDoc = `Times the MNIST CNN's two convolutions (conv1: 1→32 channels, conv2: 32→64, 3×3 kernels
on 28×28 images, stride 1, no padding) at --batch-size, each pass on its own: the forward
pass with its bias and ReLU (for conv2 also fused with the 2×2 max-pooling that follows it
in the CNN, which never writes the convolution's output), the input gradient and the weight
and bias gradients (for conv2 from the pooled gradient as the CNN runs them). Beside each,
SGEMM on the product of the same FLOPs, f×(c·kh·kw) times (c·kh·kw)×(n·oh·ow) (the
unfolded input), and the fraction of the FMA peak of this many threads.

A pass counts 2·n·f·c·kh·kw·oh·ow flops: the multiply-adds of the unfolded product (the
bias, the ReLU, the pooling and the junk columns of the implicit product are not counted).
The pooled backward passes do only those whose output gradient the pooling lets through,
at one position of each 2×2 window where the pooled value is positive (a quarter at most;
the "done" column): their GFLOP/s and ratio are the rates of the products they stand for,
and their peak column the fraction of the peak of the multiply-adds they do. Each figure
is the median of --reps repetitions of at least --min-time.`

func benchConv(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("bench conv", "[flags]", convBenchDoc, stderr)
	threads := fs.Int("threads", 1, "goroutines (GOMAXPROCS)")
	batch := fs.Int("batch-size", 128, "images per batch")
	reps := fs.Int("reps", 5, "repetitions; the median is reported")
	minTime := fs.Duration("min-time", 100*time.Millisecond, "least time of one repetition")
	asJSON := fs.Bool("json", false, "print one JSON line per pass")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *threads < 1 || *batch < 1 || *reps < 1 || *minTime <= 0 {
		fmt.Fprintln(stderr, "descent bench conv: --threads, --batch-size, --reps and --min-time must be positive")
		return errUsage
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(*threads))
	peak := fmaPeak(gemm.Kernel(), *threads)
	if !*asJSON {
		fmt.Fprintf(stdout, "%-6s %-14s %9s %22s %9s %7s %7s %7s\n", "conv", "pass", "GFLOP/s", "SGEMM m×k×n", "GFLOP/s", "ratio", "done", "peak")
	}
	rng := rand.New(rand.NewPCG(1, 1))
	for _, l := range []struct {
		name       string
		c, h, f, k int
	}{{"conv1", 1, 28, 32, 3}, {"conv2", 32, 26, 64, 3}} {
		x, w, b := randTensor(rng, *batch, l.c, l.h, l.h), randTensor(rng, l.f, l.c, l.k, l.k), randTensor(rng, l.f)
		cfg := tensor.Conv2dConfig{}
		s := tensor.Conv2dShape(x, w, cfg)
		ps := tensor.Conv2dReLUMaxPoolShape(x, w, cfg)
		y, dy := tensor.New(s[:]...), randTensor(rng, s[:]...)
		yp, dyp, idx := tensor.New(ps[:]...), randTensor(rng, ps[:]...), make([]int32, ps[0]*ps[1]*ps[2]*ps[3])
		dx, dw, db := tensor.New(x.Shape()...), tensor.New(w.Shape()...), tensor.New(l.f)
		work := make([]float32, tensor.Conv2dWorkLen(x, w, cfg))
		m, k, n := l.f, l.c*l.k*l.k, *batch*s[2]*s[3]
		flops := 2 * float64(m) * float64(k) * float64(n)
		ga, gb, gc := randSlice(rng, m*k), randSlice(rng, k*n), make([]float32, m*n)
		gemmGF := flops / 1e9 / medianSeconds(func() { gemm.Sgemm(false, false, m, n, k, 1, ga, k, gb, n, 0, gc, n) }, *reps, *minTime)
		type pass struct {
			name string
			f    func()
			done float64 // the share of the counted flops that the pass does
		}
		passes := []pass{
			{"forward", func() { tensor.Conv2d(y, x, w, b, cfg, tensor.ActReLU, work) }, 1},
			{"input", func() { tensor.Conv2dBackwardInput(dx, dy, w, cfg, tensor.Assign, work) }, 1},
			{"weight", func() { tensor.Conv2dBackwardWeight(dw, db, dy, x, cfg, tensor.Assign, work) }, 1},
		}
		if l.name == "conv2" {
			tensor.Conv2dReLUMaxPool(yp, idx, x, w, b, cfg, work)
			done := pooledShare(yp, s[0]*s[1]*s[2]*s[3])
			passes = append(passes,
				pass{"forward+pool", func() { tensor.Conv2dReLUMaxPool(yp, idx, x, w, b, cfg, work) }, 1},
				pass{"input, pooled", func() {
					tensor.Conv2dReLUMaxPoolBackwardInput(dx, dyp, yp, idx, w, cfg, tensor.Assign, work)
				}, done},
				pass{"weight, pooled", func() {
					tensor.Conv2dReLUMaxPoolBackwardWeight(dw, db, dyp, yp, idx, x, cfg, tensor.Assign, work)
				}, done})
		}
		for _, p := range passes {
			if err := ctx.Err(); err != nil {
				return err
			}
			gf := flops / 1e9 / medianSeconds(p.f, *reps, *minTime)
			if *asJSON {
				line, _ := json.Marshal(map[string]any{
					"conv": l.name, "pass": p.name, "batch_size": *batch, "threads": *threads, "gflops": roundSig(gf, 4),
					"gemm_shape": fmt.Sprintf("%dx%dx%d", m, k, n), "gemm_gflops": roundSig(gemmGF, 4),
					"ratio": roundSig(gf/gemmGF, 3), "done": roundSig(p.done, 3), "peak_gflops": roundSig(peak, 4),
					"peak_fraction": roundSig(gf*p.done/peak, 3), "kernel": gemm.Kernel(),
				})
				fmt.Fprintln(stdout, string(line))
				continue
			}
			fmt.Fprintf(stdout, "%-6s %-14s %9.1f %22s %9.1f %7.2f %7s %7s\n", l.name, p.name, gf, fmt.Sprintf("%d×%d×%d", m, k, n),
				gemmGF, gf/gemmGF, fraction(p.done, 1), fraction(gf*p.done, peak))
		}
	}
	if !*asJSON {
		fmt.Fprintf(stdout, "peak: %.1f GFLOP/s (%s FMA loop, %d thread%s; descent bench machine)\n", peak, gemm.Kernel(), *threads, plural(*threads))
	}
	return nil
}

// pooledShare returns the share of a pooled convolution's positions outputs whose
// gradient the 2×2 pooling lets through: one position of each window whose pooled value in
// yp is positive.
func pooledShare(yp *tensor.Tensor, positions int) float64 {
	n := 0
	for _, v := range yp.Data() {
		if v > 0 {
			n++
		}
	}
	return float64(n) / float64(positions)
}

func randTensor(rng *rand.Rand, shape ...int) *tensor.Tensor {
	t := tensor.New(shape...)
	copy(t.Data(), randSlice(rng, t.Len()))
	return t
}
