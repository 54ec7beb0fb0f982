package vec

import "github.com/descent-ml/descent/internal/fma"

// FromBytes converts bytes to float32 with an affine map, as a batch of 8-bit images is
// normalised:
//
//	for i := range dst { dst[i] = float32(src[i])*scale + offset }
//
// with the multiply-add fused (rounded once).
func FromBytes(dst []float32, src []uint8, scale, offset float32) {
	if len(src) < len(dst) {
		panic("vec: operand shorter than destination")
	}
	fromBytes(dst, src, scale, offset)
}

func fromBytesGo(dst []float32, src []uint8, scale, offset float32) {
	src = src[:len(dst)]
	for i, b := range src {
		dst[i] = fma.Float32(float32(b), scale, offset)
	}
}
