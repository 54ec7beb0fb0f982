package main

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/descent-ml/descent/theory"
)

// TestTheoryList: --list prints the catalogue, the same as theory.WriteCatalogue.
func TestTheoryList(t *testing.T) {
	out, _, err := runDescent("theory", "--list")
	if err != nil {
		t.Fatal(err)
	}
	var want strings.Builder
	if err := theory.WriteCatalogue(&want, theory.Catalogue()); err != nil {
		t.Fatal(err)
	}
	if out != want.String() {
		t.Errorf("--list is not the catalogue:\n%s", out)
	}
	for _, s := range []string{"### first-order (theorem)", "### momentum-sgd (illustration, erratum, on MNIST)", "*In the lecture.*",
		"*Criterion.*", "*Experiment and pass criterion.*", "*History.*"} {
		if !strings.Contains(out, s) {
			t.Errorf("--list lacks %q", s)
		}
	}
}

// TestTheoryClaims runs two claims, one that passes and an erratum, and reads the report.
func TestTheoryClaims(t *testing.T) {
	dir := t.TempDir()
	out, stderr, err := runDescent("theory", "--claim", "sandwich,adagrad-scale", "--quick", "--seed", "3", "--out", dir)
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	for _, want := range []string{"sandwich", "PASS", "adagrad-scale", "ERRATUM", "1 PASS, 1 ERRATUM, 0 FAIL, 0 ERROR"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	page, err := os.ReadFile(filepath.Join(dir, "report.html"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Errata", "Counter-instance", "data:image/png;base64,", "descent theory --list", "In the lecture:"} {
		if !strings.Contains(string(page), want) {
			t.Errorf("report.html lacks %q", want)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "sandwich.png")); err != nil {
		t.Errorf("no plot of sandwich: %v", err)
	}
}

func TestTheoryBadFlags(t *testing.T) {
	if _, stderr, err := runDescent("theory", "--claim", "no-such-claim", "--out", "-"); !errors.Is(err, errUsage) || !strings.Contains(stderr, "no claim") {
		t.Errorf("unknown claim: %v, %q", err, stderr)
	}
	if _, _, err := runDescent("theory", "extra"); !errors.Is(err, errUsage) {
		t.Errorf("stray argument: %v", err)
	}
}
