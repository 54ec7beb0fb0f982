package machine

import "github.com/descent-ml/descent/internal/fma"

// fmaGo is the "go" FMA loop: eight scalar accumulators, each updated iters times as
// acc = a·acc + b (a multiply and an add, which Go does not fuse on amd64), stored to out.
func fmaGo(iters int, ab *[2]float32, out []float32) {
	a, b := ab[0], ab[1]
	c0, c1, c2, c3, c4, c5, c6, c7 := b, b, b, b, b, b, b, b
	for range iters {
		c0 = a*c0 + b
		c1 = a*c1 + b
		c2 = a*c2 + b
		c3 = a*c3 + b
		c4 = a*c4 + b
		c5 = a*c5 + b
		c6 = a*c6 + b
		c7 = a*c7 + b
	}
	out = out[:goAcc]
	out[0], out[1], out[2], out[3], out[4], out[5], out[6], out[7] = c0, c1, c2, c3, c4, c5, c6, c7
}

// goAcc is the number of accumulators of fmaGo.
const goAcc = 8

// fmaTwin is the loop every assembly FMA kernel replaces: each of the n lanes of out starts
// at b and is updated iters times as acc = a·acc + b, rounded once.
func fmaTwin(iters int, ab *[2]float32, out []float32) {
	for i := range out {
		acc := ab[1]
		for range iters {
			acc = fma.Float32(ab[0], acc, ab[1])
		}
		out[i] = acc
	}
}

// triadGo sets a[i] = b[i] + s·c[i] for every i of a, the product rounded before the sum
// (the conversion keeps the compiler from fusing them).
func triadGo(a, b, c []float32, s float32) {
	b, c = b[:len(a)], c[:len(a)]
	for i := range a {
		a[i] = b[i] + float32(s*c[i])
	}
}
