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

// dot4U8Go sets out[r] = Σⱼ float64(x[r·stride+j])·w[j] for the four rows r < 4; it is
// the pure-Go twin of the assembly kernels.
func dot4U8Go(out *[4]float64, x []uint8, stride int, w []float64) {
	n := len(w)
	for r := range 4 {
		out[r] = dotU8Go(x[r*stride:r*stride+n], w)
	}
}

// axpy4U8Go adds Σᵣ a[r]·float64(x[r·stride+j]) to y[j] for the four rows r < 4; it is the
// pure-Go twin of the assembly kernels.
func axpy4U8Go(y []float64, a *[4]float64, x []uint8, stride int) {
	n := len(y)
	x0, x1, x2, x3 := x[:n], x[stride:stride+n], x[2*stride:2*stride+n], x[3*stride:3*stride+n]
	for j := range y {
		v := y[j] + a[0]*float64(x0[j])
		v += a[1] * float64(x1[j])
		v += a[2] * float64(x2[j])
		y[j] = v + a[3]*float64(x3[j])
	}
}
