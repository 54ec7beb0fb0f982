package report

import (
	"fmt"
	"math"
	"strings"

	"github.com/descent-ml/descent/report/results"
)

// SeriesOf builds the series of a line plot from the runs of results.jsonl: for each run
// name, in order, one Series whose Runs are its seeds, with y against x taken from the
// records of the given kind. x and y name a fixed key ("step", "epoch", "seconds") or a
// metric ("train_loss"); records without either are skipped. A run that ended diverged is
// marked so at its end record's step.
func SeriesOf(runs []results.Run, kind results.Kind, x, y string) []Series {
	index := map[string]int{}
	var series []Series
	for _, r := range runs {
		i, ok := index[r.Name]
		if !ok {
			i = len(series)
			index[r.Name] = i
			series = append(series, Series{Label: r.Name})
		}
		var run Run
		for _, rec := range r.Records(kind) {
			xv, okx := rec.Value(x)
			yv, oky := rec.Value(y)
			if okx && oky {
				run.X = append(run.X, xv)
				run.Y = append(run.Y, yv)
			}
		}
		if r.Status() == results.StatusDiverged {
			run.DivergedStep = max(r.End.Step, 1)
		}
		series[i].Runs = append(series[i].Runs, run)
	}
	return series
}

// SummaryTable returns the summaries as a table: the run, each metric as mean ± standard
// deviation over seeds (accuracies as percentages), seconds per epoch and the status.
// Rows of runs that diverged are marked Bad; the row with the best value of the first
// metric (lowest, or highest for an accuracy) is marked Good.
func SummaryTable(caption string, sums []results.Summary) *Table {
	var metrics []string
	if len(sums) > 0 {
		metrics = sums[0].Metrics
	}
	header := []string{"run"}
	for _, m := range metrics {
		header = append(header, strings.ReplaceAll(m, "_", " "))
	}
	header = append(header, "s / epoch", "seeds", "status")
	t := NewTable(caption, header...)
	best := -1
	for i, s := range sums {
		if len(metrics) == 0 || s.Diverged > 0 || math.IsNaN(s.Mean[0]) {
			continue
		}
		higher := strings.Contains(metrics[0], "accuracy")
		if best < 0 || higher && s.Mean[0] > sums[best].Mean[0] || !higher && s.Mean[0] < sums[best].Mean[0] {
			best = i
		}
	}
	for i, s := range sums {
		cells := []string{s.Name}
		for k, m := range metrics {
			cells = append(cells, meanSpread(s.Mean[k], s.Std[k], strings.Contains(m, "accuracy"), s.Seeds-s.Diverged > 1))
		}
		spe := "—"
		if !math.IsNaN(s.SecondsPerEpoch) {
			spe = FormatValue(s.SecondsPerEpoch, 3)
		}
		status := s.Status()
		if s.Diverged > 0 {
			status = fmt.Sprintf("%s at step %d", status, s.FirstDiverged)
		}
		cells = append(cells, spe, fmt.Sprint(s.Seeds), status)
		mark := Plain
		switch {
		case s.Diverged > 0:
			mark = Bad
		case s.Interrupted > 0:
			mark = Warn
		case i == best:
			mark = Good
		}
		t.Add(mark, cells...)
	}
	if best >= 0 {
		t.Note = "Highlighted green: the best " + strings.ReplaceAll(metrics[0], "_", " ") + "; red: diverged (its figures are from the seeds that did not)."
	}
	return t
}

// meanSpread formats a mean and its spread: "0.0312 ± 0.0011", "97.85% ± 0.12", "—".
func meanSpread(mean, std float64, percent, spread bool) string {
	if math.IsNaN(mean) {
		return "—"
	}
	s, sd := FormatValue(mean, 4), FormatValue(std, 2)
	if percent {
		s, sd = fmt.Sprintf("%.2f%%", 100*mean), fmt.Sprintf("%.2f", 100*std)
	}
	if spread && !math.IsNaN(std) {
		s += " ± " + sd
	}
	return s
}
