package train

import (
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"

	"github.com/descent-ml/descent/data"
	"github.com/descent-ml/descent/nn"
	"github.com/descent-ml/descent/nn/safetensors"
	"github.com/descent-ml/descent/optim/lr"
	"github.com/descent-ml/descent/optim/swa"
	"github.com/descent-ml/descent/report/results"
	"github.com/descent-ml/descent/tensor"
)

// SWA configures the stochastic weight averaging of a run (Izmailov et al., "Averaging
// Weights Leads to Wider Optima and Better Generalization", UAI 2018; package optim/swa):
// the equal average of the weights at the ends of epochs Start, Start+1, …, Epochs, held
// in a copy of the model (torch's AveragedModel without use_buffers), whose BatchNorm
// statistics, if it has any, are recomputed by a pass over the training set before each
// evaluation (nn.UpdateBN, torch's update_bn). With LR, the learning rate follows SWALR
// from the start of epoch Start instead of the run's schedule.
type SWA struct {
	// Start is the first epoch, from 1, whose final weights are averaged; at most the run's
	// epochs.
	Start int
	// LR, if positive, is the SWA learning rate of every group: from the start of epoch
	// Start, lr.SWALR (stepped after every epoch) anneals the rate the schedule left to LR
	// over AnnealEpochs epochs, and the run's schedule is no longer stepped. If LR is 0,
	// the schedule runs on.
	LR float64
	// AnnealEpochs is SWALR's anneal_epochs; 0 sets LR at once. torch's default, and
	// descent train's, is 10.
	AnnealEpochs int
	// Anneal is SWALR's anneal_strategy; "" is lr.AnnealCos.
	Anneal lr.Anneal
}

// String describes s for a checkpoint's fingerprint.
func (s *SWA) String() string {
	if s == nil {
		return ""
	}
	a := s.Anneal
	if a == "" {
		a = lr.AnnealCos
	}
	return fmt.Sprintf("start=%d lr=%s anneal_epochs=%d anneal=%s", s.Start, strconv.FormatFloat(s.LR, 'g', -1, 64), s.AnnealEpochs, a)
}

// check validates s for a run of epochs epochs.
func (s *SWA) check(epochs int) error {
	switch {
	case s.Start < 1 || s.Start > epochs:
		return fmt.Errorf("train: SWA starts at epoch %d, outside the run's epochs 1 to %d", s.Start, epochs)
	case !(s.LR >= 0) || math.IsInf(s.LR, 0):
		return fmt.Errorf("train: SWA learning rate %v, want 0 (the schedule's) or positive and finite", s.LR)
	case s.AnnealEpochs < 0:
		return fmt.Errorf("train: SWA annealing of %d epochs, want at least 0", s.AnnealEpochs)
	case s.Anneal != "" && s.Anneal != lr.AnnealCos && s.Anneal != lr.AnnealLinear:
		return fmt.Errorf("train: SWA annealing %q, want %q or %q", s.Anneal, lr.AnnealCos, lr.AnnealLinear)
	}
	return nil
}

// checkEMA validates the EMA decay of a Config.
func checkEMA(decay float64) error {
	if decay != 0 && !(decay > 0 && decay < 1) {
		return fmt.Errorf("train: EMA decay %v, want a number in (0, 1) (or 0: none)", decay)
	}
	return nil
}

// Names of the averaged models: the suffixes of their records' run names ("adam+swa") and
// of their weights files (model.swa.safetensors).
const (
	AverageSWA = "swa"
	AverageEMA = "ema"
)

// average is an averaged model of a run: a copy of the model holding the average of the
// model's parameters, updated after every epoch from SWA.Start (SWA) or after every step
// (EMA), and evaluated after every epoch once it holds a model.
type average struct {
	kind  string
	model nn.Module
	avg   *swa.AveragedModel
	src   [][]float32 // the run's model's parameters, as Update takes them
	first int         // the first epoch at whose end it is evaluated
	bn    bool        // it has BatchNorm layers, whose statistics UpdateBN recomputes
	masks *rand.PCG   // the dropout masks of UpdateBN's pass, seeded afresh each time
	last  Epoch       // the latest evaluation
}

// The random stream of the dropout masks of the averaged models' UpdateBN passes.
const streamAverage = 0x61766572616765 // "average"

// newAverage makes the averaged model kind of the run: a copy of the model (torch's deepcopy
// at AveragedModel's construction) whose parameters fn averages, first evaluated at the end
// of epoch first.
func (r *Run) newAverage(kind string, fn swa.AvgFn, first int) (*average, error) {
	masks := rand.NewPCG(r.cfg.Seed, streamAverage)
	m, _, err := r.buildModel(rand.New(masks))
	if err != nil {
		return nil, err
	}
	own, ps := m.Parameters(), r.model.Parameters()
	if len(own) != len(ps) {
		return nil, fmt.Errorf("train: the copy of the model for %s has %d parameters, the model %d", kind, len(own), len(ps))
	}
	ts := make([]swa.Tensor, len(own))
	src := make([][]float32, len(ps))
	for i := range own {
		ts[i] = swa.Tensor{Data: own[i].Var.Value.Data()}
		src[i] = ps[i].Var.Value.Data()
	}
	a := &average{kind: kind, model: m, avg: swa.New(ts, fn), src: src, first: first, masks: masks}
	nbn := 0
	for _, b := range nn.Buffers(m) {
		if b.Name == "running_mean" || strings.HasSuffix(b.Name, ".running_mean") {
			nbn++
		}
	}
	if nbn > 0 {
		// UpdateBN on no batch counts the layers it finds; the statistics it resets are
		// loaded again below.
		if n := nn.UpdateBN(nil, m, func(func(*tensor.Tensor) bool) {}); n != nbn {
			return nil, fmt.Errorf("train: %s: the model has %d BatchNorm layers, nn.UpdateBN finds %d (a module that holds others must be an nn.Container)", kind, nbn, n)
		}
		a.bn = true
	}
	if err := nn.LoadStateDict(m, nn.StateDict(r.model), true); err != nil {
		return nil, fmt.Errorf("train: the copy of the model for %s: %w", kind, err)
	}
	nn.SetTraining(m, false)
	return a, nil
}

// averages sets up the averaged models of the configuration.
func (r *Run) averages() error {
	if s := r.cfg.SWA; s != nil {
		a, err := r.newAverage(AverageSWA, nil, s.Start)
		if err != nil {
			return err
		}
		r.avgs = append(r.avgs, a)
		if s.LR > 0 && s.Start == 1 {
			if err := r.startSWALR(); err != nil {
				return err
			}
		}
	}
	if d := r.cfg.EMA; d != 0 {
		a, err := r.newAverage(AverageEMA, swa.EMA(d), 1)
		if err != nil {
			return err
		}
		r.avgs = append(r.avgs, a)
	}
	return nil
}

// startSWALR hands the learning rate over to SWALR, at the start of epoch SWA.Start.
func (r *Run) startSWALR() error {
	s := r.cfg.SWA
	var err error
	r.swalr, err = lr.NewSWALR(r.opt, []float64{s.LR}, s.AnnealEpochs, s.Anneal)
	return err
}

// stepAverages averages the model into the EMA after an optimiser step.
func (r *Run) stepAverages() {
	for _, a := range r.avgs {
		if a.kind == AverageEMA {
			a.avg.Update(a.src)
		}
	}
}

// epochAverages averages the model into the SWA at the end of epoch (from 1), and
// evaluates the averaged models that hold an average from then on, after recomputing
// their BatchNorm statistics: a.last holds the outcome (the held-out metrics, NaN without
// held-out data).
func (r *Run) epochAverages(epoch int) {
	for _, a := range r.avgs {
		if a.kind == AverageSWA && epoch >= a.first {
			a.avg.Update(a.src)
		}
		if !a.evaluatedAt(epoch) {
			continue
		}
		if a.bn {
			r.updateBN(a, epoch)
		}
		nan := math.NaN()
		a.last = Epoch{Epoch: epoch, Step: r.pos.Step, EvalLoss: nan, EvalAccuracy: nan, EvalRMSE: nan, EvalR2: nan, TrainLoss: nan, LR: nan}
		if r.d.Eval != nil {
			r.evaluateModel(a.model, &a.last)
			nn.SetTraining(a.model, false)
		}
	}
}

// evaluatedAt reports whether a is evaluated at the end of epoch (from 1).
func (a *average) evaluatedAt(epoch int) bool { return epoch >= a.first && a.avg.N() > 0 }

// updateBN recomputes the BatchNorm statistics of a's model in a pass over the training set
// in order, in batches of the run's size, its dropout masks drawn from a stream seeded by
// the seed and the epoch: the pass depends on nothing a checkpoint must hold.
func (r *Run) updateBN(a *average, epoch int) {
	if r.bnLoader == nil {
		r.bnLoader = data.NewLoader(r.d.Train, data.Config{BatchSize: r.cfg.BatchSize}, nil)
	}
	a.masks.Seed(r.cfg.Seed^streamAverage, uint64(epoch))
	nn.UpdateBN(r.tape, a.model, func(yield func(*tensor.Tensor) bool) {
		for r.bnLoader.Next() {
			b := r.bnLoader.Batch()
			x := tensor.Wrap(b.X, b.Size(), r.features)
			if !yield(&x) {
				return
			}
		}
	})
	r.tape.Reset()
	nn.SetTraining(a.model, false)
}

// writeAverages writes the epoch records of the averaged models evaluated at the end of
// epoch.
func (r *Run) writeAverages(w *results.Writer, epoch int) error {
	if w == nil || r.d.Eval == nil {
		return nil
	}
	names := r.evalMetrics()
	for _, a := range r.avgs {
		if !a.evaluatedAt(epoch) {
			continue
		}
		e := &a.last
		r.metrics = append(r.metrics[:0], results.Metric{Name: names.Loss, Value: e.EvalLoss})
		if r.task.Kind == data.Regress {
			r.metrics = append(r.metrics, results.Metric{Name: names.RMSE, Value: e.EvalRMSE}, results.Metric{Name: names.R2, Value: e.EvalR2})
		} else {
			r.metrics = append(r.metrics, results.Metric{Name: names.Accuracy, Value: e.EvalAccuracy})
		}
		if err := w.Write(results.Record{Run: r.averageName(a), Seed: r.seed, Kind: results.KindEpoch,
			Step: e.Step, Epoch: e.Epoch, Seconds: r.pos.Seconds, Metrics: r.metrics}); err != nil {
			return err
		}
	}
	return nil
}

// averageName is the run name of the records of an averaged model: the run's, "+swa" or
// "+ema".
func (r *Run) averageName(a *average) string { return r.name + "+" + a.kind }

// endAverages writes the end records of the averaged models that have epoch records, with
// the run's status.
func (r *Run) endAverages(w *results.Writer, step int, status results.Status, note string) error {
	if w == nil || r.d.Eval == nil {
		return nil
	}
	for _, a := range r.avgs {
		if r.pos.Epoch < a.first {
			continue
		}
		if err := w.Write(results.Record{Run: r.averageName(a), Seed: r.seed, Kind: results.KindEnd, Step: step,
			Epoch: r.pos.Epoch, Seconds: r.pos.Seconds, Status: status, Note: note}); err != nil {
			return err
		}
	}
	return nil
}

// Averages returns the names of the run's averaged models that hold an average
// ([AverageSWA], [AverageEMA]), for [Run.SaveAverage].
func (r *Run) Averages() []string {
	var out []string
	for _, a := range r.avgs {
		if a.avg.N() > 0 {
			out = append(out, a.kind)
		}
	}
	return out
}

// SaveAverage writes the state of the averaged model kind as [Run.SaveWeights] writes the
// model's, under the same names: its averaged parameters and, after an epoch's end, the
// BatchNorm statistics recomputed for them. The header's metadata also holds the number
// of models averaged ("n_averaged").
func (r *Run) SaveAverage(kind string, w io.Writer) error {
	for _, a := range r.avgs {
		if a.kind == kind {
			meta := map[string]string{"format": "pt", "n_averaged": strconv.FormatInt(a.avg.N(), 10)}
			if r.cfg.Model != "" {
				meta["model"] = r.cfg.Model
			}
			return safetensors.Write(w, nn.StateDict(a.model), meta)
		}
	}
	return fmt.Errorf("train: run %s has no %s average", r.name, kind)
}

// AverageWeightsFile returns the name of the weights file of descent train's averaged
// model kind, beside WeightsFile: "model.swa.safetensors", "model.ema.safetensors".
func AverageWeightsFile(kind string) string { return "model." + kind + ".safetensors" }
