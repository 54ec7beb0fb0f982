package tabular

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/descent-ml/descent/data"
	"github.com/descent-ml/descent/data/npy"
)

var target = []string{"target"}

// TestBadCSV reads each damaged file of testdata/ and checks the error: its sentinel and
// its whole message, which names the file, the line and the column.
func TestBadCSV(t *testing.T) {
	for _, tc := range []struct {
		file string
		opts Options
		err  error
		msg  string
	}{
		{"bad-text-cell.csv", Options{Target: target}, ErrNotNumber, `:3: column 2 "b": cell "abc" is not a number`},
		{"bad-ragged-row.csv", Options{Target: target}, ErrRagged, `:3: 2 cells, the header has 3 columns`},
		{"bad-missing-target.csv", Options{Target: target}, ErrColumn, `:1: no target column "target" among the 3 columns "a", "b", "label"`},
		{"bad-nan.csv", Options{Target: target}, ErrNonFinite, `:3: column 2 "b": cell "NaN" is not finite`},
		{"bad-inf.csv", Options{Target: target}, ErrNonFinite, `:3: column 2 "b": cell "-inf" is not finite`},
		{"bad-empty.csv", Options{Target: target}, ErrEmpty, `: empty file: want a header line, then rows`},
		{"bad-header-only.csv", Options{Target: target}, ErrNoRows, `:1: a header and no rows`},
		{"bad-empty-cell.csv", Options{Target: target}, ErrNotNumber, `:2: column 2 "b": empty cell (a missing value)`},
		{"bad-float32-overflow.csv", Options{Target: target}, ErrNonFinite, `:3: column 2 "b": cell "1e39" overflows float32`},
		{"bad-quote.csv", Options{Target: target}, ErrSyntax, `:3: byte 5: extraneous or missing " in quoted-field`},
		{"bad-duplicate-column.csv", Options{Target: target}, ErrColumn, `:1: column 2 "a": the name of column 1 too`},
		{"bad-one-class.csv", Options{Target: target}, ErrLabel, `: column 3 "target": every label is 0: one class, nothing to classify`},
		{"bad-no-features.csv", Options{Target: target}, ErrColumn, `:1: no feature columns: only the target`},
		{"good-classes.csv", Options{}, ErrColumn, `:1: no target column named (the columns are "a", "b", "target")`},
		{"good-classes.csv", Options{Target: []string{"a", "a"}}, ErrColumn, `:1: column 1 "a": named twice as a target`},
		{"good-classes.csv", Options{Target: []string{"a", "b"}, Task: data.Classify}, ErrColumn, `:1: classification needs one target column, not 2`},
		{"good-classes.csv", Options{Target: target, Labels: []int64{0, 2}}, ErrLabel, `:3: column 3 "target": label 1 is not a class of the training file (0, 2)`},
		{"good-classes.csv", Options{Target: target, Features: []string{"b", "c"}}, ErrColumn, `:1: no column "c", a feature of the training file`},
		{"good-classes.csv", Options{Target: target, Features: []string{"b"}}, ErrColumn, `:1: column 1 "a": not a column of the training file`},
		{"good-classes.csv", Options{Target: []string{"b"}, Features: []string{"a", "target", "b"}}, ErrColumn, `:1: column 2 "b": a feature of the training file, here a target`},
		{"good-multi-target.csv", Options{Target: []string{"y2"}, Task: data.Classify, Labels: []int64{1, 5}}, ErrLabel, `:2: column 4 "y2": label 2 is not a class of the training file (1, 5)`},
		{"good-multi-target.csv", Options{Target: []string{"y1"}, Task: data.Classify}, ErrLabel, `:2: column 3 "y1": label "1.5" is not an integer`},
	} {
		path := filepath.Join("testdata", tc.file)
		_, err := ReadFile(path, tc.opts)
		var e *Error
		if !errors.Is(err, tc.err) || !errors.As(err, &e) || err.Error() != path+tc.msg {
			t.Errorf("%s %+v:\n got %v\nwant %s%s (%v)", tc.file, tc.opts, err, path, tc.msg, tc.err)
		}
	}
}

// writeFile writes content to a file of that name in a temporary folder.
func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// example returns the features and the label or target of example i of d.
func example(d *data.Dense, i int) ([]float32, int, []float32) {
	x := make([]float32, data.Features(d))
	y := d.Example(x, i)
	var tg []float32
	if w := data.TargetWidth(d); w > 0 {
		tg = make([]float32, w)
		d.Target(tg, i)
	}
	return x, y, tg
}

func TestGoodCSV(t *testing.T) {
	tb, err := ReadFile(filepath.Join("testdata", "good-classes.csv"), Options{Target: target})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(tb.Task, data.Task{Kind: data.Classify, Classes: 2}) || !slices.Equal(tb.Labels, []int64{0, 1}) ||
		!slices.Equal(tb.Features, []string{"a", "b"}) || tb.Data.Len() != 3 || !reflect.DeepEqual(data.TaskOf(tb.Data), tb.Task) {
		t.Fatalf("table %+v", tb)
	}
	if x, y, _ := example(tb.Data, 2); !slices.Equal(x, []float32{5, 6}) || y != 1 {
		t.Errorf("example 2 = %v, %d", x, y)
	}

	// A byte-order mark, spaces around cells and names, a blank line, two targets.
	tb, err = ReadFile(filepath.Join("testdata", "good-multi-target.csv"), Options{Target: []string{"y1", "y2"}})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(tb.Task, data.Task{Kind: data.Regress, TargetShape: []int{2}}) || !slices.Equal(tb.Features, []string{"x1", "x2"}) || tb.Labels != nil {
		t.Fatalf("table %+v", tb)
	}
	want := [][2][]float32{{{0.5, -1000}, {1.5, 2}}, {{2, 3}, {-4.25, 5}}, {{1, 1}, {1, 1}}}
	for i, w := range want {
		if x, _, tg := example(tb.Data, i); !slices.Equal(x, w[0]) || !slices.Equal(tg, w[1]) {
			t.Errorf("example %d = %v → %v, want %v → %v", i, x, tg, w[0], w[1])
		}
	}
}

// TestInferTask checks which targets are classes: one column of integer literals, unless
// the task is set.
func TestInferTask(t *testing.T) {
	for _, tc := range []struct {
		target string // the cells of the target column
		task   data.Kind
		want   data.Task
		labels []int64
		ys     []int
	}{
		{"0 1 1", data.Infer, data.Task{Kind: data.Classify, Classes: 2}, []int64{0, 1}, []int{0, 1, 1}},
		{"-1 1 -1", data.Infer, data.Task{Kind: data.Classify, Classes: 2}, []int64{-1, 1}, []int{0, 1, 0}},
		{"3 7 5", data.Infer, data.Task{Kind: data.Classify, Classes: 3}, []int64{3, 5, 7}, []int{0, 2, 1}},
		{"151.0 75.0 141.0", data.Infer, data.Task{Kind: data.Regress, TargetShape: []int{1}}, nil, nil},
		{"1 2.5 3", data.Infer, data.Task{Kind: data.Regress, TargetShape: []int{1}}, nil, nil},
		{"1e2 2 3", data.Infer, data.Task{Kind: data.Regress, TargetShape: []int{1}}, nil, nil},
		{"1.0 2.0 1.0", data.Classify, data.Task{Kind: data.Classify, Classes: 2}, []int64{1, 2}, []int{0, 1, 0}},
		{"0 1 1", data.Regress, data.Task{Kind: data.Regress, TargetShape: []int{1}}, nil, nil},
	} {
		var b strings.Builder
		b.WriteString("f,target\n")
		for i, c := range strings.Fields(tc.target) {
			fmt.Fprintf(&b, "%d,%s\n", i, c)
		}
		tb, err := ReadFile(writeFile(t, "t.csv", b.String()), Options{Target: target, Task: tc.task})
		if err != nil {
			t.Fatalf("%s %v: %v", tc.target, tc.task, err)
		}
		if !reflect.DeepEqual(tb.Task, tc.want) || !slices.Equal(tb.Labels, tc.labels) || (tc.ys != nil && !slices.Equal(tb.Data.Y, tc.ys)) {
			t.Errorf("%s %v: task %v labels %v classes %v; want %v %v %v", tc.target, tc.task, tb.Task, tb.Labels, tb.Data.Y, tc.want, tc.labels, tc.ys)
		}
	}
}

// TestTestFileColumns reads a test file whose columns come in another order.
func TestTestFileColumns(t *testing.T) {
	tb, err := ReadFile(writeFile(t, "t.csv", "target,b,a\n1,20,10\n0,40,30\n"), Options{Target: target, Features: []string{"a", "b"}, Labels: []int64{0, 1}})
	if err != nil {
		t.Fatal(err)
	}
	if x, y, _ := example(tb.Data, 0); !slices.Equal(x, []float32{10, 20}) || y != 1 || tb.Data.Classes != 2 {
		t.Errorf("example 0 = %v, %d", x, y)
	}
}

// npzFile writes an .npz archive of the arrays given as name, array pairs.
func npzFile(t *testing.T, members ...any) string {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for i := 0; i < len(members); i += 2 {
		w, err := zw.Create(members[i].(string) + ".npy")
		if err != nil {
			t.Fatal(err)
		}
		if err := npy.Encode(w, members[i+1].(*npy.Array)); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return writeFile(t, "d.npz", buf.String())
}

func TestNPZ(t *testing.T) {
	x := npy.FromSlice([]float64{1, 2, 3, 4, 5, 6}, 3, 2)
	tb, err := ReadFile(npzFile(t, "x", x, "y", npy.FromSlice([]int64{4, 2, 4})), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(tb.Task, data.Task{Kind: data.Classify, Classes: 2}) || !slices.Equal(tb.Labels, []int64{2, 4}) || !slices.Equal(tb.Data.Y, []int{1, 0, 1}) {
		t.Fatalf("table %+v", tb)
	}
	if xs, _, _ := example(tb.Data, 1); !slices.Equal(xs, []float32{3, 4}) || !slices.Equal(tb.Data.Shape(), []int{2}) {
		t.Errorf("example 1 = %v of shape %v", xs, tb.Data.Shape())
	}
	tb, err = ReadFile(npzFile(t, "x", x, "z", npy.FromSlice([]float32{1, 2, 3, 4, 5, 6}, 3, 2)), Options{Target: []string{"z"}})
	if err != nil || !reflect.DeepEqual(tb.Task, data.Task{Kind: data.Regress, TargetShape: []int{2}}) || !slices.Equal(tb.Targets, []string{"z"}) {
		t.Fatalf("table %+v, %v", tb, err)
	}
	if _, _, tg := example(tb.Data, 2); !slices.Equal(tg, []float32{5, 6}) {
		t.Errorf("target 2 = %v", tg)
	}
	tb, err = ReadFile(npzFile(t, "x", npy.FromSlice([]uint8{1, 2, 3}), "y", npy.FromSlice([]bool{true, false, true})), Options{})
	if err != nil || !reflect.DeepEqual(tb.Task, data.Task{Kind: data.Classify, Classes: 2}) || !slices.Equal(tb.Data.Shape(), []int{1}) {
		t.Fatalf("bool labels: %+v, %v", tb, err)
	}

	// An .npy pair.
	dir := t.TempDir()
	for name, a := range map[string]*npy.Array{"x.npy": x, "y.npy": npy.FromSlice([]float64{0.5, 1, 2}, 3, 1)} {
		var buf bytes.Buffer
		npy.Encode(&buf, a)
		os.WriteFile(filepath.Join(dir, name), buf.Bytes(), 0o644)
	}
	tb, err = ReadFile(filepath.Join(dir, "x.npy"), Options{Target: []string{filepath.Join(dir, "y.npy")}})
	if err != nil || !reflect.DeepEqual(tb.Task, data.Task{Kind: data.Regress, TargetShape: []int{1}}) {
		t.Fatalf(".npy pair: %+v, %v", tb, err)
	}
}

// TestBadArrays checks that each bad .npz archive is refused with its file and what is
// wrong.
func TestBadArrays(t *testing.T) {
	x := npy.FromSlice([]float32{1, 2, 3, 4, 5, 6}, 3, 2)
	nan := npy.FromSlice([]float32{1, 2, 3, float32(math.NaN()), 5, 6}, 3, 2)
	strs := &npy.Array{Header: npy.Header{Major: 1, Dtype: npy.Int32, Shape: []int{3}}, Data: make([]byte, 12)}
	var strFile bytes.Buffer
	npy.Encode(&strFile, strs)
	unicode := bytes.Replace(strFile.Bytes(), []byte("'<i4'"), []byte("'<U1'"), 1)
	for _, tc := range []struct {
		name string
		path string
		opts Options
		err  error
		msg  string
	}{
		{"no y", npzFile(t, "x", x), Options{}, ErrArray, `no array "y": the archive holds "x" (want x, the features, and y, the targets)`},
		{"no x", npzFile(t, "y", x), Options{}, ErrArray, `no array "x": the archive holds "y" (want x, the features, and y, the targets)`},
		{"shape mismatch", npzFile(t, "x", x, "y", npy.FromSlice([]int64{1, 2})), Options{}, ErrArray, `x holds 3 examples (shape [3 2]), y 2 (shape [2])`},
		{"scalar y", npzFile(t, "x", x, "y", npy.FromSlice([]int64{1}, []int{}...)), Options{}, ErrArray, `x has shape [3 2] and y []: each needs a first dimension, one entry per example`},
		{"nan", npzFile(t, "x", nan, "y", npy.FromSlice([]int64{1, 2, 1})), Options{}, ErrNonFinite, `x[1, 1] = NaN is not a finite float32`},
		{"float labels", npzFile(t, "x", x, "y", npy.FromSlice([]float64{1, 2.5, 1})), Options{Task: data.Classify}, ErrLabel, `y[1] = 2.5 is not an integer label`},
		{"2-d labels", npzFile(t, "x", x, "y", x), Options{Task: data.Classify}, ErrArray, `y has shape [3 2]: classification needs one label per example`},
		{"unseen label", npzFile(t, "x", x, "y", npy.FromSlice([]int64{1, 2, 3})), Options{Labels: []int64{1, 2}}, ErrLabel, `y[2]: label 3 is not a class of the training file (1, 2)`},
		{"two targets", npzFile(t, "x", x, "y", x), Options{Target: []string{"y", "z"}}, ErrArray, `one target array, not 2 (y, z)`},
		{"npy without targets", writeFile(t, "x.npy", strFile.String()), Options{}, ErrArray, `an .npy file holds only the features: the target must name the .npy file of the targets, not ""`},
	} {
		_, err := ReadFile(tc.path, tc.opts)
		if !errors.Is(err, tc.err) || err.Error() != tc.path+": "+tc.msg {
			t.Errorf("%s:\n got %v\nwant %s: %s", tc.name, err, tc.path, tc.msg)
		}
	}
	// An unsupported dtype: npy's error, naming the file and the member.
	path := npzFile(t, "x", x)
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.Create("x.npy")
	npy.Encode(w, x)
	w, _ = zw.Create("y.npy")
	w.Write(unicode)
	zw.Close()
	os.WriteFile(path, buf.Bytes(), 0o644)
	_, err := ReadFile(path, Options{})
	if !errors.Is(err, npy.ErrDtype) || !strings.HasPrefix(err.Error(), path+`: member "y.npy": npy: unsupported dtype: descr "<U1" (unicode strings)`) {
		t.Errorf("unicode y: %v", err)
	}
	if _, err := ReadFile("data.parquet", Options{}); err == nil || !strings.Contains(err.Error(), "unknown format") {
		t.Errorf("parquet: %v", err)
	}
}

// writeCSV writes tb back as a CSV file, with the exact float64 value of every float32
// and the original labels.
func writeCSV(tb *Table) string {
	var b strings.Builder
	b.WriteString(strings.Join(append(slices.Clone(tb.Features), tb.Targets...), ","))
	b.WriteByte('\n')
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
				c += ".0" // a float literal: an integer would read as a class
			}
			cells = append(cells, c)
		}
		b.WriteString(strings.Join(cells, ","))
		b.WriteByte('\n')
	}
	return b.String()
}

// sameTable reports whether two tables hold the same examples, labels and targets.
func sameTable(a, b *Table) bool {
	return reflect.DeepEqual(a.Task, b.Task) && slices.Equal(a.Labels, b.Labels) && slices.Equal(a.Features, b.Features) &&
		slices.Equal(a.Data.X, b.Data.X) && slices.Equal(a.Data.Y, b.Data.Y) && slices.Equal(a.Data.T, b.Data.T)
}

// TestRoundTrip writes tables back as CSV, and as .npz, and reads the same tables.
func TestRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		file string
		opts Options
	}{
		{"good-classes.csv", Options{Target: target}},
		{"good-multi-target.csv", Options{Target: []string{"y1", "y2"}}},
		{filepath.Join("..", "..", "testdata", "sklearn", "diabetes_test.csv"), Options{Target: target}},
		{filepath.Join("..", "..", "testdata", "sklearn", "breast_cancer_test.csv"), Options{Target: target}},
	} {
		a, err := ReadFile(filepath.Join("testdata", tc.file), tc.opts)
		if err != nil {
			t.Fatal(err)
		}
		b, err := ReadCSV(strings.NewReader(writeCSV(a)), "copy", tc.opts)
		if err != nil || !sameTable(a, b) {
			t.Fatalf("%s: CSV round trip: %v", tc.file, err)
		}
		var y *npy.Array
		if a.Labels != nil {
			labels := make([]int64, a.Data.Len())
			for i, k := range a.Data.Y {
				labels[i] = a.Labels[k]
			}
			y = npy.FromSlice(labels)
		} else {
			y = npy.FromSlice(a.Data.T, a.Data.Len(), data.TargetWidth(a.Data))
		}
		c, err := ReadFile(npzFile(t, "x", npy.FromSlice(a.Data.X, a.Data.Len(), data.Features(a.Data)), "y", y), Options{})
		c.Features = a.Features
		if err != nil || !sameTable(a, c) {
			t.Fatalf("%s: .npz round trip: %v", tc.file, err)
		}
	}
}

// rows returns the examples of d as rows of float64.
func rows(d data.Dataset) [][]float64 {
	out := make([][]float64, d.Len())
	x := make([]float32, data.Features(d))
	for i := range out {
		d.Example(x, i)
		for _, v := range x {
			out[i] = append(out[i], float64(v))
		}
	}
	return out
}

// TestLoadHoldout checks the held-out split: ⌈0.2·n⌉ examples, disjoint from the training
// part and together all of the file, the same for the same seed and another for another
// seed; and that standardisation uses the training part alone.
func TestLoadHoldout(t *testing.T) {
	var b strings.Builder
	b.WriteString("u,v,target\n")
	for i := range 51 {
		fmt.Fprintf(&b, "%d,%g,%d\n", i, math.Sin(float64(i)), i%3)
	}
	path := writeFile(t, "d.csv", b.String())
	raw, err := ReadFile(path, Options{Target: target})
	if err != nil {
		t.Fatal(err)
	}
	rawRows := rows(raw.Data)

	spec := Spec{Train: path, Target: target, Seed: 7}
	s, err := Load(spec)
	if err != nil {
		t.Fatal(err)
	}
	tr, te := s.Train.(*data.Subset), s.Test.(*data.Subset)
	if te.Len() != 11 || tr.Len() != 40 || s.HeldOut != 11 {
		t.Fatalf("split %d + %d (held out %d), want 40 + 11", tr.Len(), te.Len(), s.HeldOut)
	}
	all := append(slices.Clone(tr.Indices), te.Indices...)
	slices.Sort(all)
	for i, v := range all {
		if v != i {
			t.Fatalf("the split is not a partition of the file: %v", all)
		}
	}
	if got := data.TaskOf(te); !reflect.DeepEqual(got, data.Task{Kind: data.Classify, Classes: 3}) {
		t.Errorf("task of the held-out part: %v", got)
	}
	again, _ := Load(spec)
	if !slices.Equal(again.Test.(*data.Subset).Indices, te.Indices) {
		t.Error("the same seed gives another split")
	}
	spec.Seed = 8
	other, _ := Load(spec)
	if slices.Equal(other.Test.(*data.Subset).Indices, te.Indices) {
		t.Error("seeds 7 and 8 give the same split")
	}
	spec.Holdout = 0.5
	if half, _ := Load(spec); half.Test.Len() != 26 {
		t.Errorf("holdout 0.5 of 51: %d", half.Test.Len())
	}

	// Standardisation: moments of the training rows only, applied to both parts.
	spec = Spec{Train: path, Target: target, Seed: 7, Standardize: true}
	s, err = Load(spec)
	if err != nil {
		t.Fatal(err)
	}
	st := s.Standardization
	for j := range 2 {
		var sum, ss float64
		for _, i := range tr.Indices {
			sum += rawRows[i][j]
		}
		mu := sum / float64(tr.Len())
		for _, i := range tr.Indices {
			ss += (rawRows[i][j] - mu) * (rawRows[i][j] - mu)
		}
		sd := math.Sqrt(ss / float64(tr.Len()))
		if math.Abs(st.Features.Mean[j]-mu) > 1e-9 || math.Abs(st.Features.Std[j]-sd) > 1e-9 {
			t.Errorf("feature %d: moments %v %v, want those of the training rows %v %v", j, st.Features.Mean[j], st.Features.Std[j], mu, sd)
		}
	}
	if all := data.FitStandardization(raw.Data, false); all.Features.Mean[0] == st.Features.Mean[0] {
		t.Fatal("the file's moments equal the training part's: the test cannot tell them apart")
	}
	got := rows(s.Test)
	for k, i := range s.Test.(*data.Subset).Indices {
		for j := range 2 {
			want := float64(float32((rawRows[i][j] - st.Features.Mean[j]) / st.Features.Std[j]))
			if got[k][j] != want {
				t.Fatalf("held-out example %d feature %d = %v, want %v", k, j, got[k][j], want)
			}
		}
	}
	b2, _ := json.Marshal(st)
	if !strings.HasPrefix(string(b2), `{"features":{"mean":[`) {
		t.Errorf("JSON %s", b2)
	}

	for _, bad := range []Spec{
		{Train: path, Target: target, Holdout: 1},
		{Train: path, Target: target, Holdout: -0.1},
		{Train: path, Target: target, StandardizeTargets: true},
		{Train: path, Target: target, Standardize: true, StandardizeTargets: true},
		{Train: writeFile(t, "two.csv", "a,target\n1,0\n2,1\n"), Target: target, Holdout: 0.9},
	} {
		if _, err := Load(bad); err == nil {
			t.Errorf("%+v: no error", bad)
		}
	}
}

// TestLoadSklearn loads the committed CSV files of scikit-learn's datasets, train and
// test, and checks what data/testdata/sklearn/baselines.json says of them.
func TestLoadSklearn(t *testing.T) {
	dir := filepath.Join("..", "testdata", "sklearn")
	raw, err := os.ReadFile(filepath.Join(dir, "baselines.json"))
	if err != nil {
		t.Fatal(err)
	}
	type set struct{ Train, Test, Features, Classes int }
	var baselines struct {
		BreastCancer set `json:"breast_cancer"`
		Diabetes     set `json:"diabetes"`
	}
	if err := json.Unmarshal(raw, &baselines); err != nil {
		t.Fatal(err)
	}
	base := map[string]set{"breast_cancer": baselines.BreastCancer, "diabetes": baselines.Diabetes}
	for _, tc := range []struct {
		name string
		task data.Kind
	}{{"breast_cancer", data.Classify}, {"diabetes", data.Regress}} {
		spec := Spec{Train: filepath.Join(dir, tc.name+"_train.csv"), Test: filepath.Join(dir, tc.name+"_test.csv"), Target: target, Standardize: true}
		s, err := Load(spec)
		if err != nil {
			t.Fatal(err)
		}
		b := base[tc.name]
		if s.Task.Kind != tc.task || s.Train.Len() != b.Train || s.Test.Len() != b.Test || len(s.Features) != b.Features || s.Task.Classes != b.Classes {
			t.Errorf("%s: %v, %d + %d examples of %d features; baselines.json says %+v", tc.name, s.Task, s.Train.Len(), s.Test.Len(), len(s.Features), b)
		}
		if s.Task.Kind == data.Regress && (s.Standardization.Targets != nil || !slices.Equal(s.Targets, target)) {
			t.Errorf("%s: targets %v standardised: %v", tc.name, s.Targets, s.Standardization.Targets)
		}
		m := data.FitStandardization(s.Train, false)
		for j := range m.Features.Mean {
			if math.Abs(m.Features.Mean[j]) > 1e-5 || math.Abs(m.Features.Std[j]-1) > 1e-4 {
				t.Errorf("%s: standardised feature %d has mean %v std %v", tc.name, j, m.Features.Mean[j], m.Features.Std[j])
			}
		}
	}
}
