package nn

import (
	"iter"

	"github.com/descent-ml/descent/autodiff"
	"github.com/descent-ml/descent/tensor"
)

// A Container is a module made of other modules that is not a [Sequential]: [UpdateBN]
// finds the BatchNorm layers of a model through Submodules.
type Container interface {
	// Submodules returns the modules that m is made of.
	Submodules() []Module
}

// batchNorms appends the BatchNorm layers of m to dst, in the order of its layers.
func batchNorms(dst []*BatchNorm, m Module) []*BatchNorm {
	switch v := m.(type) {
	case *BatchNorm:
		return append(dst, v)
	case *Sequential:
		for _, l := range v.Layers {
			dst = batchNorms(dst, l)
		}
	case Container:
		for _, l := range v.Submodules() {
			dst = batchNorms(dst, l)
		}
	}
	return dst
}

// UpdateBN recomputes the running statistics of the BatchNorm layers of m in one pass over
// the batches, as torch.optim.swa_utils.update_bn does for a model whose weights were
// averaged (package [github.com/descent-ml/descent/optim/swa]), which leaves the statistics
// of no single model: it sets every layer's RunningMean to 0, RunningVar to 1 and
// NumBatchesTracked to 0, switches to the cumulative average (torch's momentum=None),
// runs m in training mode on each batch, so that RunningMean and RunningVar become the
// means over the batches of the batches' mean and unbiased variance, and restores the
// layers' momentum and the mode m had (that of its first BatchNorm layer). Dropout layers
// are in training mode during the pass, as in torch.
//
// The layers are found in m itself, in [Sequential] layers and in the Submodules of a
// [Container], recursively. UpdateBN returns how many it found; with none, it does nothing
// (not even read a batch). The forward passes run on t in inference mode (t is restored),
// or on a tape of their own if t is nil.
func UpdateBN(t *autodiff.Tape, m Module, batches iter.Seq[*tensor.Tensor]) int {
	bns := batchNorms(nil, m)
	if len(bns) == 0 {
		return 0
	}
	wasTraining := bns[0].training
	cumulative := make([]bool, len(bns))
	for i, b := range bns {
		tensor.Fill(b.RunningMean, 0)
		tensor.Fill(b.RunningVar, 1)
		tensor.Fill(b.NumBatchesTracked, 0)
		cumulative[i] = b.CumulativeAverage
		b.CumulativeAverage = true
	}
	if t == nil {
		t = autodiff.NewTape()
		defer t.Release()
	}
	inference := t.Inference()
	t.SetInference(true)
	SetTraining(m, true)
	for x := range batches {
		t.Reset()
		m.Forward(t, t.Const(x))
	}
	t.Reset()
	t.SetInference(inference)
	for i, b := range bns {
		b.CumulativeAverage = cumulative[i]
	}
	SetTraining(m, wasTraining)
	return len(bns)
}
