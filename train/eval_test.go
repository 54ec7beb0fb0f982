package train

import (
	"math/rand/v2"
	"testing"

	"github.com/descent-ml/descent/model"
	"github.com/descent-ml/descent/tensor"
)

// TestEvalBatchSize checks the evaluation batch against the activations of one example:
// a logistic regression's (a few KiB) fit 1000 in 32 MiB, the CNN's (about 0.2 MiB, its
// convolutions' outputs) fewer, never below the training batch nor above 1000.
func TestEvalBatchSize(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	x := tensor.New(1, model.Inputs)
	if got := EvalBatchSize(model.NewLogReg(rng), x, 64); got != 1000 {
		t.Errorf("logreg: %d, want 1000", got)
	}
	cnn := model.NewCNN(true, rng)
	got := EvalBatchSize(cnn, x, 8)
	if got <= 8 || got >= 1000 {
		t.Errorf("cnn, batch 8: %d, want between 8 and 1000, both excluded", got)
	}
	if got := EvalBatchSize(cnn, x, 4096); got != 1000 {
		t.Errorf("cnn, batch 4096: %d, want 1000", got)
	}
	if got2 := EvalBatchSize(cnn, x, got+1); got2 != got+1 {
		t.Errorf("cnn, batch %d: %d, want the training batch", got+1, got2)
	}
}
