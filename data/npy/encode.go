package npy

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Encode writes a to w as an .npy file, byte for byte as numpy.save (NumPy 1.24) writes a
// little-endian C-order array: the header padded with spaces, room for the first dimension
// to grow to 21 digits, so that the data starts at a multiple of 64 bytes; version 1.0
// unless the header needs more than 65535 bytes (then 2.0). It panics if a is inconsistent: an
// unknown Dtype, a negative dimension, or Data of the wrong length.
func Encode(w io.Writer, a *Array) error {
	if !a.Dtype.valid() {
		panic("npy: Encode of an array of unknown Dtype")
	}
	for _, d := range a.Shape {
		if d < 0 {
			panic("npy: Encode of an array with a negative dimension")
		}
	}
	if len(a.Data) != a.Len()*a.Dtype.Size() {
		panic(fmt.Sprintf("npy: Encode of %d bytes for %d elements of %s", len(a.Data), a.Len(), a.Dtype))
	}
	var dims []string
	for _, d := range a.Shape {
		dims = append(dims, strconv.Itoa(d))
	}
	shape := "(" + strings.Join(dims, ", ") + ")"
	if len(dims) == 1 {
		shape = "(" + dims[0] + ",)"
	}
	dict := fmt.Sprintf("{'descr': '%s', 'fortran_order': False, 'shape': %s, }", a.Dtype.Descr(), shape)
	if len(dims) > 0 {
		const growthDigits = 21
		dict += strings.Repeat(" ", max(growthDigits-len(dims[0]), 0))
	}
	const align = 64
	pre := 10
	if len(dict)+1 > 65535 {
		pre = 12
	}
	pad := align - (pre+len(dict)+1)%align
	text := dict + strings.Repeat(" ", pad) + "\n"
	bw := bufio.NewWriter(w)
	bw.Write(magic[:])
	if pre == 10 {
		bw.Write([]byte{1, 0})
		bw.Write(binary.LittleEndian.AppendUint16(nil, uint16(len(text))))
	} else {
		bw.Write([]byte{2, 0})
		bw.Write(binary.LittleEndian.AppendUint32(nil, uint32(len(text))))
	}
	bw.WriteString(text)
	bw.Write(a.Data)
	return bw.Flush()
}
