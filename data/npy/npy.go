package npy

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strconv"
)

// A Dtype is the element type of an array: the numeric dtypes of NumPy.
type Dtype uint8

// The element types the decoder reads.
const (
	Bool Dtype = iota + 1
	Int8
	Uint8
	Int16
	Uint16
	Int32
	Uint32
	Int64
	Uint64
	Float32
	Float64
)

var dtypes = [...]struct {
	name string
	kind byte // the kind character of the descr: b, i, u or f
	size int
}{
	Bool:    {"bool", 'b', 1},
	Int8:    {"int8", 'i', 1},
	Uint8:   {"uint8", 'u', 1},
	Int16:   {"int16", 'i', 2},
	Uint16:  {"uint16", 'u', 2},
	Int32:   {"int32", 'i', 4},
	Uint32:  {"uint32", 'u', 4},
	Int64:   {"int64", 'i', 8},
	Uint64:  {"uint64", 'u', 8},
	Float32: {"float32", 'f', 4},
	Float64: {"float64", 'f', 8},
}

func (d Dtype) valid() bool { return d >= Bool && d <= Float64 }

// Size returns the size of one element in bytes, or 0 for an unknown Dtype.
func (d Dtype) Size() int {
	if !d.valid() {
		return 0
	}
	return dtypes[d].size
}

// String returns NumPy's name of d: "bool", "int8", … "float64".
func (d Dtype) String() string {
	if !d.valid() {
		return "Dtype(" + strconv.Itoa(int(d)) + ")"
	}
	return dtypes[d].name
}

// Descr returns the descr of d in a little-endian file, as NumPy writes it: "|b1", "|u1",
// "<i4", "<f8"…
func (d Dtype) Descr() string {
	if !d.valid() {
		panic("npy: Descr of an unknown Dtype")
	}
	t := dtypes[d]
	order := byte('<')
	if t.size == 1 {
		order = '|'
	}
	return string([]byte{order, t.kind}) + strconv.Itoa(t.size)
}

// Integer reports whether d holds integers: Bool or an integer type.
func (d Dtype) Integer() bool { return d.valid() && dtypes[d].kind != 'f' }

// dtypeOf returns the Dtype of a kind character and a size, 0 if there is none.
func dtypeOf(kind byte, size int) Dtype {
	for d := Bool; d <= Float64; d++ {
		if dtypes[d].kind == kind && dtypes[d].size == size {
			return d
		}
	}
	return 0
}

// A Header is what an .npy file says of its array before the elements.
type Header struct {
	// Major and Minor are the version of the format: 1.0, 2.0 or 3.0.
	Major, Minor int
	Dtype        Dtype
	// BigEndian and Fortran say how the file stores the elements: big-endian, and in
	// Fortran (column-major) order. An [Array]'s Data is little-endian in C order
	// whatever they say.
	BigEndian, Fortran bool
	// Shape is the size of each dimension, outermost first; empty for a scalar.
	Shape []int
}

// Len returns the number of elements, the product of the Shape (1 for a scalar). It does
// not check for overflow: headers returned by [ReadHeader] and [Decode] have been checked.
func (h Header) Len() int {
	n := 1
	for _, d := range h.Shape {
		n *= d
	}
	return n
}

// An Array is a decoded .npy file: its elements, little-endian, in C (row-major) order.
type Array struct {
	Header
	Data []byte // Len()·Dtype.Size() bytes
}

// An Element is a Go type that an Array holds.
type Element interface {
	bool | int8 | uint8 | int16 | uint16 | int32 | uint32 | int64 | uint64 | float32 | float64
}

// FromSlice returns an array of the values v, of the Dtype of their Go type, in C order,
// with the given shape (none: one dimension of len(v)). It panics unless the shape holds
// len(v) elements.
func FromSlice[T Element](v []T, shape ...int) *Array {
	if shape == nil {
		shape = []int{len(v)}
	}
	n := 1
	for _, s := range shape {
		if s < 0 {
			panic("npy: FromSlice with a negative dimension")
		}
		n *= s
	}
	if n != len(v) {
		panic(fmt.Sprintf("npy: FromSlice of %d values with shape %v", len(v), shape))
	}
	a := &Array{Header: Header{Major: 1, Shape: append([]int{}, shape...)}}
	le := binary.LittleEndian
	switch v := any(v).(type) {
	case []bool:
		a.Dtype, a.Data = Bool, make([]byte, n)
		for i, b := range v {
			if b {
				a.Data[i] = 1
			}
		}
	case []int8:
		a.Dtype, a.Data = Int8, make([]byte, n)
		for i, x := range v {
			a.Data[i] = byte(x)
		}
	case []uint8:
		a.Dtype, a.Data = Uint8, append([]byte{}, v...)
	case []int16:
		a.Dtype, a.Data = Int16, make([]byte, 2*n)
		for i, x := range v {
			le.PutUint16(a.Data[2*i:], uint16(x))
		}
	case []uint16:
		a.Dtype, a.Data = Uint16, make([]byte, 2*n)
		for i, x := range v {
			le.PutUint16(a.Data[2*i:], x)
		}
	case []int32:
		a.Dtype, a.Data = Int32, make([]byte, 4*n)
		for i, x := range v {
			le.PutUint32(a.Data[4*i:], uint32(x))
		}
	case []uint32:
		a.Dtype, a.Data = Uint32, make([]byte, 4*n)
		for i, x := range v {
			le.PutUint32(a.Data[4*i:], x)
		}
	case []int64:
		a.Dtype, a.Data = Int64, make([]byte, 8*n)
		for i, x := range v {
			le.PutUint64(a.Data[8*i:], uint64(x))
		}
	case []uint64:
		a.Dtype, a.Data = Uint64, make([]byte, 8*n)
		for i, x := range v {
			le.PutUint64(a.Data[8*i:], x)
		}
	case []float32:
		a.Dtype, a.Data = Float32, make([]byte, 4*n)
		for i, x := range v {
			le.PutUint32(a.Data[4*i:], math.Float32bits(x))
		}
	case []float64:
		a.Dtype, a.Data = Float64, make([]byte, 8*n)
		for i, x := range v {
			le.PutUint64(a.Data[8*i:], math.Float64bits(x))
		}
	}
	return a
}

// Float64 returns element i (in C order) as a float64: 0 or 1 for a bool, the nearest
// float64 for an integer beyond 2⁵³.
func (a *Array) Float64(i int) float64 {
	le := binary.LittleEndian
	switch p := a.Data; a.Dtype {
	case Bool, Uint8:
		return float64(p[i])
	case Int8:
		return float64(int8(p[i]))
	case Int16:
		return float64(int16(le.Uint16(p[2*i:])))
	case Uint16:
		return float64(le.Uint16(p[2*i:]))
	case Int32:
		return float64(int32(le.Uint32(p[4*i:])))
	case Uint32:
		return float64(le.Uint32(p[4*i:]))
	case Int64:
		return float64(int64(le.Uint64(p[8*i:])))
	case Uint64:
		return float64(le.Uint64(p[8*i:]))
	case Float32:
		return float64(math.Float32frombits(le.Uint32(p[4*i:])))
	case Float64:
		return math.Float64frombits(le.Uint64(p[8*i:]))
	}
	panic("npy: Float64 of an array of unknown Dtype")
}

// Int64 returns element i (in C order) of an array of integers or bools, and false if it
// does not fit in an int64 (a uint64 above 2⁶³−1) or the array holds floats.
func (a *Array) Int64(i int) (int64, bool) {
	le := binary.LittleEndian
	switch p := a.Data; a.Dtype {
	case Int64:
		return int64(le.Uint64(p[8*i:])), true
	case Uint64:
		v := le.Uint64(p[8*i:])
		return int64(v), v <= math.MaxInt64
	case Float32, Float64:
		return 0, false
	}
	return int64(a.Float64(i)), true // exact for the types of at most 32 bits
}

// Float32s returns the elements converted to float32, in C order.
func (a *Array) Float32s() []float32 {
	out := make([]float32, a.Len())
	if a.Dtype == Float32 {
		for i := range out {
			out[i] = math.Float32frombits(binary.LittleEndian.Uint32(a.Data[4*i:]))
		}
		return out
	}
	for i := range out {
		out[i] = float32(a.Float64(i))
	}
	return out
}

// Sentinel errors matched, with [errors.Is], by the [*FormatError] that the decoders
// return.
var (
	ErrMagic     = errors.New("npy: not an .npy file")
	ErrVersion   = errors.New("npy: unsupported format version")
	ErrHeader    = errors.New("npy: bad header")
	ErrDtype     = errors.New("npy: unsupported dtype")
	ErrOverflow  = errors.New("npy: shape overflows")
	ErrTruncated = errors.New("npy: truncated")
	ErrTrailing  = errors.New("npy: trailing bytes after the data")
	ErrArchive   = errors.New("npy: bad .npz archive")
)

// A FormatError reports input that is not a valid .npy file or .npz archive, or one
// whose dtype the decoder does not read: Err is one of the sentinel errors and Detail
// says what was found.
type FormatError struct {
	Err    error
	Detail string
}

func (e *FormatError) Error() string { return e.Err.Error() + ": " + e.Detail }

// Unwrap returns the sentinel error, so that errors.Is(err, npy.ErrDtype) works.
func (e *FormatError) Unwrap() error { return e.Err }

func formatErr(sentinel error, format string, args ...any) error {
	return &FormatError{Err: sentinel, Detail: fmt.Sprintf(format, args...)}
}
