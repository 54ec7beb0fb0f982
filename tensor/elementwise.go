package tensor

import (
	"github.com/descent-ml/descent/internal/vec"
)

// grain is the smallest number of elements an elementwise kernel hands to one core: below
// it, starting another goroutine costs more than it saves.
const grain = 1 << 15

// Fill sets every element of dst to v.
func Fill(dst *Tensor, v float32) {
	for i := range dst.data {
		dst.data[i] = v
	}
}

// Copy copies src into dst, which must have its shape.
func Copy(dst, src *Tensor) {
	mustSameShape("Copy", dst, src)
	copy(dst.data, src.data)
}

// Add sets dst = a + b (mode Assign) or dst += a + b (Accumulate), elementwise, a and b
// broadcast as NumPy's (see [BroadcastShape]): dst has the shape they broadcast to. When
// all three have the same shape the kernel is a vector loop split over the cores; operands
// of different shapes take a slower strided loop. dst may be an operand of its own shape.
func Add(dst, a, b *Tensor, mode Mode) {
	elementwise("Add", dst, a, b, mode, addKernel)
}

// Sub sets dst = a − b (or adds it), elementwise, broadcasting as [Add].
func Sub(dst, a, b *Tensor, mode Mode) {
	elementwise("Sub", dst, a, b, mode, subKernel)
}

// Mul sets dst = a ⊙ b (or adds it), elementwise, broadcasting as [Add].
func Mul(dst, a, b *Tensor, mode Mode) {
	elementwise("Mul", dst, a, b, mode, mulKernel)
}

// Div sets dst = a / b (or adds it), elementwise in IEEE arithmetic (x/0 is ±Inf or NaN),
// broadcasting as [Add].
func Div(dst, a, b *Tensor, mode Mode) {
	elementwise("Div", dst, a, b, mode, divKernel)
}

// elementwise runs kernel k on operands of one shape, or broadcasts them.
func elementwise(name string, dst, a, b *Tensor, mode Mode, k binaryKernel) {
	if a.SameShape(b) && dst.SameShape(a) {
		binary(dst.data, a.data, b.data, mode, k)
		return
	}
	broadcastBinary(name, dst, a, b, mode, k)
}

// Scale sets dst = s·a (or adds it); dst may be a.
func Scale(dst, a *Tensor, s float32, mode Mode) {
	mustSameShape("Scale", dst, a)
	if mode == Accumulate {
		vec.Axpy(dst.data, s, a.data)
		return
	}
	copy(dst.data, a.data)
	vec.Scale(dst.data, s)
}

// Sum returns the sum of the elements of a, accumulated in float64.
func Sum(a *Tensor) float64 {
	var s float64
	for _, v := range a.data {
		s += float64(v)
	}
	return s
}

func binary(dst, a, b []float32, mode Mode, k binaryKernel) {
	each(dst, a, b, mode, binaryKernels[k])
}

type binaryKernel uint8

const (
	addKernel binaryKernel = iota
	subKernel
	mulKernel
	divKernel
)

var binaryKernels = [...]func(dst, a, b []float32, mode Mode){
	addKernel: func(dst, a, b []float32, mode Mode) {
		a, b = a[:len(dst)], b[:len(dst)]
		if mode == Assign {
			for i := range dst {
				dst[i] = a[i] + b[i]
			}
			return
		}
		for i := range dst {
			dst[i] += a[i] + b[i]
		}
	},
	subKernel: func(dst, a, b []float32, mode Mode) {
		a, b = a[:len(dst)], b[:len(dst)]
		if mode == Assign {
			for i := range dst {
				dst[i] = a[i] - b[i]
			}
			return
		}
		for i := range dst {
			dst[i] += a[i] - b[i]
		}
	},
	mulKernel: func(dst, a, b []float32, mode Mode) {
		a, b = a[:len(dst)], b[:len(dst)]
		if mode == Assign {
			for i := range dst {
				dst[i] = a[i] * b[i]
			}
			return
		}
		for i := range dst {
			dst[i] += a[i] * b[i]
		}
	},
	divKernel: func(dst, a, b []float32, mode Mode) {
		a, b = a[:len(dst)], b[:len(dst)]
		if mode == Assign {
			for i := range dst {
				dst[i] = a[i] / b[i]
			}
			return
		}
		for i := range dst {
			dst[i] += a[i] / b[i]
		}
	},
}

// AddInto adds src to dst elementwise (dst += src); they must have the same number of
// elements (shapes may differ, as for a reshaped view).
func AddInto(dst, src *Tensor) {
	if dst.Len() != src.Len() {
		panic("tensor: AddInto: lengths differ")
	}
	addSlices(dst.data, src.data)
}

// addSlices is dst += src over slices, in parallel for large ones.
func addSlices(dst, src []float32) {
	each(dst, src, nil, Accumulate, func(dst, src, _ []float32, _ Mode) { vec.Add(dst, src) })
}
