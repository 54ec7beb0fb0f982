package main

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
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
