package report

import (
	"math"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
)

// linearTicks label a linear axis at three to seven round values (steps of 1, 2, 2.5 or 5
// times a power of ten), with a minor tick between labels, written with the fewest digits:
// "250", not "250.00".
type linearTicks struct{}

var _ plot.Ticker = linearTicks{}

// Ticks implements plot.Ticker.
func (linearTicks) Ticks(min, max float64) []plot.Tick {
	span := max - min
	if !(span > 0) || math.IsInf(span, 0) {
		return plot.DefaultTicks{}.Ticks(min, max)
	}
	mag := math.Pow(10, math.Floor(math.Log10(span/5)))
	step := 10 * mag
	for _, m := range []float64{1, 2, 2.5, 5} {
		if span/(m*mag) <= 7 {
			step = m * mag
			break
		}
	}
	var ticks []plot.Tick
	first := math.Ceil(min/step - 1e-9)
	for i := first - 1; i*step <= max+step*1e-9; i++ {
		v := i * step
		if v >= min-step*1e-9 {
			ticks = append(ticks, plot.Tick{Value: v, Label: FormatValue(v, 6)})
		}
		if half := v + step/2; half >= min && half <= max {
			ticks = append(ticks, plot.Tick{Value: half})
		}
	}
	return ticks
}

// logTicks marks a log axis: labels at powers of ten (0.001, 1e-6) with minor ticks between when
// the axis spans three decades or more; labels at 1, 2 and 5 times powers of ten when it
// spans less; and plain linear ticks when even those would give fewer than three labels.
type logTicks struct{}

var _ plot.Ticker = logTicks{}

// Ticks implements plot.Ticker.
func (logTicks) Ticks(min, max float64) []plot.Tick {
	lo, hi := math.Floor(math.Log10(min)), math.Ceil(math.Log10(max))
	var ticks []plot.Tick
	if math.Log10(max/min) >= 3 {
		step := 1.0 // decades between labels, for at most ten labels
		for _, st := range []float64{1, 2, 5, 10, 20, 50, 100} {
			step = st
			if (hi-lo)/st <= 10 {
				break
			}
		}
		for e := lo; e <= hi; e++ {
			v := math.Pow(10, e)
			label := ""
			if math.Mod(e, step) == 0 {
				label = decade(int(e))
			}
			ticks = append(ticks, plot.Tick{Value: v, Label: label})
			if step == 1 && e < hi {
				for m := 2.0; m < 10; m++ {
					ticks = append(ticks, plot.Tick{Value: m * v})
				}
			}
		}
		return ticks
	}
	labelled := 0
	for e := lo; e <= hi; e++ {
		p := math.Pow(10, e)
		for m := 1.0; m < 10; m++ {
			v := m * p
			tick := plot.Tick{Value: v}
			if (m == 1 || m == 2 || m == 5) && v >= min && v <= max {
				tick.Label = FormatValue(v, 3)
				labelled++
			}
			ticks = append(ticks, tick)
		}
	}
	if labelled >= 3 {
		return ticks
	}
	return linearTicks{}.Ticks(min, max)
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
