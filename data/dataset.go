package data

import (
	"fmt"
	"math/rand/v2"
	"slices"
)

// A Dataset is a finite list of labelled examples of one shape.
type Dataset interface {
	// Len returns the number of examples.
	Len() int
	// Shape returns the shape of one example, e.g. [1 28 28]; its product is the number of
	// float32 values Example writes. The caller must not modify it.
	Shape() []int
	// Example writes example i into dst, whose length is the product of Shape, and returns
	// its label. It panics if i is out of range.
	Example(dst []float32, i int) (label int)
}

// A Gatherer is a Dataset that writes a batch of examples at once, faster than an Example
// call for each: converting whole rows with SIMD kernels, say, with the memory reads of
// all the rows started first. A [Loader] over a Gatherer, or over a [Subset] of one, builds
// its batches with Gather, split over the cores.
type Gatherer interface {
	Dataset
	// Gather writes example idx[j] into dst[j·F:(j+1)·F], F the product of Shape, and its
	// label into y[j], for every j: the same values as Example. It may be called from
	// several goroutines at once with disjoint dst and y. It panics if an index is out of
	// range.
	Gather(dst []float32, y []int, idx []int)
}

// Features returns the number of float32 values of one example of d: the product of its
// Shape.
func Features(d Dataset) int {
	n := 1
	for _, s := range d.Shape() {
		n *= s
	}
	return n
}

// Dense is a Dataset held in memory as float32: example i is X[i*F:(i+1)*F], with F the
// product of ExampleShape, and its label is Y[i].
type Dense struct {
	X            []float32
	Y            []int
	ExampleShape []int
}

var _ Dataset = (*Dense)(nil)

// NewDense returns a Dense dataset over x and y (not copied). It panics unless len(x) is
// len(y) times the product of shape.
func NewDense(x []float32, y []int, shape ...int) *Dense {
	f := 1
	for _, s := range shape {
		if s <= 0 {
			panic("data: NewDense with a non-positive dimension")
		}
		f *= s
	}
	if len(x) != len(y)*f {
		panic(fmt.Sprintf("data: NewDense with %d values for %d examples of %d features", len(x), len(y), f))
	}
	return &Dense{X: x, Y: y, ExampleShape: shape}
}

// Len returns the number of examples.
func (d *Dense) Len() int { return len(d.Y) }

// Shape returns the shape of one example.
func (d *Dense) Shape() []int { return d.ExampleShape }

// Example copies example i into dst and returns its label.
func (d *Dense) Example(dst []float32, i int) int {
	f := len(dst)
	copy(dst, d.X[i*f:(i+1)*f])
	return d.Y[i]
}

// A Subset is a view of some examples of a Dataset: its example i is example Indices[i] of
// Parent.
type Subset struct {
	Parent  Dataset
	Indices []int
}

var _ Dataset = (*Subset)(nil)

// NewSubset returns the subset of d at indices (not copied). It panics if an index is out
// of range.
func NewSubset(d Dataset, indices []int) *Subset {
	n := d.Len()
	for _, i := range indices {
		if i < 0 || i >= n {
			panic(fmt.Sprintf("data: NewSubset index %d out of range [0, %d)", i, n))
		}
	}
	return &Subset{Parent: d, Indices: indices}
}

// Len returns the number of examples of the subset.
func (s *Subset) Len() int { return len(s.Indices) }

// Shape returns the shape of one example of the parent.
func (s *Subset) Shape() []int { return s.Parent.Shape() }

// Example writes example Indices[i] of the parent into dst and returns its label.
func (s *Subset) Example(dst []float32, i int) int { return s.Parent.Example(dst, s.Indices[i]) }

// Split holds out n examples of d, chosen uniformly at random with r, as a validation set,
// and returns the others as the training set. Both keep the order of d. The same seed of r
// gives the same split. It panics if n is outside [0, d.Len()].
func Split(d Dataset, n int, r *rand.Rand) (train, val *Subset) {
	total := d.Len()
	if n < 0 || n > total {
		panic(fmt.Sprintf("data: Split of %d examples out of %d", n, total))
	}
	perm := r.Perm(total)
	held := perm[:n:n]
	rest := perm[n:]
	slices.Sort(held)
	slices.Sort(rest)
	return &Subset{Parent: d, Indices: rest}, &Subset{Parent: d, Indices: held}
}

// Materialize returns a Dense copy of d: every example converted to float32 once. It
// trades memory (4 bytes per value: 188 MB for MNIST's training set) for loaders that
// only copy.
func Materialize(d Dataset) *Dense {
	f := Features(d)
	n := d.Len()
	x := make([]float32, n*f)
	y := make([]int, n)
	for i := range n {
		y[i] = d.Example(x[i*f:(i+1)*f], i)
	}
	return &Dense{X: x, Y: y, ExampleShape: append([]int(nil), d.Shape()...)}
}
