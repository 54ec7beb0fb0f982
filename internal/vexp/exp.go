package vexp

import (
	"fmt"
	"math"

	"github.com/descent-ml/descent/internal/cpu"
)

// hasAVX512 reports whether f has the features of the assembly (amd64 only): AVX-512F,
// and AVX-512DQ for VCVTPD2QQ.
func hasAVX512(f cpu.Features) bool { return f.AVX512F && f.AVX512DQ }

// hasAVX2 reports whether f has the features of the AVX2 assembly: AVX2 and FMA.
func hasAVX2(f cpu.Features) bool { return f.AVX2 && f.FMA }

// Exp sets dst[i] = exp(x[i]) for i < len(dst), by the method of the package doc. dst may
// be x. It panics if x is shorter than dst.
func Exp(dst, x []float64) {
	if len(x) < len(dst) {
		panic(fmt.Sprintf("vexp: Exp: len(x) = %d < len(dst) = %d", len(x), len(dst)))
	}
	n := len(dst)
	m := blocks(dst[:n&^7], x[:n&^7])
	for i := m; i < n; i++ {
		dst[i] = Exp1(x[i])
	}
}

// The constants of the method: log₂e, ln 2 in two parts (math.Exp's Ln2Hi and Ln2Lo),
// the bounds of a finite, nonzero result (math.Exp's), and the Taylor coefficients 1/j!.
const (
	log2e     = 1.44269504088896338700e+00
	ln2Hi     = 6.93147180369123816490e-01
	ln2Lo     = 1.90821492927058770002e-10
	overflow  = 7.09782712893383973096e+02
	underflow = -7.45133219101941108420e+02
)

// coef holds 1/j! for j = 13 down to 0, in the order Horner's form uses them.
var coef = [14]float64{
	1.0 / 6227020800, 1.0 / 479001600, 1.0 / 39916800, 1.0 / 3628800, 1.0 / 362880,
	1.0 / 40320, 1.0 / 5040, 1.0 / 720, 1.0 / 120, 1.0 / 24, 1.0 / 6, 1.0 / 2, 1, 1,
}

// Exp1 returns exp(x) by the method of the package doc: the Go twin of the assembly.
func Exp1(x float64) float64 {
	switch {
	case x != x:
		return x
	case x > overflow:
		return math.Inf(1)
	case x < underflow:
		return 0
	}
	k := math.RoundToEven(x * log2e)
	r := math.FMA(-k, ln2Hi, x)
	r = math.FMA(-k, ln2Lo, r)
	p := coef[0]
	for _, c := range coef[1:] {
		p = math.FMA(p, r, c)
	}
	n1 := int64(k) >> 1
	n2 := int64(k) - n1
	return p * math.Float64frombits(uint64(n1+1023)<<52) * math.Float64frombits(uint64(n2+1023)<<52)
}
