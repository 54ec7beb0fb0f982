package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"

	"github.com/descent-ml/descent/internal/atomicfile"
	"github.com/descent-ml/descent/internal/progress"
	"github.com/descent-ml/descent/report"
	"github.com/descent-ml/descent/train"
)

const trainDescription = `Trains one model with one optimiser, a learning-rate schedule, weight decay and
parameter groups, evaluating on the test set after every epoch, on MNIST or on the user's
data (--data, as for descent compare). The run folder gets
results.jsonl, summary.csv, the plots, report.html, the final weights (model.safetensors,
named as the state_dict of the PyTorch twin of --model, which loads them) and, after every
epoch, a checkpoint (checkpoint.ckpt: weights, optimiser, schedule, data order and random
state, written atomically with a checksum). --init-weights starts from the weights of a
safetensors file or of a state_dict saved by torch.save. A schedule-free optimiser
(schedulefree-adamw, schedulefree-sgd) is evaluated, checkpointed and saved at its average
point x.

--swa-start EPOCH averages the weights at the ends of epochs EPOCH to the last (stochastic
weight averaging, torch's swa_utils; --swa-lr hands the rate over to SWALR from the start
of epoch EPOCH) and --ema DECAY keeps their exponential moving average over the steps; both
may be given. An averaged model is evaluated after every epoch, once it holds an average,
after a pass over the training set that recomputes its BatchNorm statistics (torch's
update_bn); its records are those of a run OPTIMISER+swa or OPTIMISER+ema, and its weights
are saved as model.swa.safetensors or model.ema.safetensors, under the names of
model.safetensors. The checkpoint holds them too.

Ctrl-C saves a checkpoint and the results so far; "descent train --resume DIR" continues
the run of DIR, bit for bit as if it had not stopped (with the flags it was started with;
only --threads, --json and --max-memory may be given again, and the same --threads keeps
every sum identical). After a kill -9 too: results.jsonl is cut back to the checkpoint's
point and the records after it written again, so that it holds the records of an
uninterrupted run.

A run folder belongs to one run: --out on a folder that holds another run is refused
(--overwrite replaces that run, all its files), and a second process on a folder in use
is refused at once, with the PID, host and start of the one that holds it.

The PyTorch example's recipe, 99% on the test set in 3 epochs:

  descent train --model cnn --optimizer adadelta --lr 1 --schedule step:1:0.7 --batch-size 64 --epochs 3`

// trainFlags are the flags of descent train.
type trainFlags struct {
	runFlags
	swa       swaFlags
	optimizer string
	lr        string
	resume    string
}

func newTrainFlags(stderr io.Writer) (*flag.FlagSet, *trainFlags) {
	fs := newFlagSet("train", "[flags]", trainDescription, stderr)
	f := &trainFlags{}
	f.register(fs, "mlp", 10)
	fs.StringVar(&f.optimizer, "optimizer", "adam", "optimiser: "+registryNames())
	fs.StringVar(&f.lr, "lr", "", "learning rate (default: the optimiser's own, listed by descent compare -h)")
	fs.StringVar(&f.resume, "resume", "", "continue the interrupted run of the run folder `DIR`")
	f.swa.register(fs)
	return fs, f
}

func runTrain(ctx context.Context, args []string, stdout, stderr io.Writer) (err error) {
	fs, f := newTrainFlags(stderr)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	resume := f.resume
	var (
		saved *train.Meta
		rd    *runDir
		info  train.CheckpointInfo
	)
	if resume != "" {
		// The folder is locked before anything of it is read: a second resume of it fails
		// at once.
		if rd, err = openRunDir("train", resume, false, false); err != nil {
			return err
		}
		defer func() { err = errors.Join(err, rd.close()) }()
		if fs, f, saved, err = resumedFlags(fs, f); err != nil {
			return err
		}
		if info, err = resumeInfo(resume); err != nil {
			return err
		}
	}
	cfg, err := f.config(fs)
	if err != nil {
		return err
	}
	if err := f.swa.apply(fs, &cfg); err != nil {
		return err
	}
	cfg.Optimizer = f.optimizer
	if f.lr != "" {
		v, err := strconv.ParseFloat(f.lr, 64)
		if err != nil || !(v > 0) || math.IsInf(v, 0) {
			return usageError(fs, "--lr %q: want a positive finite number", f.lr)
		}
		cfg.Options["lr"] = f.lr
	}
	defer setThreads(f.threads)()

	if rd == nil {
		if rd, err = f.runFolder("train"); err != nil {
			return err
		}
		defer func() { err = errors.Join(err, rd.close()) }()
	}
	dir := rd.path
	d, err := f.loadData(ctx, &cfg, stderr)
	if err != nil {
		return err
	}
	if saved != nil {
		if err := sameData(resume, saved, d); err != nil {
			return err
		}
	}
	if err := f.checkMemory("train", cfg, d, 1); err != nil {
		return err
	}
	run, err := train.New(cfg.Optimizer, cfg, train.Data{Train: d.train, Eval: d.test, TargetScale: d.targets})
	if err != nil {
		return err
	}
	defer func() {
		if run != nil {
			run.Close()
		}
	}()
	ckpt := filepath.Join(dir, train.CheckpointFile)
	keep := int64(0) // the bytes of results.jsonl kept: none for a new run
	if resume != "" {
		if info.Run == "" {
			// Killed before its first checkpoint: train from the start, which gives the
			// same run; its records replace those of the first attempt.
			fmt.Fprintf(stderr, "descent train: %s has no checkpoint yet: starting its run again\n", dir)
		} else {
			if err := run.Resume(ckpt); err != nil {
				return err
			}
			if info.GOMAXPROCS != runtime.GOMAXPROCS(0) {
				fmt.Fprintf(stderr, "descent train: resumed with %d threads, saved with %d: sums split over threads may round differently from now on\n",
					runtime.GOMAXPROCS(0), info.GOMAXPROCS)
			}
			fmt.Fprintf(stderr, "descent train: resuming %s at epoch %d, step %d\n", dir, info.Epoch+1, info.Step)
			keep = info.Results
		}
	} else {
		lrText := f.lr
		if lrText == "" {
			lrText = report.FormatValue(cfg.LR(), 4)
		}
		intro := fmt.Sprintf("Optimiser: %s, learning rate %s%s. %s", cfg.Optimizer, lrText, groupsText(cfg.Options, f), describe(cfg, d, d.train, d.test, "test"))
		intro += f.swa.describe()
		meta := &train.Meta{Command: "train", Args: args, Flags: train.FlagsOf(fs), Intro: intro, Evaluation: "test",
			Task: &d.task, Data: d.spec, Standardization: d.standardization(), Machine: report.ThisMachine()}
		if err := train.WriteMeta(dir, meta); err != nil {
			return err
		}
	}
	w, err := openResults(dir, keep)
	if err != nil {
		return err
	}
	disp := progress.New(progress.Config{Out: stderr})
	out := train.Output{Results: w, Progress: disp, Checkpoint: ckpt}
	if f.json {
		job := train.Job{Name: cfg.Optimizer, Config: cfg}
		out.OnEpoch = func(e train.Epoch) { printEpoch(stdout, job, e, false) }
	}
	_, runErr := run.Train(ctx, out)
	disp.Close()
	if err := w.Close(); err != nil && runErr == nil {
		runErr = err
	}
	if runErr == nil {
		runErr = saveWeights(filepath.Join(dir, train.WeightsFile), run)
	}
	for _, kind := range run.Averages() {
		if runErr == nil {
			runErr = saveAverage(filepath.Join(dir, train.AverageWeightsFile(kind)), run, kind)
		}
	}
	// The report is drawn after the run is closed, its data and model unreachable: the
	// memory they held serves the drawing.
	run.Close()
	run = nil
	if errors.Is(runErr, context.Canceled) {
		fmt.Fprintf(stderr, "descent train: checkpoint saved; continue with: descent train --resume %s\n", dir)
	}
	return finish(dir, f.json, stdout, stderr, runErr)
}

// resumeInfo returns the checkpoint of the run folder dir, or a zero CheckpointInfo if it
// has none yet (the run was killed before its first epoch ended), or an error if the run
// has ended.
func resumeInfo(dir string) (train.CheckpointInfo, error) {
	info, err := train.ReadCheckpointInfo(filepath.Join(dir, train.CheckpointFile))
	switch {
	case errors.Is(err, os.ErrNotExist):
		return train.CheckpointInfo{}, nil
	case err != nil:
		return info, err
	case info.Status != "":
		return info, fmt.Errorf("train: the run in %s has ended (%s after %d epochs): nothing to resume; its results are in %s",
			dir, info.Status, info.Epoch, filepath.Join(dir, train.ReportFile))
	}
	return info, nil
}

// resumedFlags returns the flags of the run folder given to --resume, parsed from its
// run.json, after checking that the flags set on this command line (fs, f) are the same,
// but for --threads (this command line's if set, else the run's) and --json (this
// command line's).
func resumedFlags(fs *flag.FlagSet, f *trainFlags) (*flag.FlagSet, *trainFlags, *train.Meta, error) {
	dir := f.resume
	meta, err := train.ReadMeta(dir)
	if err != nil {
		return nil, nil, nil, err
	}
	if meta.Command != "train" {
		return nil, nil, nil, fmt.Errorf("train: %s is a run folder of descent %s, not train", dir, meta.Command)
	}
	saved, sf := newTrainFlags(io.Discard)
	if err := saved.Parse(meta.Args); err != nil {
		return nil, nil, nil, fmt.Errorf("train: %s: the saved command line does not parse: %v", dir, err)
	}
	var bad error
	fs.Visit(func(fl *flag.Flag) {
		switch {
		case bad != nil:
		case fl.Name == "threads":
			sf.threads = f.threads
		case fl.Name == "max-memory":
			sf.maxMemory = f.maxMemory
		case fl.Name != "resume" && fl.Name != "json" && saved.Lookup(fl.Name).Value.String() != fl.Value.String():
			bad = usageError(fs, "--%s %s differs from the run being resumed (%s); only --threads, --json and --max-memory may change",
				fl.Name, fl.Value, saved.Lookup(fl.Name).Value)
		}
	})
	sf.out, sf.resume, sf.json = dir, dir, f.json
	return saved, sf, meta, bad
}

// sameData returns an error unless the data loaded to resume the run of dir is what its
// run.json, meta, records: the same task, and the same standardisation statistics to the
// bit (the files have not changed since).
func sameData(dir string, meta *train.Meta, d *dataset) error {
	enc := func(v any) string {
		b, _ := json.Marshal(v)
		return string(b)
	}
	switch {
	case meta.Task != nil && enc(meta.Task) != enc(d.task):
		return fmt.Errorf("train: the data of %s was a %s task, it is now a %s task: its files have changed", dir, meta.Task, d.task)
	case enc(meta.Standardization) != enc(d.standardization()):
		return fmt.Errorf("train: the standardisation statistics of the data of %s differ from those in its %s: its files have changed", dir, train.MetaFile)
	}
	return nil
}

// groupsText describes the options and parameter groups of a run, for its report.
func groupsText(opts map[string]string, f *trainFlags) string {
	var s []string
	for _, k := range slices.Sorted(maps.Keys(opts)) {
		if k != "lr" {
			s = append(s, k+" "+opts[k])
		}
	}
	for _, g := range f.groups {
		s = append(s, "group "+g)
	}
	if f.noDecayBias {
		s = append(s, "no weight decay on the biases")
	}
	if len(s) == 0 {
		return ""
	}
	return ", " + strings.Join(s, ", ")
}

// saveAverage writes the weights of the run's averaged model kind to path, atomically.
func saveAverage(path string, run *train.Run, kind string) error {
	file, err := atomicfile.Create(path)
	if err != nil {
		return err
	}
	defer file.Close()
	if err := run.SaveAverage(kind, file); err != nil {
		return err
	}
	return file.Commit()
}

// saveWeights writes the run's final weights to path, atomically.
func saveWeights(path string, run *train.Run) error {
	file, err := atomicfile.Create(path)
	if err != nil {
		return err
	}
	defer file.Close()
	if err := run.SaveWeights(file); err != nil {
		return err
	}
	return file.Commit()
}
