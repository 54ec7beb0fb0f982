package progress

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"
)

// progressLine is a Lines-mode line within an epoch:
//
//	adam: epoch 3/10  41%  loss 0.2311  test acc 93.10%  12.3k samples/s  ETA 1m20s
func (r *Run) progressLine() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: epoch %d/%d", r.name, min(r.epoch.Load(), int64(r.epochs)), r.epochs)
	if r.perEpoch > 0 {
		done := r.samples.Load() - (r.epoch.Load()-1)*int64(r.perEpoch)
		fmt.Fprintf(&b, "  %3.0f%%", 100*float64(max(done, 0))/float64(r.perEpoch))
	}
	r.writeStats(&b, math.Float64frombits(r.loss.Load()), "loss", math.NaN())
	return b.String()
}

// epochLine is a Lines-mode line at the end of an epoch:
//
//	adam: epoch 3/10 done in 2.41s  train loss 0.2311  test loss 0.2500  test acc 93.10%  12.3k samples/s  ETA 1m20s
func (r *Run) epochLine(s EpochStats) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: epoch %d/%d done", r.name, s.Epoch, r.epochs)
	if s.Seconds > 0 {
		fmt.Fprintf(&b, " in %s", formatDuration(time.Duration(s.Seconds*float64(time.Second))))
	}
	r.writeStats(&b, s.TrainLoss, "train loss", s.TestLoss)
	return b.String()
}

// writeStats appends the loss, the test loss (unless NaN), the last test accuracy or RMSE, the
// throughput and the ETA.
func (r *Run) writeStats(b *strings.Builder, loss float64, lossName string, testLoss float64) {
	if !math.IsNaN(loss) {
		fmt.Fprintf(b, "  %s %.4g", lossName, loss)
	}
	if !math.IsNaN(testLoss) {
		fmt.Fprintf(b, "  test loss %.4g", testLoss)
	}
	if acc := math.Float64frombits(r.acc.Load()); !math.IsNaN(acc) {
		fmt.Fprintf(b, "  test acc %.2f%%", 100*acc)
	}
	if rmse := math.Float64frombits(r.rmse.Load()); !math.IsNaN(rmse) {
		fmt.Fprintf(b, "  test rmse %.4g", rmse)
	}
	if rate := math.Float64frombits(r.rate.Load()); rate > 0 {
		fmt.Fprintf(b, "  %s samples/s", formatCount(rate))
	}
	if eta := r.eta(); eta >= 0 && r.state.Load() == running {
		fmt.Fprintf(b, "  ETA %s", formatDuration(eta))
	}
}

// formatCount writes a count compactly: 950, 12.3k, 4.56M.
func formatCount(v float64) string {
	switch {
	case v >= 1e6:
		return fmt.Sprintf("%.3gM", v/1e6)
	case v >= 1e4:
		return fmt.Sprintf("%.3gk", v/1e3)
	}
	return fmt.Sprintf("%.0f", v)
}

// formatDuration writes a duration for people: 850ms, 2.41s, 1m20s, 2h05m.
func formatDuration(d time.Duration) string {
	switch {
	case d < time.Second:
		return fmt.Sprintf("%dms", d.Milliseconds())
	case d < time.Minute:
		return fmt.Sprintf("%.3gs", d.Seconds())
	case d < time.Hour:
		s := int(d.Round(time.Second).Seconds())
		return fmt.Sprintf("%dm%02ds", s/60, s%60)
	}
	m := int(d.Round(time.Minute).Minutes())
	return fmt.Sprintf("%dh%02dm", m/60, m%60)
}

// newBar adds r's bar to the display:
//
//	adam seed 1  ep 3/10 [=========>-----------]  loss 0.2311  acc 93.10%  12.3k/s  ETA 1m20s
func (d *Display) newBar(r *Run) *mpb.Bar {
	// One more than the samples of the run, so that the bar completes when Done says so
	// (and shows "done"), not when the last sample is counted.
	total := r.total() + 1
	return d.p.New(total, mpb.BarStyle().Lbound("[").Filler("=").Tip(">").Padding("-").Rbound("]"),
		mpb.PrependDecorators(
			decor.Name(r.name, decor.WC{C: decor.DindentRight | decor.DextraSpace | decor.DSyncWidth}),
			decor.Any(func(decor.Statistics) string {
				return fmt.Sprintf("ep %d/%d", min(r.epoch.Load(), int64(r.epochs)), r.epochs)
			}, decor.WCSyncWidth),
		),
		mpb.AppendDecorators(decor.Any(func(decor.Statistics) string { return r.barStats() })),
	)
}

// total is the bar's length: samples of the run, or epochs when the epoch size is unknown.
func (r *Run) total() int64 {
	if r.perEpoch == 0 {
		return int64(r.epochs)
	}
	return int64(r.epochs) * int64(r.perEpoch)
}

// barStats is the text after a bar: the figures while the run trains, how it ended after.
func (r *Run) barStats() string {
	var b strings.Builder
	state := r.state.Load()
	if state != running {
		if p := r.reason.Load(); p != nil {
			b.WriteString(" " + *p)
		}
	}
	if loss := math.Float64frombits(r.loss.Load()); !math.IsNaN(loss) {
		fmt.Fprintf(&b, "  loss %.4g", loss)
	}
	if acc := math.Float64frombits(r.acc.Load()); !math.IsNaN(acc) {
		fmt.Fprintf(&b, "  acc %.2f%%", 100*acc)
	}
	if rmse := math.Float64frombits(r.rmse.Load()); !math.IsNaN(rmse) {
		fmt.Fprintf(&b, "  rmse %.4g", rmse)
	}
	if state == running {
		if rate := math.Float64frombits(r.rate.Load()); rate > 0 {
			fmt.Fprintf(&b, "  %s/s", formatCount(rate))
		}
		if eta := r.eta(); eta >= 0 {
			fmt.Fprintf(&b, "  ETA %s", formatDuration(eta))
		}
	} else {
		fmt.Fprintf(&b, "  %s", formatDuration(time.Duration(r.elapsed.Load())))
	}
	return b.String()
}
