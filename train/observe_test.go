package train

import (
	"bytes"
	"context"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/descent-ml/descent/data"
	"github.com/descent-ml/descent/optim"
	"github.com/descent-ml/descent/report/results"
)

// TestOnStep checks the steps OnStep sees against the run's epochs: one call per step,
// numbered in order, whose losses average (weighted by the batch sizes) to the epoch's
// training loss, with the short last batch of an epoch.
func TestOnStep(t *testing.T) {
	cfg := tinyConfig()
	cfg.BatchSize = 48 // 512 = 10·48 + 32: a short last batch
	r, err := New("run", cfg, tiny())
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var steps []Step
	var epochs []Epoch
	res, err := r.Train(context.Background(), Output{
		OnStep:  func(s Step) { steps = append(steps, s) },
		OnEpoch: func(e Epoch) { epochs = append(epochs, e) },
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(steps) != res.Steps || res.Steps != 3*11 || len(epochs) != 3 {
		t.Fatalf("%d calls of OnStep, %d epochs, result %+v; want 33 steps in 3 epochs", len(steps), len(epochs), res)
	}
	sum, n := 0.0, 0
	for i, s := range steps {
		e, b := i/11+1, i%11+1
		size := 48
		if b == 11 {
			size = 32
		}
		if s.Step != i+1 || s.Epoch != e || s.Batch != b || s.Batches != 11 || s.Size != size {
			t.Fatalf("step %d: %+v, want step %d of epoch %d, batch %d of 11, %d examples", i, s, i+1, e, b, size)
		}
		if !(s.Seconds > 0) || math.IsNaN(s.Loss) {
			t.Fatalf("step %d: %+v, want a loss and a positive time", i, s)
		}
		sum += s.Loss * float64(s.Size)
		n += s.Size
		if b == 11 {
			if got, want := sum/float64(n), epochs[e-1].TrainLoss; got != want {
				t.Errorf("epoch %d: OnStep's losses average to %v, the epoch's training loss is %v", e, got, want)
			}
			sum, n = 0, 0
		}
	}
}

// TestOnStepStops cancels the context from OnStep: the run stops after that step,
// interrupted, and continues from it when trained again.
func TestOnStepStops(t *testing.T) {
	cfg := tinyConfig()
	whole, _, want := train(t, cfg, tiny())
	r, err := New("run", cfg, tiny())
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	calls := 0
	res, err := r.Train(ctx, Output{OnStep: func(s Step) {
		calls++
		if s.Step == 20 {
			cancel()
		}
	}})
	if err != context.Canceled || res.Status != results.StatusInterrupted || res.Steps != 20 || calls != 20 {
		t.Fatalf("%+v, %v after %d calls; want interrupted after step 20", res, err, calls)
	}
	if res, err = r.Train(context.Background(), Output{}); err != nil || res.Steps != whole.Steps {
		t.Fatalf("continued: %+v, %v; want %d steps", res, err, whole.Steps)
	}
	if string(weights(t, r)) != string(want) {
		t.Error("a run stopped from OnStep and continued ends with other weights than one trained at once")
	}
}

// TestOnStepDiverged: OnStep is not called for the step refused as diverged.
func TestOnStepDiverged(t *testing.T) {
	cfg := tinyConfig()
	cfg.Optimizer, cfg.Options = "sgd", optim.Options{"lr": "1e30"}
	r, err := New("run", cfg, tiny())
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	calls := 0
	res, err := r.Train(context.Background(), Output{OnStep: func(s Step) {
		calls++
		if math.IsNaN(s.Loss) || math.IsInf(s.Loss, 0) {
			t.Errorf("OnStep saw the loss %v", s.Loss)
		}
	}})
	if err != nil || res.Status != results.StatusDiverged || calls != res.Steps {
		t.Fatalf("%+v, %v, %d calls; want diverged with one call per step taken", res, err, calls)
	}
}

// TestEvaluate checks Evaluate on the held-out set against the evaluation after the last
// epoch, for a classification and a regression, and its refusals.
func TestEvaluate(t *testing.T) {
	for _, c := range []struct {
		name string
		cfg  Config
		d    Data
	}{
		{"classify", tinyConfig(), tiny()},
		{"regress", Config{Model: "mlp:8", Epochs: 2, BatchSize: 32, Seed: 3}, regressionData(2)},
	} {
		r, err := New("run", c.cfg, c.d)
		if err != nil {
			t.Fatal(err)
		}
		res, err := r.Train(context.Background(), Output{})
		if err != nil {
			t.Fatal(err)
		}
		got, err := r.Evaluate(c.d.Eval)
		if err != nil {
			t.Fatal(err)
		}
		e := res.Last
		want := Scores{Loss: e.EvalLoss, Accuracy: e.EvalAccuracy, RMSE: e.EvalRMSE, R2: e.EvalR2}
		same := func(a, b float64) bool { return a == b || math.IsNaN(a) && math.IsNaN(b) }
		if !same(got.Loss, want.Loss) || !same(got.Accuracy, want.Accuracy) || !same(got.RMSE, want.RMSE) || !same(got.R2, want.R2) {
			t.Errorf("%s: Evaluate gives %+v, the last epoch %+v", c.name, got, want)
		}
		if c.name == "classify" && (math.IsNaN(got.Accuracy) || !math.IsNaN(got.RMSE)) ||
			c.name == "regress" && (!math.IsNaN(got.Accuracy) || math.IsNaN(got.RMSE)) {
			t.Errorf("%s: scores %+v of the other task", c.name, got)
		}
		// The training set evaluates too, in evaluation mode, to another loss.
		if tr, err := r.Evaluate(c.d.Train); err != nil || tr.Loss == got.Loss || math.IsNaN(tr.Loss) {
			t.Errorf("%s: the training set evaluates to %+v, %v", c.name, tr, err)
		}
		r.Close()
	}
	r, err := New("run", tinyConfig(), tiny())
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	for name, d := range map[string]data.Dataset{
		"nil":         nil,
		"empty":       data.NewDense(nil, nil, 1, 28, 28),
		"other shape": data.NewDense(make([]float32, 8), []int{0, 1}, 4),
		"regression":  data.NewRegression(make([]float32, 784), []int{1, 28, 28}, []float32{1}, []int{1}),
	} {
		if _, err := r.Evaluate(d); err == nil {
			t.Errorf("Evaluate of a %s set: no error", name)
		}
	}
}

// TestDropLast: with DropLast every step sees a full batch, an epoch has as many as fit,
// the epoch's training loss is theirs, and a checkpoint of such a run is refused by a run
// that keeps the short batch (and the converse), the weights untouched.
func TestDropLast(t *testing.T) {
	cfg := tinyConfig()
	cfg.BatchSize, cfg.DropLast = 48, true // 512 = 10·48 + 32: the 32 are left out
	r, err := New("run", cfg, tiny())
	if err != nil {
		t.Fatal(err)
	}
	var steps []Step
	var epochs []Epoch
	ckpt := filepath.Join(t.TempDir(), "checkpoint")
	res, err := r.Train(context.Background(), Output{Checkpoint: ckpt,
		OnStep:  func(s Step) { steps = append(steps, s) },
		OnEpoch: func(e Epoch) { epochs = append(epochs, e) },
	})
	r.Close()
	if err != nil {
		t.Fatal(err)
	}
	if res.Steps != 30 || len(steps) != 30 || len(epochs) != 3 {
		t.Fatalf("%+v with %d steps seen; want 3 epochs of 10 steps", res, len(steps))
	}
	sum := 0.0
	for i, s := range steps {
		if s.Size != 48 || s.Batches != 10 || s.Batch != i%10+1 {
			t.Fatalf("step %d: %+v, want batch %d of 10, of 48 examples", i, s, i%10+1)
		}
		sum += s.Loss
		if s.Batch == 10 {
			if got, want := sum/10, epochs[s.Epoch-1].TrainLoss; math.Abs(got-want) > 1e-12*want {
				t.Errorf("epoch %d: the steps' losses average to %v, the epoch's training loss is %v", s.Epoch, got, want)
			}
			sum = 0
		}
	}
	keep := cfg
	keep.DropLast = false
	r, err = New("run", keep, tiny())
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	before := weights(t, r)
	if err := r.Resume(ckpt); err == nil || !strings.Contains(err.Error(), "drop_last") {
		t.Errorf("a run keeping the short batch resumed a checkpoint of one without it: %v", err)
	}
	if !bytes.Equal(before, weights(t, r)) {
		t.Error("a refused checkpoint changed the weights")
	}
	small := Data{Train: synthetic(40, 1)}
	if _, err := New("run", cfg, small); err == nil {
		t.Error("DropLast with batches of 48 on 40 examples: no error")
	}
}
