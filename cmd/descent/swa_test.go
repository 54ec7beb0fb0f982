package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/descent-ml/descent/nn/weights"
	"github.com/descent-ml/descent/train"
)

func TestSWAUsage(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--epochs", "2", "--swa-start", "3"}, "--swa-start 3: beyond the last epoch (--epochs 2)"},
		{[]string{"--swa-start", "-1"}, "--swa-start -1"},
		{[]string{"--swa-lr", "0.1"}, "--swa-lr: an option of --swa-start"},
		{[]string{"--swa-anneal", "linear"}, "--swa-anneal: an option of --swa-start"},
		{[]string{"--swa-start", "1", "--swa-anneal-epochs", "3"}, "which is not given"},
		{[]string{"--swa-start", "1", "--swa-lr", "-0.1"}, "--swa-lr -0.1"},
		{[]string{"--swa-start", "1", "--swa-lr", "0"}, "--swa-lr 0"},
		{[]string{"--swa-start", "1", "--swa-lr", "0.1", "--swa-anneal", "exp"}, `--swa-anneal "exp"`},
		{[]string{"--swa-start", "1", "--swa-lr", "0.1", "--swa-anneal-epochs", "-1"}, "--swa-anneal-epochs -1"},
		{[]string{"--ema", "1"}, "--ema 1: want a decay in (0, 1)"},
		{[]string{"--ema", "-0.5"}, "--ema -0.5"},
	} {
		for _, cmd := range []string{"train", "compare"} {
			_, errOut, err := runDescent(append([]string{cmd}, c.args...)...)
			if !errors.Is(err, errUsage) || !strings.Contains(errOut, c.want) {
				t.Errorf("%s %q: %v, want a usage error saying %q:\n%s", cmd, c.args, err, c.want, firstLine(errOut))
			}
		}
	}
	_, errOut, _ := runDescent("train", "-h")
	for _, flag := range []string{"-swa-start EPOCH", "-swa-lr LR", "-swa-anneal-epochs", "-swa-anneal", "-ema DECAY"} {
		if !strings.Contains(errOut, flag) {
			t.Errorf("descent train -h does not describe %s", flag)
		}
	}
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return l
}

// TestSWACommands runs compare and train with SWA and EMA: compare has a row per averaged
// model in its table and summary.csv; train saves the averages beside the model, under the
// same names, and resumes to the same files.
func TestSWACommands(t *testing.T) {
	mnistDir := localMNIST(t)
	out := filepath.Join(t.TempDir(), "cmp")
	args := append(small(mnistDir), "--model", "mlp:16:relu:batchnorm", "--optimizers", "sgd,adam", "--swa-start", "2", "--ema", "0.99", "--out", out)
	stdout, stderr, err := runDescent(append([]string{"compare"}, args...)...)
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	csv, err := os.ReadFile(filepath.Join(out, train.SummaryFile))
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range []string{"sgd", "sgd+swa", "sgd+ema", "adam", "adam+swa", "adam+ema"} {
		if !strings.Contains(stdout, row+" ") || !strings.Contains(string(csv), "\n"+row+",") {
			t.Errorf("no row %s in the table or summary.csv:\n%s\n%s", row, stdout, csv)
		}
	}

	targs := append(small(mnistDir), "--model", "mlp:16:relu:batchnorm", "--optimizer", "momentum", "--swa-start", "1",
		"--swa-lr", "0.01", "--swa-anneal-epochs", "1", "--ema", "0.9")
	full := filepath.Join(t.TempDir(), "full")
	if _, stderr, err := runDescent(append([]string{"train", "--out", full}, targs...)...); err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	model, _, err := weights.ReadFile(filepath.Join(full, train.WeightsFile))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range model {
		names = append(names, e.Name)
	}
	files := map[string][]byte{}
	for _, kind := range []string{train.AverageSWA, train.AverageEMA} {
		path := filepath.Join(full, train.AverageWeightsFile(kind))
		avg, _, err := weights.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, e := range avg {
			got = append(got, e.Name)
		}
		if !slices.Equal(got, names) {
			t.Errorf("%s holds %v, model.safetensors %v", path, got, names)
		}
		files[kind], _ = os.ReadFile(path)
	}

	dir := filepath.Join(t.TempDir(), "cut")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var o, e bytes.Buffer
	if err := run(ctx, append([]string{"train", "--out", dir}, targs...), &o, &e); !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted: %v\n%s", err, e.String())
	}
	if _, stderr, err := runDescent("train", "--resume", dir); err != nil {
		t.Fatalf("resume: %v\n%s", err, stderr)
	}
	for kind, want := range files {
		if got, _ := os.ReadFile(filepath.Join(dir, train.AverageWeightsFile(kind))); !bytes.Equal(got, want) {
			t.Errorf("the %s weights of the resumed run differ from the uninterrupted run's", kind)
		}
	}
}
