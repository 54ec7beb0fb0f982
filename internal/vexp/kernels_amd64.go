//go:build !noasm

package vexp

import "github.com/descent-ml/descent/internal/cpu"

// useAVX512 selects expAVX512, which needs AVX-512F and, for VCVTPD2QQ, AVX-512DQ;
// without it, useAVX2 selects expAVX2 (AVX2 and FMA).
var (
	useAVX512 = hasAVX512(cpu.Enabled())
	useAVX2   = !useAVX512 && hasAVX2(cpu.Enabled())
)

// impl names the kernel that runs: "avx512", "avx2" or "go".
func impl() string {
	switch {
	case useAVX512:
		return "avx512"
	case useAVX2:
		return "avx2"
	}
	return "go"
}

// expAVX2 is expAVX512 on AVX2: n a multiple of 4, the same bits.
//
//go:noescape
func expAVX2(dst, x *float64, n int)

// expAVX512 sets dst[i] = Exp1(x[i]) for i < n, n a multiple of 8.
//
//go:noescape
func expAVX512(dst, x *float64, n int)

// blocks runs the assembly on dst and x (of equal lengths, a multiple of 8) and returns
// how many values it set: all of them, or none without AVX-512 and AVX2.
func blocks(dst, x []float64) int {
	if !useAVX512 && !useAVX2 || len(dst) == 0 {
		return 0
	}
	x = x[:len(dst)]
	if useAVX2 {
		expAVX2(&dst[0], &x[0], len(dst))
	} else {
		expAVX512(&dst[0], &x[0], len(dst))
	}
	return len(dst)
}
