package vec

import (
	"math"

	"github.com/descent-ml/descent/internal/fma"
)

// Exp sets dst to the exponential of x, elementwise, in float32 to within 2 ulp of the
// correctly rounded result: dst[i] = exp(x[i]). It returns +Inf above 88.72, 0 below
// −87.33 (where the result would be denormal) and NaN for NaN. dst may be x.
//
// The method is Cephes' expf: exp(x) = 2ⁿ·exp(r) with n = round(x·log₂e) and
// r = x − n·ln 2 in two parts, exp(r) by a degree-6 polynomial, the power of two applied
// as two factors so that each is a normal number.
func Exp(dst, x []float32) {
	check(len(dst), len(x))
	exp(dst, x)
}

// The constants of Cephes' expf.
const (
	expHi   = 88.72283935546875  // above: +Inf
	expLo   = -87.33654022216797 // below: 0
	log2e   = 1.44269504088896341
	expC1   = 0.693359375
	expC2   = -2.12194440e-4
	expP0   = 1.9875691500e-4
	expP1   = 1.3981999507e-3
	expP2   = 8.3334519073e-3
	expP3   = 4.1665795894e-2
	expP4   = 1.6666665459e-1
	expP5   = 5.0000001201e-1
	expBias = 127
)

// expGo is the Go twin of the assembly: the same operations in the same order, each
// multiply-add rounded once as the assembly's fused ones are.
func expGo(dst, x []float32) {
	x = x[:len(dst)]
	for i, v := range x {
		dst[i] = exp1(v)
	}
}

func exp1(v float32) float32 {
	switch {
	case v != v:
		return v
	case v > expHi:
		return float32(math.Inf(1))
	case v < expLo:
		return 0
	}
	n := float32(math.RoundToEven(float64(v * log2e)))
	r := fma.Float32(n, -expC1, v)
	r = fma.Float32(n, -expC2, r)
	p := fma.Float32(expP0, r, expP1)
	p = fma.Float32(p, r, expP2)
	p = fma.Float32(p, r, expP3)
	p = fma.Float32(p, r, expP4)
	p = fma.Float32(p, r, expP5)
	z := r * r
	p = fma.Float32(p, z, r)
	p += 1
	// 2ⁿ in two factors, each a normal float32 for n in [−126, 128].
	n1 := int32(n) >> 1
	n2 := int32(n) - n1
	return p * math.Float32frombits(uint32(n1+expBias)<<23) * math.Float32frombits(uint32(n2+expBias)<<23)
}
