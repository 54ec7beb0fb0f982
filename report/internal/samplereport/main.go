// Command samplereport builds a full sample report from synthetic data, the way descent
// compare, sweep and theory build theirs: it writes results.jsonl as a training loop would
// (one optimiser diverges), reads it back, and writes summary.csv, the plots in PNG and
// SVG, and report.html.
//
//	go run ./report/internal/samplereport -out /tmp/sample
package main

import (
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"

	"github.com/descent-ml/descent/report"
	"github.com/descent-ml/descent/report/results"
)

func main() {
	fs := flag.NewFlagSet("samplereport", flag.ExitOnError)
	out := fs.String("out", "sample-report", "write the report to `DIR`")
	seed := fs.Uint64("seed", 1, "seed of the synthetic data")
	fs.Parse(os.Args[1:])
	if err := build(*out, *seed, fs); err != nil {
		fmt.Fprintln(os.Stderr, "samplereport:", err)
		os.Exit(1)
	}
	fmt.Println(filepath.Join(*out, "report.html"))
}

// The synthetic job: optimisers with a convergence rate and a final loss each.
var optimizers = []struct {
	name        string
	lr, rate    float64
	floor, acc  float64
	divergeSeed int // the seed on which it diverges, 0 for none
}{
	{"sgd", 0.05, 0.6, 0.080, 0.975, 0},
	{"momentum", 0.05, 1.1, 0.050, 0.979, 0},
	{"nesterov", 0.05, 1.2, 0.048, 0.980, 0},
	{"adagrad", 0.01, 0.9, 0.065, 0.977, 0},
	{"rmsprop", 0.01, 1.6, 0.045, 0.978, 2},
	{"adam", 1e-3, 1.8, 0.035, 0.981, 0},
	{"amsgrad", 1e-3, 1.7, 0.036, 0.981, 0},
	{"adamw", 1e-3, 1.8, 0.034, 0.982, 0},
}

const (
	epochs        = 5
	stepsPerEpoch = 469
	logEvery      = 10
	seeds         = 3
)

// simulate writes the records of every run to w, as a training loop would.
func simulate(w *results.Writer, rng *rand.Rand) error {
	metrics := make([]results.Metric, 0, 4)
	for _, o := range optimizers {
		for s := 1; s <= seeds; s++ {
			speed := 1 + 0.1*rng.NormFloat64()
			secPerStep := 0.004 * (1 + 0.05*rng.Float64())
			seconds, loss := 0.0, 2.3
			status, note, last := results.StatusDone, "", 0
		run:
			for e := 1; e <= epochs; e++ {
				lr := o.lr * math.Pow(0.5, float64((e-1)/2)) // halved every two epochs
				sum := 0.0
				for i := 1; i <= stepsPerEpoch; i++ {
					step := (e-1)*stepsPerEpoch + i
					seconds += secPerStep
					t := float64(step) / stepsPerEpoch
					loss = o.floor + (2.3-o.floor)*math.Exp(-o.rate*speed*t*3)
					loss *= math.Exp(0.25 * rng.NormFloat64())
					if s == o.divergeSeed && step > 700 {
						loss *= math.Exp(float64(step-700) / 15)
					}
					sum += loss
					last = step
					if math.IsNaN(loss) || math.IsInf(loss, 0) || loss > 1e30 {
						loss = math.NaN()
					}
					if step%logEvery == 0 || math.IsNaN(loss) {
						metrics = append(metrics[:0], results.Metric{Name: results.TrainLoss, Value: loss}, results.Metric{Name: results.LR, Value: lr})
						if err := w.Write(results.Record{Run: o.name, Seed: s, Kind: results.KindStep, Step: step, Epoch: e, Seconds: seconds, Metrics: metrics}); err != nil {
							return err
						}
					}
					if math.IsNaN(loss) {
						status, note = results.StatusDiverged, "train_loss = NaN"
						break run
					}
				}
				acc := o.acc - 0.02*math.Exp(-float64(e)) + 0.0015*rng.NormFloat64()
				metrics = append(metrics[:0],
					results.Metric{Name: results.TrainLoss, Value: sum / stepsPerEpoch},
					results.Metric{Name: results.TestLoss, Value: 1.15 * (o.floor + 0.3*math.Exp(-float64(e))) * math.Exp(0.05*rng.NormFloat64())},
					results.Metric{Name: results.TestAccuracy, Value: acc})
				if err := w.Write(results.Record{Run: o.name, Seed: s, Kind: results.KindEpoch, Step: e * stepsPerEpoch, Epoch: e, Seconds: seconds, Metrics: metrics}); err != nil {
					return err
				}
			}
			if err := w.Write(results.Record{Run: o.name, Seed: s, Kind: results.KindEnd, Step: last, Epoch: epochs, Seconds: seconds, Status: status, Note: note}); err != nil {
				return err
			}
		}
	}
	return nil
}

// build writes the whole sample report to dir.
func build(dir string, seed uint64, fs *flag.FlagSet) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	path := filepath.Join(dir, "results.jsonl")
	w, err := results.Create(path)
	if err != nil {
		return err
	}
	if err := simulate(w, rng); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}

	// From here on, everything comes from the file, as when a report is rebuilt.
	recs, err := results.ReadFile(path)
	if err != nil {
		return err
	}
	runs := results.Runs(recs)
	sums := results.Summarize(runs, results.TestAccuracy, results.TrainLoss, results.TestLoss)
	csvf, err := os.Create(filepath.Join(dir, "summary.csv"))
	if err != nil {
		return err
	}
	if err := results.WriteSummaryCSV(csvf, sums); err != nil {
		csvf.Close()
		return err
	}
	if err := csvf.Close(); err != nil {
		return err
	}
	summary := report.SummaryTable("Optimisers after 5 epochs (mean ± standard deviation over 3 seeds)", sums)

	lossSteps := &report.LinePlot{Title: "Training loss", X: report.Steps, YLabel: "training loss (log scale)",
		LogY: true, Smooth: report.EMA{Weight: 0.8}, Series: report.SeriesOf(runs, results.KindStep, "step", results.TrainLoss)}
	lossTime := &report.LinePlot{Title: "Training loss against time", X: report.Seconds, YLabel: "training loss (log scale)",
		LogY: true, Smooth: report.EMA{Weight: 0.8}, Series: report.SeriesOf(runs, results.KindStep, "seconds", results.TrainLoss)}
	acc := &report.LinePlot{Title: "Test accuracy", X: report.Epochs, YLabel: "test accuracy",
		Band: report.BandMinMax, Series: report.SeriesOf(runs, results.KindEpoch, "epoch", results.TestAccuracy)}
	lrs := &report.LinePlot{Title: "Learning rate", X: report.Steps, YLabel: "learning rate (log scale)", LogY: true,
		Band: report.BandNone, Series: report.SeriesOf(runs, results.KindStep, "step", results.LR)}
	var bars []report.Bar
	for _, s := range sums {
		bars = append(bars, report.Bar{Label: s.Name, Value: s.Mean[0], Spread: s.Std[0], Diverged: s.Diverged == s.Seeds})
	}
	barChart := &report.BarChart{Title: "Final test accuracy", ValueLabel: "test accuracy", Bars: bars, Base: 0.95, Percent: true}

	page := &report.Page{
		Title: "descent compare — sample report (synthetic data)",
		Intro: "This page was built by `report/internal/samplereport` from synthetic training curves: " +
			"eight optimisers, three seeds each, five epochs; RMSprop diverges on seed 2. " +
			"Every figure is rebuilt from `results.jsonl`.",
	}
	page.Add("Summary", summary, report.Figure{Chart: barChart, Name: "test-accuracy-bars",
		Caption: "Final test accuracy, mean and standard deviation over seeds; bars start at 95%."})
	page.Add("Training",
		report.Figure{Chart: lossSteps, Name: "loss-vs-step", Caption: "Training loss against optimiser steps, log scale, " +
			"exponentially smoothed (weight 0.8); the band is the mean ± one standard deviation over seeds. " +
			"A cross marks where a run diverged."},
		report.Figure{Chart: lossTime, Name: "loss-vs-time", Caption: "The same against wall-clock seconds of training."},
		report.Figure{Chart: acc, Name: "accuracy-vs-epoch", Caption: "Test accuracy after each epoch; the band is the range over seeds."},
		report.Figure{Chart: lrs, Name: "lr-vs-step", Caption: "Learning rate: a step schedule halving it every two epochs."},
	)
	page.Add("Sweep", sweepSection(rng)...)
	page.Add("Theory", theorySection()...)
	page.Add("Configuration", report.FlagTable(fs))
	m := report.ThisMachine()
	page.Machine = &m
	return page.WriteDir(dir)
}

// sweepSection is a 7 × 3 log grid over learning rate and weight decay, as descent sweep
// draws it; the largest learning rates diverge.
func sweepSection(rng *rand.Rand) []report.Block {
	h := &report.Heatmap{Title: "Validation loss of Adam", XLabel: "learning rate", YLabel: "weight decay",
		ZLabel: "validation loss", LogZ: true}
	for i := range 7 {
		h.X = append(h.X, math.Pow(10, -4+0.5*float64(i)))
	}
	h.Y = []float64{1e-5, 1e-4, 1e-3}
	for _, wd := range h.Y {
		var row []float64
		for _, lr := range h.X {
			d := math.Log10(lr) + 2.7
			v := 0.06 + 0.08*d*d + 40*wd + 0.003*rng.NormFloat64()
			if lr > 0.05 {
				v = math.Inf(1)
			}
			row = append(row, v)
		}
		h.Z = append(h.Z, row)
	}
	t := report.NewTable("Best trials, ranked by validation loss", "learning rate", "weight decay", "validation loss")
	t.Add(report.Good, "0.002", "1e-5", "0.0624")
	t.Note = "A table of this kind comes from descent sweep; these rows are the synthetic grid's best."
	return []report.Block{
		report.Text("A log-scale grid, as the lecture recommends: seven learning rates from 1e-4 to 0.1, three weight decays."),
		report.Figure{Chart: h, Name: "sweep-heatmap", Caption: "Validation loss per trial (colour: log scale). " +
			"Grey cells diverged; the outlined cell is the best."},
		t,
	}
}

// theorySection draws two claims as descent theory does: an observed error under its bound.
func theorySection() []report.Block {
	// Gradient descent with step 1/L on a quadratic with eigenvalues 1 … κ: ‖θₙ − θ*‖² and
	// the bound (1 − 1/κ)ⁿ‖θ₀ − θ*‖².
	var gd report.Gallery
	for _, kappa := range []float64{10, 100} {
		var obs, bnd report.Run
		eig := []float64{1, math.Sqrt(kappa), kappa}
		theta := []float64{1, 1, 1}
		for n := 0; n <= 300; n++ {
			e := 0.0
			for i := range theta {
				e += theta[i] * theta[i]
			}
			obs.X, obs.Y = append(obs.X, float64(n)), append(obs.Y, e)
			bnd.X, bnd.Y = append(bnd.X, float64(n)), append(bnd.Y, 3*math.Pow(1-1/kappa, float64(n)))
			for i := range theta {
				theta[i] -= eig[i] / kappa * theta[i]
			}
		}
		lp := &report.LinePlot{Title: fmt.Sprintf("gd-strong, κ = %g", kappa), X: report.Iterations,
			YLabel: "‖θ − θ*‖²", LogY: true, Series: []report.Series{
				{Label: "gradient descent, γ = 1/L", Runs: []report.Run{obs}},
				{Label: "bound (1 − 1/κ)ⁿ‖θ₀ − θ*‖²", Runs: []report.Run{bnd}, Role: report.Bound},
			}, Width: 6 * 72, Height: 3.6 * 72}
		gd = append(gd, report.Figure{Chart: lp, Name: fmt.Sprintf("claim-gd-strong-k%g", kappa),
			Caption: fmt.Sprintf("Claim gd-strong, κ = %g: the observed error stays under the bound at every n.", kappa)})
	}
	t := report.NewTable("Claims", "id", "kind", "criterion", "worst margin", "result")
	t.Add(report.Good, "gd-strong", "theorem", "‖θₙ − θ*‖² ≤ (1 − 1/κ)ⁿ‖θ₀ − θ*‖²", "0", "PASS")
	t.Add(report.Warn, "sgd-fixed-bound", "theorem", "γ ≤ 1/(2 maxᵢ Lᵢ)", "0.12", "ERRATUM")
	t.Add(report.Bad, "noise-sensitive", "illustration", "ratio ≥ 0.5", "−0.08", "FAIL")
	return []report.Block{
		report.Text("Two claims drawn as `descent theory` draws each: the observed curve, solid, under the bound, dashed. " +
			"The table rows are illustrative."),
		t, gd,
	}
}
