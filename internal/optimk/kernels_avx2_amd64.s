//go:build !noasm

#include "textflag.h"

// The AVX2 kernels of SGD, Adam and AdamW, RMSprop, Adagrad, Adadelta, NAdam, the
// schedule-free methods, LARS and the update passes of Prodigy, LAMB and Adafactor, with
// every option, and of the finite check and the sums of squares, for CPUs without AVX-512:
// the AVX-512 kernels of the same name in kernels_amd64.s, instruction for instruction on
// 8 lanes instead of 16 (AVX-512's masks replaced by a comparison and a blend, the sums'
// 16 float64 lanes held in four registers), so that they compute the same bits as them and
// as the Go twins. sgdAVX2, rmspropAVX2, adagradAVX2 and the update kernels after
// adamFlagsAVX2 are translated from theirs mechanically: registers Zn to Yn, steps of 64
// bytes to 32, and a coefficient that the AVX-512 kernel keeps in Z16 or above (AVX2 has 16
// registers) loaded again from the coefficients into a free register before each
// instruction that uses it.

// PFD2 is how far ahead, in bytes, the AVX2 kernels prefetch each stream: PFD of
// kernels_amd64.s. The kernels translated mechanically prefetch where their AVX-512
// originals do, so once per 32 bytes rather than 64; adamAVX2 once per 64.
#define PFD2 2048

DATA expmask2<>+0(SB)/4, $0x7f800000
GLOBL expmask2<>(SB), RODATA|NOPTR, $4

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

// func sgdMomentumAVX2(p, grad, buf *float32, n int, mom, damp1, negLR float32)
TEXT ·sgdMomentumAVX2(SB), NOSPLIT, $0-44
	MOVQ         p+0(FP), DI
	MOVQ         grad+8(FP), SI
	MOVQ         buf+16(FP), DX
	MOVQ         n+24(FP), CX
	VBROADCASTSS mom+32(FP), Y1
	VBROADCASTSS damp1+36(FP), Y2
	VBROADCASTSS negLR+40(FP), Y3
	SHRQ         $3, CX
	JZ           sgd2_done

sgd2_loop:
	VMULPS      (DX), Y1, Y4
	VMOVUPS     (SI), Y5
	VFMADD231PS Y2, Y5, Y4
	VMOVUPS     Y4, (DX)
	VMOVUPS     (DI), Y6
	VFMADD231PS Y3, Y4, Y6
	VMOVUPS     Y6, (DI)
	ADDQ        $32, DI
	ADDQ        $32, SI
	ADDQ        $32, DX
	DECQ        CX
	JNZ         sgd2_loop

sgd2_done:
	VZEROUPPER
	RET

// func adamAVX2(p, grad, m, v *float32, n int, k *AdamCoef)
// AdamCoef: B1 0, Omb1 4, B2 8, Omb2 12, Bc2s 16, Bc2 20, Eps 24, NegStep 28, WD 32, Decay 36.
// The prefetches run one line (64 bytes) per stream every other iteration.
TEXT ·adamAVX2(SB), NOSPLIT, $0-48
	MOVQ         p+0(FP), DI
	MOVQ         grad+8(FP), SI
	MOVQ         m+16(FP), DX
	MOVQ         v+24(FP), R8
	MOVQ         n+32(FP), CX
	MOVQ         k+40(FP), AX
	VBROADCASTSS 0(AX), Y1
	VBROADCASTSS 4(AX), Y2
	VBROADCASTSS 8(AX), Y3
	VBROADCASTSS 12(AX), Y4
	VBROADCASTSS 16(AX), Y5
	VBROADCASTSS 24(AX), Y6
	VBROADCASTSS 28(AX), Y7
	VBROADCASTSS 36(AX), Y8
	SHRQ         $3, CX
	JZ           adam2_done

adam2_loop:
	TESTQ       $1, CX
	JZ          adam2_body
	PREFETCHT0  PFD2(SI)
	PREFETCHT0  PFD2(DX)
	PREFETCHT0  PFD2(R8)
	PREFETCHT0  PFD2(DI)

adam2_body:
	VMOVUPS     (SI), Y9
	VMULPS      (DX), Y1, Y10
	VFMADD231PS Y2, Y9, Y10
	VMOVUPS     Y10, (DX)
	VMULPS      Y9, Y4, Y11
	VMULPS      (R8), Y3, Y12
	VFMADD231PS Y9, Y11, Y12
	VMOVUPS     Y12, (R8)
	VSQRTPS     Y12, Y13
	VDIVPS      Y5, Y13, Y13
	VADDPS      Y6, Y13, Y13
	VMULPS      Y10, Y7, Y14
	VDIVPS      Y13, Y14, Y14
	VMULPS      (DI), Y8, Y15
	VADDPS      Y14, Y15, Y15
	VMOVUPS     Y15, (DI)
	ADDQ        $32, DI
	ADDQ        $32, SI
	ADDQ        $32, DX
	ADDQ        $32, R8
	DECQ        CX
	JNZ         adam2_loop

adam2_done:
	VZEROUPPER
	RET

DATA signmask2<>+0(SB)/4, $0x80000000
GLOBL signmask2<>(SB), RODATA|NOPTR, $4

// func sgdAVX2(p, grad, buf *float32, n int, k *SGDCoef)
// SGDCoef: NegLR 0, WD 4, Mom 8, Damp1 12, Flags 16 (maximize 1, decay 2, momentum 4,
// first 8, nesterov 16). buf is only read and written when momentum is set.
TEXT ·sgdAVX2(SB), NOSPLIT, $0-40
	MOVQ         p+0(FP), DI
	MOVQ         grad+8(FP), SI
	MOVQ         buf+16(FP), DX
	MOVQ         n+24(FP), CX
	MOVQ         k+32(FP), AX
	VBROADCASTSS 0(AX), Y3
	VBROADCASTSS 4(AX), Y7
	VBROADCASTSS 8(AX), Y1
	VBROADCASTSS 12(AX), Y2
	MOVL         16(AX), BX
	VPBROADCASTD signmask2<>(SB), Y8
	SHRQ         $3, CX
	JZ           sgdg_done

sgdg_loop:
	VMOVUPS (SI), Y5
	TESTL   $1, BX
	JZ      sgdg_nomax
	VPXOR   Y8, Y5, Y5

sgdg_nomax:
	VMOVUPS (DI), Y6
	TESTL   $2, BX
	JZ      sgdg_nodecay
	VFMADD231PS Y7, Y6, Y5

sgdg_nodecay:
	TESTL $4, BX
	JZ    sgdg_step
	TESTL $8, BX
	JNZ   sgdg_first
	VMULPS      (DX), Y1, Y4
	VFMADD231PS Y2, Y5, Y4
	JMP         sgdg_store

sgdg_first:
	VMOVAPS Y5, Y4

sgdg_store:
	VMOVUPS Y4, (DX)
	TESTL   $16, BX
	JZ      sgdg_plain
	VFMADD231PS Y1, Y4, Y5
	JMP         sgdg_step

sgdg_plain:
	VMOVAPS Y4, Y5

sgdg_step:
	VFMADD231PS Y3, Y5, Y6
	VMOVUPS     Y6, (DI)
	ADDQ        $32, DI
	ADDQ        $32, SI
	ADDQ        $32, DX
	DECQ        CX
	JNZ         sgdg_loop

sgdg_done:
	VZEROUPPER
	RET

// func rmspropAVX2(v, grad, sq, buf, ga *float32, n int, k *RMSpropCoef)
// RMSpropCoef: Alpha 0, Oma 4, Eps 8, WD 12, Mom 16, NegLR 20, Flags 24 (maximize 1,
// decay 2, centered 4, momentum 8).
TEXT ·rmspropAVX2(SB), NOSPLIT, $0-56
	MOVQ         v+0(FP), DI
	MOVQ         grad+8(FP), SI
	MOVQ         sq+16(FP), DX
	MOVQ         buf+24(FP), R8
	MOVQ         ga+32(FP), R9
	MOVQ         n+40(FP), CX
	MOVQ         k+48(FP), AX
	VBROADCASTSS 0(AX), Y1
	VBROADCASTSS 4(AX), Y2
	VBROADCASTSS 8(AX), Y3
	VBROADCASTSS 12(AX), Y4
	VBROADCASTSS 16(AX), Y5
	VBROADCASTSS 20(AX), Y6
	MOVL         24(AX), BX
	VPBROADCASTD signmask2<>(SB), Y8
	SHRQ         $3, CX
	JZ           rms_done

rms_loop:
	PREFETCHT0  PFD2(SI)
	PREFETCHT0  PFD2(DX)
	PREFETCHT0  PFD2(DI)
	VMOVUPS (SI), Y9
	TESTL   $1, BX
	JZ      rms_nomax
	VPXOR   Y8, Y9, Y9

rms_nomax:
	VMOVUPS (DI), Y15
	TESTL   $2, BX
	JZ      rms_nodecay
	VFMADD231PS Y4, Y15, Y9

rms_nodecay:
	// s = fma((1-α)·g, g, sq·α); sq = s
	VMULPS      Y9, Y2, Y10
	VMULPS      (DX), Y1, Y11
	VFMADD231PS Y9, Y10, Y11
	VMOVUPS     Y11, (DX)
	TESTL       $4, BX
	JZ          rms_nocenter
	// a = fma(g, 1-α, ga·α); ga = a; s = fma(-a, a, s)
	VMULPS       (R9), Y1, Y12
	VFMADD231PS  Y2, Y9, Y12
	VMOVUPS      Y12, (R9)
	VFNMADD231PS Y12, Y12, Y11

rms_nocenter:
	// d = √s + ε
	VSQRTPS Y11, Y11
	VADDPS  Y3, Y11, Y11
	TESTL   $8, BX
	JZ      rms_plain
	// b = buf·μ + g/d; buf = b; θ = fma(b, -γ, θ)
	VMULPS      (R8), Y5, Y12
	VDIVPS      Y11, Y9, Y13
	VADDPS      Y13, Y12, Y12
	VMOVUPS     Y12, (R8)
	VFMADD231PS Y6, Y12, Y15
	JMP         rms_store

rms_plain:
	// θ = θ + (-γ·g)/d
	VMULPS Y9, Y6, Y13
	VDIVPS Y11, Y13, Y13
	VADDPS Y13, Y15, Y15

rms_store:
	VMOVUPS Y15, (DI)
	ADDQ    $32, DI
	ADDQ    $32, SI
	ADDQ    $32, DX
	ADDQ    $32, R8
	ADDQ    $32, R9
	DECQ    CX
	JNZ     rms_loop

rms_done:
	VZEROUPPER
	RET

// func adagradAVX2(v, grad, s *float32, n int, k *AdagradCoef)
// AdagradCoef: NegCLR 0, WD 4, Eps 8, Flags 12 (maximize 1, decay 2).
TEXT ·adagradAVX2(SB), NOSPLIT, $0-40
	MOVQ         v+0(FP), DI
	MOVQ         grad+8(FP), SI
	MOVQ         s+16(FP), DX
	MOVQ         n+24(FP), CX
	MOVQ         k+32(FP), AX
	VBROADCASTSS 0(AX), Y1
	VBROADCASTSS 4(AX), Y2
	VBROADCASTSS 8(AX), Y3
	MOVL         12(AX), BX
	VPBROADCASTD signmask2<>(SB), Y8
	SHRQ         $3, CX
	JZ           ada_done

ada_loop:
	PREFETCHT0  PFD2(SI)
	PREFETCHT0  PFD2(DX)
	PREFETCHT0  PFD2(DI)
	VMOVUPS (SI), Y9
	TESTL   $1, BX
	JZ      ada_nomax
	VPXOR   Y8, Y9, Y9

ada_nomax:
	VMOVUPS (DI), Y15
	TESTL   $2, BX
	JZ      ada_nodecay
	VFMADD231PS Y2, Y15, Y9

ada_nodecay:
	// s = fma(g, g, s); θ = θ + (-γ_t·g)/(√s + ε)
	VMOVUPS     (DX), Y10
	VFMADD231PS Y9, Y9, Y10
	VMOVUPS     Y10, (DX)
	VSQRTPS     Y10, Y10
	VADDPS      Y3, Y10, Y10
	VMULPS      Y9, Y1, Y11
	VDIVPS      Y10, Y11, Y11
	VADDPS      Y11, Y15, Y15
	VMOVUPS     Y15, (DI)
	ADDQ        $32, DI
	ADDQ        $32, SI
	ADDQ        $32, DX
	DECQ        CX
	JNZ         ada_loop

ada_done:
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

DATA one2<>+0(SB)/4, $0x3f800000
GLOBL one2<>(SB), RODATA|NOPTR, $4

// func adadeltaAVX2(v, grad, sq, acc *float32, n int, k *AdadeltaCoef)
// AdadeltaCoef: Rho 0, Omr 4, Eps 8, WD 12, NegLR 16, Flags 20 (maximize 1, decay 2).
TEXT ·adadeltaAVX2(SB), NOSPLIT, $0-48
	MOVQ         v+0(FP), DI
	MOVQ         grad+8(FP), SI
	MOVQ         sq+16(FP), DX
	MOVQ         acc+24(FP), R8
	MOVQ         n+32(FP), CX
	MOVQ         k+40(FP), AX
	VBROADCASTSS 0(AX), Y1
	VBROADCASTSS 4(AX), Y2
	VBROADCASTSS 8(AX), Y3
	VBROADCASTSS 12(AX), Y4
	VBROADCASTSS 16(AX), Y5
	MOVL         20(AX), BX
	VPBROADCASTD signmask2<>(SB), Y8
	SHRQ         $3, CX
	JZ           adad_done

adad_loop:
	PREFETCHT0  PFD2(SI)
	PREFETCHT0  PFD2(DX)
	PREFETCHT0  PFD2(R8)
	PREFETCHT0  PFD2(DI)
	VMOVUPS (SI), Y9
	TESTL   $1, BX
	JZ      adad_nomax
	VPXOR   Y8, Y9, Y9

adad_nomax:
	VMOVUPS (DI), Y15
	TESTL   $2, BX
	JZ      adad_nodecay
	VFMADD231PS Y4, Y15, Y9

adad_nodecay:
	// s = fma((1-ρ)·g, g, sq·ρ); sq = s
	VMULPS      Y9, Y2, Y10
	VMULPS      (DX), Y1, Y11
	VFMADD231PS Y9, Y10, Y11
	VMOVUPS     Y11, (DX)
	// Δ = (√(u+ε) / √(s+ε))·g
	VMOVUPS (R8), Y12
	VADDPS  Y3, Y12, Y13
	VSQRTPS Y13, Y13
	VADDPS  Y3, Y11, Y14
	VSQRTPS Y14, Y14
	VDIVPS  Y14, Y13, Y13
	VMULPS  Y9, Y13, Y13
	// u = fma((1-ρ)·Δ, Δ, u·ρ); θ = fma(Δ, -γ, θ)
	VMULPS      Y13, Y2, Y10
	VMULPS      Y12, Y1, Y12
	VFMADD231PS Y13, Y10, Y12
	VMOVUPS     Y12, (R8)
	VFMADD231PS Y5, Y13, Y15
	VMOVUPS     Y15, (DI)
	ADDQ        $32, DI
	ADDQ        $32, SI
	ADDQ        $32, DX
	ADDQ        $32, R8
	DECQ        CX
	JNZ         adad_loop

adad_done:
	VZEROUPPER
	RET

// func sfSGDAVX2(p, grad, z, x *float32, n int, k *ScheduleFreeCoef)
TEXT ·sfSGDAVX2(SB), NOSPLIT, $0-48
	MOVQ         p+0(FP), DI
	MOVQ         grad+8(FP), SI
	MOVQ         z+16(FP), DX
	MOVQ         x+24(FP), R8
	MOVQ         n+32(FP), CX
	MOVQ         k+40(FP), AX
	VBROADCASTSS 0(AX), Y1
	VBROADCASTSS 8(AX), Y8
	VBROADCASTSS 12(AX), Y3
	VBROADCASTSS 16(AX), Y4
	VBROADCASTSS 20(AX), Y5
	VBROADCASTSS 24(AX), Y6
	SHRQ         $3, CX
	JZ           sfs_done

sfs_loop:
	PREFETCHT0  PFD2(SI)
	PREFETCHT0  PFD2(DX)
	PREFETCHT0  PFD2(R8)
	PREFETCHT0  PFD2(DI)
	// g = fma(y, λ, g); z = fma(g, -γ, z)
	VMOVUPS     (SI), Y9
	VMOVUPS     (DI), Y10
	VFMADD231PS Y8, Y10, Y9
	VMOVUPS     (DX), Y11
	VFMADD231PS Y1, Y9, Y11
	VMOVUPS     Y11, (DX)
	// x = fma(z, c, x·(1-c)); y = fma(z, 1-β, x·β)
	VMULPS      (R8), Y4, Y12
	VFMADD231PS Y3, Y11, Y12
	VMOVUPS     Y12, (R8)
	VMULPS      Y12, Y5, Y13
	VFMADD231PS Y6, Y11, Y13
	VMOVUPS     Y13, (DI)
	ADDQ        $32, DI
	ADDQ        $32, SI
	ADDQ        $32, DX
	ADDQ        $32, R8
	DECQ        CX
	JNZ         sfs_loop

sfs_done:
	VZEROUPPER
	RET

// func prodigyUpdateAVX2(p, m, v *float32, n int, k *ProdigyCoef)
TEXT ·prodigyUpdateAVX2(SB), NOSPLIT, $0-40
	MOVQ         p+0(FP), DI
	MOVQ         m+8(FP), DX
	MOVQ         v+16(FP), R8
	MOVQ         n+24(FP), CX
	MOVQ         k+32(FP), AX
	VBROADCASTSS 28(AX), Y7
	VBROADCASTSS 32(AX), Y8
	VBROADCASTSS 36(AX), Y9
	MOVL         40(AX), BX
	SHRQ         $3, CX
	JZ           pu_done

pu_loop:
	PREFETCHT0  PFD2(DX)
	PREFETCHT0  PFD2(R8)
	PREFETCHT0  PFD2(DI)
	VMOVUPS (DI), Y15
	TESTL   $2, BX
	JZ      pu_nodecay
	// θ = fma(θ, -λ·dlr, θ)
	VFMADD231PS Y8, Y15, Y15

pu_nodecay:
	// θ = fma(m/(√v + d'ε), -dlr, θ)
	VMOVUPS     (R8), Y10
	VSQRTPS     Y10, Y10
	VADDPS      Y7, Y10, Y10
	VMOVUPS     (DX), Y11
	VDIVPS      Y10, Y11, Y11
	VFMADD231PS Y9, Y11, Y15
	VMOVUPS     Y15, (DI)
	ADDQ        $32, DI
	ADDQ        $32, DX
	ADDQ        $32, R8
	DECQ        CX
	JNZ         pu_loop

pu_done:
	VZEROUPPER
	RET

// func larsAVX2(p, grad, buf *float32, n int, k *LARSCoef)
// LARSCoef: WD 0, TR 4, Mom 8, Damp1 12, NegLR 16, Flags 20 (adapt 1, momentum 2, first 4,
// nesterov 8). buf is only read and written with momentum.
TEXT ·larsAVX2(SB), NOSPLIT, $0-40
	MOVQ         p+0(FP), DI
	MOVQ         grad+8(FP), SI
	MOVQ         buf+16(FP), DX
	MOVQ         n+24(FP), CX
	MOVQ         k+32(FP), AX
	VBROADCASTSS 0(AX), Y7
	VBROADCASTSS 4(AX), Y8
	VBROADCASTSS 8(AX), Y1
	VBROADCASTSS 12(AX), Y2
	VBROADCASTSS 16(AX), Y3
	MOVL         20(AX), BX
	SHRQ         $3, CX
	JZ           lars_done

lars_loop:
	PREFETCHT0 PFD2(SI)
	PREFETCHT0 PFD2(DI)
	PREFETCHT0 PFD2(DX)
	VMOVUPS (SI), Y5
	VMOVUPS (DI), Y6
	TESTL   $1, BX
	JZ      lars_noadapt
	// d = fma(θ, λ, g)·tr
	VFMADD231PS Y7, Y6, Y5
	VMULPS      Y8, Y5, Y5

lars_noadapt:
	TESTL $2, BX
	JZ    lars_step
	TESTL $4, BX
	JNZ   lars_first
	VMULPS      (DX), Y1, Y4
	VFMADD231PS Y2, Y5, Y4
	JMP         lars_store

lars_first:
	VMOVAPS Y5, Y4

lars_store:
	VMOVUPS Y4, (DX)
	TESTL   $8, BX
	JZ      lars_plain
	VFMADD231PS Y1, Y4, Y5
	JMP         lars_step

lars_plain:
	VMOVAPS Y4, Y5

lars_step:
	VFMADD231PS Y3, Y5, Y6
	VMOVUPS     Y6, (DI)
	ADDQ        $32, DI
	ADDQ        $32, SI
	ADDQ        $32, DX
	DECQ        CX
	JNZ         lars_loop

lars_done:
	VZEROUPPER
	RET

// func adafactorUpdateAVX2(p, grad, v *float32, n int, k *AdafactorCoef)
TEXT ·adafactorUpdateAVX2(SB), NOSPLIT, $0-40
	MOVQ         p+0(FP), DI
	MOVQ         grad+8(FP), SI
	MOVQ         v+16(FP), R8
	MOVQ         n+24(FP), CX
	MOVQ         k+32(FP), AX
	VBROADCASTSS 8(AX), Y3
	VBROADCASTSS 12(AX), Y5
	VBROADCASTSS 16(AX), Y6
	VBROADCASTSS one2<>(SB), Y4
	VPXOR        Y0, Y0, Y0
	SHRQ         $3, CX
	JZ           au_done

au_loop:
	PREFETCHT0 PFD2(R8)
	PREFETCHT0 PFD2(SI)
	PREFETCHT0 PFD2(DI)
	// U = g·(1/√max(v, ε₁²)) as in the gather pass
	VMOVUPS (R8), Y10
	VMAXPS  Y10, Y3, Y13
	VADDPS  Y0, Y13, Y13
	VSQRTPS Y13, Y13
	VDIVPS  Y13, Y4, Y13
	VMULPS  (SI), Y13, Y14
	// θ = fma(U, A, θ·(1-γλ))
	VMULPS      (DI), Y5, Y15
	VFMADD231PS Y6, Y14, Y15
	VMOVUPS     Y15, (DI)
	ADDQ        $32, DI
	ADDQ        $32, SI
	ADDQ        $32, R8
	DECQ        CX
	JNZ         au_loop

au_done:
	VZEROUPPER
	RET

// func nadamAVX2(v, grad, m, s *float32, n int, k *NAdamCoef)
// NAdamCoef: B1 0, Omb1 4, B2 8, Omb2 12, Bc2 16, Eps 20, WD 24, Cg 28, Cm 32, Flags 36
// (decay 2, decoupled 4), Decay 40.
TEXT ·nadamAVX2(SB), NOSPLIT, $0-48
	MOVQ         v+0(FP), DI
	MOVQ         grad+8(FP), SI
	MOVQ         m+16(FP), DX
	MOVQ         s+24(FP), R8
	MOVQ         n+32(FP), CX
	MOVQ         k+40(FP), AX
	VBROADCASTSS 0(AX), Y1
	VBROADCASTSS 4(AX), Y2
	VBROADCASTSS 8(AX), Y3
	VBROADCASTSS 12(AX), Y4
	VBROADCASTSS 16(AX), Y5
	VBROADCASTSS 20(AX), Y6
	VBROADCASTSS 24(AX), Y7
	MOVL         36(AX), BX
	SHRQ         $3, CX
	JZ           nadam_done

nadam_loop:
	VMOVUPS (SI), Y9
	VMOVUPS (DI), Y15
	TESTL   $2, BX
	JZ      nadam_nodecay
	VFMADD231PS Y7, Y15, Y9

nadam_nodecay:
	TESTL  $4, BX
	JZ     nadam_nodecoupled
	VBROADCASTSS 40(AX), Y0
	VMULPS Y0, Y15, Y15

nadam_nodecoupled:
	// m = fma(g, 1-β₁, m·β₁); s = fma((1-β₂)·g, g, s·β₂)
	VMULPS      (DX), Y1, Y10
	VFMADD231PS Y2, Y9, Y10
	VMOVUPS     Y10, (DX)
	VMULPS      Y9, Y4, Y11
	VMULPS      (R8), Y3, Y12
	VFMADD231PS Y9, Y11, Y12
	VMOVUPS     Y12, (R8)
	// d = √(s/bc₂) + ε; θ = θ + (c_g·g)/d; θ = θ + (c_m·m)/d
	VDIVPS  Y5, Y12, Y13
	VSQRTPS Y13, Y13
	VADDPS  Y6, Y13, Y13
	VBROADCASTSS 28(AX), Y0
	VMULPS  Y9, Y0, Y14
	VDIVPS  Y13, Y14, Y14
	VADDPS  Y14, Y15, Y15
	VBROADCASTSS 32(AX), Y0
	VMULPS  Y10, Y0, Y14
	VDIVPS  Y13, Y14, Y14
	VADDPS  Y14, Y15, Y15
	VMOVUPS Y15, (DI)
	ADDQ    $32, DI
	ADDQ    $32, SI
	ADDQ    $32, DX
	ADDQ    $32, R8
	DECQ    CX
	JNZ     nadam_loop

nadam_done:
	VZEROUPPER
	RET

// func sfAdamWAVX2(p, grad, z, x, v *float32, n int, k *ScheduleFreeCoef)
// ScheduleFreeCoef: NegLR 0, NegLRWD 4, WD 8, C 12, Omc 16, B1 20, Omb1 24, B2 28, Omb2 32,
// Eps 36, Flags 40 (decay at z 1).
TEXT ·sfAdamWAVX2(SB), NOSPLIT, $0-56
	MOVQ         p+0(FP), DI
	MOVQ         grad+8(FP), SI
	MOVQ         z+16(FP), DX
	MOVQ         x+24(FP), R8
	MOVQ         v+32(FP), R9
	MOVQ         n+40(FP), CX
	MOVQ         k+48(FP), AX
	VBROADCASTSS 0(AX), Y1
	VBROADCASTSS 4(AX), Y2
	VBROADCASTSS 12(AX), Y3
	VBROADCASTSS 16(AX), Y4
	VBROADCASTSS 20(AX), Y5
	VBROADCASTSS 24(AX), Y6
	VBROADCASTSS 28(AX), Y7
	MOVL         40(AX), BX
	SHRQ         $3, CX
	JZ           sfa_done

sfa_loop:
	PREFETCHT0  PFD2(SI)
	PREFETCHT0  PFD2(DX)
	PREFETCHT0  PFD2(R8)
	PREFETCHT0  PFD2(R9)
	PREFETCHT0  PFD2(DI)
	VMOVUPS (SI), Y9
	VMOVUPS (DX), Y11
	TESTL   $1, BX
	JZ      sfa_aty
	// z = fma(z, -γλ, z)
	VFMADD231PS Y2, Y11, Y11
	JMP         sfa_moment

sfa_aty:
	// z = fma(y, -γλ, z)
	VMOVUPS     (DI), Y10
	VFMADD231PS Y2, Y10, Y11

sfa_moment:
	// v = fma((1-β₂)·g, g, v·β₂); z = fma(g/(√v + ε), -γ, z)
	VBROADCASTSS 32(AX), Y0
	VMULPS      Y9, Y0, Y12
	VMULPS      (R9), Y7, Y13
	VFMADD231PS Y9, Y12, Y13
	VMOVUPS     Y13, (R9)
	VSQRTPS     Y13, Y14
	VBROADCASTSS 36(AX), Y0
	VADDPS      Y0, Y14, Y14
	VDIVPS      Y14, Y9, Y15
	VFMADD231PS Y1, Y15, Y11
	VMOVUPS     Y11, (DX)
	// x = fma(z, c, x·(1-c)); y = fma(z, 1-β₁, x·β₁)
	VMULPS      (R8), Y4, Y12
	VFMADD231PS Y3, Y11, Y12
	VMOVUPS     Y12, (R8)
	VMULPS      Y12, Y5, Y13
	VFMADD231PS Y6, Y11, Y13
	VMOVUPS     Y13, (DI)
	ADDQ        $32, DI
	ADDQ        $32, SI
	ADDQ        $32, DX
	ADDQ        $32, R8
	ADDQ        $32, R9
	DECQ        CX
	JNZ         sfa_loop

sfa_done:
	VZEROUPPER
	RET

// func lambUpdateAVX2(p, m, v *float32, n int, k *LAMBCoef)
TEXT ·lambUpdateAVX2(SB), NOSPLIT, $0-40
	MOVQ         p+0(FP), DI
	MOVQ         m+8(FP), DX
	MOVQ         v+16(FP), R8
	MOVQ         n+24(FP), CX
	MOVQ         k+32(FP), AX
	VBROADCASTSS 20(AX), Y6
	MOVL         40(AX), BX
	SHRQ         $3, CX
	JZ           lu_done

lu_loop:
	PREFETCHT0 PFD2(R8)
	PREFETCHT0 PFD2(DX)
	PREFETCHT0 PFD2(DI)
	// u = (m·Scale)/(√v + Eps), u = fma(θ, λ, u) with decay
	VMOVUPS (R8), Y12
	VSQRTPS Y12, Y13
	VBROADCASTSS 24(AX), Y0
	VADDPS  Y0, Y13, Y13
	VMOVUPS (DX), Y10
	VMULPS  Y6, Y10, Y14
	VDIVPS  Y13, Y14, Y14
	VMOVUPS (DI), Y15
	TESTL   $2, BX
	JZ      lu_nodecay
	VBROADCASTSS 28(AX), Y0
	VFMADD231PS Y0, Y15, Y14

lu_nodecay:
	// θ = fma(u·tr, -γ, θ)
	VBROADCASTSS 32(AX), Y0
	VMULPS      Y0, Y14, Y14
	VBROADCASTSS 36(AX), Y0
	VFMADD231PS Y0, Y14, Y15
	VMOVUPS     Y15, (DI)
	ADDQ        $32, DI
	ADDQ        $32, DX
	ADDQ        $32, R8
	DECQ        CX
	JNZ         lu_loop

lu_done:
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
