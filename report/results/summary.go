package results

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"strconv"
)

// A Summary is the outcome of the runs of one name, pooled over their seeds: the metrics of
// each run's last epoch record, as mean and standard deviation over the runs that did not
// diverge.
type Summary struct {
	Name  string
	Seeds int // runs of this name
	// Diverged counts the runs that diverged; FirstDiverged is the smallest step at which
	// one did (0 when none did).
	Diverged      int
	FirstDiverged int
	// Interrupted counts the runs that have no end record or ended interrupted.
	Interrupted int
	Epochs      int // epochs of the longest run
	// SecondsPerEpoch is the mean over runs of seconds per epoch (NaN without epochs).
	SecondsPerEpoch float64
	// Mean and Std hold, for each name asked of Summarize, the mean and the sample
	// standard deviation (0 for one run) over the runs that did not diverge and have the
	// metric, NaN when none has it.
	Metrics   []string
	Mean, Std []float64
}

// Summarize pools runs by name, in the order the names first appear, and reports the named
// metrics of their last epoch records.
func Summarize(runs []Run, metrics ...string) []Summary {
	index := map[string]int{}
	var sums []Summary
	vals := map[string][][]float64{} // name → metric → values
	spe := map[string][]float64{}    // name → seconds per epoch of each run
	for _, r := range runs {
		i, ok := index[r.Name]
		if !ok {
			i = len(sums)
			index[r.Name] = i
			sums = append(sums, Summary{Name: r.Name, Metrics: metrics})
			vals[r.Name] = make([][]float64, len(metrics))
		}
		s := &sums[i]
		s.Seeds++
		switch r.Status() {
		case StatusDiverged:
			s.Diverged++
			if s.FirstDiverged == 0 || r.End.Step < s.FirstDiverged {
				s.FirstDiverged = r.End.Step
			}
		case StatusInterrupted:
			s.Interrupted++
		}
		if len(r.Epochs) == 0 {
			continue
		}
		last := r.Epochs[len(r.Epochs)-1]
		s.Epochs = max(s.Epochs, last.Epoch)
		if last.Epoch > 0 {
			spe[r.Name] = append(spe[r.Name], last.Seconds/float64(last.Epoch))
		}
		if r.Status() == StatusDiverged {
			continue
		}
		for k, m := range metrics {
			if v, ok := last.Metric(m); ok && !math.IsNaN(v) && !math.IsInf(v, 0) {
				vals[r.Name][k] = append(vals[r.Name][k], v)
			}
		}
	}
	for i := range sums {
		s := &sums[i]
		s.SecondsPerEpoch, _ = meanStd(spe[s.Name])
		s.Mean = make([]float64, len(metrics))
		s.Std = make([]float64, len(metrics))
		for k := range metrics {
			s.Mean[k], s.Std[k] = meanStd(vals[s.Name][k])
		}
	}
	return sums
}

// meanStd returns the mean and sample standard deviation of v: NaN, NaN when v is empty
// and a deviation of 0 for one value.
func meanStd(v []float64) (mean, std float64) {
	if len(v) == 0 {
		return math.NaN(), math.NaN()
	}
	for _, x := range v {
		mean += x
	}
	mean /= float64(len(v))
	if len(v) == 1 {
		return mean, 0
	}
	for _, x := range v {
		std += (x - mean) * (x - mean)
	}
	return mean, math.Sqrt(std / float64(len(v)-1))
}

// Status returns "done", "diverged" when every run diverged, "diverged k/n" when some did,
// and "interrupted" when a run that did not diverge was interrupted.
func (s *Summary) Status() string {
	switch {
	case s.Diverged == s.Seeds:
		return string(StatusDiverged)
	case s.Diverged > 0:
		return fmt.Sprintf("diverged %d/%d", s.Diverged, s.Seeds)
	case s.Interrupted > 0:
		return string(StatusInterrupted)
	}
	return string(StatusDone)
}

// WriteSummaryCSV writes summary.csv: a header line, then one line per summary with the
// columns name, seeds, status, diverged, first_diverged_step, epochs, seconds_per_epoch and,
// for each metric m, m and m_std. Numbers are written in full precision; a missing value
// (NaN) is an empty field.
func WriteSummaryCSV(w io.Writer, sums []Summary) error {
	cw := csv.NewWriter(w)
	var metrics []string
	if len(sums) > 0 {
		metrics = sums[0].Metrics
	}
	header := []string{"name", "seeds", "status", "diverged", "first_diverged_step", "epochs", "seconds_per_epoch"}
	for _, m := range metrics {
		header = append(header, m, m+"_std")
	}
	cw.Write(header)
	num := func(v float64) string {
		if math.IsNaN(v) {
			return ""
		}
		return strconv.FormatFloat(v, 'g', -1, 64)
	}
	for _, s := range sums {
		if len(s.Metrics) != len(metrics) {
			panic("results: summaries of different metrics in one CSV")
		}
		row := []string{s.Name, strconv.Itoa(s.Seeds), s.Status(), strconv.Itoa(s.Diverged),
			strconv.Itoa(s.FirstDiverged), strconv.Itoa(s.Epochs), num(s.SecondsPerEpoch)}
		for k := range metrics {
			row = append(row, num(s.Mean[k]), num(s.Std[k]))
		}
		cw.Write(row)
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("results: writing summary CSV: %w", err)
	}
	return nil
}
