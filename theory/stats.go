package theory

import (
	"math"
	"math/rand/v2"
	"slices"
)

// mean returns the mean of v.
func mean(v []float64) float64 {
	s := 0.0
	for _, x := range v {
		s += x
	}
	return s / float64(len(v))
}

// meanSE returns the mean of v and its standard error (the sample standard deviation over
// √n).
func meanSE(v []float64) (m, se float64) {
	n := float64(len(v))
	m = mean(v)
	ss := 0.0
	for _, x := range v {
		ss += (x - m) * (x - m)
	}
	if len(v) < 2 {
		return m, math.NaN()
	}
	return m, math.Sqrt(ss / (n - 1) / n)
}

// median returns the median of v (which it does not modify).
func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// fitLine returns the least-squares slope and intercept of y against x.
func fitLine(x, y []float64) (slope, intercept float64) {
	mx, my := mean(x), mean(y)
	sxy, sxx := 0.0, 0.0
	for i := range x {
		sxy += (x[i] - mx) * (y[i] - my)
		sxx += (x[i] - mx) * (x[i] - mx)
	}
	slope = sxy / sxx
	return slope, my - slope*mx
}

// logSlope returns the slope of log y against log x (a power law's exponent).
func logSlope(x, y []float64) float64 {
	lx, ly := make([]float64, len(x)), make([]float64, len(y))
	for i := range x {
		lx[i], ly[i] = math.Log(x[i]), math.Log(y[i])
	}
	s, _ := fitLine(lx, ly)
	return s
}

// rSquared returns the coefficient of determination of the least-squares line of y on x.
func rSquared(x, y []float64) float64 {
	s, b := fitLine(x, y)
	my := mean(y)
	res, tot := 0.0, 0.0
	for i := range x {
		r := y[i] - (s*x[i] + b)
		res += r * r
		tot += (y[i] - my) * (y[i] - my)
	}
	return 1 - res/tot
}

// logUniform draws from the log-uniform distribution on [lo, hi].
func logUniform(r *rand.Rand, lo, hi float64) float64 {
	return math.Exp(math.Log(lo) + r.Float64()*(math.Log(hi)-math.Log(lo)))
}

// gaussian returns a vector of n standard Gaussian draws times scale.
func gaussian(r *rand.Rand, n int, scale float64) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = scale * r.NormFloat64()
	}
	return v
}

// dot returns aᵀb.
func dot(a, b []float64) float64 {
	s := 0.0
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

// norm returns ‖a‖₂.
func norm(a []float64) float64 { return math.Sqrt(dot(a, a)) }

// dist returns ‖a − b‖₂.
func dist(a, b []float64) float64 {
	s := 0.0
	for i := range a {
		d := a[i] - b[i]
		s += d * d
	}
	return math.Sqrt(s)
}

// axpy sets y ← y + a·x.
func axpy(y []float64, a float64, x []float64) {
	for i := range y {
		y[i] += a * x[i]
	}
}

// seq returns lo, lo+1, …, hi−1 as float64, the x values of a curve over iterations.
func seq(lo, hi int) []float64 {
	v := make([]float64, 0, max(hi-lo, 0))
	for i := lo; i < hi; i++ {
		v = append(v, float64(i))
	}
	return v
}

// logGrid returns n values spaced evenly in log scale from lo to hi, both included.
func logGrid(lo, hi float64, n int) []float64 {
	v := make([]float64, n)
	for i := range v {
		t := float64(i) / float64(n-1)
		v[i] = math.Exp(math.Log(lo) + t*(math.Log(hi)-math.Log(lo)))
	}
	v[0], v[n-1] = lo, hi
	return v
}

// deviations returns ‖aₙ − bₙ‖/‖bₙ‖ along two trajectories, and its largest value.
func deviations(a, b [][]float64) ([]float64, float64) {
	out := make([]float64, len(a))
	worst := 0.0
	for n := range a {
		out[n] = dist(a[n], b[n]) / math.Max(norm(b[n]), 1e-300)
		worst = math.Max(worst, out[n])
	}
	return out, worst
}
