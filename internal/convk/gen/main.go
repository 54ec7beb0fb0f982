// Command gen writes direct_amd64.s of package convk: the AVX-512 and AVX2 kernels of
// Conv3x3One and Conv3x3OneGrad, their loops over the 3×3 taps and the filters unrolled,
// and those of SparseAxpys and SparseScatter, one loop for each number of rows and vectors.
//
// Run it through "go generate" in internal/convk; CI checks that the committed file is
// what it prints.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"log"
	"os"
)

type asm struct{ b *bytes.Buffer }

func (a asm) ins(format string, args ...any) { fmt.Fprintf(a.b, "\t"+format+"\n", args...) }
func (a asm) label(l string)                 { fmt.Fprintf(a.b, "%s:\n", l) }
func (a asm) line(s string)                  { fmt.Fprintln(a.b, s) }

// each writes the instructions in order.
func (a asm) each(ins ...string) {
	for _, s := range ins {
		a.ins("%s", s)
	}
}

func main() {
	out := flag.String("out", "direct_amd64.s", "assembly file to write")
	flag.Parse()
	var b bytes.Buffer
	a := asm{&b}
	a.line("//go:build !noasm")
	a.line("")
	a.line(`#include "textflag.h"`)
	a.line("")
	forward(a)
	a.line("")
	grad(a)
	a.line("")
	forwardAVX2(a)
	a.line("")
	gradAVX2(a)
	a.line("")
	sparseAxpys(a, "sparseAxpysAVX512", "Z", 64, sparseAVX512Vecs)
	a.line("")
	sparseAxpys(a, "sparseAxpysAVX2", "Y", 32, sparseAVX2Vecs)
	a.line("")
	sparseScatter(a, "sparseScatterAVX512", "Z", 64, sparseAVX512Vecs, 7)
	a.line("")
	sparseScatter(a, "sparseScatterAVX2", "Y", 32, sparseAVX2Vecs, 3)
	a.line("")
	a.line("// dmask holds 8 all-ones lanes and then 8 zero lanes: 8 lanes from byte 4·(8 − r) on")
	a.line("// select the first r.")
	for i := range 16 {
		v := "$0xffffffff"
		if i >= 8 {
			v = "$0"
		}
		a.line(fmt.Sprintf("DATA dmask<>+%d(SB)/4, %s", 4*i, v))
	}
	a.line("GLOBL dmask<>(SB), RODATA|NOPTR, $64")
	if err := os.WriteFile(*out, b.Bytes(), 0o644); err != nil {
		log.Fatal(err)
	}
}

// setMask sets K1 to the columns left of the row, ow − R15, at most 16 (uses AX and CX).
func setMask(a asm, l, ow string) {
	a.line("\t// K1: the columns left, at most 16.")
	a.each("MOVQ "+ow+", CX", "SUBQ R15, CX", "CMPQ CX, $16", "JLE "+l+"_masked", "MOVQ $16, CX")
	a.label(l + "_masked")
	a.each("MOVL $1, AX", "SHLL CX, AX", "DECL AX", "KMOVW AX, K1")
}

// reduce adds the 16 lanes of z pairwise (l with l+8, l+4, l+2, l+1) into its lane 0,
// with Z30 as a temporary.
func reduce(a asm, z int) {
	a.ins("VSHUFF32X4 $0x4e, Z%d, Z%d, Z30", z, z)
	a.ins("VADDPS Z30, Z%d, Z%d", z, z)
	a.ins("VSHUFF32X4 $0xb1, Z%d, Z%d, Z30", z, z)
	a.ins("VADDPS Z30, Z%d, Z%d", z, z)
	a.ins("VPERMILPS $0x4e, Z%d, Z30", z)
	a.ins("VADDPS Z30, Z%d, Z%d", z, z)
	a.ins("VPERMILPS $0xb1, Z%d, Z30", z)
	a.ins("VADDPS Z30, Z%d, Z%d", z, z)
}

// forward writes conv3x3OneAVX512.
func forward(a asm) {
	for _, s := range []string{
		"// func conv3x3OneAVX512(y, x, wt, c *float32, groups, oh, ow, w, relu int)",
		"//",
		"// Two output rows at a time (one for an odd last row), 16 columns each, 8 filters.",
		"// Registers: DI the group's output planes, SI the input plane, DX the group's weights",
		"// (8 filters × 9 taps), BX its biases, R8 the groups left, R11 the input's row in bytes,",
		"// R12 an output plane in bytes (oh·ow·4) and R13 three of them, R14 the output row, R15",
		"// the first of the 16 output columns; AX the window's first input, CX three input rows",
		"// in bytes, R9 and R10 the outputs of filters 0 and 4. Z0-Z7 the 8 filters' sums on the",
		"// first row, Z10-Z17 on the second, Z8 and Z18 an input vector of each, Z19 a weight, Z9",
		"// zero.",
		"TEXT ·conv3x3OneAVX512(SB), NOSPLIT, $0-72",
	} {
		a.line(s)
	}
	a.each("MOVQ y+0(FP), DI", "MOVQ x+8(FP), SI", "MOVQ wt+16(FP), DX", "MOVQ c+24(FP), BX",
		"MOVQ groups+32(FP), R8", "MOVQ w+56(FP), R11", "SHLQ $2, R11", "MOVQ oh+40(FP), R12",
		"IMULQ ow+48(FP), R12", "SHLQ $2, R12", "LEAQ (R12)(R12*2), R13", "VPXORD Z9, Z9, Z9")
	a.label("group")
	a.ins("XORQ R14, R14")
	a.label("pairs")
	a.line("\t// Two rows while two are left.")
	a.each("LEAQ 2(R14), CX", "CMPQ CX, oh+40(FP)", "JGT last")
	forwardRows(a, 2, "two")
	a.each("ADDQ $2, R14", "JMP pairs")
	a.label("last")
	a.each("CMPQ R14, oh+40(FP)", "JGE next")
	forwardRows(a, 1, "one")
	a.label("next")
	a.each("LEAQ (DI)(R12*8), DI", "ADDQ $288, DX", "ADDQ $32, BX", "DECQ R8", "JNE group", "VZEROUPPER", "RET")
}

// forwardRows writes the pass of conv3x3OneAVX512 over one or two output rows from R14.
func forwardRows(a asm, rows int, l string) {
	a.label(l)
	a.ins("XORQ R15, R15")
	a.label(l + "_chunk")
	setMask(a, l, "ow+48(FP)")
	a.ins("LEAQ (R11)(R11*2), CX")
	a.line("\t// AX = x + (oy·w + ox0)·4")
	a.each("MOVQ R14, AX", "IMULQ R11, AX", "LEAQ (AX)(R15*4), AX", "ADDQ SI, AX")
	accs := [][]int{{0, 1, 2, 3, 4, 5, 6, 7}}
	if rows == 2 {
		accs = append(accs, []int{10, 11, 12, 13, 14, 15, 16, 17})
	}
	for f := range 8 {
		for _, acc := range accs {
			a.ins("VPXORD Z%[1]d, Z%[1]d, Z%[1]d", acc[f])
		}
	}
	rowBase := []string{"(AX)", "(AX)(R11*1)", "(AX)(R11*2)", "(AX)(CX*1)"}
	for i := range 3 {
		for j := range 3 {
			t := 3*i + j
			a.ins("VMOVUPS.Z %d%s, K1, Z8", 4*j, rowBase[i])
			if rows == 2 {
				// Each weight, broadcast once, serves both rows.
				a.ins("VMOVUPS.Z %d%s, K1, Z18", 4*j, rowBase[i+1])
				for f := range 8 {
					a.ins("VBROADCASTSS %d(DX), Z19", 4*(9*f+t))
					a.ins("VFMADD231PS Z8, Z19, Z%d", f)
					a.ins("VFMADD231PS Z18, Z19, Z%d", f+10)
				}
				continue
			}
			for f := range 8 {
				a.ins("VFMADD231PS.BCST %d(DX), Z8, Z%d", 4*(9*f+t), f)
			}
		}
	}
	for _, acc := range accs {
		for f := range 8 {
			a.ins("VADDPS.BCST %d(BX), Z%d, Z%d", 4*f, acc[f], acc[f])
		}
	}
	a.each("CMPQ relu+64(FP), $0", "JEQ "+l+"_store")
	for _, acc := range accs {
		for f := range 8 {
			a.ins("VMAXPS Z%d, Z9, Z%d", acc[f], acc[f])
		}
	}
	a.label(l + "_store")
	a.line("\t// R9 = y + (oy·ow + ox0)·4, R10 four planes further.")
	a.each("MOVQ R14, R9", "IMULQ ow+48(FP), R9", "ADDQ R15, R9", "LEAQ (DI)(R9*4), R9", "LEAQ (R9)(R12*4), R10")
	addr := []string{"(R9)", "(R9)(R12*1)", "(R9)(R12*2)", "(R9)(R13*1)", "(R10)", "(R10)(R12*1)", "(R10)(R12*2)", "(R10)(R13*1)"}
	for r, acc := range accs {
		if r == 1 {
			a.line("\t// The next row: ow·4 bytes further.")
			a.each("MOVQ ow+48(FP), CX", "SHLQ $2, CX", "ADDQ CX, R9", "ADDQ CX, R10")
		}
		for f := range 8 {
			a.ins("VMOVUPS Z%d, K1, %s", acc[f], addr[f])
		}
	}
	a.each("ADDQ $16, R15", "CMPQ R15, ow+48(FP)", "JLT "+l+"_chunk")
}

// grad writes conv3x3OneGradAVX512.
func grad(a asm) {
	for _, s := range []string{
		"// func conv3x3OneGradAVX512(dw, dy, x *float32, pairs, oh, ow, w int)",
		"//",
		"// Two filters at a time, 16 output columns of a row at a time.",
		"// Registers: DI the pair's weight gradient (2×9), SI the input plane, DX the pair's output",
		"// gradient planes, R8 the pairs left, R11 the input's row in bytes, R12 an output plane in",
		"// bytes (oh·ow·4), R14 the output row, R15 the first of the 16 columns; AX the window's",
		"// first input, R9 its output gradient. Z0-Z8 the nine input vectors under the taps, Z9",
		"// and Z10 the two filters' output gradients, Z11-Z19 and Z20-Z28 their nine sums, Z30 a",
		"// temporary.",
		"TEXT ·conv3x3OneGradAVX512(SB), NOSPLIT, $0-56",
	} {
		a.line(s)
	}
	a.each("MOVQ dw+0(FP), DI", "MOVQ dy+8(FP), DX", "MOVQ x+16(FP), SI", "MOVQ pairs+24(FP), R8",
		"MOVQ w+48(FP), R11", "SHLQ $2, R11", "MOVQ oh+32(FP), R12", "IMULQ ow+40(FP), R12", "SHLQ $2, R12")
	a.label("gpair")
	for k := 11; k < 29; k++ {
		a.ins("VPXORD Z%[1]d, Z%[1]d, Z%[1]d", k)
	}
	a.ins("XORQ R14, R14")
	a.label("grow")
	a.ins("XORQ R15, R15")
	a.label("gchunk")
	setMask(a, "g", "ow+40(FP)")
	a.line("\t// AX = x + (oy·w + ox0)·4, R9 = dy + (oy·ow + ox0)·4")
	a.each("MOVQ R14, AX", "IMULQ R11, AX", "LEAQ (AX)(R15*4), AX", "ADDQ SI, AX",
		"MOVQ R14, R9", "IMULQ ow+40(FP), R9", "ADDQ R15, R9", "LEAQ (DX)(R9*4), R9")
	rowBase := []string{"(AX)", "(AX)(R11*1)", "(AX)(R11*2)"}
	for i := range 3 {
		for j := range 3 {
			a.ins("VMOVUPS.Z %d%s, K1, Z%d", 4*j, rowBase[i], 3*i+j)
		}
	}
	a.ins("VMOVUPS.Z (R9), K1, Z9")
	a.ins("VMOVUPS.Z (R9)(R12*1), K1, Z10")
	for t := range 9 {
		a.ins("VFMADD231PS Z%d, Z9, Z%d", t, 11+t)
		a.ins("VFMADD231PS Z%d, Z10, Z%d", t, 20+t)
	}
	a.each("ADDQ $16, R15", "CMPQ R15, ow+40(FP)", "JLT gchunk", "INCQ R14", "CMPQ R14, oh+32(FP)", "JLT grow")
	a.line("\t// Each sum's lanes, pairwise (l with l+8, l+4, l+2, l+1), added to dw.")
	// Z11-Z19 are the first filter's taps, Z20-Z28 the second's: dw[9f+t] in that order.
	for k := 11; k < 29; k++ {
		reduce(a, k)
		a.ins("VADDSS %d(DI), X%d, X%d", 4*(k-11), k, k)
		a.ins("VMOVSS X%d, %d(DI)", k, 4*(k-11))
	}
	a.each("ADDQ $72, DI", "LEAQ (DX)(R12*2), DX", "DECQ R8", "JNE gpair", "VZEROUPPER", "RET")
}

// forwardAVX2 writes conv3x3OneAVX2: conv3x3OneAVX512's outputs, each computed the same
// way (so the same bits), 8 columns of two rows for 4 filters at a time. The last chunk of
// a row that ends in a partial one starts at ow − 8 instead, computing again (and writing
// again, unchanged) up to 7 outputs of the chunk before it: every load and store is a whole
// vector, where AVX2's masked store (VMASKMOVPS) is microcoded on AMD's Zen.
func forwardAVX2(a asm) {
	for _, s := range []string{
		"// func conv3x3OneAVX2(y, x, wt, c *float32, groups, oh, ow, w, relu int)",
		"//",
		"// Two output rows at a time (one for an odd last row), 8 columns each, 4 filters; ow ≥ 8.",
		"// Registers: DI the group's output planes, SI the input plane, DX the group's weights",
		"// (4 filters × 9 taps), BX its biases, R8 the groups left, R11 the input's row in bytes,",
		"// R12 an output plane in bytes (oh·ow·4) and R13 three of them, R14 the output row, R15",
		"// the first of the 8 output columns; AX the window's first input, CX three input rows",
		"// in bytes, R9 the outputs of filter 0. Y0-Y3 the 4 filters' sums on the first row,",
		"// Y4-Y7 on the second, Y8 and Y9 an input vector of each, Y10 a weight or a bias, Y11",
		"// zero.",
		"TEXT ·conv3x3OneAVX2(SB), NOSPLIT, $0-72",
	} {
		a.line(s)
	}
	a.each("MOVQ y+0(FP), DI", "MOVQ x+8(FP), SI", "MOVQ wt+16(FP), DX", "MOVQ c+24(FP), BX",
		"MOVQ groups+32(FP), R8", "MOVQ w+56(FP), R11", "SHLQ $2, R11", "MOVQ oh+40(FP), R12",
		"IMULQ ow+48(FP), R12", "SHLQ $2, R12", "LEAQ (R12)(R12*2), R13", "VXORPS Y11, Y11, Y11")
	a.label("group2")
	a.ins("XORQ R14, R14")
	a.label("pairs2")
	a.line("\t// Two rows while two are left.")
	a.each("LEAQ 2(R14), CX", "CMPQ CX, oh+40(FP)", "JGT last2")
	forwardRowsAVX2(a, 2, "two2")
	a.each("ADDQ $2, R14", "JMP pairs2")
	a.label("last2")
	a.each("CMPQ R14, oh+40(FP)", "JGE next2")
	forwardRowsAVX2(a, 1, "one2")
	a.label("next2")
	a.each("LEAQ (DI)(R12*4), DI", "ADDQ $144, DX", "ADDQ $16, BX", "DECQ R8", "JNE group2", "VZEROUPPER", "RET")
}

// nextChunkAVX2 advances R15 by 8 columns, to at most ow − 8, and jumps to l while columns
// are left (uses CX).
func nextChunkAVX2(a asm, l, ow string) {
	a.line("\t// The next 8 columns, the last ones from ow − 8.")
	a.each("ADDQ $8, R15", "CMPQ R15, "+ow, "JGE "+l+"_end", "MOVQ "+ow+", CX", "SUBQ $8, CX",
		"CMPQ R15, CX", "JLE "+l, "MOVQ CX, R15", "JMP "+l)
	a.label(l + "_end")
}

// forwardRowsAVX2 writes the pass of conv3x3OneAVX2 over one or two output rows from R14.
func forwardRowsAVX2(a asm, rows int, l string) {
	a.label(l)
	a.ins("XORQ R15, R15")
	a.label(l + "_chunk")
	a.ins("LEAQ (R11)(R11*2), CX")
	a.line("\t// AX = x + (oy·w + ox0)·4")
	a.each("MOVQ R14, AX", "IMULQ R11, AX", "LEAQ (AX)(R15*4), AX", "ADDQ SI, AX")
	accs := [][]int{{0, 1, 2, 3}}
	if rows == 2 {
		accs = append(accs, []int{4, 5, 6, 7})
	}
	for _, acc := range accs {
		for f := range 4 {
			a.ins("VXORPS Y%[1]d, Y%[1]d, Y%[1]d", acc[f])
		}
	}
	rowBase := []string{"(AX)", "(AX)(R11*1)", "(AX)(R11*2)", "(AX)(CX*1)"}
	for i := range 3 {
		for j := range 3 {
			t := 3*i + j
			a.ins("VMOVUPS %d%s, Y8", 4*j, rowBase[i])
			if rows == 2 {
				a.ins("VMOVUPS %d%s, Y9", 4*j, rowBase[i+1])
			}
			for f := range 4 {
				a.ins("VBROADCASTSS %d(DX), Y10", 4*(9*f+t))
				for r, acc := range accs {
					a.ins("VFMADD231PS Y%d, Y10, Y%d", 8+r, acc[f])
				}
			}
		}
	}
	for f := range 4 {
		a.ins("VBROADCASTSS %d(BX), Y10", 4*f)
		for _, acc := range accs {
			a.ins("VADDPS Y10, Y%d, Y%d", acc[f], acc[f])
		}
	}
	a.each("CMPQ relu+64(FP), $0", "JEQ "+l+"_store")
	for _, acc := range accs {
		for f := range 4 {
			a.ins("VMAXPS Y%d, Y11, Y%d", acc[f], acc[f])
		}
	}
	a.label(l + "_store")
	a.line("\t// R9 = y + (oy·ow + ox0)·4")
	a.each("MOVQ R14, R9", "IMULQ ow+48(FP), R9", "ADDQ R15, R9", "LEAQ (DI)(R9*4), R9")
	addr := []string{"(R9)", "(R9)(R12*1)", "(R9)(R12*2)", "(R9)(R13*1)"}
	for r, acc := range accs {
		if r == 1 {
			a.line("\t// The next row: ow·4 bytes further.")
			a.each("MOVQ ow+48(FP), CX", "LEAQ (R9)(CX*4), R9")
		}
		for f := range 4 {
			a.ins("VMOVUPS Y%d, %s", acc[f], addr[f])
		}
	}
	nextChunkAVX2(a, l+"_chunk", "ow+48(FP)")
}

// gradAVX2 writes conv3x3OneGradAVX2: one filter at a time, 8 columns of two output rows
// at a time (one for an odd last row), its nine sums in 8 lanes each, lane l over the
// columns l, l+8, … of the rows; the partial last chunk of a row is read through masks.
func gradAVX2(a asm) {
	for _, s := range []string{
		"// func conv3x3OneGradAVX2(dw, dy, x *float32, f, oh, ow, w int)",
		"//",
		"// Registers: DI the filter's weight gradient (9), SI the input plane, DX the filter's",
		"// output gradient plane, R8 the filters left, R11 the input's row in bytes, R12 an output",
		"// row in bytes (ow·4), R14 the output row, R15 the first of the 8 columns, R10 the",
		"// columns left in the row; AX the window's first input, R9 its output gradient, BX the",
		"// mask's address. Y0-Y8 the nine sums, Y9 and Y13 the two rows' output gradients,",
		"// Y10-Y12 the three input vectors of one input row, Y14 the mask, Y15 a temporary.",
		"TEXT ·conv3x3OneGradAVX2(SB), NOSPLIT, $0-56",
	} {
		a.line(s)
	}
	a.each("MOVQ dw+0(FP), DI", "MOVQ dy+8(FP), DX", "MOVQ x+16(FP), SI", "MOVQ f+24(FP), R8",
		"MOVQ w+48(FP), R11", "SHLQ $2, R11", "MOVQ ow+40(FP), R12", "SHLQ $2, R12")
	a.label("g2filter")
	for k := range 9 {
		a.ins("VXORPS Y%[1]d, Y%[1]d, Y%[1]d", k)
	}
	a.ins("XORQ R14, R14")
	a.label("g2pairs")
	a.each("LEAQ 2(R14), CX", "CMPQ CX, oh+32(FP)", "JGT g2last")
	gradRowsAVX2(a, 2, "g2two")
	a.each("ADDQ $2, R14", "JMP g2pairs")
	a.label("g2last")
	a.each("CMPQ R14, oh+32(FP)", "JGE g2sum")
	gradRowsAVX2(a, 1, "g2one")
	a.label("g2sum")
	a.line("\t// Each sum's lanes, pairwise (l with l+4, l+2, l+1), added to dw.")
	for k := range 9 {
		a.ins("VEXTRACTF128 $1, Y%d, X15", k)
		a.ins("VADDPS X15, X%[1]d, X%[1]d", k)
		a.ins("VPERMILPS $0x4e, X%d, X15", k)
		a.ins("VADDPS X15, X%[1]d, X%[1]d", k)
		a.ins("VPERMILPS $0xb1, X%d, X15", k)
		a.ins("VADDPS X15, X%[1]d, X%[1]d", k)
		a.ins("VADDSS %d(DI), X%d, X%d", 4*k, k, k)
		a.ins("VMOVSS X%d, %d(DI)", k, 4*k)
	}
	a.line("\t// The next filter: 9 weights, oh·ow gradients further.")
	a.each("ADDQ $36, DI", "MOVQ oh+32(FP), CX", "IMULQ R12, CX", "ADDQ CX, DX", "DECQ R8", "JNE g2filter",
		"VZEROUPPER", "RET")
}

// gradRowsAVX2 writes the pass of conv3x3OneGradAVX2 over one or two output rows from R14:
// for each chunk of 8 columns, input rows oy..oy+rows+1, each row's three vectors (under
// taps j = 0, 1, 2) multiplied into the sums of the taps (i, j) that read it, output row 0
// before output row 1 for each tap.
func gradRowsAVX2(a asm, rows int, l string) {
	a.label(l)
	a.ins("XORQ R15, R15")
	a.label(l + "_chunk")
	a.line("\t// Y14: the columns left, at most 8; whole chunks load without it.")
	a.each("MOVQ ow+40(FP), R10", "SUBQ R15, R10")
	a.line("\t// AX = x + (oy·w + ox0)·4, R9 = dy + (oy·ow + ox0)·4")
	a.each("MOVQ R14, AX", "IMULQ R11, AX", "LEAQ (AX)(R15*4), AX", "ADDQ SI, AX",
		"MOVQ R14, R9", "IMULQ R12, R9", "LEAQ (R9)(R15*4), R9", "ADDQ DX, R9")
	body := func(masked bool) {
		load := func(src, dst string) {
			if masked {
				a.ins("VMASKMOVPS %s, Y14, %s", src, dst)
			} else {
				a.ins("VMOVUPS %s, %s", src, dst)
			}
		}
		load("(R9)", "Y9")
		if rows == 2 {
			load("(R9)(R12*1)", "Y13")
		}
		a.ins("MOVQ AX, BX")
		for r := 0; r < rows+2; r++ {
			if r > 0 {
				a.ins("ADDQ R11, BX")
			}
			for j := range 3 {
				load(fmt.Sprintf("%d(BX)", 4*j), fmt.Sprintf("Y%d", 10+j))
			}
			// Output row o reads input row r under taps i = r − o.
			for o := 0; o < rows; o++ {
				i := r - o
				if i < 0 || i > 2 {
					continue
				}
				dy := "Y9"
				if o == 1 {
					dy = "Y13"
				}
				for j := range 3 {
					a.ins("VFMADD231PS Y%d, %s, Y%d", 10+j, dy, 3*i+j)
				}
			}
		}
	}
	a.each("CMPQ R10, $8", "JLT "+l+"_part")
	body(false)
	a.ins("JMP " + l + "_next")
	a.label(l + "_part")
	a.each("NEGQ R10", "LEAQ dmask<>(SB), BX", "VMOVUPS 32(BX)(R10*4), Y14")
	body(true)
	a.label(l + "_next")
	a.each("ADDQ $8, R15", "CMPQ R15, ow+40(FP)", "JLT "+l+"_chunk")
}

// The most vectors that the kernels of SparseAxpys and SparseScatter keep in registers
// (the vector of a value is the last register), the most of one row, and the most rows
// they take at once.
const (
	sparseAVX512Vecs = 24
	sparseAVX2Vecs   = 12
	sparseVecs       = 12
	sparseRows       = 3
)

// sparseAxpys writes name(acc *float32, lda, nv, rows, stride int, x *float32, offs
// *int32, vals *float32, n int): acc[r·lda + e] += vals[t]·x[offs[t] + r·stride + e] for
// r < rows, e < nv·lanes and t < n, the values in order, each term a fused multiply-add,
// acc held in rows·nv registers (reg0, …) of size bytes, the value broadcast into the last
// register. One loop for each rows in 1..sparseRows and nv in 1..sparseVecs with rows·nv
// at most most, chosen by comparisons; the rows of acc are at DI, R13 and R14, those of x
// at SI, R9 and R10.
func sparseAxpys(a asm, name, reg string, size, most int) {
	sparseHead(a, name, "acc", "lda", "x", most)
	val := reg + "15"
	if reg == "Z" {
		val = "Z31"
	}
	base, accBase := []string{"SI", "R9", "R10"}, []string{"DI", "R13", "R14"}
	for rows := 1; rows <= sparseRows; rows++ {
		for nv := 1; nv <= sparseVecs && rows*nv <= most; nv++ {
			l := fmt.Sprintf("%s_%dx%d", name, rows, nv)
			acc := func(r, v int) string { return fmt.Sprintf("%s%d", reg, r*nv+v) }
			a.label(l)
			for r := range rows {
				for v := range nv {
					a.ins("VMOVUPS %d(%s), %s", v*size, accBase[r], acc(r, v))
				}
			}
			a.ins("TESTQ CX, CX")
			a.ins("JEQ %s_store", l)
			a.label(l + "_loop")
			a.ins("MOVLQSX (BX), AX")
			a.ins("VBROADCASTSS (DX), %s", val)
			for r := range rows {
				for v := range nv {
					a.ins("VFMADD231PS %d(%s)(AX*4), %s, %s", v*size, base[r], val, acc(r, v))
				}
			}
			a.ins("ADDQ $4, BX")
			a.ins("ADDQ $4, DX")
			a.ins("DECQ CX")
			a.ins("JNE %s_loop", l)
			a.label(l + "_store")
			for r := range rows {
				for v := range nv {
					a.ins("VMOVUPS %s, %d(%s)", acc(r, v), v*size, accBase[r])
				}
			}
			a.ins("VZEROUPPER")
			a.ins("RET")
		}
	}
}

// sparseScatter writes name(dst *float32, ldw, nv, rows, stride int, w *float32, offs
// *int32, vals *float32, n int): dst[offs[t] + r·stride + e] += vals[t]·w[r·ldw + e] for
// r < rows, e < nv·lanes and t < n, the values in order, each term a fused multiply-add,
// w held in rows·nv registers (reg0, …) of size bytes, the value broadcast into the last
// register, the elements of dst loaded into temps temporaries in turn (the registers
// before the last). One loop for each rows in 1..sparseRows and nv in 1..sparseVecs with
// rows·nv at most most, chosen by comparisons; the rows of w are at DI, R13 and R14, those
// of dst at SI, R9 and R10.
func sparseScatter(a asm, name, reg string, size, most, temps int) {
	sparseHead(a, name, "dst", "ldw", "w", most)
	last := 15
	if reg == "Z" {
		last = 31
	}
	val := fmt.Sprintf("%s%d", reg, last)
	dstBase, wBase := []string{"SI", "R9", "R10"}, []string{"DI", "R13", "R14"}
	for rows := 1; rows <= sparseRows; rows++ {
		for nv := 1; nv <= sparseVecs && rows*nv <= most; nv++ {
			l := fmt.Sprintf("%s_%dx%d", name, rows, nv)
			wreg := func(r, v int) string { return fmt.Sprintf("%s%d", reg, r*nv+v) }
			a.label(l)
			for r := range rows {
				for v := range nv {
					a.ins("VMOVUPS %d(%s), %s", v*size, wBase[r], wreg(r, v))
				}
			}
			a.ins("TESTQ CX, CX")
			a.ins("JEQ %s_done", l)
			a.label(l + "_loop")
			a.ins("MOVLQSX (BX), AX")
			a.ins("VBROADCASTSS (DX), %s", val)
			k := 0
			for r := range rows {
				for v := range nv {
					tmp := fmt.Sprintf("%s%d", reg, last-1-k%temps)
					k++
					a.ins("VMOVUPS %d(%s)(AX*4), %s", v*size, dstBase[r], tmp)
					a.ins("VFMADD231PS %s, %s, %s", wreg(r, v), val, tmp)
					a.ins("VMOVUPS %s, %d(%s)(AX*4)", tmp, v*size, dstBase[r])
				}
			}
			a.ins("ADDQ $4, BX")
			a.ins("ADDQ $4, DX")
			a.ins("DECQ CX")
			a.ins("JNE %s_loop", l)
			a.label(l + "_done")
			a.ins("VZEROUPPER")
			a.ins("RET")
		}
	}
}

// sparseHead writes the start of a kernel of SparseAxpys (held acc, lda, read x) or
// SparseScatter (written dst, w held, ldw): its arguments, name(held or written *float32,
// its stride, nv, rows, stride int, the other *float32, offs *int32, vals *float32, n
// int); the rows of the operand held in registers at DI, R13 and R14 (its stride ld
// apart), those of the one read or written by offsets at SI, R9 and R10 (stride apart);
// offs at BX, vals at DX, n in CX; and the comparisons that jump to the loop for rows and
// nv.
func sparseHead(a asm, name, first, ld, other string, most int) {
	held, byOffset := first, other // SparseAxpys holds its first operand
	if first == "dst" {
		held, byOffset = other, first
	}
	a.line(fmt.Sprintf("// func %s(%s *float32, %s, nv, rows, stride int, %s *float32, offs *int32, vals *float32, n int)", name, first, ld, other))
	a.line(fmt.Sprintf("TEXT ·%s(SB), NOSPLIT, $0-72", name))
	at := func(arg string) int { // the argument's offset in the frame
		if arg == first {
			return 0
		}
		return 40
	}
	a.each(
		fmt.Sprintf("MOVQ %s+%d(FP), DI", held, at(held)),
		fmt.Sprintf("MOVQ %s+%d(FP), SI", byOffset, at(byOffset)),
		fmt.Sprintf("MOVQ %s+8(FP), R13", ld), "MOVQ nv+16(FP), R8", "MOVQ rows+24(FP), R11",
		"MOVQ stride+32(FP), R12", "MOVQ offs+48(FP), BX", "MOVQ vals+56(FP), DX",
		"MOVQ n+64(FP), CX", "LEAQ (SI)(R12*4), R9", "LEAQ (R9)(R12*4), R10",
		"LEAQ (DI)(R13*4), R14", "LEAQ (R14)(R13*4), R15", "MOVQ R14, R13", "MOVQ R15, R14")
	for rows := 1; rows <= sparseRows; rows++ {
		a.ins("CMPQ R11, $%d", rows)
		a.ins("JNE %s_not%d", name, rows)
		for nv := 1; nv <= sparseVecs && rows*nv <= most; nv++ {
			a.ins("CMPQ R8, $%d", nv)
			a.ins("JEQ %s_%dx%d", name, rows, nv)
		}
		a.label(fmt.Sprintf("%s_not%d", name, rows))
	}
	a.ins("RET") // unreachable for valid rows and nv
}
