package theory

import (
	"fmt"
	"math"
)

// relMargin returns (limit − obs)/|limit|, or limit − obs when the limit is 0: positive
// when obs is below the limit. NaN in, NaN out.
func relMargin(obs, limit float64) float64 {
	if math.IsNaN(obs) || math.IsNaN(limit) {
		return math.NaN()
	}
	if math.IsInf(obs, 1) && math.IsInf(limit, 1) {
		return math.NaN()
	}
	if limit == 0 || math.IsInf(limit, 0) {
		return limit - obs
	}
	return (limit - obs) / math.Abs(limit)
}

// atMost checks obs ≤ limit.
func atMost(name string, obs, limit float64) Check {
	return Check{Name: name, Observed: obs, Limit: limit, Margin: relMargin(obs, limit)}
}

// atLeast checks obs ≥ limit.
func atLeast(name string, obs, limit float64) Check {
	return Check{Name: name, Observed: obs, Limit: limit, Margin: relMargin(-obs, -limit)}
}

// within checks lo ≤ v ≤ hi; the margin is the distance to the nearer end over the width.
// Observed is v and Limit the nearer end.
func within(name string, v, lo, hi float64) Check {
	if !(lo < hi) {
		panic(fmt.Sprintf("theory: range [%v, %v] of %q is empty", lo, hi, name))
	}
	m := math.Min(v-lo, hi-v) / (hi - lo)
	lim := lo
	if hi-v < v-lo {
		lim = hi
	}
	if math.IsNaN(v) {
		m = math.NaN()
	}
	return Check{Name: name, Observed: v, Limit: lim, Margin: m}
}

// isTrue checks a condition that has no figure (a violating pair was found, a coordinate
// is exactly zero): margin 1 if it holds, −1 if not. Observed is 1 or 0.
func isTrue(name string, ok bool, where string) Check {
	c := Check{Name: name, Observed: 0, Limit: 1, Margin: -1, Where: where}
	if ok {
		c.Observed, c.Margin = 1, 1
	}
	return c
}

// curve accumulates a check over the points of a curve (or over many instances) and keeps
// the worst: add each point, then take Check.
type curve struct {
	name  string
	lower bool // obs ≥ limit instead of obs ≤ limit
	c     Check
	seen  bool
}

func upperCurve(name string) *curve { return &curve{name: name} }
func lowerCurve(name string) *curve { return &curve{name: name, lower: true} }

// add compares one point; where locates it for the report.
func (cv *curve) add(obs, limit float64, where func() string) {
	var c Check
	if cv.lower {
		c = atLeast(cv.name, obs, limit)
	} else {
		c = atMost(cv.name, obs, limit)
	}
	worse := !cv.seen || c.Margin < cv.c.Margin || (math.IsNaN(c.Margin) && !math.IsNaN(cv.c.Margin))
	if worse {
		if where != nil {
			c.Where = where()
		}
		cv.c, cv.seen = c, true
	}
}

// check returns the worst point; a curve with no point is a failed check.
func (cv *curve) check() Check {
	if !cv.seen {
		return Check{Name: cv.name, Margin: math.NaN(), Where: "no point compared"}
	}
	return cv.c
}

// at formats a location lazily.
func at(format string, args ...any) func() string {
	return func() string { return fmt.Sprintf(format, args...) }
}

// coef writes a coefficient before a symbol: nothing for 1, else the number and a dot, so
// that a criterion in force reads as the lecture writes it.
func coef(c float64) string {
	if c == 1 {
		return ""
	}
	return fmt.Sprintf("%g·", c)
}

// exponent writes a power after a symbol: nothing for 1, else ^ and the number.
func exponent(p float64) string {
	if p == 1 {
		return ""
	}
	return fmt.Sprintf("^%g", p)
}
