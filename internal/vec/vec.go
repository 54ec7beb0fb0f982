package vec

// The exported kernels check lengths and call the assembly or Go body (vec_amd64.go,
// vec_go.go), which may assume every operand has len(dst) elements.

func check(n int, xs ...int) {
	for _, x := range xs {
		if x < n {
			panic("vec: operand shorter than destination")
		}
	}
}

// Add adds x to dst:
//
//	for i := range dst { dst[i] += x[i] }
func Add(dst, x []float32) {
	check(len(dst), len(x))
	add(dst, x)
}

// Axpy adds a·x to dst, each element a fused multiply-add rounded once (internal/fma):
//
//	for i := range dst { dst[i] = fma.Float32(a, x[i], dst[i]) }
func Axpy(dst []float32, a float32, x []float32) {
	check(len(dst), len(x))
	axpy(dst, a, x)
}

// Scale multiplies dst by a:
//
//	for i := range dst { dst[i] *= a }
func Scale(dst []float32, a float32) {
	scale(dst, a)
}

// AddConst adds c to dst:
//
//	for i := range dst { dst[i] += c }
func AddConst(dst []float32, c float32) {
	addConst(dst, c)
}

// AddReLU adds b to dst and applies the rectifier:
//
//	for i := range dst { dst[i] = max(dst[i]+b[i], 0) }
func AddReLU(dst, b []float32) {
	check(len(dst), len(b))
	addReLU(dst, b)
}

// AddConstReLU adds c to dst and applies the rectifier:
//
//	for i := range dst { dst[i] = max(dst[i]+c, 0) }
func AddConstReLU(dst []float32, c float32) {
	addConstReLU(dst, c)
}

// MaskPositive zeroes dst where y is not positive (the rectifier's backward pass in place):
//
//	for i := range dst { if !(y[i] > 0) { dst[i] = 0 } }
func MaskPositive(dst, y []float32) {
	check(len(dst), len(y))
	maskPositive(dst, y)
}

// Sum returns the sum of x, accumulated in float32 over 32 interleaved partial sums in the
// order described on sumGo, which the Go twin reproduces bit for bit.
func Sum(x []float32) float32 {
	return sum(x)
}
