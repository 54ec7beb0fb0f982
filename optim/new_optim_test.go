package optim

import (
	"bytes"
	"math"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// sinParams returns parameters with values sin(j) and gradients cos(3j): a small one, a
// matrix and one large enough to be split among several goroutines in blocks.
func sinParams() []*Param {
	n := 3*minPerWorker + 17
	ps := []*Param{
		{Name: "a", Shape: []int{5}},
		{Name: "m", Shape: []int{6, 9}},
		{Name: "big", Shape: []int{n}},
	}
	for _, p := range ps {
		k := 1
		for _, d := range p.Shape {
			k *= d
		}
		p.Value, p.Grad = make([]float32, k), make([]float32, k)
		for j := range p.Value {
			p.Value[j] = float32(math.Sin(float64(j)))
			p.Grad[j] = float32(math.Cos(float64(3 * j)))
		}
	}
	return ps
}

// TestSplitsMatchEveryOptimizer checks, for every first-order optimiser of the registry,
// that three steps split among several goroutines compute the same bits as three steps
// run by one: the reductions of LAMB, LARS, Prodigy and Adafactor are summed by blocks that do not
// depend on the split.
func TestSplitsMatchEveryOptimizer(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for _, e := range Registry() {
		if e.Name == "lbfgs" {
			continue
		}
		run := func(procs int) ([]*Param, int) {
			runtime.GOMAXPROCS(procs)
			ps := sinParams()
			o, err := e.New(nil, Group{Params: ps})
			if err != nil {
				t.Fatal(err)
			}
			for range 3 {
				if err := o.Step(); err != nil {
					t.Fatal(err)
				}
			}
			return ps, o.(interface{ ensurePlan() int }).ensurePlan()
		}
		one, w1 := run(1)
		many, wn := run(4)
		if w1 != 1 || wn < 2 {
			t.Fatalf("%s: %d and %d workers, want 1 and several", e.Name, w1, wn)
		}
		for i := range one {
			if i == 1 && e.Name == "muon" {
				continue // the matrix's products are split by internal/gemm, by GOMAXPROCS
			}
			for j := range one[i].Value {
				if math.Float32bits(one[i].Value[j]) != math.Float32bits(many[i].Value[j]) {
					t.Fatalf("%s: %s[%d]: %v with one goroutine, %v with %d", e.Name, one[i].Name, j, one[i].Value[j], many[i].Value[j], wn)
				}
			}
		}
	}
}

// TestPlanCutsAtBlocks checks that the plan cuts a parameter only at multiples of
// sumBlock, whatever the number of workers.
func TestPlanCutsAtBlocks(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for _, procs := range []int{1, 2, 3, 5, 8} {
		runtime.GOMAXPROCS(procs)
		ps := sinParams()
		o, _ := NewAdam(ps, DefaultAdam())
		workers := o.ensurePlan()
		covered := make([]int, len(ps))
		for _, s := range o.plan.segs {
			if s.lo%sumBlock != 0 || (s.hi%sumBlock != 0 && s.hi != len(ps[s.i].Value)) || s.lo != covered[s.i] {
				t.Fatalf("%d workers: segment %+v is not cut at blocks or leaves a gap", workers, s)
			}
			covered[s.i] = s.hi
		}
		for i, p := range ps {
			if covered[i] != len(p.Value) {
				t.Fatalf("%d workers: %s covered to %d of %d", workers, p.Name, covered[i], len(p.Value))
			}
		}
		if len(o.plan.parts) != workers+1 || o.plan.parts[workers] != len(o.plan.segs) {
			t.Fatalf("%d workers: parts %v of %d segments", workers, o.plan.parts, len(o.plan.segs))
		}
	}
}

// TestAdamDecoupledIsAdamW checks that Adam with decoupled_weight_decay takes AdamW's
// steps bit for bit, on the torch fixture's problem.
func TestAdamDecoupledIsAdamW(t *testing.T) {
	r := loadReference(t)
	for _, opts := range []string{"lr=0.01,weight_decay=0.1", "lr=0.02,weight_decay=0,amsgrad=true", "lr=0.05,weight_decay=0.5,maximize=true,betas=0.8/0.99"} {
		pa, pb := newProblem(t, r, false), newProblem(t, r, false)
		a := refCase{Optimizer: "adam", Options: opts + ",decoupled_weight_decay=true"}.build(t, pa)
		b := refCase{Optimizer: "adamw", Options: opts}.build(t, pb)
		for k := range r.Steps {
			pa.step(t, a, k)
			pb.step(t, b, k)
			for i := range pa.params {
				if !slices.EqualFunc(pa.params[i].Value, pb.params[i].Value, func(x, y float32) bool { return math.Float32bits(x) == math.Float32bits(y) }) {
					t.Fatalf("%s: step %d: %s differs: %v vs %v", opts, k+1, pa.params[i].Name, pa.params[i].Value, pb.params[i].Value)
				}
			}
		}
	}
}

// TestScheduleFreeModes checks the schedule-free methods' switch between y and x: Eval
// before any step changes nothing; after steps, Eval puts x in the parameters and Train puts
// y back bit for bit, so that a run with switches is bit-identical to one without; Step at
// x panics; a saved state records the mode.
func TestScheduleFreeModes(t *testing.T) {
	for _, name := range []string{"schedulefree-adamw", "schedulefree-sgd"} {
		mk := func() ([]*Param, ModeSwitcher) {
			ps := newParams("w", "b")
			for _, p := range ps {
				for j := range p.Value {
					p.Value[j] = float32(j) + 0.5
				}
			}
			o, err := New(name, Options{"lr": "0.1"}, Group{Params: ps})
			if err != nil {
				t.Fatal(err)
			}
			return ps, o.(ModeSwitcher)
		}
		grad := func(ps []*Param, k int) {
			for _, p := range ps {
				for j := range p.Grad {
					p.Grad[j] = p.Value[j] - float32(k%3)
				}
			}
		}
		pa, a := mk()
		pb, b := mk()
		before := slices.Clone(pb[0].Value)
		b.Eval()
		if !slices.Equal(before, pb[0].Value) || !b.Evaluating() {
			t.Fatalf("%s: Eval before any step changed the parameters or did not switch", name)
		}
		b.Train()
		for k := range 20 {
			grad(pa, k)
			grad(pb, k)
			if err := a.Step(); err != nil {
				t.Fatal(err)
			}
			if err := b.Step(); err != nil {
				t.Fatal(err)
			}
			if k%4 == 1 {
				y := slices.Clone(pb[0].Value)
				b.Eval()
				st := &b.(interface{ stateOf(int) *pstate }).stateOf(0).bufs
				if !slices.Equal(pb[0].Value, (*st)[1]) {
					t.Fatalf("%s: after Eval the parameter is not x", name)
				}
				if slices.Equal(pb[0].Value, y) {
					t.Fatalf("%s: x equals y after %d steps: the switch is not tested", name, k+1)
				}
				var buf bytes.Buffer
				if err := b.(Stateful).Save(&buf); err != nil {
					t.Fatal(err)
				}
				if f, err := decodeState(&buf); err != nil || !slices.Contains(f.global, named{"train_mode", 0}) {
					t.Fatalf("%s: the state saved at x does not say train_mode 0 (%v)", name, err)
				}
				func() {
					defer func() {
						if r := recover(); r == nil || !strings.Contains(r.(string), "evaluation mode") {
							t.Fatalf("%s: Step at x did not panic (%v)", name, r)
						}
					}()
					b.Step()
				}()
				b.Train()
				for j := range y {
					if math.Float32bits(y[j]) != math.Float32bits(pb[0].Value[j]) {
						t.Fatalf("%s: Train gives y[%d] = %v, the step gave %v", name, j, pb[0].Value[j], y[j])
					}
				}
			}
		}
		for i := range pa {
			if !slices.Equal(pa[i].Value, pb[i].Value) {
				t.Fatalf("%s: the run with switches differs", name)
			}
		}
	}
}

func (o *ScheduleFreeAdamW) stateOf(i int) *pstate { return &o.state[i] }
func (o *ScheduleFreeSGD) stateOf(i int) *pstate   { return &o.state[i] }

// TestMuonSetLR checks that SetLR moves AdamW's rate with Muon's, keeping the configured
// ratio through 0 and through a saved and loaded state.
func TestMuonSetLR(t *testing.T) {
	ps := []*Param{{Name: "w", Shape: []int{2, 3}, Value: make([]float32, 6), Grad: make([]float32, 6)}, newParams("b")[0]}
	cfg := DefaultMuon()
	cfg.LR, cfg.AdamWLR = 0.02, 0.003
	o, err := NewMuon(ps, cfg)
	if err != nil {
		t.Fatal(err)
	}
	o.SetLR(0, 0)
	o.SetLR(0, 0.01)
	if c := o.Config(0); c.LR != 0.01 || math.Abs(c.AdamWLR-0.0015) > 1e-18 {
		t.Fatalf("after SetLR 0 then 0.01: lr %v, adamw_lr %v, want 0.01 and 0.0015", c.LR, c.AdamWLR)
	}
	var buf bytes.Buffer
	o.Save(&buf)
	o2, _ := NewMuon(ps, DefaultMuon())
	if err := o2.Load(&buf); err != nil {
		t.Fatal(err)
	}
	o2.SetLR(0, 0.04)
	if c := o2.Config(0); math.Abs(c.AdamWLR-0.006) > 1e-18 {
		t.Fatalf("after Load and SetLR 0.04: adamw_lr %v, want 0.006", c.AdamWLR)
	}
}

// TestProdigyRates checks Prodigy's rule on group rates: a group of rate 0 is accepted,
// another rate is an error of Step that changes nothing; d grows from d0; the group of
// rate 0 stays where it is.
func TestProdigyRates(t *testing.T) {
	ps := newParams("w", "b")
	for _, p := range ps {
		for j := range p.Value {
			p.Value[j], p.Grad[j] = 1, 0.5
		}
	}
	o, err := New("prodigy", nil, Group{Params: ps[:1]}, Group{Params: ps[1:], Options: Options{"lr": "0.5"}})
	if err != nil {
		t.Fatal(err)
	}
	before := saved(t, o)
	if err := o.Step(); err == nil || !strings.Contains(err.Error(), "one learning rate") {
		t.Fatalf("two rates: %v", err)
	}
	if !bytes.Equal(before, saved(t, o)) || ps[0].Value[0] != 1 {
		t.Fatal("the refused step changed the optimizer")
	}
	o.SetLR(1, 0)
	pr := o.(*Prodigy)
	for k := range 5 {
		for _, p := range ps {
			for j := range p.Grad {
				p.Grad[j] = p.Value[j] - 3 + float32(k%2)
			}
		}
		if err := o.Step(); err != nil {
			t.Fatal(err)
		}
	}
	if !(pr.D() > 1e-6) {
		t.Fatalf("d = %v did not grow from d0", pr.D())
	}
	if ps[0].Value[0] == 1 || ps[1].Value[0] != 1 {
		t.Fatalf("w[0] = %v (should have moved), b[0] = %v (rate 0: should not)", ps[0].Value[0], ps[1].Value[0])
	}
	if _, err := New("prodigy", nil, Group{Params: ps[:1]}, Group{Params: ps[1:], Options: Options{"betas": "0.5/0.9"}}); err == nil || !strings.Contains(err.Error(), "same in every group") {
		t.Fatalf("a group with other betas: %v", err)
	}
}

// TestLoadNewStateEdits loads edited states of the optimisers with state of their own:
// Adafactor's factored buffers given to a vector or missing, and the globals of Prodigy,
// Muon and the schedule-free methods missing or out of range. Each is refused, naming what
// is wrong, and changes nothing.
func TestLoadNewStateEdits(t *testing.T) {
	dropGlobal := func(name string) func(f *stateFile) {
		return func(f *stateFile) {
			f.global = slices.DeleteFunc(f.global, func(v named) bool { return v.name == name })
		}
	}
	setGlobal := func(name string, x float64) func(f *stateFile) {
		return func(f *stateFile) {
			for i := range f.global {
				if f.global[i].name == name {
					f.global[i].v = x
				}
			}
		}
	}
	for _, tc := range []struct {
		opt, name string
		change    func(f *stateFile)
		want      string
	}{
		{"adafactor", "col_var of a vector", func(f *stateFile) {
			f.params[1].bufs = append(f.params[1].bufs, namedBuf{"col_var", make([]float32, 3)})
		}, `buffer "col_var", which adafactor does not keep for shape [3]`},
		{"adafactor", "no col_var", func(f *stateFile) {
			f.params[0].bufs = slices.DeleteFunc(f.params[0].bufs, func(b namedBuf) bool { return b.name == "col_var" })
		}, `lacks buffer "col_var"`},
		{"prodigy", "no d", dropGlobal("d"), "lacks prodigy's estimate"},
		{"prodigy", "negative d", setGlobal("d", -1), "estimate d -1"},
		{"muon", "no ratio", dropGlobal("adamw_lr_ratio.1"), "adamw_lr_ratio.1"},
		{"schedulefree-adamw", "no train_mode", dropGlobal("train_mode"), "train_mode"},
		{"schedulefree-sgd", "train_mode 2", setGlobal("train_mode", 2), "train_mode is 2"},
		{"schedulefree-sgd", "no weight_sum", dropGlobal("weight_sum.0"), "averages of group 0"},
	} {
		e, err := Lookup(tc.opt)
		if err != nil {
			t.Fatal(err)
		}
		_, src := stateOptimizer(t, e, 3)
		f, err := decodeState(bytes.NewReader(saved(t, src)))
		if err != nil {
			t.Fatal(err)
		}
		tc.change(f)
		var buf bytes.Buffer
		if err := f.encode(&buf); err != nil {
			t.Fatal(err)
		}
		_, o := stateOptimizer(t, e, 3)
		before := saved(t, o)
		err = o.(Stateful).Load(&buf)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s, %s: got %v, want an error containing %q", tc.opt, tc.name, err, tc.want)
		}
		if !bytes.Equal(before, saved(t, o)) {
			t.Errorf("%s, %s: the refused load changed the optimizer", tc.opt, tc.name)
		}
	}
}
