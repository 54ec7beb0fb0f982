package report

import (
	"errors"
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// XKind says what the x values of a [LinePlot] count. It names the x axis and the point
// where a run diverged.
type XKind int

// The kinds of x axis.
const (
	Iterations XKind = iota // iterations of a method, "iteration"
	Steps                   // optimiser steps, "step"
	Epochs                  // epochs, "epoch"
	Seconds                 // wall-clock seconds, "wall-clock time (s)"
)

func (k XKind) label() string {
	switch k {
	case Steps:
		return "step"
	case Epochs:
		return "epoch"
	case Seconds:
		return "wall-clock time (s)"
	}
	return "iteration"
}

// divergedAt describes where a run whose first non-finite point has x value x diverged.
func (k XKind) divergedAt(x float64) string {
	switch k {
	case Steps:
		return fmt.Sprintf("diverged at step %.0f", x)
	case Epochs:
		return fmt.Sprintf("diverged in epoch %.0f", x)
	case Seconds:
		return fmt.Sprintf("diverged after %.3g s", x)
	}
	return fmt.Sprintf("diverged at iteration %.0f", x)
}

// Role says how a series is drawn.
type Role int

// The roles of a series.
const (
	// Observed: a measured curve, solid, in the next colour of the palette; a band over
	// its runs. Its first non-finite value marks it diverged.
	Observed Role = iota
	// Bound: a theoretical bound, dashed, black when it is the only bound of the plot.
	// Non-finite values (a bound infinite at n = 0) are left out, not taken as divergence.
	Bound
	// Reference: a reference behaviour (a slope, a rate), dotted grey; non-finite values
	// are left out.
	Reference
)

// A Run is one curve observed once: X increasing, Y of the same length.
type Run struct {
	X, Y []float64
	// DivergedStep, when positive, marks the run as stopped because it diverged at that
	// optimiser step; the curve ends at its last finite point and is labelled "diverged at
	// step N". A run whose Y has a NaN or an infinity is marked diverged at its first such
	// point whatever DivergedStep says, labelled with the x axis' unit.
	DivergedStep int
}

// A Series is one labelled curve of a [LinePlot]: a measurement repeated over seeds (one
// Run per seed), a bound or a reference.
type Series struct {
	Label string
	Runs  []Run
	Role  Role
	// Color overrides the colour the series takes from [Palette] (or black, for a bound).
	Color color.Color
}

// Band is what a LinePlot shades around a series observed over several runs.
type Band int

// The kinds of band.
const (
	BandStd    Band = iota // mean ± one standard deviation over the runs
	BandMinMax             // the range of the runs
	BandNone               // only the mean
)

// A LinePlot draws series against iterations, steps, epochs or seconds: training loss
// against steps, test accuracy against epochs, an observed error under its bound.
//
// A series observed over several runs (seeds) is drawn as the mean of its runs, on the x
// values of its longest run where all runs have a value (linear interpolation between a
// run's points), with a shaded band. Smoothing applies to each run before the mean.
//
// A diverged series (a NaN or an infinity, or Run.DivergedStep) stops at its last finite
// point, which a cross marks, and its legend entry and a note by the cross say where it
// diverged; over several seeds, the mean stops where the first seed diverged. Values of a
// diverged series far outside the range of the other series (the blow-up) are clipped, so
// that they never squash the axis. On a log axis, points with a value ≤ 0 are left out.
//
// The legend sits to the right of the axes, or under them when its labels are too long,
// never over the data.
type LinePlot struct {
	Title  string
	X      XKind
	XLabel string // If XLabel is "", it names the x axis from X, e.g. "step".
	YLabel string
	LogX   bool
	LogY   bool
	// Smooth, if not nil, smooths each observed run ([EMA], [Window]). A series of one run
	// is then also drawn raw, faint, under its smoothed curve, unless HideRaw is set.
	Smooth  Smoother
	HideRaw bool
	Band    Band
	Series  []Series
	// Width and Height are the size of the axes and title; a legend under the axes adds to
	// the height. If Width or Height is 0, it is DefaultWidth or DefaultHeight.
	Width, Height vg.Length
}

var _ Chart = (*LinePlot)(nil)

func (lp *LinePlot) size() (vg.Length, vg.Length) {
	w, h := lp.Width, lp.Height
	if w == 0 {
		w = DefaultWidth
	}
	if h == 0 {
		h = DefaultHeight
	}
	return w, h
}

// Size implements Chart.
func (lp *LinePlot) Size() (width, height vg.Length) {
	w, h := lp.size()
	leg := newLegendLayout(lp.legendEntries(nil), w)
	return w, h + leg.below
}

// errNoData is returned by Draw for a chart with nothing to draw.
var errNoData = errors.New("report: chart has no finite data to draw")

// Draw implements Chart.
func (lp *LinePlot) Draw(c draw.Canvas) error {
	curves, err := lp.prepare()
	if err != nil {
		return err
	}
	xr, yr := lp.ranges(curves)
	if !xr.ok || !yr.ok {
		return fmt.Errorf("%w: %q", errNoData, lp.Title)
	}
	xlabel := lp.XLabel
	if xlabel == "" {
		xlabel = lp.X.label()
	}
	p := newPlot(lp.Title, xlabel, lp.YLabel)
	setAxis(&p.X, xr, lp.LogX)
	setAxis(&p.Y, yr, lp.LogY)

	for _, cv := range curves {
		if cv.lo != nil {
			p.Add(bandPolygon(cv, yr))
		}
	}
	for _, cv := range curves {
		for _, raw := range cv.raw {
			p.Add(lineOf(raw, withAlpha(cv.color, 0.25), cv.dashes, 0.8))
		}
	}
	for _, cv := range curves {
		if len(cv.line) > 0 {
			p.Add(cv.plotLine())
		}
		if len(cv.line) == 1 && !cv.diverged { // a line of one point is not drawn: a dot is
			p.Add(&plotter.Scatter{XYs: cv.line, GlyphStyle: draw.GlyphStyle{
				Color: cv.color, Radius: vg.Points(3), Shape: draw.CircleGlyph{}}})
		}
	}
	row := 0
	for _, cv := range curves {
		if cv.diverged {
			p.Add(&divergedMark{at: cv.end, color: cv.color, note: cv.note, row: row})
			row++
		}
	}
	// Plot.Add widened the axes to every point, the clipped blow-ups too: set them back.
	setAxis(&p.X, xr, lp.LogX)
	setAxis(&p.Y, yr, lp.LogY)

	w, h := lp.size()
	leg := newLegendLayout(lp.legendEntries(curves), w)
	leg.draw(c, p, h)
	return nil
}

// plotLine returns the curve's line plotter, which also draws its legend thumbnail.
func (cv *curve) plotLine() *plotter.Line {
	width := 1.6
	if cv.role == Bound {
		width = 1.4
	}
	return lineOf(cv.line, cv.color, cv.dashes, width)
}

func lineOf(xys plotter.XYs, c color.Color, dashes []vg.Length, width float64) *plotter.Line {
	return &plotter.Line{
		XYs: xys,
		LineStyle: draw.LineStyle{
			Color:  c,
			Width:  vg.Points(width),
			Dashes: dashes,
		},
	}
}

// bandPolygon returns the shaded band of a curve. The band of a diverged curve stops where
// it leaves the y range yr, so that the blow-up does not shade the whole height.
func bandPolygon(cv *curve, yr span) *plotter.Polygon {
	n := len(cv.line)
	if cv.diverged {
		for i := range n {
			if cv.hi[i] > yr.max {
				n = i
				break
			}
		}
	}
	// Band values outside yr (below it, for a diverged curve; infinite, for a standard
	// deviation that overflowed) are clipped to it, as the canvas would clip them: an
	// infinite one could not be drawn.
	pts := make(plotter.XYs, 0, 2*n)
	for i, p := range cv.line[:n] {
		pts = append(pts, plotter.XY{X: p.X, Y: clampTo(cv.hi[i], yr, yr.max)})
	}
	for i := n - 1; i >= 0; i-- {
		pts = append(pts, plotter.XY{X: cv.line[i].X, Y: clampTo(cv.lo[i], yr, yr.min)})
	}
	return &plotter.Polygon{XYs: []plotter.XYs{pts}, Color: withAlpha(cv.color, 0.18)}
}

// setAxis sets an axis' range, scale and ticks.
func setAxis(a *plot.Axis, r span, logAxis bool) {
	a.Min, a.Max = r.min, r.max
	if logAxis {
		a.Scale = logScale{}
		a.Tick.Marker = logTicks{}
	} else {
		a.Scale = linearScale{}
		a.Tick.Marker = linearTicks{}
	}
}

// A span is a range of values, empty until the first add.
type span struct {
	min, max float64
	ok       bool
}

func (s *span) add(v float64) {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return
	}
	if !s.ok {
		s.min, s.max, s.ok = v, v, true
		return
	}
	s.min = math.Min(s.min, v)
	s.max = math.Max(s.max, v)
}

func (s span) contains(v float64) bool { return s.ok && v >= s.min && v <= s.max }

// narrow reports whether the span is one value to 12 significant digits: a constant curve,
// or one whose values differ only by rounding (an EMA of a constant is not quite constant).
// An axis over such a span is widened: its ticks could not tell its values apart.
func (s span) narrow() bool {
	return s.ok && halfSpan(s.min, s.max) <= 0.5e-12*math.Max(math.Abs(s.min), math.Abs(s.max))
}

// widened returns s stretched by frac of its width on both sides (in decades on a log
// scale), and made wider still when it is narrow: by 5% of its value, or 0.5 around 0 (a
// tenth of a decade on a log scale). The ends stay finite, and positive on a log scale.
func (s span) widened(frac float64, logAxis bool) span {
	if !s.ok {
		return s
	}
	if logAxis {
		lo, hi := log10(s.min), log10(s.max)
		d := math.Max((hi-lo)*frac, 0.05)
		r := span{clampPositive(math.Pow(10, lo-d)), clampPositive(math.Pow(10, hi+d)), true}
		if !(r.min < r.max) { // both ends at the smallest or the largest float64
			if r.max <= math.MaxFloat64/10 {
				r.max = 10 * r.min
			} else {
				r.min = r.max / 10
			}
		}
		return r
	}
	d := 2 * frac * halfSpan(s.min, s.max)
	if s.narrow() {
		d = math.Max(d, 0.05*math.Max(math.Abs(s.min), math.Abs(s.max)))
	}
	if d == 0 {
		d = 0.5
	}
	return span{clampFinite(s.min - d), clampFinite(s.max + d), true}
}

// clampFinite returns v, or the largest finite float64 of its sign when v is infinite.
func clampFinite(v float64) float64 { return math.Max(-math.MaxFloat64, math.Min(v, math.MaxFloat64)) }

// clampPositive returns v within the positive float64s.
func clampPositive(v float64) float64 {
	return math.Max(math.SmallestNonzeroFloat64, math.Min(v, math.MaxFloat64))
}
