package data

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
)

// counting returns a dataset of n examples of shape [2, 3] whose values are all the
// example's index and whose label is index mod 10: any batch can be checked against its
// Indices.
func counting(n int) *Dense {
	x := make([]float32, 6*n)
	y := make([]int, n)
	for i := range y {
		y[i] = i % 10
		for j := range 6 {
			x[6*i+j] = float32(i)
		}
	}
	return NewDense(x, y, 2, 3)
}

// configs is the table of loaders run through the tests: every sampling, with and without
// drop_last and prefetching, with sizes that divide and do not divide.
var configs = []struct {
	n   int
	cfg Config
}{
	{10, Config{BatchSize: 3}},
	{10, Config{BatchSize: 5, NoPrefetch: true}},
	{10, Config{BatchSize: 3, DropLast: true}},
	{1000, Config{BatchSize: 64, Sampling: Shuffle}},
	{1000, Config{BatchSize: 64, Sampling: Shuffle, DropLast: true, NoPrefetch: true}},
	{1001, Config{BatchSize: 7, Sampling: Shuffle, DropLast: true}},
	{1000, Config{BatchSize: 32, Sampling: Replacement}},
	{1000, Config{BatchSize: 30, Sampling: Replacement, Samples: 100, DropLast: true}},
	{5, Config{BatchSize: 8}},
	{5, Config{BatchSize: 8, DropLast: true}},
	{0, Config{Sampling: Shuffle}},
	{1, Config{Sampling: Replacement}},
}

// record is what a test remembers of a batch; "end" marks a false Next.
func record(l *Loader) []string {
	var out []string
	for range 3 * (l.BatchesPerEpoch() + 1) {
		if !l.Next() {
			out = append(out, "end")
			continue
		}
		b := l.Batch()
		out = append(out, fmt.Sprint(b.Epoch, b.Number, b.Indices, b.Y, b.Shape))
	}
	return out
}

// checkBatch checks that a batch's values and labels are those of its indices.
func checkBatch(t *testing.T, b *Batch, shape []int) {
	t.Helper()
	if want := append([]int{b.Size()}, shape...); !slices.Equal(b.Shape, want) {
		t.Fatalf("shape %v, want %v", b.Shape, want)
	}
	if len(b.X) != 6*b.Size() || len(b.Indices) != b.Size() {
		t.Fatalf("%d values and %d indices for %d examples", len(b.X), len(b.Indices), b.Size())
	}
	for j, i := range b.Indices {
		if b.Y[j] != i%10 || b.X[6*j] != float32(i) || b.X[6*j+5] != float32(i) {
			t.Fatalf("example %d of the batch: label %d, values %v; want those of index %d", j, b.Y[j], b.X[6*j:6*j+6], i)
		}
	}
}

// TestEpochs checks every configuration: batch sizes, the number of batches, drop_last, the
// content of each batch, and that without replacement every index appears exactly once per
// epoch.
func TestEpochs(t *testing.T) {
	for _, tc := range configs {
		name := fmt.Sprintf("n=%d/%+v", tc.n, tc.cfg)
		d := counting(tc.n)
		l := NewLoader(d, tc.cfg, rand.New(rand.NewPCG(1, 2)))
		bs := tc.cfg.BatchSize
		if bs == 0 {
			bs = 64
		}
		samples := tc.n
		if tc.cfg.Samples > 0 {
			samples = tc.cfg.Samples
		}
		wantBatches := (samples + bs - 1) / bs
		if tc.cfg.DropLast {
			wantBatches = samples / bs
		}
		if got := l.BatchesPerEpoch(); got != wantBatches {
			t.Errorf("%s: %d batches per epoch, want %d", name, got, wantBatches)
		}
		var orders [][]int
		for epoch := range 3 {
			var seen []int
			batches := 0
			for l.Next() {
				b := l.Batch()
				checkBatch(t, b, []int{2, 3})
				if b.Epoch != epoch || b.Number != batches {
					t.Fatalf("%s: batch labelled epoch %d number %d, want %d %d", name, b.Epoch, b.Number, epoch, batches)
				}
				if b.Size() != bs && (tc.cfg.DropLast || batches != wantBatches-1) {
					t.Fatalf("%s: batch %d has %d examples", name, batches, b.Size())
				}
				seen = append(seen, b.Indices...)
				batches++
			}
			if batches != wantBatches {
				t.Fatalf("%s: epoch %d had %d batches, want %d", name, epoch, batches, wantBatches)
			}
			orders = append(orders, seen)
			sorted := slices.Sorted(slices.Values(seen))
			switch {
			case tc.cfg.Sampling == Replacement:
				if len(seen) != wantBatches*bs && !(len(seen) == samples && !tc.cfg.DropLast) {
					t.Fatalf("%s: %d indices in an epoch", name, len(seen))
				}
			case tc.cfg.DropLast:
				if len(seen) != wantBatches*bs || len(slices.Compact(sorted)) != len(seen) {
					t.Fatalf("%s: epoch %d: %d indices, some repeated", name, epoch, len(seen))
				}
			default:
				for i, v := range sorted {
					if v != i {
						t.Fatalf("%s: epoch %d does not hold every index exactly once: %v", name, epoch, sorted)
					}
				}
				if len(sorted) != tc.n {
					t.Fatalf("%s: epoch %d has %d indices, want %d", name, epoch, len(sorted), tc.n)
				}
			}
		}
		if tc.cfg.Sampling == Sequential && !slices.Equal(orders[0], orders[1]) {
			t.Errorf("%s: sequential epochs differ", name)
		}
		if tc.cfg.Sampling != Sequential && tc.n >= 100 && slices.Equal(orders[0], orders[1]) {
			t.Errorf("%s: epochs 0 and 1 have the same order", name)
		}
		if tc.cfg.Sampling == Shuffle && tc.n >= 100 && slices.IsSorted(orders[0]) {
			t.Errorf("%s: a shuffled epoch is in dataset order", name)
		}
		l.Close()
	}
}

// TestSameSeed checks that the same seed gives the same batches, with and without
// prefetching, and that another seed does not.
func TestSameSeed(t *testing.T) {
	for _, tc := range configs {
		run := func(seed uint64, noPrefetch bool) []string {
			cfg := tc.cfg
			cfg.NoPrefetch = noPrefetch
			l := NewLoader(counting(tc.n), cfg, rand.New(rand.NewPCG(seed, 7)))
			defer l.Close()
			return record(l)
		}
		a, b, c := run(1, false), run(1, true), run(2, false)
		if !slices.Equal(a, b) {
			t.Errorf("n=%d %+v: prefetching changes the batches", tc.n, tc.cfg)
		}
		if !slices.Equal(a, run(1, false)) {
			t.Errorf("n=%d %+v: the same seed gives different batches", tc.n, tc.cfg)
		}
		if tc.cfg.Sampling != Sequential && tc.n >= 100 && slices.Equal(a, c) {
			t.Errorf("n=%d %+v: seeds 1 and 2 give the same batches", tc.n, tc.cfg)
		}
	}
}

// TestRestore takes the state of a loader at every position of three epochs, restores it
// (through JSON, as a checkpoint would) in a loader made with another seed, and checks that
// both continue with the same batches.
func TestRestore(t *testing.T) {
	for _, tc := range configs {
		ref := NewLoader(counting(tc.n), tc.cfg, rand.New(rand.NewPCG(3, 4)))
		for step := range 3 * (ref.BatchesPerEpoch() + 1) {
			js, err := json.Marshal(ref.State())
			if err != nil {
				t.Fatal(err)
			}
			var s State
			if err := json.Unmarshal(js, &s); err != nil {
				t.Fatal(err)
			}
			l := NewLoader(counting(tc.n), tc.cfg, rand.New(rand.NewPCG(99, 99)))
			l.Next() // start elsewhere, with a prefetch in flight
			if err := l.Restore(s); err != nil {
				t.Fatal(err)
			}
			if got, want := record(l), record(ref); !slices.Equal(got, want) {
				t.Fatalf("n=%d %+v: after restoring at step %d:\n got %v\nwant %v", tc.n, tc.cfg, step, got, want)
			}
			l.Close()
			// Rewind ref to the same place for the next step.
			if err := ref.Restore(s); err != nil {
				t.Fatal(err)
			}
			ref.Next()
		}
		ref.Close()
	}
}

func TestRestoreMismatch(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	l := NewLoader(counting(100), Config{BatchSize: 10, Sampling: Shuffle}, r)
	defer l.Close()
	good := l.State()
	for name, s := range map[string]State{
		"length":     {Len: 99, BatchSize: 10, Sampling: Shuffle, Samples: 100},
		"batch size": {Len: 100, BatchSize: 20, Sampling: Shuffle, Samples: 100},
		"sampling":   {Len: 100, BatchSize: 10, Sampling: Replacement, Samples: 100},
		"drop last":  {Len: 100, BatchSize: 10, Sampling: Shuffle, Samples: 100, DropLast: true},
		"position":   {Len: 100, BatchSize: 10, Sampling: Shuffle, Samples: 100, Batch: 11},
		"epoch":      {Len: 100, BatchSize: 10, Sampling: Shuffle, Samples: 100, Epoch: -1},
	} {
		if err := l.Restore(s); !errors.Is(err, ErrState) {
			t.Errorf("%s: err = %v, want ErrState", name, err)
		}
	}
	if l.State() != good {
		t.Errorf("a refused Restore changed the state: %+v, was %+v", l.State(), good)
	}
}

// chiSquareCritical returns the upper 1-alpha quantile of the chi-square distribution with
// df degrees of freedom for alpha = 0.001, by the Wilson-Hilferty approximation (accurate
// to well under 1% for df ≥ 9).
func chiSquareCritical(df int) float64 {
	const z = 3.0902 // standard normal quantile of 0.999
	k := float64(df)
	c := 1 - 2/(9*k) + z*math.Sqrt(2/(9*k))
	return k * c * c * c
}

// chiSquare returns the statistic of counts against a uniform distribution.
func chiSquare(counts []int) float64 {
	total := 0
	for _, c := range counts {
		total += c
	}
	e := float64(total) / float64(len(counts))
	s := 0.0
	for _, c := range counts {
		s += (float64(c) - e) * (float64(c) - e) / e
	}
	return s
}

// TestReplacementUniform draws 10⁶ indices from 1000 examples with replacement and checks
// their counts with a chi-square test at level 0.001; the same test must reject a sampler
// that favours 1% of the examples by 20%.
func TestReplacementUniform(t *testing.T) {
	const n, draws = 1000, 1_000_000
	l := NewLoader(counting(n), Config{BatchSize: 1000, Sampling: Replacement, Samples: draws}, rand.New(rand.NewPCG(5, 6)))
	defer l.Close()
	counts := make([]int, n)
	for l.Next() {
		for _, i := range l.Batch().Indices {
			counts[i]++
		}
	}
	crit := chiSquareCritical(n - 1)
	if s := chiSquare(counts); s > crit {
		t.Errorf("chi-square %.1f > %.1f (df %d, alpha 0.001): indices are not uniform", s, crit, n-1)
	} else {
		t.Logf("chi-square %.1f ≤ %.1f (df %d, alpha 0.001)", s, crit, n-1)
	}
	r := rand.New(rand.NewPCG(7, 8))
	biased := make([]int, n)
	for range draws {
		i := r.IntN(n)
		if r.Float64() < 0.2 {
			i = r.IntN(10)
		}
		biased[i]++
	}
	if s := chiSquare(biased); s <= crit {
		t.Errorf("the chi-square test accepts a biased sampler: %.1f ≤ %.1f", s, crit)
	}
}

// TestShuffleUniform checks that the first example of a shuffled epoch is uniform over
// 20000 epochs of 10 examples (chi-square, alpha 0.001).
func TestShuffleUniform(t *testing.T) {
	const n, epochs = 10, 20000
	l := NewLoader(counting(n), Config{BatchSize: 1, Sampling: Shuffle, NoPrefetch: true}, rand.New(rand.NewPCG(9, 9)))
	counts := make([]int, n)
	for range epochs {
		l.Next()
		counts[l.Batch().Indices[0]]++
		for l.Next() {
		}
	}
	if s, crit := chiSquare(counts), chiSquareCritical(n-1); s > crit {
		t.Errorf("first positions %v: chi-square %.1f > %.1f", counts, s, crit)
	}
}

// TestNoAllocs checks that steady-state iteration, across epoch boundaries, allocates
// nothing, with and without prefetching.
func TestNoAllocs(t *testing.T) {
	for _, cfg := range []Config{
		{BatchSize: 16, Sampling: Shuffle},
		{BatchSize: 16, Sampling: Replacement, NoPrefetch: true},
		{BatchSize: 16, Sampling: Shuffle, DropLast: true, NoPrefetch: true},
	} {
		l := NewLoader(counting(100), cfg, rand.New(rand.NewPCG(1, 2)))
		next := func() {
			if !l.Next() {
				l.Next()
			}
		}
		for range 20 {
			next() // start the goroutine, warm up
		}
		if a := testing.AllocsPerRun(1000, next); a != 0 {
			t.Errorf("%+v: %v allocations per batch", cfg, a)
		}
		l.Close()
	}
}

func TestSplit(t *testing.T) {
	d := counting(100)
	tr, va := Split(d, 20, rand.New(rand.NewPCG(1, 2)))
	if tr.Len() != 80 || va.Len() != 20 {
		t.Fatalf("split sizes %d, %d; want 80, 20", tr.Len(), va.Len())
	}
	all := append(slices.Clone(tr.Indices), va.Indices...)
	slices.Sort(all)
	for i, v := range all {
		if v != i {
			t.Fatalf("the split is not a partition: %v", all)
		}
	}
	if !slices.IsSorted(tr.Indices) || !slices.IsSorted(va.Indices) {
		t.Error("the split does not keep dataset order")
	}
	tr2, va2 := Split(d, 20, rand.New(rand.NewPCG(1, 2)))
	if !reflect.DeepEqual(tr.Indices, tr2.Indices) || !reflect.DeepEqual(va.Indices, va2.Indices) {
		t.Error("the same seed gives different splits")
	}
	if _, va3 := Split(d, 20, rand.New(rand.NewPCG(2, 2))); reflect.DeepEqual(va.Indices, va3.Indices) {
		t.Error("seeds 1 and 2 give the same split")
	}
	dst := make([]float32, 6)
	if y := va.Example(dst, 3); y != va.Indices[3]%10 || dst[0] != float32(va.Indices[3]) {
		t.Errorf("subset example 3 = %v label %d, want index %d", dst, y, va.Indices[3])
	}
}

func TestMaterialize(t *testing.T) {
	d := NewSubset(counting(20), []int{3, 1, 4, 1, 5})
	m := Materialize(d)
	if m.Len() != 5 || !slices.Equal(m.Shape(), []int{2, 3}) {
		t.Fatalf("materialized %d examples of shape %v", m.Len(), m.Shape())
	}
	got, want := make([]float32, 6), make([]float32, 6)
	for i := range 5 {
		if m.Example(got, i) != d.Example(want, i) || !slices.Equal(got, want) {
			t.Errorf("example %d: %v, want %v", i, got, want)
		}
	}
}

func TestPanics(t *testing.T) {
	d := counting(10)
	for name, f := range map[string]func(){
		"negative batch":          func() { NewLoader(d, Config{BatchSize: -1}, nil) },
		"samples without replace": func() { NewLoader(d, Config{Samples: 5}, nil) },
		"shuffle without rand":    func() { NewLoader(d, Config{Sampling: Shuffle}, nil) },
		"unknown sampling":        func() { NewLoader(d, Config{Sampling: 7}, nil) },
		"batch before next":       func() { NewLoader(d, Config{}, nil).Batch() },
		"next after close":        func() { l := NewLoader(d, Config{}, nil); l.Close(); l.Next() },
		"subset out of range":     func() { NewSubset(d, []int{10}) },
		"split too large":         func() { Split(d, 11, rand.New(rand.NewPCG(1, 1))) },
		"dense of wrong length":   func() { NewDense(make([]float32, 5), make([]int, 2), 3) },
	} {
		func() {
			defer func() {
				if r := recover(); r == nil {
					t.Errorf("%s: no panic", name)
				} else if s, ok := r.(string); !ok || s[:6] != "data: " {
					t.Errorf("%s: panic %v, want a data: message", name, r)
				}
			}()
			f()
		}()
	}
}
