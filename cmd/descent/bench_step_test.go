package main

import (
	"bytes"
	"context"
	"encoding/json"
	"math/rand/v2"
	"testing"

	"github.com/descent-ml/descent/model"
	"github.com/descent-ml/descent/nn"
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

// TestStepFlops checks the flops bench step divides by, written out for MNIST's models at
// batch 128: the MLP's 2·128·(2·784·1000 + 3·1000·1000 + 3·1000·10), and the CNN's conv1
// (forward and weight gradient), conv2 (forward, and its two gradients at a quarter, from
// the pooling's nonzeros), fc1 and fc2 (forward and two gradients each).
func TestStepFlops(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, tc := range []struct {
		name string
		m    nn.Module
		want float64
	}{
		{"mlp", model.NewMLP([]int{1000, 1000}, rng), 1_177_088_000},
		{"cnn", model.NewCNN(false, rng), 99_680_256 + 4_076_863_488 + 905_969_664 + 983_040},
	} {
		if got := stepFlops(tc.m, 128); got != tc.want {
			t.Errorf("%s: %.0f flops, want %.0f", tc.name, got, tc.want)
		}
	}
}
