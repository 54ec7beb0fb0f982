package lbfgs

import (
	"math"
	"unsafe"

	"github.com/descent-ml/descent/internal/fma"
)

// The reductions of torch's L-BFGS, summed in the order of the reference build (Debian's
// PyTorch 1.13 linked to OpenBLAS 0.3.21 with its Haswell kernels, ATen's AVX2 kernels, one
// thread). Their order decides the last bit of every dot product, and the line search and
// the stopping rules turn last bits into decisions. Each function below names the code it
// follows; TestTorchOps checks them bit for bit against torch on testdata/torch_ops.json
// (written by testdata/gen_ops.py).

// dot returns a'b as torch's Tensor.dot does: OpenBLAS's sdot for float32, ddot for float64.
func dot[T Float](a, b []T) T {
	switch a := any(a).(type) {
	case []float32:
		return T(sdot(a, any(b).([]float32)))
	case []float64:
		return T(ddot(a, any(b).([]float64)))
	}
	panic("unreachable")
}

// sdot is OpenBLAS 0.3.21's kernel/x86_64/sdot.c with the Haswell micro-kernel. Blocks of 32
// go through four 8-lane accumulators of fused multiply-adds in float32, folded as the
// kernel's vextractf128/vaddps/vhaddps sequence does; the remaining n mod 32 products are
// rounded to float32 and summed in float64, starting from zero, and the blocks' float32 sum
// is added last; the float64 total is rounded to float32.
func sdot(x, y []float32) float32 {
	y = y[:len(x)]
	n1 := len(x) &^ 31
	var blocks float32
	if n1 > 0 {
		var acc [32]float32 // acc[8r+l]: lane l of accumulator r
		for i := 0; i < n1; i += 32 {
			xs, ys := x[i:i+32], y[i:i+32]
			for k := range acc {
				acc[k] = fma.Float32(xs[k], ys[k], acc[k])
			}
		}
		var h [4][4]float32 // each accumulator's low and high halves added
		for r := range h {
			for l := range h[r] {
				h[r][l] = acc[8*r+l] + acc[8*r+l+4]
			}
		}
		var c [4]float32
		for l := range c {
			c[l] = (h[0][l] + h[1][l]) + (h[2][l] + h[3][l])
		}
		blocks = (c[0] + c[1]) + (c[2] + c[3])
	}
	var s float64
	for i := n1; i < len(x); i++ {
		s += float64(y[i] * x[i])
	}
	s += float64(blocks)
	return float32(s)
}

// ddot is OpenBLAS 0.3.21's kernel/x86_64/ddot.c with the Haswell micro-kernel: blocks of 16
// through four 4-lane accumulators of fused multiply-adds, folded as the kernel does, then
// the remaining n mod 16 products added one by one (each rounded before the addition).
// OpenBLAS splits vectors of more than 10000 elements across its threads and adds the
// parts' sums; ddot does not imitate that (the split depends on the machine's core count),
// so there it is torch's on one thread and differs from a multi-threaded torch by rounding.
func ddot(x, y []float64) float64 {
	y = y[:len(x)]
	n1 := len(x) &^ 15
	var s float64
	if n1 > 0 {
		var acc [16]float64 // acc[4r+l]: lane l of accumulator r
		for i := 0; i < n1; i += 16 {
			xs, ys := x[i:i+16], y[i:i+16]
			for k := range acc {
				acc[k] = math.FMA(xs[k], ys[k], acc[k])
			}
		}
		var h [4][2]float64
		for r := range h {
			for l := range h[r] {
				h[r][l] = acc[4*r+l] + acc[4*r+l+2]
			}
		}
		c0 := (h[0][0] + h[1][0]) + (h[2][0] + h[3][0])
		c1 := (h[0][1] + h[1][1]) + (h[2][1] + h[3][1])
		s = c0 + c1
	}
	for i := n1; i < len(x); i++ {
		s += float64(y[i] * x[i]) // the conversion keeps the product rounded (no fusion)
	}
	return s
}

// absSum returns Σ|a_i| as torch's a.abs().sum() does: ATen's cascade_sum on one thread
// with AVX2 vectors (8 float32 or 4 float64 lanes).
func absSum[T Float](a []T) T {
	lanes := 8
	if _, ok := any(a).([]float64); ok {
		lanes = 4
	}
	return cascadeSum(a, lanes)
}

// cascadeSum is ATen's cascade_sum (aten/src/ATen/native/cpu/SumKernel.cpp) of |a_i| for a
// contiguous vector: with at least `lanes` elements, vectorized_inner_sum (row_sum over
// whole vectors, then a scalar sum of the leftover elements followed by the lanes of the
// vector sum); otherwise scalar_inner_sum (row_sum over the elements).
func cascadeSum[T Float](a []T, lanes int) T {
	n := len(a)
	if n < lanes {
		return rowSum(a, 1, n)[0]
	}
	vecs := n / lanes
	v := rowSum(a, lanes, vecs)
	var s T
	for _, x := range a[vecs*lanes:] {
		s += T(math.Abs(float64(x)))
	}
	for _, x := range v[:lanes] {
		s += x
	}
	return s
}

// rowSum is ATen's row_sum over m items of w lanes each (a[i*w+l] is lane l of item i): four
// interleaved partial sums (items 4j+k go to partial k) by multiRowSum, the leftover items
// added to partial 0, then partials 1 to 3 added to partial 0. It returns partial 0.
func rowSum[T Float](a []T, w, m int) [maxLanes]T {
	const ilp = 4
	rows := m / ilp
	part := multiRowSum(a, ilp*w, rows)
	for i := rows * ilp; i < m; i++ {
		for l := range w {
			part[l] += T(math.Abs(float64(a[i*w+l])))
		}
	}
	var out [maxLanes]T
	copy(out[:w], part[:w])
	for k := 1; k < ilp; k++ {
		for l := range w {
			out[l] += part[k*w+l]
		}
	}
	return out
}

const maxLanes = 8

// multiRowSum is ATen's multi_row_sum over `size` rows of width w (w ≤ 4·maxLanes): a sum of
// each column in four levels, level j taking the sum of level j-1 every 2^(j·p) rows, where
// p = max(4, ⌈log₂ size⌉/4), so that only numbers of similar magnitude meet.
func multiRowSum[T Float](a []T, w, size int) [4 * maxLanes]T {
	const levels = 4
	p := max(4, ceilLog2(size)/levels)
	step := 1 << p
	mask := step - 1
	var acc [levels][4 * maxLanes]T
	i := 0
	for i+step <= size {
		for range step {
			row := a[i*w : i*w+w]
			for k, x := range row {
				acc[0][k] += T(math.Abs(float64(x)))
			}
			i++
		}
		for j := 1; j < levels; j++ {
			for k := range w {
				acc[j][k] += acc[j-1][k]
				acc[j-1][k] = 0
			}
			if i&(mask<<(j*p)) != 0 {
				break
			}
		}
	}
	for ; i < size; i++ {
		row := a[i*w : i*w+w]
		for k, x := range row {
			acc[0][k] += T(math.Abs(float64(x)))
		}
	}
	for j := 1; j < levels; j++ {
		for k := range w {
			acc[0][k] += acc[j][k]
		}
	}
	return acc[0]
}

// ceilLog2 is ATen's CeilLog2: ⌈log₂ x⌉, and 1 for x ≤ 2.
func ceilLog2(x int) int {
	if x <= 2 {
		return 1
	}
	b := 0
	for v := uint64(x - 1); v != 0; v >>= 1 {
		b++
	}
	return b
}

// fused returns a·b + c rounded once to T.
func fused[T Float](a, b, c T) T {
	if unsafe.Sizeof(a) == 4 {
		return T(fma.Float32(float32(a), float32(b), float32(c)))
	}
	return T(math.FMA(float64(a), float64(b), float64(c)))
}
