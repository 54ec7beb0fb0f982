//go:build !noasm

#include "textflag.h"

// mask<>: 16 all-ones lanes then 16 zero lanes; the 8 lanes from mask<>+4(16−n) have their
// first n set. iota2<>: 0, 2, 4, …, 14, the columns of the first elements of eight windows.

DATA mask<>+0(SB)/4, $0xffffffff
DATA mask<>+4(SB)/4, $0xffffffff
DATA mask<>+8(SB)/4, $0xffffffff
DATA mask<>+12(SB)/4, $0xffffffff
DATA mask<>+16(SB)/4, $0xffffffff
DATA mask<>+20(SB)/4, $0xffffffff
DATA mask<>+24(SB)/4, $0xffffffff
DATA mask<>+28(SB)/4, $0xffffffff
DATA mask<>+32(SB)/4, $0xffffffff
DATA mask<>+36(SB)/4, $0xffffffff
DATA mask<>+40(SB)/4, $0xffffffff
DATA mask<>+44(SB)/4, $0xffffffff
DATA mask<>+48(SB)/4, $0xffffffff
DATA mask<>+52(SB)/4, $0xffffffff
DATA mask<>+56(SB)/4, $0xffffffff
DATA mask<>+60(SB)/4, $0xffffffff
DATA mask<>+64(SB)/4, $0x00000000
DATA mask<>+68(SB)/4, $0x00000000
DATA mask<>+72(SB)/4, $0x00000000
DATA mask<>+76(SB)/4, $0x00000000
DATA mask<>+80(SB)/4, $0x00000000
DATA mask<>+84(SB)/4, $0x00000000
DATA mask<>+88(SB)/4, $0x00000000
DATA mask<>+92(SB)/4, $0x00000000
DATA mask<>+96(SB)/4, $0x00000000
DATA mask<>+100(SB)/4, $0x00000000
DATA mask<>+104(SB)/4, $0x00000000
DATA mask<>+108(SB)/4, $0x00000000
DATA mask<>+112(SB)/4, $0x00000000
DATA mask<>+116(SB)/4, $0x00000000
DATA mask<>+120(SB)/4, $0x00000000
DATA mask<>+124(SB)/4, $0x00000000
GLOBL mask<>(SB), RODATA|NOPTR, $128

DATA iota2<>+0(SB)/4, $0
DATA iota2<>+4(SB)/4, $2
DATA iota2<>+8(SB)/4, $4
DATA iota2<>+12(SB)/4, $6
DATA iota2<>+16(SB)/4, $8
DATA iota2<>+20(SB)/4, $10
DATA iota2<>+24(SB)/4, $12
DATA iota2<>+28(SB)/4, $14
GLOBL iota2<>(SB), RODATA|NOPTR, $32

// func poolReLU2AVX2(y *float32, idx *int32, src *float32, ld, ph, pw, ow int, bias float32) bool
//
// Eight windows at a time: the two rows' sixteen elements each, plus bias, rectified
// (VMAXPS with zero second: +0 for ±0, and a NaN lane is only noted in Y13), split into the
// windows' four elements by VSHUFPS and VPERMPD, their maximum, and the offset of its first
// occurrence chosen by VBLENDVPS in reverse order. The last, partial block of a row uses
// masked loads and stores. It returns false, its results to be discarded, if any element
// plus bias is NaN.
//
// AX the row pair's first row in src, R8 2·ld bytes; R11, R12 the current block's
// elements in the two rows; DI, SI the row of y and of idx, R13 the block's byte offset in
// them, DX a row's bytes; R9 the rows left, CX the blocks left, R10 the windows of the
// partial block; R14 the position 2·py·ow of the row pair's first element. Y15 bias, Y14
// zero, Y13 the NaN lanes, Y12 ow+1, Y11 ow, Y10 one, Y9 the positions of the block's
// windows' first elements, Y8 sixteen; Y0-Y7 scratch.
TEXT ·poolReLU2AVX2(SB), NOSPLIT, $24-65
	MOVQ y+0(FP), DI
	MOVQ idx+8(FP), SI
	MOVQ src+16(FP), AX
	MOVQ ld+24(FP), R8
	SHLQ $3, R8
	MOVQ ph+32(FP), R9
	MOVQ pw+40(FP), R10
	MOVQ R10, DX
	SHLQ $2, DX
	ANDQ $7, R10
	LEAQ (R10)(R10*1), BX
	MOVQ BX, CX
	MOVQ $8, R11
	CMPQ CX, R11
	CMOVQGT R11, CX
	MOVQ $16, R11
	SUBQ CX, R11
	SHLQ $2, R11
	MOVQ R11, m0-8(SP)
	SUBQ $8, BX
	MOVQ $0, R11
	CMPQ BX, R11
	CMOVQLT R11, BX
	MOVQ $16, R11
	SUBQ BX, R11
	SHLQ $2, R11
	MOVQ R11, m1-16(SP)
	MOVQ $16, R11
	SUBQ R10, R11
	SHLQ $2, R11
	MOVQ R11, mw-24(SP)
	VBROADCASTSS bias+56(FP), Y15
	VXORPS Y14, Y14, Y14
	VXORPS Y13, Y13, Y13
	MOVQ ow+48(FP), R14
	MOVQ R14, X11
	VPBROADCASTD X11, Y11
	INCQ R14
	MOVQ R14, X12
	VPBROADCASTD X12, Y12
	MOVQ $1, R14
	MOVQ R14, X10
	VPBROADCASTD X10, Y10
	MOVQ $16, R14
	MOVQ R14, X8
	VPBROADCASTD X8, Y8
	XORQ R14, R14
	TESTQ R9, R9
	JEQ pool_done
pool_row:
	MOVQ AX, R11
	MOVQ ld+24(FP), R12
	LEAQ (AX)(R12*4), R12
	XORQ R13, R13
	MOVQ R14, X9
	VPBROADCASTD X9, Y9
	VPADDD iota2<>(SB), Y9, Y9
	MOVQ pw+40(FP), CX
	SHRQ $3, CX
	JEQ pool_tail
pool_block:
	VMOVUPS (R11), Y0
	VMOVUPS 32(R11), Y1
	VMOVUPS (R12), Y2
	VMOVUPS 32(R12), Y3
	VADDPS Y15, Y0, Y0
	VADDPS Y15, Y1, Y1
	VADDPS Y15, Y2, Y2
	VADDPS Y15, Y3, Y3
	VCMPPS $3, Y0, Y0, Y4
	VORPS Y4, Y13, Y13
	VCMPPS $3, Y1, Y1, Y4
	VORPS Y4, Y13, Y13
	VCMPPS $3, Y2, Y2, Y4
	VORPS Y4, Y13, Y13
	VCMPPS $3, Y3, Y3, Y4
	VORPS Y4, Y13, Y13
	VMAXPS Y14, Y0, Y0
	VMAXPS Y14, Y1, Y1
	VMAXPS Y14, Y2, Y2
	VMAXPS Y14, Y3, Y3
	VSHUFPS $0x88, Y1, Y0, Y4
	VSHUFPS $0xdd, Y1, Y0, Y0
	VSHUFPS $0x88, Y3, Y2, Y1
	VSHUFPS $0xdd, Y3, Y2, Y2
	VPERMPD $0xd8, Y4, Y4
	VPERMPD $0xd8, Y0, Y0
	VPERMPD $0xd8, Y1, Y1
	VPERMPD $0xd8, Y2, Y2
	VMAXPS Y0, Y4, Y3
	VMAXPS Y2, Y1, Y6
	VMAXPS Y6, Y3, Y3
	VMOVDQU Y12, Y6
	VCMPPS $0, Y3, Y1, Y1
	VBLENDVPS Y1, Y11, Y6, Y6
	VCMPPS $0, Y3, Y0, Y0
	VBLENDVPS Y0, Y10, Y6, Y6
	VCMPPS $0, Y3, Y4, Y4
	VBLENDVPS Y4, Y14, Y6, Y6
	VPADDD Y9, Y6, Y6
	VMOVUPS Y3, (DI)(R13*1)
	VMOVDQU Y6, (SI)(R13*1)
	VPADDD Y8, Y9, Y9
	ADDQ $64, R11
	ADDQ $64, R12
	ADDQ $32, R13
	DECQ CX
	JNE pool_block
pool_tail:
	TESTQ R10, R10
	JEQ pool_next
	LEAQ mask<>(SB), BX
	MOVQ m0-8(SP), CX
	VMOVUPS (BX)(CX*1), Y4
	VMASKMOVPS (R11), Y4, Y0
	VMASKMOVPS (R12), Y4, Y2
	MOVQ m1-16(SP), CX
	VMOVUPS (BX)(CX*1), Y4
	VMASKMOVPS 32(R11), Y4, Y1
	VMASKMOVPS 32(R12), Y4, Y3
	VADDPS Y15, Y0, Y0
	VADDPS Y15, Y1, Y1
	VADDPS Y15, Y2, Y2
	VADDPS Y15, Y3, Y3
	VCMPPS $3, Y0, Y0, Y4
	VORPS Y4, Y13, Y13
	VCMPPS $3, Y1, Y1, Y4
	VORPS Y4, Y13, Y13
	VCMPPS $3, Y2, Y2, Y4
	VORPS Y4, Y13, Y13
	VCMPPS $3, Y3, Y3, Y4
	VORPS Y4, Y13, Y13
	VMAXPS Y14, Y0, Y0
	VMAXPS Y14, Y1, Y1
	VMAXPS Y14, Y2, Y2
	VMAXPS Y14, Y3, Y3
	VSHUFPS $0x88, Y1, Y0, Y4
	VSHUFPS $0xdd, Y1, Y0, Y0
	VSHUFPS $0x88, Y3, Y2, Y1
	VSHUFPS $0xdd, Y3, Y2, Y2
	VPERMPD $0xd8, Y4, Y4
	VPERMPD $0xd8, Y0, Y0
	VPERMPD $0xd8, Y1, Y1
	VPERMPD $0xd8, Y2, Y2
	VMAXPS Y0, Y4, Y3
	VMAXPS Y2, Y1, Y6
	VMAXPS Y6, Y3, Y3
	VMOVDQU Y12, Y6
	VCMPPS $0, Y3, Y1, Y1
	VBLENDVPS Y1, Y11, Y6, Y6
	VCMPPS $0, Y3, Y0, Y0
	VBLENDVPS Y0, Y10, Y6, Y6
	VCMPPS $0, Y3, Y4, Y4
	VBLENDVPS Y4, Y14, Y6, Y6
	VPADDD Y9, Y6, Y6
	LEAQ mask<>(SB), BX
	MOVQ mw-24(SP), CX
	VMOVUPS (BX)(CX*1), Y0
	VMASKMOVPS Y3, Y0, (DI)(R13*1)
	VPMASKMOVD Y6, Y0, (SI)(R13*1)
pool_next:
	ADDQ R8, AX
	ADDQ DX, DI
	ADDQ DX, SI
	ADDQ ow+48(FP), R14
	ADDQ ow+48(FP), R14
	DECQ R9
	JNE pool_row
pool_done:
	VPTEST Y13, Y13
	SETEQ ret+64(FP)
	VZEROUPPER
	RET

// func unpool2AVX2(dst *float32, ld int, grad, y *float32, idx *int32, ph, pw, ow int)
//
// Eight windows at a time: g where y > 0 (VCMPPS greater-than, false for NaN), the offset
// k = idx − the window's first position, the four elements g·[k = 0], g·[k = 1],
// g·[k = ow], g·[k = ow+1], interleaved by VUNPCKLPS, VUNPCKHPS and VPERM2F128 into the
// sixteen elements of each of the window rows. The last, partial block of a row uses masked
// loads and stores. Rows 2·ph.. and columns 2·pw.. of dst are not written.
//
// R11, R12 the current block's elements in the two rows of dst (AX the first, R8 2·ld
// bytes); BX, SI, DI the row of g, y and idx, R13 the block's byte offset in them, DX a
// row's bytes; R9 the rows left, CX the blocks left, R10 the windows of the partial
// block; R14 2·py·ow. Y14 zero, Y12 ow+1, Y11 ow, Y10 one, Y9 the positions of the
// block's windows' first elements, Y15 sixteen; Y0-Y8 scratch.
TEXT ·unpool2AVX2(SB), NOSPLIT, $24-64
	MOVQ dst+0(FP), AX
	MOVQ ld+8(FP), R8
	SHLQ $3, R8
	MOVQ y+24(FP), SI
	MOVQ idx+32(FP), DI
	MOVQ ph+40(FP), R9
	MOVQ pw+48(FP), R10
	MOVQ R10, DX
	SHLQ $2, DX
	ANDQ $7, R10
	LEAQ (R10)(R10*1), BX
	MOVQ BX, CX
	MOVQ $8, R11
	CMPQ CX, R11
	CMOVQGT R11, CX
	MOVQ $16, R11
	SUBQ CX, R11
	SHLQ $2, R11
	MOVQ R11, m0-8(SP)
	SUBQ $8, BX
	MOVQ $0, R11
	CMPQ BX, R11
	CMOVQLT R11, BX
	MOVQ $16, R11
	SUBQ BX, R11
	SHLQ $2, R11
	MOVQ R11, m1-16(SP)
	MOVQ $16, R11
	SUBQ R10, R11
	SHLQ $2, R11
	MOVQ R11, mw-24(SP)
	MOVQ grad+16(FP), BX
	VXORPS Y14, Y14, Y14
	MOVQ ow+56(FP), R14
	MOVQ R14, X11
	VPBROADCASTD X11, Y11
	INCQ R14
	MOVQ R14, X12
	VPBROADCASTD X12, Y12
	MOVQ $1, R14
	MOVQ R14, X10
	VPBROADCASTD X10, Y10
	MOVQ $16, R14
	MOVQ R14, X15
	VPBROADCASTD X15, Y15
	XORQ R14, R14
	TESTQ R9, R9
	JEQ unpool_done
unpool_row:
	MOVQ AX, R11
	MOVQ ld+8(FP), R12
	LEAQ (AX)(R12*4), R12
	XORQ R13, R13
	MOVQ R14, X9
	VPBROADCASTD X9, Y9
	VPADDD iota2<>(SB), Y9, Y9
	MOVQ pw+48(FP), CX
	SHRQ $3, CX
	JEQ unpool_tail
unpool_block:
	VMOVUPS (BX)(R13*1), Y0
	VMOVUPS (SI)(R13*1), Y1
	VMOVDQU (DI)(R13*1), Y2
	VCMPPS $0x1e, Y14, Y1, Y1
	VANDPS Y1, Y0, Y0
	VPSUBD Y9, Y2, Y2
	VPCMPEQD Y14, Y2, Y3
	VANDPS Y0, Y3, Y3
	VPCMPEQD Y10, Y2, Y4
	VANDPS Y0, Y4, Y4
	VPCMPEQD Y11, Y2, Y5
	VANDPS Y0, Y5, Y5
	VPCMPEQD Y12, Y2, Y6
	VANDPS Y0, Y6, Y6
	VUNPCKLPS Y4, Y3, Y7
	VUNPCKHPS Y4, Y3, Y8
	VPERM2F128 $0x20, Y8, Y7, Y3
	VPERM2F128 $0x31, Y8, Y7, Y4
	VUNPCKLPS Y6, Y5, Y7
	VUNPCKHPS Y6, Y5, Y8
	VPERM2F128 $0x20, Y8, Y7, Y5
	VPERM2F128 $0x31, Y8, Y7, Y6
	VMOVUPS Y3, (R11)
	VMOVUPS Y4, 32(R11)
	VMOVUPS Y5, (R12)
	VMOVUPS Y6, 32(R12)
	VPADDD Y15, Y9, Y9
	ADDQ $64, R11
	ADDQ $64, R12
	ADDQ $32, R13
	DECQ CX
	JNE unpool_block
unpool_tail:
	TESTQ R10, R10
	JEQ unpool_next
	LEAQ mask<>(SB), CX
	ADDQ mw-24(SP), CX
	VMOVUPS (CX), Y7
	VMASKMOVPS (BX)(R13*1), Y7, Y0
	VMASKMOVPS (SI)(R13*1), Y7, Y1
	VPMASKMOVD (DI)(R13*1), Y7, Y2
	VCMPPS $0x1e, Y14, Y1, Y1
	VANDPS Y1, Y0, Y0
	VPSUBD Y9, Y2, Y2
	VPCMPEQD Y14, Y2, Y3
	VANDPS Y0, Y3, Y3
	VPCMPEQD Y10, Y2, Y4
	VANDPS Y0, Y4, Y4
	VPCMPEQD Y11, Y2, Y5
	VANDPS Y0, Y5, Y5
	VPCMPEQD Y12, Y2, Y6
	VANDPS Y0, Y6, Y6
	VUNPCKLPS Y4, Y3, Y7
	VUNPCKHPS Y4, Y3, Y8
	VPERM2F128 $0x20, Y8, Y7, Y3
	VPERM2F128 $0x31, Y8, Y7, Y4
	VUNPCKLPS Y6, Y5, Y7
	VUNPCKHPS Y6, Y5, Y8
	VPERM2F128 $0x20, Y8, Y7, Y5
	VPERM2F128 $0x31, Y8, Y7, Y6
	LEAQ mask<>(SB), CX
	ADDQ m0-8(SP), CX
	VMOVUPS (CX), Y7
	VMASKMOVPS Y3, Y7, (R11)
	VMASKMOVPS Y5, Y7, (R12)
	LEAQ mask<>(SB), CX
	ADDQ m1-16(SP), CX
	VMOVUPS (CX), Y7
	VMASKMOVPS Y4, Y7, 32(R11)
	VMASKMOVPS Y6, Y7, 32(R12)
unpool_next:
	ADDQ R8, AX
	ADDQ DX, BX
	ADDQ DX, SI
	ADDQ DX, DI
	ADDQ ow+56(FP), R14
	ADDQ ow+56(FP), R14
	DECQ R9
	JNE unpool_row
unpool_done:
	VZEROUPPER
	RET
