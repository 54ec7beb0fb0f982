package train

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/descent-ml/descent/autodiff"
	"github.com/descent-ml/descent/data"
	"github.com/descent-ml/descent/internal/progress"
	"github.com/descent-ml/descent/model"
	"github.com/descent-ml/descent/nn"
	"github.com/descent-ml/descent/nn/safetensors"
	"github.com/descent-ml/descent/optim"
	"github.com/descent-ml/descent/optim/lr"
	"github.com/descent-ml/descent/report/results"
	"github.com/descent-ml/descent/tensor"
)

// Data is what a run trains on and evaluates on after every epoch.
type Data struct {
	// Train is the training set: its task (data.TaskOf) is the run's, classification
	// with integer labels or regression with float targets.
	Train data.Dataset
	// Eval is the held-out set evaluated after every epoch: the test set, or with Val a
	// validation split of the training set. Nil means no evaluation. Its task must be
	// the training set's.
	Eval data.Dataset
	// Val says Eval is a validation split: its metrics are val_loss, val_accuracy,
	// val_rmse and val_r2 (instead of test_loss, ...) and a plateau schedule reads
	// val_loss.
	Val bool
	// TargetScale, if not nil, are the moments that standardised the float targets of a
	// regression (data.Standardization.Targets): the RMSE is then reported in the
	// targets' own units (the R² is the same in either). The loss stays in the units
	// the model was trained in.
	TargetScale *data.Moments
}

// Output says where a run reports. Its zero value reports nowhere.
type Output struct {
	// Results receives the step, epoch and end records of the run (it may be shared).
	Results *results.Writer
	// Progress shows the run's progress bar or lines.
	Progress *progress.Display
	// Checkpoint is the path of the checkpoint written after every epoch and when the run
	// stops (interrupted or diverged); "" writes none.
	Checkpoint string
	// OnEpoch, if not nil, is called after every epoch.
	OnEpoch func(Epoch)
	// OnStep, if not nil, is called after every optimiser step the run takes (not for a
	// step refused as diverged), with the batch's loss and the step's time. To end a run
	// from OnStep, cancel the context given to Train: the run stops after this step,
	// interrupted.
	OnStep func(Step)
	// Label is the name of the run's progress bar; if "", the run's name.
	Label string
}

// Epoch is the outcome of one epoch.
type Epoch struct {
	Epoch int // epochs completed, from 1
	Step  int // optimiser steps taken so far
	// Seconds is the time of the epoch's training loop alone: no evaluation, no checkpoint.
	Seconds   float64
	TrainLoss float64 // mean training loss of the epoch's batches, weighted by their size
	// EvalLoss is the mean loss on Data.Eval, and EvalAccuracy the fraction of it
	// classified right (a classification), EvalRMSE and EvalR2 the root mean squared error
	// and the coefficient of determination of the predictions (a regression); NaN
	// without Data.Eval, or for the other task.
	EvalLoss, EvalAccuracy, EvalRMSE, EvalR2 float64
	LR                                       float64 // learning rate of the first group in the epoch's last step
}

// Step is one optimiser step, as Output.OnStep sees it.
type Step struct {
	Step    int     // optimiser steps taken so far, this one included
	Epoch   int     // the epoch of the step, from 1
	Batch   int     // the place of the step's batch in its epoch, from 1
	Batches int     // batches per epoch, the last one short if the batch size does not divide the training set (unless Config.DropLast)
	Size    int     // examples in the batch
	Loss    float64 // the batch's loss, at the weights before the step
	// Seconds is the time of the step alone: the forward and backward passes, gradient
	// clipping and the optimiser's update; not the loading of the batch.
	Seconds float64
}

// Result is how a run ended.
type Result struct {
	Status results.Status
	Note   string // why it stopped, for a diverged or interrupted run
	Epochs int    // epochs completed
	Steps  int    // optimiser steps taken
	// Seconds is the time of the training loops of all epochs.
	Seconds float64
	// Last is the last epoch completed (zero if none was).
	Last Epoch
}

// position is where a run is: what, besides the model, optimiser, schedule, loader and
// random state, a checkpoint must hold to continue bit for bit.
type position struct {
	Epoch   int     `json:"epoch"`   // epochs completed
	Step    int     `json:"step"`    // optimiser steps taken
	Seconds float64 `json:"seconds"` // training-loop seconds so far

	// Running sums of the current epoch and of the current logging interval.
	EpochLoss    float64 `json:"epoch_loss"`
	EpochSamples int     `json:"epoch_samples"`
	LogLoss      float64 `json:"log_loss"`
	LogSteps     int     `json:"log_steps"`
	LR           float64 `json:"lr"`         // the learning rate of the first group at the last step
	FirstLoss    float64 `json:"first_loss"` // the loss of the first batch, for Config.MaxLoss

	Status     results.Status `json:"status,omitempty"` // set once the run has ended
	Note       string         `json:"note,omitempty"`
	DivergedAt int            `json:"diverged_at,omitempty"` // the step at which a diverged run stopped
}

// Random streams of a seed: one for the weights and dropout masks, one for the loader.
const (
	streamModel = 0x6d6f64656c // "model"
	streamData  = 0x64617461   // "data"
)

// A Run is one training run: a model, its optimiser and schedule, and a loader over the
// training set, all made from a Config and a seed. Train runs it to the end (or until it
// diverges or is interrupted); a Run resumed from a checkpoint continues bit for bit as if
// it had not stopped.
//
// A Run is not safe for concurrent use; separate Runs may train at the same time.
type Run struct {
	name string
	seed int
	cfg  Config
	d    Data

	src    *rand.PCG // weights, then dropout masks
	model  nn.Module
	task   data.Task
	loss   Loss
	params []*optim.Param
	opt    optim.Optimizer
	closer optim.ClosureStepper // the optimiser, when it needs a closure (L-BFGS)
	sched  *lr.Schedule
	loader *data.Loader

	avgs     []*average   // the averaged models (Config.SWA, Config.EMA)
	swalr    *lr.SWALR    // SWA's schedule, from the start of epoch SWA.Start when SWA.LR is set
	bnLoader *data.Loader // the training set in order, for the averaged models' UpdateBN

	tape       *autodiff.Tape
	evalLoader *data.Loader
	eval       *regression // the sums of a regression's evaluation, made at the first
	features   int
	x          tensor.Tensor // the current batch, as a tensor over the loader's buffer
	batch      *data.Batch
	closure    optim.Closure

	metrics []results.Metric // reused for every record
	pos     position
}

// New makes a run called name (the name of its records) with configuration cfg on d. The
// model's weights, the loader's order and the dropout masks are drawn from cfg.Seed, the
// seed of its records.
func New(name string, cfg Config, d Data) (*Run, error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	if d.Train == nil || d.Train.Len() == 0 {
		return nil, errors.New("train: no training examples")
	}
	if cfg.DropLast && d.Train.Len() < cfg.BatchSize {
		return nil, fmt.Errorf("train: batches of %d without the short last one: no batch of %d training examples", cfg.BatchSize, d.Train.Len())
	}
	r := &Run{name: name, seed: int(cfg.Seed), cfg: cfg, d: d, features: data.Features(d.Train), task: data.TaskOf(d.Train)}
	if err := r.checkEval(); err != nil {
		return nil, err
	}
	r.src = rand.NewPCG(cfg.Seed, streamModel)
	var (
		logProbs bool
		err      error
	)
	if r.model, logProbs, err = r.buildModel(rand.New(r.src)); err != nil {
		return nil, err
	}
	if cfg.InitState != nil {
		if err := nn.LoadStateDict(r.model, cfg.InitState, true); err != nil {
			if we, ok := errors.AsType[*nn.WeightsError](err); ok && we.File == "" {
				we.File = cfg.InitFrom
			}
			return nil, err
		}
	}
	r.loss = cfg.Loss
	if r.loss == nil {
		r.loss = DefaultLoss(r.task, logProbs)
	}
	m := r.model
	r.params = nn.Params(m)
	groups, err := optim.GroupBy(r.params, cfg.Groups...)
	if err != nil {
		return nil, err
	}
	if r.opt, err = optim.New(cfg.Optimizer, cfg.options(), groups...); err != nil {
		return nil, err
	}
	if _, ok := r.opt.(*optim.LBFGS); ok {
		r.closer = r.opt.(optim.ClosureStepper)
		r.closure = r.evalClosure
	}
	r.loader = data.NewLoader(d.Train, data.Config{BatchSize: cfg.BatchSize, Sampling: data.Shuffle, DropLast: cfg.DropLast},
		rand.New(rand.NewPCG(cfg.Seed, streamData)))
	if r.sched, err = cfg.Schedule.New(r.opt, cfg.Epochs, r.loader.BatchesPerEpoch()); err != nil {
		r.loader.Close()
		return nil, err
	}
	r.tape = autodiff.NewTape()
	r.metrics = make([]results.Metric, 0, 5)
	if err := r.averages(); err != nil {
		r.loader.Close()
		return nil, err
	}
	return r, nil
}

// buildModel makes the model of the configuration, its weights drawn from rng, and says
// whether it outputs log-probabilities (a preset of package model).
func (r *Run) buildModel(rng *rand.Rand) (nn.Module, bool, error) {
	cfg := r.cfg
	if cfg.NewModel != nil {
		m := cfg.NewModel(rng)
		if m == nil {
			return nil, false, errors.New("train: NewModel returned no model")
		}
		return m, false, nil
	}
	spec, err := model.ParseSpec(cfg.Model)
	if err != nil {
		return nil, false, fmt.Errorf("train: %w", err)
	}
	m, err := model.Build(spec, cfg.ModelConfig, r.d.Train.Shape(), r.task, rng)
	if err != nil {
		return nil, false, fmt.Errorf("train: %w", err)
	}
	return m, spec.Preset(), nil
}

// checkEval returns an error unless the held-out set is of the training set's task, and
// the target moments of its outputs.
func (r *Run) checkEval() error {
	if ts := r.d.TargetScale; ts != nil && (r.task.Kind != data.Regress || len(ts.Mean) != r.task.Outputs() || len(ts.Std) != len(ts.Mean)) {
		return fmt.Errorf("train: target moments of %d values for a %s task", len(ts.Mean), r.task)
	}
	if r.d.Eval == nil {
		return nil
	}
	return r.checkHeldOut(r.d.Eval)
}

// checkHeldOut returns an error unless d, a held-out set, has examples of the training
// set's shape and task.
func (r *Run) checkHeldOut(d data.Dataset) error {
	if d.Len() == 0 {
		return errors.New("train: no held-out examples")
	}
	if !slices.Equal(d.Shape(), r.d.Train.Shape()) {
		return fmt.Errorf("train: held-out examples of shape %v, training examples of shape %v", d.Shape(), r.d.Train.Shape())
	}
	et := data.TaskOf(d)
	switch {
	case et.Kind != r.task.Kind:
		return fmt.Errorf("train: the training set is a %s task, the held-out set a %s task", r.task.Kind, et.Kind)
	case r.task.Kind == data.Classify && et.Classes > r.task.Classes:
		return fmt.Errorf("train: the held-out set has %d classes, the training set %d", et.Classes, r.task.Classes)
	case r.task.Kind == data.Regress && !slices.Equal(et.TargetShape, r.task.TargetShape):
		return fmt.Errorf("train: held-out targets of shape %v, training targets of shape %v", et.TargetShape, r.task.TargetShape)
	}
	return nil
}

// Close stops the run's loaders. The run must not be used afterwards.
func (r *Run) Close() {
	r.loader.Close()
	if r.evalLoader != nil {
		r.evalLoader.Close()
	}
	if r.bnLoader != nil {
		r.bnLoader.Close()
	}
}

// Name returns the run's name.
func (r *Run) Name() string { return r.name }

// Model returns the model being trained.
func (r *Run) Model() nn.Module { return r.model }

// Optimizer returns the run's optimiser, for what its type alone exposes (the estimate of
// optim.Prodigy, the mode of a schedule-free method). Stepping it or changing its rates
// outside Train breaks the run's records and its resumption.
func (r *Run) Optimizer() optim.Optimizer { return r.opt }

// Epochs returns the number of epochs completed.
func (r *Run) Epochs() int { return r.pos.Epoch }

// Task returns the task of the run: its training set's.
func (r *Run) Task() data.Task { return r.task }

// Loss returns the loss the run minimises.
func (r *Run) Loss() Loss { return r.loss }

// SaveWeights writes the model's state, its parameters and buffers under the names of the
// equivalent PyTorch module's state_dict (nn.StateDict), as safetensors (package
// nn/safetensors), which PyTorch loads with load_state_dict; the header's metadata holds
// the model's spec (Config.Model), if it has one.
func (r *Run) SaveWeights(w io.Writer) error {
	meta := map[string]string{"format": "pt"}
	if r.cfg.Model != "" {
		meta["model"] = r.cfg.Model
	}
	return safetensors.Write(w, nn.StateDict(r.model), meta)
}

// evalMetrics returns the names of the metrics of Data.Eval: val_... with Data.Val, else
// test_....
func (r *Run) evalMetrics() EvalNames { return EvalMetrics(r.d.Val) }

// EvalNames are the names of the metrics of a held-out set in results.jsonl.
type EvalNames struct {
	Loss, Accuracy, RMSE, R2 string
}

// EvalMetrics returns the names of the metrics of a validation set (val_loss, ...), or
// else of a test set (test_loss, ...).
func EvalMetrics(val bool) EvalNames {
	if val {
		return EvalNames{results.ValLoss, results.ValAccuracy, results.ValRMSE, results.ValR2}
	}
	return EvalNames{results.TestLoss, results.TestAccuracy, results.TestRMSE, results.TestR2}
}

// Train trains the run from where it is to the end of its last epoch, evaluating after
// every epoch and reporting to out. It returns how the run ended: done, diverged (a loss
// that is NaN, infinite or above Config.MaxLoss, or a gradient the optimiser refused —
// the run stops before the step that would have spoilt the weights, never with an error)
// or interrupted, when ctx is cancelled: the run then stops after the batch it is on and
// writes its checkpoint, and Train returns the context's error with the result.
// Other errors are those of writing results and checkpoints.
func (r *Run) Train(ctx context.Context, out Output) (Result, error) {
	if r.pos.Status != "" {
		return r.result(), fmt.Errorf("train: run %s has already ended (%s)", r.name, r.pos.Status)
	}
	var bar *progress.Run
	if out.Progress != nil {
		label := out.Label
		if label == "" {
			label = r.name
		}
		bar = out.Progress.Start(label, r.cfg.Epochs, r.d.Train.Len())
	}
	done := ctx.Done()
	var last Epoch
	r.loader.Prepare() // setup, outside the first epoch's time
	for r.pos.Epoch < r.cfg.Epochs {
		start := time.Now()
		stopped := false
		for {
			select {
			case <-done:
				stopped = true
			default:
			}
			if stopped || !r.loader.Next() {
				break
			}
			b := r.loader.Batch()
			var t0 time.Time
			if out.OnStep != nil {
				t0 = time.Now() // time is read per step only for OnStep
			}
			loss, err := r.step(b)
			var took time.Duration
			if out.OnStep != nil {
				took = time.Since(t0)
			}
			if err != nil {
				r.pos.Seconds += time.Since(start).Seconds()
				return r.diverge(out, bar, err.Error(), r.pos.Step+1)
			}
			n := b.Size()
			r.pos.Step++
			r.pos.EpochLoss += loss * float64(n)
			r.pos.EpochSamples += n
			r.pos.LogLoss += loss
			r.pos.LogSteps++
			if bar != nil {
				bar.Step(n, loss)
			}
			if out.OnStep != nil {
				out.OnStep(Step{Step: r.pos.Step, Epoch: r.pos.Epoch + 1, Batch: b.Number + 1, Batches: r.loader.BatchesPerEpoch(),
					Size: n, Loss: loss, Seconds: took.Seconds()})
			}
			r.pos.LR = r.opt.LR(0) // the rate of this step, before the schedule sets the next
			r.stepAverages()
			// Once SWALR has the rate, it steps per epoch in place of the schedule.
			if err := r.batchEnd(); err != nil {
				r.pos.Seconds += time.Since(start).Seconds()
				return r.diverge(out, bar, err.Error(), r.pos.Step)
			}
			if r.pos.LogSteps == r.cfg.LogEvery {
				if err := r.logSteps(out, r.pos.Seconds+time.Since(start).Seconds()); err != nil {
					return r.result(), err
				}
			}
		}
		seconds := time.Since(start).Seconds()
		r.pos.Seconds += seconds
		if stopped {
			return r.interrupt(ctx, out, bar)
		}
		e, note, err := r.endEpoch(out, seconds)
		if err != nil {
			return r.result(), err
		}
		if note != "" {
			return r.diverge(out, bar, note, r.pos.Step)
		}
		last = *e
		if bar != nil {
			bar.Epoch(progress.EpochStats{Epoch: e.Epoch, Seconds: e.Seconds, TrainLoss: e.TrainLoss,
				TestLoss: e.EvalLoss, TestAccuracy: e.EvalAccuracy, TestRMSE: e.EvalRMSE})
		}
		if out.OnEpoch != nil {
			out.OnEpoch(*e)
		}
	}
	r.pos.Status = results.StatusDone
	r.pos.Note = ""
	if err := r.end(out); err != nil {
		return r.result(), err
	}
	if bar != nil {
		bar.Done()
	}
	res := r.result()
	res.Last = last
	return res, nil
}

// batchEnd steps a per-batch schedule, unless SWALR has taken over.
func (r *Run) batchEnd() error {
	if r.swalr != nil {
		return nil
	}
	return r.sched.BatchEnd()
}

// step takes one optimiser step on batch b and returns the batch's loss. An error means
// the run diverged; the weights are then those before the step.
func (r *Run) step(b *data.Batch) (float64, error) {
	r.batch = b
	if ms, ok := r.opt.(optim.ModeSwitcher); ok && ms.Evaluating() {
		ms.Train()
	}
	if r.closer != nil {
		loss, err := r.closer.StepWith(r.closure)
		if err != nil {
			return loss, err
		}
		return loss, r.checkLoss(loss)
	}
	loss := r.forwardBackward()
	if err := r.checkLoss(loss); err != nil {
		return loss, err
	}
	if r.cfg.ClipNorm > 0 {
		if _, err := optim.ClipGradNorm(r.params, r.cfg.ClipNorm, 2); err != nil {
			return loss, err
		}
	}
	return loss, r.opt.Step()
}

// forwardBackward computes the loss of the current batch and its gradient.
func (r *Run) forwardBackward() float64 {
	b := r.batch
	r.x = tensor.Wrap(b.X, b.Size(), r.features)
	r.tape.Reset()
	r.opt.ZeroGrad()
	l := r.loss.Loss(r.tape, r.model.Forward(r.tape, r.tape.Const(&r.x)), b)
	r.tape.Backward(l)
	return float64(l.Item())
}

// evalClosure is the closure of optimisers that re-evaluate the loss (L-BFGS).
func (r *Run) evalClosure() (float64, error) { return r.forwardBackward(), nil }

// checkLoss returns an error if loss shows the run diverged.
func (r *Run) checkLoss(loss float64) error {
	if math.IsNaN(loss) || math.IsInf(loss, 0) {
		return fmt.Errorf("train_loss = %v at step %d", loss, r.pos.Step+1)
	}
	if r.pos.Step == 0 && r.pos.FirstLoss == 0 {
		r.pos.FirstLoss = loss
	}
	limit := r.cfg.MaxLoss
	if limit == 0 {
		limit = 100 * r.pos.FirstLoss
	}
	if limit > 0 && loss > limit {
		return fmt.Errorf("train_loss = %.4g > %.4g at step %d", loss, limit, r.pos.Step+1)
	}
	return nil
}

// logSteps writes the step record of the steps since the last one.
func (r *Run) logSteps(out Output, seconds float64) error {
	mean := r.pos.LogLoss / float64(r.pos.LogSteps)
	r.pos.LogLoss, r.pos.LogSteps = 0, 0
	if out.Results == nil {
		return nil
	}
	r.metrics = append(r.metrics[:0],
		results.Metric{Name: results.TrainLoss, Value: mean},
		results.Metric{Name: results.LR, Value: r.pos.LR})
	return out.Results.Write(results.Record{Run: r.name, Seed: r.seed, Kind: results.KindStep,
		Step: r.pos.Step, Epoch: r.pos.Epoch + 1, Seconds: seconds, Metrics: r.metrics})
}

// endEpoch evaluates, writes the epoch record, steps a per-epoch schedule and writes the
// checkpoint. If the evaluation or the schedule shows the run diverged, it returns why
// instead, having written nothing. An optimiser that keeps an evaluation point apart from
// the training one ([optim.ModeSwitcher], the schedule-free methods) is switched to it
// first, so that the evaluation, the checkpoint and the weights of a finished run are those
// of the evaluation point; the next step switches back.
func (r *Run) endEpoch(out Output, seconds float64) (*Epoch, string, error) {
	if ms, ok := r.opt.(optim.ModeSwitcher); ok {
		ms.Eval() // schedule-free: evaluate and save the average x; step resumes at y
	}
	nan := math.NaN()
	e := &Epoch{Epoch: r.pos.Epoch + 1, Step: r.pos.Step, Seconds: seconds, LR: r.pos.LR,
		TrainLoss: r.pos.EpochLoss / float64(r.pos.EpochSamples), EvalLoss: nan, EvalAccuracy: nan, EvalRMSE: nan, EvalR2: nan}
	names := r.evalMetrics()
	if r.d.Eval != nil {
		r.evaluate(e)
		note := func(name string, v float64) string { return fmt.Sprintf("%s = %v after epoch %d", name, v, e.Epoch) }
		regress := r.task.Kind == data.Regress
		switch {
		case !finite(e.EvalLoss):
			return nil, note(names.Loss, e.EvalLoss), nil
		case regress && !finite(e.EvalRMSE):
			return nil, note(names.RMSE, e.EvalRMSE), nil
		case regress && !finite(e.EvalR2):
			return nil, note(names.R2, e.EvalR2), nil
		}
	}
	r.epochAverages(e.Epoch)
	metric := e.TrainLoss
	if r.d.Val && r.d.Eval != nil {
		metric = e.EvalLoss
	}
	if r.swalr != nil {
		if err := r.swalr.Step(); err != nil {
			return nil, err.Error(), nil
		}
	} else if err := r.sched.EpochEnd(metric); err != nil {
		return nil, err.Error(), nil
	}
	if s := r.cfg.SWA; s != nil && s.LR > 0 && r.swalr == nil && e.Epoch+1 == s.Start {
		if err := r.startSWALR(); err != nil {
			return nil, err.Error(), nil
		}
	}
	if out.Results != nil {
		r.metrics = append(r.metrics[:0], results.Metric{Name: results.TrainLoss, Value: e.TrainLoss})
		switch {
		case r.d.Eval != nil && r.task.Kind == data.Regress:
			r.metrics = append(r.metrics, results.Metric{Name: names.Loss, Value: e.EvalLoss},
				results.Metric{Name: names.RMSE, Value: e.EvalRMSE}, results.Metric{Name: names.R2, Value: e.EvalR2})
		case r.d.Eval != nil:
			r.metrics = append(r.metrics, results.Metric{Name: names.Loss, Value: e.EvalLoss},
				results.Metric{Name: names.Accuracy, Value: e.EvalAccuracy})
		}
		r.metrics = append(r.metrics, results.Metric{Name: results.LR, Value: e.LR})
		if err := out.Results.Write(results.Record{Run: r.name, Seed: r.seed, Kind: results.KindEpoch,
			Step: r.pos.Step, Epoch: e.Epoch, Seconds: r.pos.Seconds, Metrics: r.metrics}); err != nil {
			return nil, "", err
		}
		if err := r.writeAverages(out.Results, e.Epoch); err != nil {
			return nil, "", err
		}
	}
	r.pos.Epoch++
	r.pos.EpochLoss, r.pos.EpochSamples = 0, 0
	if r.pos.Epoch == r.cfg.Epochs {
		r.pos.Status = results.StatusDone
	}
	if out.Checkpoint != "" {
		if err := r.saveCheckpoint(out.Checkpoint, out.Results); err != nil {
			return nil, "", err
		}
	}
	return e, "", nil
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// diverge ends a run that diverged at step: the steps logged so far, the end record, a
// checkpoint of the weights before the step that failed.
func (r *Run) diverge(out Output, bar *progress.Run, note string, step int) (Result, error) {
	if r.pos.LogSteps > 0 {
		if err := r.logSteps(out, r.pos.Seconds); err != nil {
			return r.result(), err
		}
	}
	r.pos.Status, r.pos.Note, r.pos.DivergedAt = results.StatusDiverged, note, step
	if bar != nil {
		bar.Fail("diverged: " + note)
	}
	return r.result(), r.end(out)
}

// interrupt ends a run stopped by ctx: the end record and a checkpoint to resume from.
func (r *Run) interrupt(ctx context.Context, out Output, bar *progress.Run) (Result, error) {
	r.pos.Note = fmt.Sprintf("interrupted in epoch %d at step %d", r.pos.Epoch+1, r.pos.Step)
	if out.Checkpoint != "" {
		if err := r.saveCheckpoint(out.Checkpoint, out.Results); err != nil {
			return r.result(), err
		}
	}
	if out.Results != nil {
		if err := out.Results.Write(results.Record{Run: r.name, Seed: r.seed, Kind: results.KindEnd, Step: r.pos.Step,
			Epoch: r.pos.Epoch, Seconds: r.pos.Seconds, Status: results.StatusInterrupted, Note: r.pos.Note}); err != nil {
			return r.result(), err
		}
		if err := r.endAverages(out.Results, r.pos.Step, results.StatusInterrupted, r.pos.Note); err != nil {
			return r.result(), err
		}
	}
	if bar != nil {
		bar.Fail("interrupted")
	}
	res := r.result()
	res.Status = results.StatusInterrupted
	return res, ctx.Err()
}

// end writes the end record of a run that is done or diverged, and its last checkpoint.
func (r *Run) end(out Output) error {
	step := r.pos.Step
	if r.pos.Status == results.StatusDiverged {
		step = r.pos.DivergedAt
	}
	if out.Results != nil {
		if err := out.Results.Write(results.Record{Run: r.name, Seed: r.seed, Kind: results.KindEnd, Step: step,
			Epoch: r.pos.Epoch, Seconds: r.pos.Seconds, Status: r.pos.Status, Note: r.pos.Note}); err != nil {
			return err
		}
		if err := r.endAverages(out.Results, step, r.pos.Status, r.pos.Note); err != nil {
			return err
		}
	}
	if out.Checkpoint != "" && r.pos.Status == results.StatusDiverged {
		return r.saveCheckpoint(out.Checkpoint, out.Results)
	}
	return nil
}

// result returns the run's outcome so far.
func (r *Run) result() Result {
	return Result{Status: r.pos.Status, Note: r.pos.Note, Epochs: r.pos.Epoch, Steps: r.pos.Step, Seconds: r.pos.Seconds}
}
