package idx

import (
	"errors"
	"fmt"
	"strconv"
)

// A Type is the element type of an IDX file, the third byte of its magic number.
type Type byte

// The element types of the IDX format.
const (
	Uint8   Type = 0x08 // unsigned byte
	Int8    Type = 0x09 // signed byte
	Int16   Type = 0x0B // big-endian int16
	Int32   Type = 0x0C // big-endian int32
	Float32 Type = 0x0D // big-endian IEEE 754 float32
	Float64 Type = 0x0E // big-endian IEEE 754 float64
)

// Size returns the size of one element in bytes, or 0 for an unknown type.
func (t Type) Size() int {
	switch t {
	case Uint8, Int8:
		return 1
	case Int16:
		return 2
	case Int32, Float32:
		return 4
	case Float64:
		return 8
	}
	return 0
}

// String returns the short name of t ("u8", "i8", "i16", "i32", "f32", "f64") or its
// hexadecimal code for an unknown type.
func (t Type) String() string {
	switch t {
	case Uint8:
		return "u8"
	case Int8:
		return "i8"
	case Int16:
		return "i16"
	case Int32:
		return "i32"
	case Float32:
		return "f32"
	case Float64:
		return "f64"
	}
	return "0x" + strconv.FormatUint(uint64(t), 16)
}

// MaxDims is the largest number of dimensions a header may declare: the fourth byte of the
// magic number.
const MaxDims = 255

// A Header is the part of an IDX file before its elements.
type Header struct {
	Type Type
	Dims []int // the size of each dimension, outermost first; at least one
}

// Len returns the number of elements, the product of the dimensions. It does not check for
// overflow: headers returned by [ReadHeader] and [Decode] have been checked.
func (h Header) Len() int {
	n := 1
	for _, d := range h.Dims {
		n *= d
	}
	return n
}

// Size returns the length in bytes of the header itself: 4 + 4 per dimension.
func (h Header) Size() int { return 4 + 4*len(h.Dims) }

// PayloadSize returns the length in bytes of the elements.
func (h Header) PayloadSize() int64 { return int64(h.Len()) * int64(h.Type.Size()) }

// An Array is a decoded IDX file. Exactly one of the element slices, the one of its
// header's Type, is set and has Len() elements, in row-major order.
type Array struct {
	Header
	U8  []uint8
	I8  []int8
	I16 []int16
	I32 []int32
	F32 []float32
	F64 []float64
}

// Sentinel errors matched, with [errors.Is], by the [*FormatError] that the decoder
// returns.
var (
	ErrMagic     = errors.New("idx: bad magic number")
	ErrType      = errors.New("idx: unsupported element type")
	ErrOverflow  = errors.New("idx: dimensions overflow")
	ErrTruncated = errors.New("idx: truncated")
	ErrTrailing  = errors.New("idx: trailing bytes after the payload")
)

// A FormatError reports input that is not a valid IDX file: Err is one of the sentinel
// errors and Detail says what was found.
type FormatError struct {
	Err    error
	Detail string
}

func (e *FormatError) Error() string { return e.Err.Error() + ": " + e.Detail }

// Unwrap returns the sentinel error, so that errors.Is(err, idx.ErrTruncated) works.
func (e *FormatError) Unwrap() error { return e.Err }

func formatErr(sentinel error, format string, args ...any) error {
	return &FormatError{Err: sentinel, Detail: fmt.Sprintf(format, args...)}
}
