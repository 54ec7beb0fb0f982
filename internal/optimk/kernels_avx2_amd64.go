//go:build !noasm

package optimk

// The AVX2 kernels, which run where AVX-512 is missing (useAVX2): those of
// kernels_avx2gen_amd64.s, translated from the AVX-512 ones by internal/optimk/gen, and
// those of kernels_avx2_amd64.s, written by hand.

// sgdAVX2, rmspropAVX2 and adagradAVX2 are sgdAVX512, rmspropAVX512 and adagradAVX512 on 8
// lanes: n a multiple of 8.
//
//go:noescape
func sgdAVX2(p, grad, buf *float32, n int, k *SGDCoef)

//go:noescape
func rmspropAVX2(v, grad, sq, buf, ga *float32, n int, k *RMSpropCoef)

//go:noescape
func adagradAVX2(v, grad, s *float32, n int, k *AdagradCoef)

// adadeltaAVX2, sfSGDAVX2, prodigyUpdateAVX2, larsAVX2 and adafactorUpdateAVX2 are the
// AVX-512 kernels of the same names on 8 lanes: n a multiple of 8.
//
//go:noescape
func adadeltaAVX2(v, grad, sq, acc *float32, n int, k *AdadeltaCoef)

//go:noescape
func sfSGDAVX2(p, grad, z, x *float32, n int, k *ScheduleFreeCoef)

//go:noescape
func prodigyUpdateAVX2(p, m, v *float32, n int, k *ProdigyCoef)

//go:noescape
func larsAVX2(p, grad, buf *float32, n int, k *LARSCoef)

//go:noescape
func adafactorUpdateAVX2(p, grad, v *float32, n int, k *AdafactorCoef)

// adamFlagsAVX2 is adamFlagsAVX512 on 8 lanes: n a multiple of 8.
//
//go:noescape
func adamFlagsAVX2(p, grad, m, v, vmax *float32, n int, k *AdamCoef)

// allFiniteAVX2 is allFiniteAVX512 on 8 lanes: n a multiple of 8.
//
//go:noescape
func allFiniteAVX2(x *float32, n int) bool

// sgdMomentumAVX2 is sgdMomentumAVX512 on 8 lanes: n a multiple of 8.
//
//go:noescape
func sgdMomentumAVX2(p, grad, buf *float32, n int, mom, damp1, negLR float32)

// adamAVX2 is adamAVX512 on 8 lanes: n a multiple of 8.
//
//go:noescape
func adamAVX2(p, grad, m, v *float32, n int, k *AdamCoef)

// nadamAVX2, sfAdamWAVX2 and lambUpdateAVX2 are the AVX-512 kernels of the same names on 8
// lanes (n a multiple of 8), with the coefficients that the AVX-512 kernels keep in Z16 and
// above loaded again from k where they are used.
//
//go:noescape
func nadamAVX2(v, grad, m, s *float32, n int, k *NAdamCoef)

//go:noescape
func sfAdamWAVX2(p, grad, z, x, v *float32, n int, k *ScheduleFreeCoef)

//go:noescape
func lambUpdateAVX2(p, m, v *float32, n int, k *LAMBCoef)

// sumSqAVX2 and sumSq2AVX2 are sumSqAVX512 and sumSq2AVX512 with each set of 16 float64
// lanes in four registers of four: n a multiple of 16, element j adding into lane j mod 16.
//
//go:noescape
func sumSqAVX2(x *float32, n int, acc *lanes)

//go:noescape
func sumSq2AVX2(x, y *float32, n int, acc *[2]lanes)

// adamaxAVX2 and radamAVX2 are adamaxAVX512 and radamAVX512 on 8 lanes (n a multiple of 8):
// AdaMax's masked move of a NaN maximum becomes a comparison and a blend, and RAdam's
// constants beyond Z15 are loaded again where they are used.
//
//go:noescape
func adamaxAVX2(v, grad, m, u *float32, n int, k *AdamaxCoef)

//go:noescape
func radamAVX2(v, grad, m, s *float32, n int, k *RAdamCoef)

// lionAVX2 is lionAVX512 on 8 lanes, one vector a turn: n a multiple of 8.
//
//go:noescape
func lionAVX2(p, grad, m *float32, n int, k *LionCoef)

// prodigyGatherAVX2, lambGatherAVX2 and adafactorGatherAVX2 are the AVX-512 kernels of the
// same names on 8 lanes, their float64 sums kept in acc rather than in registers: n a
// multiple of 16, element j adding into lane j mod 16.
//
//go:noescape
func prodigyGatherAVX2(p, grad, p0, m, v, s *float32, n int, k *ProdigyCoef, acc *[2]lanes)

//go:noescape
func lambGatherAVX2(p, grad, m, v *float32, n int, k *LAMBCoef, acc *[2]lanes)

//go:noescape
func adafactorGatherAVX2(grad, v *float32, n int, k *AdafactorCoef, acc *lanes)
