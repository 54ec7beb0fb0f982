//go:build amd64 && !noasm

package vec

import "github.com/descent-ml/descent/internal/cpu"

// useAVX2 selects the assembly kernels; they need AVX2 and FMA.
var useAVX2 = cpu.Enabled().AVX2 && cpu.Enabled().FMA

// impl names the kernels that run: "avx2" (the assembly) or "go" (the twins).
func impl() string {
	if useAVX2 {
		return "avx2"
	}
	return "go"
}

// The assembly kernels process the first n elements, n a multiple of 8; the wrappers finish
// the tail with the Go twin.

//go:noescape
func addAVX2(dst, x *float32, n int)

//go:noescape
func axpyAVX2(dst *float32, a float32, x *float32, n int)

//go:noescape
func scaleAVX2(dst *float32, a float32, n int)

//go:noescape
func addConstAVX2(dst *float32, c float32, n int)

//go:noescape
func addReLUAVX2(dst, b *float32, n int)

//go:noescape
func addConstReLUAVX2(dst *float32, c float32, n int)

//go:noescape
func maskPositiveAVX2(dst, y *float32, n int)

//go:noescape
func sumAVX2(x *float32, n int) float32

//go:noescape
func expAVX2(dst, x *float32, n int)

//go:noescape
func fromBytesAVX2(dst *float32, src *uint8, scale, offset float32, n int)

func add(dst, x []float32) {
	n := len(dst) &^ 7
	if !useAVX2 || n == 0 {
		addGo(dst, x)
		return
	}
	addAVX2(&dst[0], &x[0], n)
	addGo(dst[n:], x[n:])
}

func axpy(dst []float32, a float32, x []float32) {
	n := len(dst) &^ 7
	if !useAVX2 || n == 0 {
		axpyGo(dst, a, x)
		return
	}
	axpyAVX2(&dst[0], a, &x[0], n)
	axpyGo(dst[n:], a, x[n:])
}

func scale(dst []float32, a float32) {
	n := len(dst) &^ 7
	if !useAVX2 || n == 0 {
		scaleGo(dst, a)
		return
	}
	scaleAVX2(&dst[0], a, n)
	scaleGo(dst[n:], a)
}

func addConst(dst []float32, c float32) {
	n := len(dst) &^ 7
	if !useAVX2 || n == 0 {
		addConstGo(dst, c)
		return
	}
	addConstAVX2(&dst[0], c, n)
	addConstGo(dst[n:], c)
}

func addReLU(dst, b []float32) {
	n := len(dst) &^ 7
	if !useAVX2 || n == 0 {
		addReLUGo(dst, b)
		return
	}
	addReLUAVX2(&dst[0], &b[0], n)
	addReLUGo(dst[n:], b[n:])
}

func addConstReLU(dst []float32, c float32) {
	n := len(dst) &^ 7
	if !useAVX2 || n == 0 {
		addConstReLUGo(dst, c)
		return
	}
	addConstReLUAVX2(&dst[0], c, n)
	addConstReLUGo(dst[n:], c)
}

func maskPositive(dst, y []float32) {
	n := len(dst) &^ 7
	if !useAVX2 || n == 0 {
		maskPositiveGo(dst, y)
		return
	}
	maskPositiveAVX2(&dst[0], &y[0], n)
	maskPositiveGo(dst[n:], y[n:])
}

func sum(x []float32) float32 {
	n := len(x) &^ 7
	if !useAVX2 || n == 0 {
		return sumGo(x)
	}
	s := sumAVX2(&x[0], n)
	for _, v := range x[n:] {
		s += v
	}
	return s
}

func exp(dst, x []float32) {
	if !useAVX2 {
		expGo(dst, x)
		return
	}
	n := len(dst) &^ 7
	if n > 0 {
		expAVX2(&dst[0], &x[0], n)
	}
	if tail := len(dst) - n; tail > 0 {
		// The Go twin is slow (it emulates the fused multiply-adds): run the assembly on a
		// padded copy of the tail.
		var t [8]float32
		copy(t[:], x[n:len(dst)])
		expAVX2(&t[0], &t[0], 8)
		copy(dst[n:], t[:tail])
	}
}

func fromBytes(dst []float32, src []uint8, scale, offset float32) {
	n := len(dst) &^ 7
	if !useAVX2 || n == 0 {
		fromBytesGo(dst, src, scale, offset)
		return
	}
	fromBytesAVX2(&dst[0], &src[0], scale, offset, n)
	fromBytesGo(dst[n:], src[n:], scale, offset)
}
