package theory

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/descent-ml/descent/autodiff"
	"github.com/descent-ml/descent/model"
	"github.com/descent-ml/descent/nn"
	"github.com/descent-ml/descent/optim"
	"github.com/descent-ml/descent/tensor"
)

// mlpSetting is the network, data and length of the runs of the MLP claims, the same for
// every claim of a run.
type mlpSetting struct {
	train  int // training images, drawn from MNIST's training set
	val    int // validation images (other training images), to choose learning rates
	test   int // test images, the first of MNIST's test set (0: all of them)
	hidden int // width of the one hidden layer of ReLU units
	epochs int // length of the grid runs
	large  int // the large batch of momentum-sgd's corrected form
}

// mlpFull is the setting of `descent theory`, the lecture's as far as the time budget
// allows. The lecture's notebook compares optimisers with an MLP on the whole MNIST
// training set; here the training set less the usual 10000 images held out for validation,
// one hidden layer of 128 units (a realistic width, the common MNIST MLP: 100 000 weights,
// twice the training images), and 10 epochs, 7800 steps at the lecture's batch of 64 (the
// length of the usual MNIST recipes, PyTorch's example trains for 14), so that the runs
// compared are trained networks rather than first progress. The 15 runs of 10 epochs at
// batch 64 (SGD and momentum over the grid, Adam) and the 14 of momentum-sgd at batch 1024
// cost about a minute of one core.
// The setting was chosen on these grounds, before any verdict was seen; the 784-1000-1000
// network of the Adam paper would cost eighteen times as much.
var mlpFull = mlpSetting{train: 50000, val: 10000, hidden: 128, epochs: 10, large: momentumLargeBatch}

// mlpQuick is the reduced setting of the tests: the same code on 2000 training images, a
// network of 64 hidden units and a large batch of 256 for momentum-sgd. A network with many
// more weights than images, as at full size, so that the runs end in the same regime: with
// 5000 images and 32 hidden units, momentum was ahead at the lecture's batch, which the full
// size does not show (see momentum-sgd's history). The test set is whole, as at full size:
// adam-first's margin of one point is ten images of it.
var mlpQuick = mlpSetting{train: 2000, val: 1000, hidden: 64, epochs: 12, large: 256}

// mlp returns the setting of the experiment's size.
func (x *Experiment) mlp() mlpSetting { return size(x, mlpFull, mlpQuick) }

const mlpPixels = 28 * 28

// mlpBatch is the batch of the grid runs: the lecture's boilerplate
// (DataLoader(my_dataset, shuffle=True, batch_size=64)), the same for every optimiser
// compared, so that the three claims share the runs of plain SGD.
const mlpBatch = 64

// mlpMomentum is the momentum β of the "momentum" runs, the lecture's (and everyone's) 0.9.
const mlpMomentum = 0.9

// mlpGrid is the 7-point log grid of learning rates of plain SGD and momentum.
var mlpGrid = logGrid(1e-3, 1, 7)

// mlpSet is the training, validation and test images of the MLP claims, as float32 with
// torchvision's normalisation, and their labels.
type mlpSet struct {
	x, vx, tx []float32
	y, vy, ty []int
}

// mlpData returns the images of a run: training and validation images drawn from MNIST's
// training set with the run's seed, and the first s.test images of its test set (all if 0).
func (d *Data) mlpData(ctx context.Context, seed uint64, s mlpSetting) (*mlpSet, error) {
	m, err := d.MNIST(ctx)
	if err != nil {
		return nil, err
	}
	if s.train+s.val > m.Train.Len() {
		panic(fmt.Sprintf("theory: %d training and %d validation images of %d", s.train, s.val, m.Train.Len()))
	}
	nt := m.Test.Len()
	if s.test > 0 {
		nt = min(s.test, nt)
	}
	v, err := d.once(fmt.Sprintf("mlpset/%d/%d/%d/%d", seed, s.train, s.val, nt), func() (any, error) {
		r := rand.New(rand.NewPCG(seed, hashString("mlp-data")))
		perm := r.Perm(m.Train.Len())
		set := &mlpSet{}
		set.x, set.y = mnistRows(m.Train.Example, perm[:s.train])
		set.vx, set.vy = mnistRows(m.Train.Example, perm[s.train:s.train+s.val])
		test := make([]int, nt)
		for i := range test {
			test[i] = i
		}
		set.tx, set.ty = mnistRows(m.Test.Example, test)
		return set, nil
	})
	if err != nil {
		return nil, err
	}
	return v.(*mlpSet), nil
}

// mnistRows returns the images idx, normalised, and their labels.
func mnistRows(example func([]float32, int) int, idx []int) ([]float32, []int) {
	x := make([]float32, len(idx)*mlpPixels)
	y := make([]int, len(idx))
	for k, i := range idx {
		y[k] = example(x[k*mlpPixels:(k+1)*mlpPixels], i)
	}
	return x, y
}

// mlpConfig is one training run of the MLP.
type mlpConfig struct {
	Opt    string  // "sgd", "momentum" (SGD, momentum 0.9) or "adam" (torch's defaults but LR)
	LR     float64 // learning rate
	Batch  int
	Epochs int // at most
	// Target stops the run once the mean of the mini-batch losses over the last
	// targetWindow examples (the last step, if its batch is larger) is at most Target (0:
	// never). A window of a fixed number of examples, checked after every step, measures
	// the time to the target to a step whatever the batch size.
	Target float64
	// TimeCap stops the run once its training steps have taken that long (0: never). Only
	// the wall-clock claim uses it; its runs are then not reproducible.
	TimeCap time.Duration
	// Draw numbers the independent repetitions of a run: draw 0 is the seed's own network
	// and batches, shared by every claim; draw k > 0 starts from other initial weights and
	// sees other batches, both drawn from the seed and k.
	Draw int
}

// targetWindow is the number of examples whose mean mini-batch loss is compared with
// mlpConfig.Target: enough to average out most of the noise of single batches (its standard
// error is a few percent of the loss at the targets used), few enough to lag by a small
// part of the time measured.
const targetWindow = 2048

// mlpResult is what a run observed.
type mlpResult struct {
	// epochs and loss: the training loss (the mean of the mini-batch losses) over each
	// quarter of an epoch (over each step when an epoch has fewer than four).
	epochs, loss []float64
	reached      float64 // epochs to reach Target (by the window's mean), NaN if never
	steps        int     // optimiser steps made (to reach Target, if it was reached)
	stepTime     time.Duration
	trainLoss    float64 // on the whole training set, at the end
	valAcc       float64 // on the validation images, at the end
	testAcc      float64 // on the test images, at the end
	diverged     bool
}

// trainMLP trains the MLP of the experiment's setting with cfg. The network's initial
// weights depend on the seed alone and the batches on the seed and the batch size, so that
// runs differing only by their optimiser or learning rate see the same network and the same
// batches. Runs are memoised per seed, setting and configuration, and shared by the claims.
func (x *Experiment) trainMLP(cfg mlpConfig) (*mlpResult, error) {
	s := x.mlp()
	set, err := x.Data.mlpData(x.Ctx, x.Seed, s)
	if err != nil {
		return nil, err
	}
	if cfg.TimeCap > 0 {
		return trainMLP(x.Ctx, set, x.Seed, s.hidden, cfg)
	}
	v, err := x.Data.once(fmt.Sprintf("mlp/%d/%+v/%+v", x.Seed, s, cfg), func() (any, error) {
		return trainMLP(x.Ctx, set, x.Seed, s.hidden, cfg)
	})
	if err != nil {
		return nil, err
	}
	return v.(*mlpResult), nil
}

func newMLPOptimizer(cfg mlpConfig, params []*optim.Param) (optim.Optimizer, error) {
	switch cfg.Opt {
	case "sgd":
		return optim.NewSGD(params, optim.SGDConfig{LR: cfg.LR})
	case "momentum":
		return optim.NewSGD(params, optim.SGDConfig{LR: cfg.LR, Momentum: mlpMomentum})
	case "adam":
		c := optim.DefaultAdam()
		c.LR = cfg.LR
		return optim.NewAdam(params, c)
	}
	panic("theory: unknown optimiser " + cfg.Opt)
}

func trainMLP(ctx context.Context, set *mlpSet, seed uint64, hidden int, cfg mlpConfig) (*mlpResult, error) {
	initKey, batchKey := "mlp-init", fmt.Sprintf("mlp-batches/%d", cfg.Batch)
	if cfg.Draw != 0 {
		initKey += fmt.Sprintf("/draw %d", cfg.Draw)
		batchKey += fmt.Sprintf("/draw %d", cfg.Draw)
	}
	net := model.NewMLP([]int{hidden}, rand.New(rand.NewPCG(seed, hashString(initKey))))
	params := nn.Params(net)
	opt, err := newMLPOptimizer(cfg, params)
	if err != nil {
		return nil, err
	}
	n := len(set.y)
	perEpoch := n / cfg.Batch
	if perEpoch == 0 {
		return nil, fmt.Errorf("theory: batch of %d for %d training images", cfg.Batch, n)
	}
	every := max(perEpoch/4, 1)
	r := rand.New(rand.NewPCG(seed, hashString(batchKey)))
	tp := autodiff.NewTape()
	defer tp.Release()
	bx := make([]float32, cfg.Batch*mlpPixels)
	by := make([]int, cfg.Batch)
	res := &mlpResult{reached: math.NaN()}
	var times []time.Duration
	var spent time.Duration
	sum, cnt := 0.0, 0
	// The last losses, for the Target; their sum is recomputed at each step (a running sum
	// would drift over the hundreds of thousands of steps of a long run).
	window := make([]float64, 0, max(1, (targetWindow+cfg.Batch-1)/cfg.Batch))
	done := false
	for epoch := 0; epoch < cfg.Epochs && !done; epoch++ {
		perm := r.Perm(n)
		for b := 0; b < perEpoch && !done; b++ {
			for k := range cfg.Batch {
				i := perm[b*cfg.Batch+k]
				copy(bx[k*mlpPixels:(k+1)*mlpPixels], set.x[i*mlpPixels:(i+1)*mlpPixels])
				by[k] = set.y[i]
			}
			t0 := time.Now()
			tp.Reset()
			opt.ZeroGrad()
			l := tp.NLLLoss(net.Forward(tp, tp.Const(tensor.FromSlice(bx, cfg.Batch, mlpPixels))), by)
			tp.Backward(l)
			err := opt.Step()
			dt := time.Since(t0)
			times = append(times, dt)
			spent += dt
			res.steps++
			loss := float64(l.Item())
			var nf *optim.NonFiniteError
			switch {
			case errors.As(err, &nf) || math.IsNaN(loss) || math.IsInf(loss, 0):
				res.diverged, done = true, true
				continue
			case err != nil:
				return nil, err
			}
			sum += loss
			cnt++
			if (b+1)%every == 0 {
				res.epochs = append(res.epochs, float64(epoch)+float64(b+1)/float64(perEpoch))
				res.loss = append(res.loss, sum/float64(cnt))
				sum, cnt = 0, 0
			}
			if cfg.Target > 0 {
				if len(window) == cap(window) {
					window = window[:copy(window, window[1:])]
				}
				window = append(window, loss)
				if len(window) == cap(window) && mean(window) <= cfg.Target {
					res.reached, done = float64(epoch)+float64(b+1)/float64(perEpoch), true
				}
			}
			if cfg.TimeCap > 0 && spent > cfg.TimeCap {
				done = true
			}
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
	}
	slices.Sort(times)
	res.stepTime = times[len(times)/2]
	res.trainLoss = mlpLoss(tp, net, set.x, set.y)
	res.valAcc = mlpAccuracy(tp, net, set.vx, set.vy)
	res.testAcc = mlpAccuracy(tp, net, set.tx, set.ty)
	return res, nil
}

// mlpForward calls f with the log-probabilities of net on (x, y) in batches of 1000,
// without recording.
func mlpForward(tp *autodiff.Tape, net nn.Module, x []float32, y []int, f func(logp *autodiff.Var, y []int)) {
	tp.SetInference(true)
	defer tp.SetInference(false)
	n := len(y)
	for lo := 0; lo < n; lo += 1000 {
		hi := min(lo+1000, n)
		tp.Reset()
		f(net.Forward(tp, tp.Const(tensor.FromSlice(x[lo*mlpPixels:hi*mlpPixels], hi-lo, mlpPixels))), y[lo:hi])
	}
}

// mlpLoss returns the mean negative log-likelihood of net on (x, y).
func mlpLoss(tp *autodiff.Tape, net nn.Module, x []float32, y []int) float64 {
	sum := 0.0
	mlpForward(tp, net, x, y, func(logp *autodiff.Var, y []int) {
		sum += float64(tp.NLLLoss(logp, y).Item()) * float64(len(y))
	})
	return sum / float64(len(y))
}

// mlpAccuracy returns the fraction of (x, y) that net classifies right.
func mlpAccuracy(tp *autodiff.Tape, net nn.Module, x []float32, y []int) float64 {
	right := 0
	mlpForward(tp, net, x, y, func(logp *autodiff.Var, y []int) {
		v := logp.Value.Data()
		for i, label := range y {
			row := v[i*10 : (i+1)*10]
			if argmax(row) == label {
				right++
			}
		}
	})
	return float64(right) / float64(len(y))
}

func argmax(v []float32) int {
	best := 0
	for k := range v {
		if v[k] > v[best] {
			best = k
		}
	}
	return best
}

// mlpSetup describes the network and data of the MLP claims for the notes.
func (x *Experiment) mlpSetup() string {
	s := x.mlp()
	ntr, nva, nte := s.train, s.val, s.test
	if m, err := x.Data.MNIST(x.Ctx); err == nil && (nte == 0 || nte > m.Test.Len()) {
		nte = m.Test.Len()
	}
	return fmt.Sprintf("An MLP 784-%d-10 (ReLU, log-softmax; model.NewMLP, PyTorch's initialisation) trained with optim on %d MNIST training images "+
		"drawn from the seed, with %d other training images for validation and %d test images; every run of a seed starts from the same weights "+
		"and sees the same batches for the same batch size (shuffled epochs). The training loss is the mean of the mini-batch losses over each "+
		"quarter epoch.", s.hidden, ntr, nva, nte)
}

// mlpGridRuns returns the runs of opt over the learning-rate grid.
func mlpGridRuns(x *Experiment, opt string, batch, epochs int) ([]*mlpResult, error) {
	var out []*mlpResult
	for _, g := range mlpGrid {
		r, err := x.trainMLP(mlpConfig{Opt: opt, LR: g, Batch: batch, Epochs: epochs})
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// bestBy returns the index of the run with the highest score.
func bestBy(runs []*mlpResult, score func(*mlpResult) float64) int {
	best := 0
	for i, r := range runs {
		if score(r) > score(runs[best]) || math.IsNaN(score(runs[best])) {
			best = i
		}
	}
	return best
}

// finalLoss is the last training loss recorded, +Inf for a diverged run.
func finalLoss(r *mlpResult) float64 {
	if r.diverged || len(r.loss) == 0 {
		return math.Inf(1)
	}
	return r.loss[len(r.loss)-1]
}

// endLoss is the loss on the whole training set at the end of the run, +Inf for a diverged
// run.
func endLoss(r *mlpResult) float64 {
	if r.diverged || math.IsNaN(r.trainLoss) {
		return math.Inf(1)
	}
	return r.trainLoss
}

// lossPlot draws the training losses of runs.
func lossPlot(title string, names []string, runs []*mlpResult) *plot {
	p := newPlot(title, "epoch", "training loss").logY()
	for i, r := range runs {
		ex, ey := positive(r.epochs, r.loss)
		p.observed(names[i], ex, ey)
	}
	return p
}

// adamFirst: Adam at its defaults is close to the best SGD of a grid: its test accuracy is at
// least the best SGD's minus points percentage points (1 in the catalogue).
func adamFirst(points float64) Claim {
	return Claim{
		ID: "adam-first", MNIST: true, Section: sectionAdaptive, Kind: Illustration,
		Source: "Part “Practical optimisation”, slide “A recipe for quick results”: “Start with Adam, default parameters.” (and the " +
			"boilerplate of the slide “Some boilerplate for optimising in Pytorch”: optim.Adam(model.parameters()), batch_size=64)",
		Statement: "A recipe for quick results: start with Adam, default parameters.",
		Criterion: fmt.Sprintf("MNIST MLP: Adam's test accuracy ≥ that of the best of 7 SGD rates − %g point", points),
		Protocol: fmt.Sprintf("An MLP 784-128-10 (ReLU) trained on 50000 MNIST training images drawn from the seed (2000 images and 64 hidden units "+
			"at the reduced size), batch 64 (the lecture's boilerplate), 10 epochs (12), from the seed's initial weights and batches: Adam with "+
			"torch's defaults (lr 1e-3, β = (0.9, 0.999), ε = 1e-8), and plain SGD over the 7-point log grid of rates 1e-3 … 1, its best rate "+
			"chosen on 10000 other training images (1000) held out for validation. Pass: Adam's accuracy on MNIST's 10000 test images ≥ the "+
			"chosen SGD's minus %g percentage point(s).", points),
		Run: func(x *Experiment) error { return runAdamFirst(x, points) },
	}
}

func runAdamFirst(x *Experiment, points float64) error {
	epochs := x.mlp().epochs
	sgd, err := mlpGridRuns(x, "sgd", mlpBatch, epochs)
	if err != nil {
		return err
	}
	adam, err := x.trainMLP(mlpConfig{Opt: "adam", LR: 1e-3, Batch: mlpBatch, Epochs: epochs})
	if err != nil {
		return err
	}
	best := bestBy(sgd, func(r *mlpResult) float64 { return r.valAcc })
	bestTest := sgd[best].testAcc
	gap := 100 * (adam.testAcc - bestTest)
	x.Check(atLeast("Adam's test accuracy − best SGD's (chosen on validation), percentage points", gap, -points))
	accs := make([]float64, len(sgd))
	vals := make([]float64, len(sgd))
	for i, r := range sgd {
		accs[i], vals[i] = 100*r.testAcc, 100*r.valAcc
	}
	x.Notef("%s Batch %d (the lecture's boilerplate), %d epochs. Adam with torch's defaults (lr 1e-3, β = (0.9, 0.999), ε = 1e-8); plain SGD "+
		"with the learning rates %s: validation accuracies %s %%, test accuracies %s %%. The best SGD rate, %.3g, is chosen on the validation "+
		"images (choosing it on the test images would favour it by the maximum of seven noisy figures). Test accuracy: Adam %.2f %%, SGD %.2f %%: "+
		"%+.2f points.", x.mlpSetup(), mlpBatch, epochs, fmtList(mlpGrid), fmtList(vals), fmtList(accs), mlpGrid[best], 100*adam.testAcc, 100*bestTest, gap)
	x.Notef("Both have the same budget of epochs and the same batches; the comparison is the lecture's recipe, Adam untouched, against " +
		"the best a grid search over SGD's one parameter finds.")
	p := newPlot("Test accuracy after training: SGD over its grid, and Adam at its defaults", "SGD learning rate", "test accuracy (%)").logX().
		observed("SGD", mlpGrid, accs).
		reference(fmt.Sprintf("Adam at defaults: %.2f %%", 100*adam.testAcc), mlpGrid, constant(len(mlpGrid), 100*adam.testAcc)).
		bound(fmt.Sprintf("best SGD − %g point", points), mlpGrid, constant(len(mlpGrid), 100*bestTest-points))
	x.figure(p, "Adam without tuning against a grid of SGD learning rates.")
	x.figure(lossPlot("Training loss: Adam at defaults and the best SGD", []string{"Adam (defaults)", fmt.Sprintf("SGD, lr %.3g", mlpGrid[best])},
		[]*mlpResult{adam, sgd[best]}), "Training curves of the two runs compared.")
	return nil
}

// momentumSGD: "momentum helps so much" — false at the lecture's batch of 64, where tuned
// momentum 0.9 and tuned plain SGD end level; true at a large batch. The erratum is
// declared whatever the draws: a seed on which the lecture's form holds fails the claim.
// helps is the factor of the lecture's form: momentum's final training loss at most helps
// times plain SGD's (1/2 in the catalogue).
func momentumSGD(helps float64) Claim {
	return Claim{
		ID: "momentum-sgd", Erratum: true, MNIST: true, Section: sectionStochastic, Kind: Illustration,
		Source: "Part “Stochastic Optimization”, slide “Momentum SGD”: mₙ₊₁ = βmₙ + fₙ'(θₙ), θₙ₊₁ = θₙ − γmₙ₊₁, " +
			"“Almost always used with SGD for deep learning. Why it helps so much for deep learning is not entirely understood.”",
		Statement: "SGD with momentum (mₙ₊₁ = βmₙ + fₙ'(θₙ), θₙ₊₁ = θₙ − γmₙ₊₁) helps SGD, and helps it much: it is almost always used for deep learning.",
		Criterion: fmt.Sprintf("MNIST MLP, tuned rates, geometric mean over %d fresh draws of momentum 0.9's final loss / SGD's: "+
			"lecture ≤ %g at B = %d (erratum: it is not); corrected: ≤ %g at B = %d, in [%g, %g] at B = %d",
			momentumDraws, helps, mlpBatch, helps, momentumLargeBatch, helps, 1/helps, mlpBatch),
		Protocol: fmt.Sprintf("An MLP 784-128-10 (ReLU) trained on 50000 MNIST training images drawn from the seed, 10 epochs, with plain SGD and with "+
			"SGD with momentum β = 0.9 (torch's form, the lecture's up to the scale of γ), at two batch sizes: the lecture's B = %d (its boilerplate) and "+
			"B = %d. Tuning: for each method and batch size, the learning rate of the 7-point log grid 1e-3 … 1 whose run ends with the lowest loss on "+
			"the whole training set, on the seed's own draw (draw 0: its initial weights and batches, shared with adam-first and batch-sweet-spot). "+
			"Comparison: %d fresh draws (draws 1 to %d: other initial weights and other batches, both drawn from the seed and the draw's number), each "+
			"method at its tuned rate; the statistic is the geometric mean over these draws of the ratio of momentum's final training loss to plain "+
			"SGD's (the tuning draw is left out, so that the rates are not judged on the runs that chose them). “Helps so much” is read as: at least "+
			"halves the final training loss at the same epochs, a ratio ≤ %g. "+
			"Lecture's form (checked, expected false): ratio ≤ %g at B = %d. Corrected form (checked): ratio ≤ %g at B = %d, where SGD's step is "+
			"limited by the curvature rather than by the gradient noise and momentum lets the effective step γ/(1 − β) grow past SGD's stability limit; "+
			"and at B = %d the two methods end level, the ratio in [%g, %g] (for small steps momentum β at step γ is plain SGD at step γ/(1 − β), so "+
			"tuned momentum and tuned SGD are the same method); and plain SGD's tuned rate at B = %d lies below the top of the grid (its tuning is not "+
			"cut short by the grid). The claim is an erratum on every seed: ERRATUM when the lecture's form fails and the three corrected checks "+
			"hold, FAIL otherwise — a seed on which momentum halves the loss at B = %d fails the claim rather than passing it. At the reduced "+
			"size of the tests: %d training images, %d hidden units, %d epochs, and B = %d for the large batch.",
			mlpBatch, momentumLargeBatch, momentumDraws, momentumDraws, helps, helps, mlpBatch, helps, momentumLargeBatch,
			mlpBatch, helps, 1/helps, momentumLargeBatch, mlpBatch, mlpQuick.train, mlpQuick.hidden, mlpQuick.epochs, mlpQuick.large),
		History: "The first plan asked for momentum 0.9 to reach a target loss in fewer epochs than plain SGD at its best rate; the first code " +
			"ran it at B = 256, and on 2026-11-27 (46a9446) the batch became the lecture's 64, before any full-size verdict was seen. The time to SGD's own final " +
			"quarter-epoch loss then tied by noise on seed 1, and the comparison became the loss on the whole training set at the end of the runs " +
			"(c1e8892). At B = 64 that comparison went either way from seed to seed (seed 1: momentum 1.21 times SGD's loss); dccfc9c then declared " +
			"an erratum only on the seeds where the lecture's form failed, with a corrected form at B = 1024 — a verdict that belonged to the draw, " +
			"not to the statement. The protocol above replaces it (2026-12-05): the erratum is declared for every seed, the comparison is made over " +
			"fresh draws, and the threshold reads “helps so much” as halving the loss. The number of draws and the threshold were fixed after a " +
			"pilot on seeds 101 to 103, never on the seeds reported, and the pilot informed them: over 18 fresh draws at B = 64 the log-ratio had " +
			"mean −0.10 and standard deviation 0.37 (ratios 0.56 to 1.71); over 18 at B = 1024, mean −1.02 and standard deviation 0.17 (ratios " +
			"0.26 to 0.53). With 4 draws the standard error of the mean log-ratio is about 0.19 at B = 64 and 0.09 at B = 1024: a threshold of 1 " +
			"would decide by chance at B = 64, while ½, a plain reading of “so much”, lies 3.2 standard errors from the pilot's mean at B = 64 and " +
			"3.7 from it at B = 1024. The same pilot set the reduced size of the tests: at the former one (5000 images, 32 hidden units, 8 " +
			"epochs) momentum was ahead at B = 64 (geometric means 0.51 to 0.68 over 4 draws), a regime the full size does not show; at the present one the ratios " +
			"were 0.78 to 1.0 at B = 64 and 0.11 to 0.22 at B = 256.",
		Run: func(x *Experiment) error { return runMomentumSGD(x, helps) },
	}
}

// momentumLargeBatch is the batch of momentum-sgd's corrected form: 16 times the
// lecture's, where the gradient noise (σ²/B) no longer limits SGD's step as much.
const momentumLargeBatch = 1024

// momentumDraws is the number of fresh draws over which momentum-sgd compares the tuned
// methods.
const momentumDraws = 4

// momentumRuns is the comparison of momentum-sgd at one batch size.
type momentumRuns struct {
	batch    int
	sgd, mom int // the tuned rates, indices in mlpGrid
	// tuneSGD and tuneMom are the runs of draw 0 at the tuned rates; sgdRuns and momRuns
	// those of the fresh draws 1 … momentumDraws, and ratios momentum's final training
	// loss over SGD's on each.
	tuneSGD, tuneMom *mlpResult
	sgdRuns, momRuns []*mlpResult
	ratios           []float64
}

// geoMean is the geometric mean of the ratios: NaN if a ratio is NaN (both runs
// diverged), 0 or +Inf if one method alone diverged on some draw.
func (m *momentumRuns) geoMean() float64 {
	s := 0.0
	for _, r := range m.ratios {
		s += math.Log(r)
	}
	return math.Exp(s / float64(len(m.ratios)))
}

func compareMomentum(x *Experiment, batch int) (*momentumRuns, error) {
	epochs := x.mlp().epochs
	// The momentum runs first: another claim may be computing the SGD grid meanwhile.
	mom, err := mlpGridRuns(x, "momentum", batch, epochs)
	if err != nil {
		return nil, err
	}
	sgd, err := mlpGridRuns(x, "sgd", batch, epochs)
	if err != nil {
		return nil, err
	}
	// The runs are compared by their loss on the whole training set at the end: the mean
	// of the mini-batch losses over a quarter epoch, which the curves show, is too noisy at
	// the end of a run to time a target there.
	lowest := func(r *mlpResult) float64 { return -endLoss(r) }
	m := &momentumRuns{batch: batch, sgd: bestBy(sgd, lowest), mom: bestBy(mom, lowest)}
	m.tuneSGD, m.tuneMom = sgd[m.sgd], mom[m.mom]
	for k := 1; k <= momentumDraws; k++ {
		s, err := x.trainMLP(mlpConfig{Opt: "sgd", LR: mlpGrid[m.sgd], Batch: batch, Epochs: epochs, Draw: k})
		if err != nil {
			return nil, err
		}
		mo, err := x.trainMLP(mlpConfig{Opt: "momentum", LR: mlpGrid[m.mom], Batch: batch, Epochs: epochs, Draw: k})
		if err != nil {
			return nil, err
		}
		m.sgdRuns, m.momRuns = append(m.sgdRuns, s), append(m.momRuns, mo)
		m.ratios = append(m.ratios, endLoss(mo)/endLoss(s))
	}
	return m, nil
}

func runMomentumSGD(x *Experiment, helps float64) error {
	small, err := compareMomentum(x, mlpBatch)
	if err != nil {
		return err
	}
	large, err := compareMomentum(x, x.mlp().large)
	if err != nil {
		return err
	}
	name := fmt.Sprintf("geometric mean over %d fresh draws of momentum 0.9's final training loss / plain SGD's, each at its tuned rate", momentumDraws)
	lc := atMost(fmt.Sprintf("lecture: momentum helps so much, %s ≤ %g at B = %d", name, helps, small.batch), small.geoMean(), helps)
	lc.Where = "ratios " + fmtList(small.ratios)
	lc.Lecture = true
	x.Check(lc)
	cl := atMost(fmt.Sprintf("corrected: %s ≤ %g at B = %d", name, helps, large.batch), large.geoMean(), helps)
	cl.Where = "ratios " + fmtList(large.ratios)
	x.Check(cl)
	cs := within(fmt.Sprintf("corrected: the two end level at B = %d, %s in [%g, %g]", small.batch, name, helps, 1/helps), small.geoMean(), helps, 1/helps)
	cs.Where = "ratios " + fmtList(small.ratios)
	x.Check(cs)
	x.Check(isTrue(fmt.Sprintf("corrected: plain SGD's tuned rate at B = %d lies inside the grid (below its top)", large.batch),
		large.sgd < len(mlpGrid)-1, fmt.Sprintf("tuned rate %.3g", mlpGrid[large.sgd])))
	x.Erratum(ErratumNote{
		Statement: "“SGD with momentum […] Almost always used with SGD for deep learning. Why it helps so much for deep learning is not entirely " +
			"understood.”, read as: momentum helps SGD much, at least halving its final training loss.",
		Counter: fmt.Sprintf("At the lecture's batch of %d, with each method at the best rate of a 7-point grid (momentum %.3g, effective step "+
			"γ/(1 − β) = %.3g; plain SGD %.3g), momentum 0.9 ends %d fresh training runs with %s times plain SGD's training loss "+
			"(geometric mean %.3g, against ≤ %g for “helps so much”). For small steps, momentum β with step γ is plain SGD with step γ/(1 − β): "+
			"where the gradient noise limits the step, the tuned methods coincide and which ends lower depends on the draw.",
			small.batch, mlpGrid[small.mom], mlpGrid[small.mom]/(1-mlpMomentum), mlpGrid[small.sgd], momentumDraws, fmtList(small.ratios),
			small.geoMean(), helps),
		Corrected: fmt.Sprintf("Momentum helps SGD at large batches, where SGD's step is limited by the curvature rather than by the gradient "+
			"noise (Kidambi et al., ICLR 2018; Zhang et al., NeurIPS 2019; Shallue et al., JMLR 2019): at B = %d, tuned momentum 0.9 ends with "+
			"at most %g times tuned plain SGD's training loss; at the lecture's B = %d the two end level (within a factor %g).",
			large.batch, helps, small.batch, 1/helps),
	})
	for _, m := range []*momentumRuns{small, large} {
		x.Notef("B = %d: tuned rates (by the training loss at the end of draw 0, on the whole training set): %.3g for SGD (%.4g) and %.3g for "+
			"momentum (%.4g; effective step γ/(1 − β) = %.3g). Fresh draws 1 to %d, final training losses, SGD: %s; momentum: %s; ratios %s, "+
			"geometric mean %.3g.", m.batch, mlpGrid[m.sgd], endLoss(m.tuneSGD), mlpGrid[m.mom], endLoss(m.tuneMom),
			mlpGrid[m.mom]/(1-mlpMomentum), momentumDraws, fmtList(mapRuns(m.sgdRuns, endLoss)), fmtList(mapRuns(m.momRuns, endLoss)),
			fmtList(m.ratios), m.geoMean())
	}
	x.Notef("%s Batch %d (the lecture's boilerplate, as for adam-first), then %d, %d epochs, the rates %s for both methods.",
		x.mlpSetup(), mlpBatch, x.mlp().large, x.mlp().epochs, fmtList(mlpGrid))
	var names []string
	var runs []*mlpResult
	for _, m := range []*momentumRuns{small, large} {
		names = append(names, fmt.Sprintf("SGD, B = %d, lr %.3g (draw 1)", m.batch, mlpGrid[m.sgd]), fmt.Sprintf("momentum 0.9, B = %d, lr %.3g (draw 1)", m.batch, mlpGrid[m.mom]))
		runs = append(runs, m.sgdRuns[0], m.momRuns[0])
	}
	x.figure(lossPlot("Training loss at the tuned rate of each method, at two batch sizes", names, runs),
		"At the lecture's batch, tuned momentum and tuned SGD run level; at a large batch, momentum pulls ahead.")
	ks := seq(1, momentumDraws+1)
	p := newPlot("Momentum's final training loss over plain SGD's, each fresh draw", "draw", "ratio").logY().
		observed(fmt.Sprintf("B = %d", small.batch), ks, small.ratios).
		observed(fmt.Sprintf("B = %d", large.batch), ks, large.ratios).
		bound(fmt.Sprintf("%g (helps so much)", helps), ks, constant(len(ks), helps)).
		reference("1 (level)", ks, constant(len(ks), 1))
	x.figure(p, "The ratio on each fresh draw: scattered around 1 at the lecture's batch, well below the threshold at the large one.")
	return nil
}

// mapRuns returns f of each run.
func mapRuns(runs []*mlpResult, f func(*mlpResult) float64) []float64 {
	out := make([]float64, len(runs))
	for i, r := range runs {
		out[i] = f(r)
	}
	return out
}

// batchSweetSpot: the wall-clock time to a target loss is U-shaped in the batch size. The
// minimum must lie at a batch of at least from: 1 (anywhere inside) in the catalogue.
func batchSweetSpot(from int) Claim {
	crit := "MNIST MLP, B ∈ {8 … 4096}: time to a target loss has an interior minimum"
	where := ""
	if from > 1 {
		crit += fmt.Sprintf(", at B ≥ %d", from)
		where = fmt.Sprintf(", and is at least %d", from)
	}
	return Claim{
		ID: "batch-sweet-spot", MNIST: true, Section: sectionStochastic, Kind: Illustration, Exclusive: true,
		Source: "Part “Stochastic Optimization”, slide “Mini-batch SGD”: “Easy to parallelize (better efficiency on GPUs in particular). If B " +
			"too large, same as GD -> sweet spot to find for each problem.”",
		Statement: "Mini-batches lower the variance and are easy to parallelise, but if B is too large, SGD is the same as GD: there is a sweet spot to find.",
		Criterion: crit,
		Protocol: fmt.Sprintf("The MLP of momentum-sgd (784-128-10 on 50000 MNIST training images; 2000 images and 64 hidden units at the reduced "+
			"size). Plain SGD until the mean mini-batch loss over the last 2048 examples reaches 0.3, for B ∈ {8, 16, …, 4096} ({8, 32, 128, 512} "+
			"at the reduced size), with the grid's best rate at B = 64 scaled by min(B/64, 1) (linear scaling below the lecture's batch, kept "+
			"above it, where SGD's stability limits it), at most 40 epochs; a run slower than four times the best so far is stopped. The time to "+
			"the target is the number of optimiser steps times the median time of a step, measured with the machine to itself (the claim runs "+
			"alone, after the others). Pass: the batch of the least time is neither the smallest nor the largest of the sweep%s. This claim "+
			"alone depends on the speed of the machine.", where),
		Run: func(x *Experiment) error { return runBatchSweetSpot(x, from) },
	}
}

func runBatchSweetSpot(x *Experiment, from int) error {
	const target = 0.3
	batches := []int{8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096}
	if x.Quick {
		batches = []int{8, 32, 128, 512}
	}
	// The step: the best of the grid at the lecture's batch, scaled linearly below it (Goyal
	// et al., 2017) and kept above it, where SGD's stability limits it.
	sgd, err := mlpGridRuns(x, "sgd", mlpBatch, x.mlp().epochs)
	if err != nil {
		return err
	}
	base := mlpGrid[bestBy(sgd, func(r *mlpResult) float64 { return -finalLoss(r) })]
	times := make([]float64, len(batches))
	best := math.Inf(1)
	var bx, by, cx, cy []float64
	summary := ""
	for i, b := range batches {
		rate := base * math.Min(float64(b)/mlpBatch, 1)
		limit := time.Duration(0)
		if !math.IsInf(best, 1) {
			// A run slower than four times the best so far cannot be the minimum.
			limit = time.Duration(4 * best * float64(time.Second))
		}
		r, err := x.trainMLP(mlpConfig{Opt: "sgd", LR: rate, Batch: b, Epochs: 40, Target: target, TimeCap: limit})
		if err != nil {
			return err
		}
		// The time to the target: the optimiser steps it took, each at the median step time
		// of the run (robust to the other programs of the machine).
		sec := float64(r.steps) * r.stepTime.Seconds()
		if math.IsNaN(r.reached) {
			times[i] = math.Inf(1)
			cx, cy = append(cx, float64(b)), append(cy, sec)
			summary += fmt.Sprintf("B = %d (lr %.3g): not reached in %.3g s; ", b, rate, sec)
			continue
		}
		times[i] = sec
		best = math.Min(best, sec)
		bx, by = append(bx, float64(b)), append(by, sec)
		summary += fmt.Sprintf("B = %d (lr %.3g): %.3g epochs, %d steps of %.3g ms, %.3g s; ", b, rate, r.reached, r.steps, 1e3*r.stepTime.Seconds(), sec)
	}
	arg := slices.Index(times, slices.Min(times))
	interior := arg > 0 && arg < len(batches)-1 && !math.IsInf(times[arg], 1) && batches[arg] >= from
	name := "the batch size of the least time to the target is neither the smallest nor the largest"
	if from > 1 {
		name += fmt.Sprintf(", and at least %d", from)
	}
	c := isTrue(name, interior,
		fmt.Sprintf("minimum at B = %d", batches[arg]))
	c.Observed = float64(batches[arg])
	x.Check(c)
	x.Notef("%s Plain SGD until the training loss reaches %g, for B in %v, with the step %.3g (the grid's best at B = %d) times min(B/%d, 1). "+
		"The time to the target is the number of optimiser steps times the median time of a step (forward, backward, optimiser; the data copy "+
		"and the evaluations excluded), measured with the machine to itself; a run slower than four times the best so far is stopped. "+
		"This claim alone depends on the speed of the machine: its verdict can change from one run to the next. %s",
		x.mlpSetup(), target, batches, base, mlpBatch, mlpBatch, summary)
	p := newPlot(fmt.Sprintf("Wall-clock time of SGD to a training loss of %g", target), "batch size B", "seconds").logX().logY().
		observed("time to the target", bx, by)
	if len(cx) > 0 {
		p.observed("stopped before the target (time spent)", cx, cy)
	}
	x.figure(p, "Small batches waste time on per-step overheads, large ones on epochs: the minimum lies in between.")
	return nil
}
