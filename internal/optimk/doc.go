// Package optimk holds the element loops of package optim's optimisers: one fused pass over
// a parameter's values, gradient and state buffers, with torch's operations in torch's
// order, given the step's coefficients ([SGDCoef], [AdamCoef], …) that optim computes.
//
// # Kernels
//
// On amd64 with AVX-512 (F and DQ, as internal/cpu reports them) the loops of SGD, Adam and
// AdamW, RMSprop, Adagrad, Adadelta, Adamax, NAdam and RAdam, Lion, the schedule-free AdamW
// and SGD, Prodigy's, LAMB's and Adafactor's (on a vector) two passes and LARS, with all
// their options, the finite check [AllFinite] and the sums of squares [SumSq] and [SumSq2]
// are assembly (kernels_amd64.s) over whole vectors of 16 elements. With AVX2 and FMA but
// not AVX-512, SGD, Adam and AdamW, RMSprop, Adagrad, Adadelta, NAdam, the schedule-free
// methods, LARS, the update passes of Prodigy, LAMB and Adafactor, with all their options,
// [AllFinite], [SumSq] and [SumSq2] are assembly over vectors of 8, the same instructions
// on half the lanes (the sums' 16 lanes in four registers): most translated from the
// AVX-512 kernels by internal/optimk/gen (kernels_avx2gen_amd64.s, go generate), the rest
// by hand (kernels_avx2_amd64.s). The rest of a slice, everything else on those CPUs,
// other architectures and -tags noasm run the Go twins (twins.go). Each stub's doc comment
// names the twin it replaces, and the two compute the same bits: products and sums are
// rounded as the assembly rounds them, fused multiply-adds once (internal/fma), square
// roots correctly.
// TestKernelsMatchGo checks it on every combination of options inside NaN guard bands, and
// fails if the Go twins ran where AVX-512, or AVX2 and FMA, are enabled.
//
// # Reductions
//
// The reducing kernels ([SumSq], [SumSq2], [ProdigyGather], [LAMBGather], [AdafactorGather])
// sum in float64: each term is formed in float32 as the update forms it (θ₀-θ, |s|, u, U) and
// squared or multiplied in float64, which is exact; element j of the slice adds into lane j
// mod 16 in order of j (two registers of eight float64), and the 16 lanes are added as lane l
// += lane l+w for w = 8, 4, 2, 1. The assembly keeps the lanes of the whole vectors and hands
// them to the Go twin for the rest, so the sum has the same bits whichever kernel runs.
//
// # Contract
//
// The operands of one call have the length of the first slice (the state buffers that a
// configuration does not keep may be nil); the kernels read and write nothing else. Each
// element's update depends on that element alone, so a slice may be cut anywhere and its
// parts updated by different goroutines.
package optimk
