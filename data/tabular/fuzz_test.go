package tabular

import (
	"encoding/csv"
	"errors"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/descent-ml/descent/data"
)

// FuzzReadCSV feeds arbitrary bytes to the CSV reader, seeded with the files of testdata/
// and the head of a committed scikit-learn file, with target columns "target" or "y1,y2".
// It must never panic; a file it refuses must give an *Error; a table it accepts must be
// consistent (finite values, labels in range, the number of classes), and written back as
// CSV it must read as the same table.
func FuzzReadCSV(f *testing.F) {
	names, err := filepath.Glob(filepath.Join("testdata", "*.csv"))
	if err != nil || len(names) == 0 {
		f.Fatalf("no seeds in testdata: %v", err)
	}
	names = append(names, filepath.Join("..", "testdata", "sklearn", "diabetes_test.csv"))
	for _, name := range names {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		if len(b) > 4096 {
			b = b[:4096]
		}
		f.Add(b, "target")
		if strings.Contains(name, "multi") {
			f.Add(b, "y1,y2")
		}
	}
	f.Fuzz(func(t *testing.T, in []byte, targets string) {
		opts := Options{Target: strings.Split(targets, ",")}
		tb, err := ReadCSV(strings.NewReader(string(in)), "fuzz.csv", opts)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || !strings.HasPrefix(err.Error(), "fuzz.csv") {
				t.Fatalf("error %q is not an *Error naming the file", err)
			}
			return
		}
		d := tb.Data
		for _, v := range slices.Concat(d.X, d.T) {
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				t.Fatalf("non-finite value %v accepted", v)
			}
		}
		if got := data.TaskOf(d); !reflect.DeepEqual(got, tb.Task) {
			t.Fatalf("TaskOf = %v, the table says %v", got, tb.Task)
		}
		if tb.Task.Kind == data.Classify {
			if !slices.IsSorted(tb.Labels) || len(slices.Compact(slices.Clone(tb.Labels))) != len(tb.Labels) || len(tb.Labels) < 2 {
				t.Fatalf("labels %v", tb.Labels)
			}
			for _, y := range d.Y {
				if y < 0 || y >= tb.Task.Classes {
					t.Fatalf("class %d of %d", y, tb.Task.Classes)
				}
			}
		}
		back, err := ReadCSV(strings.NewReader(rewrite(t, tb, opts.Target)), "copy", opts)
		if err != nil {
			t.Fatalf("the table written back: %v", err)
		}
		if !reflect.DeepEqual(back.Task, tb.Task) || !slices.Equal(back.Labels, tb.Labels) || !slices.Equal(back.Data.X, d.X) ||
			!slices.Equal(back.Data.Y, d.Y) || !slices.Equal(back.Data.T, d.T) {
			t.Fatalf("the table written back reads differently")
		}
	})
}

// rewrite writes tb as CSV: features named f0, f1, …, then the targets under the names
// targets; every float32 as its exact float64, regression targets as float literals.
func rewrite(t *testing.T, tb *Table, targets []string) string {
	var b strings.Builder
	w := csv.NewWriter(&b)
	var header []string
	for j := range tb.Features {
		header = append(header, "f"+strconv.Itoa(j))
	}
	w.Write(append(header, targets...))
	for i := range tb.Data.Len() {
		x, y, tg := example(tb.Data, i)
		var cells []string
		for _, v := range x {
			cells = append(cells, strconv.FormatFloat(float64(v), 'g', -1, 64))
		}
		if tb.Labels != nil {
			cells = append(cells, strconv.FormatInt(tb.Labels[y], 10))
		}
		for _, v := range tg {
			c := strconv.FormatFloat(float64(v), 'g', -1, 64)
			if !strings.ContainsAny(c, ".e") {
				c += ".0"
			}
			cells = append(cells, c)
		}
		w.Write(cells)
	}
	w.Flush()
	if err := w.Error(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}
