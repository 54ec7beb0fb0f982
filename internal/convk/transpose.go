package convk

import "fmt"

// Transpose sets dst[j·ldd + i] to src[i·lds + j] (add: adds it) for i < rows and
// j < cols: the layouts of a convolution's planes, channels first (rows of one channel)
// and channels last (the channels of one position together), into each other. With AVX2
// it moves 8×8 blocks through registers (a loop elsewhere, and for the rows and columns
// past the last whole block). It panics if a stride is less than the row it holds or a
// slice is too short.
func Transpose(dst []float32, ldd int, src []float32, lds, rows, cols int, add bool) {
	if rows < 0 || cols < 0 || lds < cols || ldd < rows ||
		rows > 0 && cols > 0 && (len(src) < (rows-1)*lds+cols || len(dst) < (cols-1)*ldd+rows) {
		panic(fmt.Sprintf("convk: Transpose of %d×%d (stride %d, %d elements) into stride %d, %d elements", rows, cols, lds, len(src), ldd, len(dst)))
	}
	if rows == 0 || cols == 0 {
		return
	}
	r8, c8 := 0, 0
	if transposeAVX2 && rows >= 8 && cols >= 8 {
		r8, c8 = rows&^7, cols&^7
		transpose8AVX2(&dst[0], ldd, &src[0], lds, r8/8, c8/8, add)
	}
	// The rest: all of it, or the rows past r8 (every column) and the columns past c8
	// (the rows before r8).
	if r8 < rows {
		transposeGo(dst[r8:], ldd, src[r8*lds:], lds, rows-r8, cols, add)
	}
	if c8 < cols && r8 > 0 {
		transposeGo(dst[c8*ldd:], ldd, src[c8:], lds, r8, cols-c8, add)
	}
}

// transposeGo is Transpose's loop, without the checks.
func transposeGo(dst []float32, ldd int, src []float32, lds, rows, cols int, add bool) {
	for i := range rows {
		for j, v := range src[i*lds : i*lds+cols] {
			if add {
				dst[j*ldd+i] += v
			} else {
				dst[j*ldd+i] = v
			}
		}
	}
}
