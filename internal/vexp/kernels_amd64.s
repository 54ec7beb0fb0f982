//go:build !noasm

#include "textflag.h"

// The constants of exp.go, as float64 bits; vexpCoef holds 1/j! for j = 13 down to 0.
DATA vexpLog2e<>+0(SB)/8, $0x3ff71547652b82fe
GLOBL vexpLog2e<>(SB), RODATA|NOPTR, $8
DATA vexpLn2Hi<>+0(SB)/8, $0x3fe62e42fee00000
GLOBL vexpLn2Hi<>(SB), RODATA|NOPTR, $8
DATA vexpLn2Lo<>+0(SB)/8, $0x3dea39ef35793c76
GLOBL vexpLn2Lo<>(SB), RODATA|NOPTR, $8
DATA vexpOverflow<>+0(SB)/8, $0x40862e42fefa39ef
GLOBL vexpOverflow<>(SB), RODATA|NOPTR, $8
DATA vexpUnderflow<>+0(SB)/8, $0xc0874910d52d3051
GLOBL vexpUnderflow<>(SB), RODATA|NOPTR, $8
DATA vexpInf<>+0(SB)/8, $0x7ff0000000000000
GLOBL vexpInf<>(SB), RODATA|NOPTR, $8
DATA vexpCoef<>+0(SB)/8, $0x3de6124613a86d09
DATA vexpCoef<>+8(SB)/8, $0x3e21eed8eff8d898
DATA vexpCoef<>+16(SB)/8, $0x3e5ae64567f544e4
DATA vexpCoef<>+24(SB)/8, $0x3e927e4fb7789f5c
DATA vexpCoef<>+32(SB)/8, $0x3ec71de3a556c734
DATA vexpCoef<>+40(SB)/8, $0x3efa01a01a01a01a
DATA vexpCoef<>+48(SB)/8, $0x3f2a01a01a01a01a
DATA vexpCoef<>+56(SB)/8, $0x3f56c16c16c16c17
DATA vexpCoef<>+64(SB)/8, $0x3f81111111111111
DATA vexpCoef<>+72(SB)/8, $0x3fa5555555555555
DATA vexpCoef<>+80(SB)/8, $0x3fc5555555555555
DATA vexpCoef<>+88(SB)/8, $0x3fe0000000000000
DATA vexpCoef<>+96(SB)/8, $0x3ff0000000000000
DATA vexpCoef<>+104(SB)/8, $0x3ff0000000000000
GLOBL vexpCoef<>(SB), RODATA|NOPTR, $112
DATA vexpBias<>+0(SB)/8, $1023
GLOBL vexpBias<>(SB), RODATA|NOPTR, $8

// func expAVX512(dst, x *float64, n int)
//
// Z16-Z29 hold the coefficients, Z8-Z15 the other constants. Lanes whose k is out of
// range (x beyond the bounds, or NaN) compute garbage that the masked moves at the end
// replace.
TEXT ·expAVX512(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ n+16(FP), CX
	VBROADCASTSD vexpLog2e<>(SB), Z8
	VBROADCASTSD vexpLn2Hi<>(SB), Z9
	VBROADCASTSD vexpLn2Lo<>(SB), Z10
	VBROADCASTSD vexpOverflow<>(SB), Z11
	VBROADCASTSD vexpUnderflow<>(SB), Z12
	VBROADCASTSD vexpInf<>(SB), Z13
	VPBROADCASTQ vexpBias<>(SB), Z14
	VXORPD Z15, Z15, Z15
	VBROADCASTSD vexpCoef<>+0(SB), Z16
	VBROADCASTSD vexpCoef<>+8(SB), Z17
	VBROADCASTSD vexpCoef<>+16(SB), Z18
	VBROADCASTSD vexpCoef<>+24(SB), Z19
	VBROADCASTSD vexpCoef<>+32(SB), Z20
	VBROADCASTSD vexpCoef<>+40(SB), Z21
	VBROADCASTSD vexpCoef<>+48(SB), Z22
	VBROADCASTSD vexpCoef<>+56(SB), Z23
	VBROADCASTSD vexpCoef<>+64(SB), Z24
	VBROADCASTSD vexpCoef<>+72(SB), Z25
	VBROADCASTSD vexpCoef<>+80(SB), Z26
	VBROADCASTSD vexpCoef<>+88(SB), Z27
	VBROADCASTSD vexpCoef<>+96(SB), Z28
	VBROADCASTSD vexpCoef<>+104(SB), Z29

loop8:
	VMOVUPD (SI), Z0
	VMULPD Z8, Z0, Z1
	VRNDSCALEPD $0, Z1, Z1      // k = round(x·log2e), ties to even
	VMOVAPD Z0, Z2
	VFNMADD231PD Z9, Z1, Z2     // r = fma(−k, ln2Hi, x)
	VFNMADD231PD Z10, Z1, Z2    // r = fma(−k, ln2Lo, r)
	VMOVAPD Z16, Z3             // p = 1/13!
	VFMADD213PD Z17, Z2, Z3
	VFMADD213PD Z18, Z2, Z3
	VFMADD213PD Z19, Z2, Z3
	VFMADD213PD Z20, Z2, Z3
	VFMADD213PD Z21, Z2, Z3
	VFMADD213PD Z22, Z2, Z3
	VFMADD213PD Z23, Z2, Z3
	VFMADD213PD Z24, Z2, Z3
	VFMADD213PD Z25, Z2, Z3
	VFMADD213PD Z26, Z2, Z3
	VFMADD213PD Z27, Z2, Z3
	VFMADD213PD Z28, Z2, Z3
	VFMADD213PD Z29, Z2, Z3
	VCVTPD2QQ Z1, Z4            // k as an integer
	VPSRAQ $1, Z4, Z5           // n1 = k >> 1
	VPSUBQ Z5, Z4, Z4           // n2 = k − n1
	VPADDQ Z14, Z5, Z5
	VPSLLQ $52, Z5, Z5          // 2^n1
	VPADDQ Z14, Z4, Z4
	VPSLLQ $52, Z4, Z4          // 2^n2
	VMULPD Z5, Z3, Z3
	VMULPD Z4, Z3, Z3
	VCMPPD $0x1e, Z11, Z0, K1   // x > overflow
	VMOVAPD Z13, K1, Z3
	VCMPPD $0x11, Z12, Z0, K2   // x < underflow
	VMOVAPD Z15, K2, Z3
	VCMPPD $3, Z0, Z0, K3       // NaN
	VMOVAPD Z0, K3, Z3
	VMOVUPD Z3, (DI)
	ADDQ $64, SI
	ADDQ $64, DI
	SUBQ $8, CX
	JNZ  loop8
	VZEROUPPER
	RET
