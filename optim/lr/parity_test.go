package lr_test

import (
	"math"
	"sort"
	"testing"
)

// relErr is |a−b|/max(|a|,|b|), 0 when both are 0.
func relErr(a, b float64) float64 {
	d := math.Abs(a - b)
	if d == 0 {
		return 0
	}
	return d / math.Max(math.Abs(a), math.Abs(b))
}

// TestTorchParity replays every schedule of the torch fixture, construction then 300 steps,
// and checks every learning rate (and cycled momentum) to relative 1e-9.
func TestTorchParity(t *testing.T) {
	const tol = 1e-9
	f := readFixture(t)
	if f.Steps != 300 {
		t.Fatalf("fixture has %d steps, want 300", f.Steps)
	}
	seen := map[string]bool{}
	worst := 0.0
	for _, fc := range f.Cases {
		seen[fc.Name] = true
		t.Run(fc.Name, func(t *testing.T) {
			c, ok := torchCases[fc.Name]
			if !ok {
				t.Fatalf("no Go case for torch case %q", fc.Name)
			}
			opt := c.optimizer(fc.LR0)
			s, err := c.build(opt)
			if err != nil {
				t.Fatal(err)
			}
			if len(fc.LRs) != f.Steps+1 {
				t.Fatalf("%d rows of rates, want %d", len(fc.LRs), f.Steps+1)
			}
			caseWorst := 0.0
			for i, want := range fc.LRs {
				if i > 0 {
					if err := step(s, fc.Metrics, i-1); err != nil {
						t.Fatalf("step %d: %v", i, err)
					}
				}
				got := rates(opt)
				for g := range want {
					e := relErr(got[g], want[g])
					caseWorst = math.Max(caseWorst, e)
					if e > tol {
						t.Fatalf("step %d group %d: lr %v, torch %v (relative error %.3g)", i, g, got[g], want[g], e)
					}
					if last := s.LastLR()[g]; last != got[g] {
						t.Fatalf("step %d group %d: LastLR %v, optimiser %v", i, g, last, got[g])
					}
				}
				if fc.Momentum == nil {
					continue
				}
				gotM := momenta(opt)
				for g, w := range fc.Momentum[i] {
					e := relErr(gotM[g], w)
					caseWorst = math.Max(caseWorst, e)
					if e > tol {
						t.Fatalf("step %d group %d: momentum %v, torch %v (relative error %.3g)", i, g, gotM[g], w, e)
					}
				}
			}
			worst = math.Max(worst, caseWorst)
			t.Logf("max relative error %.3g", caseWorst)
		})
	}
	var missing []string
	for name := range torchCases {
		if !seen[name] {
			missing = append(missing, name)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("Go cases without torch data (run testdata/gen_torch.py): %v", missing)
	}
	t.Logf("%d cases against torch %s, %d steps each: max relative error %.3g", len(f.Cases), f.Torch, f.Steps, worst)
}
