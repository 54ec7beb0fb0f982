package optim

import "math"

// The pure-Go element loops. With assembly (amd64 without the noasm tag and with AVX-512)
// the hot ones are replaced by the functions of kernels_amd64.s, which compute the same bits.

// allFiniteGo reports whether no element of x is NaN or infinite.
func allFiniteGo(x []float32) bool {
	var acc float32
	for _, v := range x {
		acc += v * 0 // NaN for NaN and ±Inf, 0 otherwise
	}
	return acc == 0
}

// sqrt32 is the correctly rounded float32 square root (float64's is exact enough to round
// from: 53 ≥ 2·24 + 2 bits).
func sqrt32(x float32) float32 { return float32(math.Sqrt(float64(x))) }
