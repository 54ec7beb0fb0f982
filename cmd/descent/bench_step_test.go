package main

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"
)

func TestBenchStep(t *testing.T) {
	for _, m := range []string{"logreg", "mlp", "cnn"} {
		var out, errb bytes.Buffer
		args := []string{"bench", "step", "--model", m, "--iters", "2", "--batch-size", "4", "--pool", "16", "--hidden", "8", "--json"}
		if err := run(context.Background(), args, &out, &errb); err != nil {
			t.Fatalf("%s: %v (%s)", m, err, errb.String())
		}
		var res map[string]any
		if err := json.Unmarshal(out.Bytes(), &res); err != nil {
			t.Fatalf("%s: output %q: %v", m, out.String(), err)
		}
		for _, k := range []string{"ms_per_iter", "gather_ms", "forward_ms", "loss_ms", "backward_ms", "step_ms", "eval_ms",
			"gather_ms_median", "forward_ms_median", "loss_ms_median", "backward_ms_median", "step_ms_median",
			"other_share", "eval_share", "gflops", "peak_fraction", "allocs_per_iter", "last_loss"} {
			if _, ok := res[k].(float64); !ok {
				t.Errorf("%s: no number %q in %v", m, k, res)
			}
		}
		// The evaluation batch is descent train's, not the training batch: 1000 for the
		// small models, for the cnn as many as fit its activations in 32 MiB.
		if eb, _ := res["eval_batch"].(float64); eb <= 4 || eb > 1000 || m != "cnn" && eb != 1000 {
			t.Errorf("%s: evaluation batch %v, want train.EvalBatchSize's", m, res["eval_batch"])
		}
	}
	var out, errb bytes.Buffer
	if err := run(context.Background(), []string{"bench", "step", "--iters", "0"}, &out, &errb); err != errUsage {
		t.Errorf("--iters 0: %v, want a usage error", err)
	}
}
