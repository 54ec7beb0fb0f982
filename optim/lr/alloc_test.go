package lr_test

import (
	"testing"

	"github.com/descent-ml/descent/optim/lr"
)

// TestStepAllocs checks that stepping any scheduler of the table, or a Schedule, allocates
// nothing: schedulers may step after every batch.
func TestStepAllocs(t *testing.T) {
	for _, name := range caseNames() {
		c := torchCases[name]
		opt := c.optimizer([]float64{0.1, 0.05})
		s, err := c.build(opt)
		if err != nil {
			t.Fatal(err)
		}
		i := 0
		allocs := testing.AllocsPerRun(100, func() {
			if err := step(s, []float64{1, 2, 3}, i%3); err != nil {
				t.Fatal(err)
			}
			i++
		})
		if allocs != 0 {
			t.Errorf("%s: %v allocations per step", name, allocs)
		}
	}
	for _, spec := range []string{"linear-warmup:1+cosine", "onecycle", "plateau"} {
		s, err := lr.Parse(spec, &lr.MomentumRates{LRs: []float64{0.1}, Momenta: []float64{0.9}}, 10, 100)
		if err != nil {
			t.Fatal(err)
		}
		allocs := testing.AllocsPerRun(100, func() {
			if err := s.BatchEnd(); err != nil {
				t.Fatal(err)
			}
			if err := s.EpochEnd(1); err != nil {
				t.Fatal(err)
			}
		})
		if allocs != 0 {
			t.Errorf("%s: %v allocations per batch and epoch", spec, allocs)
		}
	}
}

// BenchmarkStep measures a step of a few schedulers over 2 groups.
func BenchmarkStep(b *testing.B) {
	for _, name := range []string{"step/30/0.1", "cosine/50", "cyclic/triangular", "onecycle/cos", "sequential/three"} {
		b.Run(name, func(b *testing.B) {
			c := torchCases[name]
			var s schedule
			var err error
			for i := 0; b.Loop(); i++ {
				if i%300 == 0 { // OneCycleLR ends after 300 steps
					b.StopTimer()
					if s, err = c.build(c.optimizer([]float64{0.1, 0.05})); err != nil {
						b.Fatal(err)
					}
					b.StartTimer()
				}
				if err := step(s, nil, i); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
