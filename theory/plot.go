package theory

import (
	"fmt"

	"github.com/descent-ml/descent/report"
)

// Plot labels use ASCII where report's font lacks a glyph (subscript n, superscript
// minus, ∇): "theta_n", "F'(theta)".

// plot is a line plot of a claim's figure under construction.
type plot struct {
	lp *report.LinePlot
}

// newPlot starts a line plot with the given axes; x names the x axis.
func newPlot(title, x, y string) *plot {
	return &plot{lp: &report.LinePlot{Title: title, XLabel: x, YLabel: y, Band: report.BandNone}}
}

// logX and logY set logarithmic axes.
func (p *plot) logX() *plot { p.lp.LogX = true; return p }
func (p *plot) logY() *plot { p.lp.LogY = true; return p }

// band draws each series as the mean of its runs with a band of one standard deviation.
func (p *plot) band() *plot { p.lp.Band = report.BandStd; return p }

// observed adds a measured curve.
func (p *plot) observed(label string, x, y []float64) *plot {
	return p.add(label, report.Observed, x, y)
}

// observedRuns adds a curve measured over several runs, drawn as their mean.
func (p *plot) observedRuns(label string, runs []report.Run) *plot {
	p.lp.Series = append(p.lp.Series, report.Series{Label: label, Runs: runs, Role: report.Observed})
	return p
}

// bound adds a theoretical bound, dashed.
func (p *plot) bound(label string, x, y []float64) *plot {
	return p.add(label, report.Bound, x, y)
}

// reference adds a reference behaviour (a slope, a level), dotted grey.
func (p *plot) reference(label string, x, y []float64) *plot {
	return p.add(label, report.Reference, x, y)
}

// colored gives the last series added the i-th colour of the palette, so that a bound can
// take the colour of the curve it bounds.
func (p *plot) colored(i int) *plot {
	p.lp.Series[len(p.lp.Series)-1].Color = report.Palette[i%len(report.Palette)]
	return p
}

func (p *plot) add(label string, role report.Role, x, y []float64) *plot {
	if len(x) != len(y) {
		panic(fmt.Sprintf("theory: series %q has %d x and %d y", label, len(x), len(y)))
	}
	p.lp.Series = append(p.lp.Series, report.Series{Label: label, Role: role,
		Runs: []report.Run{{X: x, Y: y}}})
	return p
}

// figure records the plot as a figure of the claim with a caption. The first figure of a
// claim is named after it, the next ones get a suffix.
func (x *Experiment) figure(p *plot, caption string) {
	name := x.ID()
	if n := len(x.out.Figures); n > 0 {
		name = fmt.Sprintf("%s-%d", name, n+1)
	}
	x.Figure(report.Figure{Chart: p.lp, Caption: caption, Name: name})
}

// constant returns a slice of n copies of v, for a horizontal line.
func constant(n int, v float64) []float64 {
	s := make([]float64, n)
	for i := range s {
		s[i] = v
	}
	return s
}

// positive returns the points of (x, y) with y > 0 and finite x, for log axes.
func positive(x, y []float64) ([]float64, []float64) {
	var px, py []float64
	for i := range y {
		if y[i] > 0 {
			px, py = append(px, x[i]), append(py, y[i])
		}
	}
	return px, py
}
