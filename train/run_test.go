package train

import (
	"bytes"
	"context"
	"errors"
	"github.com/descent-ml/descent/internal/race"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/descent-ml/descent/data"
	"github.com/descent-ml/descent/model"
	"github.com/descent-ml/descent/optim"
	"github.com/descent-ml/descent/optim/lr"
	"github.com/descent-ml/descent/report/results"
)

// synthetic returns n MNIST-shaped examples (784 values) of 10 classes, each a fixed
// random centre plus noise: a problem logistic regression learns in a few epochs. The
// centres are the same for every seed; the noise and labels are the seed's.
func synthetic(n int, seed uint64) *data.Dense {
	const f, k = 784, 10
	centres := rand.New(rand.NewPCG(0, 99))
	mu := make([]float64, f*k)
	for i := range mu {
		mu[i] = 0.15 * centres.NormFloat64()
	}
	rng := rand.New(rand.NewPCG(seed, 99))
	x := make([]float32, n*f)
	y := make([]int, n)
	for i := range n {
		c := rng.IntN(k)
		y[i] = c
		for j := range f {
			x[i*f+j] = float32(mu[c*f+j] + rng.NormFloat64())
		}
	}
	return data.NewDense(x, y, 1, 28, 28)
}

// tiny is the data of the tests: 512 training and 256 test examples.
func tiny() Data {
	return Data{Train: synthetic(512, 1), Eval: synthetic(256, 2)}
}

// tinyConfig is a run of logistic regression that takes a second.
func tinyConfig() Config {
	return Config{Model: "logreg", Optimizer: "adam", Epochs: 3, BatchSize: 32, Seed: 7, LogEvery: 4}
}

// train runs a fresh run of cfg on d to its end and returns its records and weights.
func train(t *testing.T, cfg Config, d Data) (Result, []results.Record, []byte) {
	t.Helper()
	r, err := New("run", cfg, d)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var buf bytes.Buffer
	res, err := r.Train(context.Background(), Output{Results: results.NewWriter(&buf)})
	if err != nil {
		t.Fatal(err)
	}
	recs, err := results.Read(&buf)
	if err != nil {
		t.Fatal(err)
	}
	return res, recs, weights(t, r)
}

func weights(t *testing.T, r *Run) []byte {
	t.Helper()
	var w bytes.Buffer
	if err := r.SaveWeights(&w); err != nil {
		t.Fatal(err)
	}
	return w.Bytes()
}

func TestRunLearns(t *testing.T) {
	res, recs, _ := train(t, tinyConfig(), tiny())
	if res.Status != results.StatusDone || res.Epochs != 3 || res.Steps != 3*16 {
		t.Fatalf("result %+v, want done after 3 epochs of 16 steps", res)
	}
	var epochs []results.Record
	steps := 0
	for _, rec := range recs {
		switch rec.Kind {
		case results.KindEpoch:
			epochs = append(epochs, rec)
		case results.KindStep:
			steps++
		}
	}
	if steps != 12 || len(epochs) != 3 {
		t.Fatalf("%d step and %d epoch records, want 12 and 3", steps, len(epochs))
	}
	first, _ := epochs[0].Metric(results.TrainLoss)
	last, _ := epochs[2].Metric(results.TrainLoss)
	acc, _ := epochs[2].Metric(results.TestAccuracy)
	if !(last < first) || !(acc > 0.5) {
		t.Errorf("train loss %v → %v, test accuracy %v: not learning", first, last, acc)
	}
	if end := recs[len(recs)-1]; end.Kind != results.KindEnd || end.Status != results.StatusDone || end.Step != 48 {
		t.Errorf("last record %+v, want the end record, done at step 48", end)
	}
}

// losses returns the records without their times, to compare runs.
func losses(recs []results.Record) []results.Record {
	out := make([]results.Record, len(recs))
	for i, r := range recs {
		r.Seconds = 0
		out[i] = r
	}
	return out
}

func TestDeterministic(t *testing.T) {
	for _, cfg := range []Config{
		tinyConfig(),
		{Model: "mlp", ModelConfig: modelConfig(32), Optimizer: "momentum", Epochs: 2, BatchSize: 64, Seed: 3,
			Schedule: mustSpec(t, "cosine")},
		{Model: "cnn", Optimizer: "adadelta", Epochs: 2, BatchSize: 16, Seed: 5, Schedule: mustSpec(t, "step:1:0.7")},
	} {
		d := tiny()
		n := 128
		if cfg.Model == "cnn" {
			n = 32
		}
		d.Train, d.Eval = data.NewSubset(d.Train, seq(n)), data.NewSubset(d.Eval, seq(n/2))
		_, a, wa := train(t, cfg, d)
		_, b, wb := train(t, cfg, d)
		if !equalRecords(losses(a), losses(b)) || !bytes.Equal(wa, wb) {
			t.Errorf("%s/%s: two runs of the same seed differ", cfg.Model, cfg.Optimizer)
		}
		cfg.Seed++
		_, c, _ := train(t, cfg, d)
		if equalRecords(losses(a), losses(c)) {
			t.Errorf("%s/%s: runs of different seeds are the same", cfg.Model, cfg.Optimizer)
		}
	}
}

func seq(n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = i
	}
	return s
}

func equalRecords(a, b []results.Record) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := a[i], b[i]
		if x.Run != y.Run || x.Seed != y.Seed || x.Kind != y.Kind || x.Step != y.Step || x.Epoch != y.Epoch ||
			x.Seconds != y.Seconds || x.Status != y.Status || x.Note != y.Note || len(x.Metrics) != len(y.Metrics) {
			return false
		}
		for j := range x.Metrics {
			if x.Metrics[j] != y.Metrics[j] && !(math.IsNaN(x.Metrics[j].Value) && math.IsNaN(y.Metrics[j].Value)) {
				return false
			}
		}
	}
	return true
}

func mustSpec(t *testing.T, s string) lr.Spec {
	t.Helper()
	sp, err := lr.ParseSpec(s)
	if err != nil {
		t.Fatal(err)
	}
	return sp
}

func TestSameStartAcrossOptimizers(t *testing.T) {
	d := tiny()
	var first [][]byte
	for _, name := range []string{"sgd", "adam", "rmsprop"} {
		cfg := tinyConfig()
		cfg.Optimizer = name
		r, err := New(name, cfg, d)
		if err != nil {
			t.Fatal(err)
		}
		first = append(first, weights(t, r))
		r.Close()
	}
	for i := 1; i < len(first); i++ {
		if !bytes.Equal(first[0], first[i]) {
			t.Errorf("optimiser %d starts from other weights than the first", i)
		}
	}
}

// cancelAfter is a writer that cancels a context at its n-th write.
type cancelAfter struct {
	buf    bytes.Buffer
	n      int
	cancel context.CancelFunc
}

func (c *cancelAfter) Write(p []byte) (int, error) {
	c.n--
	if c.n == 0 {
		c.cancel()
	}
	return c.buf.Write(p)
}

func TestInterruptAndResume(t *testing.T) {
	atEpochEnd := tinyConfig()
	atEpochEnd.LogEvery = 16 // the first record is that of the epoch's last step
	for _, c := range []struct {
		cfg   Config
		after int // records written before the interruption
	}{
		{tinyConfig(), 5},
		{atEpochEnd, 1},
		{Config{Model: "cnn", Optimizer: "adadelta", Epochs: 2, BatchSize: 16, Seed: 11, LogEvery: 1,
			Schedule: mustSpec(t, "step:1:0.7")}, 5},
		{Config{Model: "mlp", ModelConfig: modelConfig(16), Optimizer: "adamw", Epochs: 3, BatchSize: 32, Seed: 2,
			Schedule: mustSpec(t, "onecycle"), Groups: []optim.GroupRule{{Pattern: "*.bias", Options: optim.Options{"weight_decay": "0"}}}}, 5},
	} {
		cfg := c.cfg
		d := tiny()
		if cfg.Model == "cnn" {
			d.Train, d.Eval = data.NewSubset(d.Train, seq(48)), data.NewSubset(d.Eval, seq(32))
		}
		_, full, want := train(t, cfg, d)

		// Interrupted after a step record.
		dir := t.TempDir()
		ckpt := filepath.Join(dir, "checkpoint")
		ctx, cancel := context.WithCancel(context.Background())
		w := &cancelAfter{n: c.after, cancel: cancel}
		r, err := New("run", cfg, d)
		if err != nil {
			t.Fatal(err)
		}
		res, err := r.Train(ctx, Output{Results: results.NewWriter(w), Checkpoint: ckpt})
		r.Close()
		if !errors.Is(err, context.Canceled) || res.Status != results.StatusInterrupted {
			t.Fatalf("%s: interrupted run returned %+v, %v", cfg.Model, res, err)
		}
		info, err := ReadCheckpointInfo(ckpt)
		if err != nil || info.Step != res.Steps || info.Status != "" {
			t.Fatalf("%s: checkpoint %+v, %v; want step %d, resumable", cfg.Model, info, err, res.Steps)
		}

		// Resumed: same weights and the same records as the uninterrupted run.
		r, err = New("run", cfg, d)
		if err != nil {
			t.Fatal(err)
		}
		if err := r.Resume(ckpt); err != nil {
			t.Fatal(err)
		}
		res, err = r.Train(context.Background(), Output{Results: results.NewWriter(&w.buf), Checkpoint: ckpt})
		if err != nil || res.Status != results.StatusDone {
			t.Fatalf("%s: resumed run: %+v, %v", cfg.Model, res, err)
		}
		if got := weights(t, r); !bytes.Equal(got, want) {
			t.Errorf("%s: weights after interruption and resumption differ from an uninterrupted run's", cfg.Model)
		}
		r.Close()
		recs, err := results.Read(&w.buf)
		if err != nil {
			t.Fatal(err)
		}
		runs := results.Runs(recs)
		wantRuns := results.Runs(full)
		if len(runs) != 1 || !equalRecords(losses(runs[0].Steps), losses(wantRuns[0].Steps)) ||
			!equalRecords(losses(runs[0].Epochs), losses(wantRuns[0].Epochs)) || runs[0].Status() != results.StatusDone {
			t.Errorf("%s: the records of the resumed run differ from the uninterrupted run's:\n%+v\n%+v\n%+v\n%+v", cfg.Model, runs[0].Steps, wantRuns[0].Steps, runs[0].Epochs, wantRuns[0].Epochs)
		}

		// A finished run cannot be resumed again.
		r, _ = New("run", cfg, d)
		if err := r.Resume(ckpt); err != nil {
			t.Fatal(err)
		}
		if _, err := r.Train(context.Background(), Output{}); err == nil || !strings.Contains(err.Error(), "already ended") {
			t.Errorf("%s: training a finished run again: %v", cfg.Model, err)
		}
		r.Close()
	}
}

// TestKilledAndResumed resumes from the checkpoint of the end of epoch 1, as after a
// SIGKILL in epoch 2: the steps of epoch 2 are trained again, to the same weights.
func TestKilledAndResumed(t *testing.T) {
	cfg := tinyConfig()
	d := tiny()
	_, _, want := train(t, cfg, d)
	dir := t.TempDir()
	ckpt := filepath.Join(dir, "checkpoint")
	saved := filepath.Join(dir, "epoch1")
	r, _ := New("run", cfg, d)
	_, err := r.Train(context.Background(), Output{Checkpoint: ckpt, OnEpoch: func(e Epoch) {
		if e.Epoch == 1 {
			b, _ := os.ReadFile(ckpt)
			os.WriteFile(saved, b, 0o644)
		}
	}})
	r.Close()
	if err != nil {
		t.Fatal(err)
	}
	r, _ = New("run", cfg, d)
	defer r.Close()
	if err := r.Resume(saved); err != nil {
		t.Fatal(err)
	}
	if r.Epochs() != 1 {
		t.Fatalf("resumed at epoch %d, want 1", r.Epochs())
	}
	if _, err := r.Train(context.Background(), Output{}); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(weights(t, r), want) {
		t.Error("weights after resuming from epoch 1 differ from an uninterrupted run's")
	}
}

func TestCheckpointRefused(t *testing.T) {
	cfg := tinyConfig()
	d := tiny()
	dir := t.TempDir()
	ckpt := filepath.Join(dir, "checkpoint")
	cfg.Epochs = 1
	r, _ := New("run", cfg, d)
	if _, err := r.Train(context.Background(), Output{Checkpoint: ckpt}); err != nil {
		t.Fatal(err)
	}
	r.Close()
	good, _ := os.ReadFile(ckpt)
	if matches, _ := filepath.Glob(filepath.Join(dir, ".*tmp*")); len(matches) > 0 {
		t.Errorf("temporary files left behind: %v", matches)
	}

	damaged := bytes.Clone(good)
	damaged[len(damaged)/2] ^= 1
	other := cfg
	other.Options = optim.Options{"lr": "0.5"}
	for _, c := range []struct {
		name  string
		file  []byte
		cfg   Config
		seed  int
		error string
	}{
		{"damaged", damaged, cfg, 7, "checksum mismatch"},
		{"truncated", good[:len(good)-100], cfg, 7, "checksum mismatch"},
		{"empty", nil, cfg, 7, "too short"},
		{"not a checkpoint", bytes.Repeat([]byte("x"), 100), cfg, 7, "not a descent checkpoint"},
		{"other options", good, other, 7, "options"},
		{"other seed", good, cfg, 8, "seed 7, not run seed 8"},
	} {
		path := filepath.Join(dir, c.name)
		os.WriteFile(path, c.file, 0o644)
		c.cfg.Seed = uint64(c.seed)
		r, _ := New("run", c.cfg, d)
		before := weights(t, r)
		err := r.Resume(path)
		var ce *CheckpointError
		if !errors.As(err, &ce) || !strings.Contains(err.Error(), c.error) {
			t.Errorf("%s: Resume returned %v, want a CheckpointError saying %q", c.name, err, c.error)
		}
		if !bytes.Equal(before, weights(t, r)) {
			t.Errorf("%s: a refused checkpoint changed the weights", c.name)
		}
		r.Close()
	}
}

func TestDivergence(t *testing.T) {
	for _, c := range []struct {
		optimizer, lr string
		schedule      string
	}{
		{"sgd", "1e30", ""},   // the loss overflows
		{"adam", "1e6", ""},   // the weights blow up
		{"lbfgs", "1e20", ""}, // through a closure
	} {
		cfg := tinyConfig()
		cfg.Optimizer = c.optimizer
		cfg.Options = optim.Options{"lr": c.lr}
		d := tiny()
		dir := t.TempDir()
		res, recs, _ := func() (Result, []results.Record, []byte) {
			r, err := New("run", cfg, d)
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			var buf bytes.Buffer
			res, err := r.Train(context.Background(), Output{Results: results.NewWriter(&buf), Checkpoint: filepath.Join(dir, "ckpt")})
			if err != nil {
				t.Fatalf("%s: a diverged run returned the error %v", c.optimizer, err)
			}
			recs, _ := results.Read(&buf)
			return res, recs, nil
		}()
		if res.Status != results.StatusDiverged || res.Note == "" {
			t.Fatalf("%s lr %s: %+v, want diverged with a note", c.optimizer, c.lr, res)
		}
		end := recs[len(recs)-1]
		if end.Status != results.StatusDiverged || end.Step != res.Steps+1 {
			t.Errorf("%s: end record %+v, want diverged at step %d", c.optimizer, end, res.Steps+1)
		}
		for _, rec := range recs {
			for _, m := range rec.Metrics {
				if math.IsNaN(m.Value) || math.IsInf(m.Value, 0) {
					t.Errorf("%s: record %+v holds %s = %v", c.optimizer, rec, m.Name, m.Value)
				}
			}
		}
		info, err := ReadCheckpointInfo(filepath.Join(dir, "ckpt"))
		if err != nil || info.Status != "diverged" {
			t.Errorf("%s: checkpoint %+v, %v; want one marked diverged", c.optimizer, info, err)
		}
	}
}

// TestStepAllocs checks that a training step allocates nothing once warm, nor does the
// short last batch of an epoch.
func TestStepAllocs(t *testing.T) {
	if race.Enabled {
		t.Skip("the race detector allocates")
	}
	for _, m := range []string{"logreg", "mlp"} {
		cfg := tinyConfig()
		cfg.Model = m
		if m == "mlp" {
			cfg.ModelConfig = modelConfig(16)
		}
		cfg.LogEvery = 1
		r, err := New("run", cfg, tiny())
		if err != nil {
			t.Fatal(err)
		}
		w := results.NewWriter(new(discard))
		out := Output{Results: w}
		r.loader.Next()
		b := r.loader.Batch()
		// A short batch, as the last of an epoch, from the first examples of b.
		k := b.Size() / 3
		short := &data.Batch{X: b.X[:k*r.features], Y: b.Y[:k], Indices: b.Indices[:k],
			Shape: append([]int{k}, b.Shape[1:]...)}
		step := func(b *data.Batch) {
			if _, err := r.step(b); err != nil {
				t.Fatal(err)
			}
			r.pos.LogLoss, r.pos.LogSteps = 1, 1
			if err := r.logSteps(out, 1); err != nil {
				t.Fatal(err)
			}
		}
		step(b)
		if a := testing.AllocsPerRun(20, func() { step(b) }); a != 0 {
			t.Errorf("%s: %v allocations per step and record, want 0", m, a)
		}
		// The short batch takes the full batches' buffers: the tape holds no more memory,
		// and alternating short and full steps allocates nothing.
		held := r.tape.BufferBytes()
		if a := testing.AllocsPerRun(5, func() { step(short); step(b) }); a != 0 {
			t.Errorf("%s: %v allocations per short and full step, want 0", m, a)
		}
		if got := r.tape.BufferBytes(); got != held {
			t.Errorf("%s: the tape holds %d bytes after a short batch, %d before", m, got, held)
		}
		r.Close()
	}
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

func TestCountCorrect(t *testing.T) {
	nan := float32(math.NaN())
	scores := []float32{
		0.1, 0.7, 0.2, // 1
		0.5, 0.5, 0.0, // first largest: 0
		nan, 0.1, 0.2, // a NaN is never right
		0.1, nan, 0.9, // 2? the NaN makes it wrong only if it wins: it does not
	}
	if got := countCorrect(scores, []int{1, 0, 0, 2}); got != 3 {
		t.Errorf("countCorrect = %d, want 3", got)
	}
}

func modelConfig(hidden int) model.Config { return model.Config{Hidden: []int{hidden}} }

// TestEvalDivergence gives the run a held-out set with a NaN pixel: its loss is not
// finite, and the run stops as diverged after the epoch, at the last step it took.
func TestEvalDivergence(t *testing.T) {
	d := tiny()
	bad := synthetic(64, 3)
	bad.X[100] = float32(math.NaN())
	d.Eval = bad
	res, recs, _ := train(t, tinyConfig(), d)
	if res.Status != results.StatusDiverged || res.Epochs != 0 || !strings.Contains(res.Note, "test_loss = NaN after epoch 1") {
		t.Fatalf("%+v, want diverged after epoch 1 with a note on the test loss", res)
	}
	end := recs[len(recs)-1]
	if end.Status != results.StatusDiverged || end.Step != 16 {
		t.Errorf("end record %+v, want diverged at step 16", end)
	}
	for _, rec := range recs {
		if rec.Kind == results.KindEpoch {
			t.Errorf("an epoch record was written for the diverged epoch: %+v", rec)
		}
	}
}
