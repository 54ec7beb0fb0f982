package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/descent-ml/descent/autodiff"
	"github.com/descent-ml/descent/data"
	"github.com/descent-ml/descent/internal/gemm"
	"github.com/descent-ml/descent/internal/parallel"
	"github.com/descent-ml/descent/internal/prefetch"
	"github.com/descent-ml/descent/internal/vec"
	"github.com/descent-ml/descent/model"
	"github.com/descent-ml/descent/nn"
	"github.com/descent-ml/descent/optim"
	"github.com/descent-ml/descent/report"
	"github.com/descent-ml/descent/tensor"
	"github.com/descent-ml/descent/train"
)

// benchStep times training iterations (forward, backward, optimiser step) of a model on
// MNIST-shaped random batches, as bench/torch_train.py --max-iters times PyTorch's loop.
func benchStep(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("bench step", "[flags]",
		"Times training iterations of a model (zero_grad, forward, nll_loss, backward, optimiser\n"+
			"step) on batches gathered at random from a pool of MNIST-shaped random images, and prints\n"+
			"the mean ms per iteration and the mean and median of each phase (gathering the batch,\n"+
			"forward with the loss, the loss alone, backward, optimiser step), the share of the costs\n"+
			"other than the model's (gather, loss, optimiser), the time of an evaluation batch\n"+
			"(inference, predicted classes; as many images as descent train evaluates at once:\n"+
			"as fit in 32 MiB of activations, from --batch-size to 1000) and its share of a step\n"+
			"when 10000 test images are evaluated per 60000 trained, the model's products in\n"+
			"GFLOP/s and as a fraction of the FMA peak (descent bench machine), the allocations\n"+
			"per iteration and the peak resident memory (which includes the pool of images,\n"+
			"data_mb). The reference is PyTorch's loop on the same model, bench/torch_train.py\n"+
			"(its seconds / iterations; add --dropout there when comparing the cnn with --dropout here):\n"+
			"  /usr/bin/python3 bench/torch_train.py MODEL OPTIMIZER 1 --max-iters 200 --warmup 5 --no-eval --threads T\n"+
			"bench/reference.py step runs both alternately and prints the ratios.",
		stderr)
	name := fs.String("model", "mlp", "model: "+strings.Join(model.Names(), ", "))
	opt := fs.String("optimizer", "adam", "registry name of the optimizer (adam, sgd, momentum, ...)")
	batch := fs.Int("batch-size", 128, "examples per batch")
	iters := fs.Int("iters", 200, "timed iterations, after 5 untimed ones")
	threads := fs.Int("threads", runtime.GOMAXPROCS(0), "goroutines (GOMAXPROCS)")
	hidden := fs.String("hidden", "", "hidden widths of the mlp, comma-separated (default 1000,1000)")
	dropout := fs.Bool("dropout", false, "keep the cnn's dropout layers (torch_train.py leaves them out unless --dropout)")
	float32Pool := fs.Bool("float32-pool", false, "hold the pool as normalised float32 images, as torch_train.py does (default: bytes, normalised per batch)")
	pool := fs.Int("pool", 60000, "images in the pool the batches are gathered from (60000: MNIST's training set, as torch_train.py holds it)")
	seed := fs.Uint64("seed", 1, "seed of the weights and the batches")
	asJSON := fs.Bool("json", false, "print one JSON line")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *batch < 1 || *iters < 1 || *threads < 1 || *pool < 1 {
		fmt.Fprintln(stderr, "descent bench step: --batch-size, --iters, --threads and --pool must be positive")
		return errUsage
	}
	cfg := model.Config{NoDropout: !*dropout}
	if *hidden != "" {
		for _, f := range strings.Split(*hidden, ",") {
			h, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil || h < 1 {
				fmt.Fprintf(stderr, "descent bench step: bad hidden width %q in --hidden\n", f)
				return errUsage
			}
			cfg.Hidden = append(cfg.Hidden, h)
		}
	}
	if spec, err := model.ParseSpec(*name); err == nil {
		params, acts := modelSize(spec, cfg, model.Inputs, model.Classes)
		pixel := 1.0
		if *float32Pool {
			pixel = bytesPerFloat32
		}
		need := bytesPerFloat32*(5*params+2*float64(*batch)*acts) + float64(*pool)*(model.Inputs*pixel+8)
		what := fmt.Sprintf("bench step: the %s with batches of %d and a pool of %d images",
			model.Describe(spec, cfg, model.Inputs, model.Classes, data.Classify), *batch, *pool)
		if err := checkMemory(what, need, nil); err != nil {
			return err
		}
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(*threads))
	rng := rand.New(rand.NewPCG(*seed, 0x5eed))
	m, err := model.New(*name, cfg, rng)
	if err != nil {
		return err
	}
	params := nn.Params(m)
	o, err := optim.New(*opt, nil, optim.Group{Params: params})
	if err != nil {
		return err
	}
	if _, ok := o.(*optim.LBFGS); ok {
		return fmt.Errorf("bench step: lbfgs needs a closure; choose a first-order optimizer")
	}

	// A pool of 8-bit images (MNIST's format, a quarter of the memory of float32), from which
	// each iteration gathers a batch at random and normalises it as torch_train.py does
	// ((u/255 − 0.1307)/0.3081); with --float32-pool the pool holds the normalised float32
	// images, as torch_train.py holds its 60000×784 tensor, and batches are copied.
	var bytePool []uint8
	var floatPool []float32
	if *float32Pool {
		floatPool = make([]float32, *pool*model.Inputs)
		for i := range floatPool {
			floatPool[i] = float32((float64(rng.IntN(256))/255 - 0.1307) / 0.3081)
		}
	} else {
		bytePool = make([]uint8, *pool*model.Inputs)
		for i := range bytePool {
			bytePool[i] = uint8(rng.IntN(256))
		}
	}
	labels := make([]int, *pool)
	for i := range labels {
		labels[i] = rng.IntN(model.Classes)
	}
	x := tensor.New(*batch, model.Inputs)
	y := make([]int, *batch)
	pick := rand.New(rand.NewPCG(*seed, 0xba7c4))
	const scale, offset = 1 / (255 * 0.3081), -0.1307 / 0.3081
	g := &batchGather{x: x.Data(), bytes: bytePool, floats: floatPool, idx: make([]int, *batch), scale: scale, offset: offset}
	gather := func() {
		for i := range g.idx {
			g.idx[i] = pick.IntN(*pool)
			y[i] = labels[g.idx[i]]
		}
		// Over as many goroutines as a data.Loader uses for a batch of this size (one for
		// MNIST's 128 images), so that the step measured is the step trained.
		parallel.SplitBody(len(y), data.GatherChunks(len(y), model.Inputs), g)
	}

	tp := autodiff.NewTape()
	var phase [5]time.Duration // gather, forward (the loss included), the loss, backward, step
	var last [5]time.Duration  // the phases of the last iteration
	var loss float32
	iterate := func() error {
		t0 := time.Now()
		gather()
		t1 := time.Now()
		tp.Reset()
		o.ZeroGrad()
		out := m.Forward(tp, tp.Const(x))
		tl := time.Now()
		l := tp.NLLLoss(out, y)
		t2 := time.Now()
		tp.Backward(l)
		t3 := time.Now()
		loss = l.Item()
		if err := o.Step(); err != nil {
			return err
		}
		t4 := time.Now()
		last = [5]time.Duration{t1.Sub(t0), t2.Sub(t1), t2.Sub(tl), t3.Sub(t2), t4.Sub(t3)}
		for k, d := range last {
			phase[k] += d
		}
		return nil
	}
	for range 5 {
		if err := iterate(); err != nil {
			return err
		}
	}
	phase = [5]time.Duration{}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	ms := make([]float64, *iters)
	laps := make([][5]time.Duration, *iters) // each iteration's phases, for their medians
	for i := range ms {
		if err := ctx.Err(); err != nil {
			return err
		}
		t := time.Now()
		if err := iterate(); err != nil {
			return err
		}
		ms[i] = float64(time.Since(t).Nanoseconds()) / 1e6
		laps[i] = last
	}
	runtime.ReadMemStats(&after)
	// The evaluation batch: as many pool images, gathered as a batch is, as descent train
	// evaluates at once.
	evalN := train.EvalBatchSize(m, tensor.New(1, model.Inputs), *batch)
	ex := tensor.New(evalN, model.Inputs)
	eg := &batchGather{x: ex.Data(), bytes: bytePool, floats: floatPool, idx: make([]int, evalN), scale: scale, offset: offset}
	for i := range eg.idx {
		eg.idx[i] = pick.IntN(*pool)
	}
	parallel.SplitBody(evalN, data.GatherChunks(evalN, model.Inputs), eg)
	evalMs, err := timeEval(ctx, m, tp, ex, max(1, min(*iters, 50)*(*batch)/evalN))
	if err != nil {
		return err
	}
	n := float64(*iters)
	mean := 0.0
	for _, v := range ms {
		mean += v / n
	}
	sorted := slices.Clone(ms)
	slices.Sort(sorted)
	perPhase := func(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1e6 / n }
	res := map[string]any{
		"impl": "descent-" + runtime.Version(), "model": *name, "optimizer": *opt, "batch_size": *batch,
		"threads": *threads, "iters": *iters, "dropout": *name == "cnn" && *dropout,
		"ms_per_iter": mean, "ms_median": sorted[len(sorted)/2], "ms_min": sorted[0],
		"gather_ms": perPhase(phase[0]), "forward_ms": perPhase(phase[1]), "loss_ms": perPhase(phase[2]),
		"backward_ms": perPhase(phase[3]), "step_ms": perPhase(phase[4]), "eval_ms": evalMs, "eval_batch": evalN,
		// The costs besides the model's arithmetic: gathering the batch, the loss and the
		// optimiser, as a share of the mean step; evaluating the 10000 test images once an
		// epoch of 60000 (1/6 of an image per image trained), per training step, as a share
		// of it too.
		"other_share":     (perPhase(phase[0]) + perPhase(phase[2]) + perPhase(phase[4])) / mean,
		"eval_share":      evalMs / float64(evalN) * float64(*batch) * 10000 / 60000 / mean,
		"allocs_per_iter": float64(after.Mallocs-before.Mallocs) / n,
		"bytes_per_iter":  float64(after.TotalAlloc-before.TotalAlloc) / n,
		"tape_mb":         float64(tp.BufferBytes()) / (1 << 20),
		"params":          nn.NumParams(m), "last_loss": loss,
		"data_mb": float64(len(bytePool)+4*len(floatPool)) / (1 << 20), "float32_pool": *float32Pool,
		"cpu": report.ThisMachine().CPU, "load": loadAverage(),
	}
	// The median of each phase: on a shared machine the means take in every interruption,
	// while the medians compare two builds' phases more steadily.
	for k, name := range [5]string{"gather", "forward", "loss", "backward", "step"} {
		v := make([]float64, len(laps))
		for i, l := range laps {
			v[i] = float64(l[k].Nanoseconds()) / 1e6
		}
		slices.Sort(v)
		res[name+"_ms_median"] = v[len(v)/2]
	}
	if rss := peakRSS(); rss > 0 {
		res["peak_rss_mb"] = float64(rss) / (1 << 20)
	}
	if fl := stepFlops(m, *batch); fl > 0 {
		peak := fmaPeak(gemm.Kernel(), *threads)
		gf := fl / 1e9 / (mean / 1e3)
		res["gflops"], res["peak_gflops"], res["peak_fraction"] = gf, peak, gf/peak
	}
	if *asJSON {
		b, _ := json.Marshal(res)
		fmt.Fprintln(stdout, string(b))
		return nil
	}
	fmt.Fprintf(stdout, "%s, %s, batch %d, %d threads: %.3f ms/iter (median %.3f), %.1f allocs/iter, peak RSS %.0f MB\n",
		*name, *opt, *batch, *threads, mean, res["ms_median"], res["allocs_per_iter"], float64(peakRSS())/(1<<20))
	fmt.Fprintf(stdout, "  gather %.3f, forward %.3f (loss %.3f), backward %.3f, step %.3f ms; other than the model %.1f%%; evaluation %.3f ms a batch of %d, %.1f%% of a step\n",
		res["gather_ms"], res["forward_ms"], res["loss_ms"], res["backward_ms"], res["step_ms"],
		100*res["other_share"].(float64), evalMs, evalN, 100*res["eval_share"].(float64))
	fmt.Fprintf(stdout, "  medians: gather %.3f, forward %.3f (loss %.3f), backward %.3f, step %.3f ms\n",
		res["gather_ms_median"], res["forward_ms_median"], res["loss_ms_median"], res["backward_ms_median"], res["step_ms_median"])
	if gf, ok := res["gflops"].(float64); ok {
		fmt.Fprintf(stdout, "  %.1f GFLOP/s of the model's products, %s of the %s FMA peak on %d thread%s\n",
			gf, fraction(gf, res["peak_gflops"].(float64)), gemm.Kernel(), *threads, plural(*threads))
	}
	fmt.Fprintf(stdout, "CPU: %s\n", machineNote())
	return nil
}

// timeEval returns the mean ms of evaluating the model on batch x, as an epoch's test pass
// does (inference mode, no dropout, the predicted class of each row), over iters batches.
func timeEval(ctx context.Context, m nn.Module, tp *autodiff.Tape, x *tensor.Tensor, iters int) (float64, error) {
	if tr, ok := m.(nn.Trainable); ok {
		tr.SetTraining(false)
		defer tr.SetTraining(true)
	}
	tp.SetInference(true)
	defer tp.SetInference(false)
	eval := func() {
		tp.Reset()
		out := tp.Const(x)
		out = m.Forward(tp, out)
		d, c := out.Value.Data(), out.Value.Dim(1)
		for r := range out.Value.Dim(0) {
			row := d[r*c : (r+1)*c]
			best := 0
			for j, v := range row {
				if v > row[best] {
					best = j
				}
			}
			evalSink += best
		}
	}
	eval()
	t := time.Now()
	for range iters {
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		eval()
	}
	return float64(time.Since(t).Nanoseconds()) / 1e6 / float64(iters), nil
}

// evalSink keeps the predicted classes of timeEval.
var evalSink int

// stepFlops returns the flops of the products of one training step of m at batch batch:
// 2·in·out per row and Linear layer for its forward pass, its weight gradient and (but for
// the first layer, whose input is data) its input gradient; 2·f·c·kh·kw·oh·ow per image and
// convolution likewise, but that the two gradients of the CNN's pooled convolution count a
// quarter of that each: package tensor computes them from the 2×2 pooling's nonzeros, at
// most one position in four (fewer where the pooled value is not positive, so the count is
// an upper bound; counted whole, the step ran at 143% of the FMA peak). 0 for a model it
// does not know.
func stepFlops(m nn.Module, batch int) float64 {
	b := float64(batch)
	linear := func(l *nn.Linear, first bool) float64 {
		f := 2 * b * float64(l.In) * float64(l.Out)
		if first {
			return 2 * f
		}
		return 3 * f
	}
	switch m := m.(type) {
	case *model.CNN:
		conv := func(c *nn.Conv2d, side int, gradients float64) float64 {
			o := float64(side - c.Kernel + 1)
			return 2 * b * float64(c.Out*c.In*c.Kernel*c.Kernel) * o * o * (1 + gradients)
		}
		return conv(m.Conv1, 28, 1) + conv(m.Conv2, 26, 2.0/4) + linear(m.FC1, false) + linear(m.FC2, false)
	case *nn.Sequential:
		total, first := 0.0, true
		for _, l := range m.Layers {
			if l, ok := l.(*nn.Linear); ok {
				total += linear(l, first)
				first = false
			}
		}
		return total
	}
	return 0
}

// batchGather copies (or, from bytes, normalises) the pool images idx into the batch x.
type batchGather struct {
	x             []float32
	bytes         []uint8
	floats        []float32
	idx           []int
	scale, offset float32
}

func (g *batchGather) Range(_, lo, hi int) {
	const n = model.Inputs
	if g.floats != nil {
		for i := lo; i < hi; i++ {
			copy(g.x[i*n:(i+1)*n], g.floats[g.idx[i]*n:(g.idx[i]+1)*n])
		}
		return
	}
	// Ask for every cache line of the rows first, so that the memory system fetches all
	// the rows at once instead of one after the other, as mnist.Set.Gather does.
	for _, j := range g.idx[lo:hi] {
		prefetch.Lines(g.bytes[j*n : (j+1)*n])
	}
	for i := lo; i < hi; i++ {
		vec.FromBytes(g.x[i*n:(i+1)*n], g.bytes[g.idx[i]*n:(g.idx[i]+1)*n], g.scale, g.offset)
	}
}

// peakRSS returns the peak resident memory of the process in bytes (VmHWM of
// /proc/self/status), or 0 where that is not available.
func peakRSS() int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err == nil {
				return kb << 10
			}
		}
	}
	return 0
}
