//go:build noasm || !amd64

package problem

func dotU8(x []uint8, w []float64) float64 { return dotU8Go(x, w) }

func axpyU8(g []float64, a float64, x []uint8) { axpyU8Go(g, a, x) }
