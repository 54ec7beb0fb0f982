package theory

import (
	"context"
	"flag"
	"math"
	"sync"
	"testing"
	"time"

	"github.com/descent-ml/descent/data/mnist"
)

var full = flag.Bool("theory.full", false, "also run the whole catalogue at full size (about two minutes)")

// testData is the Data shared by the tests: MNIST from $MNIST_DIR or the cache, never
// fetched.
var testData = sync.OnceValue(func() *Data { return NewData(mnist.Options{Offline: true}) })

// haveMNIST reports whether MNIST can be loaded without fetching.
func haveMNIST(t *testing.T) bool {
	t.Helper()
	_, err := testData().MNIST(context.Background())
	return err == nil
}

// runQuick runs claims at the reduced size with the given seed.
func runQuick(t *testing.T, seed uint64, claims ...Claim) []*Outcome {
	t.Helper()
	return Run(context.Background(), claims, Config{Seed: seed, Quick: true, Data: testData()})
}

func describe(t *testing.T, o *Outcome) {
	t.Helper()
	t.Logf("%s: %v in %v", o.Claim.ID, o.Verdict, o.Elapsed.Round(time.Millisecond))
	if o.Err != nil {
		t.Logf("  error: %v", o.Err)
	}
	for _, c := range o.Checks {
		t.Logf("  %-6v margin %-10.3g %s (observed %.4g, limit %.4g) %s", c.Holds(), c.Margin, c.Name, c.Observed, c.Limit, c.Where)
	}
}

// TestClaimsQuick runs every claim of the catalogue at its reduced size: each must pass,
// or be an erratum whose corrected form passes, and draw at least one figure.
func TestClaimsQuick(t *testing.T) {
	mn := haveMNIST(t)
	for _, c := range Catalogue() {
		t.Run(c.ID, func(t *testing.T) {
			if c.MNIST && !mn {
				t.Skip("MNIST is not available offline (set MNIST_DIR or run descent data fetch)")
			}
			if c.Exclusive && testing.Short() {
				t.Skip("measures wall-clock time; skipped with -short")
			}
			o := runQuick(t, 1, c)[0]
			if !o.Verdict.OK() {
				describe(t, o)
				t.Fatalf("%s: %v", c.ID, o.Verdict)
			}
			if len(o.Figures) == 0 {
				t.Errorf("%s drew no figure", c.ID)
			}
			if (o.Verdict == Erratum) != (o.Erratum != nil) {
				t.Errorf("%s: verdict %v with erratum %v", c.ID, o.Verdict, o.Erratum)
			}
		})
	}
}

// TestWrongBoundsFail runs theorem claims with a deliberately wrong constant: the checker
// must report them as FAIL, so that a pass means something.
func TestWrongBoundsFail(t *testing.T) {
	wrong := []Claim{
		gdSmooth(0.05),         // the bound divided by 10
		gdStrong(4),            // (1 − 4/κ)ⁿ instead of (1 − 1/κ)ⁿ
		lowerBound(30.0 / 32),  // a lower bound 10 times too high
		nesterovRate(0.2),      // 0.2 instead of 2
		newtonQuadratic(1e-20), // below the rounding of the solve
		sgdFixedBound(0.02),    // the variance term divided by 100
	}
	for _, c := range wrong {
		t.Run(c.ID+"/"+c.Criterion, func(t *testing.T) {
			o := runQuick(t, 2, c)[0]
			if o.Verdict != Fail {
				describe(t, o)
				t.Errorf("%s with a wrong bound: %v, want FAIL", c.ID, o.Verdict)
			}
		})
	}
}

// TestDeterministic: the same seed gives the same observations, whether claims run alone
// or several at once; another seed gives other instances.
func TestDeterministic(t *testing.T) {
	claims := []Claim{firstOrder(), gdStrong(1), unbiased(), adagradRobust()}
	one := Run(context.Background(), claims, Config{Seed: 7, Quick: true, Workers: 1, Data: testData()})
	two := Run(context.Background(), claims, Config{Seed: 7, Quick: true, Workers: 2, Data: testData()})
	other := Run(context.Background(), claims, Config{Seed: 8, Quick: true, Workers: 2, Data: testData()})
	for i := range claims {
		a, b, c := one[i], two[i], other[i]
		if len(a.Checks) != len(b.Checks) {
			t.Fatalf("%s: %d checks, then %d", claims[i].ID, len(a.Checks), len(b.Checks))
		}
		same := true
		for k := range a.Checks {
			if a.Checks[k].Observed != b.Checks[k].Observed || a.Checks[k].Where != b.Checks[k].Where {
				t.Errorf("%s, check %q: %v at %q, then %v at %q", claims[i].ID, a.Checks[k].Name,
					a.Checks[k].Observed, a.Checks[k].Where, b.Checks[k].Observed, b.Checks[k].Where)
			}
			if a.Checks[k].Observed != c.Checks[k].Observed {
				same = false
			}
		}
		if same {
			t.Errorf("%s: seeds 7 and 8 gave the same observations", claims[i].ID)
		}
	}
}

// TestFullCatalogue runs every claim at full size, as `descent theory` does. It takes about
// two minutes: run it with -theory.full.
func TestFullCatalogue(t *testing.T) {
	if !*full {
		t.Skip("the full catalogue takes about two minutes: run with -theory.full")
	}
	if !haveMNIST(t) {
		t.Skip("MNIST is not available offline")
	}
	start := time.Now()
	outs := Run(context.Background(), Catalogue(), Config{Seed: DefaultSeed, Data: testData()})
	for _, o := range outs {
		if !o.Verdict.OK() {
			describe(t, o)
			t.Errorf("%s: %v", o.Claim.ID, o.Verdict)
		}
	}
	t.Logf("%v in %v", Count(outs), time.Since(start))
}

func TestCatalogue(t *testing.T) {
	ids := map[string]bool{}
	for _, c := range Catalogue() {
		if ids[c.ID] {
			t.Errorf("claim %q twice", c.ID)
		}
		ids[c.ID] = true
		if c.Statement == "" || c.Criterion == "" || c.Section == "" || c.Run == nil {
			t.Errorf("claim %q is incomplete", c.ID)
		}
		if got, err := Lookup(c.ID); err != nil || got.ID != c.ID {
			t.Errorf("Lookup(%q) = %q, %v", c.ID, got.ID, err)
		}
	}
	if len(ids) != 35 {
		t.Errorf("%d claims, want the 35 of CLAIMS.md", len(ids))
	}
	if _, err := Lookup("no-such-claim"); err == nil {
		t.Error("Lookup of an unknown claim: no error")
	}
}

// TestChecks: the margins and the verdicts of the checker itself.
func TestChecks(t *testing.T) {
	cases := []struct {
		name string
		c    Check
		want bool
		m    float64
	}{
		{"below an upper bound", atMost("", 1, 2), true, 0.5},
		{"above an upper bound", atMost("", 3, 2), false, -0.5},
		{"on the bound", atMost("", 2, 2), true, 0},
		{"above a lower bound", atLeast("", 3, 2), true, 0.5},
		{"below a lower bound", atLeast("", 1, 2), false, -0.5},
		{"negative limit", atMost("", -1, -2), false, -0.5},
		{"zero limit", atMost("", 1e-3, 0), false, -1e-3},
		{"NaN observed", atMost("", math.NaN(), 1), false, math.NaN()},
		{"inside a range", within("", 0.9, 0.8, 1.2), true, 0.25},
		{"outside a range", within("", 1.3, 0.8, 1.2), false, -0.25},
		{"true", isTrue("", true, ""), true, 1},
		{"false", isTrue("", false, ""), false, -1},
	}
	for _, tc := range cases {
		if tc.c.Holds() != tc.want {
			t.Errorf("%s: holds %v, want %v", tc.name, tc.c.Holds(), tc.want)
		}
		if !(math.Abs(tc.c.Margin-tc.m) < 1e-12 || math.IsNaN(tc.m) && math.IsNaN(tc.c.Margin)) {
			t.Errorf("%s: margin %v, want %v", tc.name, tc.c.Margin, tc.m)
		}
	}
	cv := upperCurve("curve")
	for n, v := range []float64{1, 2, 5, 3} {
		cv.add(v, 4, at("n = %d", n))
	}
	if c := cv.check(); c.Holds() || c.Where != "n = 2" || c.Observed != 5 {
		t.Errorf("curve: %+v, want the violation at n = 2", c)
	}
	if c := upperCurve("empty").check(); c.Holds() {
		t.Error("a curve with no point holds")
	}
}

func TestJudge(t *testing.T) {
	ok, bad := atMost("ok", 1, 2), atMost("bad", 3, 2)
	lecBad := bad
	lecBad.Lecture = true
	lecOK := ok
	lecOK.Lecture = true
	e := &ErratumNote{Statement: "s", Counter: "c", Corrected: "k"}
	cases := []struct {
		name    string
		checks  []Check
		erratum *ErratumNote
		want    Verdict
	}{
		{"all hold", []Check{ok, ok}, nil, Pass},
		{"one fails", []Check{ok, bad}, nil, Fail},
		{"erratum shown", []Check{lecBad, ok}, e, Erratum},
		{"erratum with the corrected form failing", []Check{lecBad, bad}, e, Fail},
		{"erratum not shown", []Check{lecOK, ok}, e, Fail},
		{"lecture fails without an erratum", []Check{lecBad, ok}, nil, Fail},
		{"no check", nil, nil, Error},
	}
	for _, tc := range cases {
		o := &Outcome{Claim: Claim{ID: tc.name}, Checks: tc.checks, Erratum: tc.erratum}
		o.judge()
		if o.Verdict != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, o.Verdict, tc.want)
		}
	}
}
