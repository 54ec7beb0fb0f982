// Package vexp computes the float64 exponential of a slice, eight values at a time: the
// exponentials of the margins of a logistic regression, one per sample and evaluation,
// where math.Exp took an eighth of an L-BFGS run on MNIST.
//
// # Method
//
// exp(x) = 2ᵏ·exp(r) with k = round(x·log₂e) (ties to even) and r = x − k·ln 2, the
// product k·ln 2 subtracted in two parts (ln 2's first 32 bits and the rest, as math.Exp
// does) by fused multiply-adds; exp(r), |r| ≤ ln 2/2 + 1e-10, by its Taylor polynomial
// of degree 13 in Horner's form (the truncation error below 1e-17), one fused
// multiply-add per coefficient; 2ᵏ applied as two factors 2^⌊k/2⌋ and 2^(k−⌊k/2⌋),
// each a normal number, so that a subnormal result is rounded once. Above 709.78 the
// result is +Inf, below −745.13 it is 0 (as math.Exp), and NaN stays NaN. The result is
// within 2 ulp of math.Exp's, itself within 1 ulp of the exponential (TestAccuracy).
//
// # Kernels
//
// On amd64 with AVX-512F and AVX-512DQ (VCVTPD2QQ), as internal/cpu reports them, whole
// blocks of 8 run in AVX-512 assembly; with AVX2 and FMA only, in AVX2 assembly, four
// lanes a vector, which computes k's halves and their powers of two in float64 instead of
// converting k to an integer; the rest, and everything elsewhere or with -tags noasm, runs
// in [Exp1], the Go twin, which computes the same bits: the same operations in the same
// order, each fused multiply-add rounded once (math.FMA). TestMatchesGo compares them bit
// for bit. On an AMD EPYC (Zen 4) with AVX-512 masked off (DESCENT_CPU=avx2), L-BFGS on
// the even/odd logistic problem (descent minimize --problem logistic --method lbfgs, one
// thread) took 1.12-1.18 s with the AVX2 kernel against 1.28-1.34 s with Exp1.
package vexp
