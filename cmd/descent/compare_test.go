package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/descent-ml/descent/report/results"
	"github.com/descent-ml/descent/train"
)

// small are the flags of a run that takes a second on MNIST's first images.
func small(dir string) []string {
	return []string{"--dir", dir, "--model", "logreg", "--epochs", "2", "--train-size", "2000", "--test-size", "500",
		"--batch-size", "100", "--threads", "1"}
}

func TestTrainingUsage(t *testing.T) {
	for _, args := range [][]string{
		{"compare", "--epochs", "0"},
		{"compare", "--lr", "adam=x"},
		{"compare", "--lr", "sgd=0.1", "--optimizers", "adam"},
		{"compare", "--optimizers", "nope"},
		{"compare", "--optimizers", ","},
		{"compare", "--model", "resnet"},
		{"compare", "--hidden", "10,x"},
		{"compare", "--schedule", "step:x"},
		{"compare", "--group", "nocolon"},
		{"compare", "--options", "lr"},
		{"compare", "--seeds", "0"},
		{"compare", "extra"},
		{"train", "--lr", "-1"},
		{"train", "--batch-size", "0"},
		{"train", "--threads", "0"},
		{"sweep", "--grid", "lr=1:2"},
		{"sweep", "--grid", "lr=1,2", "--grid", "lr=3"},
		{"sweep", "--test-size", "10"},
		{"sweep", "--val", "0"},
		{"report"},
		{"report", "a", "b"},
		{"report", "--nope", "a"},
	} {
		_, errOut, err := runDescent(args...)
		if !errors.Is(err, errUsage) {
			t.Errorf("%q: err = %v, want errUsage", args, err)
			continue
		}
		if !strings.Contains(errOut, "Usage: descent "+args[0]) {
			t.Errorf("%q: no usage on stderr:\n%s", args, errOut)
		}
	}
	for _, cmd := range []string{"compare", "train", "sweep", "report"} {
		if _, errOut, err := runDescent(cmd, "-h"); !errors.Is(err, errHelp) || !strings.Contains(errOut, "Usage: descent "+cmd) {
			t.Errorf("%s -h: %v\n%s", cmd, err, errOut)
		}
	}
	if _, _, err := runDescent("report", t.TempDir()); err == nil || !strings.Contains(err.Error(), "not a run folder") {
		t.Errorf("report of an empty folder: %v", err)
	}
}

func TestCompareCommand(t *testing.T) {
	mnistDir := localMNIST(t)
	out := filepath.Join(t.TempDir(), "run")
	args := append(small(mnistDir), "--optimizers", "sgd,adam,rmsprop", "--lr", "rmsprop=1e6", "--seeds", "2", "--out", out)
	stdout, stderr, err := runDescent(append([]string{"compare"}, args...)...)
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	for _, want := range []string{"sgd", "adam", "test accuracy", "diverged"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("summary does not say %q:\n%s", want, stdout)
		}
	}
	if !strings.Contains(stderr, "report: "+filepath.Join(out, "report.html")) {
		t.Errorf("stderr does not say where the report is:\n%s", stderr)
	}
	for _, name := range []string{"report.html", "summary.csv", "results.jsonl", "run.json", "loss-vs-step.png", "loss-vs-step.svg", "accuracy-vs-epoch.png"} {
		if _, err := os.Stat(filepath.Join(out, name)); err != nil {
			t.Error(err)
		}
	}
	recs, err := results.ReadFile(filepath.Join(out, "results.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	if n := len(results.Runs(recs)); n != 6 {
		t.Errorf("%d runs, want 3 optimisers × 2 seeds", n)
	}

	// The same command again gives the same records but for the times.
	out2 := filepath.Join(t.TempDir(), "run")
	args[len(args)-1] = out2
	if _, stderr, err := runDescent(append([]string{"compare"}, args...)...); err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	recs2, _ := results.ReadFile(filepath.Join(out2, "results.jsonl"))
	if len(recs) != len(recs2) {
		t.Fatalf("%d and %d records", len(recs), len(recs2))
	}
	for i := range recs {
		a, b := recs[i], recs2[i]
		a.Seconds, b.Seconds = 0, 0
		ja, _ := json.Marshal(a)
		jb, _ := json.Marshal(b)
		if !bytes.Equal(ja, jb) {
			t.Fatalf("record %d differs between two runs of the same command:\n%s\n%s", i, ja, jb)
		}
	}

	// descent report rebuilds the page from the folder.
	os.Remove(filepath.Join(out, "report.html"))
	stdout, _, err = runDescent("report", out)
	if err != nil || !strings.Contains(stdout, "adam") {
		t.Errorf("report: %v\n%s", err, stdout)
	}
	if _, err := os.Stat(filepath.Join(out, "report.html")); err != nil {
		t.Error(err)
	}
}

func TestCompareJSON(t *testing.T) {
	mnistDir := localMNIST(t)
	args := append(small(mnistDir), "--optimizers", "adam", "--json", "--out", t.TempDir())
	stdout, stderr, err := runDescent(append([]string{"compare"}, args...)...)
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d lines, want one per epoch:\n%s", len(lines), stdout)
	}
	var l map[string]any
	if err := json.Unmarshal([]byte(lines[1]), &l); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"run", "seed", "epoch", "seconds", "train_loss", "test_loss", "test_accuracy", "lr"} {
		if _, ok := l[k]; !ok {
			t.Errorf("no %q in %s", k, lines[1])
		}
	}
	if l["epoch"] != 2.0 || l["run"] != "adam" {
		t.Errorf("line %s", lines[1])
	}
}

func TestTrainCommandResume(t *testing.T) {
	mnistDir := localMNIST(t)
	args := append(small(mnistDir), "--model", "mlp", "--hidden", "32", "--optimizer", "momentum", "--schedule", "cosine",
		"--no-decay-bias", "--weight-decay", "1e-4", "--json")
	full := filepath.Join(t.TempDir(), "full")
	stdout, stderr, err := runDescent(append([]string{"train", "--out", full}, args...)...)
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	if n := strings.Count(stdout, "\n"); n != 2 {
		t.Errorf("%d JSON lines, want 2:\n%s", n, stdout)
	}
	want, err := os.ReadFile(filepath.Join(full, train.WeightsFile))
	if err != nil {
		t.Fatal(err)
	}

	// Interrupted before its first step, then resumed.
	dir := filepath.Join(t.TempDir(), "cut")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var o, e bytes.Buffer
	err = run(ctx, append([]string{"train", "--out", dir}, args...), &o, &e)
	if !errors.Is(err, context.Canceled) || !strings.Contains(e.String(), "--resume "+dir) {
		t.Fatalf("interrupted: %v\n%s", err, e.String())
	}
	if _, err := os.Stat(filepath.Join(dir, "checkpoint.ckpt")); err != nil {
		t.Fatal(err)
	}
	// As if killed in the middle of writing a record: resuming drops the torn line.
	f, _ := os.OpenFile(filepath.Join(dir, "results.jsonl"), os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString(`{"run":"momentum","seed":1,"kind":"st`)
	f.Close()
	if _, errOut, err := runDescent("train", "--resume", dir, "--epochs", "5"); !errors.Is(err, errUsage) || !strings.Contains(errOut, "--epochs 5 differs") {
		t.Errorf("resume with another --epochs: %v\n%s", err, errOut)
	}
	if _, stderr, err := runDescent("train", "--resume", dir, "--threads", "1", "--json"); err != nil {
		t.Fatalf("resume: %v\n%s", err, stderr)
	}
	got, _ := os.ReadFile(filepath.Join(dir, train.WeightsFile))
	if !bytes.Equal(got, want) {
		t.Error("the weights of the interrupted and resumed run differ from the uninterrupted run's")
	}
	if _, _, err := runDescent("train", "--resume", dir); err == nil || !strings.Contains(err.Error(), "nothing to resume") {
		t.Errorf("resuming a finished run: %v", err)
	}
	recs, err := results.ReadFile(filepath.Join(dir, "results.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	runs := results.Runs(recs)
	if len(runs) != 1 || runs[0].Status() != results.StatusDone || len(runs[0].Epochs) != 2 {
		t.Errorf("results of the resumed run: %d runs, status %s", len(runs), runs[0].Status())
	}
	meta, err := train.ReadMeta(dir)
	if err != nil || meta.Command != "train" {
		t.Errorf("run.json: %+v, %v", meta, err)
	}

	// Killed before its first checkpoint: resuming starts the run again.
	dir = filepath.Join(t.TempDir(), "early")
	run(ctx, append([]string{"train", "--out", dir}, args...), &o, &e)
	os.Remove(filepath.Join(dir, "checkpoint.ckpt"))
	if _, stderr, err := runDescent("train", "--resume", dir); err != nil || !strings.Contains(stderr, "no checkpoint yet") {
		t.Fatalf("resume without a checkpoint: %v\n%s", err, stderr)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, train.WeightsFile)); !bytes.Equal(got, want) {
		t.Error("the run started again has other weights")
	}
}

func TestSweepCommand(t *testing.T) {
	mnistDir := localMNIST(t)
	out := t.TempDir()
	args := append([]string{"--dir", mnistDir, "--model", "logreg", "--train-size", "2000", "--threads", "1"}, "--grid", "lr=1e-3:1e-1:3", "--grid", "weight-decay=0,1e-3", "--val", "500",
		"--epochs", "1", "--parallel", "2", "--out", out)
	stdout, stderr, err := runDescent(append([]string{"sweep"}, args...)...)
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	if !strings.Contains(stdout, "val loss") || !strings.Contains(stdout, "weight_decay") {
		t.Errorf("ranking:\n%s", stdout)
	}
	for _, name := range []string{"sweep-heatmap.png", "report.html"} {
		if _, err := os.Stat(filepath.Join(out, name)); err != nil {
			t.Error(err)
		}
	}
	recs, _ := results.ReadFile(filepath.Join(out, "results.jsonl"))
	if n := len(results.Runs(recs)); n != 6 {
		t.Errorf("%d trials, want 6", n)
	}
}
