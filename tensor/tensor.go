package tensor

import (
	"fmt"
	"strings"

	"github.com/descent-ml/descent/internal/hugepage"
)

// MaxRank is the largest number of dimensions of a [Tensor].
const MaxRank = 6

// A Tensor is a dense row-major array of float32 values with a shape of at most [MaxRank]
// dimensions. Its storage is a []float32 of exactly the product of its dimensions, which
// several tensors may share (see [Tensor.Reshape]). The zero value is an empty tensor of
// rank 0 and no storage.
//
// A Tensor is small (its shape is stored inline) and is meant to be passed by pointer or
// kept by value inside larger structures; copying a Tensor copies the header, not the data.
type Tensor struct {
	shape [MaxRank]int
	rank  int
	data  []float32
}

// New returns a tensor of the given shape filled with zeros.
func New(shape ...int) *Tensor {
	n := checkShape(shape)
	t := &Tensor{data: hugepage.Float32s(n)}
	t.setShape(shape)
	return t
}

// FromSlice returns a tensor of the given shape whose storage is data (not copied). It
// panics if len(data) is not the product of the dimensions.
func FromSlice(data []float32, shape ...int) *Tensor {
	t := Wrap(data, shape...)
	return &t
}

// Wrap is [FromSlice] returning the tensor by value, which allocates nothing.
func Wrap(data []float32, shape ...int) Tensor {
	n := checkShape(shape)
	if len(data) != n {
		panic(fmt.Sprintf("tensor: %d values for shape %v", len(data), fmtDims(shape)))
	}
	var t Tensor
	t.data = data
	t.setShape(shape)
	return t
}

func checkShape(shape []int) int {
	if len(shape) > MaxRank {
		panic(fmt.Sprintf("tensor: rank %d exceeds MaxRank %d", len(shape), MaxRank))
	}
	n := 1
	for _, d := range shape {
		if d < 0 {
			panic(fmt.Sprintf("tensor: negative dimension in shape %v", fmtDims(shape)))
		}
		n *= d
	}
	return n
}

func (t *Tensor) setShape(shape []int) {
	t.rank = copy(t.shape[:], shape)
	clear(t.shape[t.rank:])
}

// Shape returns the dimensions of t. The slice aliases t's header: do not modify it.
func (t *Tensor) Shape() []int { return t.shape[:t.rank] }

// Rank returns the number of dimensions of t.
func (t *Tensor) Rank() int { return t.rank }

// Dim returns dimension i of t; negative i counts from the end (-1 is the last).
func (t *Tensor) Dim(i int) int {
	if i < 0 {
		i += t.rank
	}
	if i < 0 || i >= t.rank {
		panic(fmt.Sprintf("tensor: dimension %d of a rank-%d tensor", i, t.rank))
	}
	return t.shape[i]
}

// Data returns the storage of t, row-major, of length [Tensor.Len].
func (t *Tensor) Data() []float32 { return t.data }

// Len returns the number of elements of t, the product of its dimensions.
func (t *Tensor) Len() int { return len(t.data) }

// Reshape returns a tensor of the given shape sharing t's storage. One dimension may be -1,
// inferred from the others. It panics if the number of elements differs.
func (t *Tensor) Reshape(shape ...int) Tensor {
	var s [MaxRank]int
	if len(shape) > MaxRank {
		panic(fmt.Sprintf("tensor: rank %d exceeds MaxRank %d", len(shape), MaxRank))
	}
	copy(s[:], shape)
	infer, n := -1, 1
	for i, d := range shape {
		switch {
		case d == -1 && infer < 0:
			infer = i
		case d < 0:
			panic(fmt.Sprintf("tensor: bad shape %v in Reshape", fmtDims(shape)))
		default:
			n *= d
		}
	}
	if infer >= 0 && n > 0 {
		s[infer] = len(t.data) / n
		n *= s[infer]
	}
	if n != len(t.data) {
		panic(fmt.Sprintf("tensor: cannot reshape %v to %v", dimsOf(t), fmtDims(shape)))
	}
	r := Tensor{shape: s, rank: len(shape), data: t.data}
	return r
}

// SameShape reports whether t and u have the same dimensions.
func (t *Tensor) SameShape(u *Tensor) bool {
	return t.rank == u.rank && t.shape == u.shape
}

// Clone returns a copy of t with its own storage.
func (t *Tensor) Clone() *Tensor {
	c := *t
	c.data = append([]float32(nil), t.data...)
	return &c
}

// String formats t as its shape and, for up to 16 elements, its values.
func (t *Tensor) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Tensor%v", dimsOf(t))
	if len(t.data) <= 16 {
		fmt.Fprintf(&b, "%v", t.data)
	}
	return b.String()
}

// Mode says whether a kernel overwrites its destination or adds its result to it, which
// is how gradients accumulate.
type Mode uint8

const (
	// Assign overwrites the destination: dst = result.
	Assign Mode = iota
	// Accumulate adds to the destination: dst += result.
	Accumulate
)

// mustSameShape panics unless all tensors have the shape of the first.
func mustSameShape(op string, ts ...*Tensor) {
	for _, u := range ts[1:] {
		if !ts[0].SameShape(u) {
			panic(fmt.Sprintf("tensor: %s: shapes %v and %v differ", op, dimsOf(ts[0]), dimsOf(u)))
		}
	}
}

// dimsOf formats the shape of t for a message. It copies the dimensions so that t does not
// escape to the heap in the callers (kernels take tensors that may live on the stack).
func dimsOf(t *Tensor) string {
	s := t.shape
	return fmt.Sprint(s[:t.rank])
}

// fmtDims formats a shape argument for a message, copying it for the same reason.
func fmtDims(shape []int) string {
	return fmt.Sprint(append([]int(nil), shape...))
}
