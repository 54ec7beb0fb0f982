//go:build noasm || !amd64

package convk

// impl names the kernels that run: the twins only.
func impl() string { return "go" }

func poolReLU2([]float32, []int32, []float32, int, int, int, float32) bool { return false }

func unpool2([]float32, int, []float32, []float32, []int32, int, int) bool { return false }

const transposeAVX2 = false

func transpose8AVX2(dst *float32, ldd int, src *float32, lds int, rb, cb int, add bool) {}
