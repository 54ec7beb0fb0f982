package data

import (
	"fmt"
	"math/rand/v2"
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

// A Targeted dataset may have a float32 vector as the target of each example, as
// regression needs, instead of an integer label. [Dense] and [Subset] are Targeted whether
// or not they have float targets: a TargetShape of nil says they have none, and their
// labels are the targets. A [Loader] over a dataset with float targets fills [Batch].T.
type Targeted interface {
	Dataset
	// TargetShape returns the shape of one target, e.g. [1] for one output, or nil if the
	// dataset has no float targets. The caller must not modify it.
	TargetShape() []int
	// Target writes the target of example i into dst, whose length is the product of
	// TargetShape. It panics if i is out of range or the dataset has no float targets.
	Target(dst []float32, i int)
}

// A ClassCounter is a Dataset that knows its number of classes: every label is in
// [0, NumClasses). [TaskOf] asks it rather than reading every label.
type ClassCounter interface {
	Dataset
	NumClasses() int
}

// TargetWidth returns the number of float32 values of one target of d: the product of its
// TargetShape, or 0 if d has no float targets.
func TargetWidth(d Dataset) int {
	t, ok := d.(Targeted)
	if !ok {
		return 0
	}
	ts := t.TargetShape()
	if ts == nil {
		return 0
	}
	return product(ts)
}

func product(shape []int) int {
	n := 1
	for _, s := range shape {
		n *= s
	}
	return n
}

// Dense is a Dataset held in memory as float32: example i is X[i*F:(i+1)*F], with F the
// product of ExampleShape, and its label is Y[i]. A Dense for regression holds float
// targets too: target i is T[i*W:(i+1)*W], with W the product of TargetDims; its Y may
// then be nil, and Example returns label 0.
type Dense struct {
	X            []float32
	Y            []int
	ExampleShape []int

	// T holds the float targets, row-major, if TargetDims is not nil.
	T []float32
	// TargetDims is the shape of one target, or nil if the dataset has no float targets.
	TargetDims []int
	// Classes is the number of classes of a classification set. If Classes is 0, it is
	// defaulted to the largest label plus one.
	Classes int
}

var (
	_ Targeted     = (*Dense)(nil)
	_ ClassCounter = (*Dense)(nil)
)

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

// NewRegression returns a Dense dataset over examples x and float targets t (not copied),
// with no labels. It panics unless the dimensions are positive and x and t hold the same
// number of examples of their shapes.
func NewRegression(x []float32, shape []int, t []float32, targetShape []int) *Dense {
	f, w := 1, 1
	for _, s := range shape {
		if s <= 0 {
			panic("data: NewRegression with a non-positive dimension")
		}
		f *= s
	}
	for _, s := range targetShape {
		if s <= 0 {
			panic("data: NewRegression with a non-positive target dimension")
		}
		w *= s
	}
	if targetShape == nil {
		panic("data: NewRegression without a target shape")
	}
	if len(x)%f != 0 || len(t)%w != 0 || len(x)/f != len(t)/w {
		panic(fmt.Sprintf("data: NewRegression with %d values of %d features and %d targets of %d values", len(x), f, len(t), w))
	}
	return &Dense{X: x, ExampleShape: shape, T: t, TargetDims: targetShape}
}

// Len returns the number of examples.
func (d *Dense) Len() int {
	if d.Y == nil && d.TargetDims != nil {
		return len(d.T) / product(d.TargetDims)
	}
	return len(d.Y)
}

// Shape returns the shape of one example.
func (d *Dense) Shape() []int { return d.ExampleShape }

// Example copies example i into dst and returns its label, or 0 if d has no labels.
func (d *Dense) Example(dst []float32, i int) int {
	if d.Y == nil && (i < 0 || i >= d.Len()) {
		panic(fmt.Sprintf("data: Example %d out of range [0, %d)", i, d.Len()))
	}
	f := len(dst)
	copy(dst, d.X[i*f:(i+1)*f])
	if d.Y == nil {
		return 0
	}
	return d.Y[i]
}

// TargetShape returns TargetDims: the shape of one float target, or nil if d has none.
func (d *Dense) TargetShape() []int { return d.TargetDims }

// Target copies the float target of example i into dst. It panics if d has no float
// targets.
func (d *Dense) Target(dst []float32, i int) {
	if d.TargetDims == nil {
		panic("data: Target of a Dense without float targets")
	}
	w := len(dst)
	copy(dst, d.T[i*w:(i+1)*w])
}

// NumClasses returns Classes, or, if it is 0, the largest label plus one (0 without
// labels). It panics on a negative label.
func (d *Dense) NumClasses() int {
	if d.Classes > 0 {
		return d.Classes
	}
	return maxLabel(d.Y) + 1
}

// maxLabel returns the largest of labels, -1 if there is none. It panics on a negative
// label.
func maxLabel(labels []int) int {
	m := -1
	for i, y := range labels {
		if y < 0 {
			panic(fmt.Sprintf("data: label %d of example %d is negative", y, i))
		}
		m = max(m, y)
	}
	return m
}

// A Subset is a view of some examples of a Dataset: its example i is example Indices[i] of
// Parent, with the float target of that example if Parent has float targets.
type Subset struct {
	Parent  Dataset
	Indices []int
}

var _ Targeted = (*Subset)(nil)

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

// TargetShape returns the shape of one float target of the parent, or nil if it has none.
func (s *Subset) TargetShape() []int {
	if t, ok := s.Parent.(Targeted); ok {
		return t.TargetShape()
	}
	return nil
}

// Target writes the float target of example Indices[i] of the parent into dst. It panics
// if the parent has no float targets.
func (s *Subset) Target(dst []float32, i int) {
	t, ok := s.Parent.(Targeted)
	if !ok {
		panic(fmt.Sprintf("data: Target of a Subset of a %T, which has no float targets", s.Parent))
	}
	t.Target(dst, s.Indices[i])
}

// Split holds out n examples of d, chosen uniformly at random with r, as a validation set,
// and returns the others as the training set. Both keep the order of d. The same seed of r
// gives the same split. It panics if n is outside [0, d.Len()].
func Split(d Dataset, n int, r *rand.Rand) (train, val *Subset) {
	total := d.Len()
	if n < 0 || n > total {
		panic(fmt.Sprintf("data: Split of %d examples out of %d", n, total))
	}
	perm := r.Perm(total)
	// The first n of perm are held out. Sorting both parts would cost n·log n; marking the
	// held ones and walking the indices in order gives the same sorted parts in one pass.
	out := make([]bool, total)
	for _, i := range perm[:n] {
		out[i] = true
	}
	held, rest := perm[:0:n], perm[n:n]
	for i, o := range out {
		if o {
			held = append(held, i)
		} else {
			rest = append(rest, i)
		}
	}
	return &Subset{Parent: d, Indices: rest}, &Subset{Parent: d, Indices: held}
}

// Materialize returns a Dense copy of d: every example converted to float32 once, with its
// label, and its float target if d has them. It trades memory (4 bytes per value: 188 MB
// for MNIST's training set) for loaders that only copy. The copy keeps the task of d: the
// number of classes of a classification set (that of the whole set a Subset views), the
// target shape of a regression set.
func Materialize(d Dataset) *Dense {
	f := Features(d)
	n := d.Len()
	x := make([]float32, n*f)
	y := make([]int, n)
	for i := range n {
		y[i] = d.Example(x[i*f:(i+1)*f], i)
	}
	m := &Dense{X: x, Y: y, ExampleShape: append([]int(nil), d.Shape()...)}
	if w := TargetWidth(d); w > 0 {
		t := d.(Targeted)
		m.TargetDims = append([]int(nil), t.TargetShape()...)
		m.T = make([]float32, n*w)
		for i := range n {
			t.Target(m.T[i*w:(i+1)*w], i)
		}
		return m
	}
	if c, ok := root(d).(ClassCounter); ok {
		m.Classes = c.NumClasses()
	}
	return m
}
