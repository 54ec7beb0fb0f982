package report

import (
	"math"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
)

// maxTicks bounds the number of ticks, labelled and minor, that a ticker of the package
// returns, whatever its range: every loop below counts its ticks before it runs. The widest
// case is a log axis of ten decades, with eight minor ticks in each: 91 ticks.
const maxTicks = 100

// exactSteps bounds the multiples k of a tick step that linearTicks uses: below 2⁵⁰, k·step
// is a distinct float64 for each k, so consecutive ticks never collide.
const exactSteps = 1 << 50

// tickRange returns min and max in order, and false when either is NaN or infinite: such a
// range has no ticks.
func tickRange(min, max float64) (lo, hi float64, ok bool) {
	if !finite(min) || !finite(max) {
		return 0, 0, false
	}
	if min > max {
		min, max = max, min
	}
	return min, max, true
}

// linearTicks label a linear axis at three to seven round values (steps of 1, 2, 2.5 or 5
// times a power of ten), with a minor tick between labels, written with the fewest digits:
// "250", not "250.00". A range too narrow for such steps (two neighbouring float64s) gets a
// labelled tick at each end; a range of one value one tick; a range with a NaN or an
// infinity none.
type linearTicks struct{}

var _ plot.Ticker = linearTicks{}

// Ticks implements plot.Ticker.
func (linearTicks) Ticks(min, max float64) []plot.Tick {
	lo, hi, ok := tickRange(min, max)
	if !ok {
		return nil
	}
	if lo == hi {
		return []plot.Tick{{Value: lo, Label: FormatValue(lo, 6)}}
	}
	half := halfSpan(lo, hi)
	mag := pow10(int(math.Floor(log10(half / 2.5)))) // 10^⌊log₁₀(span/5)⌋
	step := 10 * mag
	for _, m := range []float64{1, 2, 2.5, 5} {
		if half/(m*mag) <= 3.5 { // span/step ≤ 7
			step = m * mag
			break
		}
	}
	if !(step > 0) || !finite(step) {
		return endTicks(lo, hi)
	}
	// The labels are k·step for k from first to last; k stays far below 2⁵³, so k++
	// always advances and k·step never repeats.
	first, last := math.Ceil(lo/step-1e-9), math.Floor(hi/step+1e-9)
	if !(math.Abs(first) < exactSteps && math.Abs(last) < exactSteps) || last-first+1 > maxTicks/2 {
		return endTicks(lo, hi)
	}
	digits := labelDigits(lo, hi, step)
	ticks := make([]plot.Tick, 0, 2*int(last-first+2))
	if v := (first - 0.5) * step; v >= lo && v <= hi {
		ticks = append(ticks, plot.Tick{Value: v}) // the minor tick before the first label
	}
	for k := first; k <= last; k++ {
		v := k * step
		if v == 0 {
			v = 0 // not −0, which FormatValue writes "-0"
		}
		ticks = append(ticks, plot.Tick{Value: v, Label: FormatValue(v, digits)})
		if half := (k + 0.5) * step; half >= lo && half <= hi {
			ticks = append(ticks, plot.Tick{Value: half})
		}
	}
	return ticks
}

// labelDigits returns the significant digits that write the multiples of step in [lo, hi]
// apart: 6, or more when the labels are close relative to their size (1.0000001 and
// 1.0000002), up to the 17 that tell any two float64s apart.
func labelDigits(lo, hi, step float64) int {
	big := math.Max(math.Abs(lo), math.Abs(hi))
	need := int(math.Floor(log10(big))-math.Floor(log10(step))) + 2 // a step of 2.5 needs one more digit
	return min(max(need, 6), 17)
}

// endTicks labels the two ends of a range too narrow for round steps, each with the fewest
// digits that tell them apart.
func endTicks(lo, hi float64) []plot.Tick {
	digits := 6
	for digits < 17 && FormatValue(lo, digits) == FormatValue(hi, digits) {
		digits++
	}
	return []plot.Tick{{Value: lo, Label: FormatValue(lo, digits)}, {Value: hi, Label: FormatValue(hi, digits)}}
}

// logTicks marks a log axis: labels at powers of ten (0.001, 1e-6) with minor ticks between when
// the axis spans three decades or more; labels at 1, 2 and 5 times powers of ten when it
// spans less; and plain linear ticks when even those would give fewer than three labels. A
// log axis has no ticks at or below zero: a range that is not positive has none.
type logTicks struct{}

var _ plot.Ticker = logTicks{}

// Ticks implements plot.Ticker.
func (logTicks) Ticks(min, max float64) []plot.Tick {
	lo, hi, ok := tickRange(min, max)
	if !ok || !(lo > 0) {
		return nil
	}
	llo, lhi := log10(lo), log10(hi)
	elo, ehi := math.Floor(llo), math.Ceil(lhi) // in [−324, 309]
	decades := int(ehi - elo)
	var ticks []plot.Tick
	if lhi-llo >= 3 {
		step := 1 // decades between labels, for at most ten labels
		for _, st := range []int{1, 2, 5, 10, 20, 50, 100} {
			step = st
			if decades <= 10*st {
				break
			}
		}
		// Unlabelled decades get a tick of their own unless there are too many of them.
		every := decades <= maxTicks/2
		for i := 0; i <= decades; i++ {
			e := int(elo) + i
			label := ""
			if e%step == 0 {
				label = decade(e)
			} else if !every {
				continue
			}
			v := pow10(e)
			ticks = append(ticks, plot.Tick{Value: v, Label: label})
			if step == 1 && i < decades {
				for m := 2.0; m < 10; m++ {
					ticks = append(ticks, plot.Tick{Value: m * v})
				}
			}
		}
		return within(ticks, lo, hi)
	}
	labelled := 0
	for i := 0; i <= decades; i++ { // at most five decades: 45 ticks
		p := pow10(int(elo) + i)
		for m := 1.0; m < 10; m++ {
			v := m * p
			if v < lo*(1-1e-9) || v > hi*(1+1e-9) || !finite(v) {
				continue
			}
			tick := plot.Tick{Value: v}
			if m == 1 || m == 2 || m == 5 {
				tick.Label = FormatValue(v, 3)
				labelled++
			}
			ticks = append(ticks, tick)
		}
	}
	if labelled >= 3 {
		return ticks
	}
	return within(linearTicks{}.Ticks(lo, hi), lo, hi)
}

// within returns the ticks with a value in [lo, hi] (give or take a rounding error: 10^-30
// is not 1e-30), finite and positive: those a log axis can place (a power of ten past the
// float64 range is 0 or +Inf).
func within(ticks []plot.Tick, lo, hi float64) []plot.Tick {
	lo, hi = lo*(1-1e-9), hi*(1+1e-9)
	kept := ticks[:0]
	for _, t := range ticks {
		if t.Value > 0 && t.Value >= lo && t.Value <= hi && finite(t.Value) {
			kept = append(kept, t)
		}
	}
	return kept
}

// decade labels 10^e: "0.001" … "1000" for |e| ≤ 3, else "1e-6", "1e5".
func decade(e int) string {
	if e >= -3 && e <= 3 {
		return strconv.FormatFloat(math.Pow(10, float64(e)), 'f', -1, 64)
	}
	return "1e" + strconv.Itoa(e)
}

// FormatValue formats v with at most digits significant digits, short and plain: 0.001 as
// "0.001", 3e-05 as "3e-5", 1.5e+06 as "1.5e6", and "NaN", "+Inf", "-Inf". It is how the
// report writes numbers in charts and tables.
func FormatValue(v float64, digits int) string {
	switch {
	case math.IsNaN(v):
		return "NaN"
	case math.IsInf(v, 1):
		return "+Inf"
	case math.IsInf(v, -1):
		return "-Inf"
	}
	s := strconv.FormatFloat(v, 'g', digits, 64)
	if i := strings.IndexByte(s, 'e'); i >= 0 {
		mant, exp := s[:i], s[i+1:]
		sign := ""
		if exp[0] == '-' {
			sign = "-"
		}
		exp = strings.TrimLeft(exp[1:], "0")
		s = mant + "e" + sign + exp
	}
	return s
}
