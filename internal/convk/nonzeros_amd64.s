//go:build !noasm

#include "textflag.h"

// func pooledNonzerosAVX512(offs *int32, vals *float32, grad, y *float32, idx *int32, ph, pw, ow, ld, scale int) int
//
// PooledNonzeros, sixteen windows of a row at a time: the position r of the maximum in its
// window (idx minus the window's first position), moved to the window's second row where
// r ≥ ow; the window kept where y > 0 and the position is one of its four; the offsets and
// gradients of the kept windows compressed to the front of two vectors and stored, as many
// as were kept.
TEXT ·pooledNonzerosAVX512(SB), NOSPLIT, $0-88
	MOVQ offs+0(FP), DI
	MOVQ vals+8(FP), SI
	MOVQ grad+16(FP), R8
	MOVQ y+24(FP), R9
	MOVQ idx+32(FP), R10
	MOVQ ph+40(FP), R11
	MOVQ pw+48(FP), R12
	MOVQ ow+56(FP), R13
	MOVQ ld+64(FP), R14
	MOVQ scale+72(FP), BX
	VPBROADCASTD BX, Z22          // scale
	VPBROADCASTD R13, Z20         // ow
	VPBROADCASTD R14, Z21         // ld
	MOVL $1, BX
	VPBROADCASTD BX, Z23          // 1
	VPXORD Z24, Z24, Z24          // 0
	VMOVDQU32 pnzLanes<>(SB), Z25 // 0, 2, …, 30
	LEAQ pnzMasks<>(SB), R15      // masks of the first 0..16 lanes
	XORQ AX, AX                   // kept so far
	XORQ CX, CX                   // 2·wy·ow
	XORQ DX, DX                   // 2·wy·ld
	TESTQ R11, R11
	JEQ pnz_done
	TESTQ R12, R12
	JEQ pnz_done
pnz_row:
	XORQ BX, BX                   // wx0
pnz_chunk:
	// K1: the lanes of windows wx0..min(wx0+16, pw)−1.
	MOVQ R12, R13
	SUBQ BX, R13
	CMPQ R13, $16
	JLE pnz_lanes
	MOVQ $16, R13
pnz_lanes:
	MOVWLZX (R15)(R13*2), R13
	KMOVW R13, K1
	VMOVDQU32.Z (R10)(BX*4), K1, Z0  // idx
	VMOVUPS.Z (R9)(BX*4), K1, Z1     // y
	VMOVUPS.Z (R8)(BX*4), K1, Z2     // g
	VCMPPS $0x1e, Z24, Z1, K1, K2    // lanes with y > 0 (false for NaN)
	// r = idx − (2·wy·ow + 2·wx0 + 2·lane)
	LEAQ (CX)(BX*2), R13
	VPBROADCASTD R13, Z3
	VPADDD Z25, Z3, Z3
	VPSUBD Z3, Z0, Z0
	VPCMPD $5, Z20, Z0, K2, K3       // r ≥ ow: the second row
	VPSUBD Z20, Z0, K3, Z0           // r − ow there
	VPCMPUD $2, Z23, Z0, K2, K4      // kept: y > 0 and r in 0..1
	// offset = (2·wy·ld + 2·wx0 + 2·lane + r + (ld in the second row))·scale
	LEAQ (DX)(BX*2), R13
	VPBROADCASTD R13, Z3
	VPADDD Z25, Z3, Z3
	VPADDD Z0, Z3, Z3
	VPADDD Z21, Z3, K3, Z3
	VPMULLD Z22, Z3, Z3
	VPCOMPRESSD Z3, K4, Z4
	VCOMPRESSPS Z2, K4, Z5
	KMOVW K4, R13
	POPCNTL R13, R13
	MOVWLZX (R15)(R13*2), R14
	KMOVW R14, K5
	VMOVDQU32 Z4, K5, (DI)(AX*4)
	VMOVUPS Z5, K5, (SI)(AX*4)
	ADDQ R13, AX
	ADDQ $16, BX
	CMPQ BX, R12
	JLT pnz_chunk
	// The next row of windows.
	LEAQ (R10)(R12*4), R10
	LEAQ (R9)(R12*4), R9
	LEAQ (R8)(R12*4), R8
	MOVQ ow+56(FP), R13
	LEAQ (CX)(R13*2), CX
	MOVQ ld+64(FP), R13
	LEAQ (DX)(R13*2), DX
	DECQ R11
	JNE pnz_row
pnz_done:
	MOVQ AX, ret+80(FP)
	VZEROUPPER
	RET

DATA pnzLanes<>+0(SB)/4, $0
DATA pnzLanes<>+4(SB)/4, $2
DATA pnzLanes<>+8(SB)/4, $4
DATA pnzLanes<>+12(SB)/4, $6
DATA pnzLanes<>+16(SB)/4, $8
DATA pnzLanes<>+20(SB)/4, $10
DATA pnzLanes<>+24(SB)/4, $12
DATA pnzLanes<>+28(SB)/4, $14
DATA pnzLanes<>+32(SB)/4, $16
DATA pnzLanes<>+36(SB)/4, $18
DATA pnzLanes<>+40(SB)/4, $20
DATA pnzLanes<>+44(SB)/4, $22
DATA pnzLanes<>+48(SB)/4, $24
DATA pnzLanes<>+52(SB)/4, $26
DATA pnzLanes<>+56(SB)/4, $28
DATA pnzLanes<>+60(SB)/4, $30
GLOBL pnzLanes<>(SB), RODATA|NOPTR, $64

DATA pnzMasks<>+0(SB)/2, $0x0000
DATA pnzMasks<>+2(SB)/2, $0x0001
DATA pnzMasks<>+4(SB)/2, $0x0003
DATA pnzMasks<>+6(SB)/2, $0x0007
DATA pnzMasks<>+8(SB)/2, $0x000f
DATA pnzMasks<>+10(SB)/2, $0x001f
DATA pnzMasks<>+12(SB)/2, $0x003f
DATA pnzMasks<>+14(SB)/2, $0x007f
DATA pnzMasks<>+16(SB)/2, $0x00ff
DATA pnzMasks<>+18(SB)/2, $0x01ff
DATA pnzMasks<>+20(SB)/2, $0x03ff
DATA pnzMasks<>+22(SB)/2, $0x07ff
DATA pnzMasks<>+24(SB)/2, $0x0fff
DATA pnzMasks<>+26(SB)/2, $0x1fff
DATA pnzMasks<>+28(SB)/2, $0x3fff
DATA pnzMasks<>+30(SB)/2, $0x7fff
DATA pnzMasks<>+32(SB)/2, $0xffff
GLOBL pnzMasks<>(SB), RODATA|NOPTR, $34

// func pooledNonzerosAVX2(offs *int32, vals *float32, grad, y *float32, idx *int32, ph, pw, ow, ld, scale int, perm *[256][8]int32) int
//
// pooledNonzerosAVX512 with eight windows a step: the kept lanes moved to the front by a
// permutation looked up from their mask (perm), and all eight stored, the first as many
// as were kept to be kept (offs and vals need eight elements past the last window).
TEXT ·pooledNonzerosAVX2(SB), NOSPLIT, $0-96
	MOVQ offs+0(FP), DI
	MOVQ vals+8(FP), SI
	MOVQ grad+16(FP), R8
	MOVQ y+24(FP), R9
	MOVQ idx+32(FP), R10
	MOVQ ph+40(FP), R11
	MOVQ pw+48(FP), R12
	MOVQ perm+80(FP), R15
	MOVQ scale+72(FP), BX
	MOVQ BX, X0
	VPBROADCASTD X0, Y12          // scale
	MOVQ ow+56(FP), BX
	MOVQ BX, X0
	VPBROADCASTD X0, Y10          // ow
	DECQ BX
	MOVQ BX, X0
	VPBROADCASTD X0, Y9           // ow − 1
	MOVQ ld+64(FP), BX
	MOVQ BX, X0
	VPBROADCASTD X0, Y11          // ld
	MOVL $1, BX
	MOVQ BX, X0
	VPBROADCASTD X0, Y13          // 1
	VPXOR Y14, Y14, Y14           // 0
	VMOVDQU pnzLanes<>(SB), Y15   // 0, 2, …, 14: the first eight
	XORQ AX, AX                   // kept so far
	XORQ CX, CX                   // 2·wy·ow
	XORQ DX, DX                   // 2·wy·ld
	TESTQ R11, R11
	JEQ pnz2_done
	TESTQ R12, R12
	JEQ pnz2_done
pnz2_row:
	XORQ BX, BX                   // wx0
pnz2_chunk:
	// Y8: all ones in the lanes of windows wx0..min(wx0+8, pw)−1.
	MOVQ R12, R13
	SUBQ BX, R13
	CMPQ R13, $8
	JLE pnz2_lanes
	MOVQ $8, R13
pnz2_lanes:
	MOVQ R13, X0
	VPBROADCASTD X0, Y8
	VMOVDQU pnz2Count<>(SB), Y0   // 0, 1, …, 7
	VPCMPGTD Y0, Y8, Y8           // lane < count
	VPMASKMOVD (R10)(BX*4), Y8, Y0   // idx
	VMASKMOVPS (R9)(BX*4), Y8, Y1    // y
	VMASKMOVPS (R8)(BX*4), Y8, Y2    // g
	VCMPPS $0x1e, Y14, Y1, Y1        // y > 0 (false for NaN)
	VPAND Y8, Y1, Y1
	// r = idx − (2·wy·ow + 2·wx0 + 2·lane)
	LEAQ (CX)(BX*2), R13
	MOVQ R13, X3
	VPBROADCASTD X3, Y3
	VPADDD Y15, Y3, Y3
	VPSUBD Y3, Y0, Y0
	VPCMPGTD Y9, Y0, Y4              // r > ow − 1: the second row
	VPAND Y10, Y4, Y5
	VPSUBD Y5, Y0, Y0                // r − ow there
	VPCMPEQD Y14, Y0, Y5
	VPCMPEQD Y13, Y0, Y6
	VPOR Y6, Y5, Y5
	VPAND Y5, Y1, Y1                 // kept: y > 0 and r in 0..1
	// offset = (2·wy·ld + 2·wx0 + 2·lane + r + (ld in the second row))·scale
	LEAQ (DX)(BX*2), R13
	MOVQ R13, X3
	VPBROADCASTD X3, Y3
	VPADDD Y15, Y3, Y3
	VPADDD Y0, Y3, Y3
	VPAND Y11, Y4, Y4
	VPADDD Y4, Y3, Y3
	VPMULLD Y12, Y3, Y3
	VMOVMSKPS Y1, R13
	MOVQ R13, R14
	SHLQ $5, R14
	VMOVDQU (R15)(R14*1), Y6         // the permutation of this mask
	VPERMD Y3, Y6, Y3
	VPERMPS Y2, Y6, Y2
	VMOVDQU Y3, (DI)(AX*4)
	VMOVUPS Y2, (SI)(AX*4)
	POPCNTL R13, R13
	ADDQ R13, AX
	ADDQ $8, BX
	CMPQ BX, R12
	JLT pnz2_chunk
	// The next row of windows.
	LEAQ (R10)(R12*4), R10
	LEAQ (R9)(R12*4), R9
	LEAQ (R8)(R12*4), R8
	MOVQ ow+56(FP), R13
	LEAQ (CX)(R13*2), CX
	MOVQ ld+64(FP), R13
	LEAQ (DX)(R13*2), DX
	DECQ R11
	JNE pnz2_row
pnz2_done:
	MOVQ AX, ret+88(FP)
	VZEROUPPER
	RET

DATA pnz2Count<>+0(SB)/4, $0
DATA pnz2Count<>+4(SB)/4, $1
DATA pnz2Count<>+8(SB)/4, $2
DATA pnz2Count<>+12(SB)/4, $3
DATA pnz2Count<>+16(SB)/4, $4
DATA pnz2Count<>+20(SB)/4, $5
DATA pnz2Count<>+24(SB)/4, $6
DATA pnz2Count<>+28(SB)/4, $7
GLOBL pnz2Count<>(SB), RODATA|NOPTR, $32
