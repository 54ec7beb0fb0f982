package convk

import (
	"fmt"
	"math"
)

//go:generate go run ./gen -out direct_amd64.s

// maxDirectFilters bounds the filters of [Conv3x3One], whose biases it copies on the stack.
const maxDirectFilters = 256

// Conv3x3One sets y, f planes of (h−2)×(w−2), to the convolution of the single plane x
// (h×w, row-major) with the f 3×3 filters wt (f×9, as PyTorch stores the weights of a
// convolution with one input channel), stride 1, no padding, then the bias (nil: none) and,
// with relu, the rectifier: the first layer of an image classifier on grey images.
//
// Each output is the nine products of its window summed in the filter's row-major order,
// each a fused multiply-add into a sum from zero, then bias[f] added and max(·, 0) taken
// (NaN stays NaN); without the rectifier a zero bias is not added. These are the bits of an
// implicit-GEMM product on AVX-512 followed by vec.AddConstReLU (or vec.AddConst), which
// is what package tensor computes otherwise.
//
// It reports whether it ran: the kernel needs AVX-512, or AVX2 and FMA with outputs of at
// least 8 columns (as internal/cpu enables them), and f a multiple of 8, at most 256;
// otherwise y is not written and the caller computes the convolution its own way. It
// panics on slices of the wrong lengths.
//
// The kernel computes 16 adjacent outputs of two rows for 8 filters at a time: each
// weight, broadcast once, serves both rows, and the window's input vectors serve the 8
// filters. It writes y once, with the bias and the rectifier applied in registers. An
// implicit GEMM of K = 9 instead writes its tiles of C after 9 steps, into the product's
// layout (rows of w columns), which is then cropped into y and rectified in two more
// passes. On an AMD EPYC (Zen 5), for 32 filters on MNIST's 28×28 images, a sample took
// 2.7 µs (145 GFLOP/s, BenchmarkConv3x3One) against 7.8 µs that way; one row at a time,
// each weight broadcast from memory into each of its fused multiply-adds, 4.2 µs. The AVX2
// kernel computes 8 adjacent outputs of two rows for 4 filters at a time, the last 8 of a
// row from ow − 8 (computing again the outputs they share with the chunk before, rather
// than storing through masks, which AMD's Zen microcodes); on an AMD EPYC (Zen 4), one
// thread, it took 5.3-5.7 µs (69-74 GFLOP/s) against 5.3-5.4 µs for the AVX-512 kernel,
// and the CNN's first convolution ran at 54-70 GFLOP/s against 24-29 by the products
// (descent bench conv, AVX-512 masked off).
func Conv3x3One(y, x, wt, bias []float32, f, h, w int, relu bool) bool {
	oh, ow := h-2, w-2
	if f < 0 || oh < 1 || ow < 1 || len(x) != h*w || len(wt) != 9*f || len(y) != f*oh*ow || (bias != nil && len(bias) != f) {
		panic(fmt.Sprintf("convk: Conv3x3One of a %d×%d plane (%d elements) with %d filters (%d weights, %d biases) into %d elements",
			h, w, len(x), f, len(wt), len(bias), len(y)))
	}
	if !(useAVX512 || directAVX2 && ow >= 8) || f%8 != 0 || f == 0 || f > maxDirectFilters {
		return false
	}
	// The value added to each filter's outputs: its bias (0 if none) before the rectifier,
	// as vec.AddConstReLU adds it; without, a zero is not added, and −0 stands for no
	// addition (v + (−0) is v, −0 included).
	var c [maxDirectFilters]float32
	for i := range c[:f] {
		if bias != nil {
			c[i] = bias[i]
		}
		if !relu && c[i] == 0 {
			c[i] = float32(math.Copysign(0, -1))
		}
	}
	r := 0
	if relu {
		r = 1
	}
	if directAVX2 {
		conv3x3OneAVX2(&y[0], &x[0], &wt[0], &c[0], f/4, oh, ow, w, r)
	} else {
		conv3x3OneAVX512(&y[0], &x[0], &wt[0], &c[0], f/8, oh, ow, w, r)
	}
	return true
}

// Conv3x3OneGrad adds to dw (f×9) the gradient of [Conv3x3One]'s weights for one sample:
// dw[fi·9 + 3i + j] += Σ dy[fi][oy][ox] · x[(oy+i)·w + ox + j] over the (h−2)×(w−2)
// outputs, for the output gradient dy (f planes, before the rectifier's mask: the caller
// applies it) and the input plane x (h×w).
//
// With AVX-512, the sum of each weight runs in 16 lanes, lane l over the columns l, l+16, …
// of every row, the rows in order, each term a fused multiply-add; the lanes are then
// added pairwise (l with l+8, l+4, l+2, l+1) and the total added to dw. With AVX2, it runs
// in 8 lanes over chunks of 8 columns of two rows at a time, lane l over the columns l,
// l+8, … of the chunk's first row and then of its second, the lanes added pairwise (l with
// l+4, l+2, l+1). An implicit-GEMM weight gradient sums the same terms in another order:
// the results differ in their last bits.
//
// It reports whether it ran: the kernel needs AVX-512 and an even f, or AVX2 and FMA;
// otherwise dw is not written. It panics on slices of the wrong lengths.
//
// The AVX-512 kernel keeps two filters' nine sums in registers and reads each row of the
// output gradient once, with the nine input vectors under the taps. On an AMD EPYC (Zen
// 5), 32 filters on a 28×28 image took 3.9 µs (100 GFLOP/s, BenchmarkConv3x3OneGrad)
// against about 11 µs for the implicit-GEMM weight gradient, whose product has 9 columns
// of a 32-wide tile. The AVX2 kernel keeps one filter's nine sums and the three vectors of
// one input row at a time; on an AMD EPYC (Zen 4), one thread, it took 5.5-5.9 µs (66-71
// GFLOP/s) against 6.0-6.4 µs for the AVX-512 kernel.
func Conv3x3OneGrad(dw, dy, x []float32, f, h, w int) bool {
	oh, ow := h-2, w-2
	if f < 0 || oh < 1 || ow < 1 || len(x) != h*w || len(dw) != 9*f || len(dy) != f*oh*ow {
		panic(fmt.Sprintf("convk: Conv3x3OneGrad of a %d×%d plane (%d elements) with %d filters (%d weights) from %d gradients",
			h, w, len(x), f, len(dw), len(dy)))
	}
	switch {
	case useAVX512 && f%2 == 0 && f > 0:
		conv3x3OneGradAVX512(&dw[0], &dy[0], &x[0], f/2, oh, ow, w)
	case directAVX2 && f > 0:
		conv3x3OneGradAVX2(&dw[0], &dy[0], &x[0], f, oh, ow, w)
	default:
		return false
	}
	return true
}
