//go:build !noasm

#include "textflag.h"

// The AVX2 kernels of the two commonest updates, for CPUs without AVX-512: the AVX-512
// kernels of the same name in kernels_amd64.s, instruction for instruction on 8 lanes
// instead of 16, so that they compute the same bits as them and as the Go twins.

// PFD2 is how far ahead, in bytes, adamAVX2 prefetches each stream: PFD of kernels_amd64.s.
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
