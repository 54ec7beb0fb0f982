//go:build amd64 && !noasm

#include "textflag.h"

// func lines(p *uint8, n int) int
//
// AX walks from p's line (p rounded down to 64 bytes) to the line of its last byte, p+n-1;
// CX counts the lines.
TEXT ·lines(SB), NOSPLIT, $0-24
	MOVQ p+0(FP), AX
	MOVQ n+8(FP), BX
	LEAQ -1(AX)(BX*1), BX
	ANDQ $-64, AX
	XORQ CX, CX

loop:
	PREFETCHT1 (AX)
	INCQ CX
	ADDQ $64, AX
	CMPQ AX, BX
	JLS  loop
	MOVQ CX, ret+16(FP)
	RET
