package lr_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"os"
	"testing"

	"github.com/descent-ml/descent/optim/lr"
)

// swalrFixture is testdata/swalr.json, written by optim/swa/testdata/gen_swa.py: torch
// 1.13's SWALR rates after construction and after each step.
type swalrFixture struct {
	Torch string `json:"torch"`
	Steps int    `json:"steps"`
	Cases []struct {
		Name         string      `json:"name"`
		LR0          []float64   `json:"lr0"`
		SWALR        []float64   `json:"swa_lr"`
		AnnealEpochs int         `json:"anneal_epochs"`
		Strategy     lr.Anneal   `json:"strategy"`
		LRs          [][]float64 `json:"lrs"`
	} `json:"cases"`
}

// TestSWALRTorch replays every SWALR case of the torch fixture and checks every rate to
// relative 1e-9, as TestTorchParity does for the other schedulers.
func TestSWALRTorch(t *testing.T) {
	const tol = 1e-9
	b, err := os.ReadFile("testdata/swalr.json")
	if err != nil {
		t.Fatal(err)
	}
	var f swalrFixture
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	if len(f.Cases) != 16 || f.Steps != 30 {
		t.Fatalf("fixture has %d cases of %d steps, want 16 of 30", len(f.Cases), f.Steps)
	}
	worst := 0.0
	for _, c := range f.Cases {
		opt := lr.Rates(append([]float64(nil), c.LR0...))
		s, err := lr.NewSWALR(opt, c.SWALR, c.AnnealEpochs, c.Strategy)
		if err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		if len(c.LRs) != f.Steps+1 {
			t.Fatalf("%s: %d rows, want %d", c.Name, len(c.LRs), f.Steps+1)
		}
		for step, want := range c.LRs {
			if step > 0 {
				if err := s.Step(); err != nil {
					t.Fatalf("%s step %d: %v", c.Name, step, err)
				}
			}
			for g, w := range want {
				got := s.LastLR()[g]
				e := relErr(got, w)
				worst = max(worst, e)
				if e > tol || opt[g] != got {
					t.Errorf("%s step %d group %d: %v (optimiser %v), torch %v", c.Name, step, g, got, opt[g], w)
				}
			}
		}
	}
	t.Logf("%d SWALR cases of torch %s: largest relative difference %.3g", len(f.Cases), f.Torch, worst)
}

// TestSWALRState checks that a SWALR restored from its state mid-annealing continues with
// the same rates, bit for bit, and that bad states and arguments are refused.
func TestSWALRState(t *testing.T) {
	a := lr.Rates{0.1, 0.02}
	s, err := lr.NewSWALR(a, []float64{0.05}, 6, lr.AnnealLinear)
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if err := s.Step(); err != nil {
			t.Fatal(err)
		}
	}
	st, err := s.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	b := lr.Rates{1, 1}
	r, err := lr.NewSWALR(b, []float64{0.3}, 2, lr.AnnealCos)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.UnmarshalBinary(st); err != nil {
		t.Fatal(err)
	}
	for i := range 8 {
		if a[0] != b[0] || a[1] != b[1] {
			t.Fatalf("step %d after loading: %v, want %v", i, b, a)
		}
		if err := s.Step(); err != nil {
			t.Fatal(err)
		}
		if err := r.Step(); err != nil {
			t.Fatal(err)
		}
	}
	var se *lr.StateError
	if err := r.UnmarshalBinary([]byte(`{"format":"descent/optim/lr","version":1,"type":"StepLR"}`)); !errors.As(err, &se) {
		t.Errorf("a StepLR state: %v, want a *StateError", err)
	}
	for _, bad := range []struct {
		swa    []float64
		epochs int
		anneal lr.Anneal
	}{{[]float64{-1}, 1, ""}, {[]float64{0.1, 0.1, 0.1}, 1, ""}, {[]float64{0.1}, -1, ""}, {[]float64{0.1}, 1, "exp"}} {
		if _, err := lr.NewSWALR(lr.Rates{0.1, 0.2}, bad.swa, bad.epochs, bad.anneal); err == nil {
			t.Errorf("NewSWALR(%v, %d, %q): no error", bad.swa, bad.epochs, bad.anneal)
		}
	}
}

// Stochastic weight averaging's schedule: from the rate of the epoch where averaging
// starts, anneal to the SWA rate over 4 epochs along a half cosine, then keep it (torch's
// SWALR(optimizer, swa_lr=0.01, anneal_epochs=4)).
func ExampleSWALR() {
	opt := lr.Rates{0.1}
	sched, err := lr.NewSWALR(opt, []float64{0.01}, 4, lr.AnnealCos)
	if err != nil {
		log.Fatal(err)
	}
	for epoch := range 6 {
		fmt.Printf("epoch %d: %.5f\n", epoch, opt.LR(0))
		// An epoch of training, then the weights are averaged (swa.AveragedModel.Update).
		if err := sched.Step(); err != nil {
			log.Fatal(err)
		}
	}
	// Output:
	// epoch 0: 0.10000
	// epoch 1: 0.08682
	// epoch 2: 0.05500
	// epoch 3: 0.02318
	// epoch 4: 0.01000
	// epoch 5: 0.01000
}
