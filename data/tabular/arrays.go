package tabular

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/descent-ml/descent/data"
	"github.com/descent-ml/descent/data/npy"
)

// readNPZ reads the arrays x and opts.Target (default y) of an .npz archive.
func readNPZ(path string, opts Options) (*Table, error) {
	arrays, err := npy.ReadNPZ(path)
	if err != nil {
		return nil, err
	}
	target := "y"
	switch len(opts.Target) {
	case 0:
	case 1:
		target = opts.Target[0]
	default:
		return nil, &Error{Path: path, Err: ErrArray, Detail: fmt.Sprintf("one target array, not %d (%s)", len(opts.Target), strings.Join(opts.Target, ", "))}
	}
	for _, name := range []string{"x", target} {
		if arrays[name] == nil {
			return nil, &Error{Path: path, Err: ErrArray, Detail: fmt.Sprintf("no array %q: the archive holds %s (want x, the features, and %s, the targets)", name, list(quoted(npy.Names(arrays)), 8), target)}
		}
	}
	return FromArrays(path, arrays["x"], arrays[target], target, opts)
}

// readNPY reads an .npy file of features and the .npy file of targets opts.Target names.
func readNPY(path string, opts Options) (*Table, error) {
	if len(opts.Target) != 1 || !strings.HasSuffix(opts.Target[0], ".npy") {
		return nil, &Error{Path: path, Err: ErrArray, Detail: fmt.Sprintf("an .npy file holds only the features: the target must name the .npy file of the targets, not %q", strings.Join(opts.Target, ","))}
	}
	x, err := npy.ReadFile(path)
	if err != nil {
		return nil, err
	}
	y, err := npy.ReadFile(opts.Target[0])
	if err != nil {
		return nil, err
	}
	return FromArrays(path, x, y, opts.Target[0], opts)
}

// FromArrays returns the table of examples x and targets y: x has one example per index
// of its first dimension (of shape x.Shape[1:], or [1] for a vector), y as many, one
// label or one target vector each. Classification needs y of shape [n] or [n 1]; a
// regression's targets have shape y.Shape[1:], or [1]. path and yName name the file and
// y in errors; opts.Features is ignored.
func FromArrays(path string, x, y *npy.Array, yName string, opts Options) (*Table, error) {
	fail := func(sentinel error, format string, args ...any) error {
		return &Error{Path: path, Err: sentinel, Detail: fmt.Sprintf(format, args...)}
	}
	if len(x.Shape) == 0 || len(y.Shape) == 0 {
		return nil, fail(ErrArray, "x has shape %v and %s %v: each needs a first dimension, one entry per example", x.Shape, yName, y.Shape)
	}
	n := x.Shape[0]
	if y.Shape[0] != n {
		return nil, fail(ErrArray, "x holds %d examples (shape %v), %s %d (shape %v)", n, x.Shape, yName, y.Shape[0], y.Shape)
	}
	if n == 0 {
		return nil, fail(ErrNoRows, "x and %s hold no examples (shapes %v, %v)", yName, x.Shape, y.Shape)
	}
	shape := slices.Clone(x.Shape[1:])
	if len(shape) == 0 {
		shape = []int{1}
	}
	for _, d := range shape {
		if d == 0 {
			return nil, fail(ErrArray, "x has shape %v: examples of no values", x.Shape)
		}
	}
	xs := x.Float32s()
	if i := nonFinite(x, xs); i >= 0 {
		return nil, fail(ErrNonFinite, "x%s = %v is not a finite float32", index(x.Shape, i), x.Float64(i))
	}
	tshape := slices.Clone(y.Shape[1:])
	if len(tshape) == 0 {
		tshape = []int{1}
	}
	one := len(tshape) == 1 && tshape[0] == 1

	t := &Table{Path: path, Targets: []string{yName}}
	kind := opts.Task
	if kind == data.Infer {
		kind = data.Regress
		if one && y.Dtype.Integer() {
			kind = data.Classify
		}
	}
	switch kind {
	case data.Classify:
		if !one {
			return nil, fail(ErrArray, "%s has shape %v: classification needs one label per example", yName, y.Shape)
		}
		labels := make([]int64, n)
		for i := range labels {
			l, ok := y.Int64(i)
			if !y.Dtype.Integer() {
				l, ok = label(y.Float64(i))
			}
			if !ok {
				return nil, fail(ErrLabel, "%s%s = %v is not an integer label", yName, index(y.Shape, i), y.Float64(i))
			}
			labels[i] = l
		}
		ys, known, le := classify(labels, opts.Labels)
		if le != nil {
			where := yName
			if le.i >= 0 {
				where += index(y.Shape, le.i)
			}
			return nil, fail(ErrLabel, "%s: %s", where, le.detail)
		}
		t.Data = data.NewDense(xs, ys, shape...)
		t.Data.Classes = len(known)
		t.Labels = known
		t.Task = data.Task{Kind: data.Classify, Classes: len(known)}
	case data.Regress:
		ts := y.Float32s()
		if i := nonFinite(y, ts); i >= 0 {
			return nil, fail(ErrNonFinite, "%s%s = %v is not a finite float32", yName, index(y.Shape, i), y.Float64(i))
		}
		t.Data = data.NewRegression(xs, shape, ts, tshape)
		t.Task = data.Task{Kind: data.Regress, TargetShape: tshape}
	default:
		panic(fmt.Sprintf("tabular: unknown task %v", opts.Task))
	}
	return t, nil
}

// nonFinite returns the index of the first element of a whose float32 value f is NaN or
// infinite, -1 if there is none.
func nonFinite(a *npy.Array, f []float32) int {
	if a.Dtype != npy.Float32 && a.Dtype != npy.Float64 {
		return -1 // integers fit in a float32, rounded
	}
	for i, v := range f {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return i
		}
	}
	return -1
}

// index writes the multi-index of element i (C order) of an array of shape, as [2, 3].
func index(shape []int, i int) string {
	idx := make([]string, len(shape))
	for k := len(shape) - 1; k >= 0; k-- {
		idx[k] = fmt.Sprint(i % shape[k])
		i /= shape[k]
	}
	return "[" + strings.Join(idx, ", ") + "]"
}
