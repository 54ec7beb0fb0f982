package data

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"
)

// gathering is a Dense that is also a Gatherer, counting the examples it gathers.
type gathering struct {
	*Dense
	gathered int
}

func (g *gathering) Gather(dst []float32, y []int, idx []int) {
	f := Features(g)
	for j, i := range idx {
		y[j] = g.Example(dst[j*f:(j+1)*f], i)
	}
	g.gathered += len(idx) // only tested with one goroutine
}

// recordValues is record with every value of every batch.
func recordValues(l *Loader) []string {
	var out []string
	for range 3 * (l.BatchesPerEpoch() + 1) {
		if !l.Next() {
			out = append(out, "end")
			continue
		}
		b := l.Batch()
		out = append(out, fmt.Sprint(b.Epoch, b.Number, b.Indices, b.Y, b.Shape, b.X))
	}
	return out
}

// TestGatherSameBatches checks that a loader over a Gatherer, or over Subsets of one,
// gives the batches of a loader over the same examples through Example, for every
// configuration of the table, and resumes the same from its State.
func TestGatherSameBatches(t *testing.T) {
	old := runtime.GOMAXPROCS(1) // gathering counts without synchronisation
	defer runtime.GOMAXPROCS(old)
	for _, tc := range configs {
		plain := counting(tc.n)
		g := &gathering{Dense: counting(tc.n)}
		want := recordValues(NewLoader(plain, tc.cfg, rand.New(rand.NewPCG(5, 6))))
		l := NewLoader(g, tc.cfg, rand.New(rand.NewPCG(5, 6)))
		if got := recordValues(l); !slices.Equal(got, want) {
			t.Fatalf("n=%d %+v: a Gatherer gives other batches:\n got %v\nwant %v", tc.n, tc.cfg, got, want)
		}
		if l.BatchesPerEpoch() > 0 && g.gathered == 0 {
			t.Fatalf("n=%d %+v: Gather was not used", tc.n, tc.cfg)
		}
		s := l.State()
		l.Close()

		// A subset of a subset: indices mapped twice.
		if tc.n < 4 {
			continue
		}
		outer := make([]int, tc.n/2)
		for i := range outer {
			outer[i] = tc.n - 1 - 2*i
		}
		inner := []int{}
		for i := 1; i < len(outer); i += 2 {
			inner = append(inner, i, i-1)
		}
		sub := func(d Dataset) Dataset { return NewSubset(NewSubset(d, outer), inner) }
		cfg := tc.cfg
		cfg.Samples = min(cfg.Samples, len(inner))
		want = recordValues(NewLoader(sub(plain), cfg, rand.New(rand.NewPCG(7, 8))))
		g.gathered = 0
		ls := NewLoader(sub(g), cfg, rand.New(rand.NewPCG(7, 8)))
		if got := recordValues(ls); !slices.Equal(got, want) {
			t.Fatalf("n=%d %+v: subsets of a Gatherer give other batches:\n got %v\nwant %v", tc.n, cfg, got, want)
		}
		if ls.BatchesPerEpoch() > 0 && g.gathered == 0 {
			t.Fatalf("n=%d %+v: Gather was not used through the subsets", tc.n, cfg)
		}

		// Resuming from the first loader's state.
		ref := NewLoader(plain, tc.cfg, rand.New(rand.NewPCG(0, 0)))
		if err := ref.Restore(s); err != nil {
			t.Fatal(err)
		}
		r := NewLoader(g, tc.cfg, rand.New(rand.NewPCG(1, 1)))
		if err := r.Restore(s); err != nil {
			t.Fatal(err)
		}
		if got, want := recordValues(r), recordValues(ref); !slices.Equal(got, want) {
			t.Fatalf("n=%d %+v: resumed Gatherer gives other batches", tc.n, tc.cfg)
		}
	}
}

// TestGatherNoAllocs checks that a loader over a Gatherer, split over two cores, allocates
// nothing per batch, through subsets too.
func TestGatherNoAllocs(t *testing.T) {
	old := runtime.GOMAXPROCS(2)
	defer runtime.GOMAXPROCS(old)
	d := &concurrentGathering{counting(1000)}
	for _, ds := range []Dataset{d, NewSubset(d, []int{5, 3, 999, 0, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40})} {
		l := NewLoader(ds, Config{BatchSize: 32, Sampling: Shuffle}, rand.New(rand.NewPCG(1, 2)))
		next := func() {
			if !l.Next() {
				l.Next()
			}
		}
		for range 20 {
			next()
		}
		if a := testing.AllocsPerRun(500, next); a != 0 {
			t.Errorf("%T: %v allocations per batch", ds, a)
		}
		l.Close()
	}
}

// concurrentGathering is a Gatherer safe for concurrent calls.
type concurrentGathering struct{ *Dense }

func (g *concurrentGathering) Gather(dst []float32, y []int, idx []int) {
	f := Features(g)
	for j, i := range idx {
		y[j] = g.Example(dst[j*f:(j+1)*f], i)
	}
}
