package train

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/descent-ml/descent/report"
	"github.com/descent-ml/descent/report/results"
)

// runJobs trains jobs on the tiny data into dir with meta, and writes the report.
func runJobs(t *testing.T, ctx context.Context, dir string, meta *Meta, jobs []Job, d Data, parallel int) (*report.Table, error) {
	t.Helper()
	if err := WriteMeta(dir, meta); err != nil {
		t.Fatal(err)
	}
	w, err := results.Create(filepath.Join(dir, ResultsFile))
	if err != nil {
		t.Fatal(err)
	}
	var epochs int
	js := &Jobs{Jobs: jobs, Data: d, Parallel: parallel, Results: w, OnEpoch: func(Job, Epoch) { epochs++ }}
	_, runErr := js.Run(ctx)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	table, err := WriteReport(dir)
	var fe *report.FigureError
	if err != nil && !errors.As(err, &fe) {
		t.Fatal(err)
	}
	return table, runErr
}

func TestCompareReport(t *testing.T) {
	dir := t.TempDir()
	rates, _ := ParseRates("sgd=1e30")
	base := tinyConfig()
	base.Epochs = 2
	jobs, err := CompareJobs(base, []string{"adam", "sgd", "rmsprop"}, rates, 2)
	if err != nil {
		t.Fatal(err)
	}
	meta := &Meta{Command: "compare", Args: []string{"--model", "logreg", "--lr", "sgd=1e30"}, Intro: "A test.",
		Evaluation: "test", Machine: report.ThisMachine(), Flags: []Flag{{Name: "lr", Value: "sgd=1e30", Set: true}}}
	table, err := runJobs(t, context.Background(), dir, meta, jobs, tiny(), 2)
	if err != nil {
		t.Fatal(err)
	}
	var text bytes.Buffer
	table.WriteText(&text)
	out := text.String()
	if !strings.Contains(out, "diverged") || !strings.Contains(out, "adam") || !strings.Contains(out, "rmsprop") {
		t.Errorf("summary table:\n%s", out)
	}
	for _, name := range []string{ReportFile, SummaryFile, "loss-vs-step.png", "loss-vs-time.svg", "accuracy-vs-epoch.png", "lr-vs-step.png", "accuracy-bars.png"} {
		if fi, err := os.Stat(filepath.Join(dir, name)); err != nil || fi.Size() == 0 {
			t.Errorf("%s: %v", name, err)
		}
	}
	page, _ := os.ReadFile(filepath.Join(dir, ReportFile))
	if n := bytes.Count(page, []byte("data:image/png;base64,")); n < 5 {
		t.Errorf("report.html inlines %d images, want at least 5", n)
	}
	for _, want := range []string{"descent compare --model logreg --lr sgd=1e30", "A test.", "diverged"} {
		if !bytes.Contains(page, []byte(want)) {
			t.Errorf("report.html does not say %q", want)
		}
	}
	recs, err := results.ReadFile(filepath.Join(dir, ResultsFile))
	if err != nil {
		t.Fatal(err)
	}
	runs := results.Runs(recs)
	if len(runs) != 6 {
		t.Fatalf("%d runs in results.jsonl, want 3 optimisers × 2 seeds", len(runs))
	}
	for _, r := range runs {
		want := results.StatusDone
		if r.Name == "sgd" {
			want = results.StatusDiverged
		}
		if r.Status() != want {
			t.Errorf("%s seed %d: %s, want %s", r.Name, r.Seed, r.Status(), want)
		}
	}
	csv, _ := os.ReadFile(filepath.Join(dir, SummaryFile))
	if lines := strings.Count(string(csv), "\n"); lines != 4 {
		t.Errorf("summary.csv has %d lines, want a header and 3 runs:\n%s", lines, csv)
	}

	// Rebuilt from the folder alone, the report is the same page.
	os.Remove(filepath.Join(dir, ReportFile))
	if _, err := WriteReport(dir); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, ReportFile)); err != nil {
		t.Error(err)
	}
}

func TestSweepReport(t *testing.T) {
	dir := t.TempDir()
	axes := []Axis{{Key: "lr", Values: []float64{1e-3, 1e-2, 1e30}}, {Key: "weight_decay", Values: []float64{0, 1e-3}}}
	base := tinyConfig()
	base.Epochs = 1
	meta := &Meta{Command: "sweep", Intro: "A sweep.", Evaluation: "val", Axes: axes, Trials: Grid(axes), Machine: report.ThisMachine()}
	d := tiny()
	d.Val = true
	table, err := runJobs(t, context.Background(), dir, meta, SweepJobs(base, axes), d, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(table.Rows) != 6 {
		t.Fatalf("%d rows, want 6", len(table.Rows))
	}
	if table.Rows[0].Mark != report.Good || table.Rows[5].Mark != report.Bad || table.Rows[5].Cells[0] != "—" {
		t.Errorf("ranking: first %+v, last %+v", table.Rows[0], table.Rows[5])
	}
	if lr := table.Rows[0].Cells[1]; lr == "1e30" {
		t.Errorf("a diverged trial ranked first: %v", table.Rows[0])
	}
	for _, name := range []string{"sweep-heatmap.png", "val-loss-vs-epoch.png", ReportFile} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Error(err)
		}
	}
	recs, _ := results.ReadFile(filepath.Join(dir, ResultsFile))
	for _, r := range recs {
		if _, ok := r.Metric(results.TestLoss); ok {
			t.Fatalf("a sweep record holds a test loss: %+v", r)
		}
	}

	// One axis: a line instead of a heatmap.
	dir = t.TempDir()
	axes = axes[:1]
	meta = &Meta{Command: "sweep", Evaluation: "val", Axes: axes, Trials: Grid(axes), Machine: report.ThisMachine()}
	if _, err := runJobs(t, context.Background(), dir, meta, SweepJobs(base, axes), d, 1); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "sweep.png")); err != nil {
		t.Error(err)
	}
}

func TestJobsInterrupted(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	jobs, _ := CompareJobs(tinyConfig(), []string{"adam", "sgd"}, Rates{}, 1)
	meta := &Meta{Command: "compare", Evaluation: "test", Machine: report.ThisMachine()}
	if err := WriteMeta(dir, meta); err != nil {
		t.Fatal(err)
	}
	w := &cancelAfter{n: 3, cancel: cancel}
	js := &Jobs{Jobs: jobs, Data: tiny(), Results: results.NewWriter(w)}
	res, err := js.Run(ctx)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Run returned %v, want context.Canceled", err)
	}
	if res[0].Status != results.StatusInterrupted || res[1].Status != "" {
		t.Errorf("results %+v, want the first interrupted and the second not run", res)
	}
	os.WriteFile(filepath.Join(dir, ResultsFile), w.buf.Bytes(), 0o644)
	table, err := WriteReport(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(table.Rows) != 1 || table.Rows[0].Mark != report.Warn || !strings.Contains(strings.Join(table.Rows[0].Cells, " "), "interrupted") {
		t.Errorf("rows %v, want adam interrupted", table.Rows)
	}
	page, _ := os.ReadFile(filepath.Join(dir, ReportFile))
	if !bytes.Contains(page, []byte("interrupted")) {
		t.Error("the page does not say the run was interrupted")
	}
}

func TestJobsBadConfig(t *testing.T) {
	jobs := []Job{{Name: "ok", Config: tinyConfig()}, {Name: "bad", Config: Config{Model: "logreg", Optimizer: "lbfgs",
		Options: map[string]string{"weight_decay": "0.1"}}}}
	js := &Jobs{Jobs: jobs, Data: tiny()}
	if _, err := js.Run(context.Background()); err == nil || !strings.Contains(err.Error(), "bad:") {
		t.Errorf("a job with an option its optimiser lacks: %v", err)
	}
}

func TestParallelSameAsSerial(t *testing.T) {
	jobs, _ := CompareJobs(tinyConfig(), []string{"adam", "momentum", "adagrad"}, Rates{}, 1)
	var outs [2][]results.Record
	for i, p := range []int{1, 3} {
		var buf bytes.Buffer
		js := &Jobs{Jobs: jobs, Data: tiny(), Parallel: p, Results: results.NewWriter(&buf)}
		if _, err := js.Run(context.Background()); err != nil {
			t.Fatal(err)
		}
		recs, _ := results.Read(&buf)
		outs[i] = recs
	}
	a, b := results.Runs(outs[0]), results.Runs(outs[1])
	if len(a) != len(b) {
		t.Fatalf("%d and %d runs", len(a), len(b))
	}
	byName := map[string]results.Run{}
	for _, r := range b {
		byName[r.Name] = r
	}
	for _, r := range a {
		s := byName[r.Name]
		if !equalRecords(losses(r.Steps), losses(s.Steps)) || !equalRecords(losses(r.Epochs), losses(s.Epochs)) {
			t.Errorf("%s: runs in parallel differ from runs one after the other", r.Name)
		}
	}
}

func TestReadMeta(t *testing.T) {
	dir := t.TempDir()
	if _, err := ReadMeta(dir); err == nil || !strings.Contains(err.Error(), "not a run folder") {
		t.Errorf("a folder without run.json: %v", err)
	}
	os.WriteFile(filepath.Join(dir, MetaFile), []byte(`{"command":"dance"}`), 0o644)
	if _, err := ReadMeta(dir); err == nil || !strings.Contains(err.Error(), "dance") {
		t.Errorf("an unknown command: %v", err)
	}
	m := &Meta{Command: "train", Args: []string{"--epochs", "2"}, Axes: []Axis{{Key: "lr", Values: []float64{0.1}}}}
	if err := WriteMeta(dir, m); err != nil {
		t.Fatal(err)
	}
	got, err := ReadMeta(dir)
	if err != nil || got.Command != "train" || len(got.Args) != 2 || got.Axes[0].Values[0] != 0.1 {
		t.Errorf("read back %+v, %v", got, err)
	}
	if _, err := WriteReport(dir); err == nil {
		t.Error("a report without results.jsonl")
	}
}
