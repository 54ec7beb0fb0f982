package optim

import (
	"bytes"
	"errors"
	"math"
	"strings"
	"testing"
)

// TestResumeBitIdentical saves every fixture case's optimiser at step 37, loads the state
// into a fresh optimiser over a copy of the parameters and checks that steps 38 to 100 are
// bit-identical to the uninterrupted run.
func TestResumeBitIdentical(t *testing.T) {
	r := loadReference(t)
	for _, c := range r.Cases {
		t.Run(c.Optimizer+"("+c.Options+")", func(t *testing.T) {
			pa := newProblem(t, r, c.Negate)
			a := c.build(t, pa)
			for k := range 37 {
				pa.step(t, a, k)
			}
			var buf bytes.Buffer
			if err := a.(Stateful).Save(&buf); err != nil {
				t.Fatal(err)
			}
			pb := newProblem(t, r, c.Negate)
			for i := range pb.params {
				copy(pb.params[i].Value, pa.params[i].Value)
			}
			b := c.build(t, pb)
			if err := b.(Stateful).Load(&buf); err != nil {
				t.Fatal(err)
			}
			for k := 37; k < r.Steps; k++ {
				pa.step(t, a, k)
				pb.step(t, b, k)
				for i := range pa.params {
					for j, v := range pa.params[i].Value {
						if w := pb.params[i].Value[j]; math.Float32bits(v) != math.Float32bits(w) {
							t.Fatalf("step %d: %s[%d] resumed %v, uninterrupted %v", k+1, pa.params[i].Name, j, w, v)
						}
					}
				}
			}
		})
	}
}

func saved(t *testing.T, o Optimizer) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := o.(Stateful).Save(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func newParams(names ...string) []*Param {
	var ps []*Param
	for i, n := range names {
		ps = append(ps, &Param{Name: n, Shape: []int{i + 2}, Value: make([]float32, i+2), Grad: make([]float32, i+2)})
	}
	return ps
}

// TestLoadRefuses checks that states of another optimiser, of other parameters or shapes,
// and truncated or corrupted files are refused with a message naming the problem, and that
// nothing is loaded.
func TestLoadRefuses(t *testing.T) {
	ps := newParams("w", "b")
	adam, _ := NewAdam(ps, DefaultAdam())
	for _, p := range ps {
		p.Grad[0] = 1
	}
	adam.Step()
	good := saved(t, adam)
	sgd, _ := NewSGD(newParams("w", "b"), SGDConfig{LR: 0.1, Momentum: 0.9})
	other := saved(t, sgd)
	renamed, _ := NewAdam(newParams("w", "bias"), DefaultAdam())
	reshaped, _ := NewAdam([]*Param{{Name: "w", Shape: []int{2}, Value: make([]float32, 2)}, {Name: "b", Shape: []int{1, 3}, Value: make([]float32, 3)}}, DefaultAdam())
	corrupt := bytes.Clone(good)
	corrupt[len(corrupt)/2] ^= 1
	for _, tc := range []struct {
		name string
		into *Adam
		file []byte
		want string
	}{
		{"another optimizer", adam, other, `optimizer "sgd", not "adam"`},
		{"other names", renamed, good, `parameter "b", which the optimizer does not`},
		{"other shapes", reshaped, good, `parameter "b" has shape [3] in the file, [1 3] here`},
		{"truncated", adam, good[:len(good)-10], "truncated or corrupted"},
		{"truncated header", adam, good[:5], "truncated"},
		{"corrupted", adam, corrupt, "checksum mismatch"},
		{"not a state", adam, []byte("hello, world, this is not a state file"), "bad magic"},
	} {
		before := saved(t, tc.into)
		err := tc.into.Load(bytes.NewReader(tc.file))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want an error containing %q", tc.name, err, tc.want)
		}
		if !bytes.Equal(before, saved(t, tc.into)) {
			t.Errorf("%s: the refused load changed the optimizer", tc.name)
		}
	}
}

// TestBadConfig checks that invalid hyper-parameters and parameter sets are refused with a
// message naming them.
func TestBadConfig(t *testing.T) {
	ps := newParams("w", "b")
	cases := []struct {
		name string
		make func() error
		want string
	}{
		{"negative lr", func() error { _, err := NewSGD(ps, SGDConfig{LR: -1}); return err }, "lr must be positive"},
		{"beta1 = 1", func() error { c := DefaultAdam(); c.Beta1 = 1; _, err := NewAdam(ps, c); return err }, "betas[0] must be in [0, 1)"},
		{"beta2 < 0", func() error { c := DefaultAdamW(); c.Beta2 = -0.1; _, err := NewAdamW(ps, c); return err }, "betas[1] must be in [0, 1)"},
		{"nesterov without momentum", func() error { _, err := NewSGD(ps, SGDConfig{LR: 0.1, Nesterov: true}); return err }, "nesterov needs a positive momentum"},
		{"parameter in two groups", func() error {
			o, _ := NewSGD(ps[:1], SGDConfig{LR: 0.1})
			return o.AddGroup(ps, SGDConfig{LR: 0.1})
		}, `parameter "w" appears twice`},
		{"shared storage", func() error {
			q := &Param{Name: "w2", Shape: []int{2}, Value: ps[0].Value}
			_, err := NewSGD([]*Param{ps[0], q}, SGDConfig{LR: 0.1})
			return err
		}, "share their storage"},
		{"shape mismatch", func() error {
			_, err := NewSGD([]*Param{{Name: "x", Shape: []int{3}, Value: make([]float32, 2)}}, SGDConfig{LR: 0.1})
			return err
		}, `"x" has 2 values for shape [3]`},
		{"unknown option", func() error { _, err := New("adam", Options{"momentum": "0.9"}, Group{Params: ps}); return err }, `unknown option "momentum"`},
		{"bad value", func() error { _, err := New("adam", Options{"betas": "0.9"}, Group{Params: ps}); return err }, "option betas: want two numbers"},
		{"bad group option", func() error {
			_, err := New("sgd", nil, Group{Params: ps[:1]}, Group{Params: ps[1:], Options: Options{"lr": "-1"}})
			return err
		}, "(group 1)"},
		{"unknown optimizer", func() error { _, err := New("adamz", nil, Group{Params: ps}); return err }, `unknown optimizer "adamz"`},
		{"lbfgs groups", func() error {
			_, err := New("lbfgs", nil, Group{Params: ps[:1]}, Group{Params: ps[1:]})
			return err
		}, "supports one"},
	}
	for _, c := range cases {
		if err := c.make(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want an error containing %q", c.name, err, c.want)
		}
	}
	// A refused AddGroup leaves the optimiser as it was.
	o, _ := NewSGD(ps[:1], SGDConfig{LR: 0.1})
	if err := o.AddGroup(ps, SGDConfig{LR: 0.1}); err == nil || o.NumGroups() != 1 || len(o.params) != 1 {
		t.Errorf("refused AddGroup changed the optimizer: %d groups, %d params", o.NumGroups(), len(o.params))
	}
}

// TestNonFiniteGradient checks that a NaN or infinite gradient is refused with an error
// naming the parameter and the step, leaving every parameter and buffer untouched, for every
// optimiser of the registry.
func TestNonFiniteGradient(t *testing.T) {
	for _, e := range Registry() {
		ps := newParams("w", "b", "c")
		for _, p := range ps {
			for j := range p.Value {
				p.Value[j], p.Grad[j] = 0.5, 0.25
			}
		}
		o, err := e.New(nil, Group{Params: ps})
		if err != nil {
			t.Fatal(err)
		}
		closure := func() (float64, error) { return 1, nil }
		step := func() error {
			if l, ok := o.(*LBFGS); ok {
				_, err := l.StepWith(closure)
				return err
			}
			return o.Step()
		}
		if err := step(); err != nil {
			t.Fatalf("%s: %v", e.Name, err)
		}
		before := saved(t, o)
		values := [][]float32{}
		for _, p := range ps {
			values = append(values, append([]float32(nil), p.Value...))
		}
		ps[2].Grad[3] = float32(math.Inf(-1))
		err = step()
		var nf *NonFiniteError
		if !errors.As(err, &nf) || nf.Param != "c" || nf.Index != 3 || nf.Step != 2 || !errors.Is(err, ErrNonFinite) {
			t.Errorf("%s: got %v, want a NonFiniteError for c[3] at step 2", e.Name, err)
			continue
		}
		for i, p := range ps {
			for j, v := range p.Value {
				if v != values[i][j] {
					t.Errorf("%s: %s[%d] changed from %v to %v", e.Name, p.Name, j, values[i][j], v)
				}
			}
		}
		if _, ok := o.(*LBFGS); !ok && !bytes.Equal(before, saved(t, o)) {
			t.Errorf("%s: the refused step changed the state", e.Name)
		}
	}
}

// TestLBFGSNonFiniteLoss checks that a closure's NaN loss stops L-BFGS with a
// NonFiniteError for the loss (Index -1), the parameters at the last accepted iterate.
func TestLBFGSNonFiniteLoss(t *testing.T) {
	ps := newParams("w")
	o, err := NewLBFGS(ps, LBFGSConfig{})
	if err != nil {
		t.Fatal(err)
	}
	start := append([]float32(nil), ps[0].Value...)
	_, err = o.StepWith(func() (float64, error) {
		for j, v := range ps[0].Value {
			ps[0].Grad[j] = 2 * v
		}
		return math.NaN(), nil
	})
	var nf *NonFiniteError
	if !errors.As(err, &nf) || nf.Index != -1 || nf.Op != "optim: lbfgs" || nf.Step != 1 || !math.IsNaN(nf.Value) || !errors.Is(err, ErrNonFinite) {
		t.Fatalf("got %v, want a NonFiniteError of optim: lbfgs for the loss at step 1", err)
	}
	for j, v := range ps[0].Value {
		if v != start[j] {
			t.Fatalf("w[%d] moved from %v to %v: the first evaluation is the accepted iterate", j, start[j], v)
		}
	}
}

// TestStepAllocs locks in that Step allocates nothing, also when it runs in parallel and on
// matrices (Muon's products, Adafactor's factored moments).
func TestStepAllocs(t *testing.T) {
	ps := []*Param{
		{Name: "big", Shape: []int{1 << 18}, Value: make([]float32, 1<<18), Grad: make([]float32, 1<<18)},
		{Name: "small", Shape: []int{7}, Value: make([]float32, 7), Grad: make([]float32, 7)},
		{Name: "mat", Shape: []int{48, 80}, Value: make([]float32, 48*80), Grad: make([]float32, 48*80)},
		{Name: "tall", Shape: []int{3, 70, 20}, Value: make([]float32, 3*70*20), Grad: make([]float32, 3*70*20)},
	}
	for _, p := range ps {
		for j := range p.Value {
			p.Value[j], p.Grad[j] = float32(math.Sin(float64(j))), float32(math.Cos(float64(j)))
		}
	}
	for _, e := range Registry() {
		if e.Name == "lbfgs" {
			continue
		}
		o, err := e.New(nil, Group{Params: ps})
		if err != nil {
			t.Fatal(err)
		}
		if n := testing.AllocsPerRun(20, func() {
			if err := o.Step(); err != nil {
				t.Fatal(err)
			}
		}); n != 0 {
			t.Errorf("%s: Step allocates %v times", e.Name, n)
		}
	}
}

// TestParallelSplitsMatch checks that a step split across goroutines computes the same bits
// as one done by a single goroutine.
func TestParallelSplitsMatch(t *testing.T) {
	mk := func() []*Param {
		ps := newParams("a")
		n := 3*minPerWorker + 17
		ps = append(ps, &Param{Name: "big", Shape: []int{n}, Value: make([]float32, n), Grad: make([]float32, n)})
		for _, p := range ps {
			for j := range p.Value {
				p.Value[j] = float32(math.Sin(float64(j)))
				p.Grad[j] = float32(math.Cos(float64(3 * j)))
			}
		}
		return ps
	}
	a, b := mk(), mk()
	oa, _ := NewAdam(a, DefaultAdam())
	ob, _ := NewAdam(b, DefaultAdam())
	oa.ensurePlan()
	ob.ensurePlan()
	ob.plan = plan{workers: 1, segs: []segment{{0, 0, 2}, {1, 0, len(b[1].Value)}}, parts: []int{0, 2}}
	for range 3 {
		oa.Step()
		ob.run(1, phaseCheck)
		for i := range b {
			ob.state[i].step++
			ob.prepare(i)
		}
		ob.run(1, phaseUpdate)
	}
	for j := range a[1].Value {
		if a[1].Value[j] != b[1].Value[j] {
			t.Fatalf("element %d: split %v, single %v", j, a[1].Value[j], b[1].Value[j])
		}
	}
}
