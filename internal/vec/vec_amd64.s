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
