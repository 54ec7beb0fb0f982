package report

import (
	"fmt"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// A Bar is one bar of a [BarChart]: a value, with its spread over seeds (0 for none).
type Bar struct {
	Label    string
	Value    float64
	Spread   float64
	Diverged bool // the run diverged: no bar, the word "diverged" instead
}

// A BarChart compares one figure across runs, a horizontal bar each, top to bottom in the
// order given, in the colours of the line plots' series (bar i has series i's colour), with
// the value written at the end of each bar and the spread as an error bar. Bars start at
// Base, so that close values (test accuracies of 97.6% and 98.1%) can be told apart.
type BarChart struct {
	Title      string
	ValueLabel string // what the values are, e.g. "test accuracy"
	Bars       []Bar
	// Base is where the bars start. Its zero value starts them at 0.
	Base float64
	// Percent writes values as percentages (0.981 as "98.1%").
	Percent bool
	// Digits is the number of significant digits of the values. If Digits is 0, 4.
	Digits int
	// Width is the chart's width; if 0, DefaultWidth. Its height follows the number of bars.
	Width vg.Length
}

var _ Chart = (*BarChart)(nil)

// Size implements Chart.
func (b *BarChart) Size() (width, height vg.Length) {
	width = b.Width
	if width == 0 {
		width = DefaultWidth
	}
	return width, vg.Points(70 + 24*float64(max(len(b.Bars), 1)))
}

func (b *BarChart) format(v float64) string {
	digits := b.Digits
	if digits == 0 {
		digits = 4
	}
	if b.Percent {
		return FormatValue(100*v, digits) + "%"
	}
	return FormatValue(v, digits)
}

// Draw implements Chart. It returns an error when there is no bar.
func (b *BarChart) Draw(c draw.Canvas) error {
	if len(b.Bars) == 0 {
		return fmt.Errorf("%w: bar chart %q", errNoData, b.Title)
	}
	if !finite(b.Base) {
		return fmt.Errorf("report: bar chart %q: base %v is not finite", b.Title, b.Base)
	}
	p := newPlot(b.Title, b.ValueLabel, "")
	n := len(b.Bars)
	var vr span
	vr.add(b.Base)
	names := make([]string, n)
	labels := &plotter.Labels{}
	for i, bar := range b.Bars {
		pos := float64(n - 1 - i) // the first bar on top
		names[n-1-i] = drawable(bar.Label)
		sty := textStyle(tickSize, gray(0.1))
		sty.YAlign = draw.YCenter
		if bar.Diverged || !finite(bar.Value) {
			sty.Color = darker(Palette[1])
			labels.XYs = append(labels.XYs, plotter.XY{X: b.Base, Y: pos})
			labels.Labels = append(labels.Labels, "diverged")
			labels.TextStyle = append(labels.TextStyle, sty)
			continue
		}
		col, _ := seriesStyle(i)
		bc, err := plotter.NewBarChart(plotter.Values{bar.Value - b.Base}, vg.Points(15))
		if err != nil {
			return fmt.Errorf("report: bar %q: %w", bar.Label, err)
		}
		bc.Horizontal = true
		bc.XMin = pos
		bc.Offset = 0
		bc.Color = withAlpha(col, 0.85)
		bc.LineStyle.Width = 0
		shiftBase(bc, b.Base)
		p.Add(bc)
		end := bar.Value
		vr.add(bar.Value)
		text := b.format(bar.Value)
		if bar.Spread > 0 && finite(bar.Spread) {
			eb := &plotter.XErrorBars{
				XYs:     plotter.XYs{{X: bar.Value, Y: pos}},
				XErrors: plotter.XErrors{{Low: bar.Spread, High: bar.Spread}},
				LineStyle: draw.LineStyle{
					Color: gray(0.15), Width: vg.Points(1),
				},
				CapWidth: vg.Points(6),
			}
			p.Add(eb)
			end += bar.Spread
			vr.add(bar.Value - bar.Spread)
			vr.add(end)
			if b.Percent {
				text += " ± " + FormatValue(100*bar.Spread, 2)
			} else {
				text += " ± " + FormatValue(bar.Spread, 2)
			}
		}
		labels.XYs = append(labels.XYs, plotter.XY{X: end, Y: pos})
		labels.Labels = append(labels.Labels, " "+text)
		labels.TextStyle = append(labels.TextStyle, sty)
	}
	p.Add(labels)
	p.NominalY(names...)
	// Room on the right for the value written after the longest bar.
	vr = span{vr.min, clampFinite(vr.max + 0.44*halfSpan(vr.min, vr.max)), true}
	if vr.narrow() {
		vr = vr.widened(0, false)
	}
	p.X.Min, p.X.Max = vr.min, vr.max
	p.X.Tick.Marker = linearTicks{}
	if b.Percent {
		p.X.Tick.Marker = percentTicks{}
	}
	p.Y.Min, p.Y.Max = -0.6, float64(n)-0.4
	p.Y.Padding = 0
	p.Draw(c)
	return nil
}

// shiftBase makes a bar chart's bars start at base instead of 0.
func shiftBase(bc *plotter.BarChart, base float64) {
	if base == 0 {
		return
	}
	bc.StackOn(&plotter.BarChart{Values: plotter.Values{base}, Horizontal: true, XMin: bc.XMin})
}

// percentTicks labels an axis of fractions as percentages. An axis past ±1.8e306, whose
// percentages overflow, has no ticks.
type percentTicks struct{}

func (percentTicks) Ticks(min, max float64) []plot.Tick {
	ticks := linearTicks{}.Ticks(100*min, 100*max)
	for i := range ticks {
		ticks[i].Value /= 100
		if ticks[i].Label != "" {
			ticks[i].Label += "%"
		}
	}
	return ticks
}
