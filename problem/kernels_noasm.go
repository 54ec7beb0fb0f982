//go:build noasm || !amd64

package problem

func dotU8(x []uint8, w []float64) float64 { return dotU8Go(x, w) }

func axpyU8(g []float64, a float64, x []uint8) { axpyU8Go(g, a, x) }

func dot4U8(out *[4]float64, x []uint8, stride int, w []float64) { dot4U8Go(out, x, stride, w) }

func axpy4U8(y []float64, a *[4]float64, x []uint8, stride int) { axpy4U8Go(y, a, x, stride) }
