package idx

import (
	"bufio"
	"encoding/binary"
	"io"
	"math"
)

// Encode writes a as a raw IDX file to w (wrap w in a [gzip.Writer] for a compressed one).
// It panics if a is inconsistent: an unknown type, no or more than [MaxDims] dimensions, a
// dimension outside [0, 2³²), or an element slice of the wrong type or length.
func Encode(w io.Writer, a *Array) error {
	check(a)
	bw := bufio.NewWriter(w)
	be := binary.BigEndian
	var b [8]byte
	bw.Write([]byte{0, 0, byte(a.Type), byte(len(a.Dims))})
	for _, d := range a.Dims {
		be.PutUint32(b[:], uint32(d))
		bw.Write(b[:4])
	}
	switch a.Type {
	case Uint8:
		bw.Write(a.U8)
	case Int8:
		for _, v := range a.I8 {
			bw.WriteByte(byte(v))
		}
	case Int16:
		for _, v := range a.I16 {
			be.PutUint16(b[:], uint16(v))
			bw.Write(b[:2])
		}
	case Int32:
		for _, v := range a.I32 {
			be.PutUint32(b[:], uint32(v))
			bw.Write(b[:4])
		}
	case Float32:
		for _, v := range a.F32 {
			be.PutUint32(b[:], math.Float32bits(v))
			bw.Write(b[:4])
		}
	case Float64:
		for _, v := range a.F64 {
			be.PutUint64(b[:], math.Float64bits(v))
			bw.Write(b[:8])
		}
	}
	return bw.Flush() // a bufio.Writer keeps its first error and returns it here
}

// check panics unless a can be encoded.
func check(a *Array) {
	if a.Type.Size() == 0 {
		panic("idx: Encode of an unknown element type " + a.Type.String())
	}
	if len(a.Dims) == 0 || len(a.Dims) > MaxDims {
		panic("idx: Encode needs 1 to 255 dimensions")
	}
	for _, d := range a.Dims {
		if d < 0 || uint64(d) > math.MaxUint32 {
			panic("idx: Encode of a dimension outside [0, 2^32)")
		}
	}
	if checkOverflow(a.Header) != nil {
		panic("idx: Encode of dimensions that overflow")
	}
	lens := [...]struct {
		t Type
		n int
	}{{Uint8, len(a.U8)}, {Int8, len(a.I8)}, {Int16, len(a.I16)}, {Int32, len(a.I32)}, {Float32, len(a.F32)}, {Float64, len(a.F64)}}
	for _, l := range lens {
		want := 0
		if l.t == a.Type {
			want = a.Len()
		}
		if l.n != want {
			panic("idx: Encode of an Array whose " + l.t.String() + " slice has the wrong length")
		}
	}
}
