package train

import (
	"context"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/descent-ml/descent/report"
	"github.com/descent-ml/descent/report/results"
)

// TestRangeTest runs the range test on the tiny problem: the rates rise geometrically
// from MinLR to MaxLR, the smoothed loss is report.EMA's of the raw losses, the test
// stops at the first smoothed loss above 4 times the lowest (which a rate of 10 with
// Adam reaches), the steepest point comes before the lowest, and the run is used up.
func TestRangeTest(t *testing.T) {
	cfg := tinyConfig()
	cfg.Epochs = 1
	r, err := New("run", cfg, tiny())
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	// 16 batches an epoch: 16 steps (Steps 0 or larger means one epoch).
	res, err := r.RangeTest(context.Background(), RangeTest{MinLR: 1e-4, MaxLR: 1e4, Steps: 100})
	if err != nil {
		t.Fatal(err)
	}
	pts := res.Points
	if len(pts) < 3 || len(pts) > 16 {
		t.Fatalf("%d points, want 3 to 16 (one epoch at most)", len(pts))
	}
	ratio := math.Pow(1e8, 1.0/15)
	raw := make([]float64, len(pts))
	for i, p := range pts {
		if want := 1e-4 * math.Pow(ratio, float64(i)); math.Abs(p.LR-want) > 1e-12*want {
			t.Errorf("point %d: rate %v, want %v", i, p.LR, want)
		}
		raw[i] = p.Loss
	}
	smooth := make([]float64, len(raw))
	report.EMA{Weight: 0.98}.Smooth(smooth, raw)
	lowest := math.Inf(1)
	for i, p := range pts {
		if math.Abs(p.Smoothed-smooth[i]) > 1e-12*smooth[i] {
			t.Errorf("point %d: smoothed %v, report.EMA gives %v", i, p.Smoothed, smooth[i])
		}
		if i < len(pts)-1 && p.Smoothed > 4*lowest {
			t.Errorf("point %d: smoothed %v > 4 × %v, and the test went on", i, p.Smoothed, lowest)
		}
		lowest = min(lowest, p.Smoothed)
	}
	if lowest != pts[res.Best].Smoothed {
		t.Errorf("Best %d has smoothed loss %v, the lowest is %v", res.Best, pts[res.Best].Smoothed, lowest)
	}
	if res.Stopped == "" {
		t.Errorf("the test reached rate %v without stopping: %+v", pts[len(pts)-1].LR, pts)
	}
	if res.Best >= 2 && !(res.Steepest >= 1 && res.Steepest < res.Best) {
		t.Errorf("steepest point %d, lowest %d", res.Steepest, res.Best)
	}
	if got := res.MinimumOver10(); got != pts[res.Best].LR/10 || res.Suggested() != got {
		t.Errorf("MinimumOver10 = %v, Suggested = %v, want both %v", got, res.Suggested(), pts[res.Best].LR/10)
	}
	if res.Steepest >= 0 && res.SteepestLR() != pts[res.Steepest].LR {
		t.Errorf("SteepestLR %v, the rate of point %d is %v", res.SteepestLR(), res.Steepest, pts[res.Steepest].LR)
	}
	if _, err := r.Train(context.Background(), Output{}); err == nil || !strings.Contains(err.Error(), "already ended") {
		t.Errorf("Train after a range test: %v, want a refusal", err)
	}
	if _, err := r.RangeTest(context.Background(), RangeTest{}); err == nil {
		t.Error("a second range test on the same run was accepted")
	}
}

// TestRangeTestSuggestsWorkingRate checks the test's purpose on the tiny problem: plain
// SGD at the suggested rate (the minimum ÷ 10) ends an epoch with a lower loss than at a
// rate 100 times smaller and than at the rate of the minimum × 10.
func TestRangeTestSuggestsWorkingRate(t *testing.T) {
	cfg := tinyConfig()
	cfg.Optimizer, cfg.Epochs = "sgd", 1
	r, err := New("run", cfg, tiny())
	if err != nil {
		t.Fatal(err)
	}
	res, err := r.RangeTest(context.Background(), RangeTest{})
	r.Close()
	if err != nil {
		t.Fatal(err)
	}
	lossAt := func(rate float64) float64 {
		c := cfg
		c.Options = map[string]string{"lr": strconv.FormatFloat(rate, 'g', -1, 64)}
		res, _, _ := train(t, c, tiny())
		if res.Status != results.StatusDone || math.IsNaN(res.Last.TrainLoss) {
			return math.Inf(1)
		}
		return res.Last.TrainLoss
	}
	s := res.MinimumOver10()
	at, small, large := lossAt(s), lossAt(s/100), lossAt(s*100)
	t.Logf("suggested %.3g: loss %.4g; ÷100: %.4g; ×100: %.4g", s, at, small, large)
	if !(at < small) || !(at < large) {
		t.Errorf("suggested rate %.3g: loss %.4g, not below ÷100's %.4g and ×100's %.4g", s, at, small, large)
	}
}

// TestSteepestLag smooths losses that fall as logistic curves, fastest at step 200, as
// the range test smooths them: the smoothed loss falls fastest more than 15 steps later
// (its lag), and steepest, which averages it once more backwards, finds step 200 ± 3.
func TestSteepestLag(t *testing.T) {
	const beta, n, mid = 0.98, 500, 200
	for _, width := range []float64{8, 15, 40} {
		raw := make([]float64, n)
		for k := range raw {
			raw[k] = 0.3 + 2/(1+math.Exp(float64(k-mid)/width))
		}
		smooth := make([]float64, n)
		report.EMA{Weight: beta}.Smooth(smooth, raw)
		pts := make([]RangePoint, n)
		lagged, slope := -1, math.Inf(1)
		for k := range pts {
			pts[k] = RangePoint{LR: 1e-7 * math.Pow(10, float64(k)/60), Loss: raw[k], Smoothed: smooth[k]}
			if k >= 2 && smooth[k]-smooth[k-2] < slope {
				lagged, slope = k-1, smooth[k]-smooth[k-2]
			}
		}
		got := steepest(pts, n-1, beta)
		t.Logf("width %v: the smoothed loss falls fastest at step %d; steepest finds %d", width, lagged, got)
		if lagged < mid+15 {
			t.Errorf("width %v: the smoothed loss falls fastest at step %d, want a lag of more than 15 steps after %d", width, lagged, mid)
		}
		if got < mid-3 || got > mid+3 {
			t.Errorf("width %v: steepest step %d, want %d ± 3", width, got, mid)
		}
	}
	if got := steepest(make([]RangePoint, 5), 1, beta); got != -1 {
		t.Errorf("steepest with 2 points before the best: %d, want -1", got)
	}
}
