package theory

import (
	"context"
	"fmt"
	"math"
	"strconv"

	"github.com/descent-ml/descent/model"
	"github.com/descent-ml/descent/nn"
	"github.com/descent-ml/descent/optim"
	"github.com/descent-ml/descent/optim/lr"
	"github.com/descent-ml/descent/report/results"
	"github.com/descent-ml/descent/train"
)

// sectionBeyond holds the claims of methods the lecture does not teach, which come from
// their papers.
const sectionBeyond = "Beyond the lecture: newer optimisers"

// notInLecture opens the Source of a claim that comes from a paper, not from the lecture.
const notInLecture = "Not in the lecture, which ends with Adam, AdamW and their variants: the claim comes with the method, from its paper. "

// beyondEpochs is the length of the runs of sf-vs-cosine and prodigy-rate: 3 epochs at
// full size (2343 steps of 64 images out of 50000), so that the grid, the fresh draws and
// Prodigy fit in about half a minute of one core; the quick setting's 12 epochs at the
// reduced size (372 steps: 31 full batches of 2000 images an epoch).
func (x *Experiment) beyondEpochs() int { return size(x, 3, mlpQuick.epochs) }

// beyondGrid is the grid of peak learning rates of the cosine-scheduled AdamW that
// sf-vs-cosine compares with and whose best rate prodigy-rate's estimate is compared with:
// half decades from 1e-4 to 10^-1.5, around Adam's default 1e-3.
var beyondGrid = logGrid(1e-4, math.Pow(10, -1.5), 6)

// sfDraws is the number of fresh draws over which sf-vs-cosine compares the two methods:
// 3 at full size, 6 at the reduced size, where a run costs a tenth and the test accuracy
// of a network trained on 2000 images varies more from draw to draw.
func (x *Experiment) sfDraws() int { return size(x, 3, 6) }

// beyondConfig is one training run of the MLP of the MLP claims' setting with one of the
// newer methods, or the AdamW baseline.
type beyondConfig struct {
	Opt    string  // the registry's name: "adamw" (weight decay 0), "schedulefree-adamw" or "prodigy"
	LR     float64 // the learning rate (Prodigy: the multiplier γ of its estimate)
	Cosine bool    // a cosine schedule from LR to 0 over the run's steps (torch's CosineAnnealingLR, T_max the run's steps)
	Epochs int
	Draw   int // as mlpConfig.Draw: the initial weights and batches of the seed's draw
}

// beyondResult is what a run of beyondConfig observed.
type beyondResult struct {
	steps           int
	valAcc, testAcc float64 // at the end, on the validation and test images
	testLoss        float64
	diverged        bool
	// atX is false for a schedule-free run whose model did not hold its average x when
	// it was evaluated (train puts x in the model at every epoch's end).
	atX bool
	// d is Prodigy's estimate after each step (nil for the other methods).
	d []float64
}

// score is the accuracy on the validation images, −1 for a diverged run, by which the
// baseline's rate is tuned.
func (r *beyondResult) score() float64 {
	if r.diverged || math.IsNaN(r.valAcc) {
		return -1
	}
	return r.valAcc
}

// beyondTrainConfig returns the configuration of package train of run c: the MLP claims'
// network, batch and seeds (mlpTrainConfig), with c's optimiser and schedule.
func beyondTrainConfig(c beyondConfig, seed uint64, hidden int) (train.Config, error) {
	rate := strconv.FormatFloat(c.LR, 'g', -1, 64)
	cfg := train.Config{Model: "mlp", ModelConfig: model.Config{Hidden: []int{hidden}}, Epochs: c.Epochs, BatchSize: mlpBatch,
		DropLast: true, Seed: mlpSeed(seed, c.Draw), MaxLoss: -1, Optimizer: c.Opt}
	switch c.Opt {
	case "adamw":
		// torch's defaults but the rate and the weight decay, 0 as schedule-free's and
		// Prodigy's default: the runs compared differ by the schedule and the method alone.
		cfg.Options = optim.Options{"lr": rate, "weight_decay": "0"}
	case "schedulefree-adamw", "prodigy":
		cfg.Options = optim.Options{"lr": rate} // the registry's defaults are the references'
	default:
		panic("theory: unknown optimiser " + c.Opt)
	}
	if c.Cosine {
		s, err := lr.ParseSpec("cosine")
		if err != nil {
			return train.Config{}, err
		}
		cfg.Schedule = s
	}
	return cfg, nil
}

// beyondRun trains the MLP of the experiment's setting with c; runs are memoised per seed,
// setting and configuration, and shared by sf-vs-cosine and prodigy-rate.
func (x *Experiment) beyondRun(c beyondConfig) (*beyondResult, error) {
	s := x.mlp()
	set, err := x.Data.mlpData(x.Ctx, x.Seed, s)
	if err != nil {
		return nil, err
	}
	v, err := x.Data.once(fmt.Sprintf("beyond/%d/%+v/%+v", x.Seed, s, c), func() (any, error) {
		return beyondTrain(x.Ctx, set, x.Seed, s.hidden, c)
	})
	if err != nil {
		return nil, err
	}
	return v.(*beyondResult), nil
}

// beyondTrain trains the MLP through package train and scores it at the end; a
// schedule-free method is scored at its average x, where train leaves it.
func beyondTrain(ctx context.Context, set *mlpSet, seed uint64, hidden int, c beyondConfig) (*beyondResult, error) {
	cfg, err := beyondTrainConfig(c, seed, hidden)
	if err != nil {
		return nil, err
	}
	run, err := train.New(fmt.Sprintf("%s lr %g", c.Opt, c.LR), cfg, train.Data{Train: set.train})
	if err != nil {
		return nil, err
	}
	defer run.Close()
	res := &beyondResult{atX: true}
	var out train.Output
	if p, ok := run.Optimizer().(*optim.Prodigy); ok {
		out.OnStep = func(train.Step) { res.d = append(res.d, p.D()) }
	}
	end, err := run.Train(ctx, out)
	if err != nil {
		return nil, err
	}
	res.steps = end.Steps
	res.diverged = end.Status == results.StatusDiverged
	if ms, ok := run.Optimizer().(optim.ModeSwitcher); ok {
		res.atX = ms.Evaluating()
	}
	val, err := run.Evaluate(set.val)
	if err != nil {
		return nil, err
	}
	test, err := run.Evaluate(set.test)
	if err != nil {
		return nil, err
	}
	res.valAcc, res.testAcc, res.testLoss = val.Accuracy, test.Accuracy, test.Loss
	return res, nil
}

// cosineGrid returns the runs of the cosine-scheduled AdamW over beyondGrid on the seed's
// own draw and the index of the best by validation accuracy.
func cosineGrid(x *Experiment) ([]*beyondResult, int, error) {
	var runs []*beyondResult
	for _, g := range beyondGrid {
		r, err := x.beyondRun(beyondConfig{Opt: "adamw", LR: g, Cosine: true, Epochs: x.beyondEpochs()})
		if err != nil {
			return nil, 0, err
		}
		runs = append(runs, r)
	}
	best := 0
	for i, r := range runs {
		if r.score() > runs[best].score() {
			best = i
		}
	}
	return runs, best, nil
}

// beyondSetup describes the network, data and baseline for the notes.
func (x *Experiment) beyondSetup() string {
	return fmt.Sprintf("%s Batch %d, %d epochs. The baseline: AdamW (torch's defaults, weight decay 0) with a cosine schedule from its "+
		"peak rate to 0 over the run's steps, the peak rate tuned over %s by the accuracy on the validation images at the end of the seed's "+
		"own draw.", x.beyondNet(), mlpBatch, x.beyondEpochs(), fmtList(beyondGrid))
}

// beyondNet describes the network and data of the runs for the notes.
func (x *Experiment) beyondNet() string {
	s := x.mlp()
	nte := s.test
	if m, err := x.Data.MNIST(x.Ctx); err == nil && (nte == 0 || nte > m.Test.Len()) {
		nte = m.Test.Len()
	}
	return fmt.Sprintf("An MLP 784-%d-10 (ReLU, log-softmax; the preset mlp of package model, PyTorch's initialisation) trained by package "+
		"train's loop (NLL loss) on %d MNIST training images drawn from the seed, with %d other training images for validation and %d test "+
		"images; the runs of a draw start from the same weights and see the images in the same order (a new shuffle every epoch, cut into "+
		"full batches, the images left over out of that epoch).", s.hidden, s.train, s.val, nte)
}

// gridInside checks that the tuned rate is not an end of the grid, where the best rate
// could lie outside it.
func gridInside(best int) Check {
	return isTrue("the baseline's tuned peak rate lies inside the grid (neither end)", best > 0 && best < len(beyondGrid)-1,
		fmt.Sprintf("tuned peak rate %.3g", beyondGrid[best]))
}

// sfVsCosine: schedule-free AdamW without a schedule ends within margin points of test
// accuracy of AdamW with a tuned cosine schedule (0.5 in the catalogue).
func sfVsCosine(margin float64) Claim {
	return Claim{
		ID: "sf-vs-cosine", MNIST: true, Section: sectionBeyond, Kind: Illustration,
		Source: notInLecture + "Defazio, Yang, Mehta, Mishchenko, Khaled and Cutkosky, “The Road Less Scheduled” (NeurIPS 2024), the " +
			"abstract and section 1, in our words: the schedules that do not need the stopping time T are greatly out-performed by those " +
			"that do; Schedule-Free, which has no schedule and needs no T, matches or beats the cosine schedule tuned for T on problems " +
			"from convex ones to large deep networks. The " +
			"method is optim.ScheduleFreeAdamW (registry name schedulefree-adamw), evaluated at its average x.",
		Statement: "Schedule-Free AdamW, run without any learning-rate schedule, ends a training run as well as AdamW with a cosine " +
			"schedule tuned for that run's length.",
		Criterion: fmt.Sprintf("MNIST MLP: schedule-free AdamW at its default rate, no schedule, ends with a mean test accuracy over "+
			"3 fresh draws (6 at the reduced size) ≥ that of AdamW with a tuned cosine schedule − %g point", margin),
		Protocol: fmt.Sprintf("The MLP of the MLP claims: 784-128-10 (ReLU, log-softmax), trained through package train on 50000 MNIST "+
			"training images drawn from the seed, with 10000 other training images for validation and the 10000 test images; batch 64, "+
			"3 epochs (2343 steps). At the reduced size: 784-64-10 on 2000 images, 1000 for validation, 12 epochs (372 steps), the same test "+
			"images. The baseline is AdamW (torch's defaults, weight decay 0) with a cosine schedule from its peak rate to 0 over the run's "+
			"steps; its peak rate is tuned over the half-decade grid 1e-4, 3.16e-4, 1e-3, 3.16e-3, 1e-2, 3.16e-2 by the validation accuracy "+
			"at the end of a run on the seed's own draw (weights and batches). Schedule-free AdamW runs at its default rate 0.0025 (the "+
			"reference's), betas (0.9, 0.999), no warmup, weight decay 0, constant, untuned, and is evaluated at its average x. Both then "+
			"run on 3 fresh draws (6 at the reduced size): new initial weights and new batches, the same for both methods on a draw. Pass: "+
			"the mean over the fresh draws of schedule-free's test accuracy minus the baseline's is at least −%g percentage point; the "+
			"baseline's tuned rate lies inside the grid (an end of it would leave the tuning unfinished); and every schedule-free run was "+
			"evaluated at x. The margin: half a point is about four standard errors of the mean difference at full size (draw-to-draw "+
			"spread of a difference about 0.2 point, a guess made before any run of these methods), and small beside the differences that "+
			"decide a choice of method (SGD against Adam is several points on this network at 3 epochs). Schedule-free is not tuned, the "+
			"baseline is: the comparison leans towards the baseline.", margin),
		History: "Catalogued on 2026-12-06 with its criterion, before its first run (commit 9bb2b76). First runs: at full size PASS at " +
			"seeds 1, 2 and 3, mean differences −0.10, −0.003 and −0.08 point (per draw −0.18, −0.14, 0.01; 0.10, −0.07, −0.04; 0.01, " +
			"−0.21, −0.05), the baseline tuned to 3.16e-3 on all three, close to schedule-free's default 2.5e-3. At the reduced size FAIL " +
			"at 9 of seeds 1 to 10: mean differences −1.10, −0.29, −1.01, −1.07, −1.22, −0.96, −0.53, −0.73, −1.13 and −0.99 point " +
			"(standard errors 0.09 to 0.18; PASS at seed 2 alone). On 372 steps over 2000 images the baseline's tuned peak rate is 1e-2 " +
			"(on 8 of the 10 seeds), four times schedule-free's untuned default, and the tuned schedule wins by about a point: the " +
			"claim's strong reading, schedule-free without tuning, does not hold on runs that short. The reduced form is kept as it was " +
			"committed, not re-aimed: its FAIL at seed 1 is the verdict TestClaimsQuick expects of it. The count of steps at the " +
			"reduced size was corrected in the protocol's text from 375 to 372 (12 epochs of 31 full batches); the runs did not change.",
		Run: func(x *Experiment) error { return runSFVsCosine(x, margin) },
	}
}

func runSFVsCosine(x *Experiment, margin float64) error {
	grid, best, err := cosineGrid(x)
	if err != nil {
		return err
	}
	sfRate := optim.DefaultScheduleFreeAdamW().LR
	epochs := x.beyondEpochs()
	var sfAcc, cosAcc, diffs []float64
	atX := true
	for k := 1; k <= x.sfDraws(); k++ {
		c, err := x.beyondRun(beyondConfig{Opt: "adamw", LR: beyondGrid[best], Cosine: true, Epochs: epochs, Draw: k})
		if err != nil {
			return err
		}
		s, err := x.beyondRun(beyondConfig{Opt: "schedulefree-adamw", LR: sfRate, Epochs: epochs, Draw: k})
		if err != nil {
			return err
		}
		atX = atX && s.atX
		sa, ca := 100*s.testAcc, 100*c.testAcc
		if s.diverged {
			sa = math.NaN()
		}
		if c.diverged {
			ca = math.NaN()
		}
		sfAcc, cosAcc, diffs = append(sfAcc, sa), append(cosAcc, ca), append(diffs, sa-ca)
	}
	m, se := meanSE(diffs)
	c := atLeast(fmt.Sprintf("mean over %d fresh draws of schedule-free AdamW's test accuracy − tuned cosine AdamW's, in points, ≥ %g",
		len(diffs), -margin), m, -margin)
	c.Where = "differences " + fmtList(diffs)
	x.Check(c)
	x.Check(gridInside(best))
	x.Check(isTrue("every schedule-free run was evaluated at its average x", atX, ""))
	var vals []float64
	for _, r := range grid {
		vals = append(vals, 100*r.valAcc)
	}
	x.Notef("%s Validation accuracy of the baseline over the grid (seed's draw): %s %%; tuned peak rate %.3g. Schedule-free AdamW at "+
		"%g, no schedule.", x.beyondSetup(), fmtList(vals), beyondGrid[best], sfRate)
	x.Notef("Fresh draws 1 to %d, test accuracy (%%): schedule-free %s; tuned cosine AdamW %s; differences %s, mean %.3g ± %.2g "+
		"(standard error), against %g.", len(diffs), fmtList(sfAcc), fmtList(cosAcc), fmtList(diffs), m, se, -margin)
	ks := seq(1, len(diffs)+1)
	p := newPlot("Test accuracy at the end of each fresh draw", "draw", "test accuracy (%)").
		observed("schedule-free AdamW, lr 0.0025, no schedule", ks, sfAcc).
		observed(fmt.Sprintf("AdamW, cosine from the tuned %.3g", beyondGrid[best]), ks, cosAcc)
	x.figure(p, "Schedule-free AdamW, untuned and without a schedule, beside AdamW with the cosine schedule of the run's length at its tuned peak rate.")
	p = newPlot("Schedule-free minus cosine AdamW, each fresh draw", "draw", "difference of test accuracy (points)").
		observed("difference", ks, diffs).
		bound(fmt.Sprintf("%g (the margin)", -margin), ks, constant(len(ks), -margin)).
		reference("0 (level)", ks, constant(len(ks), 0))
	x.figure(p, "The difference on each draw, with the margin below which the mean must not fall.")
	return nil
}

// prodigyRate: Prodigy's estimate d ends within the factors [lo, hi] of the peak rate of
// the tuned cosine AdamW, and is above lo times it a third of the way into the run
// ([0.1, 10] in the catalogue).
func prodigyRate(lo, hi float64) Claim {
	return Claim{
		ID: "prodigy-rate", MNIST: true, Section: sectionBeyond, Kind: Illustration,
		Source: notInLecture + "Mishchenko and Defazio, “Prodigy: An Expeditiously Adaptive Parameter-Free Learner” (arXiv 2023, ICML " +
			"2024), the abstract and the experiments, in our words: Prodigy estimates the distance to the solution D, which sets the learning rate of " +
			"Adam, and reaches test accuracies close to those of hand-tuned Adam. The method is optim.Prodigy (registry name prodigy); its " +
			"step is Adam's with learning rate d·γ, γ = 1 by default.",
		Statement: "Prodigy's estimate d, started far below (d₀ = 1e-6), grows to the scale of the learning rate that tuning Adam by " +
			"hand finds on the same problem.",
		Criterion: fmt.Sprintf("MNIST MLP: Prodigy's final d within [%g, %g] × the tuned peak rate of cosine AdamW, and ≥ %g × it a third "+
			"of the way into the run", lo, hi, lo),
		Protocol: fmt.Sprintf("The MLP, data, runs and baseline of sf-vs-cosine (3 epochs of batch 64 on 50000 images; 12 epochs on "+
			"2000 at the reduced size): the tuned rate η* is the peak rate of the cosine AdamW best by validation accuracy on the seed's own "+
			"draw, over the grid 1e-4 … 3.16e-2 in half decades. Prodigy runs with the reference's defaults (γ = 1, d₀ = 1e-6, betas (0.9, "+
			"0.999), β₃ = √β₂, no bias correction, weight decay 0) under the same cosine schedule of γ (the protocol of the paper's "+
			"experiments, where Adam and Prodigy share the schedule), on the seed's own draw; d is read after every step "+
			"(optim.Prodigy.D). Pass: the final d lies within [%g, %g] × η* (the same order of magnitude: η* is known to a factor √10 "+
			"from the grid, and rates a decade apart behave differently on this network); d a third of the way into the run is already "+
			"at least %g × η* (d only grows: with the final check, it stays in the range from then on); the tuned rate lies inside the grid; and the Prodigy run did "+
			"not diverge. The figure compared is log10(d/η*), checked against [log10 %g, log10 %g].", lo, hi, lo, lo, hi),
		History: "Catalogued on 2026-12-06 with its criterion, before its first run (commit 9bb2b76). First runs: at full size PASS at " +
			"seeds 1, 2 and 3, η* = 3.16e-3 on all three, final d 6.9e-3, 6.15e-3 and 2.68e-3 (2.18, 1.94 and 0.85 × η*), d a third of " +
			"the way in 0.47, 0.42 and 0.38 × η*, 0.1 × η* reached by step 10; Prodigy's test accuracy 97.57, 97.79 and 97.77 % against " +
			"97.84, 97.84 and 97.88 % for the tuned baseline on the same draw. At the reduced size PASS at seeds 1 to 10, final d between " +
			"0.22 and 0.86 × η* (η* = 1e-2 on 8 seeds, 3.16e-3 on 2); there d stops growing within the first third of the run.",
		Run: func(x *Experiment) error { return runProdigyRate(x, lo, hi) },
	}
}

func runProdigyRate(x *Experiment, lo, hi float64) error {
	grid, best, err := cosineGrid(x)
	if err != nil {
		return err
	}
	eta := beyondGrid[best]
	p, err := x.beyondRun(beyondConfig{Opt: "prodigy", LR: 1, Cosine: true, Epochs: x.beyondEpochs()})
	if err != nil {
		return err
	}
	if len(p.d) == 0 {
		return fmt.Errorf("theory: %s: the Prodigy run took no step", x.ID())
	}
	third := p.d[(len(p.d)-1)/3]
	final := p.d[len(p.d)-1]
	c := within(fmt.Sprintf("log10 of Prodigy's final d over the tuned peak rate η* in [log10 %g, log10 %g]", lo, hi),
		math.Log10(final/eta), math.Log10(lo), math.Log10(hi))
	c.Where = fmt.Sprintf("d = %.3g, η* = %.3g", final, eta)
	x.Check(c)
	t := atLeast(fmt.Sprintf("log10 of d a third of the way into the run over η* ≥ log10 %g", lo), math.Log10(third/eta), math.Log10(lo))
	t.Where = fmt.Sprintf("d = %.3g after step %d of %d", third, (len(p.d)-1)/3+1, len(p.d))
	x.Check(t)
	x.Check(gridInside(best))
	x.Check(isTrue("the Prodigy run did not diverge", !p.diverged, ""))
	var vals []float64
	for _, r := range grid {
		vals = append(vals, 100*r.valAcc)
	}
	reach := -1
	for i, d := range p.d {
		if d >= lo*eta {
			reach = i + 1
			break
		}
	}
	x.Notef("%s Validation accuracy of the baseline over the grid: %s %%; tuned peak rate η* = %.3g (test accuracy %.2f %%).",
		x.beyondSetup(), fmtList(vals), eta, 100*grid[best].testAcc)
	x.Notef("Prodigy (γ = 1 under the same cosine schedule, the reference's defaults): d = %.3g a third of the way in, %.3g at the end "+
		"(%.3g × η*); d first reached %g × η* at step %d of %d. Its test accuracy %.2f %%, against %.2f %% for the tuned baseline on "+
		"the same draw.", third, final, final/eta, lo, reach, len(p.d), 100*p.testAcc, 100*grid[best].testAcc)
	steps := seq(1, len(p.d)+1)
	fig := newPlot("Prodigy's estimate d along the run", "step", "d").logX().logY().
		observed("Prodigy's d", steps, p.d).
		reference(fmt.Sprintf("tuned peak rate of cosine AdamW, %.3g", eta), steps, constant(len(steps), eta)).
		bound(fmt.Sprintf("%g × the tuned rate", lo), steps, constant(len(steps), lo*eta)).
		bound(fmt.Sprintf("%g × the tuned rate", hi), steps, constant(len(steps), hi*eta))
	x.figure(fig, "The estimate grows from 1e-6 and levels off; the dashed lines bound the range it must end in.")
	return nil
}

// lionSign: every coordinate of Lion's update before weight decay has magnitude k·γ, to
// the rounding of the step's one addition (k = 1 in the catalogue).
func lionSign(k float64) Claim {
	return Claim{
		ID: "lion-sign", MNIST: true, Section: sectionBeyond, Kind: Theorem,
		Source: notInLecture + "Chen, Liang, Huang, Real, Wang, Pham, Dong, Luong, Hsieh, Lu and Le, “Symbolic Discovery of Optimization " +
			"Algorithms” (NeurIPS 2023), the abstract and section 2, in our words: unlike adaptive methods, Lion's update, computed by the sign " +
			"operation, has the same magnitude for every parameter. The method is optim.Lion (registry name lion).",
		Statement: "Every coordinate of Lion's update θ ← θ(1 − γλ) − γ·sign(β₁m + (1 − β₁)g) has the same size γ, whatever the scale of " +
			"its gradient: the decoupled weight decay aside, each coordinate moves by exactly the learning rate (or not at all, where the " +
			"interpolated momentum is exactly 0, sign 0).",
		Criterion: fmt.Sprintf("MNIST MLP, every coordinate at every step of a training run with Lion: |update before weight decay| = %sγ "+
			"to half a unit of roundoff of the new value, or 0 where the gradient is 0", coef(k)),
		Protocol: fmt.Sprintf("The MLP of the MLP claims (784-128-10 on 50000 MNIST training images drawn from the seed, batch 64, one "+
			"epoch, 781 steps; 784-64-10 on 2000 images for 2 epochs, 62 steps, at the reduced size) trained through package train by "+
			"Lion at γ = 3e-4 with weight decay λ = 0.1 (the paper's advice: a rate 3 to 10 times below AdamW's 1e-3, a decay 3 to 10 "+
			"times above), betas (0.9, 0.99). Before each step the parameters θ are copied; after it, for every coordinate, the update "+
			"before weight decay is Δ = θ' − fl(θ·fl(1 − γλ)) (the float32 decay the step applies, then one float32 addition of ∓γ), "+
			"computed exactly in float64. Pass: for every coordinate of every step that moved, | |Δ| − %sγ | ≤ ½ ulp(θ') (the "+
			"rounding of that one addition; fl(γ) is the float32 γ), checked as the largest ratio of the two ≤ 1; and no coordinate "+
			"whose gradient was non-zero at that step stayed unmoved (a zero update is sign 0: the interpolated momentum exactly 0, "+
			"which needs a zero gradient but for an exact float32 cancellation). The parameters are float32: the check is exact "+
			"up to that single rounding, below 2e-4 of γ for weights below 1 in size.", coef(k)),
		History: "Catalogued on 2026-12-06 with its criterion, before its first run (commit 9bb2b76). First runs: at full size PASS at " +
			"seeds 1, 2 and 3, each checking 79 482 370 coordinate updates (781 steps of 101 770 weights); at the reduced size PASS at " +
			"seeds 1 to 10, 3 155 180 updates each (62 steps of 50 890 weights). Every coordinate moved at every step (no sign 0 was " +
			"met, so the second check had no case); the largest ratio was exactly 1 on every run, a tie of round-to-nearest, where the " +
			"bound is attained.",
		Run: func(x *Experiment) error { return runLionSign(x, k) },
	}
}

// Lion's settings of lion-sign.
const (
	lionLR          = 3e-4
	lionWeightDecay = 0.1
)

func runLionSign(x *Experiment, k float64) error {
	s := x.mlp()
	set, err := x.Data.mlpData(x.Ctx, x.Seed, s)
	if err != nil {
		return err
	}
	epochs := size(x, 1, 2)
	cfg := train.Config{Model: "mlp", ModelConfig: model.Config{Hidden: []int{s.hidden}}, Epochs: epochs, BatchSize: mlpBatch,
		DropLast: true, Seed: mlpSeed(x.Seed, 0), MaxLoss: -1, Optimizer: "lion",
		Options: optim.Options{"lr": strconv.FormatFloat(lionLR, 'g', -1, 64), "weight_decay": strconv.FormatFloat(lionWeightDecay, 'g', -1, 64)}}
	run, err := train.New("lion", cfg, train.Data{Train: set.train})
	if err != nil {
		return err
	}
	defer run.Close()
	params := nn.Params(run.Model())
	prev := make([][]float32, len(params))
	for i, p := range params {
		prev[i] = append([]float32(nil), p.Value...)
	}
	// The coefficients as the optimiser computes them (optim's Lion: float32(1 − γλ) and
	// float32(−γ)).
	decay := float32(1 - lionLR*lionWeightDecay)
	gamma := float64(float32(lionLR))
	want := k * gamma
	// The worst coordinate over the run and where it was.
	worstAll, worstAt, seen := math.NaN(), "no coordinate moved", false
	var worstStep, movedFrac, losses []float64
	moved, still, stuck, total := 0, 0, 0, 0
	stuckAt := ""
	onStep := func(st train.Step) {
		worst, m := 0.0, 0
		n := 0
		for i, p := range params {
			for j, v := range p.Value {
				n++
				d := float32(prev[i][j] * decay)
				delta := float64(v) - float64(d)
				if delta == 0 {
					still++
					if p.Grad[j] != 0 {
						if stuck == 0 {
							stuckAt = fmt.Sprintf("step %d, %s[%d], gradient %g", st.Step, p.Name, j, p.Grad[j])
						}
						stuck++
					}
					continue
				}
				m++
				a := float32(math.Abs(float64(v)))
				half := float64(math.Nextafter32(a, float32(math.Inf(1)))-a) / 2
				r := math.Abs(math.Abs(delta)-want) / half
				if r > worst || math.IsNaN(r) {
					worst = r
				}
				if !seen || r > worstAll || math.IsNaN(r) && !math.IsNaN(worstAll) {
					seen = true
					worstAll, worstAt = r, fmt.Sprintf("step %d, %s[%d]: θ = %g, Δ = %g, γ = %g", st.Step, p.Name, j, prev[i][j], delta, gamma)
				}
			}
			copy(prev[i], p.Value)
		}
		moved += m
		total += n
		worstStep = append(worstStep, worst)
		movedFrac = append(movedFrac, float64(m)/float64(n))
		losses = append(losses, st.Loss)
	}
	if _, err := run.Train(x.Ctx, train.Output{OnStep: onStep}); err != nil {
		return err
	}
	if len(losses) == 0 {
		return fmt.Errorf("theory: %s: the Lion run took no step", x.ID())
	}
	c := atMost(fmt.Sprintf("largest | |Δ| − %sγ | / (½ ulp of the new value) over every coordinate that moved, at every step", coef(k)),
		worstAll, 1)
	c.Where = worstAt
	x.Check(c)
	st := atMost("coordinates left unmoved although their gradient was non-zero", float64(stuck), 0)
	st.Where = stuckAt
	x.Check(st)
	first, last := mean(losses[:min(10, len(losses))]), mean(losses[max(0, len(losses)-10):])
	x.Notef("%s Lion at γ = %g (float32 %.9g), λ = %g, betas (0.9, 0.99), %d epoch(s), %d steps: %d coordinate updates checked, %d "+
		"moved, %d did not (%d of them with a non-zero gradient). Largest | |Δ| − γ | over half an ulp of the new value: %.3g. The "+
		"training loss went from %.3g (mean of the first 10 batches) to %.3g (the last 10).", x.beyondNet(), lionLR, gamma, lionWeightDecay,
		epochs, len(losses), total, moved, still, stuck, slicesMax(worstStep), first, last)
	steps := seq(1, len(worstStep)+1)
	p := newPlot("Lion: the size of each coordinate's update, worst coordinate of each step", "step", "| |update| - lr | / half ulp").
		observed("worst coordinate of the step", steps, worstStep).
		bound("1 (the rounding of the step's addition)", steps, constant(len(steps), 1))
	x.figure(p, "Every coordinate moves by the learning rate, up to the rounding of the one float32 addition that applies it.")
	p = newPlot("Lion: fraction of the coordinates that moved at each step", "step", "fraction").
		observed("moved by the learning rate", steps, movedFrac)
	x.figure(p, "The coordinates that do not move are those of sign 0: zero gradient and zero momentum (dead units, unused inputs).")
	return nil
}

// slicesMax returns the largest value of v (NaN if one is NaN), −Inf if v is empty.
func slicesMax(v []float64) float64 {
	m := math.Inf(-1)
	for _, y := range v {
		if y > m || math.IsNaN(y) {
			m = y
		}
	}
	return m
}
