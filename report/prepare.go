package report

import (
	"fmt"
	"image/color"
	"math"
	"sort"

	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// A curve is a series made ready to draw: finite, cut where it diverged, smoothed and
// reduced over its runs.
type curve struct {
	label  string
	role   Role
	color  color.Color
	dashes []vg.Length
	line   plotter.XYs   // the curve: the run, or the mean of the runs
	lo, hi []float64     // the band around line, nil when none
	raw    []plotter.XYs // unsmoothed runs drawn faint under line
	// diverged curves end at end with a note saying where.
	diverged bool
	note     string
	end      plotter.XY
}

// cleanRun is one run made finite.
type cleanRun struct {
	x, y     []float64
	diverged bool
	divX     float64 // x of the first non-finite point, or of the last point
	note     string
}

// prepare turns the series into curves. It returns an error for a series whose x values
// are not increasing; it panics on a run whose X and Y lengths differ.
func (lp *LinePlot) prepare() ([]*curve, error) {
	var curves []*curve
	observed, bounds := 0, 0
	for _, s := range lp.Series {
		if s.Role == Bound {
			bounds++
		}
	}
	for si, s := range lp.Series {
		cv := &curve{label: s.Label, role: s.Role}
		if cv.label == "" {
			cv.label = fmt.Sprintf("series %d", si+1)
		}
		switch s.Role {
		case Observed:
			cv.color, cv.dashes = seriesStyle(observed)
			observed++
		case Bound:
			cv.color, cv.dashes = color.Black, boundDashes
			if bounds > 1 {
				c, _ := seriesStyle(observed)
				observed++
				cv.color = c
			}
		case Reference:
			cv.color, cv.dashes = gray(0.45), referenceDashes
		default:
			panic(fmt.Sprintf("report: series %q has unknown role %d", s.Label, s.Role))
		}
		if s.Color != nil {
			cv.color = s.Color
		}
		var runs []cleanRun
		for ri, r := range s.Runs {
			if len(r.X) != len(r.Y) {
				panic(fmt.Sprintf("report: series %q run %d has %d x and %d y values", s.Label, ri, len(r.X), len(r.Y)))
			}
			cr, err := lp.clean(r, s.Role)
			if err != nil {
				return nil, fmt.Errorf("report: series %q run %d: %w", cv.label, ri, err)
			}
			runs = append(runs, cr)
		}
		lp.reduce(cv, runs)
		curves = append(curves, cv)
	}
	return curves, nil
}

// clean cuts an observed run at its first non-finite point and leaves out what a log axis
// cannot show; a bound or reference only loses its non-finite points.
func (lp *LinePlot) clean(r Run, role Role) (cleanRun, error) {
	var cr cleanRun
	n := len(r.X)
	if role == Observed {
		for i := range r.X {
			if !finite(r.X[i]) || !finite(r.Y[i]) {
				n = i
				cr.diverged = true
				cr.divX = r.X[i]
				if !finite(cr.divX) && i > 0 {
					cr.divX = r.X[i-1]
				}
				cr.note = lp.X.divergedAt(cr.divX)
				break
			}
		}
	}
	if r.DivergedStep > 0 && role == Observed {
		if !cr.diverged && n > 0 {
			cr.divX = r.X[n-1]
		}
		cr.diverged = true
		cr.note = fmt.Sprintf("diverged at step %d", r.DivergedStep)
	}
	last := math.Inf(-1)
	for i := 0; i < n; i++ {
		x, y := r.X[i], r.Y[i]
		if !finite(x) || !finite(y) || lp.LogX && x <= 0 || lp.LogY && y <= 0 {
			continue
		}
		if x < last {
			return cr, fmt.Errorf("x values are not increasing (%v after %v)", x, last)
		}
		last = x
		cr.x = append(cr.x, x)
		cr.y = append(cr.y, y)
	}
	return cr, nil
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// reduce smooths the runs of a series and reduces them to its curve.
func (lp *LinePlot) reduce(cv *curve, runs []cleanRun) {
	smooth := lp.Smooth != nil && cv.role == Observed
	var live []cleanRun
	cut := math.Inf(1)
	for _, r := range runs {
		if r.diverged {
			cv.diverged = true
			if r.divX < cut || cv.note == "" {
				cut = math.Min(cut, r.divX)
				cv.note = r.note
			}
		}
		if len(r.x) > 0 {
			live = append(live, r)
		}
	}
	if cv.diverged && len(runs) > 1 {
		k := 0
		for _, r := range runs {
			if r.diverged {
				k++
			}
		}
		cv.note += fmt.Sprintf(", %d of %d seeds", k, len(runs))
	}
	if cv.diverged {
		// Cut every seed at the first divergence; a seed with no point before it drops out.
		kept := live[:0]
		for _, r := range live {
			if r = r.upTo(cut); len(r.x) > 0 {
				kept = append(kept, r)
			}
		}
		live = kept
	}
	if smooth {
		for i, r := range live {
			if len(live) == 1 && !lp.HideRaw {
				cv.raw = append(cv.raw, xys(r.x, r.y))
			}
			sy := make([]float64, len(r.y))
			lp.Smooth.Smooth(sy, r.y)
			live[i].y = sy
		}
	}
	switch {
	case len(live) == 0:
	case len(live) == 1:
		cv.line = xys(live[0].x, live[0].y)
	default:
		cv.line, cv.lo, cv.hi = lp.mean(live)
	}
	cv.dropUndrawable(lp.LogX, lp.LogY)
	if cv.diverged {
		cv.end = plotter.XY{X: cut, Y: math.NaN()}
		if n := len(cv.line); n > 0 {
			cv.end = cv.line[n-1]
		}
	}
}

// dropUndrawable leaves out the points of the curve that smoothing or the mean over runs
// made infinite or NaN (sums of values near the float64 limit, 1e308, overflow) or, on a
// log axis, zero (an average of subnormal values, 5e-324, rounds to it). The band of a kept
// point may still be infinite or zero; bandPolygon clips it.
func (cv *curve) dropUndrawable(logX, logY bool) {
	kept := 0
	for i, p := range cv.line {
		if !finite(p.X) || !finite(p.Y) || logX && p.X <= 0 || logY && p.Y <= 0 {
			continue
		}
		cv.line[kept] = p
		if cv.lo != nil {
			cv.lo[kept], cv.hi[kept] = cv.lo[i], cv.hi[i]
		}
		kept++
	}
	cv.line = cv.line[:kept]
	if cv.lo != nil {
		cv.lo, cv.hi = cv.lo[:kept], cv.hi[:kept]
	}
}

// upTo returns the run's points with x ≤ cut.
func (r cleanRun) upTo(cut float64) cleanRun {
	n := sort.SearchFloat64s(r.x, math.Nextafter(cut, math.Inf(1)))
	r.x, r.y = r.x[:n], r.y[:n]
	return r
}

func xys(x, y []float64) plotter.XYs {
	pts := make(plotter.XYs, len(x))
	for i := range x {
		pts[i] = plotter.XY{X: x[i], Y: y[i]}
	}
	return pts
}

// mean reduces several runs to their mean and band on the x values of the longest run that
// all runs cover.
func (lp *LinePlot) mean(runs []cleanRun) (line plotter.XYs, lo, hi []float64) {
	longest := 0
	from, to := math.Inf(-1), math.Inf(1)
	for i, r := range runs {
		if len(r.x) > len(runs[longest].x) {
			longest = i
		}
		from = math.Max(from, r.x[0])
		to = math.Min(to, r.x[len(r.x)-1])
	}
	if from > to { // the runs do not overlap: show the longest alone
		r := runs[longest]
		return xys(r.x, r.y), nil, nil
	}
	vals := make([]float64, len(runs))
	for _, x := range runs[longest].x {
		if x < from || x > to {
			continue
		}
		sum := 0.0
		for j, r := range runs {
			vals[j] = r.at(x)
			sum += vals[j]
		}
		m := sum / float64(len(runs))
		line = append(line, plotter.XY{X: x, Y: m})
		var l, h float64
		switch lp.Band {
		case BandStd:
			ss := 0.0
			for _, v := range vals {
				ss += (v - m) * (v - m)
			}
			sd := math.Sqrt(ss / float64(len(vals)-1))
			l, h = m-sd, m+sd
			if lp.LogY && l <= 0 {
				l = minOf(vals)
			}
		case BandMinMax:
			l, h = minOf(vals), maxOf(vals)
		}
		lo, hi = append(lo, l), append(hi, h)
	}
	if lp.Band == BandNone {
		lo, hi = nil, nil
	}
	return line, lo, hi
}

// at returns the run's value at x, interpolated linearly; x is within the run's range.
func (r cleanRun) at(x float64) float64 {
	i := sort.SearchFloat64s(r.x, x)
	if i < len(r.x) && r.x[i] == x {
		return r.y[i]
	}
	x0, x1 := r.x[i-1], r.x[i]
	t := (x - x0) / (x1 - x0)
	return r.y[i-1] + t*(r.y[i]-r.y[i-1])
}

func minOf(v []float64) float64 {
	m := v[0]
	for _, x := range v[1:] {
		m = math.Min(m, x)
	}
	return m
}

func maxOf(v []float64) float64 {
	m := v[0]
	for _, x := range v[1:] {
		m = math.Max(m, x)
	}
	return m
}

// ranges returns the axis ranges: every point of the curves that did not diverge, and the
// points of diverged curves that lie within a quarter of that range of it (in decades on a
// log axis). When every curve diverged, their points up to ten times their first value
// count instead. Diverged curves are clipped to the range and their cross sits on its edge.
func (lp *LinePlot) ranges(curves []*curve) (xr, yr span) {
	for _, cv := range curves {
		for _, p := range cv.line {
			xr.add(p.X)
		}
		for _, raw := range cv.raw {
			for _, p := range raw {
				xr.add(p.X)
			}
		}
		if cv.diverged && (!lp.LogX || cv.end.X > 0) {
			xr.add(cv.end.X)
		}
	}
	for _, cv := range curves {
		if !cv.diverged {
			addY(&yr, cv, lp.LogY)
		}
	}
	if yr.ok {
		limit := yr.widened(0.25, lp.LogY)
		for _, cv := range curves {
			if cv.diverged {
				for _, p := range cv.line {
					if limit.contains(p.Y) {
						yr.add(p.Y)
					}
				}
			}
		}
	} else {
		for _, cv := range curves {
			if len(cv.line) == 0 {
				continue
			}
			first := math.Abs(cv.line[0].Y)
			for _, p := range cv.line {
				if math.Abs(p.Y) > 10*first && first > 0 {
					break
				}
				yr.add(p.Y)
			}
		}
	}
	if xr.narrow() {
		xr = xr.widened(0, lp.LogX)
	}
	if yr.narrow() {
		yr = yr.widened(0, lp.LogY)
	}
	if xr.ok && yr.ok {
		for _, cv := range curves {
			if cv.diverged {
				cv.end.X = clampTo(cv.end.X, xr, xr.min)
				cv.end.Y = clampTo(cv.end.Y, yr, yr.max)
			}
		}
	}
	return xr, yr
}

// clampTo returns v clamped to the span s, or nan when v is NaN.
func clampTo(v float64, s span, nan float64) float64 {
	switch {
	case math.IsNaN(v):
		return nan
	case v > s.max:
		return s.max
	case v < s.min:
		return s.min
	}
	return v
}

// addY adds every y value of a curve (line, band, raw runs) to yr, but for those at or
// below zero on a log axis (a band's low end, when smoothing rounded a value to 0).
func addY(yr *span, cv *curve, logY bool) {
	add := func(v float64) {
		if !logY || v > 0 {
			yr.add(v)
		}
	}
	for i, p := range cv.line {
		add(p.Y)
		if cv.lo != nil {
			add(cv.lo[i])
			add(cv.hi[i])
		}
	}
	for _, raw := range cv.raw {
		for _, p := range raw {
			add(p.Y)
		}
	}
}
