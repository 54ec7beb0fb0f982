//go:build !noasm

package vexp

import "github.com/descent-ml/descent/internal/cpu"

// useAVX512 selects expAVX512, which needs AVX-512F and, for VCVTPD2QQ, AVX-512DQ.
var useAVX512 = hasAVX512(cpu.Enabled())

// impl names the kernel that runs: "avx512" or "go".
func impl() string {
	if useAVX512 {
		return "avx512"
	}
	return "go"
}

// expAVX512 sets dst[i] = Exp1(x[i]) for i < n, n a multiple of 8.
//
//go:noescape
func expAVX512(dst, x *float64, n int)

// blocks runs the assembly on dst and x (of equal lengths, a multiple of 8) and returns
// how many values it set: all of them, or none without AVX-512.
func blocks(dst, x []float64) int {
	if !useAVX512 || len(dst) == 0 {
		return 0
	}
	x = x[:len(dst)]
	expAVX512(&dst[0], &x[0], len(dst))
	return len(dst)
}
