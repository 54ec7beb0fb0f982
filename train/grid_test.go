package train

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/descent-ml/descent/optim"
)

func TestParseAxis(t *testing.T) {
	for _, c := range []struct {
		in   string
		key  string
		want []float64
	}{
		{"lr=1e-4:1e-1:7", "lr", []float64{1e-4, 3.16e-4, 1e-3, 3.16e-3, 1e-2, 3.16e-2, 1e-1}},
		{"weight-decay=1e-5,1e-4,1e-3", "weight_decay", []float64{1e-5, 1e-4, 1e-3}},
		{"momentum=0,0.9", "momentum", []float64{0, 0.9}},
		{"lr=0.01:0.01:1", "lr", []float64{0.01}},
		{"lr=1:100:3", "lr", []float64{1, 10, 100}},
		{"eps = 1e-8", "eps", []float64{1e-8}},
	} {
		a, err := ParseAxis(c.in)
		if err != nil {
			t.Errorf("%q: %v", c.in, err)
			continue
		}
		if a.Key != c.key || !slices.Equal(a.Values, c.want) {
			t.Errorf("%q = %s %v, want %s %v", c.in, a.Key, a.Values, c.key, c.want)
		}
	}
	for _, c := range []struct{ in, err string }{
		{"lr", "is not KEY"},
		{"=1,2", "is not KEY"},
		{"lr=", "is not KEY"},
		{"lr=1e-4:1e-1", "LO:HI:N"},
		{"lr=0:1:3", "positive finite"},
		{"lr=1e-4:1e-1:0", "want 1 to 100"},
		{"lr=1e-4:1e-1:x", "integer"},
		{"lr=1e-4:1e-1:1", "one value cannot span"},
		{"lr=a,b", `"a" is not a finite number`},
		{"lr=1,NaN", "not a finite number"},
		{"lr=0.1,0.1", "repeats"},
	} {
		if _, err := ParseAxis(c.in); err == nil || !strings.Contains(err.Error(), c.err) {
			t.Errorf("%q: error %v, want one saying %q", c.in, err, c.err)
		}
	}
}

func TestGrid(t *testing.T) {
	axes := []Axis{{Key: "lr", Values: []float64{1e-3, 1e-2}}, {Key: "weight_decay", Values: []float64{0, 1e-4, 1e-3}}}
	trials := Grid(axes)
	if len(trials) != 6 {
		t.Fatalf("%d trials, want 6", len(trials))
	}
	if trials[0].Name != "lr=0.001 weight_decay=0" || trials[5].Name != "lr=0.01 weight_decay=0.001" {
		t.Errorf("names %q … %q", trials[0].Name, trials[5].Name)
	}
	seen := map[string]bool{}
	for _, tr := range trials {
		if seen[tr.Name] {
			t.Errorf("trial %q repeats", tr.Name)
		}
		seen[tr.Name] = true
	}
	o := trials[4].Options(axes)
	if o["lr"] != "0.01" || o["weight_decay"] != "0.0001" {
		t.Errorf("options of %s: %v", trials[4].Name, o)
	}
	if got := Grid(nil); len(got) != 1 || got[0].Name != "" {
		t.Errorf("the grid of no axis is %v, want one trial of the base configuration", got)
	}
	jobs := SweepJobs(Config{Options: map[string]string{"lr": "1", "eps": "1e-6"}}, axes)
	if len(jobs) != 6 || jobs[5].Config.Options["lr"] != "0.01" || jobs[5].Config.Options["eps"] != "1e-6" {
		t.Errorf("sweep jobs: %+v", jobs[5])
	}
}

func TestRates(t *testing.T) {
	r, err := ParseRates("0.02,adam=3e-4,sgd=0.05")
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]float64{"adam": 3e-4, "sgd": 0.05, "rmsprop": 0.02} {
		if got, ok := r.For(name); !ok || got != want {
			t.Errorf("rate of %s = %v, want %v", name, got, want)
		}
	}
	r, _ = ParseRates("")
	for _, name := range DefaultOptimizers {
		got, ok := r.For(name)
		def, _ := DefaultLR(name)
		if !ok || got != def || !(def > 0) {
			t.Errorf("default rate of %s = %v, want DefaultLR's %v", name, got, def)
		}
	}
	for _, c := range []struct{ in, err string }{
		{"adam=x", "not a positive number"},
		{"adam=-1", "not a positive number"},
		{"adam=0", "not a positive number"},
		{"nope=1", "unknown optimizer"},
		{"=1", "no optimiser name"},
		{"adam=1,adam=2", "two learning rates for adam"},
		{"1,2", "two learning rates for every optimiser"},
		{"adam=Inf", "not a positive number"},
	} {
		if _, err := ParseRates(c.in); err == nil || !strings.Contains(err.Error(), c.err) {
			t.Errorf("%q: %v, want an error saying %q", c.in, err, c.err)
		}
	}
}

func TestCompareJobs(t *testing.T) {
	r, _ := ParseRates("adam=3e-4")
	jobs, err := CompareJobs(Config{Seed: 5, Options: map[string]string{"weight_decay": "1e-4"}}, []string{"sgd", "adam"}, r, 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(jobs) != 6 {
		t.Fatalf("%d jobs, want 6", len(jobs))
	}
	j := jobs[4]
	if j.Name != "adam" || j.Config.Seed != 6 || j.Config.Optimizer != "adam" || j.Config.Options["lr"] != "0.0003" ||
		j.Config.Options["weight_decay"] != "1e-4" || j.Label != "adam seed 6" {
		t.Errorf("job %+v", j)
	}
	if jobs[0].Config.Options["lr"] != "0.1" {
		t.Errorf("sgd got lr %s, want its default 0.1", jobs[0].Config.Options["lr"])
	}
	jobs[0].Config.Options["lr"] = "changed"
	if jobs[1].Config.Options["lr"] == "changed" {
		t.Error("jobs share their options")
	}
	if _, err := CompareJobs(Config{}, []string{"sgd"}, r, 1); err == nil || !strings.Contains(err.Error(), "not compared") {
		t.Errorf("a rate for an optimiser not compared: %v", err)
	}
	if _, err := CompareJobs(Config{}, []string{"nope"}, Rates{}, 1); err == nil {
		t.Error("an unknown optimiser was accepted")
	}
}

func TestDefaultLR(t *testing.T) {
	for _, d := range defaultLRs {
		if !(d.lr > 0) || math.IsInf(d.lr, 0) {
			t.Errorf("%s: default rate %v", d.name, d.lr)
		}
	}
	for _, e := range optim.Registry() {
		if _, ok := DefaultLR(e.Name); !ok {
			t.Errorf("optimiser %s has no default learning rate", e.Name)
		}
	}
	if _, ok := DefaultLR("nope"); ok {
		t.Error("a default rate for an unknown optimiser")
	}
	if lr := (Config{Optimizer: "sgd"}).LR(); lr != 0.1 {
		t.Errorf("Config.LR of sgd = %v, want 0.1", lr)
	}
	if lr := (Config{Optimizer: "sgd", Options: map[string]string{"lr": "0.5"}}).LR(); lr != 0.5 {
		t.Errorf("Config.LR with lr 0.5 = %v", lr)
	}
}
