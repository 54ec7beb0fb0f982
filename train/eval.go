package train

import (
	"errors"
	"fmt"
	"math"

	"github.com/descent-ml/descent/autodiff"
	"github.com/descent-ml/descent/data"
	"github.com/descent-ml/descent/nn"
	"github.com/descent-ml/descent/tensor"
)

// evalBudget is the memory of activations an evaluation pass may use when
// Config.EvalBatch is 0.
const evalBudget = 32 << 20

// evalBatch returns the batch size of evaluations of d: Config.EvalBatch, or
// EvalBatchSize's, measured on d's first example.
func (r *Run) evalBatch(d data.Dataset) int {
	if r.cfg.EvalBatch > 0 {
		return r.cfg.EvalBatch
	}
	x := tensor.New(1, r.features)
	d.Example(x.Data(), 0)
	return EvalBatchSize(r.model, x, r.cfg.BatchSize)
}

// EvalBatchSize returns the batch size of a Run's evaluations of m when Config.EvalBatch
// is 0, for training batches of batchSize: as many examples as fit in 32 MiB of
// activations, between batchSize and 1000 (at most 1000). It measures the bytes of one
// example by evaluating example (1×features, any values: the bytes depend on the shapes
// only) on a tape of its own, m out of training mode meanwhile.
func EvalBatchSize(m nn.Module, example *tensor.Tensor, batchSize int) int {
	t := autodiff.NewTape()
	t.SetInference(true)
	defer t.Release()
	nn.SetTraining(m, false)
	m.Forward(t, t.Const(example))
	nn.SetTraining(m, true)
	per := t.BufferBytes()
	return max(min(1000, evalBudget/max(per, 1)), min(batchSize, 1000))
}

// Scores are the metrics of a model on a set of examples.
type Scores struct {
	Loss float64 // the mean loss of the examples
	// Accuracy is the fraction of the examples classified right (the largest output of a
	// row at its label), for a classification; NaN for a regression.
	Accuracy float64
	// RMSE and R2 are the root mean squared error, in the targets' units with
	// Data.TargetScale, and the coefficient of determination, averaged over the outputs,
	// for a regression; NaN for a classification.
	RMSE, R2 float64
}

// Evaluate returns the scores of the model on d, computed as those of Data.Eval after an
// epoch: in evaluation mode, in big batches, with the run's loss. d may be any set of
// examples of the training set's shape and task: the training set itself, or a test set
// evaluated once at the end. Evaluate may be called before Train, after it, or from
// Output.OnStep or OnEpoch (between two steps), not from another goroutine while Train
// runs. It scores the run's model, not its averaged copies (Config.SWA, Config.EMA).
func (r *Run) Evaluate(d data.Dataset) (Scores, error) {
	if d == nil {
		return Scores{}, errors.New("train: no examples to evaluate")
	}
	if err := r.checkHeldOut(d); err != nil {
		return Scores{}, err
	}
	l := data.NewLoader(d, data.Config{BatchSize: r.evalBatch(d)}, nil)
	defer l.Close()
	var g *regression
	if r.task.Kind == data.Regress {
		g = newRegression(d.(data.Targeted), r.task.Outputs())
	}
	return r.score(r.model, l, g), nil
}

// evaluate sets the metrics of e on Data.Eval, with a loader and the sums of a regression
// made at the first evaluation and reused.
func (r *Run) evaluate(e *Epoch) { r.evaluateModel(r.model, e) }

// evaluateModel is evaluate of the model m, the run's or an averaged copy of it.
func (r *Run) evaluateModel(m nn.Module, e *Epoch) {
	if r.evalLoader == nil {
		r.evalLoader = data.NewLoader(r.d.Eval, data.Config{BatchSize: r.evalBatch(r.d.Eval)}, nil)
	}
	if r.task.Kind == data.Regress && r.eval == nil {
		r.eval = newRegression(r.d.Eval.(data.Targeted), r.task.Outputs())
	}
	s := r.score(m, r.evalLoader, r.eval)
	e.EvalLoss, e.EvalAccuracy, e.EvalRMSE, e.EvalR2 = s.Loss, s.Accuracy, s.RMSE, s.R2
}

// score returns the scores of the model m on the examples of one epoch of l: the mean
// loss, and the accuracy of a classification or the RMSE and R² of a regression (whose
// sums g holds). It computes them in evaluation mode (no dropout, BatchNorm on its
// running statistics) on the training tape switched to inference mode, in big batches.
// Sharing the tape shares its buffers: with the training batch size (the CNN's, whose
// activations are big), an evaluation needs no memory of its own.
func (r *Run) score(m nn.Module, l *data.Loader, g *regression) Scores {
	t := r.tape
	t.SetInference(true)
	defer t.SetInference(false)
	regress := r.task.Kind == data.Regress
	if regress {
		clear(g.sse)
	}
	nn.SetTraining(m, false)
	defer nn.SetTraining(m, true)
	var sum float64
	correct, n := 0, 0
	for l.Next() {
		b := l.Batch()
		x := tensor.Wrap(b.X, b.Size(), r.features)
		t.Reset()
		out := m.Forward(t, t.Const(&x))
		loss := r.loss.Loss(t, out, b)
		sum += float64(loss.Item()) * float64(b.Size())
		if regress {
			g.add(out.Value.Data(), b.T)
		} else {
			correct += countCorrect(out.Value.Data(), b.Y)
		}
		n += b.Size()
	}
	t.Reset()
	nan := math.NaN()
	s := Scores{Loss: sum / float64(n), Accuracy: nan, RMSE: nan, R2: nan}
	if regress {
		s.RMSE, s.R2 = g.scores(r.d.TargetScale)
	} else {
		s.Accuracy = float64(correct) / float64(n)
	}
	return s
}

// regression holds the sums of the RMSE and R² of a held-out set of k outputs: the sum of
// squares of each output about its mean over the set (computed once), and the sum of
// squared errors of each output (in an evaluation).
type regression struct {
	n        int
	sst, sse []float64
}

// newRegression returns the sums of d, whose targets have k values, with the total sums
// of squares computed in two passes in float64.
func newRegression(d data.Targeted, k int) *regression {
	g := &regression{n: d.Len(), sst: make([]float64, k), sse: make([]float64, k)}
	mean := make([]float64, k)
	y := make([]float32, k)
	for pass := range 2 {
		for i := range g.n {
			d.Target(y, i)
			for j, v := range y {
				if pass == 0 {
					mean[j] += float64(v)
				} else {
					dv := float64(v) - mean[j]
					g.sst[j] += dv * dv
				}
			}
		}
		if pass == 0 {
			for j := range mean {
				mean[j] /= float64(g.n)
			}
		}
	}
	return g
}

// add adds the squared errors of predictions against targets, rows of k values.
func (g *regression) add(pred, target []float32) {
	k := len(g.sse)
	if len(pred) != len(target) {
		panic(fmt.Sprintf("train: %d predictions for %d targets", len(pred), len(target)))
	}
	for i := 0; i < len(pred); i += k {
		for j := range k {
			d := float64(pred[i+j]) - float64(target[i+j])
			g.sse[j] += d * d
		}
	}
}

// scores returns the RMSE and R² of the errors added, as scikit-learn's
// root_mean_squared_error and r2_score with multioutput='uniform_average': each
// averaged over the outputs. With scale, the RMSE of output j is multiplied by
// scale.Std[j], back into the targets' units; R² is unchanged by the scale. An output whose
// targets are all equal has R² 1 if predicted exactly, else 0 (scikit-learn's
// force_finite).
func (g *regression) scores(scale *data.Moments) (rmse, r2 float64) {
	for j, sse := range g.sse {
		e := math.Sqrt(sse / float64(g.n))
		if scale != nil {
			e *= scale.Std[j]
		}
		rmse += e
		switch {
		case g.sst[j] > 0:
			r2 += 1 - sse/g.sst[j]
		case sse == 0:
			r2++
		}
	}
	k := float64(len(g.sse))
	return rmse / k, r2 / k
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
