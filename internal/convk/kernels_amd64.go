//go:build !noasm

package convk

import "github.com/descent-ml/descent/internal/cpu"

// useAVX2 selects the assembly kernels.
var useAVX2 = cpu.Enabled().AVX2

// impl names the kernels that run: "avx2" (the assembly) or "go" (the twins).
func impl() string {
	if useAVX2 {
		return "avx2"
	}
	return "go"
}

// poolReLU2AVX2 is poolReLU2Go on rows 0..2ph−1 and columns 0..2pw−1 of src; it returns
// false, with its results to be discarded, if an element plus bias is NaN.
//
//go:noescape
func poolReLU2AVX2(y *float32, idx *int32, src *float32, ld, ph, pw, ow int, bias float32) bool

// unpool2AVX2 is unpool2Go on rows 0..2ph−1 and columns 0..2pw−1 of dst, which it writes
// all of.
//
//go:noescape
func unpool2AVX2(dst *float32, ld int, grad, y *float32, idx *int32, ph, pw, ow int)

// poolReLU2 runs the assembly, reporting false where the twin must run instead.
func poolReLU2(y []float32, idx []int32, src []float32, ld, oh, ow int, bias float32) bool {
	if !useAVX2 {
		return false
	}
	return poolReLU2AVX2(&y[0], &idx[0], &src[0], ld, oh/2, ow/2, ow, bias)
}

// unpool2 runs the assembly and clears a last odd row and column, reporting false where
// the twin must run instead.
func unpool2(dst []float32, ld int, g, y []float32, idx []int32, oh, ow int) bool {
	if !useAVX2 {
		return false
	}
	unpool2AVX2(&dst[0], ld, &g[0], &y[0], &idx[0], oh/2, ow/2, ow)
	if oh%2 == 1 {
		clear(dst[(oh-1)*ld : (oh-1)*ld+ow])
	}
	if ow%2 == 1 {
		for r := range oh {
			dst[r*ld+ow-1] = 0
		}
	}
	return true
}

// transposeAVX2 selects Transpose's kernel.
var transposeAVX2 = useAVX2

// transpose8AVX2 transposes rb×cb blocks of 8×8 of src (rows lds apart) into dst (rows ldd
// apart), storing or adding.
//
//go:noescape
func transpose8AVX2(dst *float32, ldd int, src *float32, lds int, rb, cb int, add bool)
