package train

import (
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"strings"

	"github.com/descent-ml/descent/data"
	"github.com/descent-ml/descent/report"
	"github.com/descent-ml/descent/report/results"
)

// WriteReport builds the report of the run folder dir from its run.json and
// results.jsonl alone — so it works for a finished run, an interrupted one, or one
// still going: summary.csv, the figures as PNG and SVG, and report.html. It returns the
// summary table, for the terminal. A figure that cannot be drawn (every run diverged at
// once) leaves a note in the page and a *report.FigureError, returned with the table
// after the page is written.
func WriteReport(dir string) (*report.Table, error) {
	m, err := ReadMeta(dir)
	if err != nil {
		return nil, err
	}
	recs, err := results.ReadFile(filepath.Join(dir, ResultsFile))
	if err != nil {
		return nil, fmt.Errorf("train: %w", err)
	}
	runs := results.Runs(recs)
	if len(runs) == 0 {
		return nil, fmt.Errorf("train: %s has no records yet", filepath.Join(dir, ResultsFile))
	}
	sums := results.Summarize(runs, summaryMetrics(m)...)
	var (
		page  *report.Page
		table *report.Table
	)
	if m.Command == "sweep" {
		page, table = sweepPage(m, runs, sums)
	} else {
		page, table = runsPage(m, runs, sums)
	}
	if err := writeSummaryCSV(filepath.Join(dir, SummaryFile), sums); err != nil {
		return nil, err
	}
	page.Add("Configuration", report.Pre(commandLine(m)), flagTable(m.Flags))
	page.Machine = &m.Machine
	err = page.WriteDir(dir)
	var fe *report.FigureError
	if err != nil && !errors.As(err, &fe) {
		return nil, fmt.Errorf("train: %w", err)
	}
	return table, err
}

// evalNames returns the metrics of the held-out set of m.
func evalNames(m *Meta) EvalNames { return EvalMetrics(m.Evaluation == "val") }

// isRegression reports whether the runs of m are of a regression.
func isRegression(m *Meta) bool { return m.Task != nil && m.Task.Kind == data.Regress }

// summaryMetrics returns the metrics of the summaries of m, the first the one the tables
// rank by: accuracy, loss and training loss for a classification; RMSE, R², loss and
// training loss for a regression.
func summaryMetrics(m *Meta) []string {
	n := evalNames(m)
	if isRegression(m) {
		return []string{n.RMSE, n.R2, n.Loss, results.TrainLoss}
	}
	return []string{n.Accuracy, n.Loss, results.TrainLoss}
}

func writeSummaryCSV(path string, sums []results.Summary) error {
	var b strings.Builder
	if err := results.WriteSummaryCSV(&b, sums); err != nil {
		return err
	}
	return writeFileAtomic(path, []byte(b.String()))
}

// commandLine returns the command of m as typed, its arguments quoted as needed.
func commandLine(m *Meta) string {
	parts := []string{"descent", m.Command}
	for _, a := range m.Args {
		if a == "" || strings.ContainsAny(a, " \t'\"$*?|&;<>()") {
			a = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
		parts = append(parts, a)
	}
	return strings.Join(parts, " ")
}

// statusNote returns a sentence on runs that diverged or were interrupted, or "".
func statusNote(runs []results.Run) string {
	var div, intr int
	for _, r := range runs {
		switch r.Status() {
		case results.StatusDiverged:
			div++
		case results.StatusInterrupted:
			intr++
		}
	}
	var s []string
	if intr > 0 {
		s = append(s, fmt.Sprintf("%d of %d runs were interrupted: the figures show them as far as they went.", intr, len(runs)))
	}
	if div > 0 {
		s = append(s, fmt.Sprintf("%d of %d runs diverged (a loss turned NaN, infinite or huge): they were stopped, and their curves end with a cross.", div, len(runs)))
	}
	return strings.Join(s, " ")
}

// seedsOf returns the largest number of seeds of a run name.
func seedsOf(sums []results.Summary) int {
	n := 0
	for _, s := range sums {
		n = max(n, s.Seeds)
	}
	return n
}

// spreadWords describes the band of the plots and the ± of the tables.
func spreadWords(seeds int) string {
	if seeds <= 1 {
		return "one seed"
	}
	return fmt.Sprintf("mean ± one standard deviation over %d seeds (the band)", seeds)
}

// runsPage is the page of descent compare and descent train.
func runsPage(m *Meta, runs []results.Run, sums []results.Summary) (*report.Page, *report.Table) {
	names := evalNames(m)
	set := "test"
	if m.Evaluation == "val" {
		set = "validation"
	}
	seeds := seedsOf(sums)
	title := "descent compare: optimisers side by side"
	if m.Command == "train" {
		title = "descent train"
	}
	intro := m.Intro
	if n := statusNote(runs); n != "" {
		intro += "\n\n" + n
	}
	page := &report.Page{Title: title, Intro: report.Text(intro)}
	caption := "After the last epoch"
	if seeds > 1 {
		caption += fmt.Sprintf(": mean ± standard deviation over %d seeds", seeds)
	}
	table := report.SummaryTable(caption, sums)
	blocks := []report.Block{table}
	switch bars := accuracyBars(sums); {
	case isRegression(m):
		if bars := rmseBars(sums); bars != nil {
			blocks = append(blocks, report.Figure{Chart: bars, Name: "rmse-bars",
				Caption: fmt.Sprintf("Final %s RMSE, in the targets' units (%s).", set, spreadWords(seeds))})
		}
	case bars != nil:
		blocks = append(blocks, report.Figure{Chart: bars, Name: "accuracy-bars",
			Caption: fmt.Sprintf("Final %s accuracy (%s); the bars start at %s.", set, spreadWords(seeds), report.FormatValue(100*bars.Base, 3)+"%")})
	}
	page.Add("Summary", blocks...)

	smooth := report.EMA{Weight: 0.8}
	lossStep := &report.LinePlot{Title: "Training loss", X: report.Steps, YLabel: "training loss (log scale)", LogY: true,
		Smooth: smooth, Series: seriesOf(runs, results.KindStep, "step", results.TrainLoss)}
	lossTime := &report.LinePlot{Title: "Training loss against time", X: report.Seconds, YLabel: "training loss (log scale)",
		LogY: true, Smooth: smooth, Series: seriesOf(runs, results.KindStep, "seconds", results.TrainLoss)}
	setTitle := strings.ToUpper(set[:1]) + set[1:]
	accEpoch := &report.LinePlot{Title: setTitle + " accuracy", X: report.Epochs, YLabel: set + " accuracy",
		Series: seriesOf(runs, results.KindEpoch, "epoch", names.Accuracy)}
	rmseEpoch := &report.LinePlot{Title: setTitle + " RMSE", X: report.Epochs, YLabel: set + " RMSE (log scale)", LogY: true,
		Series: seriesOf(runs, results.KindEpoch, "epoch", names.RMSE)}
	lrStep := &report.LinePlot{Title: "Learning rate", X: report.Steps, YLabel: "learning rate (log scale)", LogY: true,
		Band: report.BandNone, Series: seriesOf(runs, results.KindStep, "step", results.LR)}
	var figs []report.Block
	add := func(f report.Figure) {
		if hasData(f.Chart.(*report.LinePlot).Series) {
			figs = append(figs, f)
		}
	}
	add(report.Figure{Chart: lossStep, Name: "loss-vs-step", Caption: "Training loss against optimiser steps, log scale: " +
		"each point is the mean over the steps since the previous one, exponentially smoothed (weight 0.8), " + spreadWords(seeds) + ". " +
		"A cross marks where a run diverged."})
	add(report.Figure{Chart: lossTime, Name: "loss-vs-time", Caption: "The same against wall-clock seconds of the training loop (evaluations excluded)."})
	if isRegression(m) {
		add(report.Figure{Chart: rmseEpoch, Name: "rmse-vs-epoch", Caption: fmt.Sprintf("Root mean squared error on the %s set after each epoch, "+
			"in the targets' units, log scale, %s.", set, spreadWords(seeds))})
	} else {
		add(report.Figure{Chart: accEpoch, Name: "accuracy-vs-epoch", Caption: fmt.Sprintf("Accuracy on the %s set after each epoch, %s.", set, spreadWords(seeds))})
	}
	if m.Command == "train" {
		series := seriesOf(runs, results.KindEpoch, "epoch", results.TrainLoss)
		held := seriesOf(runs, results.KindEpoch, "epoch", names.Loss)
		for i := range series {
			series[i].Label = "training"
		}
		for i := range held {
			held[i].Label = set
		}
		add(report.Figure{Name: "loss-vs-epoch", Caption: "Mean training loss of each epoch, and " + set + " loss after it.",
			Chart: &report.LinePlot{Title: "Loss per epoch", X: report.Epochs, YLabel: "loss (log scale)", LogY: true,
				Series: append(series, held...)}})
	}
	add(report.Figure{Chart: lrStep, Name: "lr-vs-step", Caption: "Learning rate of the first parameter group against steps."})
	if len(figs) > 0 {
		page.Add("Training", figs...)
	}
	return page, table
}

// accuracyBars returns the bar chart of the final accuracies, or nil if no run has one.
func accuracyBars(sums []results.Summary) *report.BarChart {
	lo := math.Inf(1)
	var bars []report.Bar
	for _, s := range sums {
		b := report.Bar{Label: s.Name, Value: s.Mean[0], Spread: s.Std[0], Diverged: s.Diverged == s.Seeds}
		if math.IsNaN(b.Value) {
			b.Diverged, b.Value = true, 0
		} else {
			lo = min(lo, b.Value-b.Spread)
		}
		bars = append(bars, b)
	}
	if math.IsInf(lo, 1) {
		return nil
	}
	// Start the bars a little below the lowest, at a multiple of 5%, so close
	// accuracies can be told apart.
	base := max(0, math.Floor((lo-0.01)*20)/20)
	return &report.BarChart{Title: "Final accuracy", ValueLabel: "accuracy", Bars: bars, Base: base, Percent: true}
}

// rmseBars returns the bar chart of the final RMSEs, or nil if no run has one.
func rmseBars(sums []results.Summary) *report.BarChart {
	var bars []report.Bar
	some := false
	for _, s := range sums {
		b := report.Bar{Label: s.Name, Value: s.Mean[0], Spread: s.Std[0], Diverged: s.Diverged == s.Seeds}
		if math.IsNaN(b.Value) {
			b.Diverged, b.Value = true, 0
		} else {
			some = true
		}
		bars = append(bars, b)
	}
	if !some {
		return nil
	}
	return &report.BarChart{Title: "Final RMSE", ValueLabel: "RMSE", Bars: bars}
}

// trialResult is the outcome of one trial of a sweep.
type trialResult struct {
	trial                               Trial
	valLoss, valAcc, valRMSE, valR2, tl float64
	spe                                 float64
	status                              string
	diverged                            bool
	interrupted                         bool
}

// sweepPage is the page of descent sweep.
func sweepPage(m *Meta, runs []results.Run, sums []results.Summary) (*report.Page, *report.Table) {
	byName := map[string]results.Summary{}
	for _, s := range sums {
		byName[s.Name] = s
	}
	var trs []trialResult
	for _, t := range m.Trials {
		s, ok := byName[t.Name]
		nan := math.NaN()
		tr := trialResult{trial: t, valLoss: nan, valAcc: nan, valRMSE: nan, valR2: nan, tl: nan, spe: nan, status: "not run"}
		if ok {
			tr.valLoss, tr.valAcc, tr.tl = meanOf(s, results.ValLoss), meanOf(s, results.ValAccuracy), meanOf(s, results.TrainLoss)
			tr.valRMSE, tr.valR2, tr.spe = meanOf(s, results.ValRMSE), meanOf(s, results.ValR2), s.SecondsPerEpoch
			tr.status, tr.diverged, tr.interrupted = s.Status(), s.Diverged > 0, s.Interrupted > 0
			if tr.diverged {
				tr.status = fmt.Sprintf("diverged at step %d", s.FirstDiverged)
				tr.valLoss, tr.valAcc, tr.valRMSE, tr.valR2 = nan, nan, nan, nan
			}
		}
		trs = append(trs, tr)
	}
	ranked := slices.Clone(trs)
	slices.SortStableFunc(ranked, func(a, b trialResult) int {
		an, bn := math.IsNaN(a.valLoss), math.IsNaN(b.valLoss)
		switch {
		case an && bn:
			return 0
		case an:
			return 1
		case bn:
			return -1
		}
		if a.valLoss < b.valLoss {
			return -1
		} else if a.valLoss > b.valLoss {
			return 1
		}
		return 0
	})

	header := []string{"rank"}
	for _, a := range m.Axes {
		header = append(header, a.Key)
	}
	if isRegression(m) {
		header = append(header, "val loss", "val RMSE", "val R²", "train loss", "s / epoch", "status")
	} else {
		header = append(header, "val loss", "val accuracy", "train loss", "s / epoch", "status")
	}
	table := report.NewTable("Trials ranked by the validation loss after the last epoch", header...)
	for i, tr := range ranked {
		cells := []string{fmt.Sprint(i + 1)}
		for _, v := range tr.trial.Values {
			cells = append(cells, report.FormatValue(v, 6))
		}
		if isRegression(m) {
			cells = append(cells, num(tr.valLoss, 4), num(tr.valRMSE, 4), num(tr.valR2, 4))
		} else {
			cells = append(cells, num(tr.valLoss, 4), percent(tr.valAcc))
		}
		cells = append(cells, num(tr.tl, 4), num(tr.spe, 3), tr.status)
		mark := report.Plain
		switch {
		case tr.diverged:
			mark = report.Bad
		case tr.interrupted || tr.status == "not run":
			mark = report.Warn
		case i == 0 && !math.IsNaN(tr.valLoss):
			mark = report.Good
		}
		if tr.diverged || math.IsNaN(tr.valLoss) {
			cells[0] = "—"
		}
		table.Add(mark, cells...)
	}
	table.Note = "The validation set is held out of the training set; the test set is not used. Green: the best trial; red: diverged."

	intro := m.Intro
	if n := statusNote(runs); n != "" {
		intro += "\n\n" + n
	}
	page := &report.Page{Title: "descent sweep: a log-scale grid search", Intro: report.Text(intro)}
	blocks := []report.Block{table}
	if fig, ok := gridFigure(m.Axes, trs); ok {
		blocks = append(blocks, fig)
	}
	page.Add("Ranking", blocks...)

	// The curves of the best trials (as many as the palette has colours).
	best := map[string]bool{}
	for _, tr := range ranked[:min(len(ranked), len(report.Palette))] {
		if !math.IsNaN(tr.valLoss) {
			best[tr.trial.Name] = true
		}
	}
	var top []results.Run
	for _, r := range runs {
		if best[r.Name] {
			top = append(top, r)
		}
	}
	if len(top) > 0 && hasData(seriesOf(top, results.KindEpoch, "epoch", results.ValLoss)) {
		page.Add("Best trials",
			report.Figure{Name: "val-loss-vs-epoch", Caption: "Validation loss after each epoch of the best trials.",
				Chart: &report.LinePlot{Title: "Validation loss", X: report.Epochs, YLabel: "validation loss (log scale)", LogY: true,
					Series: seriesOf(top, results.KindEpoch, "epoch", results.ValLoss)}},
			report.Figure{Name: "loss-vs-step", Caption: "Training loss of the best trials against steps, smoothed (EMA, weight 0.8).",
				Chart: &report.LinePlot{Title: "Training loss", X: report.Steps, YLabel: "training loss (log scale)", LogY: true,
					Smooth: report.EMA{Weight: 0.8}, Series: seriesOf(top, results.KindStep, "step", results.TrainLoss)}})
	}
	return page, table
}

// meanOf returns the mean of the named metric of s, NaN if s does not have it.
func meanOf(s results.Summary, name string) float64 {
	if i := slices.Index(s.Metrics, name); i >= 0 {
		return s.Mean[i]
	}
	return math.NaN()
}

// gridFigure draws the validation loss over the grid: a heatmap of the first two axes
// (each cell the best over the other axes), or a line against the one axis.
func gridFigure(axes []Axis, trs []trialResult) (report.Figure, bool) {
	if len(axes) == 0 || len(trs) == 0 {
		return report.Figure{}, false
	}
	if len(axes) == 1 {
		var run report.Run
		for _, tr := range trs {
			run.X = append(run.X, tr.trial.Values[0])
			run.Y = append(run.Y, tr.valLoss)
		}
		order := make([]int, len(run.X))
		for i := range order {
			order[i] = i
		}
		slices.SortFunc(order, func(a, b int) int {
			if run.X[a] < run.X[b] {
				return -1
			}
			return 1
		})
		var sorted report.Run
		for _, i := range order {
			sorted.X = append(sorted.X, run.X[i])
			sorted.Y = append(sorted.Y, run.Y[i])
		}
		logX := sorted.X[0] > 0
		return report.Figure{Name: "sweep", Caption: "Validation loss after the last epoch against " + axes[0].Key + "; a cross marks the first trial that diverged.",
			Chart: &report.LinePlot{Title: "Validation loss", X: report.Iterations, XLabel: axes[0].Key, LogX: logX,
				YLabel: "validation loss (log scale)", LogY: true, Band: report.BandNone,
				Series: []report.Series{{Label: "validation loss", Runs: []report.Run{sorted}}}}}, true
	}
	x, y := axes[0], axes[1]
	z := make([][]float64, len(y.Values))
	for i := range z {
		z[i] = make([]float64, len(x.Values))
		for j := range z[i] {
			z[i][j] = math.NaN()
		}
	}
	for _, tr := range trs {
		i := slices.Index(y.Values, tr.trial.Values[1])
		j := slices.Index(x.Values, tr.trial.Values[0])
		if v := tr.valLoss; !math.IsNaN(v) && (math.IsNaN(z[i][j]) || v < z[i][j]) {
			z[i][j] = v
		}
	}
	caption := "Validation loss after the last epoch of each trial; grey cells diverged (or did not run); the best is outlined."
	if len(axes) > 2 {
		caption = "Validation loss after the last epoch, each cell the best over the other axes of the grid; grey cells diverged; the best is outlined."
	}
	allPositive := true
	for _, tr := range trs {
		if !math.IsNaN(tr.valLoss) && tr.valLoss <= 0 {
			allPositive = false
		}
	}
	return report.Figure{Name: "sweep-heatmap", Caption: caption,
		Chart: &report.Heatmap{Title: "Validation loss", XLabel: x.Key, YLabel: y.Key, X: x.Values, Y: y.Values, Z: z,
			ZLabel: "validation loss", LogZ: allPositive, Best: report.Lowest}}, true
}

func num(v float64, digits int) string {
	if math.IsNaN(v) {
		return "—"
	}
	return report.FormatValue(v, digits)
}

func percent(v float64) string {
	if math.IsNaN(v) {
		return "—"
	}
	return fmt.Sprintf("%.2f%%", 100*v)
}

// seriesOf is report.SeriesOf, with the divergence marks of a series cleared where
// report's LinePlot (as of this writing) would panic: over several seeds it cuts every
// seed at the x where the first diverged one ends, and a seed left with no point makes it
// index an empty run. That happens against seconds (the seeds' x differ) and when a seed
// diverges before its first record while another has records. The table and the other
// plots still say the run diverged.
func seriesOf(runs []results.Run, kind results.Kind, x, y string) []report.Series {
	series := report.SeriesOf(runs, kind, x, y)
	for i := range series {
		rs := series[i].Runs
		if len(rs) < 2 {
			continue
		}
		cut := math.Inf(1)
		for _, r := range rs {
			if r.DivergedStep > 0 {
				last := 0.0
				if len(r.X) > 0 {
					last = r.X[len(r.X)-1]
				}
				cut = min(cut, last)
			}
		}
		unsafe := false
		for _, r := range rs {
			unsafe = unsafe || len(r.X) > 0 && r.X[0] > cut
		}
		if unsafe {
			for j := range rs {
				rs[j].DivergedStep = 0
			}
		}
	}
	return series
}

// hasData reports whether a series has a point to draw.
func hasData(series []report.Series) bool {
	for _, s := range series {
		for _, r := range s.Runs {
			for i := range r.X {
				if !math.IsNaN(r.Y[i]) && !math.IsInf(r.Y[i], 0) {
					return true
				}
			}
		}
	}
	return false
}
