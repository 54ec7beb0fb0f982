package vec

import "math"

// A Table maps each byte to a float32 value, for [Lookup]. Make it with [NewTable].
type Table struct {
	values [256]float32
	planes [4][256]uint8 // byte k of values[b] is planes[k][b], for the AVX-512 kernel
}

// NewTable returns the table that maps byte b to values[b].
func NewTable(values *[256]float32) *Table {
	t := &Table{values: *values}
	for b, v := range values {
		u := math.Float32bits(v)
		for k := range t.planes {
			t.planes[k][b] = uint8(u >> (8 * k))
		}
	}
	return t
}

// Value returns the value of byte b.
func (t *Table) Value(b uint8) float32 { return t.values[b] }

// Lookup converts bytes to float32 through a table, as a batch of 8-bit images is
// normalised when the values must be the same bits as a sequence of float32 operations
// (torchvision's ToTensor then Normalize, say) that no single multiply-add reproduces:
//
//	for i := range dst { dst[i] = t.Value(src[i]) }
func Lookup(dst []float32, src []uint8, t *Table) {
	if len(src) < len(dst) {
		panic("vec: operand shorter than destination")
	}
	lookup(dst, src, t)
}

func lookupGo(dst []float32, src []uint8, t *Table) {
	src = src[:len(dst)]
	for i, b := range src {
		dst[i] = t.values[b]
	}
}
