//go:build !noasm

#include "textflag.h"

// The constants of exp.go, as float64 bits.
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
DATA vexpBias<>+0(SB)/8, $1023
GLOBL vexpBias<>(SB), RODATA|NOPTR, $8
// For expAVX2: 1/2, and 2⁵² + 1023, whose sum with an integer n in float64 holds n + 1023
// in its low bits.
DATA vexpHalf<>+0(SB)/8, $0x3fe0000000000000
GLOBL vexpHalf<>(SB), RODATA|NOPTR, $8
DATA vexpMagic<>+0(SB)/8, $0x43300000000003ff
GLOBL vexpMagic<>(SB), RODATA|NOPTR, $8
// vexpCoef4: 1/j! for j = 13 down to 0, each in four lanes, which expAVX2's multiply-adds
// read whole and expAVX512 broadcasts.
DATA vexpCoef4<>+0(SB)/8, $0x3de6124613a86d09
DATA vexpCoef4<>+8(SB)/8, $0x3de6124613a86d09
DATA vexpCoef4<>+16(SB)/8, $0x3de6124613a86d09
DATA vexpCoef4<>+24(SB)/8, $0x3de6124613a86d09
DATA vexpCoef4<>+32(SB)/8, $0x3e21eed8eff8d898
DATA vexpCoef4<>+40(SB)/8, $0x3e21eed8eff8d898
DATA vexpCoef4<>+48(SB)/8, $0x3e21eed8eff8d898
DATA vexpCoef4<>+56(SB)/8, $0x3e21eed8eff8d898
DATA vexpCoef4<>+64(SB)/8, $0x3e5ae64567f544e4
DATA vexpCoef4<>+72(SB)/8, $0x3e5ae64567f544e4
DATA vexpCoef4<>+80(SB)/8, $0x3e5ae64567f544e4
DATA vexpCoef4<>+88(SB)/8, $0x3e5ae64567f544e4
DATA vexpCoef4<>+96(SB)/8, $0x3e927e4fb7789f5c
DATA vexpCoef4<>+104(SB)/8, $0x3e927e4fb7789f5c
DATA vexpCoef4<>+112(SB)/8, $0x3e927e4fb7789f5c
DATA vexpCoef4<>+120(SB)/8, $0x3e927e4fb7789f5c
DATA vexpCoef4<>+128(SB)/8, $0x3ec71de3a556c734
DATA vexpCoef4<>+136(SB)/8, $0x3ec71de3a556c734
DATA vexpCoef4<>+144(SB)/8, $0x3ec71de3a556c734
DATA vexpCoef4<>+152(SB)/8, $0x3ec71de3a556c734
DATA vexpCoef4<>+160(SB)/8, $0x3efa01a01a01a01a
DATA vexpCoef4<>+168(SB)/8, $0x3efa01a01a01a01a
DATA vexpCoef4<>+176(SB)/8, $0x3efa01a01a01a01a
DATA vexpCoef4<>+184(SB)/8, $0x3efa01a01a01a01a
DATA vexpCoef4<>+192(SB)/8, $0x3f2a01a01a01a01a
DATA vexpCoef4<>+200(SB)/8, $0x3f2a01a01a01a01a
DATA vexpCoef4<>+208(SB)/8, $0x3f2a01a01a01a01a
DATA vexpCoef4<>+216(SB)/8, $0x3f2a01a01a01a01a
DATA vexpCoef4<>+224(SB)/8, $0x3f56c16c16c16c17
DATA vexpCoef4<>+232(SB)/8, $0x3f56c16c16c16c17
DATA vexpCoef4<>+240(SB)/8, $0x3f56c16c16c16c17
DATA vexpCoef4<>+248(SB)/8, $0x3f56c16c16c16c17
DATA vexpCoef4<>+256(SB)/8, $0x3f81111111111111
DATA vexpCoef4<>+264(SB)/8, $0x3f81111111111111
DATA vexpCoef4<>+272(SB)/8, $0x3f81111111111111
DATA vexpCoef4<>+280(SB)/8, $0x3f81111111111111
DATA vexpCoef4<>+288(SB)/8, $0x3fa5555555555555
DATA vexpCoef4<>+296(SB)/8, $0x3fa5555555555555
DATA vexpCoef4<>+304(SB)/8, $0x3fa5555555555555
DATA vexpCoef4<>+312(SB)/8, $0x3fa5555555555555
DATA vexpCoef4<>+320(SB)/8, $0x3fc5555555555555
DATA vexpCoef4<>+328(SB)/8, $0x3fc5555555555555
DATA vexpCoef4<>+336(SB)/8, $0x3fc5555555555555
DATA vexpCoef4<>+344(SB)/8, $0x3fc5555555555555
DATA vexpCoef4<>+352(SB)/8, $0x3fe0000000000000
DATA vexpCoef4<>+360(SB)/8, $0x3fe0000000000000
DATA vexpCoef4<>+368(SB)/8, $0x3fe0000000000000
DATA vexpCoef4<>+376(SB)/8, $0x3fe0000000000000
DATA vexpCoef4<>+384(SB)/8, $0x3ff0000000000000
DATA vexpCoef4<>+392(SB)/8, $0x3ff0000000000000
DATA vexpCoef4<>+400(SB)/8, $0x3ff0000000000000
DATA vexpCoef4<>+408(SB)/8, $0x3ff0000000000000
DATA vexpCoef4<>+416(SB)/8, $0x3ff0000000000000
DATA vexpCoef4<>+424(SB)/8, $0x3ff0000000000000
DATA vexpCoef4<>+432(SB)/8, $0x3ff0000000000000
DATA vexpCoef4<>+440(SB)/8, $0x3ff0000000000000
GLOBL vexpCoef4<>(SB), RODATA|NOPTR, $448

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
	VBROADCASTSD vexpCoef4<>+0(SB), Z16
	VBROADCASTSD vexpCoef4<>+32(SB), Z17
	VBROADCASTSD vexpCoef4<>+64(SB), Z18
	VBROADCASTSD vexpCoef4<>+96(SB), Z19
	VBROADCASTSD vexpCoef4<>+128(SB), Z20
	VBROADCASTSD vexpCoef4<>+160(SB), Z21
	VBROADCASTSD vexpCoef4<>+192(SB), Z22
	VBROADCASTSD vexpCoef4<>+224(SB), Z23
	VBROADCASTSD vexpCoef4<>+256(SB), Z24
	VBROADCASTSD vexpCoef4<>+288(SB), Z25
	VBROADCASTSD vexpCoef4<>+320(SB), Z26
	VBROADCASTSD vexpCoef4<>+352(SB), Z27
	VBROADCASTSD vexpCoef4<>+384(SB), Z28
	VBROADCASTSD vexpCoef4<>+416(SB), Z29

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

// func expAVX2(dst, x *float64, n int)
//
// expAVX512 on four lanes a vector, for CPUs without AVX-512: the same operations in the
// same order, so the same bits, but for two that AVX2 lacks. k's halves n1 = k >> 1 and
// n2 = k − n1 are computed in float64 (floor(k/2) and k − n1, exact), and 2ⁿ is the bits
// of n + 2⁵² + 1023 shifted left by 52 (n + 1023 is in [485, 1535] for every x in range),
// instead of VCVTPD2QQ and VPSRAQ. The coefficients are read from memory by the
// multiply-adds (vexpCoef4: four lanes each); Y8-Y15 hold the other constants.
// Out-of-range lanes are replaced by blends, in expAVX512's order.
TEXT ·expAVX2(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ n+16(FP), CX
	VBROADCASTSD vexpLog2e<>(SB), Y8
	VBROADCASTSD vexpLn2Hi<>(SB), Y9
	VBROADCASTSD vexpLn2Lo<>(SB), Y10
	VBROADCASTSD vexpOverflow<>(SB), Y11
	VBROADCASTSD vexpUnderflow<>(SB), Y12
	VBROADCASTSD vexpInf<>(SB), Y13
	VBROADCASTSD vexpHalf<>(SB), Y14
	VBROADCASTSD vexpMagic<>(SB), Y15
	SHRQ $2, CX

loop4:
	VMOVUPD (SI), Y0
	VMULPD Y8, Y0, Y1
	VROUNDPD $0, Y1, Y1         // k = round(x·log2e), ties to even
	VMOVAPD Y0, Y2
	VFNMADD231PD Y9, Y1, Y2     // r = fma(−k, ln2Hi, x)
	VFNMADD231PD Y10, Y1, Y2    // r = fma(−k, ln2Lo, r)
	VMOVUPD vexpCoef4<>+0(SB), Y3
	VFMADD213PD vexpCoef4<>+32(SB), Y2, Y3
	VFMADD213PD vexpCoef4<>+64(SB), Y2, Y3
	VFMADD213PD vexpCoef4<>+96(SB), Y2, Y3
	VFMADD213PD vexpCoef4<>+128(SB), Y2, Y3
	VFMADD213PD vexpCoef4<>+160(SB), Y2, Y3
	VFMADD213PD vexpCoef4<>+192(SB), Y2, Y3
	VFMADD213PD vexpCoef4<>+224(SB), Y2, Y3
	VFMADD213PD vexpCoef4<>+256(SB), Y2, Y3
	VFMADD213PD vexpCoef4<>+288(SB), Y2, Y3
	VFMADD213PD vexpCoef4<>+320(SB), Y2, Y3
	VFMADD213PD vexpCoef4<>+352(SB), Y2, Y3
	VFMADD213PD vexpCoef4<>+384(SB), Y2, Y3
	VFMADD213PD vexpCoef4<>+416(SB), Y2, Y3
	VMULPD Y14, Y1, Y4
	VROUNDPD $1, Y4, Y4         // n1 = floor(k/2)
	VSUBPD Y4, Y1, Y5           // n2 = k − n1
	VADDPD Y15, Y4, Y4
	VPSLLQ $52, Y4, Y4          // 2^n1
	VADDPD Y15, Y5, Y5
	VPSLLQ $52, Y5, Y5          // 2^n2
	VMULPD Y4, Y3, Y3
	VMULPD Y5, Y3, Y3
	VCMPPD $0x1e, Y11, Y0, Y6   // x > overflow
	VBLENDVPD Y6, Y13, Y3, Y3
	VCMPPD $0x11, Y12, Y0, Y6   // x < underflow
	VXORPD Y7, Y7, Y7
	VBLENDVPD Y6, Y7, Y3, Y3
	VCMPPD $3, Y0, Y0, Y6       // NaN
	VBLENDVPD Y6, Y0, Y3, Y3
	VMOVUPD Y3, (DI)
	ADDQ $32, SI
	ADDQ $32, DI
	DECQ CX
	JNZ  loop4
	VZEROUPPER
	RET
