//go:build amd64 && !noasm

#include "textflag.h"

// perm is the VPERMD index that transposes the 4×4 dwords of a ZMM register, so that the
// in-lane unpacking of lookupVBMI leaves the results in order.
DATA perm<>+0(SB)/4, $0
DATA perm<>+4(SB)/4, $4
DATA perm<>+8(SB)/4, $8
DATA perm<>+12(SB)/4, $12
DATA perm<>+16(SB)/4, $1
DATA perm<>+20(SB)/4, $5
DATA perm<>+24(SB)/4, $9
DATA perm<>+28(SB)/4, $13
DATA perm<>+32(SB)/4, $2
DATA perm<>+36(SB)/4, $6
DATA perm<>+40(SB)/4, $10
DATA perm<>+44(SB)/4, $14
DATA perm<>+48(SB)/4, $3
DATA perm<>+52(SB)/4, $7
DATA perm<>+56(SB)/4, $11
DATA perm<>+60(SB)/4, $15
GLOBL perm<>(SB), RODATA|NOPTR, $64

// func lookupVBMI(dst *float32, src *uint8, planes *[4][256]uint8, n int)
//
// n is a multiple of 64. Byte k of table[b] is planes[k][b]: for each of the four byte
// planes, two VPERMI2B look up the low seven bits of 64 source bytes in the plane's two
// halves and a blend on the top bit picks one; unpacking the four planes' bytes into
// dwords gives the 64 values. Z16-Z31 hold the planes.
TEXT ·lookupVBMI(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ planes+16(FP), R8
	MOVQ n+24(FP), CX
	VMOVDQU64 (R8), Z16
	VMOVDQU64 64(R8), Z17
	VMOVDQU64 128(R8), Z18
	VMOVDQU64 192(R8), Z19
	VMOVDQU64 256(R8), Z20
	VMOVDQU64 320(R8), Z21
	VMOVDQU64 384(R8), Z22
	VMOVDQU64 448(R8), Z23
	VMOVDQU64 512(R8), Z24
	VMOVDQU64 576(R8), Z25
	VMOVDQU64 640(R8), Z26
	VMOVDQU64 704(R8), Z27
	VMOVDQU64 768(R8), Z28
	VMOVDQU64 832(R8), Z29
	VMOVDQU64 896(R8), Z30
	VMOVDQU64 960(R8), Z31
	VMOVDQU64 perm<>(SB), Z15
	XORQ AX, AX
loop:
	CMPQ AX, CX
	JGE  done
	VPERMD    (SI)(AX*1), Z15, Z0
	VPMOVB2M  Z0, K1

	VMOVDQA64 Z0, Z1
	VPERMI2B  Z17, Z16, Z1
	VMOVDQA64 Z0, Z2
	VPERMI2B  Z19, Z18, Z2
	VPBLENDMB Z2, Z1, K1, Z9

	VMOVDQA64 Z0, Z3
	VPERMI2B  Z21, Z20, Z3
	VMOVDQA64 Z0, Z4
	VPERMI2B  Z23, Z22, Z4
	VPBLENDMB Z4, Z3, K1, Z10

	VMOVDQA64 Z0, Z5
	VPERMI2B  Z25, Z24, Z5
	VMOVDQA64 Z0, Z6
	VPERMI2B  Z27, Z26, Z6
	VPBLENDMB Z6, Z5, K1, Z11

	VMOVDQA64 Z0, Z7
	VPERMI2B  Z29, Z28, Z7
	VMOVDQA64 Z0, Z8
	VPERMI2B  Z31, Z30, Z8
	VPBLENDMB Z8, Z7, K1, Z12

	VPUNPCKLBW Z10, Z9, Z1
	VPUNPCKHBW Z10, Z9, Z2
	VPUNPCKLBW Z12, Z11, Z3
	VPUNPCKHBW Z12, Z11, Z4
	VPUNPCKLWD Z3, Z1, Z5
	VPUNPCKHWD Z3, Z1, Z6
	VPUNPCKLWD Z4, Z2, Z7
	VPUNPCKHWD Z4, Z2, Z8
	VMOVDQU64  Z5, (DI)(AX*4)
	VMOVDQU64  Z6, 64(DI)(AX*4)
	VMOVDQU64  Z7, 128(DI)(AX*4)
	VMOVDQU64  Z8, 192(DI)(AX*4)
	ADDQ $64, AX
	JMP  loop
done:
	VZEROUPPER
	RET

// func lookupAVX2(dst *float32, src *uint8, table *[256]float32, n int)
//
// n is a multiple of 32. Each group of eight source bytes is widened to dwords
// (VPMOVZXBD), which index the table in a VPGATHERDD: four groups a step. A gather clears
// its mask (Y8-Y11, set to all ones from Y15 before each) and merges into its destination
// (Y4-Y7, cleared first, so that it does not wait for the previous step's).
TEXT ·lookupAVX2(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ table+16(FP), BX
	MOVQ n+24(FP), CX
	VPCMPEQD Y15, Y15, Y15

avx2loop:
	VPMOVZXBD 0(SI), Y0
	VPMOVZXBD 8(SI), Y1
	VPMOVZXBD 16(SI), Y2
	VPMOVZXBD 24(SI), Y3
	VMOVDQU   Y15, Y8
	VMOVDQU   Y15, Y9
	VMOVDQU   Y15, Y10
	VMOVDQU   Y15, Y11
	VPXOR     Y4, Y4, Y4
	VPXOR     Y5, Y5, Y5
	VPXOR     Y6, Y6, Y6
	VPXOR     Y7, Y7, Y7
	VPGATHERDD Y8, (BX)(Y0*4), Y4
	VPGATHERDD Y9, (BX)(Y1*4), Y5
	VPGATHERDD Y10, (BX)(Y2*4), Y6
	VPGATHERDD Y11, (BX)(Y3*4), Y7
	VMOVDQU   Y4, 0(DI)
	VMOVDQU   Y5, 32(DI)
	VMOVDQU   Y6, 64(DI)
	VMOVDQU   Y7, 96(DI)
	ADDQ      $32, SI
	ADDQ      $128, DI
	SUBQ      $32, CX
	JNZ       avx2loop
	VZEROUPPER
	RET
