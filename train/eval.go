package train

import (
	"github.com/descent-ml/descent/autodiff"
	"github.com/descent-ml/descent/data"
	"github.com/descent-ml/descent/nn"
	"github.com/descent-ml/descent/tensor"
)

// evalBudget is the memory of activations an evaluation pass may use when
// Config.EvalBatch is 0.
const evalBudget = 32 << 20

// evalBatch returns the batch size of evaluations: Config.EvalBatch, or as many
// examples as fit in evalBudget, between the training batch size and 1000. It measures
// the bytes of an example by evaluating one on a tape of its own.
func (r *Run) evalBatch() int {
	if r.cfg.EvalBatch > 0 {
		return r.cfg.EvalBatch
	}
	t := autodiff.NewTape()
	t.SetInference(true)
	defer t.Release()
	x := tensor.New(1, r.features)
	r.d.Eval.Example(x.Data(), 0)
	nn.SetTraining(r.model, false)
	r.model.Forward(t, t.Const(x))
	nn.SetTraining(r.model, true)
	per := t.BufferBytes()
	return max(min(1000, evalBudget/max(per, 1)), min(r.cfg.BatchSize, 1000))
}

// evaluate returns the mean loss and the accuracy of the model on Data.Eval, computed
// in evaluation mode (no dropout) on the training tape switched to inference mode, in big
// batches. Sharing the tape shares its buffers: with the training batch size (the CNN's,
// whose activations are big), an evaluation needs no memory of its own.
func (r *Run) evaluate() (loss, accuracy float64) {
	t := r.tape
	t.SetInference(true)
	defer t.SetInference(false)
	if r.evalLoader == nil {
		r.evalLoader = data.NewLoader(r.d.Eval, data.Config{BatchSize: r.evalBatch()}, nil)
	}
	nn.SetTraining(r.model, false)
	defer nn.SetTraining(r.model, true)
	var sum float64
	correct, n := 0, 0
	for r.evalLoader.Next() {
		b := r.evalLoader.Batch()
		x := tensor.Wrap(b.X, b.Size(), r.features)
		t.Reset()
		logp := r.model.Forward(t, t.Const(&x))
		l := t.NLLLoss(logp, b.Y)
		sum += float64(l.Item()) * float64(b.Size())
		correct += countCorrect(logp.Value.Data(), b.Y)
		n += b.Size()
	}
	t.Reset()
	return sum / float64(n), float64(correct) / float64(n)
}

// countCorrect returns how many rows of scores (len(labels) rows, row-major) have their
// largest value at the label: the first largest, as torch's argmax. A row with a NaN is
// never right.
func countCorrect(scores []float32, labels []int) int {
	if len(labels) == 0 {
		return 0
	}
	k := len(scores) / len(labels)
	c := 0
	for i, y := range labels {
		row := scores[i*k : (i+1)*k]
		best := 0
		for j, v := range row {
			if v > row[best] {
				best = j
			}
		}
		if best == y && row[best] == row[best] {
			c++
		}
	}
	return c
}
