package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRepoFile: the reference programs are found from any folder inside the repository,
// and not from a folder outside it, nor in a module of another name.
func TestRepoFile(t *testing.T) {
	p, err := repoFile(".", "bench/scipy_lbfgs.py")
	if err != nil {
		t.Fatal(err)
	}
	want, _ := filepath.Abs("../../bench/scipy_lbfgs.py")
	if p != want {
		t.Errorf("repoFile = %s, want %s", p, want)
	}
	if _, err := repoFile(".", "bench/no-such-file.py"); err == nil {
		t.Error("a missing file was found")
	}
	other := t.TempDir()
	if err := os.WriteFile(filepath.Join(other, "go.mod"), []byte("module example.com/other\n\ngo 1.26\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(other, "bench", "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(other, "bench", "scipy_lbfgs.py"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if p, err := repoFile(filepath.Join(other, "bench", "sub"), "bench/scipy_lbfgs.py"); err == nil {
		t.Errorf("found %s in a module that is not descent", p)
	}
	if err := os.WriteFile(filepath.Join(other, "go.mod"), []byte("module "+modulePath+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if p, err := repoFile(filepath.Join(other, "bench", "sub"), "bench/scipy_lbfgs.py"); err != nil || p != filepath.Join(other, "bench", "scipy_lbfgs.py") {
		t.Errorf("in a copy of the repository: %s, %v", p, err)
	}
}

// TestBenchHelpNamesReferences: each bench target's help names its reference program,
// and each named program is in the repository.
func TestBenchHelpNamesReferences(t *testing.T) {
	for target, script := range map[string]string{"gemm": "bench/torch_gemm.py", "optim": "bench/torch_optstep.py", "step": "bench/torch_train.py"} {
		var out, errOut bytes.Buffer
		if err := runBench(context.Background(), []string{target, "-h"}, &out, &errOut); err != errHelp {
			t.Fatalf("bench %s -h: %v", target, err)
		}
		if help := out.String() + errOut.String(); !strings.Contains(help, script) || !strings.Contains(help, "bench/reference.py") {
			t.Errorf("bench %s -h does not name %s and bench/reference.py:\n%s", target, script, help)
		}
		if _, err := repoFile(".", script); err != nil {
			t.Error(err)
		}
	}
}

func TestBenchOptimLayout(t *testing.T) {
	var out, errOut bytes.Buffer
	args := []string{"optim", "--optimizer", "adam", "--size", "100", "--count", "3", "--steps", "2", "--threads", "1", "--json"}
	if err := runBench(context.Background(), args, &out, &errOut); err != nil {
		t.Fatalf("bench optim: %v (%s)", err, errOut.String())
	}
	var r struct {
		Layout       string  `json:"layout"`
		StateBuffers int     `json:"state_buffers"`
		ParamsPerSec float64 `json:"params_per_second"`
		CPU          string  `json:"cpu"`
	}
	if err := json.Unmarshal(out.Bytes(), &r); err != nil {
		t.Fatalf("%v: %s", err, out.String())
	}
	if r.Layout != "3x100" || r.StateBuffers != 2 || !(r.ParamsPerSec > 0) || r.CPU == "" {
		t.Errorf("got %s, want layout 3x100, 2 state buffers (Adam's), a positive rate and the CPU", out.String())
	}
	out.Reset()
	args = []string{"optim", "--optimizer", "lamb", "--against", "adam", "--size", "1000", "--steps", "5", "--threads", "1", "--json"}
	if err := runBench(context.Background(), args, &out, &errOut); err != nil {
		t.Fatalf("bench optim --against: %v (%s)", err, errOut.String())
	}
	var a struct {
		Against  string  `json:"against"`
		Ratio    float64 `json:"ratio"`
		RatioMin float64 `json:"ratio_min"`
		RatioMax float64 `json:"ratio_max"`
	}
	if err := json.Unmarshal(out.Bytes(), &a); err != nil {
		t.Fatalf("%v: %s", err, out.String())
	}
	if a.Against != "adam" || !(a.RatioMin > 0 && a.RatioMin <= a.Ratio && a.Ratio <= a.RatioMax) {
		t.Errorf("--against adam: %s, want the reference named and ratios 0 < min ≤ median ≤ max", out.String())
	}
	if err := runBench(context.Background(), []string{"optim", "--count", "0"}, &out, &errOut); err != errUsage {
		t.Errorf("--count 0: %v, want a usage error", err)
	}
}
