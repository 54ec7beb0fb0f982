//go:build !noasm

#include "textflag.h"

// The AVX2 kernels of package optimk that are not translated from the AVX-512 ones by
// internal/optimk/gen (kernels_avx2gen_amd64.s): the finite check, Adam with its options
// (AVX-512's masked maximum of AMSGrad becomes a comparison and a blend, and its registers
// beyond 15 a reload into Y0), the sums of squares (the 16 float64 lanes of sumSqAVX512
// held in four registers), Lion (whose AVX-512 kernel takes two vectors a turn in
// registers up to Z24) and the gathering passes of Prodigy, LAMB and Adafactor (whose
// float64 sums do not fit in registers beside the rest). Each computes the same bits as its
// AVX-512 kernel and its Go twin.

// PFD2 is how far ahead, in bytes, the kernels prefetch each stream: PFD of
// kernels_amd64.s.
#define PFD2 2048

DATA expmask2<>+0(SB)/4, $0x7f800000
GLOBL expmask2<>(SB), RODATA|NOPTR, $4

DATA signmask2<>+0(SB)/4, $0x80000000
GLOBL signmask2<>(SB), RODATA|NOPTR, $4

DATA absmask2<>+0(SB)/4, $0x7fffffff
GLOBL absmask2<>(SB), RODATA|NOPTR, $4

DATA one2<>+0(SB)/4, $0x3f800000
GLOBL one2<>(SB), RODATA|NOPTR, $4

// func allFiniteAVX2(x *float32, n int) bool
// A lane whose exponent bits are all set (NaN or ±Inf) compares equal to the mask; the
// comparisons are ORed together and tested once, at the end.
TEXT ·allFiniteAVX2(SB), NOSPLIT, $0-17
	MOVQ         x+0(FP), SI
	MOVQ         n+8(FP), CX
	VPBROADCASTD expmask2<>(SB), Y0
	VPXOR        Y2, Y2, Y2
	SHRQ         $3, CX
	JZ           finite2_done

finite2_loop:
	VPAND    (SI), Y0, Y1
	VPCMPEQD Y0, Y1, Y1
	VPOR     Y1, Y2, Y2
	ADDQ     $32, SI
	DECQ     CX
	JNZ      finite2_loop

finite2_done:
	VPTEST Y2, Y2
	SETEQ  ret+16(FP)
	VZEROUPPER
	RET

// func adamFlagsAVX2(p, grad, m, v, vmax *float32, n int, k *AdamCoef)
// adamFlagsAVX512 on 8 lanes, with the registers that AVX2 lacks (Z16-Z19 there) replaced
// by Y0, loaded in the branch that needs it, and AVX-512's masked move by a blend.
// AdamCoef: B1 0, Omb1 4, B2 8, Omb2 12, Bc2s 16, Bc2 20, Eps 24, NegStep 28, WD 32,
// Decay 36, Flags 40 (maximize 1, L2 decay 2, decoupled 4, amsgrad torch 8, lecture 16).
// decay must be 1 unless decoupled; vmax is only read and written with amsgrad.
TEXT ·adamFlagsAVX2(SB), NOSPLIT, $0-56
	MOVQ         p+0(FP), DI
	MOVQ         grad+8(FP), SI
	MOVQ         m+16(FP), DX
	MOVQ         v+24(FP), R8
	MOVQ         vmax+32(FP), R9
	MOVQ         n+40(FP), CX
	MOVQ         k+48(FP), AX
	VBROADCASTSS 0(AX), Y1
	VBROADCASTSS 4(AX), Y2
	VBROADCASTSS 8(AX), Y3
	VBROADCASTSS 12(AX), Y4
	VBROADCASTSS 16(AX), Y5
	VBROADCASTSS 24(AX), Y6
	VBROADCASTSS 28(AX), Y7
	VBROADCASTSS 36(AX), Y8
	MOVL         40(AX), BX
	SHRQ         $3, CX
	JZ           adamf2_done

adamf2_loop:
	PREFETCHT0  PFD2(SI)
	PREFETCHT0  PFD2(DX)
	PREFETCHT0  PFD2(R8)
	PREFETCHT0  PFD2(DI)
	PREFETCHT0  PFD2(R9)
	VMOVUPS (SI), Y9
	TESTL   $1, BX
	JZ      adamf2_nomax
	VPBROADCASTD signmask2<>(SB), Y0
	VPXOR   Y0, Y9, Y9

adamf2_nomax:
	VMOVUPS (DI), Y15
	TESTL   $2, BX
	JZ      adamf2_nodecay
	VBROADCASTSS 32(AX), Y0
	VFMADD231PS  Y0, Y15, Y9

adamf2_nodecay:
	VMULPS      (DX), Y1, Y10
	VFMADD231PS Y2, Y9, Y10
	VMOVUPS     Y10, (DX)
	VMULPS      Y9, Y4, Y11
	VMULPS      (R8), Y3, Y12
	VFMADD231PS Y9, Y11, Y12
	VMOVUPS     Y12, (R8)
	TESTL       $8, BX
	JNZ         adamf2_torch
	TESTL       $16, BX
	JNZ         adamf2_lecture
	VSQRTPS     Y12, Y13
	VDIVPS      Y5, Y13, Y13
	VADDPS      Y6, Y13, Y13
	JMP         adamf2_update

adamf2_torch:
	// x = max(vmax, v), a NaN in either giving NaN (Go's max); vmax = x.
	VMOVUPS   (R9), Y14
	VMAXPS    Y12, Y14, Y13
	VCMPPS    $3, Y14, Y14, Y0
	VBLENDVPS Y0, Y14, Y13, Y13
	VMOVUPS   Y13, (R9)
	VSQRTPS   Y13, Y13
	VDIVPS    Y5, Y13, Y13
	VADDPS    Y6, Y13, Y13
	JMP       adamf2_update

adamf2_lecture:
	// x = max(vmax, v/(1-β₂ᵗ)); vmax = x.
	VBROADCASTSS 20(AX), Y0
	VDIVPS       Y0, Y12, Y0
	VMOVUPS      (R9), Y14
	VMAXPS       Y0, Y14, Y13
	VCMPPS       $3, Y14, Y14, Y0
	VBLENDVPS    Y0, Y14, Y13, Y13
	VMOVUPS      Y13, (R9)
	VSQRTPS      Y13, Y13
	VADDPS       Y6, Y13, Y13

adamf2_update:
	VMULPS  Y10, Y7, Y14
	VDIVPS  Y13, Y14, Y14
	VMULPS  Y15, Y8, Y15
	VADDPS  Y14, Y15, Y15
	VMOVUPS Y15, (DI)
	ADDQ    $32, DI
	ADDQ    $32, SI
	ADDQ    $32, DX
	ADDQ    $32, R8
	ADDQ    $32, R9
	DECQ    CX
	JNZ     adamf2_loop

adamf2_done:
	VZEROUPPER
	RET

// func sumSqAVX2(x *float32, n int, acc *lanes)
// sumSqAVX512 with the 16 float64 lanes in four registers of four (Y0: lanes 0-3, Y1: 4-7,
// Y2: 8-11, Y3: 12-15), n a multiple of 16: element j still adds into lane j mod 16.
TEXT ·sumSqAVX2(SB), NOSPLIT, $0-24
	MOVQ    x+0(FP), SI
	MOVQ    n+8(FP), CX
	MOVQ    acc+16(FP), AX
	VMOVUPD 0(AX), Y0
	VMOVUPD 32(AX), Y1
	VMOVUPD 64(AX), Y2
	VMOVUPD 96(AX), Y3
	SHRQ    $4, CX
	JZ      sumsq2x_done

sumsq2x_loop:
	VCVTPS2PD   (SI), Y4
	VCVTPS2PD   16(SI), Y5
	VCVTPS2PD   32(SI), Y6
	VCVTPS2PD   48(SI), Y7
	VFMADD231PD Y4, Y4, Y0
	VFMADD231PD Y5, Y5, Y1
	VFMADD231PD Y6, Y6, Y2
	VFMADD231PD Y7, Y7, Y3
	ADDQ        $64, SI
	DECQ        CX
	JNZ         sumsq2x_loop

sumsq2x_done:
	VMOVUPD Y0, 0(AX)
	VMOVUPD Y1, 32(AX)
	VMOVUPD Y2, 64(AX)
	VMOVUPD Y3, 96(AX)
	VZEROUPPER
	RET

// func sumSq2AVX2(x, y *float32, n int, acc *[2]lanes)
// sumSq2AVX512 with the lanes laid out as in sumSqAVX2: Y0-Y3 for x, Y4-Y7 for y.
TEXT ·sumSq2AVX2(SB), NOSPLIT, $0-32
	MOVQ    x+0(FP), SI
	MOVQ    y+8(FP), DX
	MOVQ    n+16(FP), CX
	MOVQ    acc+24(FP), AX
	VMOVUPD 0(AX), Y0
	VMOVUPD 32(AX), Y1
	VMOVUPD 64(AX), Y2
	VMOVUPD 96(AX), Y3
	VMOVUPD 128(AX), Y4
	VMOVUPD 160(AX), Y5
	VMOVUPD 192(AX), Y6
	VMOVUPD 224(AX), Y7
	SHRQ    $4, CX
	JZ      sumsq22_done

sumsq22_loop:
	VCVTPS2PD   (SI), Y8
	VCVTPS2PD   16(SI), Y9
	VCVTPS2PD   32(SI), Y10
	VCVTPS2PD   48(SI), Y11
	VCVTPS2PD   (DX), Y12
	VCVTPS2PD   16(DX), Y13
	VCVTPS2PD   32(DX), Y14
	VCVTPS2PD   48(DX), Y15
	VFMADD231PD Y8, Y8, Y0
	VFMADD231PD Y9, Y9, Y1
	VFMADD231PD Y10, Y10, Y2
	VFMADD231PD Y11, Y11, Y3
	VFMADD231PD Y12, Y12, Y4
	VFMADD231PD Y13, Y13, Y5
	VFMADD231PD Y14, Y14, Y6
	VFMADD231PD Y15, Y15, Y7
	ADDQ        $64, SI
	ADDQ        $64, DX
	DECQ        CX
	JNZ         sumsq22_loop

sumsq22_done:
	VMOVUPD Y0, 0(AX)
	VMOVUPD Y1, 32(AX)
	VMOVUPD Y2, 64(AX)
	VMOVUPD Y3, 96(AX)
	VMOVUPD Y4, 128(AX)
	VMOVUPD Y5, 160(AX)
	VMOVUPD Y6, 192(AX)
	VMOVUPD Y7, 224(AX)
	VZEROUPPER
	RET

// func lionAVX2(p, grad, m *float32, n int, k *LionCoef)
// LionCoef: Decay 0, B1 4, Omb1 8, B2 12, Omb2 16, NegLR 20. lionAVX512 on 8 lanes, one
// vector a turn: the step, -γ where c > 0 and γ where c < 0, is the OR of the two constants
// each ANDed with its comparison (all ones or zeros), so +0 where c is 0 or NaN.
TEXT ·lionAVX2(SB), NOSPLIT, $0-40
	MOVQ         p+0(FP), DI
	MOVQ         grad+8(FP), SI
	MOVQ         m+16(FP), DX
	MOVQ         n+24(FP), CX
	MOVQ         k+32(FP), AX
	VBROADCASTSS 0(AX), Y1
	VBROADCASTSS 4(AX), Y2
	VBROADCASTSS 8(AX), Y3
	VBROADCASTSS 12(AX), Y4
	VBROADCASTSS 16(AX), Y5
	VBROADCASTSS 20(AX), Y6
	VPBROADCASTD signmask2<>(SB), Y8
	VPXOR        Y8, Y6, Y7
	VPXOR        Y0, Y0, Y0
	SHRQ         $3, CX
	JZ           lion2_done

lion2_loop:
	PREFETCHT0 PFD2(SI)
	PREFETCHT0 PFD2(DX)
	PREFETCHT0 PFD2(DI)
	// c = fma(g, 1-β₁, m·β₁); step = -γ where c > 0, γ where c < 0, else 0
	VMOVUPS     (SI), Y9
	VMOVUPS     (DX), Y10
	VMULPS      Y10, Y2, Y11
	VFMADD231PS Y3, Y9, Y11
	VCMPPS      $0x1e, Y0, Y11, Y12
	VCMPPS      $0x11, Y0, Y11, Y13
	VANDPS      Y6, Y12, Y12
	VANDPS      Y7, Y13, Y13
	VORPS       Y13, Y12, Y12
	// θ = θ·(1-γλ) + step; m = fma(g, 1-β₂, m·β₂)
	VMULPS      (DI), Y1, Y13
	VADDPS      Y12, Y13, Y13
	VMOVUPS     Y13, (DI)
	VMULPS      Y10, Y4, Y14
	VFMADD231PS Y5, Y9, Y14
	VMOVUPS     Y14, (DX)
	ADDQ        $32, DI
	ADDQ        $32, SI
	ADDQ        $32, DX
	DECQ        CX
	JNZ         lion2_loop

lion2_done:
	VZEROUPPER
	RET

// The gathering passes below add into 16 float64 lanes per sum, element j into lane
// j mod 16, as their AVX-512 kernels and Go twins do, but keep the lanes in memory (acc),
// not in registers: each vector of 8 elements adds into lanes 0-7 or 8-15 in turn, at the
// offset R12 (0 or 64 bytes), its low four elements at R12 and its high four at R12+32. A
// sum's lanes are read and written back once per vector; the passes stream five or seven
// arrays, so the time they take is the memory's, not the sums'. n is a multiple of 16.

// func prodigyGatherAVX2(p, grad, p0, m, v, s *float32, n int, k *ProdigyCoef, acc *[2]lanes)
// ProdigyCoef: B1 0, C1 4, B2 8, C2 12, B3 16, C3 20, WD 24, Flags 40 (coupled 1).
TEXT ·prodigyGatherAVX2(SB), NOSPLIT, $0-72
	MOVQ         p+0(FP), DI
	MOVQ         grad+8(FP), SI
	MOVQ         p0+16(FP), DX
	MOVQ         m+24(FP), R8
	MOVQ         v+32(FP), R9
	MOVQ         s+40(FP), R10
	MOVQ         n+48(FP), CX
	MOVQ         k+56(FP), AX
	MOVQ         acc+64(FP), R11
	VBROADCASTSS 0(AX), Y1
	VBROADCASTSS 4(AX), Y2
	VBROADCASTSS 8(AX), Y3
	VBROADCASTSS 12(AX), Y4
	VBROADCASTSS 16(AX), Y5
	VBROADCASTSS 20(AX), Y6
	VBROADCASTSS 24(AX), Y7
	VPBROADCASTD absmask2<>(SB), Y8
	MOVL         40(AX), BX
	XORQ         R12, R12
	SHRQ         $3, CX
	JZ           pg2_done

pg2_loop:
	PREFETCHT0 PFD2(SI)
	PREFETCHT0 PFD2(DI)
	PREFETCHT0 PFD2(DX)
	PREFETCHT0 PFD2(R8)
	PREFETCHT0 PFD2(R9)
	PREFETCHT0 PFD2(R10)
	VMOVUPS    (SI), Y9
	VMOVUPS    (DI), Y15
	TESTL      $1, BX
	JZ         pg2_nocoupled
	// g = fma(θ, λ, g)
	VFMADD231PS Y7, Y15, Y9

pg2_nocoupled:
	// acc₀ += g·(θ₀ - θ)
	VMOVUPS      (DX), Y10
	VSUBPS       Y15, Y10, Y10
	VCVTPS2PD    X9, Y11
	VCVTPS2PD    X10, Y12
	VMOVUPD      (R11)(R12*1), Y13
	VFMADD231PD  Y12, Y11, Y13
	VMOVUPD      Y13, (R11)(R12*1)
	VEXTRACTF128 $1, Y9, X11
	VCVTPS2PD    X11, Y11
	VEXTRACTF128 $1, Y10, X12
	VCVTPS2PD    X12, Y12
	VMOVUPD      32(R11)(R12*1), Y13
	VFMADD231PD  Y12, Y11, Y13
	VMOVUPD      Y13, 32(R11)(R12*1)
	// m = fma(g, c₁, m·β₁); v = fma(c₂·g, g, v·β₂); s = fma(g, c₃, s·β₃)
	VMULPS       (R8), Y1, Y10
	VFMADD231PS  Y2, Y9, Y10
	VMOVUPS      Y10, (R8)
	VMULPS       Y9, Y4, Y11
	VMULPS       (R9), Y3, Y12
	VFMADD231PS  Y9, Y11, Y12
	VMOVUPS      Y12, (R9)
	VMULPS       (R10), Y5, Y13
	VFMADD231PS  Y6, Y9, Y13
	VMOVUPS      Y13, (R10)
	// acc₁ += |s|
	VANDPS       Y8, Y13, Y14
	VCVTPS2PD    X14, Y11
	VADDPD       128(R11)(R12*1), Y11, Y11
	VMOVUPD      Y11, 128(R11)(R12*1)
	VEXTRACTF128 $1, Y14, X12
	VCVTPS2PD    X12, Y12
	VADDPD       160(R11)(R12*1), Y12, Y12
	VMOVUPD      Y12, 160(R11)(R12*1)
	ADDQ         $32, DI
	ADDQ         $32, SI
	ADDQ         $32, DX
	ADDQ         $32, R8
	ADDQ         $32, R9
	ADDQ         $32, R10
	XORQ         $64, R12
	DECQ         CX
	JNZ          pg2_loop

pg2_done:
	VZEROUPPER
	RET

// func lambGatherAVX2(p, grad, m, v *float32, n int, k *LAMBCoef, acc *[2]lanes)
// LAMBCoef: InvClip 0, B1 4, Omb1 8, B2 12, Omb2 16, Scale 20, Eps 24, WD 28, Flags 40
// (clip 1, decay 2).
TEXT ·lambGatherAVX2(SB), NOSPLIT, $0-56
	MOVQ         p+0(FP), DI
	MOVQ         grad+8(FP), SI
	MOVQ         m+16(FP), DX
	MOVQ         v+24(FP), R8
	MOVQ         n+32(FP), CX
	MOVQ         k+40(FP), AX
	MOVQ         acc+48(FP), R11
	VBROADCASTSS 0(AX), Y1
	VBROADCASTSS 4(AX), Y2
	VBROADCASTSS 8(AX), Y3
	VBROADCASTSS 12(AX), Y4
	VBROADCASTSS 16(AX), Y5
	VBROADCASTSS 20(AX), Y6
	VBROADCASTSS 24(AX), Y7
	VBROADCASTSS 28(AX), Y8
	MOVL         40(AX), BX
	XORQ         R12, R12
	SHRQ         $3, CX
	JZ           lg2_done

lg2_loop:
	PREFETCHT0 PFD2(SI)
	PREFETCHT0 PFD2(DX)
	PREFETCHT0 PFD2(R8)
	PREFETCHT0 PFD2(DI)
	VMOVUPS    (SI), Y9
	TESTL      $1, BX
	JZ         lg2_noclip
	// g = g·(1/c)
	VMULPS Y1, Y9, Y9

lg2_noclip:
	// m = fma(g, β₃, m·β₁); v = fma((1-β₂)·g, g, v·β₂)
	VMULPS      (DX), Y2, Y10
	VFMADD231PS Y3, Y9, Y10
	VMOVUPS     Y10, (DX)
	VMULPS      Y9, Y5, Y11
	VMULPS      (R8), Y4, Y12
	VFMADD231PS Y9, Y11, Y12
	VMOVUPS     Y12, (R8)
	// u = (m·Scale)/(√v + Eps)
	VSQRTPS     Y12, Y13
	VADDPS      Y7, Y13, Y13
	VMULPS      Y6, Y10, Y14
	VDIVPS      Y13, Y14, Y14
	VMOVUPS     (DI), Y15
	TESTL       $2, BX
	JZ          lg2_nodecay
	// u = fma(θ, λ, u)
	VFMADD231PS Y8, Y15, Y14

lg2_nodecay:
	// acc₀ += u², acc₁ += θ²
	VCVTPS2PD    X14, Y10
	VMOVUPD      (R11)(R12*1), Y11
	VFMADD231PD  Y10, Y10, Y11
	VMOVUPD      Y11, (R11)(R12*1)
	VEXTRACTF128 $1, Y14, X10
	VCVTPS2PD    X10, Y10
	VMOVUPD      32(R11)(R12*1), Y11
	VFMADD231PD  Y10, Y10, Y11
	VMOVUPD      Y11, 32(R11)(R12*1)
	VCVTPS2PD    X15, Y12
	VMOVUPD      128(R11)(R12*1), Y13
	VFMADD231PD  Y12, Y12, Y13
	VMOVUPD      Y13, 128(R11)(R12*1)
	VEXTRACTF128 $1, Y15, X12
	VCVTPS2PD    X12, Y12
	VMOVUPD      160(R11)(R12*1), Y13
	VFMADD231PD  Y12, Y12, Y13
	VMOVUPD      Y13, 160(R11)(R12*1)
	ADDQ         $32, DI
	ADDQ         $32, SI
	ADDQ         $32, DX
	ADDQ         $32, R8
	XORQ         $64, R12
	DECQ         CX
	JNZ          lg2_loop

lg2_done:
	VZEROUPPER
	RET

// func adafactorGatherAVX2(grad, v *float32, n int, k *AdafactorCoef, acc *lanes)
// AdafactorCoef: W 0, OmW 4, Floor 8, Flags 20 (high 1).
TEXT ·adafactorGatherAVX2(SB), NOSPLIT, $0-40
	MOVQ         grad+0(FP), SI
	MOVQ         v+8(FP), R8
	MOVQ         n+16(FP), CX
	MOVQ         k+24(FP), AX
	MOVQ         acc+32(FP), R11
	VBROADCASTSS 0(AX), Y1
	VBROADCASTSS 4(AX), Y2
	VBROADCASTSS 8(AX), Y3
	VBROADCASTSS one2<>(SB), Y4
	VPXOR        Y0, Y0, Y0
	MOVL         20(AX), BX
	XORQ         R12, R12
	SHRQ         $3, CX
	JZ           ag2_done

ag2_loop:
	// a = v, b = g·g, d = b - a
	VMOVUPS (SI), Y9
	VMOVUPS (R8), Y10
	VMULPS  Y9, Y9, Y11
	VSUBPS  Y10, Y11, Y12
	TESTL   $1, BX
	JNZ     ag2_high
	// v = fma(w, d, a)
	VFMADD231PS Y1, Y12, Y10
	JMP         ag2_dir

ag2_high:
	// v = fma(-d, 1-w, b)
	VFNMADD231PS Y2, Y12, Y11
	VMOVAPS      Y11, Y10

ag2_dir:
	VMOVUPS Y10, (R8)
	// U = g·(1/√max(v, ε₁²)): VMAXPS returns v on a NaN or on two zeros, and +0 turns
	// -0 into +0, as Go's max
	VMAXPS  Y10, Y3, Y13
	VADDPS  Y0, Y13, Y13
	VSQRTPS Y13, Y13
	VDIVPS  Y13, Y4, Y13
	VMULPS  Y13, Y9, Y14
	// acc += U²
	VCVTPS2PD    X14, Y10
	VMOVUPD      (R11)(R12*1), Y11
	VFMADD231PD  Y10, Y10, Y11
	VMOVUPD      Y11, (R11)(R12*1)
	VEXTRACTF128 $1, Y14, X10
	VCVTPS2PD    X10, Y10
	VMOVUPD      32(R11)(R12*1), Y11
	VFMADD231PD  Y10, Y10, Y11
	VMOVUPD      Y11, 32(R11)(R12*1)
	ADDQ         $32, SI
	ADDQ         $32, R8
	XORQ         $64, R12
	DECQ         CX
	JNZ          ag2_loop

ag2_done:
	VZEROUPPER
	RET
