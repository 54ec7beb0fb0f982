package problem

// dotU8Go returns Σᵢ float64(x[i])·w[i]; it is the pure-Go twin of the assembly kernels.
func dotU8Go(x []uint8, w []float64) float64 {
	w = w[:len(x)]
	var s0, s1, s2, s3 float64
	i := 0
	for ; i+4 <= len(x); i += 4 {
		s0 += float64(x[i]) * w[i]
		s1 += float64(x[i+1]) * w[i+1]
		s2 += float64(x[i+2]) * w[i+2]
		s3 += float64(x[i+3]) * w[i+3]
	}
	for ; i < len(x); i++ {
		s0 += float64(x[i]) * w[i]
	}
	return (s0 + s1) + (s2 + s3)
}

// axpyU8Go adds a·float64(x[i]) to g[i]; it is the pure-Go twin of the assembly kernels.
func axpyU8Go(g []float64, a float64, x []uint8) {
	g = g[:len(x)]
	for i, v := range x {
		g[i] += a * float64(v)
	}
}
