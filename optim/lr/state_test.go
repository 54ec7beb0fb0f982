package lr_test

import (
	"bytes"
	"errors"
	"math"
	"sort"
	"strings"
	"testing"

	"github.com/descent-ml/descent/optim/lr"
)

// trajectory runs s over opt from step from (exclusive) to step to and returns the bits of
// the rates and momenta after each step.
func trajectory(t *testing.T, s schedule, opt lr.Optimizer, metrics []float64, from, to int) [][]uint64 {
	t.Helper()
	var out [][]uint64
	for i := from; i < to; i++ {
		if err := step(s, metrics, i); err != nil {
			t.Fatalf("step %d: %v", i+1, err)
		}
		var row []uint64
		for _, v := range append(rates(opt), momenta(opt)...) {
			row = append(row, math.Float64bits(v))
		}
		out = append(out, row)
	}
	return out
}

func caseNames() []string {
	var names []string
	for name := range torchCases {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// TestResume saves every schedule of the table at step 37, loads the state into a fresh
// optimiser and scheduler, continues to step 100 and checks that the rates, momenta and
// final state are bit for bit those of the uninterrupted run.
func TestResume(t *testing.T) {
	const save, end = 37, 100
	f := readFixture(t)
	metrics := map[string][]float64{}
	for _, fc := range f.Cases {
		metrics[fc.Name] = fc.Metrics
	}
	lr0 := []float64{0.1, 0.05}
	for _, name := range caseNames() {
		c := torchCases[name]
		t.Run(name, func(t *testing.T) {
			opt := c.optimizer(lr0)
			s, err := c.build(opt)
			if err != nil {
				t.Fatal(err)
			}
			want := trajectory(t, s, opt, metrics[name], 0, end)
			wantState, err := s.MarshalBinary()
			if err != nil {
				t.Fatal(err)
			}

			opt1 := c.optimizer(lr0)
			s1, err := c.build(opt1)
			if err != nil {
				t.Fatal(err)
			}
			trajectory(t, s1, opt1, metrics[name], 0, save)
			saved, err := s1.MarshalBinary()
			if err != nil {
				t.Fatal(err)
			}

			opt2 := c.optimizer(lr0)
			s2, err := c.build(opt2)
			if err != nil {
				t.Fatal(err)
			}
			if err := s2.UnmarshalBinary(saved); err != nil {
				t.Fatalf("loading the state of step %d: %v", save, err)
			}
			got := trajectory(t, s2, opt2, metrics[name], save, end)
			for i := range got {
				for j := range got[i] {
					if got[i][j] != want[save+i][j] {
						t.Fatalf("step %d value %d: resumed %v, uninterrupted %v", save+i+1, j,
							math.Float64frombits(got[i][j]), math.Float64frombits(want[save+i][j]))
					}
				}
			}
			gotState, err := s2.MarshalBinary()
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(gotState, wantState) {
				t.Errorf("state at step %d differs:\nresumed       %s\nuninterrupted %s", end, gotState, wantState)
			}
		})
	}
}

// TestStateRefused loads bad states and checks that each is refused with a message naming
// what is wrong, and that the scheduler and optimiser are left as they were.
func TestStateRefused(t *testing.T) {
	stepState := func() []byte {
		s, err := lr.NewStepLR(lr.Rates{0.1, 0.05}, 3, 0.5)
		if err != nil {
			t.Fatal(err)
		}
		for range 5 {
			if err := s.Step(); err != nil {
				t.Fatal(err)
			}
		}
		b, err := s.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		return b
	}()
	edit := func(old, new string) []byte {
		if !bytes.Contains(stepState, []byte(old)) {
			t.Fatalf("state %s has no %s", stepState, old)
		}
		return bytes.Replace(stepState, []byte(old), []byte(new), 1)
	}
	newStep := func(opt lr.Optimizer) (schedule, error) { return lr.NewStepLR(opt, 3, 0.5) }
	newCosine := func(opt lr.Optimizer) (schedule, error) { return lr.NewCosineAnnealingLR(opt, 10, 0) }
	for _, tc := range []struct {
		name  string
		build func(lr.Optimizer) (schedule, error)
		opt   lr.Optimizer
		data  []byte
		want  string
	}{
		{"other type", newCosine, lr.Rates{0.1, 0.05}, stepState, "the state is of a StepLR, not of a CosineAnnealingLR"},
		{"other groups", newStep, lr.Rates{0.1, 0.05, 0.01}, stepState, "base_lrs has 2 values, the optimiser has 3 groups"},
		{"empty", newStep, lr.Rates{0.1, 0.05}, nil, "unexpected end of JSON input"},
		{"not json", newStep, lr.Rates{0.1, 0.05}, []byte("StepLR"), "invalid character"},
		{"other format", newStep, lr.Rates{0.1, 0.05}, edit(`"descent/optim/lr"`, `"descent/optim"`), `not a scheduler state (format "descent/optim"`},
		{"other version", newStep, lr.Rates{0.1, 0.05}, edit(`"version":1`, `"version":2`), "state version 2"},
		{"unknown field", newStep, lr.Rates{0.1, 0.05}, edit(`"gamma"`, `"gama"`), `unknown field "gama"`},
		{"bad gamma", newStep, lr.Rates{0.1, 0.05}, edit(`"gamma":0.5`, `"gamma":-0.5`), "StepLR gamma must be positive and finite, got -0.5"},
		{"bad step size", newStep, lr.Rates{0.1, 0.05}, edit(`"step_size":3`, `"step_size":0`), "StepLR step size must be at least 1, got 0"},
		{"negative step", newStep, lr.Rates{0.1, 0.05}, edit(`"last_epoch":5`, `"last_epoch":-2`), "last_epoch -2 is before the first step"},
		{"trailing data", newStep, lr.Rates{0.1, 0.05}, append(append([]byte(nil), stepState...), `{}`...), "after top-level value"},
		{"plateau of a step", func(opt lr.Optimizer) (schedule, error) {
			return lr.NewReduceLROnPlateau(opt, lr.PlateauDefaults())
		}, lr.Rates{0.1, 0.05}, stepState, "the state is of a StepLR, not of a ReduceLROnPlateau"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := tc.build(tc.opt)
			if err != nil {
				t.Fatal(err)
			}
			before, _ := s.MarshalBinary()
			lrs := rates(tc.opt)
			err = s.UnmarshalBinary(tc.data)
			if err == nil {
				t.Fatalf("loaded %s", tc.data)
			}
			var se *lr.StateError
			if !errors.As(err, &se) {
				t.Errorf("error %v is not a *StateError", err)
			}
			if !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "lr: ") {
				t.Errorf("error %q does not say %q", err, tc.want)
			}
			after, _ := s.MarshalBinary()
			if !bytes.Equal(before, after) || !equal(lrs, rates(tc.opt)) {
				t.Errorf("a refused state changed the scheduler or the optimiser")
			}
		})
	}
}

// TestStateTruncated checks that every strict prefix of every table schedule's state is
// refused without changing anything.
func TestStateTruncated(t *testing.T) {
	for _, name := range caseNames() {
		c := torchCases[name]
		opt := c.optimizer([]float64{0.1, 0.05})
		s, err := c.build(opt)
		if err != nil {
			t.Fatal(err)
		}
		data, err := s.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		lrs := rates(opt)
		for n := range len(data) {
			if err := s.UnmarshalBinary(data[:n]); err == nil {
				t.Fatalf("%s: loaded the state cut at %d of %d bytes: %s", name, n, len(data), data[:n])
			}
		}
		after, _ := s.MarshalBinary()
		if !bytes.Equal(data, after) || !equal(lrs, rates(opt)) {
			t.Errorf("%s: truncated states changed the scheduler", name)
		}
	}
}

// TestStateCompositeRefused checks that a composite refuses the state of a composite of
// other children, naming the child.
func TestStateCompositeRefused(t *testing.T) {
	build := func(second func(lr.Optimizer) (lr.Scheduler, error)) *lr.SequentialLR {
		opt := lr.Rates{0.1}
		cs, err := children(opt, constant(0.5, 3), second)
		if err != nil {
			t.Fatal(err)
		}
		s, err := lr.NewSequentialLR(cs, []int{3})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	data, err := build(exponential(0.9)).MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	err = build(cosine(10, 0)).UnmarshalBinary(data)
	want := "the state is of a ExponentialLR, not of a CosineAnnealingLR (scheduler 1 of the SequentialLR)"
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("got error %v, want one saying %q", err, want)
	}
}

// FuzzUnmarshal feeds arbitrary states to a scheduler of each kind of state: none may panic,
// and a state that loads must step and save again.
func FuzzUnmarshal(f *testing.F) {
	for _, name := range []string{"step/7/0.8", "warmrestarts/5/2/0.001", "cyclic/triangular2/per-group",
		"onecycle/three-phase", "plateau/min-abs-cooldown", "sequential/three", "chained/step-linear-cosine"} {
		c := torchCases[name]
		s, err := c.build(c.optimizer([]float64{0.1, 0.05}))
		if err != nil {
			f.Fatal(err)
		}
		data, err := s.MarshalBinary()
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, name := range []string{"step/7/0.8", "warmrestarts/5/2/0.001", "cyclic/triangular2/per-group",
			"onecycle/three-phase", "plateau/min-abs-cooldown", "sequential/three", "chained/step-linear-cosine"} {
			c := torchCases[name]
			s, err := c.build(c.optimizer([]float64{0.1, 0.05}))
			if err != nil {
				t.Fatal(err)
			}
			if s.UnmarshalBinary(data) != nil {
				continue
			}
			_ = step(s, []float64{1}, 0) // may end a OneCycleLR; must not panic
			if _, err := s.MarshalBinary(); err != nil {
				t.Fatalf("%s: a loaded state does not save: %v", name, err)
			}
		}
	})
}

func equal(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Float64bits(a[i]) != math.Float64bits(b[i]) {
			return false
		}
	}
	return true
}
