package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/descent-ml/descent/data"
	"github.com/descent-ml/descent/data/mnist"
	"github.com/descent-ml/descent/internal/atomicfile"
	"github.com/descent-ml/descent/internal/progress"
	"github.com/descent-ml/descent/model"
	"github.com/descent-ml/descent/nn/weights"
	"github.com/descent-ml/descent/optim"
	"github.com/descent-ml/descent/optim/lr"
	"github.com/descent-ml/descent/report"
	"github.com/descent-ml/descent/report/results"
	"github.com/descent-ml/descent/train"
)

// This file holds what compare, train and sweep share: their common flags, the loading of
// the dataset, the run folder and the end of a command (report, summary).

// runFlags are the flags of a training command.
type runFlags struct {
	data        dataFlags
	user        userDataFlags
	defModel    string
	defEpochs   int
	set         map[string]bool // the flags given on the command line, after config
	model       string
	hidden      string
	noDropout   bool
	epochs      int
	batch       int
	weightDecay float64
	noDecayBias bool
	groups      listFlag
	options     string
	schedule    lr.Spec
	clipNorm    float64
	seed        uint64
	threads     int
	out         string
	overwrite   bool
	maxMemory   byteSize
	json        bool
	logEvery    int
	evalBatch   int
	trainSize   int
	testSize    int
	initWeights string
}

// maxEpochs bounds --epochs, so that the steps of a run (epochs × batches) stay far
// from overflowing and a schedule's length is what was asked.
const maxEpochs = 1000000

// listFlag is a flag that may be given several times.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, " ") }
func (l *listFlag) Set(s string) error { *l = append(*l, s); return nil }

// register adds the flags to fs, with the command's default model and epochs on MNIST.
func (f *runFlags) register(fs *flag.FlagSet, defModel string, defEpochs int) {
	f.defModel, f.defEpochs = defModel, defEpochs
	f.data.register(fs)
	fs.Lookup("dataset").Usage = "dataset: " + strings.Join(mnist.Names(), " or ") + ", or a folder holding the four .gz files of one"
	f.user.register(fs)
	fs.StringVar(&f.model, "model", "", fmt.Sprintf("model: %s (default %s on MNIST, %s on --data)", model.SpecNames, defModel, defaultUserModel))
	fs.StringVar(&f.hidden, "hidden", "", "hidden widths of the preset mlp, comma-separated (default 1000,1000)")
	fs.BoolVar(&f.noDropout, "no-dropout", false, "build the cnn without its dropout layers (as torch_train.py without --dropout)")
	fs.IntVar(&f.epochs, "epochs", defEpochs, fmt.Sprintf("passes over the training set (default %d; on --data, enough for %d optimiser steps if more)", defEpochs, minUserSteps))
	fs.IntVar(&f.batch, "batch-size", 128, "examples per optimiser step")
	fs.Float64Var(&f.weightDecay, "weight-decay", 0, "weight decay of every optimiser (default: the optimiser's own, 0 but for adamw's 0.01)")
	fs.BoolVar(&f.noDecayBias, "no-decay-bias", false, "no weight decay on the biases (a parameter group *.bias:weight_decay=0)")
	fs.Var(&f.groups, "group", "a parameter group, `PATTERN:KEY=VALUE,...` such as 'fc1.*:lr=0.01' (repeatable)")
	fs.StringVar(&f.options, "options", "", "more optimiser options under torch's names, `KEY=VALUE,...` such as betas=0.9/0.99,eps=1e-6")
	fs.Var(&f.schedule, "schedule", lr.SpecUsage)
	fs.Float64Var(&f.clipNorm, "clip-norm", 0, "clip the gradients to this Euclidean norm before each step (0: no clipping)")
	fs.Uint64Var(&f.seed, "seed", 1, "seed of the initial weights, the order of the batches and the dropout masks")
	fs.IntVar(&f.threads, "threads", runtime.NumCPU(), "threads of the kernels (GOMAXPROCS)")
	fs.StringVar(&f.out, "out", "", "run folder for results.jsonl, summary.csv, the plots and report.html (default runs/COMMAND-DATE-TIME)")
	fs.BoolVar(&f.overwrite, "overwrite", false, "replace the run in the --out folder, all its files, instead of refusing it")
	fs.Var(&f.maxMemory, "max-memory", "refuse a run that needs more than this memory, such as 4GiB (default: the memory available, MemAvailable of /proc/meminfo)")
	fs.BoolVar(&f.json, "json", false, "print one JSON line per epoch of each run on stdout instead of the summary table")
	fs.IntVar(&f.logEvery, "log-every", 10, "optimiser steps between two records of the training loss in results.jsonl")
	fs.IntVar(&f.evalBatch, "eval-batch", 0, "examples per forward pass of an evaluation (default: as many as fit in 32 MiB, at most 1000)")
	fs.IntVar(&f.trainSize, "train-size", 0, "train on the first N training images only (default all)")
	fs.IntVar(&f.testSize, "test-size", 0, "evaluate on the first N held-out images only (default all)")
	fs.StringVar(&f.initWeights, "init-weights", "", "start from the weights of `FILE` instead of drawn ones: safetensors, or a state_dict saved by torch.save, named as the state_dict of the PyTorch twin of --model")
}

// usageError prints a one-line error and the usage of fs, and returns errUsage.
func usageError(fs *flag.FlagSet, format string, args ...any) error {
	fmt.Fprintf(fs.Output(), "%s: %s\n", fs.Name(), fmt.Sprintf(format, args...))
	fs.Usage()
	return errUsage
}

// config returns the training configuration of the flags; a flag with a bad value is a
// usage error.
func (f *runFlags) config(fs *flag.FlagSet) (train.Config, error) {
	set := map[string]bool{}
	fs.Visit(func(fl *flag.Flag) { set[fl.Name] = true })
	switch {
	case f.epochs < 1:
		return train.Config{}, usageError(fs, "--epochs %d: want at least 1", f.epochs)
	case f.epochs > maxEpochs:
		return train.Config{}, usageError(fs, "--epochs %d: more than %d", f.epochs, maxEpochs)
	case f.batch < 1:
		return train.Config{}, usageError(fs, "--batch-size %d: want at least 1", f.batch)
	case f.threads < 1:
		return train.Config{}, usageError(fs, "--threads %d: want at least 1", f.threads)
	case f.logEvery < 1:
		return train.Config{}, usageError(fs, "--log-every %d: want at least 1", f.logEvery)
	case f.evalBatch < 0 || f.trainSize < 0 || f.testSize < 0:
		return train.Config{}, usageError(fs, "--eval-batch, --train-size and --test-size cannot be negative")
	case f.clipNorm < 0:
		return train.Config{}, usageError(fs, "--clip-norm %g: want 0 (none) or positive", f.clipNorm)
	case f.weightDecay < 0:
		return train.Config{}, usageError(fs, "--weight-decay %g: want at least 0", f.weightDecay)
	}
	f.set = set
	if err := f.user.check(fs, set); err != nil {
		return train.Config{}, err
	}
	if f.model == "" {
		f.model = f.defModel
		if f.user.train != "" {
			f.model = defaultUserModel
		}
	}
	spec, err := model.ParseSpec(f.model)
	if err != nil {
		return train.Config{}, usageError(fs, "--model: %v", err)
	}
	switch {
	case f.hidden != "" && !(spec.Name == "mlp" && spec.Widths == nil):
		return train.Config{}, usageError(fs, "--hidden: the widths of the preset mlp; for --model %s give them as mlp:W1,W2,...", spec)
	case f.noDropout && spec.Name != "cnn":
		return train.Config{}, usageError(fs, "--no-dropout: an option of the cnn, not of %s", spec)
	}
	cfg := train.Config{Model: f.model, Schedule: f.schedule, ClipNorm: f.clipNorm, Epochs: f.epochs,
		BatchSize: f.batch, EvalBatch: f.evalBatch, Seed: f.seed, LogEvery: f.logEvery}
	cfg.ModelConfig.NoDropout = f.noDropout
	if f.hidden != "" {
		for _, s := range strings.Split(f.hidden, ",") {
			h, err := strconv.Atoi(strings.TrimSpace(s))
			if err != nil || h < 1 {
				return train.Config{}, usageError(fs, "--hidden: %q is not a positive width", s)
			}
			cfg.ModelConfig.Hidden = append(cfg.ModelConfig.Hidden, h)
		}
	}
	opts, err := optim.ParseOptions(f.options)
	if err != nil {
		return train.Config{}, usageError(fs, "--options: %v", err)
	}
	if opts == nil {
		opts = optim.Options{}
	}
	if set["weight-decay"] {
		opts["weight_decay"] = strconv.FormatFloat(f.weightDecay, 'g', -1, 64)
	}
	cfg.Options = opts
	if f.initWeights != "" {
		// Read once, shared by every run; names and shapes are checked against the model
		// when the runs are made (train.New), before the run folder is.
		if cfg.InitState, _, err = weights.ReadFile(f.initWeights); err != nil {
			return train.Config{}, err
		}
		cfg.InitFrom = f.initWeights
	}
	rules := []string(f.groups)
	if f.noDecayBias {
		rules = append(rules, "*.bias:weight_decay=0")
	}
	for _, s := range rules {
		g, err := optim.ParseGroupRule(s)
		if err != nil {
			return train.Config{}, usageError(fs, "--group: %v", err)
		}
		cfg.Groups = append(cfg.Groups, g)
	}
	return cfg, nil
}

// loadData loads the dataset of the flags, MNIST's (fetching it if needed) or the user's
// files of --data, and cuts it to --train-size and --test-size. With --data and no
// --epochs, it sets cfg.Epochs to enough epochs for minUserSteps steps.
func (f *runFlags) loadData(ctx context.Context, cfg *train.Config, stderr io.Writer) (*dataset, error) {
	return f.load(ctx, cfg, stderr, false)
}

// planData is loadData for a plan (--plan), which trains nothing: MNIST's files are
// checked but its images not decoded (see planDataset), and the sets it returns have no
// examples to give. The user's files of --data are loaded whole: their standardisation
// statistics are part of the plan.
func (f *runFlags) planData(ctx context.Context, cfg *train.Config, stderr io.Writer) (*dataset, error) {
	return f.load(ctx, cfg, stderr, true)
}

func (f *runFlags) load(ctx context.Context, cfg *train.Config, stderr io.Writer, plan bool) (*dataset, error) {
	var (
		d   = &dataset{}
		err error
	)
	switch {
	case f.user.train != "":
		if d, err = f.user.load(f.seed); err != nil {
			return nil, err
		}
	case plan:
		var tr, te *headerSet
		if d.mnist, tr, te, err = planDataset(ctx, f.data, stderr); err != nil {
			return nil, err
		}
		d.train, d.test, d.task = tr, te, data.TaskOf(tr)
	default:
		if d.mnist, err = loadDataset(ctx, f.data, stderr); err != nil {
			return nil, err
		}
		d.train, d.test, d.task = d.mnist.Train, d.mnist.Test, data.TaskOf(d.mnist.Train)
	}
	if f.trainSize > d.train.Len() {
		return nil, fmt.Errorf("--train-size %d: the training set has only %d examples", f.trainSize, d.train.Len())
	}
	if f.testSize > d.test.Len() {
		return nil, fmt.Errorf("--test-size %d: the test set has only %d examples", f.testSize, d.test.Len())
	}
	if f.trainSize > 0 && f.trainSize < d.train.Len() {
		d.train = data.NewSubset(d.train, firstN(f.trainSize))
	}
	if f.testSize > 0 && f.testSize < d.test.Len() {
		d.test = data.NewSubset(d.test, firstN(f.testSize))
	}
	if f.user.train != "" && !f.set["epochs"] {
		perEpoch := (d.train.Len() + cfg.BatchSize - 1) / cfg.BatchSize
		cfg.Epochs = max(cfg.Epochs, (minUserSteps+perEpoch-1)/perEpoch)
	}
	return d, nil
}

// loadDataset loads the dataset named by --dataset: a built-in one by name, or the one
// whose files are in the folder it names.
func loadDataset(ctx context.Context, df dataFlags, stderr io.Writer) (*mnist.Data, error) {
	if _, err := mnist.Lookup(df.dataset); err != nil {
		if fi, serr := os.Stat(df.dataset); serr == nil && fi.IsDir() {
			var first error
			for _, name := range mnist.Names() {
				spec, _ := mnist.Lookup(name)
				d, err := mnist.LoadDir(df.dataset, spec)
				if err == nil {
					return d, nil
				}
				if first == nil {
					first = err
				}
			}
			return nil, fmt.Errorf("--dataset %s: the folder holds the files of none of %s (%v)", df.dataset, strings.Join(mnist.Names(), ", "), first)
		}
	}
	spec, opts, err := df.resolve(stderr)
	if err != nil {
		return nil, err
	}
	return mnist.Load(ctx, spec, opts)
}

func firstN(n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = i
	}
	return s
}

// runFolder opens the run folder of --out (see openRunDir: a folder holding another run is
// refused without --overwrite, one in use by another process at once), or a new dated one
// under runs/.
func (f *runFlags) runFolder(command string) (*runDir, error) {
	if f.out != "" {
		return openRunDir(command, f.out, true, f.overwrite)
	}
	return newDatedRunDir(command)
}

// newDatedRunDir creates and opens runs/COMMAND-DATE-TIME, or -2, -3, ... after it if
// another process made it first.
func newDatedRunDir(command string) (*runDir, error) {
	if err := os.MkdirAll("runs", 0o755); err != nil {
		return nil, fmt.Errorf("%s: %w", command, err)
	}
	base := filepath.Join("runs", command+"-"+time.Now().Format("20060102-150405"))
	dir := base
	for i := 2; ; i++ {
		err := os.Mkdir(dir, 0o755)
		if err == nil {
			break
		}
		if !errors.Is(err, os.ErrExist) {
			return nil, fmt.Errorf("%s: %w", command, err)
		}
		dir = fmt.Sprintf("%s-%d", base, i)
	}
	d, err := openRunDir(command, dir, true, false)
	if err != nil {
		os.Remove(dir)
		return nil, err
	}
	d.created = true
	return d, nil
}

// checkMemory returns an error if the parallel runs of cfg on d need more memory than
// --max-memory or the machine has available. command prefixes the error.
func (f *runFlags) checkMemory(command string, cfg train.Config, d *dataset, parallel int) error {
	spec, err := model.ParseSpec(cfg.Model)
	if err != nil {
		return err
	}
	need, what := trainMemory(cfg, spec, data.Features(d.train), d.task, d.train.Len(), parallel)
	what += fmt.Sprintf(" with batches of %d", cfg.BatchSize)
	if cfg.EvalBatch > 0 {
		what += fmt.Sprintf(" and evaluation batches of %d", cfg.EvalBatch)
	}
	if parallel > 1 {
		what += fmt.Sprintf(", %d runs at once,", parallel)
	}
	if err := checkMemory(what, need, &f.maxMemory); err != nil {
		return fmt.Errorf("%s: %w", command, err)
	}
	return nil
}

// describe returns a sentence on the model, data and length of the runs; held names the
// held-out set ("test", "validation") and tr, te are the sets trained and evaluated on.
func describe(cfg train.Config, d *dataset, tr, te data.Dataset, held string) string {
	spec, _ := model.ParseSpec(cfg.Model)
	m := model.Describe(spec, cfg.ModelConfig, data.Features(tr), d.task.Outputs(), d.task.Kind)
	sched := ""
	if s := cfg.Schedule.String(); s != "none" {
		sched = ", learning-rate schedule " + s
	}
	var what string
	if d.mnist != nil {
		what = fmt.Sprintf("%s (folder %s), %d training images, %d %s images", d.mnist.Spec.Name, d.mnist.Dir, tr.Len(), te.Len(), held)
	} else {
		what = d.describe(tr, te, held)
	}
	init := ""
	if cfg.InitFrom != "" {
		init = " Initial weights: those of " + cfg.InitFrom + "."
	}
	return fmt.Sprintf("Model: %s; loss: %s. Data: %s. Training: %d epochs of batches of %d, shuffled%s; seed %d.%s",
		m, lossWords(spec, d.task), what, cfg.Epochs, cfg.BatchSize, sched, cfg.Seed, init)
}

// lossWords names the default loss of a model of spec on a task.
func lossWords(spec model.Spec, task data.Task) string {
	switch {
	case task.Kind == data.Regress:
		return "mean squared error"
	case spec.Preset():
		return "negative log-likelihood of the log-probabilities"
	}
	return "cross-entropy of the scores"
}

// epochLine is one line of --json.
type epochLine struct {
	Run          string   `json:"run"`
	Seed         uint64   `json:"seed"`
	Epoch        int      `json:"epoch"`
	Step         int      `json:"step"`
	Seconds      float64  `json:"seconds"`
	TrainLoss    float64  `json:"train_loss"`
	TestLoss     *float64 `json:"test_loss,omitempty"`
	TestAccuracy *float64 `json:"test_accuracy,omitempty"`
	TestRMSE     *float64 `json:"test_rmse,omitempty"`
	TestR2       *float64 `json:"test_r2,omitempty"`
	ValLoss      *float64 `json:"val_loss,omitempty"`
	ValAccuracy  *float64 `json:"val_accuracy,omitempty"`
	ValRMSE      *float64 `json:"val_rmse,omitempty"`
	ValR2        *float64 `json:"val_r2,omitempty"`
	LR           float64  `json:"lr"`
}

// printEpoch writes the --json line of an epoch.
func printEpoch(w io.Writer, job train.Job, e train.Epoch, val bool) {
	l := epochLine{Run: job.Name, Seed: job.Config.Seed, Epoch: e.Epoch, Step: e.Step, Seconds: e.Seconds,
		TrainLoss: e.TrainLoss, LR: e.LR}
	loss, acc, rmse, r2 := e.EvalLoss, e.EvalAccuracy, e.EvalRMSE, e.EvalR2
	some := func(v *float64) *float64 {
		if math.IsNaN(*v) {
			return nil
		}
		return v
	}
	if val {
		l.ValLoss, l.ValAccuracy, l.ValRMSE, l.ValR2 = some(&loss), some(&acc), some(&rmse), some(&r2)
	} else {
		l.TestLoss, l.TestAccuracy, l.TestRMSE, l.TestR2 = some(&loss), some(&acc), some(&rmse), some(&r2)
	}
	b, _ := json.Marshal(l)
	fmt.Fprintln(w, string(b))
}

// finish writes the report of the run folder dir and prints the summary table (unless
// --json) and where the report is. runErr is the error of the runs, returned after.
func finish(dir string, asJSON bool, stdout, stderr io.Writer, runErr error) error {
	// The runs are over and their memory unreachable: collect it now, so that drawing the
	// report reuses it rather than growing the heap to twice what training held.
	runtime.GC()
	table, err := train.WriteReport(dir)
	var fe *report.FigureError
	if err != nil && !errors.As(err, &fe) {
		return errors.Join(runErr, err)
	}
	if err != nil {
		fmt.Fprintf(stderr, "descent: some figures could not be drawn: %v\n", err)
	}
	if !asJSON && table != nil {
		fmt.Fprintln(stdout)
		table.WriteText(stdout)
	}
	fmt.Fprintf(stderr, "report: %s\n", filepath.Join(dir, train.ReportFile))
	return runErr
}

// openResults opens the results.jsonl of dir for a run to write its records: it keeps the
// first keep bytes of the file, those a checkpoint recorded (0 for a new run, or to start
// a run again), and cuts the rest, records written after the checkpoint that the resumed
// run writes again. The cut is atomic: a copy of what is kept replaces the file. With keep
// -1 (a checkpoint that does not record it), it keeps the whole file but for an incomplete
// last line, the tail of a process killed mid-write.
func openResults(dir string, keep int64) (*results.Writer, error) {
	path := filepath.Join(dir, train.ResultsFile)
	if keep == 0 {
		return results.Create(path)
	}
	b, err := os.ReadFile(path)
	switch {
	case err != nil && !errors.Is(err, os.ErrNotExist):
		return nil, err
	case keep < 0:
		keep = int64(bytes.LastIndexByte(b, '\n') + 1)
	case int64(len(b)) < keep:
		return nil, fmt.Errorf("%s has %d bytes, fewer than the %d it had at the checkpoint: records are missing", path, len(b), keep)
	case b[keep-1] != '\n':
		return nil, fmt.Errorf("%s does not end a record at byte %d, where the checkpoint was written: the file was changed", path, keep)
	}
	if keep < int64(len(b)) {
		if err := atomicfile.WriteFile(path, b[:keep]); err != nil {
			return nil, err
		}
	}
	return results.Append(path)
}

// setThreads sets GOMAXPROCS to n and returns the function that restores it. It also
// makes the garbage collector run when the heap has grown by 25% rather than 100%
// (unless $GOGC says otherwise): a training step allocates nothing, so this costs no
// time, and it keeps the peak memory near what the data, model and tape need.
func setThreads(n int) func() {
	old := runtime.GOMAXPROCS(n)
	gc := -2
	if os.Getenv("GOGC") == "" {
		gc = debug.SetGCPercent(25)
	}
	return func() {
		runtime.GOMAXPROCS(old)
		if gc != -2 {
			debug.SetGCPercent(gc)
		}
	}
}

// splitSeed is the stream of the random split of a validation set.
const splitSeed = 0x73706c6974 // "split"

// validationSplit holds n examples of tr out as a validation set, the same for the same
// seed.
func validationSplit(tr data.Dataset, n int, seed uint64) (train, val data.Dataset) {
	a, b := data.Split(tr, n, rand.New(rand.NewPCG(seed, splitSeed)))
	return a, b
}

// runJobs writes meta to the run folder dir, trains js into its results.jsonl with a
// progress display on stderr (and the --json lines on stdout), then writes the report.
// what says what is trained, for the first line on stderr.
func runJobs(ctx context.Context, dir string, meta *train.Meta, js *train.Jobs, what string, asJSON bool, stdout, stderr io.Writer) error {
	if err := train.WriteMeta(dir, meta); err != nil {
		return err
	}
	w, err := openResults(dir, 0)
	if err != nil {
		return err
	}
	disp := progress.New(progress.Config{Out: stderr})
	fmt.Fprintf(stderr, "descent %s: %s into %s\n", meta.Command, what, dir)
	js.Results, js.Progress = w, disp
	if asJSON {
		val := meta.Evaluation == "val"
		js.OnEpoch = func(job train.Job, e train.Epoch) { printEpoch(stdout, job, e, val) }
	}
	_, runErr := js.Run(ctx)
	disp.Close()
	if err := w.Close(); err != nil && runErr == nil {
		runErr = err
	}
	return finish(dir, asJSON, stdout, stderr, runErr)
}
