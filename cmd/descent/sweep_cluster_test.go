package main

import (
	"context"
	"encoding/csv"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/descent-ml/descent/data"
	"github.com/descent-ml/descent/data/mnist"
	"github.com/descent-ml/descent/internal/testmnist"
	"github.com/descent-ml/descent/sweep"
	"github.com/descent-ml/descent/train"
)

// summaryRows returns the rows of the summary.csv of dir but its header, sorted by name,
// without the column of the seconds per epoch (times differ from run to run).
func summaryRows(t *testing.T, dir string) [][]string {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, train.SummaryFile))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := slices.Index(rows[0], "seconds_per_epoch")
	if col < 0 {
		t.Fatalf("no seconds_per_epoch in %v", rows[0])
	}
	var out [][]string
	for _, r := range rows {
		out = append(out, slices.Delete(slices.Clone(r), col, col+1))
	}
	slices.SortFunc(out[1:], func(a, b []string) int { return strings.Compare(a[0], b[0]) })
	return out
}

// rankLines returns the lines of a sweep's summary table that rank trials, without the
// seconds per epoch.
func rankLines(table string) []string {
	var out []string
	for _, l := range strings.Split(table, "\n") {
		f := strings.Fields(l)
		if len(f) > 6 && (f[0] == "—" || f[0] >= "1" && f[0] <= "9") {
			out = append(out, strings.Join(append(f[:5:5], f[6:]...), " "))
		}
	}
	return out
}

// TestSweepPlanShards plans a sweep, trains it in two shards and collects it: the
// summary and the ranking are those of the same sweep run locally.
func TestSweepPlanShards(t *testing.T) {
	mn := localMNIST(t)
	flags := []string{"--dir", mn, "--model", "logreg", "--epochs", "2", "--train-size", "2000", "--val", "500",
		"--batch-size", "100", "--threads", "1", "--grid", "lr=0.01,0.1,1,10", "--parallel", "2"}
	local := t.TempDir()
	localOut, errOut, err := runDescent(append([]string{"sweep", "--out", local}, flags...)...)
	if err != nil {
		t.Fatalf("%v\n%s", err, errOut)
	}
	plan := filepath.Join(t.TempDir(), "plan")
	if _, errOut, err := runDescent(append([]string{"sweep", "--plan", plan}, flags...)...); err != nil {
		t.Fatalf("%v\n%s", err, errOut)
	}
	if _, err := os.Stat(filepath.Join(plan, train.ResultsFile)); err == nil {
		t.Fatal("--plan trained")
	}
	// Collecting before any trial is trained is an error; status says missing.
	if _, _, err := runDescent("sweep", "collect", plan); err == nil {
		t.Error("collect of a plan with no results")
	}
	out, _, err := runDescent("sweep", "status", plan)
	if err != nil || !strings.Contains(out, "4 trials: 0 done, 0 running, 0 failed, 4 missing") {
		t.Errorf("status: %v\n%s", err, out)
	}
	if _, errOut, err := runDescent("sweep", "run", plan, "--shard", "1/2"); err != nil {
		t.Fatalf("%v\n%s", err, errOut)
	}
	_, errOut, err = runDescent("sweep", "collect", plan)
	if err == nil || !strings.Contains(err.Error(), "2 of the 4 trials") || !strings.Contains(errOut, "no result: lr=0.01") {
		t.Errorf("collect of half the trials: %v\n%s", err, errOut)
	}
	if _, errOut, err := runDescent("sweep", "run", "--shard", "0/2", plan); err != nil {
		t.Fatalf("%v\n%s", err, errOut)
	}
	planOut, errOut, err := runDescent("sweep", "collect", plan)
	if err != nil {
		t.Fatalf("%v\n%s", err, errOut)
	}
	if !slices.Equal(rankLines(planOut), rankLines(localOut)) || len(rankLines(localOut)) != 4 {
		t.Errorf("ranking of the shards:\n%s\nlocal:\n%s", planOut, localOut)
	}
	a, b := summaryRows(t, plan), summaryRows(t, local)
	if !slices.EqualFunc(a, b, slices.Equal) {
		t.Errorf("summary of the shards %v\nlocal %v", a, b)
	}
	for _, f := range []string{train.ReportFile, "val-loss-vs-epoch.svg"} {
		if _, err := os.Stat(filepath.Join(plan, f)); err != nil {
			t.Error(err)
		}
	}
	out, _, err = runDescent("sweep", "status", plan)
	if err != nil || !strings.Contains(out, "4 trials: 4 done") {
		t.Errorf("status: %v\n%s", err, out)
	}

	// The same plan again is fine; another one is refused.
	if _, errOut, err := runDescent(append([]string{"sweep", "--plan", plan}, flags...)...); err != nil {
		t.Errorf("same plan again: %v\n%s", err, errOut)
	}
	other := append(slices.Clone(flags), "--seed", "2")
	if _, _, err := runDescent(append([]string{"sweep", "--plan", plan}, other...)...); err == nil || !strings.Contains(err.Error(), "another plan") {
		t.Errorf("another plan into the folder: %v", err)
	}

	// emit: the array of the trials, two a task.
	out, _, err = runDescent("sweep", "emit", plan, "--slurm", "--per-task", "2", "--parallel", "1", "--descent", "/opt/descent")
	if err != nil || !strings.Contains(out, "#SBATCH --array=0-1%1\n") || !strings.Contains(out, "/opt/descent sweep run ") {
		t.Errorf("emit --slurm: %v\n%s", err, out)
	}
	out, _, err = runDescent("sweep", "emit", plan, "--kubernetes", "--image", "descent:1", "--pvc", "runs")
	if err != nil || !strings.Contains(out, "completionMode: Indexed") || !strings.Contains(out, "- /runs/plan") {
		t.Errorf("emit --kubernetes: %v\n%s", err, out)
	}

	for _, args := range [][]string{
		{"sweep", "run", plan, "--shard", "3/2"},
		{"sweep", "run", plan, "--shard", "0/2", "--shards", "2"},
		{"sweep", "run"},
		{"sweep", "emit", plan},
		{"sweep", "emit", plan, "--slurm", "--kubernetes"},
		{"sweep", "emit", plan, "--kubernetes"},
		{"sweep", "--plan", plan, "--out", plan},
	} {
		if _, _, err := runDescent(args...); !errors.Is(err, errUsage) {
			t.Errorf("%q: %v, want a usage error", args, err)
		}
	}
	// Not a plan folder; a plan of another version.
	if _, _, err := runDescent("sweep", "run", local, "--shard", "0/1"); err == nil || !strings.Contains(err.Error(), "not a plan folder") {
		t.Errorf("run of a folder with no plan: %v", err)
	}
	b2, _ := os.ReadFile(filepath.Join(plan, sweep.PlanFile))
	os.WriteFile(filepath.Join(plan, sweep.PlanFile), []byte(strings.Replace(string(b2), `"version": 1`, `"version": 7`, 1)), 0o644)
	var pe *sweep.PlanError
	if _, _, err := runDescent("sweep", "run", plan, "--shard", "0/1"); !errors.As(err, &pe) {
		t.Errorf("run of a plan of version 7: %v", err)
	}
}

// TestComparePlan plans a comparison of two optimisers over two seeds, trains it in
// three shards and collects it: the summary is that of the same comparison run locally.
func TestComparePlan(t *testing.T) {
	mn := localMNIST(t)
	flags := append(small(mn), "--optimizers", "sgd,adam", "--seeds", "2")
	local := t.TempDir()
	if _, errOut, err := runDescent(append([]string{"compare", "--out", local}, flags...)...); err != nil {
		t.Fatalf("%v\n%s", err, errOut)
	}
	plan := filepath.Join(t.TempDir(), "plan")
	if _, errOut, err := runDescent(append([]string{"compare", "--plan", plan}, flags...)...); err != nil {
		t.Fatalf("%v\n%s", err, errOut)
	}
	for _, s := range []string{"0/3", "1/3", "2/3"} {
		if _, errOut, err := runDescent("sweep", "run", plan, "--shard", s); err != nil {
			t.Fatalf("%v\n%s", err, errOut)
		}
	}
	if _, errOut, err := runDescent("sweep", "collect", plan); err != nil {
		t.Fatalf("%v\n%s", err, errOut)
	}
	if a, b := summaryRows(t, plan), summaryRows(t, local); !slices.EqualFunc(a, b, slices.Equal) || len(a) != 3 {
		t.Errorf("summary of the shards %v\nlocal %v", a, b)
	}
}

// TestPlanDataset checks that the sets a plan reads without decoding the images have the
// sizes, shapes and task of the sets decoded, from a folder given by --dataset and from
// --dir, and that a plan refuses a folder that does not hold a dataset.
func TestPlanDataset(t *testing.T) {
	full := testmnist.Data(t)
	for _, df := range []dataFlags{{dataset: full.Dir}, {dataset: "mnist", dir: full.Dir, offline: true}} {
		d, tr, te, err := planDataset(context.Background(), df, io.Discard)
		if err != nil {
			t.Fatalf("%+v: %v", df, err)
		}
		if d.Spec.Name != full.Spec.Name || d.Dir != full.Dir || d.Train != nil || d.Test != nil {
			t.Errorf("%+v: data %s in %s (sets %v %v), want %s in %s, no sets", df, d.Spec.Name, d.Dir, d.Train, d.Test, full.Spec.Name, full.Dir)
		}
		for _, c := range []struct {
			got  *headerSet
			want *mnist.Set
		}{{tr, full.Train}, {te, full.Test}} {
			if c.got.Len() != c.want.Len() || !slices.Equal(c.got.Shape(), c.want.Shape()) || data.TaskOf(c.got).String() != data.TaskOf(c.want).String() ||
				!slices.Equal(c.got.labels, c.want.Labels) {
				t.Errorf("%+v: %d examples of shape %v, %v; decoded: %d of %v, %v", df, c.got.Len(), c.got.Shape(), data.TaskOf(c.got),
					c.want.Len(), c.want.Shape(), data.TaskOf(c.want))
			}
		}
	}
	if _, _, _, err := planDataset(context.Background(), dataFlags{dataset: t.TempDir()}, io.Discard); err == nil ||
		!strings.Contains(err.Error(), "the folder holds the files of none of") {
		t.Errorf("an empty folder: %v", err)
	}
}
