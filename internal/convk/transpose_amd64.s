//go:build !noasm

#include "textflag.h"

// func transpose8AVX2(dst *float32, ldd int, src *float32, lds int, rb, cb int, add bool)
//
// For each of rb blocks of 8 rows of src and cb blocks of 8 of its columns, the 8×8 block
// transposed (unpacks, shuffles and lane permutes) into dst, stored or added.
TEXT ·transpose8AVX2(SB), NOSPLIT, $0-49
	MOVQ dst+0(FP), DI
	MOVQ ldd+8(FP), R8
	SHLQ $2, R8
	MOVQ src+16(FP), SI
	MOVQ lds+24(FP), R9
	SHLQ $2, R9
	MOVQ rb+32(FP), R12
	MOVQ cb+40(FP), R13
	MOVBLZX add+48(FP), R15
	LEAQ (R8)(R8*2), R10  // 3·ldd bytes
	LEAQ (R9)(R9*2), R11  // 3·lds bytes
	TESTQ R12, R12
	JEQ t8_done
	TESTQ R13, R13
	JEQ t8_done
t8_rowblock:
	MOVQ SI, AX           // src block: rows of this row block, column block 0
	MOVQ DI, BX           // dst block: rows 0..7 of dst, columns of this row block
	MOVQ R13, CX
t8_block:
	LEAQ (AX)(R9*4), DX   // src row 4
	VMOVUPS (AX), Y0
	VMOVUPS (AX)(R9*1), Y1
	VMOVUPS (AX)(R9*2), Y2
	VMOVUPS (AX)(R11*1), Y3
	VMOVUPS (DX), Y4
	VMOVUPS (DX)(R9*1), Y5
	VMOVUPS (DX)(R9*2), Y6
	VMOVUPS (DX)(R11*1), Y7
	VUNPCKLPS Y1, Y0, Y8  // a0 b0 a1 b1 | a4 b4 a5 b5
	VUNPCKHPS Y1, Y0, Y9  // a2 b2 a3 b3 | a6 b6 a7 b7
	VUNPCKLPS Y3, Y2, Y10
	VUNPCKHPS Y3, Y2, Y11
	VUNPCKLPS Y5, Y4, Y12
	VUNPCKHPS Y5, Y4, Y13
	VUNPCKLPS Y7, Y6, Y14
	VUNPCKHPS Y7, Y6, Y15
	VSHUFPS $0x44, Y10, Y8, Y0   // a0 b0 c0 d0 | a4 b4 c4 d4
	VSHUFPS $0xee, Y10, Y8, Y1   // a1 b1 c1 d1 | a5 …
	VSHUFPS $0x44, Y11, Y9, Y2   // a2 … | a6 …
	VSHUFPS $0xee, Y11, Y9, Y3   // a3 … | a7 …
	VSHUFPS $0x44, Y14, Y12, Y4  // e0 f0 g0 h0 | e4 …
	VSHUFPS $0xee, Y14, Y12, Y5
	VSHUFPS $0x44, Y15, Y13, Y6
	VSHUFPS $0xee, Y15, Y13, Y7
	VPERM2F128 $0x20, Y4, Y0, Y8  // column 0: a0 … h0
	VPERM2F128 $0x20, Y5, Y1, Y9  // column 1
	VPERM2F128 $0x20, Y6, Y2, Y10 // column 2
	VPERM2F128 $0x20, Y7, Y3, Y11 // column 3
	VPERM2F128 $0x31, Y4, Y0, Y12 // column 4
	VPERM2F128 $0x31, Y5, Y1, Y13 // column 5
	VPERM2F128 $0x31, Y6, Y2, Y14 // column 6
	VPERM2F128 $0x31, Y7, Y3, Y15 // column 7
	LEAQ (BX)(R8*4), DX   // dst row 4
	TESTQ R15, R15
	JEQ t8_store
	VADDPS (BX), Y8, Y8
	VADDPS (BX)(R8*1), Y9, Y9
	VADDPS (BX)(R8*2), Y10, Y10
	VADDPS (BX)(R10*1), Y11, Y11
	VADDPS (DX), Y12, Y12
	VADDPS (DX)(R8*1), Y13, Y13
	VADDPS (DX)(R8*2), Y14, Y14
	VADDPS (DX)(R10*1), Y15, Y15
t8_store:
	VMOVUPS Y8, (BX)
	VMOVUPS Y9, (BX)(R8*1)
	VMOVUPS Y10, (BX)(R8*2)
	VMOVUPS Y11, (BX)(R10*1)
	VMOVUPS Y12, (DX)
	VMOVUPS Y13, (DX)(R8*1)
	VMOVUPS Y14, (DX)(R8*2)
	VMOVUPS Y15, (DX)(R10*1)
	ADDQ $32, AX          // the next 8 columns of src
	LEAQ (BX)(R8*8), BX   // the next 8 rows of dst
	DECQ CX
	JNE t8_block
	LEAQ (SI)(R9*8), SI   // the next 8 rows of src
	ADDQ $32, DI          // the next 8 columns of dst
	DECQ R12
	JNE t8_rowblock
t8_done:
	VZEROUPPER
	RET
