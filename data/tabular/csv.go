package tabular

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/descent-ml/descent/data"
)

// ReadCSV reads a CSV file with a header line from r; name is the file's name in errors.
// Every cell of the chosen columns must be a finite number that fits in a float32 (what
// strconv.ParseFloat accepts, spaces around it allowed); columns that are neither
// features nor targets are an error only when opts.Features names the features (a test
// file with a column its training file lacks). Blank lines are skipped; a UTF-8 byte-order
// mark before the header, and spaces around names, are ignored.
func ReadCSV(r io.Reader, name string, opts Options) (*Table, error) {
	return readCSV(r, name, opts, false)
}

// A csvReader reads the rows of a file, knowing the columns.
type csvReader struct {
	name   string
	r      *csv.Reader
	header []string
}

// errAt returns an error at line of column j (from 0; -1 for none).
func (c *csvReader) errAt(sentinel error, line, j int, format string, args ...any) *Error {
	e := &Error{Path: c.name, Line: line, Err: sentinel, Detail: fmt.Sprintf(format, args...)}
	if j >= 0 {
		e.Column, e.Name = j+1, c.header[j]
	}
	return e
}

func readCSV(r io.Reader, name string, opts Options, tabs bool) (*Table, error) {
	c := &csvReader{name: name, r: csv.NewReader(r)}
	if tabs {
		c.r.Comma = '\t'
	}
	c.r.FieldsPerRecord = -1
	header, err := c.r.Read()
	if errors.Is(err, io.EOF) {
		return nil, &Error{Path: name, Err: ErrEmpty, Detail: "empty file: want a header line, then rows"}
	}
	if err != nil {
		return nil, c.syntax(err)
	}
	c.header = make([]string, len(header))
	for j, h := range header {
		c.header[j] = strings.TrimSpace(h)
	}
	c.header[0] = strings.TrimSpace(strings.TrimPrefix(header[0], "\ufeff"))
	features, targets, err := c.columns(opts)
	if err != nil {
		return nil, err
	}

	nf, nt := len(features), len(targets)
	var (
		x     []float32
		tv    []float64 // target values, row-major
		tcell []string  // the first target's cells, as written
		lines []int     // line of each row
	)
	for {
		rec, err := c.r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, c.syntax(err)
		}
		line, _ := c.r.FieldPos(0)
		if len(rec) != len(c.header) {
			return nil, c.errAt(ErrRagged, line, -1, "%d cells, the header has %d columns", len(rec), len(c.header))
		}
		for _, j := range features {
			v, err := c.number(rec[j], line, j)
			if err != nil {
				return nil, err
			}
			f, ok := float32Of(v)
			if !ok {
				return nil, c.errAt(ErrNonFinite, line, j, "cell %s overflows float32", quote(rec[j]))
			}
			x = append(x, f)
		}
		for _, j := range targets {
			v, err := c.number(rec[j], line, j)
			if err != nil {
				return nil, err
			}
			tv = append(tv, v)
		}
		tcell = append(tcell, strings.TrimSpace(rec[targets[0]]))
		lines = append(lines, line)
	}
	n := len(lines)
	if n == 0 {
		return nil, c.errAt(ErrNoRows, 1, -1, "a header and no rows")
	}

	t := &Table{Path: name, Targets: make([]string, nt), Features: make([]string, nf)}
	for i, j := range targets {
		t.Targets[i] = c.header[j]
	}
	for i, j := range features {
		t.Features[i] = c.header[j]
	}
	kind := opts.Task
	if kind == data.Infer {
		kind = data.Regress
		if nt == 1 && allInts(tcell) {
			kind = data.Classify
		}
	}
	switch kind {
	case data.Classify:
		if nt != 1 {
			return nil, c.errAt(ErrColumn, 1, -1, "classification needs one target column, not %d", nt)
		}
		labels := make([]int64, n)
		for i, s := range tcell {
			l, err := strconv.ParseInt(s, 10, 64)
			if err != nil {
				var ok bool
				if l, ok = label(tv[i]); !ok {
					return nil, c.errAt(ErrLabel, lines[i], targets[0], "label %s is not an integer", quote(s))
				}
			}
			labels[i] = l
		}
		y, known, le := classify(labels, opts.Labels)
		if le != nil {
			line := 0
			if le.i >= 0 {
				line = lines[le.i]
			}
			return nil, c.errAt(ErrLabel, line, targets[0], "%s", le.detail)
		}
		t.Data = data.NewDense(x, y, nf)
		t.Data.Classes = len(known)
		t.Labels = known
		t.Task = data.Task{Kind: data.Classify, Classes: len(known)}
	case data.Regress:
		tf := make([]float32, len(tv))
		for i, v := range tv {
			f, ok := float32Of(v)
			if !ok {
				j := targets[i%nt]
				return nil, c.errAt(ErrNonFinite, lines[i/nt], j, "target %v overflows float32", v)
			}
			tf[i] = f
		}
		t.Data = data.NewRegression(x, []int{nf}, tf, []int{nt})
		t.Task = data.Task{Kind: data.Regress, TargetShape: []int{nt}}
	default:
		panic(fmt.Sprintf("tabular: unknown task %v", opts.Task))
	}
	return t, nil
}

// columns returns the indices of the feature and target columns.
func (c *csvReader) columns(opts Options) (features, targets []int, err error) {
	index := map[string]int{}
	for j, h := range c.header {
		if k, dup := index[h]; dup {
			return nil, nil, c.errAt(ErrColumn, 1, j, "the name of column %d too", k+1)
		}
		index[h] = j
	}
	if len(opts.Target) == 0 {
		return nil, nil, c.errAt(ErrColumn, 1, -1, "no target column named (the columns are %s)", list(quoted(c.header), 8))
	}
	isTarget := map[int]bool{}
	for _, name := range opts.Target {
		j, ok := index[name]
		if !ok {
			return nil, nil, c.errAt(ErrColumn, 1, -1, "no target column %s among the %d columns %s", quote(name), len(c.header), list(quoted(c.header), 8))
		}
		if isTarget[j] {
			return nil, nil, c.errAt(ErrColumn, 1, j, "named twice as a target")
		}
		isTarget[j] = true
		targets = append(targets, j)
	}
	if opts.Features == nil {
		for j := range c.header {
			if !isTarget[j] {
				features = append(features, j)
			}
		}
	} else {
		used := map[int]bool{}
		for _, name := range opts.Features {
			j, ok := index[name]
			if !ok {
				return nil, nil, c.errAt(ErrColumn, 1, -1, "no column %s, a feature of the training file", quote(name))
			}
			if isTarget[j] {
				return nil, nil, c.errAt(ErrColumn, 1, j, "a feature of the training file, here a target")
			}
			used[j] = true
			features = append(features, j)
		}
		for j := range c.header {
			if !used[j] && !isTarget[j] {
				return nil, nil, c.errAt(ErrColumn, 1, j, "not a column of the training file")
			}
		}
	}
	if len(features) == 0 {
		return nil, nil, c.errAt(ErrColumn, 1, -1, "no feature columns: only the target")
	}
	return features, targets, nil
}

// number parses the cell of column j at line.
func (c *csvReader) number(cell string, line, j int) (float64, error) {
	s := strings.TrimSpace(cell)
	if s == "" {
		return 0, c.errAt(ErrNotNumber, line, j, "empty cell (a missing value)")
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return 0, c.errAt(ErrNotNumber, line, j, "cell %s is not a number", quote(cell))
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, c.errAt(ErrNonFinite, line, j, "cell %s is not finite", quote(cell))
	}
	return v, nil
}

// syntax turns an error of encoding/csv into an Error at its line and column.
func (c *csvReader) syntax(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return &Error{Path: c.name, Line: pe.Line, Err: ErrSyntax, Detail: fmt.Sprintf("byte %d: %v", pe.Column, pe.Err)}
	}
	return fmt.Errorf("%s: %w", c.name, err)
}

// allInts reports whether every cell is an integer literal.
func allInts(cells []string) bool {
	for _, s := range cells {
		if _, err := strconv.ParseInt(s, 10, 64); err != nil {
			return false
		}
	}
	return true
}

func quoted(names []string) []string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = quote(n)
	}
	return q
}
