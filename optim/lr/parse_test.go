package lr_test

import (
	"flag"
	"io"
	"math"
	"strings"
	"testing"

	"github.com/descent-ml/descent/optim/lr"
)

func TestParseSpec(t *testing.T) {
	for _, tc := range []struct {
		spec, canonical string
		perBatch        bool
	}{
		{"", "none", false},
		{"none", "none", false},
		{"step:20:0.1", "step:20:0.1", false},
		{"step:20:1e-1", "step:20:0.1", false},
		{"multistep:30,60,90:0.2", "multistep:30,60,90:0.2", false},
		{"exp:0.95", "exp:0.95", false},
		{"cosine", "cosine:0", true},
		{"cosine:1e-5", "cosine:1e-05", true},
		{"warmrestarts:10", "warmrestarts:10:1", true},
		{"warmrestarts:5:2", "warmrestarts:5:2", true},
		{"linear-warmup:3", "linear-warmup:3:0.1", true},
		{"linear-warmup:3:0.01+cosine", "linear-warmup:3:0.01+cosine:0", true},
		{"linear-warmup:1+step:10:0.5", "linear-warmup:1:0.1+step:10:0.5", true},
		{"onecycle", "onecycle", true},
		{"onecycle:0.5", "onecycle:0.5", true},
		{"plateau", "plateau:0.1:10", false},
		{"plateau:0.5", "plateau:0.5:10", false},
		{"plateau:0.5:0", "plateau:0.5:0", false},
	} {
		s, err := lr.ParseSpec(tc.spec)
		if err != nil {
			t.Errorf("ParseSpec(%q): %v", tc.spec, err)
			continue
		}
		if s.String() != tc.canonical || s.PerBatch() != tc.perBatch {
			t.Errorf("ParseSpec(%q) = %q, per batch %v; want %q, %v", tc.spec, s, s.PerBatch(), tc.canonical, tc.perBatch)
		}
		again, err := lr.ParseSpec(s.String())
		if err != nil || again.String() != s.String() {
			t.Errorf("the canonical form %q does not parse to itself: %q, %v", s, again, err)
		}
	}
}

func TestParseSpecErrors(t *testing.T) {
	for _, tc := range []struct{ spec, want string }{
		{"cosin", `unknown schedule "cosin" (want none, step, multistep, exp, cosine, warmrestarts, linear-warmup, onecycle, plateau)`},
		{"step", `step takes step:STEP_EPOCHS:GAMMA, got "step"`},
		{"step:20", `step takes step:STEP_EPOCHS:GAMMA, got "step:20"`},
		{"step:20:0.1:3", `step takes step:STEP_EPOCHS:GAMMA, got "step:20:0.1:3"`},
		{"step:x:0.1", `STEP_EPOCHS "x" is not an integer`},
		{"step:0:0.1", `STEP_EPOCHS must be at least 1, got "0"`},
		{"step:20:abc", `GAMMA "abc" is not a finite number`},
		{"step:20:0", `GAMMA must lie in (0, +Inf), got "0"`},
		{"step:20:NaN", `GAMMA "NaN" is not a finite number`},
		{"multistep:30,20:0.1", "milestones must be increasing, got 20 after 30"},
		{"multistep:30,,60:0.1", `milestone "" is not an integer`},
		{"exp:-1", `GAMMA must lie in (0, +Inf), got "-1"`},
		{"cosine:-0.1", `ETA_MIN must lie in [0, +Inf), got "-0.1"`},
		{"warmrestarts:0", `T0 must be at least 1, got "0"`},
		{"warmrestarts:10:1.5", `TMULT "1.5" is not an integer`},
		{"linear-warmup", `linear-warmup takes linear-warmup:EPOCHS[:START], got "linear-warmup"`},
		{"linear-warmup:2:0", `START must lie in (0, 1], got "0"`},
		{"linear-warmup:2+exp:0.9", `after a linear warm-up comes step, multistep, cosine or warmrestarts, not "exp:0.9"`},
		{"linear-warmup:2+cosine:x", `ETA_MIN "x" is not a finite number`},
		{"cosine+step:1:0.1", "only linear-warmup can be followed by +AFTER, not cosine"},
		{"onecycle:0", `MAX_LR must lie in (0, +Inf), got "0"`},
		{"plateau:1", `FACTOR must be below 1, got "1"`},
		{"plateau:0.5:-1", `PATIENCE must be at least 0, got "-1"`},
		{"none:1", "none takes no argument"},
	} {
		_, err := lr.ParseSpec(tc.spec)
		if err == nil {
			t.Errorf("ParseSpec(%q) succeeded, want error %q", tc.spec, tc.want)
			continue
		}
		prefix := `lr: schedule "` + tc.spec + `": `
		if !strings.HasPrefix(err.Error(), prefix) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ParseSpec(%q): %q, want %q", tc.spec, err, prefix+tc.want)
		}
	}
}

func TestSpecFlag(t *testing.T) {
	var s lr.Spec
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Var(&s, "schedule", lr.SpecUsage)
	if err := fs.Parse([]string{"-schedule", "step:5:0.5"}); err != nil || s.String() != "step:5:0.5" {
		t.Errorf("parsed %q, %v", s, err)
	}
	if err := fs.Parse([]string{"-schedule", "step:5"}); err == nil {
		t.Errorf("a bad schedule flag was accepted")
	}
}

// runSchedule runs a schedule over a training loop of epochs × steps batches and returns
// the rate (of group 0) used by each batch, and the momenta if the optimiser has some.
func runSchedule(t *testing.T, spec string, opt lr.Optimizer, epochs, steps int, metric func(epoch int) float64) (lrs, moms []float64) {
	t.Helper()
	s, err := lr.Parse(spec, opt, epochs, steps)
	if err != nil {
		t.Fatal(err)
	}
	for e := range epochs {
		for range steps {
			lrs = append(lrs, opt.LR(0))
			if m, ok := opt.(lr.Momentumer); ok {
				moms = append(moms, m.Momentum(0))
			}
			if err := s.BatchEnd(); err != nil {
				t.Fatalf("%s: epoch %d: %v", spec, e, err)
			}
		}
		if err := s.EpochEnd(metric(e)); err != nil {
			t.Fatalf("%s: epoch %d: %v", spec, e, err)
		}
	}
	return lrs, moms
}

func flat(float64) func(int) float64 { return func(int) float64 { return 1 } }

func TestSchedules(t *testing.T) {
	close := func(a, b float64) bool { return math.Abs(a-b) <= 1e-12*math.Max(1, math.Abs(b)) }
	const epochs, steps = 6, 4
	for _, tc := range []struct {
		spec  string
		check func(t *testing.T, lrs, moms []float64)
	}{
		{"none", func(t *testing.T, lrs, _ []float64) {
			for i, v := range lrs {
				if v != 1 {
					t.Fatalf("batch %d: lr %v", i, v)
				}
			}
		}},
		{"step:2:0.5", func(t *testing.T, lrs, _ []float64) {
			for i, v := range lrs {
				if want := math.Pow(0.5, float64(i/steps/2)); !close(v, want) {
					t.Fatalf("batch %d: lr %v, want %v", i, v, want)
				}
			}
		}},
		{"multistep:1,4:0.1", func(t *testing.T, lrs, _ []float64) {
			want := []float64{1, 0.1, 0.1, 0.1, 0.01, 0.01}
			for i, v := range lrs {
				if !close(v, want[i/steps]) {
					t.Fatalf("batch %d: lr %v, want %v", i, v, want[i/steps])
				}
			}
		}},
		{"exp:0.9", func(t *testing.T, lrs, _ []float64) {
			for i, v := range lrs {
				if want := math.Pow(0.9, float64(i/steps)); !close(v, want) {
					t.Fatalf("batch %d: lr %v, want %v", i, v, want)
				}
			}
		}},
		{"cosine:0.01", func(t *testing.T, lrs, _ []float64) {
			n := float64(epochs * steps)
			for i, v := range lrs {
				if want := 0.01 + 0.99*(1+math.Cos(math.Pi*float64(i)/n))/2; !close(v, want) {
					t.Fatalf("batch %d: lr %v, want %v", i, v, want)
				}
			}
		}},
		{"warmrestarts:2", func(t *testing.T, lrs, _ []float64) {
			for i, v := range lrs {
				if want := (1 + math.Cos(math.Pi*float64(i%(2*steps))/(2*steps))) / 2; !close(v, want) {
					t.Fatalf("batch %d: lr %v, want %v", i, v, want)
				}
			}
		}},
		{"linear-warmup:2:0.2", func(t *testing.T, lrs, _ []float64) {
			for i, v := range lrs {
				if want := 0.2 + 0.8*math.Min(float64(i), 2*steps)/(2*steps); !close(v, want) {
					t.Fatalf("batch %d: lr %v, want %v", i, v, want)
				}
			}
		}},
		{"linear-warmup:2:0.2+cosine", func(t *testing.T, lrs, _ []float64) {
			w, n := 2*steps, float64((epochs-2)*steps)
			for i, v := range lrs {
				want := 0.2 + 0.8*float64(i)/float64(w)
				if i >= w {
					want = (1 + math.Cos(math.Pi*float64(i-w)/n)) / 2
				}
				if !close(v, want) {
					t.Fatalf("batch %d: lr %v, want %v", i, v, want)
				}
			}
		}},
		{"linear-warmup:1+step:2:0.5", func(t *testing.T, lrs, _ []float64) {
			for i, v := range lrs[steps:] {
				if want := math.Pow(0.5, float64(i/steps/2)); !close(v, want) {
					t.Fatalf("batch %d: lr %v, want %v", steps+i, v, want)
				}
			}
		}},
		{"plateau:0.5:1", func(t *testing.T, lrs, _ []float64) {
			// The metric never improves after epoch 0: reductions after epochs 2 and 4.
			want := []float64{1, 1, 1, 0.5, 0.5, 0.25}
			for i, v := range lrs {
				if !close(v, want[i/steps]) {
					t.Fatalf("batch %d: lr %v, want %v", i, v, want[i/steps])
				}
			}
		}},
	} {
		t.Run(tc.spec, func(t *testing.T) {
			lrs, moms := runSchedule(t, tc.spec, lr.Rates{1}, epochs, steps, flat(1))
			tc.check(t, lrs, moms)
		})
	}
}

// TestOneCycleSchedule checks that onecycle peaks at the optimiser's rate after 30% of the
// run, and cycles the momentum of an optimiser that uses one but not of one that does not.
func TestOneCycleSchedule(t *testing.T) {
	const epochs, steps = 5, 20
	lrs, moms := runSchedule(t, "onecycle", &lr.MomentumRates{LRs: []float64{0.5}, Momenta: []float64{0.9}}, epochs, steps, flat(1))
	peak := 0
	for i, v := range lrs {
		if v > lrs[peak] {
			peak = i
		}
	}
	if peak != 29 || lrs[peak] != 0.5 || math.Abs(lrs[0]-0.5/25) > 1e-15 || moms[0] != 0.95 || moms[peak] != 0.85 {
		t.Errorf("peak %v at batch %d, first lr %v, momenta %v then %v", lrs[peak], peak, lrs[0], moms[0], moms[peak])
	}
	_, moms = runSchedule(t, "onecycle:0.3", &lr.MomentumRates{LRs: []float64{0.5}, Momenta: []float64{0}}, epochs, steps, flat(1))
	for _, m := range moms {
		if m != 0 {
			t.Fatalf("onecycle cycled the momentum of an optimiser without momentum: %v", m)
		}
	}
}

func TestScheduleErrors(t *testing.T) {
	for _, tc := range []struct {
		spec          string
		epochs, steps int
		want          string
	}{
		{"cosine", 0, 10, `lr: schedule "cosine:0" needs at least 1 epoch and 1 step per epoch, got 0 and 10`},
		{"linear-warmup:5+cosine", 5, 10, `lr: schedule "linear-warmup:5:0.1+cosine:0": the warm-up of 5 epochs leaves none of the 5 for cosine`},
		{"linear-warmup:2+step:1:0.5", 1, 3, `lr: schedule "linear-warmup:2:0.1+step:1:0.5": the warm-up of 2 epochs leaves none of the 1 for step`},
	} {
		_, err := lr.Parse(tc.spec, lr.Rates{0.1}, tc.epochs, tc.steps)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Parse(%q, %d, %d): %v, want %q", tc.spec, tc.epochs, tc.steps, err, tc.want)
		}
	}
}

// TestScheduleResume saves a schedule of each kind mid-run, loads it into a fresh one and
// checks that the rest of the run is bit for bit the same; a schedule of another spec or
// run length is refused.
func TestScheduleResume(t *testing.T) {
	const epochs, steps, save = 6, 5, 17 // save in the middle of epoch 3
	metric := func(e int) float64 { return 1 / float64(1+e%3) }
	for _, spec := range []string{"none", "step:2:0.5", "multistep:1,4:0.1", "exp:0.9", "cosine:0.001", "warmrestarts:1:2",
		"linear-warmup:2", "linear-warmup:2+multistep:1,2:0.5", "onecycle", "plateau:0.5:0"} {
		t.Run(spec, func(t *testing.T) {
			run := func(s *lr.Schedule, opt lr.Optimizer, from, to int) []uint64 {
				var out []uint64
				for b := from; b < to; b++ {
					if err := s.BatchEnd(); err != nil {
						t.Fatal(err)
					}
					if (b+1)%steps == 0 {
						if err := s.EpochEnd(metric(b / steps)); err != nil {
							t.Fatal(err)
						}
					}
					out = append(out, math.Float64bits(opt.LR(0)), math.Float64bits(opt.(lr.Momentumer).Momentum(0)))
				}
				return out
			}
			newOpt := func() *lr.MomentumRates { return &lr.MomentumRates{LRs: []float64{0.1}, Momenta: []float64{0.9}} }
			opt := newOpt()
			s, err := lr.Parse(spec, opt, epochs, steps)
			if err != nil {
				t.Fatal(err)
			}
			want := run(s, opt, 0, epochs*steps)

			opt1 := newOpt()
			s1, _ := lr.Parse(spec, opt1, epochs, steps)
			run(s1, opt1, 0, save)
			data, err := s1.MarshalBinary()
			if err != nil {
				t.Fatal(err)
			}
			opt2 := newOpt()
			s2, _ := lr.Parse(spec, opt2, epochs, steps)
			if err := s2.UnmarshalBinary(data); err != nil {
				t.Fatal(err)
			}
			got := run(s2, opt2, save, epochs*steps)
			for i := range got {
				if got[i] != want[2*save+i] {
					t.Fatalf("value %d after resuming differs: %v, want %v", i, math.Float64frombits(got[i]), math.Float64frombits(want[2*save+i]))
				}
			}
			other, _ := lr.Parse(spec, newOpt(), epochs+1, steps)
			if err := other.UnmarshalBinary(data); err == nil || !strings.Contains(err.Error(), "for 6 epochs of 5 steps, not") {
				t.Errorf("loading into a longer run: %v", err)
			}
		})
	}
}
