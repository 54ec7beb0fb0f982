package report

import (
	"math"

	"gonum.org/v1/plot"
)

// linearScale is plot.LinearScale without its overflow: an axis from −1e308 to 1e308 is
// 2e308 wide, past the float64 range, and plot.LinearScale puts every point at 0 or NaN.
type linearScale struct{}

var _ plot.Normalizer = linearScale{}

// Normalize implements plot.Normalizer: x's fraction of the way from min to max.
func (linearScale) Normalize(min, max, x float64) float64 { return unit(x, min, max) }

// unit returns x's fraction of the way from lo to hi (0 at lo, 1 at hi), computed in halves
// when the differences overflow.
func unit(x, lo, hi float64) float64 {
	if w := hi - lo; finite(w) && finite(x-lo) {
		return (x - lo) / w
	}
	return (x/2 - lo/2) / halfSpan(lo, hi)
}

// halfSpan returns (hi − lo)/2 without overflow: (1e308 − (−1e308))/2 is 1e308, not +Inf.
func halfSpan(lo, hi float64) float64 { return hi/2 - lo/2 }

// logScale is plot.LogScale with logarithms that are right for subnormal values too. Like
// plot.LogScale, it panics on a value that is not positive: the charts leave those out of
// log axes.
type logScale struct{}

var _ plot.Normalizer = logScale{}

// Normalize implements plot.Normalizer: the fraction of the decades from min to max that lie
// between min and x.
func (logScale) Normalize(min, max, x float64) float64 {
	if !(min > 0 && max > 0 && x > 0) {
		panic("report: a log axis has a value that is not positive")
	}
	lo := log10(min)
	return (log10(x) - lo) / (log10(max) - lo)
}

// log10 is math.Log10, right also for subnormal x (below 2.2e-308), for which math.Log on
// amd64 is not: it returns −709.09 for 5e-324 instead of −744.44 (Go issue 56600). The
// subnormal is scaled by 2⁵⁴, exactly, into the normal range.
func log10(x float64) float64 {
	if x > 0 && x < 0x1p-1022 {
		return math.Log10(x*0x1p54) - 54*math.Log10(2)
	}
	return math.Log10(x)
}

// pow10 returns 10^e for an integer e, right also where it is subnormal.
func pow10(e int) float64 {
	if e < -300 {
		return math.Pow10(e+300) / 1e300 // a correctly rounded division
	}
	return math.Pow10(e)
}
