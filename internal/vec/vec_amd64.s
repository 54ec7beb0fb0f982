//go:build amd64 && !noasm

#include "textflag.h"

// Each kernel runs a loop over 32 elements (four YMM vectors) and then one over 8; n is a
// multiple of 8. DI is the destination, SI the second operand, AX the element index.

// func addAVX2(dst, x *float32, n int)
TEXT ·addAVX2(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ n+16(FP), CX
	XORQ AX, AX
add32:
	LEAQ 32(AX), DX
	CMPQ DX, CX
	JGT  add8
	VMOVUPS (DI)(AX*4), Y0
	VMOVUPS 32(DI)(AX*4), Y1
	VMOVUPS 64(DI)(AX*4), Y2
	VMOVUPS 96(DI)(AX*4), Y3
	VADDPS  (SI)(AX*4), Y0, Y0
	VADDPS  32(SI)(AX*4), Y1, Y1
	VADDPS  64(SI)(AX*4), Y2, Y2
	VADDPS  96(SI)(AX*4), Y3, Y3
	VMOVUPS Y0, (DI)(AX*4)
	VMOVUPS Y1, 32(DI)(AX*4)
	VMOVUPS Y2, 64(DI)(AX*4)
	VMOVUPS Y3, 96(DI)(AX*4)
	MOVQ DX, AX
	JMP  add32
add8:
	CMPQ AX, CX
	JGE  addDone
	VMOVUPS (DI)(AX*4), Y0
	VADDPS  (SI)(AX*4), Y0, Y0
	VMOVUPS Y0, (DI)(AX*4)
	ADDQ $8, AX
	JMP  add8
addDone:
	VZEROUPPER
	RET

// func axpyAVX2(dst *float32, a float32, x *float32, n int)
TEXT ·axpyAVX2(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	VBROADCASTSS a+8(FP), Y15
	MOVQ x+16(FP), SI
	MOVQ n+24(FP), CX
	XORQ AX, AX
axpy32:
	LEAQ 32(AX), DX
	CMPQ DX, CX
	JGT  axpy8
	VMOVUPS (DI)(AX*4), Y0
	VMOVUPS 32(DI)(AX*4), Y1
	VMOVUPS 64(DI)(AX*4), Y2
	VMOVUPS 96(DI)(AX*4), Y3
	VFMADD231PS (SI)(AX*4), Y15, Y0
	VFMADD231PS 32(SI)(AX*4), Y15, Y1
	VFMADD231PS 64(SI)(AX*4), Y15, Y2
	VFMADD231PS 96(SI)(AX*4), Y15, Y3
	VMOVUPS Y0, (DI)(AX*4)
	VMOVUPS Y1, 32(DI)(AX*4)
	VMOVUPS Y2, 64(DI)(AX*4)
	VMOVUPS Y3, 96(DI)(AX*4)
	MOVQ DX, AX
	JMP  axpy32
axpy8:
	CMPQ AX, CX
	JGE  axpyDone
	VMOVUPS (DI)(AX*4), Y0
	VFMADD231PS (SI)(AX*4), Y15, Y0
	VMOVUPS Y0, (DI)(AX*4)
	ADDQ $8, AX
	JMP  axpy8
axpyDone:
	VZEROUPPER
	RET

// func scaleAVX2(dst *float32, a float32, n int)
TEXT ·scaleAVX2(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	VBROADCASTSS a+8(FP), Y15
	MOVQ n+16(FP), CX
	XORQ AX, AX
scale32:
	LEAQ 32(AX), DX
	CMPQ DX, CX
	JGT  scale8
	VMULPS (DI)(AX*4), Y15, Y0
	VMULPS 32(DI)(AX*4), Y15, Y1
	VMULPS 64(DI)(AX*4), Y15, Y2
	VMULPS 96(DI)(AX*4), Y15, Y3
	VMOVUPS Y0, (DI)(AX*4)
	VMOVUPS Y1, 32(DI)(AX*4)
	VMOVUPS Y2, 64(DI)(AX*4)
	VMOVUPS Y3, 96(DI)(AX*4)
	MOVQ DX, AX
	JMP  scale32
scale8:
	CMPQ AX, CX
	JGE  scaleDone
	VMULPS (DI)(AX*4), Y15, Y0
	VMOVUPS Y0, (DI)(AX*4)
	ADDQ $8, AX
	JMP  scale8
scaleDone:
	VZEROUPPER
	RET

// func addConstAVX2(dst *float32, c float32, n int)
TEXT ·addConstAVX2(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	VBROADCASTSS c+8(FP), Y15
	MOVQ n+16(FP), CX
	XORQ AX, AX
addConst32:
	LEAQ 32(AX), DX
	CMPQ DX, CX
	JGT  addConst8
	VADDPS (DI)(AX*4), Y15, Y0
	VADDPS 32(DI)(AX*4), Y15, Y1
	VADDPS 64(DI)(AX*4), Y15, Y2
	VADDPS 96(DI)(AX*4), Y15, Y3
	VMOVUPS Y0, (DI)(AX*4)
	VMOVUPS Y1, 32(DI)(AX*4)
	VMOVUPS Y2, 64(DI)(AX*4)
	VMOVUPS Y3, 96(DI)(AX*4)
	MOVQ DX, AX
	JMP  addConst32
addConst8:
	CMPQ AX, CX
	JGE  addConstDone
	VADDPS (DI)(AX*4), Y15, Y0
	VMOVUPS Y0, (DI)(AX*4)
	ADDQ $8, AX
	JMP  addConst8
addConstDone:
	VZEROUPPER
	RET

// VMAXPS returns its second source (the first operand in Go's order) when either is NaN,
// so max(x, 0) is written "VMAXPS x, zero, dst" to propagate a NaN x as Go's max does.

// func addReLUAVX2(dst, b *float32, n int)
TEXT ·addReLUAVX2(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ b+8(FP), SI
	MOVQ n+16(FP), CX
	XORQ AX, AX
	VXORPS Y14, Y14, Y14
addReLU32:
	LEAQ 32(AX), DX
	CMPQ DX, CX
	JGT  addReLU8
	VMOVUPS (DI)(AX*4), Y0
	VMOVUPS 32(DI)(AX*4), Y1
	VMOVUPS 64(DI)(AX*4), Y2
	VMOVUPS 96(DI)(AX*4), Y3
	VADDPS  (SI)(AX*4), Y0, Y0
	VADDPS  32(SI)(AX*4), Y1, Y1
	VADDPS  64(SI)(AX*4), Y2, Y2
	VADDPS  96(SI)(AX*4), Y3, Y3
	VMAXPS  Y0, Y14, Y0
	VMAXPS  Y1, Y14, Y1
	VMAXPS  Y2, Y14, Y2
	VMAXPS  Y3, Y14, Y3
	VMOVUPS Y0, (DI)(AX*4)
	VMOVUPS Y1, 32(DI)(AX*4)
	VMOVUPS Y2, 64(DI)(AX*4)
	VMOVUPS Y3, 96(DI)(AX*4)
	MOVQ DX, AX
	JMP  addReLU32
addReLU8:
	CMPQ AX, CX
	JGE  addReLUDone
	VMOVUPS (DI)(AX*4), Y0
	VADDPS  (SI)(AX*4), Y0, Y0
	VMAXPS  Y0, Y14, Y0
	VMOVUPS Y0, (DI)(AX*4)
	ADDQ $8, AX
	JMP  addReLU8
addReLUDone:
	VZEROUPPER
	RET

// func addConstReLUAVX2(dst *float32, c float32, n int)
TEXT ·addConstReLUAVX2(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	VBROADCASTSS c+8(FP), Y15
	MOVQ n+16(FP), CX
	XORQ AX, AX
	VXORPS Y14, Y14, Y14
addConstReLU32:
	LEAQ 32(AX), DX
	CMPQ DX, CX
	JGT  addConstReLU8
	VADDPS (DI)(AX*4), Y15, Y0
	VADDPS 32(DI)(AX*4), Y15, Y1
	VADDPS 64(DI)(AX*4), Y15, Y2
	VADDPS 96(DI)(AX*4), Y15, Y3
	VMAXPS Y0, Y14, Y0
	VMAXPS Y1, Y14, Y1
	VMAXPS Y2, Y14, Y2
	VMAXPS Y3, Y14, Y3
	VMOVUPS Y0, (DI)(AX*4)
	VMOVUPS Y1, 32(DI)(AX*4)
	VMOVUPS Y2, 64(DI)(AX*4)
	VMOVUPS Y3, 96(DI)(AX*4)
	MOVQ DX, AX
	JMP  addConstReLU32
addConstReLU8:
	CMPQ AX, CX
	JGE  addConstReLUDone
	VADDPS (DI)(AX*4), Y15, Y0
	VMAXPS Y0, Y14, Y0
	VMOVUPS Y0, (DI)(AX*4)
	ADDQ $8, AX
	JMP  addConstReLU8
addConstReLUDone:
	VZEROUPPER
	RET

// VCMPPS $0x1e (greater-than, ordered, quiet) y, 0 gives all ones where y > 0 and zeros
// where y <= 0 or y is NaN; ANDing the gradient with it is the rectifier's backward pass.

// func maskPositiveAVX2(dst, y *float32, n int)
TEXT ·maskPositiveAVX2(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ y+8(FP), SI
	MOVQ n+16(FP), CX
	XORQ AX, AX
	VXORPS Y14, Y14, Y14
mask32:
	LEAQ 32(AX), DX
	CMPQ DX, CX
	JGT  mask8
	VMOVUPS (SI)(AX*4), Y4
	VMOVUPS 32(SI)(AX*4), Y5
	VMOVUPS 64(SI)(AX*4), Y6
	VMOVUPS 96(SI)(AX*4), Y7
	VCMPPS  $0x1e, Y14, Y4, Y4
	VCMPPS  $0x1e, Y14, Y5, Y5
	VCMPPS  $0x1e, Y14, Y6, Y6
	VCMPPS  $0x1e, Y14, Y7, Y7
	VANDPS  (DI)(AX*4), Y4, Y0
	VANDPS  32(DI)(AX*4), Y5, Y1
	VANDPS  64(DI)(AX*4), Y6, Y2
	VANDPS  96(DI)(AX*4), Y7, Y3
	VMOVUPS Y0, (DI)(AX*4)
	VMOVUPS Y1, 32(DI)(AX*4)
	VMOVUPS Y2, 64(DI)(AX*4)
	VMOVUPS Y3, 96(DI)(AX*4)
	MOVQ DX, AX
	JMP  mask32
mask8:
	CMPQ AX, CX
	JGE  maskDone
	VMOVUPS (SI)(AX*4), Y4
	VCMPPS  $0x1e, Y14, Y4, Y4
	VANDPS  (DI)(AX*4), Y4, Y0
	VMOVUPS Y0, (DI)(AX*4)
	ADDQ $8, AX
	JMP  mask8
maskDone:
	VZEROUPPER
	RET

// func sumAVX2(x *float32, n int) float32
TEXT ·sumAVX2(SB), NOSPLIT, $0-20
	MOVQ x+0(FP), SI
	MOVQ n+8(FP), CX
	XORQ AX, AX
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
sum32:
	LEAQ 32(AX), DX
	CMPQ DX, CX
	JGT  sumFold
	VADDPS (SI)(AX*4), Y0, Y0
	VADDPS 32(SI)(AX*4), Y1, Y1
	VADDPS 64(SI)(AX*4), Y2, Y2
	VADDPS 96(SI)(AX*4), Y3, Y3
	MOVQ DX, AX
	JMP  sum32
sumFold:
	VADDPS Y1, Y0, Y0
	VADDPS Y3, Y2, Y2
	VADDPS Y2, Y0, Y0
sum8:
	CMPQ AX, CX
	JGE  sumReduce
	VADDPS (SI)(AX*4), Y0, Y0
	ADDQ $8, AX
	JMP  sum8
sumReduce:
	VEXTRACTF128 $1, Y0, X1
	VADDPS X1, X0, X0
	VMOVHLPS X0, X0, X1
	VADDPS X1, X0, X0
	VMOVSHDUP X0, X1
	VADDSS X1, X0, X0
	VMOVSS X0, ret+16(FP)
	VZEROUPPER
	RET

// Constants of expAVX2 (see exp.go), as float32 bits; expBias127 is the integer 127.
DATA expHi<>+0(SB)/4, $0x42b17218
GLOBL expHi<>(SB), RODATA|NOPTR, $4
DATA expLo<>+0(SB)/4, $0xc2aeac4f
GLOBL expLo<>(SB), RODATA|NOPTR, $4
DATA expLog2e<>+0(SB)/4, $0x3fb8aa3b
GLOBL expLog2e<>(SB), RODATA|NOPTR, $4
DATA expC1<>+0(SB)/4, $0x3f318000
GLOBL expC1<>(SB), RODATA|NOPTR, $4
DATA expC2<>+0(SB)/4, $0xb95e8083
GLOBL expC2<>(SB), RODATA|NOPTR, $4
DATA expP0<>+0(SB)/4, $0x39506967
GLOBL expP0<>(SB), RODATA|NOPTR, $4
DATA expP1<>+0(SB)/4, $0x3ab743ce
GLOBL expP1<>(SB), RODATA|NOPTR, $4
DATA expP2<>+0(SB)/4, $0x3c088908
GLOBL expP2<>(SB), RODATA|NOPTR, $4
DATA expP3<>+0(SB)/4, $0x3d2aa9c1
GLOBL expP3<>(SB), RODATA|NOPTR, $4
DATA expP4<>+0(SB)/4, $0x3e2aaaaa
GLOBL expP4<>(SB), RODATA|NOPTR, $4
DATA expP5<>+0(SB)/4, $0x3f000000
GLOBL expP5<>(SB), RODATA|NOPTR, $4
DATA expOne<>+0(SB)/4, $0x3f800000
GLOBL expOne<>(SB), RODATA|NOPTR, $4
DATA expInf<>+0(SB)/4, $0x7f800000
GLOBL expInf<>(SB), RODATA|NOPTR, $4
DATA expBias127<>+0(SB)/4, $127
GLOBL expBias127<>(SB), RODATA|NOPTR, $4

// func expAVX2(dst, x *float32, n int)
TEXT ·expAVX2(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ n+16(FP), CX
	XORQ AX, AX
	VBROADCASTSS expLog2e<>(SB), Y8
	VBROADCASTSS expC1<>(SB), Y9
	VBROADCASTSS expC2<>(SB), Y10
	VBROADCASTSS expP0<>(SB), Y11
	VBROADCASTSS expHi<>(SB), Y12
	VBROADCASTSS expLo<>(SB), Y13
	VBROADCASTSS expOne<>(SB), Y14
	VPBROADCASTD expBias127<>(SB), Y15
exp8:
	CMPQ AX, CX
	JGE  expDone
	VMOVUPS (SI)(AX*4), Y0
	VCMPPS  $3, Y0, Y0, Y1      // NaN lanes
	VCMPPS  $0x1e, Y12, Y0, Y2  // x > hi
	VCMPPS  $0x11, Y13, Y0, Y3  // x < lo
	VMULPS  Y8, Y0, Y4
	VROUNDPS $0, Y4, Y4         // n = round(x·log2e), ties to even
	VMOVAPS Y0, Y5
	VFNMADD231PS Y9, Y4, Y5     // r = x − n·c1
	VFNMADD231PS Y10, Y4, Y5    // r −= n·c2
	VMOVAPS Y11, Y6             // p = P0
	VBROADCASTSS expP1<>(SB), Y7
	VFMADD213PS Y7, Y5, Y6      // p = p·r + P1
	VBROADCASTSS expP2<>(SB), Y7
	VFMADD213PS Y7, Y5, Y6
	VBROADCASTSS expP3<>(SB), Y7
	VFMADD213PS Y7, Y5, Y6
	VBROADCASTSS expP4<>(SB), Y7
	VFMADD213PS Y7, Y5, Y6
	VBROADCASTSS expP5<>(SB), Y7
	VFMADD213PS Y7, Y5, Y6
	VMULPS  Y5, Y5, Y7          // z = r·r
	VFMADD213PS Y5, Y7, Y6      // p = p·z + r
	VADDPS  Y14, Y6, Y6         // p += 1
	VCVTPS2DQ Y4, Y4            // n as an integer
	VPSRAD  $1, Y4, Y7          // n1 = n >> 1
	VPSUBD  Y7, Y4, Y4          // n2 = n − n1
	VPADDD  Y15, Y7, Y7
	VPSLLD  $23, Y7, Y7         // 2^n1
	VPADDD  Y15, Y4, Y4
	VPSLLD  $23, Y4, Y4         // 2^n2
	VMULPS  Y7, Y6, Y6
	VMULPS  Y4, Y6, Y6
	VBROADCASTSS expInf<>(SB), Y7
	VBLENDVPS Y2, Y7, Y6, Y6    // x > hi: +Inf
	VANDNPS Y6, Y3, Y6          // x < lo: 0
	VBLENDVPS Y1, Y0, Y6, Y6    // NaN: x
	VMOVUPS Y6, (DI)(AX*4)
	ADDQ $8, AX
	JMP  exp8
expDone:
	VZEROUPPER
	RET

// func fromBytesAVX2(dst *float32, src *uint8, scale, offset float32, n int)
TEXT ·fromBytesAVX2(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	VBROADCASTSS scale+16(FP), Y14
	VBROADCASTSS offset+20(FP), Y15
	MOVQ n+24(FP), CX
	XORQ AX, AX
bytes32:
	LEAQ 32(AX), DX
	CMPQ DX, CX
	JGT  bytes8
	VPMOVZXBD (SI)(AX*1), Y0
	VPMOVZXBD 8(SI)(AX*1), Y1
	VPMOVZXBD 16(SI)(AX*1), Y2
	VPMOVZXBD 24(SI)(AX*1), Y3
	VCVTDQ2PS Y0, Y0
	VCVTDQ2PS Y1, Y1
	VCVTDQ2PS Y2, Y2
	VCVTDQ2PS Y3, Y3
	VFMADD213PS Y15, Y14, Y0 // x·scale + offset
	VFMADD213PS Y15, Y14, Y1
	VFMADD213PS Y15, Y14, Y2
	VFMADD213PS Y15, Y14, Y3
	VMOVUPS Y0, (DI)(AX*4)
	VMOVUPS Y1, 32(DI)(AX*4)
	VMOVUPS Y2, 64(DI)(AX*4)
	VMOVUPS Y3, 96(DI)(AX*4)
	MOVQ DX, AX
	JMP  bytes32
bytes8:
	CMPQ AX, CX
	JGE  bytesDone
	VPMOVZXBD (SI)(AX*1), Y0
	VCVTDQ2PS Y0, Y0
	VFMADD213PS Y15, Y14, Y0
	VMOVUPS Y0, (DI)(AX*4)
	ADDQ $8, AX
	JMP  bytes8
bytesDone:
	VZEROUPPER
	RET
