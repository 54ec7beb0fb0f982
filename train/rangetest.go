package train

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/descent-ml/descent/report/results"
)

// RangeTest configures the learning-rate range test (Smith, "Cyclical Learning Rates for
// Training Neural Networks", WACV 2017, §3.3; the form of fastai's lr_find): from the
// run's initial weights, one step per batch with the rate of every group raised
// exponentially from MinLR towards MaxLR, the training loss smoothed by an exponential
// moving average, stopped when the smoothed loss exceeds StopFactor times its lowest
// value. The zero value is the usual test.
type RangeTest struct {
	// MinLR and MaxLR are the rates of the first and of the last step. If MinLR is 0, it is
	// 1e-7; if MaxLR is 0, it is 10.
	MinLR, MaxLR float64
	// Steps is the number of steps from MinLR to MaxLR, at most one epoch's batches. If
	// Steps is 0 or more than an epoch's batches, it is an epoch's batches.
	Steps int
	// Smoothing is the weight β of the past in the moving average of the loss,
	// s_i = β s_{i-1} + (1-β) loss_i, bias-corrected as s_i / (1-β^i) ([report.EMA]'s
	// formula). If Smoothing is 0, it is 0.98.
	Smoothing float64
	// StopFactor ends the test when the smoothed loss exceeds StopFactor times the lowest
	// smoothed loss so far. If StopFactor is 0, it is 4.
	StopFactor float64
}

// A RangePoint is one step of a range test: its rate, its batch's loss, the smoothed loss.
type RangePoint struct {
	LR, Loss, Smoothed float64
}

// RangeResult is the outcome of a range test.
//
// Its suggested rate, [RangeResult.Suggested], is the rate of the lowest smoothed loss
// divided by 10 (fastai's lr_min): the lowest smoothed loss marks where the loss stops
// falling as the rate grows — the largest rate that still trains, Smith's upper bound of a
// cyclical schedule — and a constant rate keeps an order of magnitude below it. The
// minimum needs no correction for the moving average's lag: the smoothed loss s turns up
// at the first step whose raw loss exceeds s, which on a loss that blows up is within a few
// steps of the blow-up. The steepest descent ([RangeResult.SteepestLR]) is kept as a
// second reading: it marks where the loss starts to fall (Smith's lower bound), below the
// best constant rate of an epoch wherever the loss falls over a decade or more of rates.
// On MNIST, against the best rate of a one-epoch sweep, the suggestion came within a factor
// 3 for Adam (mlp 1.2× below, cnn 2.6× above) and 3 to 7 times below for plain SGD
// (logreg, mlp), whose best rate lies nearer the minimum.
type RangeResult struct {
	Points []RangePoint
	// Best is the index of the point of lowest smoothed loss.
	Best int
	// Steepest is the index of the point before Best where the loss falls fastest against
	// log(lr), or -1 when fewer than three points reach Best. The smoothed loss lags the
	// raw one (its slope is the moving average of the raw slopes, centred about β/(1-β)
	// steps back), so the steepest point is read on the smoothed loss averaged once more
	// backwards, which cancels the lag (see steepest).
	Steepest int
	// Stopped says why the test ended before MaxLR, or is "" if it reached it.
	Stopped string
	// Seconds is the time of the test.
	Seconds float64
}

// Suggested returns the suggested rate of the test: [RangeResult.MinimumOver10] (see
// [RangeResult] for why this reading). It is the rate that "descent compare --lr find" and
// "descent sweep --lr-center find" use.
func (r RangeResult) Suggested() float64 { return r.MinimumOver10() }

// MinimumOver10 returns the rate of the lowest smoothed loss divided by 10, the usual
// reading of the test: a rate an order of magnitude below where the loss stops falling.
func (r RangeResult) MinimumOver10() float64 { return r.Points[r.Best].LR / 10 }

// SteepestLR returns the rate of the point Steepest, where the loss falls fastest, or NaN
// if the test has no such point.
func (r RangeResult) SteepestLR() float64 {
	if r.Steepest < 0 {
		return math.NaN()
	}
	return r.Points[r.Steepest].LR
}

// RangeTest runs the learning-rate range test rt on the run, which must not have taken a
// step, and returns its points. It uses the run up: its weights are those after the
// test's last step, and Train refuses it afterwards. A step whose loss is not finite, or
// above Config.MaxLoss (100 times the first loss by default), or that the optimiser
// refuses, ends the test without a point. Cancelling ctx stops it after the batch it is
// on, with the points so far and ctx's error.
func (r *Run) RangeTest(ctx context.Context, rt RangeTest) (RangeResult, error) {
	if r.pos.Step != 0 || r.pos.Status != "" {
		return RangeResult{}, errors.New("train: a range test needs a run that has not started")
	}
	lo, hi, beta, stop := rt.MinLR, rt.MaxLR, rt.Smoothing, rt.StopFactor
	if lo == 0 {
		lo = 1e-7
	}
	if hi == 0 {
		hi = 10
	}
	if beta == 0 {
		beta = 0.98
	}
	if stop == 0 {
		stop = 4
	}
	switch {
	case !(lo > 0) || !(hi > lo) || math.IsInf(hi, 0):
		return RangeResult{}, fmt.Errorf("train: range test from rate %v to %v: want 0 < MinLR < MaxLR, finite", lo, hi)
	case !(beta > 0 && beta < 1):
		return RangeResult{}, fmt.Errorf("train: range test smoothing %v: want it in (0, 1)", beta)
	case !(stop > 1) || math.IsInf(stop, 0):
		return RangeResult{}, fmt.Errorf("train: range test stop factor %v: want a finite factor above 1", stop)
	case rt.Steps < 0:
		return RangeResult{}, fmt.Errorf("train: range test of %d steps", rt.Steps)
	}
	n := r.loader.BatchesPerEpoch()
	if rt.Steps > 0 && rt.Steps < n {
		n = rt.Steps
	}
	if n < 2 {
		return RangeResult{}, fmt.Errorf("train: a range test needs at least 2 steps, the epoch has %d batches", n)
	}
	r.pos.Status, r.pos.Note = results.StatusDone, "used by a range test"
	res := RangeResult{Points: make([]RangePoint, 0, n), Steepest: -1}
	start := time.Now()
	logRatio := math.Log(hi/lo) / float64(n-1)
	avg, weight, best := 0.0, 1.0, math.Inf(1)
	for i := range n {
		if err := ctx.Err(); err != nil {
			res.Stopped = "interrupted"
			res.Seconds = time.Since(start).Seconds()
			return res, err
		}
		if !r.loader.Next() {
			break
		}
		rate := lo * math.Exp(float64(i)*logRatio)
		if i == n-1 {
			rate = hi
		}
		for g := range r.opt.NumGroups() {
			r.opt.SetLR(g, rate)
		}
		loss, err := r.step(r.loader.Batch())
		if err != nil {
			res.Stopped = fmt.Sprintf("at rate %.3g: %v", rate, err)
			break
		}
		r.pos.Step++
		avg = beta*avg + (1-beta)*loss
		weight *= beta
		s := avg / (1 - weight)
		res.Points = append(res.Points, RangePoint{LR: rate, Loss: loss, Smoothed: s})
		if s < best {
			best, res.Best = s, len(res.Points)-1
		}
		if s > stop*best {
			res.Stopped = fmt.Sprintf("at rate %.3g: smoothed loss %.4g > %g × the lowest, %.4g", rate, s, stop, best)
			break
		}
	}
	res.Seconds = time.Since(start).Seconds()
	if len(res.Points) == 0 {
		return res, fmt.Errorf("train: the range test took no step: %s", res.Stopped)
	}
	res.Steepest = steepest(res.Points, res.Best, beta)
	return res, nil
}

// steepest returns the index of the point before best where the loss falls fastest
// against log(lr): the steepest point, by central differences, of the smoothed loss
// averaged again backwards, from best towards the first point, with the same weights β
// (bias-corrected from best). The forward average lags the raw loss; the backward one
// leads it by as much, so the two together are a symmetric smoothing with no lag, whose
// steepest point is the raw loss's for a descent of any shape. It is -1 if fewer than
// three points reach best.
func steepest(pts []RangePoint, best int, beta float64) int {
	if best < 2 {
		return -1
	}
	z := make([]float64, best+1)
	avg, weight := 0.0, 1.0
	for i := best; i >= 0; i-- {
		avg = beta*avg + (1-beta)*pts[i].Smoothed
		weight *= beta
		z[i] = avg / (1 - weight)
	}
	at, slope := -1, math.Inf(1)
	for i := 1; i < best; i++ {
		if d := z[i+1] - z[i-1]; d < slope {
			slope, at = d, i
		}
	}
	return at
}

// FindLR runs the range test rt on a run of cfg made for it over d's training examples
// alone (d.Eval is not used), closed after, and returns its result: a run of cfg then
// starts from the same initial weights and sees the same first batches as the test did.
func FindLR(ctx context.Context, cfg Config, d Data, rt RangeTest) (RangeResult, error) {
	r, err := New("lrfind", cfg, Data{Train: d.Train, TargetScale: d.TargetScale})
	if err != nil {
		return RangeResult{}, err
	}
	defer r.Close()
	return r.RangeTest(ctx, rt)
}
