// Package dtype converts the element types of weights files (little-endian float32,
// float64, float16, bfloat16 and int64) to descent's float32, for the readers of package
// nn/safetensors and nn/torchfile.
//
// The conversions are exact except float64's, which rounds to the nearest float32 (ties to
// even), as PyTorch's tensor.float() does. A conversion fails, rather than change a value's
// meaning, on a finite float64 beyond float32's range (it would become an infinity) and on an
// int64 that float32 does not hold exactly (|v| > 2²⁴ and not a multiple of the spacing
// there); NaN and infinities carry over.
package dtype

import (
	"encoding/binary"
	"fmt"
	"math"
)

// A Kind is an element type of a weights file.
type Kind int

// The kinds read.
const (
	F32 Kind = iota
	F64
	F16
	BF16
	I64
)

var names = [...]string{F32: "F32", F64: "F64", F16: "F16", BF16: "BF16", I64: "I64"}

// Size returns the bytes of one element.
func (k Kind) Size() int {
	switch k {
	case F64, I64:
		return 8
	case F16, BF16:
		return 2
	}
	return 4
}

// String returns safetensors' name of the kind ("F32", ...).
func (k Kind) String() string {
	if k < 0 || int(k) >= len(names) {
		return fmt.Sprintf("Kind(%d)", int(k))
	}
	return names[k]
}

// A RangeError reports an element that float32 cannot hold as the file means it.
type RangeError struct {
	Index int    // the element's index in the source
	Value string // the value as the file holds it
}

func (e *RangeError) Error() string {
	return fmt.Sprintf("element %d (%s) is not representable in float32", e.Index, e.Value)
}

// Decode converts the elements of src, of kind k, into dst: len(src) must be
// len(dst)·k.Size(). base is the index of src's first element in its tensor, for the
// error. It returns a *RangeError for the first element that does not convert.
func Decode(dst []float32, src []byte, k Kind, base int) error {
	if len(src) != len(dst)*k.Size() {
		panic(fmt.Sprintf("dtype: %d bytes for %d elements of %v", len(src), len(dst), k))
	}
	le := binary.LittleEndian
	switch k {
	case F32:
		for i := range dst {
			dst[i] = math.Float32frombits(le.Uint32(src[4*i:]))
		}
	case F64:
		for i := range dst {
			v := math.Float64frombits(le.Uint64(src[8*i:]))
			f := float32(v)
			if math.IsInf(float64(f), 0) && !math.IsInf(v, 0) {
				return &RangeError{Index: base + i, Value: fmt.Sprint(v)}
			}
			dst[i] = f
		}
	case F16:
		for i := range dst {
			dst[i] = Half(le.Uint16(src[2*i:]))
		}
	case BF16:
		for i := range dst {
			dst[i] = math.Float32frombits(uint32(le.Uint16(src[2*i:])) << 16)
		}
	case I64:
		for i := range dst {
			v := int64(le.Uint64(src[8*i:]))
			f := float32(v)
			if !exact(f, v) {
				return &RangeError{Index: base + i, Value: fmt.Sprint(v)}
			}
			dst[i] = f
		}
	default:
		panic(fmt.Sprintf("dtype: unknown kind %d", int(k)))
	}
	return nil
}

// exact reports whether f is v.
func exact(f float32, v int64) bool {
	const lim = 1 << 62
	return f > -lim && f < lim && int64(f) == v
}

// Half returns the value of the IEEE 754 binary16 number h, exactly.
func Half(h uint16) float32 {
	sign := uint32(h>>15) << 31
	exp := uint32(h>>10) & 0x1f
	frac := uint32(h) & 0x3ff
	switch {
	case exp == 0x1f: // infinity or NaN, the payload kept
		return math.Float32frombits(sign | 0xff<<23 | frac<<13)
	case exp != 0: // normal: rebias 15 → 127
		return math.Float32frombits(sign | (exp+112)<<23 | frac<<13)
	case frac == 0:
		return math.Float32frombits(sign)
	}
	// Subnormal: frac·2⁻²⁴, exact in float32.
	v := float32(frac) * (1.0 / (1 << 24))
	if sign != 0 {
		v = -v
	}
	return v
}

// Integral reports whether v is an integer that int64 holds, the values a float32 tensor
// marked int64 may take.
func Integral(v float32) bool {
	return v == float32(math.Trunc(float64(v))) && math.Abs(float64(v)) < 1<<63
}
