package data

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// regression returns n examples of shape [2, 3] whose values are all the example's index,
// with targets of shape [2] equal to (index/2, −index): any batch can be checked against
// its Indices.
func regression(n int) *Dense {
	x := make([]float32, 6*n)
	t := make([]float32, 2*n)
	for i := range n {
		for j := range 6 {
			x[6*i+j] = float32(i)
		}
		t[2*i], t[2*i+1] = float32(i)/2, -float32(i)
	}
	return NewRegression(x, []int{2, 3}, t, []int{2})
}

// checkTargets checks the float targets of b against the rule of regression: the value of
// an example is its index in the regression set, which is its index in the batch's dataset
// if direct.
func checkTargets(t *testing.T, b *Batch, direct bool) {
	t.Helper()
	if !slices.Equal(b.TargetShape, []int{b.Size(), 2}) || len(b.T) != 2*b.Size() {
		t.Fatalf("target shape %v with %d values for %d examples", b.TargetShape, len(b.T), b.Size())
	}
	for j, i := range b.Indices {
		if !direct {
			i = int(b.X[6*j])
		}
		if b.T[2*j] != float32(i)/2 || b.T[2*j+1] != -float32(i) || b.X[6*j] != float32(i) || b.Y[j] != 0 {
			t.Fatalf("example %d of the batch (index %d): x %v, label %d, target %v", j, i, b.X[6*j], b.Y[j], b.T[2*j:2*j+2])
		}
	}
}

// TestLoaderTargets runs the table of loaders over a regression set, directly and through
// subsets, and checks every batch's targets; a classification set's batches have none.
func TestLoaderTargets(t *testing.T) {
	for _, tc := range configs {
		d := regression(tc.n)
		var ds []Dataset
		ds = append(ds, d)
		if tc.n >= 4 {
			tr, _ := Split(d, tc.n/4, rand.New(rand.NewPCG(3, 4)))
			ds = append(ds, NewSubset(tr, []int{2, 0, 1}))
		}
		for k, dd := range ds {
			cfg := tc.cfg
			cfg.Samples = min(cfg.Samples, dd.Len())
			l := NewLoader(dd, cfg, rand.New(rand.NewPCG(1, 2)))
			batches := 0
			for range 2 {
				for l.Next() {
					checkTargets(t, l.Batch(), k == 0)
					batches++
				}
			}
			if batches != 2*l.BatchesPerEpoch() {
				t.Fatalf("%d batches in two epochs of %d", batches, l.BatchesPerEpoch())
			}
			l.Close()
		}
	}
	l := NewLoader(counting(10), Config{BatchSize: 4}, nil)
	defer l.Close()
	for l.Next() {
		if b := l.Batch(); b.T != nil || b.TargetShape != nil {
			t.Fatalf("a classification batch has targets %v of shape %v", b.T, b.TargetShape)
		}
	}
}

// gatheringTargets is a Gatherer with float targets.
type gatheringTargets struct{ *Dense }

func (g *gatheringTargets) Gather(dst []float32, y []int, idx []int) {
	f := Features(g)
	for j, i := range idx {
		y[j] = g.Example(dst[j*f:(j+1)*f], i)
	}
}

// TestGatherTargets checks that a loader over a Gatherer with float targets, the fast path,
// fills them as the plain path does.
func TestGatherTargets(t *testing.T) {
	g := &gatheringTargets{regression(100)}
	for k, d := range []Dataset{g, NewSubset(g, []int{9, 3, 50, 7, 0})} {
		l := NewLoader(d, Config{BatchSize: 32, Sampling: Shuffle}, rand.New(rand.NewPCG(5, 5)))
		if l.gather == nil {
			t.Fatal("the Gatherer is not used")
		}
		for l.Next() {
			checkTargets(t, l.Batch(), k == 0)
		}
		l.Close()
	}
}

// TestTargetsNoAllocs checks that steady-state iteration over a regression set allocates
// nothing, with and without prefetching and over a Gatherer.
func TestTargetsNoAllocs(t *testing.T) {
	old := runtime.GOMAXPROCS(2)
	defer runtime.GOMAXPROCS(old)
	for _, tc := range []struct {
		d   Dataset
		cfg Config
	}{
		{regression(100), Config{BatchSize: 16, Sampling: Shuffle}},
		{regression(100), Config{BatchSize: 16, Sampling: Replacement, NoPrefetch: true}},
		{&gatheringTargets{regression(1000)}, Config{BatchSize: 32, Sampling: Shuffle}},
	} {
		l := NewLoader(tc.d, tc.cfg, rand.New(rand.NewPCG(1, 2)))
		next := func() {
			if !l.Next() {
				l.Next()
			}
		}
		for range 20 {
			next()
		}
		if a := testing.AllocsPerRun(500, next); a != 0 {
			t.Errorf("%T %+v: %v allocations per batch", tc.d, tc.cfg, a)
		}
		l.Close()
	}
}

// TestTargetsPreserved checks that Subset, Split and Materialize keep the float targets.
func TestTargetsPreserved(t *testing.T) {
	d := regression(50)
	tr, va := Split(d, 10, rand.New(rand.NewPCG(9, 9)))
	m := Materialize(va)
	got, want := make([]float32, 2), make([]float32, 2)
	for i := range va.Len() {
		va.Target(got, i)
		d.Target(want, va.Indices[i])
		if !slices.Equal(got, want) {
			t.Fatalf("subset target %d = %v, want %v", i, got, want)
		}
		m.Target(got, i)
		if !slices.Equal(got, want) {
			t.Fatalf("materialized target %d = %v, want %v", i, got, want)
		}
	}
	if !slices.Equal(tr.TargetShape(), []int{2}) || !slices.Equal(m.TargetShape(), []int{2}) || m.Len() != 10 {
		t.Errorf("target shapes %v, %v; materialized %d examples", tr.TargetShape(), m.TargetShape(), m.Len())
	}
	if TargetWidth(counting(3)) != 0 || TargetWidth(NewSubset(counting(3), nil)) != 0 {
		t.Error("a classification set has float targets")
	}
}

// plain is a Dataset that is neither Targeted nor a ClassCounter.
type plain struct{ labels []int }

func (p plain) Len() int                         { return len(p.labels) }
func (p plain) Shape() []int                     { return []int{1} }
func (p plain) Example(dst []float32, i int) int { dst[0] = float32(i); return p.labels[i] }

func TestTaskOf(t *testing.T) {
	c := counting(25) // labels 0..9
	lacking := NewSubset(c, []int{0, 1, 2, 3})
	labelled := NewDense(make([]float32, 3), []int{0, 1, 1}, 1)
	labelled.Classes = 5
	for _, tc := range []struct {
		d    Dataset
		want Task
		str  string
	}{
		{c, Task{Kind: Classify, Classes: 10}, "classify, 10 classes"},
		{lacking, Task{Kind: Classify, Classes: 10}, "classify, 10 classes"},
		{Materialize(lacking), Task{Kind: Classify, Classes: 10}, "classify, 10 classes"},
		{labelled, Task{Kind: Classify, Classes: 5}, "classify, 5 classes"},
		{plain{[]int{3, 0, 1}}, Task{Kind: Classify, Classes: 4}, "classify, 4 classes"},
		{NewSubset(plain{[]int{3, 0, 1}}, []int{1}), Task{Kind: Classify, Classes: 4}, "classify, 4 classes"},
		{regression(4), Task{Kind: Regress, TargetShape: []int{2}}, "regress, 2 outputs"},
		{NewSubset(regression(4), []int{1}), Task{Kind: Regress, TargetShape: []int{2}}, "regress, 2 outputs"},
		{NewRegression(make([]float32, 2), []int{1}, make([]float32, 2), []int{1}), Task{Kind: Regress, TargetShape: []int{1}}, "regress, 1 output"},
	} {
		got := TaskOf(tc.d)
		if !reflect.DeepEqual(got, tc.want) || got.String() != tc.str {
			t.Errorf("TaskOf(%T) = %+v (%s), want %+v (%s)", tc.d, got, got, tc.want, tc.str)
		}
		if got.Outputs() != max(tc.want.Classes, TargetWidth(tc.d)) {
			t.Errorf("TaskOf(%T).Outputs() = %d", tc.d, got.Outputs())
		}
	}
	func() {
		defer func() {
			if r := recover(); r == nil || !strings.HasPrefix(fmt.Sprint(r), "data: label -1") {
				t.Errorf("negative label: panic %v", r)
			}
		}()
		TaskOf(plain{[]int{0, -1}})
	}()
}

func TestKindText(t *testing.T) {
	for _, k := range []Kind{Infer, Classify, Regress} {
		b, err := json.Marshal(Task{Kind: k})
		if err != nil {
			t.Fatal(err)
		}
		var back Task
		if err := json.Unmarshal(b, &back); err != nil || back.Kind != k {
			t.Errorf("%v: %s gives %v, %v", k, b, back.Kind, err)
		}
	}
	if _, err := ParseKind("classification"); err == nil {
		t.Error("ParseKind accepts classification")
	}
	if _, err := Kind(7).MarshalText(); err == nil {
		t.Error("Kind(7) marshals")
	}
}

// TestStandardizeTrainOnly fits a Standardization on the training part of a split whose
// held-out part has other statistics, and checks it against moments computed here from the
// training rows alone; applying it moves the held-out rows with the training moments.
func TestStandardizeTrainOnly(t *testing.T) {
	const n, f = 200, 3
	r := rand.New(rand.NewPCG(1, 1))
	x := make([]float32, n*f)
	tg := make([]float32, n)
	for i := range n {
		x[i*f] = float32(r.NormFloat64()*3 + 10)
		x[i*f+1] = 7 // a constant column
		x[i*f+2] = float32(i)
		tg[i] = float32(r.NormFloat64()*50 + 150)
	}
	d := NewRegression(x, []int{f}, tg, []int{1})
	tr, te := Split(d, 40, rand.New(rand.NewPCG(2, 2)))
	s := FitStandardization(tr, true)

	// The oracle: moments of the training rows only, in float64, by the textbook formula.
	mean := func(col func(i int) float64) (float64, float64) {
		var sum float64
		for _, i := range tr.Indices {
			sum += col(i)
		}
		mu := sum / float64(len(tr.Indices))
		var ss float64
		for _, i := range tr.Indices {
			ss += (col(i) - mu) * (col(i) - mu)
		}
		return mu, math.Sqrt(ss / float64(len(tr.Indices)))
	}
	for j := range f {
		mu, sd := mean(func(i int) float64 { return float64(x[i*f+j]) })
		if sd == 0 {
			sd = 1
		}
		if math.Abs(s.Features.Mean[j]-mu) > 1e-9*math.Abs(mu)+1e-12 || math.Abs(s.Features.Std[j]-sd) > 1e-9*sd {
			t.Errorf("feature %d: mean %v std %v, want %v %v", j, s.Features.Mean[j], s.Features.Std[j], mu, sd)
		}
	}
	mu, sd := mean(func(i int) float64 { return float64(tg[i]) })
	if math.Abs(s.Targets.Mean[0]-mu) > 1e-9*mu || math.Abs(s.Targets.Std[0]-sd) > 1e-9*sd {
		t.Errorf("target: mean %v std %v, want %v %v", s.Targets.Mean[0], s.Targets.Std[0], mu, sd)
	}
	// Column 2 is the index: the held-out rows' own mean differs from the training one.
	all := FitStandardization(d, false)
	if all.Features.Mean[2] == s.Features.Mean[2] {
		t.Fatal("the test does not tell training from all statistics")
	}

	orig := slices.Clone(x)
	origT := slices.Clone(tg)
	s.Apply(d)
	for _, i := range te.Indices {
		want := float32((float64(orig[i*f+2]) - s.Features.Mean[2]) / s.Features.Std[2])
		if x[i*f+2] != want || x[i*f+1] != 0 {
			t.Fatalf("held-out row %d: %v, want [.. 0 %v]", i, x[i*f:i*f+f], want)
		}
	}
	again := FitStandardization(tr, true)
	for j := range f {
		if math.Abs(again.Features.Mean[j]) > 1e-6 || (j != 1 && math.Abs(again.Features.Std[j]-1) > 1e-6) {
			t.Errorf("after standardising, training feature %d has mean %v std %v", j, again.Features.Mean[j], again.Features.Std[j])
		}
	}
	s.Features.Invert(x)
	s.Targets.Invert(tg)
	for i := range x {
		if math.Abs(float64(x[i]-orig[i])) > 1e-5*math.Abs(float64(orig[i]))+1e-5 {
			t.Fatalf("Invert(Apply) value %d = %v, want %v", i, x[i], orig[i])
		}
	}
	for i := range tg {
		if math.Abs(float64(tg[i]-origT[i])) > 1e-5*math.Abs(float64(origT[i])) {
			t.Fatalf("Invert(Apply) target %d = %v, want %v", i, tg[i], origT[i])
		}
	}

	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	var back Standardization
	if err := json.Unmarshal(b, &back); err != nil || !reflect.DeepEqual(back, s) {
		t.Errorf("JSON round trip: %v, %s", err, b)
	}
	if !strings.Contains(string(b), `"features":{"mean":[`) {
		t.Errorf("JSON %s", b)
	}
}

func TestTargetPanics(t *testing.T) {
	for name, f := range map[string]func(){
		"regression mismatch":    func() { NewRegression(make([]float32, 6), []int{2}, make([]float32, 2), []int{1}) },
		"regression no shape":    func() { NewRegression(nil, []int{2}, nil, nil) },
		"target of labels":       func() { counting(3).Target(make([]float32, 1), 0) },
		"target of plain subset": func() { NewSubset(plain{[]int{0}}, []int{0}).Target(make([]float32, 1), 0) },
		"fit empty":              func() { FitStandardization(counting(0), false) },
		"fit targets of labels":  func() { FitStandardization(counting(3), true) },
		"apply wrong width":      func() { FitStandardization(counting(3), false).Apply(NewDense(make([]float32, 4), make([]int, 2), 2)) },
		"example out of range":   func() { regression(2).Example(make([]float32, 6), 2) },
	} {
		func() {
			defer func() {
				if r := recover(); r == nil {
					t.Errorf("%s: no panic", name)
				} else if s, ok := r.(string); !ok || !strings.HasPrefix(s, "data: ") {
					t.Errorf("%s: panic %v, want a data: message", name, r)
				}
			}()
			f()
		}()
	}
}
