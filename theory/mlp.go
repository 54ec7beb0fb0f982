package theory

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"time"

	"github.com/descent-ml/descent/data"
	"github.com/descent-ml/descent/model"
	"github.com/descent-ml/descent/optim"
	"github.com/descent-ml/descent/report/results"
	"github.com/descent-ml/descent/train"
)

// mlpLoopHistory is the change of the MLP claims' runs recorded in their histories.
const mlpLoopHistory = "On 2026-12-06 the runs moved from a loop of the MLP claims' own to package train's, the loop of descent train and " +
	"compare: the same images, but other draws of the initial weights and of the order of the images (train's random streams of the seed " +
	"and the draw); every step still takes a full batch, the images left over out of their epoch; the criterion did not change. "

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

// mlpBatch is the batch of the grid runs: the lecture's boilerplate
// (DataLoader(my_dataset, shuffle=True, batch_size=64)), the same for every optimiser
// compared, so that the three claims share the runs of plain SGD.
const mlpBatch = 64

// mlpMomentum is the momentum β of the "momentum" runs, the lecture's (and everyone's) 0.9.
const mlpMomentum = 0.9

// mlpGrid is the 7-point log grid of learning rates of plain SGD and momentum.
var mlpGrid = logGrid(1e-3, 1, 7)

// mlpSet is the training, validation and test images of the MLP claims: views of MNIST's
// sets, whose images are read normalised as torchvision normalises them.
type mlpSet struct {
	train, val, test data.Dataset
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
		set := &mlpSet{
			train: data.NewSubset(m.Train, perm[:s.train]),
			val:   data.NewSubset(m.Train, perm[s.train:s.train+s.val]),
			test:  m.Test,
		}
		if nt < m.Test.Len() {
			set.test = data.NewSubset(m.Test, seq0(nt))
		}
		return set, nil
	})
	if err != nil {
		return nil, err
	}
	return v.(*mlpSet), nil
}

// seq0 returns 0, 1, …, n−1.
func seq0(n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = i
	}
	return s
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
// weights and the order of the batches depend on the seed and the draw alone, so that
// runs differing only by their optimiser, learning rate or batch size start from the same
// network and see the images in the same order. Runs are memoised per seed, setting and
// configuration, and shared by the claims.
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

// mlpTrainConfig returns the configuration of package train of the run cfg of an MLP
// with one hidden layer of hidden units: the preset mlp, its loss the negative
// log-likelihood of its log-softmax, and no divergence but a NaN or infinite loss. Every
// step takes a full batch: a short last batch would make the end of a run, where the
// final training loss is measured, a step on a few images (on one run of SGD at 0.316 and
// B = 64, a last step on 16 images left a loss of 0.098 on the whole training set, where
// the mean over the last quarter epoch was 0.0095).
func mlpTrainConfig(cfg mlpConfig, seed uint64, hidden int) train.Config {
	rate := strconv.FormatFloat(cfg.LR, 'g', -1, 64)
	c := train.Config{Model: "mlp", ModelConfig: model.Config{Hidden: []int{hidden}}, Epochs: cfg.Epochs, BatchSize: cfg.Batch,
		DropLast: true, Seed: mlpSeed(seed, cfg.Draw), MaxLoss: -1}
	switch cfg.Opt {
	case "sgd":
		c.Optimizer, c.Options = "sgd", optim.Options{"lr": rate}
	case "momentum":
		c.Optimizer, c.Options = "sgd", optim.Options{"lr": rate, "momentum": strconv.FormatFloat(mlpMomentum, 'g', -1, 64)}
	case "adam":
		c.Optimizer, c.Options = "adam", optim.Options{"lr": rate} // the registry's defaults are torch's
	default:
		panic("theory: unknown optimiser " + cfg.Opt)
	}
	return c
}

// mlpSeed returns the seed of package train of the runs of a draw: the experiment's seed
// for draw 0, another drawn from it for each fresh draw.
func mlpSeed(seed uint64, draw int) uint64 {
	if draw == 0 {
		return seed
	}
	return rand.NewPCG(seed, hashString(fmt.Sprintf("mlp-draw/%d", draw))).Uint64()
}

// trainMLP trains the MLP through package train and observes it: the quarter-epoch
// losses, the time to the target and the step times from the steps train reports, the
// scores at the end from train's evaluation.
func trainMLP(ctx context.Context, set *mlpSet, seed uint64, hidden int, cfg mlpConfig) (*mlpResult, error) {
	run, err := train.New(fmt.Sprintf("%s lr %g", cfg.Opt, cfg.LR), mlpTrainConfig(cfg, seed, hidden), train.Data{Train: set.train})
	if err != nil {
		return nil, err
	}
	defer run.Close()
	res := &mlpResult{reached: math.NaN()}
	var times []time.Duration
	var spent time.Duration
	sum, cnt := 0.0, 0
	// The last losses, for the Target; their sum is recomputed at each step (a running sum
	// would drift over the hundreds of thousands of steps of a long run).
	window := make([]float64, 0, max(1, (targetWindow+cfg.Batch-1)/cfg.Batch))
	// A run that reaches its target or its time is stopped by cancelling the context of
	// its training: train stops it after the step.
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	stopped := false
	onStep := func(s train.Step) {
		dt := time.Duration(s.Seconds * float64(time.Second))
		times = append(times, dt)
		spent += dt
		at := float64(s.Epoch-1) + float64(s.Batch)/float64(s.Batches)
		sum += s.Loss
		cnt++
		if s.Batch%max(s.Batches/4, 1) == 0 {
			res.epochs = append(res.epochs, at)
			res.loss = append(res.loss, sum/float64(cnt))
			sum, cnt = 0, 0
		}
		if cfg.Target > 0 {
			if len(window) == cap(window) {
				window = window[:copy(window, window[1:])]
			}
			window = append(window, s.Loss)
			if len(window) == cap(window) && mean(window) <= cfg.Target {
				res.reached, stopped = at, true
				stop()
			}
		}
		if cfg.TimeCap > 0 && spent > cfg.TimeCap {
			stopped = true
			stop()
		}
	}
	out, err := run.Train(runCtx, train.Output{OnStep: onStep})
	if err != nil && !(stopped && ctx.Err() == nil) {
		return nil, err
	}
	res.steps = out.Steps
	res.diverged = out.Status == results.StatusDiverged
	if len(times) > 0 {
		slices.Sort(times)
		res.stepTime = times[len(times)/2]
	}
	tr, err := run.Evaluate(set.train)
	if err != nil {
		return nil, err
	}
	val, err := run.Evaluate(set.val)
	if err != nil {
		return nil, err
	}
	test, err := run.Evaluate(set.test)
	if err != nil {
		return nil, err
	}
	res.trainLoss, res.valAcc, res.testAcc = tr.Loss, val.Accuracy, test.Accuracy
	return res, nil
}

// mlpSetup describes the network and data of the MLP claims for the notes.
func (x *Experiment) mlpSetup() string {
	s := x.mlp()
	ntr, nva, nte := s.train, s.val, s.test
	if m, err := x.Data.MNIST(x.Ctx); err == nil && (nte == 0 || nte > m.Test.Len()) {
		nte = m.Test.Len()
	}
	return fmt.Sprintf("An MLP 784-%d-10 (ReLU, log-softmax; the preset mlp of package model, PyTorch's initialisation) trained by package "+
		"train's loop (NLL loss, optim's SGD or Adam) on %d MNIST training images drawn from the seed, with %d other training images for "+
		"validation and %d test images; every run of a seed starts from the same weights and sees the images in the same order (a new shuffle "+
		"every epoch, cut into full batches, the images left over out of that epoch). The training loss is the mean of "+
		"the mini-batch losses over each quarter epoch.", s.hidden, ntr, nva, nte)
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
// least the best SGD's minus points percentage points (1 in the catalogue). At the reduced
// size, which cannot decide the statement (see the history), the claim is a smoke test: the
// test accuracies of Adam and of the chosen SGD must be at least smoke percent (85 in the
// catalogue).
func adamFirst(points, smoke float64) Claim {
	return Claim{
		ID: "adam-first", MNIST: true, Section: sectionAdaptive, Kind: Illustration,
		Source: "Part “Practical optimisation”, slide “A recipe for quick results”: “Start with Adam, default parameters.” (and the " +
			"boilerplate of the slide “Some boilerplate for optimising in Pytorch”: optim.Adam(model.parameters()), batch_size=64)",
		Statement: "A recipe for quick results: start with Adam, default parameters.",
		Criterion: fmt.Sprintf("MNIST MLP: Adam's test accuracy ≥ that of the best of 7 SGD rates − %g point (reduced size: a smoke test, both ≥ %g %%)", points, smoke),
		Protocol: fmt.Sprintf("An MLP 784-128-10 (ReLU) trained on 50000 MNIST training images drawn from the seed (2000 images and 64 hidden units "+
			"at the reduced size), batch 64 (the lecture's boilerplate), 10 epochs (12), from the seed's initial weights and batches: Adam with "+
			"torch's defaults (lr 1e-3, β = (0.9, 0.999), ε = 1e-8), and plain SGD over the 7-point log grid of rates 1e-3 … 1, its best rate "+
			"chosen on 10000 other training images (1000) held out for validation. Pass: Adam's accuracy on MNIST's 10000 test images ≥ the "+
			"chosen SGD's minus %g percentage point(s). At the reduced size of the tests the statement is not judged, as that size cannot "+
			"decide it (see the history): the same runs are a smoke test, which passes when Adam's and the chosen SGD's test accuracies are "+
			"both ≥ %g %% (chance is 10 %%; a NaN fails); the gap is reported, not judged.", points, smoke),
		History: mlpLoopHistory + "At full size the gap went from −0.80 to +0.12 points at seed 1 and from −0.01 to −0.36 at seed 2 (PASS " +
			"throughout). At the reduced size of the tests the margin of 1 point lies within the noise of the draws: over seeds 1 to 10 the " +
			"gap averaged −1.38 points before the move (below −1 on 7 seeds) and −1.54 after (on 8), and seed 1 went from −0.77 to −1.57. " +
			adamFirstQuickHistory,
		Run: func(x *Experiment) error { return runAdamFirst(x, points, smoke) },
	}
}

// adamFirstQuickHistory records how adam-first's reduced size became a smoke test.
const adamFirstQuickHistory = "On 2026-12-06, before the runs of seeds 1 to 10 reported next, the reduced size became a smoke test, on " +
	"the evidence of a pilot on seeds 101 to 104 (never seeds reported): 5 draws each (draw 0 and 4 fresh draws, SGD at the rate chosen " +
	"on draw 0), at three reduced sizes. Mean gap per seed: −1.47 to −1.81 points at 2000 images, 64 hidden units and 12 epochs (1 draw of " +
	"20 at −1 or above); −1.37 to −1.62 at 5000 images, 64 units, 10 epochs; −0.37 to −1.34 at 10000 images, 64 units, 6 epochs. The gap " +
	"at these sizes is not the noise of one draw around the full size's (+0.12 and −0.36 at seeds 1 and 2, by train's loop; −0.05 and −0.52 since the merge of main that changed the runs' arithmetic, see momentum-sgd) but another regime: on small " +
	"training sets Adam at its defaults trails tuned SGD by about 1.5 points, so that averaging over draws would make the reduced form " +
	"fail more surely, not decide the statement, and a size that reaches the full size's regime costs a large part of the full run. The " +
	"reduced size therefore checks only that the runs work: both test accuracies ≥ 85 % (in the pilot, at 2000 images, Adam 89.7 to " +
	"91.6 %, the chosen SGD 92.0 to 92.4 %). The full size's criterion and runs did not change. Over seeds 1 to 10, the smoke test " +
	"passed on all 10: Adam 89.53 to 91.31 %, the chosen SGD 91.04 to 92.89 %; the gap, not judged, was −0.18 to −2.51 points (mean " +
	"−1.53), at −1 or above on 2 seeds (5 and 9)."

func runAdamFirst(x *Experiment, points, smoke float64) error {
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
	if x.Quick {
		x.Check(atLeast("smoke test (reduced size): Adam's test accuracy, %", 100*adam.testAcc, smoke))
		x.Check(atLeast("smoke test (reduced size): the chosen SGD's test accuracy, %", 100*bestTest, smoke))
		x.Notef("At the reduced size the runs are a smoke test, which cannot decide the statement (see the history): the gap of %+.2f "+
			"points is reported, not judged against −%g.", gap, points)
	} else {
		x.Check(atLeast("Adam's test accuracy − best SGD's (chosen on validation), percentage points", gap, -points))
	}
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
			"size of the tests: %d training images, %d hidden units, %d epochs, and B = %d for the large batch; and each method's rate is "+
			"tuned on three draws, draw 0 and draws %d and %d (which the comparison does not use), the rate of the lowest geometric mean "+
			"of the final training loss over the three (+Inf for a diverged run); only the rates whose loss on draw 0 is within a factor "+
			"%d of the lowest are run on the other two, the others keep their loss of draw 0.",
			mlpBatch, momentumLargeBatch, momentumDraws, momentumDraws, helps, helps, mlpBatch, helps, momentumLargeBatch,
			mlpBatch, helps, 1/helps, momentumLargeBatch, mlpBatch, mlpQuick.train, mlpQuick.hidden, mlpQuick.epochs, mlpQuick.large,
			momentumDraws+1, momentumDraws+2, momentumContender),
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
			"were 0.78 to 1.0 at B = 64 and 0.11 to 0.22 at B = 256. " + mlpLoopHistory + "At full size the geometric mean at B = 64 went from 0.93 to 0.75 at seed 1 " +
			"and from 1.19 to 0.86 at seed 2, at B = 1024 from 0.40 to 0.37 and from 0.38 to 0.39 (ERRATUM throughout). A first version of the " +
			"move also trained on the short last batch of each epoch: at seed 2 that last step, on 16 images, left SGD at 0.316 with a final " +
			"training loss ten times the mean of its last quarter epoch, SGD was tuned to 0.1 and the claim failed (geometric mean 0.49 at " +
			"B = 64); the runs leave that batch out again, as the claims' own loop did. At the reduced size of the tests, the tuning on " +
			"draw 0 sometimes picks momentum's rate 0.1 (effective step 1), unstable at B = 64 on the fresh draws (geometric means 6.7 to 8.1), " +
			"and the claim fails: over seeds 1 to 10, on seed 5 before the move, on seeds 1 and 10 after; on the others the geometric means " +
			"at B = 64 were 0.77 to 0.96 before and 0.80 to 0.92 after. " + momentumQuickHistory,
		Run: func(x *Experiment) error { return runMomentumSGD(x, helps) },
	}
}

// momentumQuickHistory records the change of momentum-sgd's tuning at the reduced size.
const momentumQuickHistory = "On 2026-12-06, before the runs of seeds 1 to 10 reported next, the tuning at the reduced size was fixed " +
	"anew: each method's rate is the one of the lowest geometric mean of the final training loss over three draws (draw 0 and draws 5 " +
	"and 6, which the comparison does not use), instead of over draw 0 alone; the comparison, the threshold and the checks did not change, " +
	"nor did anything at full size. Reason: at the reduced size a run makes 375 steps at B = 64, and momentum's grid rate 0.1 (effective " +
	"step 1, above plain SGD's tuned 0.316) lies at the edge of stability. Tuned on one draw, it can end lowest by the luck of that " +
	"draw, and the fresh draws then find it unstable: the failures above are that selection, not a property of the tuned methods. " +
	"“Tuned” means the best rate in expectation over the draws; the geometric mean over three draws estimates it, and a rate that " +
	"diverges or ends high on any of them is marked down (+Inf for a divergence). A pilot on seeds 101 to 104 at the reduced size, with " +
	"the former tuning, showed no failure (momentum tuned to 0.0316 at B = 64 on all four; geometric means 0.76 to 0.92 at B = 64 and " +
	"0.13 to 0.17 at B = 256): the failure is rare, and the evidence for the change is the failures recorded above. Over seeds 1 to 10 " +
	"the claim was an ERRATUM on all 10: the tuning chose momentum 0.0316 at B = 64 on every seed (and 0.1 at B = 256, plain SGD " +
	"0.316 at both); geometric means 0.80 to 0.92 at B = 64 and 0.105 to 0.188 at B = 256. Looked at afterwards: the merge of main " +
	"into the branch (with tensor's fix of the transposed product of a split, 07ebe97) had changed the runs' arithmetic, and with it the " +
	"draws; at that merge the former tuning too gave an ERRATUM on seeds 1 to 10, so these seeds do not show the change at work. On the " +
	"branch before the merge (5095cf6), where the former tuning failed seeds 1 and 10, the tuning over three draws gave an ERRATUM on both. " +
	"The tuning over three draws doubled the time of the claim at the reduced size, and the tests run it twice and again on the " +
	"pure-Go kernels (-tags noasm), where the three MLP claims of the two test runs went from 199 to 391 s of processor time. So, " +
	"still on 2026-12-06, before the runs of seeds 1 to 10 reported next, the extra draws were kept for the rates that can win: a rate " +
	"whose loss on draw 0 is more than 4 times the lowest (about twice the largest spread of one rate's loss over draws seen above, " +
	"2.2) is not run on draws 5 and 6 and keeps its loss of draw 0. Over seeds 1 to 10 the claim was again an ERRATUM on all 10, with " +
	"the same tuned rates and geometric means as above; before the merge, seeds 1 and 10 gave an ERRATUM too. The three MLP claims " +
	"of the two test runs on the pure-Go kernels then took 225 s of processor time, against 191 s with the tuning on draw 0 alone."

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
	// sgdLoss and momLoss are the losses that chose them (see tuningLoss).
	sgdLoss, momLoss float64
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
	// the end of a run to time a target there. At the reduced size a rate is judged by the
	// geometric mean of that loss over its tuning draws (see momentumTuneDraws).
	sgdLoss, err := tuningLoss(x, "sgd", batch, sgd)
	if err != nil {
		return nil, err
	}
	momLoss, err := tuningLoss(x, "momentum", batch, mom)
	if err != nil {
		return nil, err
	}
	lowest := func(loss []float64) int {
		best := 0
		for i, l := range loss {
			if l < loss[best] || math.IsNaN(loss[best]) {
				best = i
			}
		}
		return best
	}
	m := &momentumRuns{batch: batch, sgd: lowest(sgdLoss), mom: lowest(momLoss)}
	m.sgdLoss, m.momLoss = sgdLoss[m.sgd], momLoss[m.mom]
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

// momentumTuneDraws returns the draws on which momentum-sgd tunes its rates: draw 0 at
// full size; at the reduced size draw 0 and two more, numbered after the fresh draws of the
// comparison, so that none of them is also compared.
func momentumTuneDraws(x *Experiment) []int {
	if !x.Quick {
		return []int{0}
	}
	return []int{0, momentumDraws + 1, momentumDraws + 2}
}

// tuneDrawsText names the tuning draws for the notes.
func tuneDrawsText(x *Experiment) string {
	d := momentumTuneDraws(x)
	if len(d) == 1 {
		return "draw 0"
	}
	return fmt.Sprintf("draws 0, %d and %d, their geometric mean", d[1], d[2])
}

// momentumContender is the factor of the lowest loss of draw 0 within which a rate is run
// on the other tuning draws (see tuningLoss): about twice the spread of one rate's final
// loss between draws at the reduced size, which was at most 2.2 (largest over smallest) over
// the fresh draws of the tuned rates of seeds 1 to 10.
const momentumContender = 4

// tuningLoss returns, for each rate of the grid, the geometric mean over the tuning draws of
// the loss on the whole training set at the end of the run of opt (+Inf if a run diverged).
// grid holds the runs of draw 0; at full size, its only tuning draw, their losses are
// returned as they are. Only the rates whose loss on draw 0 is within momentumContender
// of the lowest are run on the other draws; the others keep their loss of draw 0.
func tuningLoss(x *Experiment, opt string, batch int, grid []*mlpResult) ([]float64, error) {
	loss := mapRuns(grid, endLoss)
	draws := momentumTuneDraws(x)
	if len(draws) == 1 {
		return loss, nil
	}
	least := slices.Min(loss)
	for i, g := range mlpGrid {
		if !(loss[i] <= momentumContender*least) {
			continue // out of the running on draw 0: its loss there stands
		}
		s := math.Log(loss[i])
		for _, k := range draws[1:] {
			r, err := x.trainMLP(mlpConfig{Opt: opt, LR: g, Batch: batch, Epochs: x.mlp().epochs, Draw: k})
			if err != nil {
				return nil, err
			}
			s += math.Log(endLoss(r))
		}
		loss[i] = math.Exp(s / float64(len(draws)))
	}
	return loss, nil
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
		x.Notef("B = %d: tuned rates (by the training loss at the end of %s, on the whole training set): %.3g for SGD (%.4g) and %.3g for "+
			"momentum (%.4g; effective step γ/(1 − β) = %.3g). Fresh draws 1 to %d, final training losses, SGD: %s; momentum: %s; ratios %s, "+
			"geometric mean %.3g.", m.batch, tuneDrawsText(x), mlpGrid[m.sgd], m.sgdLoss, mlpGrid[m.mom], m.momLoss,
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
		History: mlpLoopHistory + "The time of a step is train's, as it was the loop's: the forward and backward passes and the update, " +
			"not the loading of the batch. The minimum stayed at B = 32 at seed 1 and moved from B = 128 to B = 64 at seed 2 (PASS both).",
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
	arg, interior := sweetSpot(batches, times, from)
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

// sweetSpot judges batch-sweet-spot: arg is the index of the least time to the target
// (the first, on a tie), and interior whether it is neither the first nor the last batch
// and is a batch of at least from. A run that missed the target has the time +Inf: the
// least time is one reached, unless none was, and then arg is 0.
func sweetSpot(batches []int, times []float64, from int) (arg int, interior bool) {
	arg = slices.Index(times, slices.Min(times))
	return arg, arg > 0 && arg < len(batches)-1 && batches[arg] >= from
}
