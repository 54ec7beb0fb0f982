package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"path/filepath"

	"github.com/descent-ml/descent/internal/atomicfile"
	"github.com/descent-ml/descent/report"
	"github.com/descent-ml/descent/train"
)

const lrfindDescription = `The learning-rate range test (Smith 2017; fastai's lr_find): from the model's initial
weights, one optimiser step per batch with the learning rate raised exponentially from
--min-lr towards --max-lr over at most one epoch, the training loss smoothed by an
exponential moving average (--smoothing 0.98), stopped when the smoothed loss exceeds
--stop (4) times its lowest value. Prints the loss against the rate and the suggested
rate; the run folder gets lrfind.png and lrfind.svg (the plot) and lrfind.csv.

  descent lrfind --model mlp --optimizer adam

The suggested rate is the rate of the lowest smoothed loss divided by 10 (fastai's
lr_min): the lowest point marks where more rate stops helping, and a constant rate keeps
an order of magnitude below it. "descent compare --lr find" and "descent sweep
--lr-center find" use this rate. On MNIST it came within a factor 3 of the best rate of a
one-epoch sweep for Adam (mlp, cnn) but 3 to 7 times below it for plain SGD (logreg, mlp),
whose best rate lies nearer the minimum. The rate where the loss falls fastest is printed too, as
a lower bound (Smith's base rate of a cyclical schedule), read on the smoothed loss
averaged once more backwards: the moving average lags the raw loss by about β/(1-β) = 49
steps, the backward one leads it as much. With fewer --steps each step spans more rates.`

func runLRFind(ctx context.Context, args []string, stdout, stderr io.Writer) (err error) {
	fs := newFlagSet("lrfind", "[flags]", lrfindDescription, stderr)
	var rf runFlags
	rf.register(fs, "mlp", 1)
	optimizer := fs.String("optimizer", "adam", "optimiser: "+registryNames())
	var rt train.RangeTest
	fs.Float64Var(&rt.MinLR, "min-lr", 1e-7, "rate of the first step")
	fs.Float64Var(&rt.MaxLR, "max-lr", 10, "rate of the last step")
	fs.IntVar(&rt.Steps, "steps", 0, "steps from --min-lr to --max-lr (default: one epoch's batches, at most)")
	fs.Float64Var(&rt.Smoothing, "smoothing", 0.98, "weight of the past in the moving average of the loss")
	fs.Float64Var(&rt.StopFactor, "stop", 4, "stop when the smoothed loss exceeds this factor times its lowest value")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	cfg, err := rf.config(fs)
	if err != nil {
		return err
	}
	cfg.Optimizer = *optimizer
	for _, name := range []string{"epochs", "schedule", "test", "test-size", "log-every", "eval-batch"} {
		if rf.set[name] {
			return usageError(fs, "--%s: a range test trains at most one epoch, at its own rates, and evaluates nothing", name)
		}
	}
	switch {
	case !(rt.MinLR > 0) || !(rt.MaxLR > rt.MinLR) || math.IsInf(rt.MaxLR, 0):
		return usageError(fs, "--min-lr %g, --max-lr %g: want 0 < min < max", rt.MinLR, rt.MaxLR)
	case rt.Steps < 0 || rt.Steps == 1:
		return usageError(fs, "--steps %d: want at least 2 (or 0, an epoch)", rt.Steps)
	case !(rt.Smoothing > 0 && rt.Smoothing < 1):
		return usageError(fs, "--smoothing %g: want it in (0, 1)", rt.Smoothing)
	case !(rt.StopFactor > 1) || math.IsInf(rt.StopFactor, 0):
		return usageError(fs, "--stop %g: want a factor above 1", rt.StopFactor)
	}
	cfg.Epochs = 1
	defer setThreads(rf.threads)()
	d, err := rf.loadData(ctx, &cfg, stderr)
	if err != nil {
		return err
	}
	r, err := train.New("lrfind", cfg, train.Data{Train: d.train, TargetScale: d.targets})
	if err != nil {
		return err
	}
	defer r.Close()
	rd, err := rf.runFolder("lrfind")
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, rd.close()) }()
	res, err := r.RangeTest(ctx, rt)
	if len(res.Points) > 0 {
		if werr := writeRangeTest(rd.path, *optimizer, rt.Smoothing, res); werr != nil && err == nil {
			err = werr
		}
		printRangeTest(stdout, *optimizer, cfg, res, rd.path, rf.json)
	}
	return err
}

// printRangeTest prints the outcome of a range test: with asJSON one line, else the loss
// at every half decade of the rate and the suggestions.
func printRangeTest(w io.Writer, name string, cfg train.Config, res train.RangeResult, dir string, asJSON bool) {
	pts := res.Points
	best := pts[res.Best]
	if asJSON {
		line := map[string]any{"optimizer": name, "model": cfg.Model, "steps": len(pts), "seconds": res.Seconds,
			"min_lr": pts[0].LR, "last_lr": pts[len(pts)-1].LR, "best_lr": best.LR, "best_smoothed_loss": best.Smoothed,
			"suggested_lr": res.Suggested(), "suggested_minimum_over_10": res.MinimumOver10(), "stopped": res.Stopped}
		if s := res.SteepestLR(); !math.IsNaN(s) {
			line["steepest_lr"] = s
		}
		b, _ := json.Marshal(line)
		fmt.Fprintln(w, string(b))
		return
	}
	end := "reached the last rate"
	if res.Stopped != "" {
		end = "stopped " + res.Stopped
	}
	fmt.Fprintf(w, "LR range test of %s on %s: %d steps from %.3g to %.3g in %.1f s; %s\n\n",
		name, cfg.Model, len(pts), pts[0].LR, pts[len(pts)-1].LR, res.Seconds, end)
	fmt.Fprintf(w, "%10s  %10s  %10s\n", "lr", "loss", "smoothed")
	half := math.Inf(-1)
	for i, p := range pts {
		h := math.Floor(2 * math.Log10(p.LR))
		mark := ""
		switch i {
		case res.Best:
			mark = "  lowest smoothed loss"
		case res.Steepest:
			mark = "  the loss falls fastest"
		}
		if h > half || mark != "" || i == len(pts)-1 {
			half = h
			fmt.Fprintf(w, "%10.3g  %10.4g  %10.4g%s\n", p.LR, p.Loss, p.Smoothed, mark)
		}
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "suggested rate: %.3g (the minimum of the smoothed loss, at %.3g, ÷ 10)\n", res.Suggested(), best.LR)
	if s := res.SteepestLR(); !math.IsNaN(s) {
		fmt.Fprintf(w, "the loss falls fastest at %.3g: a lower bound, where training starts\n", s)
	} else {
		fmt.Fprintln(w, "the loss fell over too few steps for a steepest point")
	}
	fmt.Fprintf(w, "plot: %s\n", filepath.Join(dir, "lrfind.png"))
}

// writeRangeTest writes the plot of a range test (lrfind.png, lrfind.svg) and its points
// (lrfind.csv) in dir.
func writeRangeTest(dir, name string, beta float64, res train.RangeResult) error {
	pts := res.Points
	run := report.Run{X: make([]float64, len(pts)), Y: make([]float64, len(pts))}
	lo, hi := math.Inf(1), math.Inf(-1)
	csv := []byte("lr,loss,smoothed_loss\n")
	for i, p := range pts {
		run.X[i], run.Y[i] = p.LR, p.Loss
		lo, hi = min(lo, p.Smoothed), max(hi, p.Smoothed)
		csv = fmt.Appendf(csv, "%g,%g,%g\n", p.LR, p.Loss, p.Smoothed)
	}
	if err := atomicfile.WriteFile(filepath.Join(dir, "lrfind.csv"), csv); err != nil {
		return err
	}
	mark := func(x float64) report.Run { return report.Run{X: []float64{x, x * (1 + 1e-9)}, Y: []float64{lo, hi}} }
	series := []report.Series{{Label: name + " training loss (raw, and smoothed β = " + report.FormatValue(beta, 3) + ")", Runs: []report.Run{run}}}
	if s := res.SteepestLR(); !math.IsNaN(s) {
		series = append(series, report.Series{Label: "steepest descent " + report.FormatValue(s, 3), Role: report.Reference, Runs: []report.Run{mark(s)}})
	}
	series = append(series, report.Series{Label: "suggested: minimum ÷ 10 = " + report.FormatValue(res.Suggested(), 3), Role: report.Bound,
		Runs: []report.Run{mark(res.Suggested())}})
	lp := &report.LinePlot{Title: "LR range test", XLabel: "learning rate", YLabel: "training loss", LogX: true, LogY: true,
		Smooth: report.EMA{Weight: beta}, Series: series}
	return report.Save(filepath.Join(dir, "lrfind"), lp)
}

// findRates runs the range test, with its defaults, for each optimiser of names on cfg's
// model and seed over d's training examples, and returns the suggested rates
// (RangeResult.Suggested) by name; it tells each on stderr.
func findRates(ctx context.Context, cfg train.Config, d train.Data, names []string, stderr io.Writer) (train.Rates, error) {
	rates := train.Rates{ByName: map[string]float64{}}
	for _, n := range names {
		c := cfg
		c.Optimizer = n
		res, err := train.FindLR(ctx, c, d, train.RangeTest{})
		if err != nil {
			return train.Rates{}, fmt.Errorf("lrfind for %s: %w", n, err)
		}
		rates.ByName[n] = res.Suggested()
		fmt.Fprintf(stderr, "lrfind: %s: %.3g (the minimum of the smoothed loss, at %.3g, ÷ 10; %d steps, %.1f s)\n",
			n, res.Suggested(), res.Points[res.Best].LR, len(res.Points), res.Seconds)
	}
	return rates, nil
}

// lrFindNote is what a report says of rates found by the range test.
const lrFindNote = "each the suggestion of an LR range test (descent lrfind) from the same initial weights on the training batches: the rate of the lowest smoothed loss ÷ 10"
