//go:build !noasm

#include "textflag.h"

DATA expmask<>+0(SB)/4, $0x7f800000
GLOBL expmask<>(SB), RODATA|NOPTR, $4

// func allFiniteAVX512(x *float32, n int) bool
TEXT ·allFiniteAVX512(SB), NOSPLIT, $0-17
	MOVQ x+0(FP), SI
	MOVQ n+8(FP), CX
	VPBROADCASTD expmask<>(SB), Z0
	KXORW K2, K2, K2
	SHRQ $4, CX
	JZ   finite_done

finite_loop:
	VPANDD   (SI), Z0, Z1
	VPCMPEQD Z0, Z1, K1
	KORW     K1, K2, K2
	ADDQ     $64, SI
	DECQ     CX
	JNZ      finite_loop

finite_done:
	KMOVW K2, AX
	TESTW AX, AX
	SETEQ ret+16(FP)
	VZEROUPPER
	RET

// func sgdMomentumAVX512(p, grad, buf *float32, n int, mom, damp1, negLR float32)
TEXT ·sgdMomentumAVX512(SB), NOSPLIT, $0-44
	MOVQ         p+0(FP), DI
	MOVQ         grad+8(FP), SI
	MOVQ         buf+16(FP), DX
	MOVQ         n+24(FP), CX
	VBROADCASTSS mom+32(FP), Z1
	VBROADCASTSS damp1+36(FP), Z2
	VBROADCASTSS negLR+40(FP), Z3
	SHRQ         $4, CX
	JZ           sgd_done

sgd_loop:
	VMULPS      (DX), Z1, Z4
	VMOVUPS     (SI), Z5
	VFMADD231PS Z2, Z5, Z4
	VMOVUPS     Z4, (DX)
	VMOVUPS     (DI), Z6
	VFMADD231PS Z3, Z4, Z6
	VMOVUPS     Z6, (DI)
	ADDQ        $64, DI
	ADDQ        $64, SI
	ADDQ        $64, DX
	DECQ        CX
	JNZ         sgd_loop

sgd_done:
	VZEROUPPER
	RET

// func adamAVX512(p, grad, m, v *float32, n int, k *adamCoef)
// adamCoef: b1 0, omb1 4, b2 8, omb2 12, bc2s 16, bc2 20, eps 24, negStep 28, wd 32, decay 36.
TEXT ·adamAVX512(SB), NOSPLIT, $0-48
	MOVQ         p+0(FP), DI
	MOVQ         grad+8(FP), SI
	MOVQ         m+16(FP), DX
	MOVQ         v+24(FP), R8
	MOVQ         n+32(FP), CX
	MOVQ         k+40(FP), AX
	VBROADCASTSS 0(AX), Z1
	VBROADCASTSS 4(AX), Z2
	VBROADCASTSS 8(AX), Z3
	VBROADCASTSS 12(AX), Z4
	VBROADCASTSS 16(AX), Z5
	VBROADCASTSS 24(AX), Z6
	VBROADCASTSS 28(AX), Z7
	VBROADCASTSS 36(AX), Z8
	SHRQ         $4, CX
	JZ           adam_done

adam_loop:
	VMOVUPS     (SI), Z9
	VMULPS      (DX), Z1, Z10
	VFMADD231PS Z2, Z9, Z10
	VMOVUPS     Z10, (DX)
	VMULPS      Z9, Z4, Z11
	VMULPS      (R8), Z3, Z12
	VFMADD231PS Z9, Z11, Z12
	VMOVUPS     Z12, (R8)
	VSQRTPS     Z12, Z13
	VDIVPS      Z5, Z13, Z13
	VADDPS      Z6, Z13, Z13
	VMULPS      Z10, Z7, Z14
	VDIVPS      Z13, Z14, Z14
	VMULPS      (DI), Z8, Z15
	VADDPS      Z14, Z15, Z15
	VMOVUPS     Z15, (DI)
	ADDQ        $64, DI
	ADDQ        $64, SI
	ADDQ        $64, DX
	ADDQ        $64, R8
	DECQ        CX
	JNZ         adam_loop

adam_done:
	VZEROUPPER
	RET
