package sweep

import (
	"bytes"
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/descent-ml/descent/data"
	"github.com/descent-ml/descent/report/results"
	"github.com/descent-ml/descent/train"
)

// blobs returns n examples of 8 features in 3 classes, Gaussian blobs around centres
// drawn from seed 0, the examples from seed.
func blobs(n int, seed uint64) *data.Dense {
	const f, k = 8, 3
	cr := rand.New(rand.NewPCG(0, 3))
	c := make([]float64, f*k)
	for i := range c {
		c[i] = 2 * cr.NormFloat64()
	}
	rng := rand.New(rand.NewPCG(seed, 3))
	x, y := make([]float32, n*f), make([]int, n)
	for i := range n {
		y[i] = rng.IntN(k)
		for j := range f {
			x[i*f+j] = float32(c[y[i]*f+j] + rng.NormFloat64())
		}
	}
	return data.NewDense(x, y, f)
}

// fixture is a plan of 5 trials on blobs, in a folder of its own.
type fixture struct {
	dir  string
	plan *Plan
	jobs []train.Job
	data train.Data
}

var testData = map[string]any{"set": "blobs", "train": 600, "val": 200}

func newFixture(t *testing.T, epochs int) *fixture {
	t.Helper()
	d := train.Data{Train: blobs(600, 1), Eval: blobs(200, 2), Val: true}
	axes := []train.Axis{{Key: "lr", Values: []float64{0.003, 0.03, 0.3, 3, 30}}}
	jobs := train.SweepJobs(train.Config{Model: "linear", Optimizer: "sgd", Epochs: epochs, BatchSize: 16, Seed: 1, LogEvery: 5}, axes)
	p, err := NewPlan("sweep", []string{"--grid", "lr=0.003,0.03,0.3,3,30"}, "/nowhere", 1, testData, jobs)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := WritePlan(dir, p); err != nil {
		t.Fatal(err)
	}
	meta := &train.Meta{Command: "sweep", Evaluation: "val", Axes: axes, Trials: train.Grid(axes)}
	if err := train.WriteMeta(dir, meta); err != nil {
		t.Fatal(err)
	}
	return &fixture{dir: dir, plan: p, jobs: jobs, data: d}
}

// runner returns a Runner of the plan as its file holds it.
func (f *fixture) runner() *Runner {
	p, err := ReadPlan(f.dir)
	if err != nil {
		panic(err)
	}
	return &Runner{Dir: f.dir, Plan: p, Jobs: f.jobs, Data: f.data, Poll: 20 * time.Millisecond}
}

// local trains the jobs as descent sweep does, into one results file, and returns the
// records.
func (f *fixture) local(t *testing.T) []results.Run {
	t.Helper()
	var buf bytes.Buffer
	w := results.NewWriter(&buf)
	js := &train.Jobs{Jobs: f.jobs, Data: f.data, Parallel: 2, Results: w}
	if _, err := js.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	recs, err := results.Read(&buf)
	if err != nil {
		t.Fatal(err)
	}
	return results.Runs(recs)
}

// collected collects the plan folder and returns its runs.
func (f *fixture) collected(t *testing.T) []results.Run {
	t.Helper()
	c, err := Collect(f.dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Missing) != 0 || c.Done != len(f.plan.Trials) {
		t.Fatalf("collect: %d done, missing %v", c.Done, c.Missing)
	}
	recs, err := results.ReadFile(filepath.Join(f.dir, train.ResultsFile))
	if err != nil {
		t.Fatal(err)
	}
	return results.Runs(recs)
}

// sameRuns fails unless a and b hold the same runs with the same metrics, bit for bit,
// but for the times.
func sameRuns(t *testing.T, a, b []results.Run) {
	t.Helper()
	if len(a) != len(b) {
		t.Fatalf("%d runs, want %d", len(a), len(b))
	}
	byName := map[string]results.Run{}
	for _, r := range b {
		byName[r.Name] = r
	}
	for _, ra := range a {
		rb, ok := byName[ra.Name]
		if !ok {
			t.Fatalf("run %s missing", ra.Name)
		}
		if ra.Status() != rb.Status() {
			t.Errorf("%s: status %s, want %s", ra.Name, ra.Status(), rb.Status())
		}
		for _, k := range []results.Kind{results.KindStep, results.KindEpoch} {
			x, y := ra.Records(k), rb.Records(k)
			if len(x) != len(y) {
				t.Fatalf("%s: %d %s records, want %d", ra.Name, len(x), k, len(y))
			}
			for i := range x {
				if x[i].Step != y[i].Step || x[i].Epoch != y[i].Epoch || len(x[i].Metrics) != len(y[i].Metrics) {
					t.Fatalf("%s: %s record %d differs: %+v, want %+v", ra.Name, k, i, x[i], y[i])
				}
				for m := range x[i].Metrics {
					u, v := x[i].Metrics[m], y[i].Metrics[m]
					if u.Name != v.Name || math.Float64bits(u.Value) != math.Float64bits(v.Value) && !(math.IsNaN(u.Value) && math.IsNaN(v.Value)) {
						t.Fatalf("%s: %s record %d: %s = %v, want %s = %v", ra.Name, k, i, u.Name, u.Value, v.Name, v.Value)
					}
				}
			}
		}
	}
}

// doneCount returns the number of "done" or "diverged" end records in the records of
// every attempt at each trial: 1 each if no trial was trained to its end twice.
func doneCount(t *testing.T, f *fixture) map[string]int {
	t.Helper()
	n := map[string]int{}
	for _, tr := range f.plan.Trials {
		recs, err := results.ReadFile(filepath.Join(TrialDir(f.dir, tr), RecordsFile))
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range recs {
			if r.Kind == results.KindEnd && r.Status != results.StatusInterrupted {
				n[tr.Name]++
			}
		}
	}
	return n
}

func TestShardsAtOnceEqualLocal(t *testing.T) {
	f := newFixture(t, 3)
	want := f.local(t)
	var wg sync.WaitGroup
	errs := make([]error, 3)
	// Shards 0/2 and 1/2, and a second process given shard 0/2 too.
	for k, s := range []Shard{{0, 2}, {1, 2}, {0, 2}} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[k] = f.runner().Run(context.Background(), s.Indices(len(f.plan.Trials)))
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	sameRuns(t, f.collected(t), want)
	for name, n := range doneCount(t, f) {
		if n != 1 {
			t.Errorf("trial %s trained to its end %d times", name, n)
		}
	}
	// A run again finds every trial ended.
	rep, err := f.runner().Run(context.Background(), Shard{0, 1}.Indices(5))
	if err != nil || len(rep.Skipped) != 5 || len(rep.Trained) != 0 {
		t.Fatalf("second run: %+v, %v", rep, err)
	}
}

func TestInterruptedTrialResumes(t *testing.T) {
	f := newFixture(t, 4)
	want := f.local(t)
	// Cancel after the second epoch of the second trial: mid-trial.
	ctx, cancel := context.WithCancel(context.Background())
	r := f.runner()
	r.OnEpoch = func(job train.Job, e train.Epoch) {
		if job.Name == f.jobs[1].Name && e.Epoch == 2 {
			cancel()
		}
	}
	_, err := r.Run(ctx, Shard{0, 1}.Indices(5))
	cancel()
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted run: %v", err)
	}
	sts, err := Status(f.dir)
	if err != nil {
		t.Fatal(err)
	}
	if sts[0].State != Done || sts[1].State != Missing || !strings.Contains(sts[1].Detail, "after epoch 2") || sts[2].State != Missing {
		t.Fatalf("status after the interruption: %+v", sts)
	}
	rep, err := f.runner().Run(context.Background(), Shard{0, 1}.Indices(5))
	if err != nil || len(rep.Trained) != 4 || len(rep.Skipped) != 1 {
		t.Fatalf("resumed run: %+v, %v", rep, err)
	}
	sameRuns(t, f.collected(t), want)
	for name, n := range doneCount(t, f) {
		if n != 1 {
			t.Errorf("trial %s trained to its end %d times", name, n)
		}
	}
}

// A trial killed after its end record, before its result was written: its result is
// made from its records, without training it again.
func TestKilledBeforeResult(t *testing.T) {
	f := newFixture(t, 2)
	want := f.local(t)
	tr := f.plan.Trials[1]
	dir := TrialDir(f.dir, tr)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	run, err := train.New(f.jobs[1].Name, f.jobs[1].Config, f.data)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, RecordsFile)
	w, err := results.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := run.Train(context.Background(), train.Output{Results: w}); err != nil {
		t.Fatal(err)
	}
	w.Close()
	run.Close()
	before, _ := os.ReadFile(path)
	rep, err := f.runner().Run(context.Background(), []int{1})
	if err != nil || len(rep.Trained) != 1 {
		t.Fatalf("%+v, %v", rep, err)
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(after, before) {
		t.Fatal("the trial was trained again")
	}
	// The others, with a checkpoint after every epoch.
	r := f.runner()
	r.CheckpointEvery = -1
	if _, err := r.Run(context.Background(), Shard{0, 1}.Indices(5)); err != nil {
		t.Fatal(err)
	}
	sameRuns(t, f.collected(t), want)
}

func TestBadInputRefused(t *testing.T) {
	f := newFixture(t, 1)
	if _, err := f.runner().Run(context.Background(), Shard{0, 1}.Indices(5)); err != nil {
		t.Fatal(err)
	}
	resultOf := func(i int) string { return filepath.Join(TrialDir(f.dir, f.plan.Trials[i]), ResultFile) }

	// A damaged result is refused by run, status and collect, and left as it is.
	good, _ := os.ReadFile(resultOf(2))
	bad := bytes.Replace(good, []byte(`"val_loss":`), []byte(`"val_loss":1`), 1)
	if bytes.Equal(bad, good) {
		t.Fatal("no val_loss in the result")
	}
	os.WriteFile(resultOf(2), bad, 0o644)
	var re *ResultError
	if _, err := f.runner().Run(context.Background(), []int{2}); !errors.As(err, &re) || !strings.Contains(err.Error(), "checksum") {
		t.Errorf("run of a damaged result: %v", err)
	}
	if _, err := Collect(f.dir); !errors.As(err, &re) {
		t.Errorf("collect of a damaged result: %v", err)
	}
	if _, err := Status(f.dir); !errors.As(err, &re) {
		t.Errorf("status of a damaged result: %v", err)
	}
	if b, _ := os.ReadFile(resultOf(2)); !bytes.Equal(b, bad) {
		t.Error("the damaged result was overwritten")
	}
	os.WriteFile(resultOf(2), good[:len(good)/2], 0o644)
	if _, err := Collect(f.dir); !errors.As(err, &re) || !strings.Contains(err.Error(), "damaged") {
		t.Errorf("collect of a truncated result: %v", err)
	}
	os.WriteFile(resultOf(2), good, 0o644)

	// A result in the folder of another trial.
	other, _ := os.ReadFile(resultOf(3))
	os.WriteFile(resultOf(4), other, 0o644)
	if _, err := Collect(f.dir); !errors.As(err, &re) || !strings.Contains(err.Error(), "of trial") {
		t.Errorf("collect of another trial's result: %v", err)
	}
	os.Remove(resultOf(4))

	// The plan changed after the results: every result is refused.
	planPath := filepath.Join(f.dir, PlanFile)
	orig, _ := os.ReadFile(planPath)
	changed := bytes.Replace(orig, []byte(`"threads": 1`), []byte(`"threads": 2`), 1)
	os.WriteFile(planPath, changed, 0o644)
	if _, err := f.runner().Run(context.Background(), []int{0}); !errors.As(err, &re) || !strings.Contains(err.Error(), "another plan") {
		t.Errorf("run after the plan changed: %v", err)
	}
	if _, err := Collect(f.dir); !errors.As(err, &re) {
		t.Errorf("collect after the plan changed: %v", err)
	}
	os.WriteFile(planPath, orig, 0o644)

	// Planning another plan into the folder.
	p2, err := NewPlan("sweep", []string{"--epochs", "2"}, "/nowhere", 1, testData, f.jobs[:2])
	if err != nil {
		t.Fatal(err)
	}
	if err := WritePlan(f.dir, p2); err == nil || !strings.Contains(err.Error(), "another plan") {
		t.Errorf("another plan in the folder: %v", err)
	}
	if err := WritePlan(f.dir, f.plan); err != nil {
		t.Errorf("the same plan again: %v", err)
	}

	// A plan of another version, or edited so that a trial's id is not its configuration's.
	var pe *PlanError
	os.WriteFile(planPath, bytes.Replace(orig, []byte(`"version": 1`), []byte(`"version": 2`), 1), 0o644)
	if _, err := ReadPlan(f.dir); !errors.As(err, &pe) || !strings.Contains(err.Error(), "version 2") {
		t.Errorf("plan of version 2: %v", err)
	}
	os.WriteFile(planPath, orig, 0o644)
	p, _ := ReadPlan(f.dir)
	p.Trials[0], p.Trials[1] = p.Trials[1], p.Trials[0]
	if err := p.Check(f.jobs, testData); err == nil || !strings.Contains(err.Error(), "edited") {
		t.Errorf("plan with trials swapped: %v", err)
	}
	if err := f.plan.Check(f.jobs, map[string]any{"set": "other"}); err == nil {
		t.Error("plan checked against other data")
	}
	if err := f.plan.Check(f.jobs, testData); err != nil {
		t.Error(err)
	}
}

func TestShards(t *testing.T) {
	for _, s := range []string{"3/2", "2/2", "-1/2", "0/0", "1", "a/b", "1/2/3"} {
		if _, err := ParseShard(s); err == nil {
			t.Errorf("shard %q accepted", s)
		}
	}
	seen := map[int]int{}
	for i := range 3 {
		s, err := ParseShard(string(rune('0'+i)) + "/3")
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range s.Indices(11) {
			seen[k]++
		}
	}
	for k := range 11 {
		if seen[k] != 1 {
			t.Errorf("trial %d in %d shards", k, seen[k])
		}
	}
	env := func(kv ...string) func(string) string {
		return func(k string) string {
			for i := 0; i < len(kv); i += 2 {
				if kv[i] == k {
					return kv[i+1]
				}
			}
			return ""
		}
	}
	for _, c := range []struct {
		env    func(string) string
		shards int
		want   Shard
		bad    bool
	}{
		{env: env(EnvSlurmTask, "3", EnvSlurmCount, "8", EnvSlurmMin, "0"), want: Shard{3, 8}},
		{env: env(EnvSlurmTask, "3", EnvSlurmCount, "4", EnvSlurmMin, "1"), want: Shard{2, 4}},
		{env: env(EnvSlurmTask, "5", EnvSlurmCount, "1", EnvSlurmMin, "5"), shards: 8, want: Shard{5, 8}},
		{env: env(EnvSlurmTask, "8", EnvSlurmCount, "8"), bad: true},
		{env: env(EnvSlurmTask, "x", EnvSlurmCount, "8"), bad: true},
		{env: env(EnvSlurmTask, "1"), bad: true},
		{env: env(EnvJobIndex, "2"), shards: 3, want: Shard{2, 3}},
		{env: env(EnvJobIndex, "2"), bad: true},
		{env: env(EnvJobIndex, "3"), shards: 3, bad: true},
		{env: env(), shards: 3, bad: true},
	} {
		s, err := ShardFromEnv(c.env, c.shards)
		if c.bad != (err != nil) || !c.bad && s != c.want {
			t.Errorf("shard %v, %v; want %v (bad %v)", s, err, c.want, c.bad)
		}
	}
}

// A trial whose training fails is recorded as failed, the others go on, and a run
// again retries it.
func TestFailedTrial(t *testing.T) {
	f := newFixture(t, 1)
	tr := f.plan.Trials[3]
	// A folder where the records file should be: opening it to append fails.
	if err := os.MkdirAll(filepath.Join(TrialDir(f.dir, tr), RecordsFile), 0o755); err != nil {
		t.Fatal(err)
	}
	rep, err := f.runner().Run(context.Background(), Shard{0, 1}.Indices(5))
	if err == nil || !strings.Contains(err.Error(), tr.Name) || len(rep.Failed) != 1 || rep.Failed[0] != 3 || len(rep.Trained) != 4 {
		t.Fatalf("%+v, %v", rep, err)
	}
	sts, err := Status(f.dir)
	if err != nil {
		t.Fatal(err)
	}
	if sts[3].State != Failed || sts[3].Detail == "" || sts[2].State != Done {
		t.Fatalf("status %+v", sts)
	}
	c, err := Collect(f.dir)
	if err != nil || c.Done != 4 || len(c.Missing) != 1 || c.Missing[0].State != Failed {
		t.Fatalf("collect %+v, %v", c, err)
	}
	os.Remove(filepath.Join(TrialDir(f.dir, tr), RecordsFile))
	rep, err = f.runner().Run(context.Background(), Shard{0, 1}.Indices(5))
	if err != nil || len(rep.Trained) != 1 || len(rep.Skipped) != 4 {
		t.Fatalf("%+v, %v", rep, err)
	}
	if _, err := os.Stat(filepath.Join(TrialDir(f.dir, tr), FailedFile)); err == nil {
		t.Error("failed.json left after the trial ended")
	}
}
