package train

import (
	"bytes"
	"context"
	"errors"
	"math"
	"path/filepath"
	"testing"

	"github.com/descent-ml/descent/optim"
	"github.com/descent-ml/descent/report/results"
)

// TestScheduleFreeEvaluation checks that a run of a schedule-free optimiser is evaluated,
// and its weights saved, at the average x, not at the point y where its gradients are
// taken: after the run the optimiser is in evaluation mode; evaluating the model at x
// gives the last epoch's test loss bit for bit, and at y another loss; and switching to y
// and back to x restores the weights bit for bit.
func TestScheduleFreeEvaluation(t *testing.T) {
	for _, name := range []string{"schedulefree-sgd", "schedulefree-adamw"} {
		cfg := tinyConfig()
		cfg.Optimizer = name
		cfg.Epochs = 2
		r, err := New("run", cfg, tiny())
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		res, err := r.Train(context.Background(), Output{Results: results.NewWriter(&buf)})
		if err != nil || res.Status != results.StatusDone {
			t.Fatalf("%s: %+v, %v", name, res, err)
		}
		ms := r.opt.(optim.ModeSwitcher)
		if !ms.Evaluating() {
			t.Fatalf("%s: the finished run's optimiser is at y, want the evaluation point x", name)
		}
		atX := weights(t, r)
		var ex, ey Epoch
		r.evaluate(&ex)
		if ex.EvalLoss != res.Last.EvalLoss {
			t.Errorf("%s: test loss at x %v, the last epoch's %v: the epoch was not evaluated at x", name, ex.EvalLoss, res.Last.EvalLoss)
		}
		ms.Train()
		if bytes.Equal(weights(t, r), atX) {
			t.Fatalf("%s: y and x are the same weights: the test cannot tell them apart", name)
		}
		r.evaluate(&ey)
		if ey.EvalLoss == ex.EvalLoss || math.IsNaN(ey.EvalLoss) {
			t.Errorf("%s: test loss at y %v, at x %v: want two finite, different losses", name, ey.EvalLoss, ex.EvalLoss)
		}
		ms.Eval()
		if !bytes.Equal(weights(t, r), atX) {
			t.Errorf("%s: weights after Train and Eval differ from x", name)
		}
		r.Close()
	}
}

// TestScheduleFreeResume interrupts a schedule-free run and resumes it from a checkpoint
// saved at x or at y: the final weights and the epoch records are those of the
// uninterrupted run, bit for bit.
func TestScheduleFreeResume(t *testing.T) {
	for _, name := range []string{"schedulefree-sgd", "schedulefree-adamw"} {
		cfg := tinyConfig()
		cfg.Optimizer = name
		d := tiny()
		_, full, want := train(t, cfg, d)
		// 4 step records and an epoch record per epoch: stopped after epoch 1's evaluation
		// (at x), in epoch 2 (at y), and after epoch 2's last step, before its evaluation.
		for _, after := range []int{5, 6, 9} {
			ckpt := filepath.Join(t.TempDir(), "checkpoint")
			ctx, cancel := context.WithCancel(context.Background())
			w := &cancelAfter{n: after, cancel: cancel}
			r, err := New("run", cfg, d)
			if err != nil {
				t.Fatal(err)
			}
			res, err := r.Train(ctx, Output{Results: results.NewWriter(w), Checkpoint: ckpt})
			r.Close()
			cancel()
			if !errors.Is(err, context.Canceled) || res.Status != results.StatusInterrupted {
				t.Fatalf("%s: interrupted run returned %+v, %v", name, res, err)
			}
			r, err = New("run", cfg, d)
			if err != nil {
				t.Fatal(err)
			}
			if err := r.Resume(ckpt); err != nil {
				t.Fatal(err)
			}
			res, err = r.Train(context.Background(), Output{Results: results.NewWriter(&w.buf), Checkpoint: ckpt})
			if err != nil || res.Status != results.StatusDone {
				t.Fatalf("%s: resumed run: %+v, %v", name, res, err)
			}
			if !bytes.Equal(weights(t, r), want) {
				t.Errorf("%s, interrupted after %d records: final weights differ from the uninterrupted run's", name, after)
			}
			r.Close()
			recs, err := results.Read(&w.buf)
			if err != nil {
				t.Fatal(err)
			}
			got, ref := results.Runs(recs), results.Runs(full)
			if len(got) != 1 || !equalRecords(losses(got[0].Epochs), losses(ref[0].Epochs)) {
				t.Errorf("%s, interrupted after %d records: epoch records differ from the uninterrupted run's", name, after)
			}
		}
	}
}
