package train

import (
	"bytes"
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"

	"github.com/descent-ml/descent/nn"
	"github.com/descent-ml/descent/nn/safetensors"
	"github.com/descent-ml/descent/optim/lr"
	"github.com/descent-ml/descent/report/results"
)

// swaConfig is a run of a BatchNorm MLP with SWA from epoch 2 (SWALR to 0.002 over 2
// epochs) and an EMA of decay 0.9.
func swaConfig() Config {
	return Config{Model: "mlp:24:relu:batchnorm", Optimizer: "sgd", Options: map[string]string{"lr": "0.05"}, Epochs: 4, BatchSize: 32, Seed: 5, LogEvery: 4,
		SWA: &SWA{Start: 2, LR: 0.002, AnnealEpochs: 2}, EMA: 0.9}
}

func savedAverage(t *testing.T, r *Run, kind string) ([]nn.NamedTensor, map[string]string, []byte) {
	t.Helper()
	var w bytes.Buffer
	if err := r.SaveAverage(kind, &w); err != nil {
		t.Fatal(err)
	}
	ts, meta, err := safetensors.Read(bytes.NewReader(w.Bytes()), int64(w.Len()))
	if err != nil {
		t.Fatal(err)
	}
	return ts, meta, w.Bytes()
}

// TestSWARun checks a run with SWA and EMA against what they are: the SWA holds the mean of
// the weights at the ends of epochs 2 to 4 (to float32 rounding), its BatchNorm statistics
// are those of one pass over the training set, the rates from epoch 2 on are SWALR's, and
// the averaged models have records of their own, "run+swa" from epoch 2 and "run+ema" from
// epoch 1, with the run's end, whose last is the evaluation of the weights saved.
func TestSWARun(t *testing.T) {
	cfg := swaConfig()
	d := tiny()
	r, err := New("run", cfg, d)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var ends []map[string][]float32 // the parameters at the end of each epoch
	var rates []float64
	out := Output{OnEpoch: func(e Epoch) {
		w := map[string][]float32{}
		for _, p := range r.Model().Parameters() {
			w[p.Name] = append([]float32(nil), p.Var.Value.Data()...)
		}
		ends = append(ends, w)
		rates = append(rates, e.LR)
	}}
	var buf bytes.Buffer
	out.Results = results.NewWriter(&buf)
	if _, err := r.Train(context.Background(), out); err != nil {
		t.Fatal(err)
	}
	if got := r.Averages(); len(got) != 2 || got[0] != AverageSWA || got[1] != AverageEMA {
		t.Fatalf("Averages() = %v", got)
	}
	ts, meta, _ := savedAverage(t, r, AverageSWA)
	if meta["n_averaged"] != "3" {
		t.Errorf("SWA n_averaged %q, want 3", meta["n_averaged"])
	}
	n := 0
	for _, e := range ts {
		switch {
		case strings.HasSuffix(e.Name, "num_batches_tracked"):
			if got := e.Tensor.Data()[0]; got != 16 {
				t.Errorf("%s = %v, want 16: one pass of 512 examples in batches of 32", e.Name, got)
			}
			continue
		case strings.Contains(e.Name, "running"):
			continue
		}
		for i, v := range e.Tensor.Data() {
			want := (float64(ends[1][e.Name][i]) + float64(ends[2][e.Name][i]) + float64(ends[3][e.Name][i])) / 3
			if math.Abs(float64(v)-want) > 1e-6*math.Max(1, math.Abs(want)) {
				t.Fatalf("SWA %s[%d]: %v, the mean of epochs 2-4 is %v", e.Name, i, v, want)
			}
		}
		n++
	}
	if n != len(ends[0]) {
		t.Fatalf("SWA has %d parameters, the model %d", n, len(ends[0]))
	}
	// Epoch 1 at the optimiser's rate; SWALR from epoch 2: its constructor's rate, then its
	// steps.
	want := lr.Rates{0.05}
	s, err := lr.NewSWALR(want, []float64{0.002}, 2, "")
	if err != nil {
		t.Fatal(err)
	}
	for e, got := range rates {
		if e >= 2 {
			if err := s.Step(); err != nil {
				t.Fatal(err)
			}
		}
		if got != want[0] {
			t.Errorf("epoch %d: rate %v, want %v", e+1, got, want[0])
		}
	}
	recs, err := results.Read(&buf)
	if err != nil {
		t.Fatal(err)
	}
	runs := map[string]results.Run{}
	for _, run := range results.Runs(recs) {
		runs[run.Name] = run
	}
	for kind, first := range map[string]int{AverageSWA: 2, AverageEMA: 1} {
		name := "run+" + kind
		run, ok := runs[name]
		if !ok || len(run.Epochs) != cfg.Epochs-first+1 || run.Epochs[0].Epoch != first || run.Status() != results.StatusDone {
			t.Errorf("%s: records %+v", name, run)
			continue
		}
		// The last record is the evaluation of the saved average, BatchNorm statistics
		// included: a fresh model loaded with it scores the same.
		ts, _, _ := savedAverage(t, r, kind)
		m, _, err := r.buildModel(rand.New(rand.NewPCG(1, 1)))
		if err != nil {
			t.Fatal(err)
		}
		if err := nn.LoadStateDict(m, ts, true); err != nil {
			t.Fatal(err)
		}
		var e Epoch
		r.evaluateModel(m, &e)
		last := run.Epochs[len(run.Epochs)-1]
		acc, _ := last.Metric(results.TestAccuracy)
		loss, _ := last.Metric(results.TestLoss)
		if acc != e.EvalAccuracy || loss != e.EvalLoss {
			t.Errorf("%s: last record: accuracy %v, loss %v; the saved average scores %v, %v", name, acc, loss, e.EvalAccuracy, e.EvalLoss)
		}
	}
}

// TestSWAResume interrupts runs with SWA and EMA at several points (in epoch 1, before SWA
// starts; in epochs 2 and 3, with SWALR running) and resumes them: the weights, both
// averages and every record must be those of the uninterrupted run, bit for bit.
func TestSWAResume(t *testing.T) {
	for _, cfg := range []Config{swaConfig(), func() Config {
		c := swaConfig()
		c.Model, c.SWA.Start, c.SWA.AnnealEpochs, c.SWA.Anneal, c.Schedule = "mlp:16", 1, 0, lr.AnnealLinear, mustSpec(t, "cosine")
		return c
	}()} {
		d := tiny()
		_, full, want := train(t, cfg, d)
		ref, err := New("run", cfg, d)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ref.Train(context.Background(), Output{}); err != nil {
			t.Fatal(err)
		}
		_, _, wantSWA := savedAverage(t, ref, AverageSWA)
		_, _, wantEMA := savedAverage(t, ref, AverageEMA)
		ref.Close()
		for _, after := range []int{2, 7, 12, 20} {
			ckpt := filepath.Join(t.TempDir(), "checkpoint")
			ctx, cancel := context.WithCancel(context.Background())
			w := &cancelAfter{n: after, cancel: cancel}
			r, err := New("run", cfg, d)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := r.Train(ctx, Output{Results: results.NewWriter(w), Checkpoint: ckpt}); !errors.Is(err, context.Canceled) {
				t.Fatalf("%s after %d records: %v, want an interruption", cfg.Model, after, err)
			}
			r.Close()
			info, err := ReadCheckpointInfo(ckpt)
			if err != nil {
				t.Fatal(err)
			}
			// Keep the records up to the checkpoint, as descent train does.
			kept := w.buf.Bytes()[:info.Results]
			out := bytes.NewBuffer(append([]byte(nil), kept...))
			r, err = New("run", cfg, d)
			if err != nil {
				t.Fatal(err)
			}
			if err := r.Resume(ckpt); err != nil {
				t.Fatal(err)
			}
			if _, err := r.Train(context.Background(), Output{Results: results.NewWriter(out), Checkpoint: ckpt}); err != nil {
				t.Fatal(err)
			}
			_, _, gotSWA := savedAverage(t, r, AverageSWA)
			_, _, gotEMA := savedAverage(t, r, AverageEMA)
			if !bytes.Equal(weights(t, r), want) || !bytes.Equal(gotSWA, wantSWA) || !bytes.Equal(gotEMA, wantEMA) {
				t.Errorf("%s interrupted after %d records (epoch %d, step %d): the weights or averages differ from the uninterrupted run's",
					cfg.Model, after, info.Epoch, info.Step)
			}
			r.Close()
			recs, err := results.Read(out)
			if err != nil {
				t.Fatal(err)
			}
			a, b := results.Runs(recs), results.Runs(full)
			if len(a) != 3 || len(a) != len(b) {
				t.Fatalf("%s: %d runs in the records, %d uninterrupted; want 3", cfg.Model, len(a), len(b))
			}
			for i := range a {
				if a[i].Name != b[i].Name || !equalRecords(losses(a[i].Steps), losses(b[i].Steps)) || !equalRecords(losses(a[i].Epochs), losses(b[i].Epochs)) || a[i].Status() != b[i].Status() {
					t.Errorf("%s interrupted after %d records: the records of %s differ", cfg.Model, after, a[i].Name)
				}
			}
		}
	}
}

// TestSWAConfigRefused checks the errors of bad SWA and EMA settings, and that a checkpoint
// of a run without SWA does not resume a run with it.
func TestSWAConfigRefused(t *testing.T) {
	d := tiny()
	for _, c := range []struct {
		swa  *SWA
		ema  float64
		want string
	}{
		{&SWA{Start: 0}, 0, "outside the run's epochs 1 to 3"},
		{&SWA{Start: 4}, 0, "outside the run's epochs 1 to 3"},
		{&SWA{Start: 1, LR: -1}, 0, "SWA learning rate -1"},
		{&SWA{Start: 1, LR: math.Inf(1)}, 0, "SWA learning rate +Inf"},
		{&SWA{Start: 1, AnnealEpochs: -2}, 0, "annealing of -2 epochs"},
		{&SWA{Start: 1, Anneal: "exp"}, 0, `SWA annealing "exp"`},
		{nil, 1, "EMA decay 1"},
		{nil, -0.5, "EMA decay -0.5"},
		{nil, math.NaN(), "EMA decay NaN"},
	} {
		cfg := tinyConfig()
		cfg.SWA, cfg.EMA = c.swa, c.ema
		if _, err := New("run", cfg, d); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("SWA %+v, EMA %v: %v, want %q", c.swa, c.ema, err, c.want)
		}
	}
	cfg := tinyConfig()
	ckpt := filepath.Join(t.TempDir(), "checkpoint")
	r, err := New("run", cfg, d)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.SaveCheckpoint(ckpt); err != nil {
		t.Fatal(err)
	}
	r.Close()
	cfg.EMA = 0.5
	r, err = New("run", cfg, d)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var ce *CheckpointError
	if err := r.Resume(ckpt); !errors.As(err, &ce) || !strings.Contains(err.Error(), "ema") {
		t.Errorf("resuming a run with EMA from one without: %v", err)
	}
}
