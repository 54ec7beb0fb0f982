package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/descent-ml/descent/report"
	"github.com/descent-ml/descent/report/results"
	"github.com/descent-ml/descent/train"
)

func TestLRFindUsage(t *testing.T) {
	for _, args := range [][]string{
		{"lrfind", "--epochs", "2"},
		{"lrfind", "--schedule", "cosine"},
		{"lrfind", "--min-lr", "0"},
		{"lrfind", "--min-lr", "1", "--max-lr", "0.1"},
		{"lrfind", "--steps", "1"},
		{"lrfind", "--smoothing", "1"},
		{"lrfind", "--stop", "1"},
		{"lrfind", "--optimizer", "adam", "extra"},
	} {
		_, errOut, err := runDescent(args...)
		if !errors.Is(err, errUsage) || !strings.Contains(errOut, "Usage: descent lrfind") {
			t.Errorf("%q: err = %v, want errUsage and the usage:\n%s", args, err, errOut)
		}
	}
}

// TestLRFind runs the range test on 2000 MNIST images with logistic regression: it prints
// the table and the suggested rates, writes the plot and the points, and with --json one
// line whose suggestion is the lowest smoothed loss's rate ÷ 10.
func TestLRFind(t *testing.T) {
	dir := localMNIST(t)
	out := t.TempDir()
	args := []string{"lrfind", "--dir", dir, "--model", "logreg", "--train-size", "2000", "--batch-size", "50",
		"--threads", "1", "--out", out}
	stdout, _, err := runDescent(args...)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"LR range test of adam on logreg: 40 steps", "lowest smoothed loss", "suggested rate"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, stdout)
		}
	}
	for _, f := range []string{"lrfind.png", "lrfind.svg", "lrfind.csv"} {
		if fi, err := os.Stat(filepath.Join(out, f)); err != nil || fi.Size() == 0 {
			t.Errorf("%s: %v", f, err)
		}
	}
	csv, _ := os.ReadFile(filepath.Join(out, "lrfind.csv"))
	if lines := strings.Count(string(csv), "\n"); lines < 3 || lines > 41 {
		t.Errorf("lrfind.csv has %d lines, want a header and 2 to 40 points", lines)
	}
	stdout, _, err = runDescent(append(args, "--json", "--out", t.TempDir())...)
	if err != nil {
		t.Fatal(err)
	}
	var line struct {
		BestLR    float64 `json:"best_lr"`
		Suggested float64 `json:"suggested_minimum_over_10"`
		Steps     int     `json:"steps"`
	}
	if err := json.Unmarshal([]byte(strings.TrimSpace(stdout)), &line); err != nil {
		t.Fatalf("--json: %v\n%s", err, stdout)
	}
	if line.Steps < 2 || line.Steps > 40 || line.Suggested != line.BestLR/10 {
		t.Errorf("--json: %+v", line)
	}
}

// TestLRFindFlagsUsage: the flags that take a rate from the range test refuse what they
// cannot honour.
func TestLRFindFlagsUsage(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"compare", "--lr", "find,adam=1e-3"}, "find stands alone"},
		{[]string{"compare", "--lr", "find", "--plan", "p"}, "--lr find with --plan"},
		{[]string{"sweep", "--lr-center", "find", "--grid", "lr=1e-3:1e-1:3"}, "--lr-center makes the lr axis"},
		{[]string{"sweep", "--lr-span", "2"}, "give --lr-center"},
		{[]string{"sweep", "--lr-points", "3"}, "give --lr-center"},
		{[]string{"sweep", "--lr-center", "0"}, "want find or a positive rate"},
		{[]string{"sweep", "--lr-center", "fnd"}, "want find or a positive rate"},
		{[]string{"sweep", "--lr-center", "find", "--lr-span", "0"}, "--lr-span 0"},
		{[]string{"sweep", "--lr-center", "find", "--lr-points", "1"}, "--lr-points 1"},
		{[]string{"sweep", "--lr-center", "find", "--plan", "p"}, "--lr-center find with --plan"},
	} {
		_, errOut, err := runDescent(c.args...)
		if !errors.Is(err, errUsage) || !strings.Contains(errOut, c.want) || !strings.Contains(errOut, "Usage: descent "+c.args[0]) {
			t.Errorf("%q: err = %v, want errUsage, %q and the usage:\n%s", c.args, err, c.want, errOut)
		}
	}
}

// TestCompareLRFind compares two optimisers on 2000 MNIST images, each at the rate of its
// range test: the rate each trains at is the one descent lrfind suggests for the same
// model, data and seed, and the table and the report say it came from lrfind.
func TestCompareLRFind(t *testing.T) {
	dir := localMNIST(t)
	common := []string{"--dir", dir, "--model", "logreg", "--train-size", "2000", "--batch-size", "50", "--threads", "1", "--seed", "3"}
	out := t.TempDir()
	stdout, stderr, err := runDescent(append([]string{"compare", "--optimizers", "sgd,adam", "--lr", "find", "--epochs", "1",
		"--test-size", "500", "--out", out}, common...)...)
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	for _, name := range []string{"sgd", "adam"} {
		line, _, err := runDescent(append([]string{"lrfind", "--optimizer", name, "--json", "--out", t.TempDir()}, common...)...)
		if err != nil {
			t.Fatal(err)
		}
		var lf struct {
			Suggested float64 `json:"suggested_lr"`
		}
		if err := json.Unmarshal([]byte(strings.TrimSpace(line)), &lf); err != nil {
			t.Fatalf("lrfind --json: %v\n%s", err, line)
		}
		run := name + " lr=" + report.FormatValue(lf.Suggested, 3) + " (lrfind)"
		if !strings.Contains(stdout, run) {
			t.Errorf("the table lacks the run %q (lrfind suggests %v):\n%s", run, lf.Suggested, stdout)
		}
		if !strings.Contains(stderr, fmt.Sprintf("lrfind: %s: %.3g", name, lf.Suggested)) {
			t.Errorf("stderr does not tell %s's rate %.3g:\n%s", name, lf.Suggested, stderr)
		}
		recs, err := results.ReadFile(filepath.Join(out, "results.jsonl"))
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, r := range results.Runs(recs) {
			if r.Name == run {
				found = true
				if lr, ok := r.Steps[0].Metric(results.LR); !ok || math.Abs(lr-lf.Suggested) > 1e-6*lf.Suggested {
					t.Errorf("%s trained at lr %v, lrfind suggests %v", run, lr, lf.Suggested)
				}
			}
		}
		if !found {
			t.Errorf("results.jsonl has no run %q", run)
		}
	}
	html, _ := os.ReadFile(filepath.Join(out, "report.html"))
	if !strings.Contains(string(html), "LR range test") {
		t.Error("report.html does not say where the rates came from")
	}
}

// TestSweepLRCenter sweeps three rates around the range test's suggestion: a decade below,
// the suggestion, a decade above, as the axis lr=S/10:10S:3 makes them.
func TestSweepLRCenter(t *testing.T) {
	dir := localMNIST(t)
	out := t.TempDir()
	stdout, stderr, err := runDescent("sweep", "--dir", dir, "--model", "logreg", "--train-size", "2000", "--val", "500",
		"--batch-size", "50", "--threads", "1", "--epochs", "1", "--parallel", "1",
		"--lr-center", "find", "--lr-span", "1", "--lr-points", "3", "--out", out)
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	i := strings.Index(stderr, "lrfind: adam: ")
	if i < 0 {
		t.Fatalf("stderr does not tell the suggestion:\n%s", stderr)
	}
	var center float64
	if _, err := fmt.Sscanf(stderr[i+len("lrfind: adam: "):], "%g", &center); err != nil || !(center > 0) {
		t.Fatalf("suggestion %v (%v) in:\n%s", center, err, stderr)
	}
	want, err := train.ParseAxis(fmt.Sprintf("lr=%g:%g:3", center/10, center*10))
	if err != nil {
		t.Fatal(err)
	}
	recs, _ := results.ReadFile(filepath.Join(out, "results.jsonl"))
	runs := results.Runs(recs)
	if len(runs) != 3 {
		t.Fatalf("%d trials, want 3:\n%s", len(runs), stdout)
	}
	for k, r := range runs {
		lr, _ := r.Steps[0].Metric(results.LR)
		if math.Abs(lr-want.Values[k]) > 1e-6*want.Values[k] {
			t.Errorf("trial %d: lr %v, want %v (centre %v)", k, lr, want.Values[k], center)
		}
	}
	if lo, hi := want.Values[0], want.Values[2]; !(lo < center && center < hi) || math.Abs(math.Log10(hi/lo)-2) > 0.01 {
		t.Errorf("axis %v does not span a decade each side of %v", want.Values, center)
	}
}
