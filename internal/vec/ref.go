package vec

import "github.com/descent-ml/descent/internal/fma"

// The Go bodies of the kernels: the reference the assembly is tested against, and the
// implementation under -tags noasm and on other architectures.

func addGo(dst, x []float32) {
	x = x[:len(dst)]
	for i := range dst {
		dst[i] += x[i]
	}
}

func axpyGo(dst []float32, a float32, x []float32) {
	x = x[:len(dst)]
	for i := range dst {
		dst[i] = fma.Float32(a, x[i], dst[i])
	}
}

func scaleGo(dst []float32, a float32) {
	for i := range dst {
		dst[i] *= a
	}
}

func addConstGo(dst []float32, c float32) {
	for i := range dst {
		dst[i] += c
	}
}

func addReLUGo(dst, b []float32) {
	b = b[:len(dst)]
	for i := range dst {
		dst[i] = max(dst[i]+b[i], 0)
	}
}

func addConstReLUGo(dst []float32, c float32) {
	for i := range dst {
		dst[i] = max(dst[i]+c, 0)
	}
}

func maskPositiveGo(dst, y []float32) {
	y = y[:len(dst)]
	for i := range dst {
		if !(y[i] > 0) {
			dst[i] = 0
		}
	}
}

// sumGo adds x in the order of the assembly: 32 partial sums over blocks of 32 (four
// vectors of eight lanes), the four vectors added as (v0+v1)+(v2+v3), then blocks of eight
// into that vector, its lanes reduced pairwise (l+4, then l+2, then l+1), then the tail.
func sumGo(x []float32) float32 {
	var p [32]float32
	i := 0
	for ; i+32 <= len(x); i += 32 {
		for l := range p {
			p[l] += x[i+l]
		}
	}
	var v [8]float32
	for l := range v {
		v[l] = (p[l] + p[8+l]) + (p[16+l] + p[24+l])
	}
	for ; i+8 <= len(x); i += 8 {
		for l := range v {
			v[l] += x[i+l]
		}
	}
	for w := 4; w > 0; w /= 2 {
		for l := 0; l < w; l++ {
			v[l] += v[l+w]
		}
	}
	s := v[0]
	for ; i < len(x); i++ {
		s += x[i]
	}
	return s
}
