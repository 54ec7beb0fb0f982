package tabular

import (
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/descent-ml/descent/data"
)

// Options say how to read one file.
type Options struct {
	// Target names the target. In a CSV file it is the target column, or several for a
	// multi-output regression; it is required. In an .npz archive it is the array of the
	// targets; if Target is nil, it is defaulted to "y". With an .npy file of features it
	// is the .npy file of the targets; it is required.
	Target []string
	// Task is Classify, Regress, or Infer (the zero value): classes when the target is
	// one column of integers — CSV cells that are all integer literals (1, -3, not 1.0:
	// the column pandas would read as int64), or a NumPy array of an integer or bool
	// dtype — and regression otherwise.
	Task data.Kind
	// Features names the feature columns of a CSV file, in the order the examples hold
	// them: a test file is read with its training file's, whatever its column order. If
	// Features is nil, the features are every column but the targets, in file order.
	Features []string
	// Labels is the original label of each class of a classification: class k is label
	// Labels[k]. A test file is read with its training file's, and a label missing from
	// them is an error. If Labels is nil, it is the distinct labels of this file, sorted,
	// so that labels 0…K−1 are classes 0…K−1.
	Labels []int64
}

// A Table is a dataset read from a file.
type Table struct {
	// Path is the file it was read from.
	Path string
	// Data holds the examples as float32 (for a CSV file, shape [number of features]),
	// with class indices as labels (and Classes set) or float targets.
	Data *data.Dense
	// Task is classification with len(Labels) classes, or regression with one output per
	// target column (the shape of y after its first dimension, for NumPy arrays).
	Task data.Task
	// Features names the feature columns of a CSV file, in the order of the examples; nil
	// for NumPy arrays.
	Features []string
	// Targets names the target columns, or the target array.
	Targets []string
	// Labels is the original label of each class: class k is label Labels[k]. Nil for a
	// regression.
	Labels []int64
}

// Sentinel errors matched, with [errors.Is], by the [*Error] that the readers return.
var (
	ErrEmpty     = errors.New("tabular: empty file")
	ErrNoRows    = errors.New("tabular: no rows")
	ErrSyntax    = errors.New("tabular: bad CSV")
	ErrRagged    = errors.New("tabular: wrong number of cells")
	ErrNotNumber = errors.New("tabular: not a number")
	ErrNonFinite = errors.New("tabular: not finite")
	ErrColumn    = errors.New("tabular: bad columns")
	ErrLabel     = errors.New("tabular: bad class label")
	ErrArray     = errors.New("tabular: bad arrays")
)

// An Error reports a file that cannot be read as a dataset, and where: the line and the
// column of a CSV file, the element of an array.
type Error struct {
	Path string
	// Line is the line of the file, from 1; 0 if the error is not on one line.
	Line int
	// Column is the column of a CSV file, from 1, and Name its header; 0 and "" if the
	// error is not in one column.
	Column int
	Name   string
	// Err is one of the sentinel errors, Detail says what is wrong.
	Err    error
	Detail string
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Path)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	b.WriteString(": ")
	if e.Column > 0 {
		fmt.Fprintf(&b, "column %d %q: ", e.Column, e.Name)
	}
	b.WriteString(e.Detail)
	return b.String()
}

// Unwrap returns the sentinel error, so that errors.Is(err, tabular.ErrNotNumber) works.
func (e *Error) Unwrap() error { return e.Err }

// ReadFile reads the dataset of the file at path, by its extension: .csv (or .csv.gz, or
// .tsv, tab-separated), .npz, .npy. Errors name the file and the place in it.
func ReadFile(path string, opts Options) (*Table, error) {
	switch {
	case strings.HasSuffix(path, ".npz"):
		return readNPZ(path, opts)
	case strings.HasSuffix(path, ".npy"):
		return readNPY(path, opts)
	case strings.HasSuffix(path, ".csv"), strings.HasSuffix(path, ".tsv"), strings.HasSuffix(path, ".csv.gz"):
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		var r io.Reader = f
		if strings.HasSuffix(path, ".gz") {
			zr, err := gzip.NewReader(f)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", path, err)
			}
			r = zr
		}
		return readCSV(r, path, opts, strings.HasSuffix(path, ".tsv"))
	}
	return nil, fmt.Errorf("%s: unknown format: want a .csv, .csv.gz, .tsv, .npy or .npz file", path)
}

// A labelError is a label that classify refuses: that of example i, or of the whole
// target if i is -1.
type labelError struct {
	i      int
	detail string
}

// classify maps the labels of a classification to class indices: with known (the
// training file's labels) if it is not nil, else with the distinct labels, sorted, which
// it returns.
func classify(labels []int64, known []int64) ([]int, []int64, *labelError) {
	if known == nil {
		set := map[int64]bool{}
		for _, l := range labels {
			set[l] = true
		}
		known = slices.Sorted(maps.Keys(set))
		if len(known) == 1 {
			return nil, nil, &labelError{-1, fmt.Sprintf("every label is %d: one class, nothing to classify", known[0])}
		}
	}
	class := make(map[int64]int, len(known))
	for k, l := range known {
		class[l] = k
	}
	y := make([]int, len(labels))
	for i, l := range labels {
		k, ok := class[l]
		if !ok {
			return nil, nil, &labelError{i, fmt.Sprintf("label %d is not a class of the training file (%s)", l, list(known, 10))}
		}
		y[i] = k
	}
	return y, known, nil
}

// label returns the class label of a cell or element: v, which must be an integer.
func label(v float64) (int64, bool) {
	if v != math.Trunc(v) || v < math.MinInt64 || v >= math.MaxInt64 {
		return 0, false
	}
	return int64(v), true
}

// list writes at most n values, with "…" for the rest.
func list[T any](vs []T, n int) string {
	var parts []string
	for i, v := range vs {
		if i == n {
			parts = append(parts, fmt.Sprintf("… (%d in all)", len(vs)))
			break
		}
		parts = append(parts, fmt.Sprint(v))
	}
	return strings.Join(parts, ", ")
}

// float32Of converts a finite float64 to float32, and reports whether it fits.
func float32Of(v float64) (float32, bool) {
	f := float32(v)
	return f, !math.IsInf(float64(f), 0)
}

// quote returns s quoted for a message, shortened.
func quote(s string) string {
	if len(s) > 40 {
		s = s[:40] + "…"
	}
	return strconv.Quote(s)
}
