package main

import (
	"encoding/json"
	"errors"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/descent-ml/descent/minimize"
)

func TestMinimizeNewtonRosenbrock(t *testing.T) {
	out, _, err := runDescent("minimize", "--problem", "rosenbrock", "--dim", "2", "--method", "newton")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"(-1.17528, 1.38067)", "(0.76311, -3.17503)", "(0.76343, 0.58282)", "gradient tolerance after 6 iterations"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestMinimizeJSON(t *testing.T) {
	out, _, err := runDescent("minimize", "--problem", "quadratic", "--dim", "20", "--kappa", "50", "--method", "heavyball", "--json", "--seed", "3")
	if err != nil {
		t.Fatal(err)
	}
	var j minimizeJSON
	if err := json.Unmarshal([]byte(out), &j); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if j.Status != "gradient tolerance" || j.L == nil || *j.L != 50 || j.Mu == nil || *j.Mu != 1 || len(j.Trace) != j.Last.Iter+1 || j.Trace[0].Dist == nil {
		t.Errorf("unexpected JSON: %+v", j)
	}
	// Rosenbrock has no L: the keys are absent.
	out, _, err = runDescent("minimize", "--problem", "rosenbrock", "--method", "lbfgs", "--json", "--dim", "3")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out, `"L"`) || !strings.Contains(out, `"f_star":0`) {
		t.Errorf("Rosenbrock JSON: %s", out)
	}
}

func TestMinimizePlot(t *testing.T) {
	path := filepath.Join(t.TempDir(), "trace.png")
	if _, _, err := runDescent("minimize", "--problem", "worstcase", "--dim", "30", "--method", "nesterov", "--maxiter", "50", "--gtol", "-1", "--plot", path); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := png.DecodeConfig(f); err != nil {
		t.Errorf("plot is not a PNG: %v", err)
	}
}

func TestMinimizeErrors(t *testing.T) {
	for _, args := range [][]string{
		{"minimize"},
		{"minimize", "--problem", "rosenbrock"},
		{"minimize", "--problem", "nope", "--method", "gd"},
		{"minimize", "--problem", "rosenbrock", "--method", "nope"},
		{"minimize", "--problem", "quadratic", "--method", "gd", "--kappa", "0.5"},
		{"minimize", "--problem", "quadratic", "--method", "gd", "--momentum", "1"},
		{"minimize", "--problem", "quadratic", "--method", "gd", "--x0", "1,2"},
		{"minimize", "--problem", "quadratic", "--method", "gd", "--scipy"},
		{"minimize", "--problem", "logistic", "--method", "lbfgs", "--scipy-script", "x.py"},
		{"minimize", "--problem", "logistic", "--method", "lbfgs", "--scipy", "--x0", "1"},
		{"minimize", "--problem", "quadratic", "--method", "gd", "extra"},
	} {
		if _, _, err := runDescent(args...); !errors.Is(err, errUsage) {
			t.Errorf("%q: err = %v, want errUsage", args, err)
		}
	}
	// A method that cannot run on the problem is a run error that says why.
	if _, _, err := runDescent("minimize", "--problem", "rosenbrock", "--method", "gd"); err == nil || !strings.Contains(err.Error(), "Step") {
		t.Errorf("gd on Rosenbrock without a step: %v", err)
	}
	// Divergence is reported, with the trace printed.
	out, _, err := runDescent("minimize", "--problem", "quadratic", "--dim", "5", "--method", "gd", "--step", "10")
	if !errors.Is(err, minimize.ErrNonFinite) || !strings.Contains(out, "failure") {
		t.Errorf("diverging gd: %v\n%s", err, out)
	}
	if _, errOut, err := runDescent("minimize", "-h"); !errors.Is(err, errHelp) || !strings.Contains(errOut, "worstcase-strong") || !strings.Contains(errOut, "newton-cg") {
		t.Errorf("minimize -h: %v\n%s", err, errOut)
	}
}

// TestMinimizeProgress: a run prints a line on stderr for each iteration that ends the
// progress interval after the last line, none when the run is shorter.
func TestMinimizeProgress(t *testing.T) {
	args := []string{"minimize", "--problem", "rosenbrock", "--dim", "2", "--method", "newton"}
	_, errOut, err := runDescent(args...)
	if err != nil || errOut != "" {
		t.Fatalf("a run of milliseconds: error %v, stderr %q", err, errOut)
	}
	defer func(every time.Duration) { minimizeProgressEvery = every }(minimizeProgressEvery)
	minimizeProgressEvery = 0
	_, errOut, err = runDescent(args...)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(errOut), "\n")
	if len(lines) != 6 || !strings.HasPrefix(lines[0], "minimize: iteration 1, f = ") || !strings.HasPrefix(lines[5], "minimize: iteration 6, f = ") {
		t.Errorf("with no interval, want a line for each of the 6 iterations:\n%s", errOut)
	}
}
