// Package train is descent's training loop: it wires a model (any nn.Module, or one named
// by package model), a loss, an optimiser (optim) and its schedule (optim/lr), a loader
// (data), the results file (report/results), the progress display and the report
// (report) into the runs of descent compare, train and sweep.
//
// # Runs
//
// A [Run] is made by [New] from a [Config] — model, loss, optimiser and options, parameter
// groups, schedule, epochs, batch size, seed — and a [Data]: a training set and a held-out
// set evaluated after every epoch (the test set, or a validation split for a sweep).
// [Run.Train] trains it to its last epoch and reports to an [Output]: step records (the
// mean training loss of every Config.LogEvery steps, and the learning rate), epoch records
// (training loss, held-out loss, and the held-out accuracy or RMSE and R²) and an end
// record in results.jsonl; the progress bar; a checkpoint after every epoch; and, to a
// caller that observes a run in memory (package theory), every step's loss and time
// (Output.OnStep, which may end the run by cancelling its context). [Run.Evaluate] scores
// the model on any set of examples of the task, the training set included. [Jobs] trains
// several runs, in parallel if asked: the optimisers of a comparison ([CompareJobs], with
// their [DefaultLR] or [Rates]) over seeds, or the trials of a sweep ([SweepJobs] over the
// [Grid] of [Axis] values parsed by [ParseAxis]).
//
// # Models, losses and tasks
//
// The task of a run is its training set's (data.TaskOf): a classification, whose examples
// have integer labels, or a regression, whose examples have float target vectors. The
// model is Config.NewModel, a constructor of any nn.Module of one's own, or else the one
// Config.Model names ("linear", "mlp:64,64:layernorm", the MNIST presets "logreg", "mlp",
// "cnn"), built by model.Build with the inputs and outputs of the data. The model takes the
// examples of a batch flattened, batch × features. The loss is Config.Loss, any [Loss] of
// the model's output and the batch: [Labels] and [Targets] adapt nn's losses, [LossFunc] a
// function. Without one, [DefaultLoss]: cross-entropy of scores for a classification (the
// negative log-likelihood for the presets, which end in log-softmax), the mean squared
// error for a regression.
//
// After every epoch a run reports the mean loss on the held-out set and the metric of its
// task: the accuracy (the largest output of a row at its label) of a classification; the
// root mean squared error and the coefficient of determination R² of a regression,
// averaged over the outputs as scikit-learn does, the RMSE in the targets' own units when
// Data.TargetScale says how they were standardised. Their names in results.jsonl are
// test_loss, test_accuracy, test_rmse and test_r2 (val_... for a validation split).
//
// # Determinism
//
// Everything random comes from Config.Seed: the initial weights (unless Config.InitState
// gives them) and the dropout masks
// from one PCG stream, the loader's shuffling from another. Runs of the same seed start
// from the same weights and see the same batches whatever their optimiser, and two runs
// of the same configuration and seed write the same results.jsonl but for the times, bit
// for bit, with the same number of threads (GOMAXPROCS splits some sums). Runs trained in
// parallel give the results they give one after the other.
//
// # Divergence
//
// A batch whose loss is NaN, infinite or above Config.MaxLoss, a gradient the optimiser
// refuses (optim.NonFiniteError), a held-out loss (or RMSE) that is not finite or a learning rate the
// schedule cannot set stops the run before the step that would spoil its weights: it
// ends with the status "diverged", a note saying why and the step at which, which the
// tables and plots show. It is a result, never an error, and no NaN reaches the results.
//
// # Checkpoints
//
// [Run.SaveCheckpoint] writes the model's state (its parameters and buffers, such as
// BatchNorm's running statistics, as safetensors: [Run.SaveWeights]; those of older run
// folders, in descent's former weights format, resume too), the optimiser's state, the schedule's,
// the loader's seed and position, the state of the generator of the dropout masks and the
// run's counters (epoch, step, running sums) to one file: written to a temporary name,
// synced, renamed over the previous checkpoint, the folder synced; a SHA-256 of the
// content ends it. [Run.Resume] checks the checksum, then that the checkpoint is of the
// same run and configuration (the model's state names and shapes, the loss's type, the
// task included), and restores it: the run continues bit for bit as if it
// had not stopped. Train writes one after every epoch, and one when its context is
// cancelled (Ctrl-C), mid-epoch, after the batch it was on. A checkpoint of a run with
// Output.Results also records the length of the results file, synced first
// ([CheckpointInfo].Results): a run killed outright resumes from its last checkpoint, and
// its records since, cut from the file at that length, are written again, once, so that
// the file holds the records of an uninterrupted run (descent train --resume does the cut).
// With Config.SWA or Config.EMA, it also holds each averaged model's state and count of
// models averaged, and SWALR's state once SWALR has the rate.
//
// # Averaged weights
//
// Config.SWA averages the weights at the ends of the last epochs (stochastic weight
// averaging, with torch's SWALR schedule if SWA.LR is set) and Config.EMA keeps their
// exponential moving average over the steps, both in a copy of the model (package
// optim/swa, torch's AveragedModel). After every epoch in which it holds an average, the
// copy is evaluated, its BatchNorm statistics first recomputed by one pass over the
// training set in order (nn.UpdateBN, torch's update_bn, with torch's default
// use_buffers=False): its records are those of a run named "NAME+swa" or "NAME+ema", so
// that the tables, summary.csv and plots show it beside the run. [Run.SaveAverage] writes
// its weights under the model's state_dict names.
//
// # Reports
//
// A run folder holds run.json ([Meta]: the command, its flags, the task, the user's data
// files and their standardisation statistics, the machine), results.jsonl and, from
// [WriteReport], summary.csv, the figures in PNG and SVG and report.html: accuracies for a
// classification, RMSE and R² for a regression. The report is built from the files alone,
// so it can be rebuilt for an interrupted run.
//
// # Speed and memory
//
// A training step allocates nothing: the batch is wrapped, not copied, into the tape,
// which reuses its buffers (the short last batch of an epoch uses the full batches'); the
// loss is read once per batch; step records reuse their metrics; the loader gathers each
// MNIST batch over the cores (other datasets' in the background). A Loss of one's own
// keeps this if it builds its tensors on the tape, as [Targets] does. Time is read once per
// record, not per step (twice per step with Output.OnStep, to time it). Evaluation runs in inference mode (no tape, no dropout) in
// batches of up to 1000 examples, as many as fit in 32 MiB of activations. Nothing per
// step is kept in memory: what is logged is written to results.jsonl at once.
package train
