//go:build !amd64 || noasm

package vec

// impl names the kernels that run: the Go twins.
func impl() string { return "go" }

func add(dst, x []float32)                       { addGo(dst, x) }
func axpy(dst []float32, a float32, x []float32) { axpyGo(dst, a, x) }
func scale(dst []float32, a float32)             { scaleGo(dst, a) }
func addConst(dst []float32, c float32)          { addConstGo(dst, c) }
func addReLU(dst, b []float32)                   { addReLUGo(dst, b) }
func addConstReLU(dst []float32, c float32)      { addConstReLUGo(dst, c) }
func maskPositive(dst, y []float32)              { maskPositiveGo(dst, y) }
func sum(x []float32) float32                    { return sumGo(x) }

func exp(dst, x []float32) { expGo(dst, x) }

func fromBytes(dst []float32, src []uint8, scale, offset float32) {
	fromBytesGo(dst, src, scale, offset)
}
