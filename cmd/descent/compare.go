package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/descent-ml/descent/optim"
	"github.com/descent-ml/descent/report"
	"github.com/descent-ml/descent/train"
)

const compareDescription = `Trains the same model with each optimiser — from the same initial weights, on the same
batches, for every seed — and writes a report: a summary table on stdout and, in the run
folder, results.jsonl, summary.csv, the plots (PNG and SVG) and report.html, one page
that opens offline.

The data is MNIST's (--dataset), or the user's (--data FILE): a CSV file with a header,
the target named by --target, or NumPy's .npy/.npz, with a test file (--test) or a part
held out at random (--holdout); classes or regression by --task, else inferred (integer
targets are classes, but more than %d classes making more than half the rows are refused
as a likely regression: say --task). The model's inputs and outputs come from the data.

  descent compare --data train.csv --test test.csv --target price --standardize --model linear

With no flags, the main job: SGD, momentum SGD, Nesterov SGD, Adagrad, RMSprop, Adam,
AMSGrad and AdamW train the MLP 784-1000-1000-10 for 3 epochs on MNIST (fetched on first
use). On 2 cores this takes 1.5 to 2.5 minutes (2 to 5 s per epoch and optimiser, as
the cores are free or shared) and ends with test accuracies of 97.3-98%%; --epochs 10
takes about 5 minutes and reaches 97.8-98.6%%. --model logreg takes seconds; --model cnn
15 to 20 s per epoch and optimiser.

Each optimiser uses its own default learning rate unless --lr says otherwise:
%s.
With --lr find, each optimiser first runs the LR range test of "descent lrfind" from the
run's initial weights on the training set, and trains at its suggested rate (the rate
of the lowest smoothed loss ÷ 10); the table names the rates "(lrfind)".
The rates of lion, adafactor, muon, schedulefree-adamw, schedulefree-sgd, prodigy, lamb
and lars were chosen on the MLP with "descent lrfind" and a one-epoch sweep (go doc
train.DefaultLR). The schedule-free optimisers are evaluated, and their weights saved, at
their average point x, not at the point where they take gradients.

Ctrl-C stops the runs; the report of what was done is still written. "descent report
DIR" rebuilds it.`

func runCompare(ctx context.Context, args []string, stdout, stderr io.Writer) (err error) {
	set, err := compareSet(ctx, args, stderr, nil)
	if err != nil {
		return err
	}
	defer set.restore()
	if set.plan != "" {
		return writePlan(set, stderr)
	}
	defer func() { err = errors.Join(err, set.rd.close()) }()
	return runJobs(ctx, set.rd.path, set.meta, set.js, set.what, set.rf.json, stdout, stderr)
}

// compareSet parses the command line of a comparison and returns its runs, their data
// loaded, as sweepSet does for a sweep.
func compareSet(ctx context.Context, args []string, stderr io.Writer, adjust func(*flag.FlagSet) error) (*jobSet, error) {
	fs := newFlagSet("compare", "[flags]", fmt.Sprintf(compareDescription, maxInferredClasses, defaultRatesText()), stderr)
	var rf runFlags
	rf.register(fs, "mlp", 3)
	var sf swaFlags
	sf.register(fs)
	optimizers := fs.String("optimizers", strings.Join(train.DefaultOptimizers, ","), "optimisers to compare, comma-separated: "+registryNames())
	rates := fs.String("lr", "", "learning rates: `RATE` for all, or NAME=RATE,... such as adam=3e-4,sgd=0.05, or find: each optimiser's LR range test's suggestion (descent lrfind) (default: each optimiser's own)")
	seeds := fs.Int("seeds", 1, "runs of each optimiser, of seeds --seed, --seed+1, ...: the tables give mean ± standard deviation, the plots bands")
	parallel := fs.Int("parallel", 1, "runs trained at once (each also uses --threads threads)")
	plan := registerPlan(fs)
	if err := parseFlags(fs, args); err != nil {
		return nil, err
	}
	if adjust != nil {
		if err := adjust(fs); err != nil {
			return nil, err
		}
	}
	cfg, err := rf.config(fs)
	if err != nil {
		return nil, err
	}
	if err := sf.apply(fs, &cfg); err != nil {
		return nil, err
	}
	if *seeds < 1 || *parallel < 1 {
		return nil, usageError(fs, "--seeds and --parallel must be at least 1")
	}
	if *plan != "" && rf.out != "" {
		return nil, usageError(fs, "--plan DIR is the run folder: no --out")
	}
	find := strings.TrimSpace(*rates) == "find"
	r := train.Rates{ByName: map[string]float64{}}
	switch {
	case find && *plan != "":
		return nil, usageError(fs, "--lr find with --plan: each shard would run the range tests again; run descent lrfind and give its rates: --lr NAME=RATE,...")
	case !find && strings.Contains(*rates, "find"):
		return nil, usageError(fs, "--lr %s: find stands alone (every optimiser's rate from its range test)", *rates)
	case !find:
		if r, err = train.ParseRates(*rates); err != nil {
			return nil, usageError(fs, "--lr: %v", err)
		}
	}
	var names []string
	for _, n := range strings.Split(*optimizers, ",") {
		if n = strings.TrimSpace(n); n != "" {
			names = append(names, n)
		}
	}
	if len(names) == 0 {
		return nil, usageError(fs, "--optimizers: no optimiser")
	}
	if *seeds > maxJobs/len(names) {
		return nil, usageError(fs, "--seeds %d: %d runs, more than the %d a comparison may have", *seeds, *seeds*len(names), maxJobs)
	}
	if _, err := train.CompareJobs(cfg, names, r, *seeds); err != nil {
		return nil, usageError(fs, "%v", err)
	}
	set, d, err := openSet(ctx, "compare", &rf, &cfg, *plan, adjust != nil, stderr)
	if err != nil {
		return nil, err
	}
	fail := func(err error) (*jobSet, error) { return nil, set.fail(err) }
	if find {
		if r, err = findRates(ctx, cfg, train.Data{Train: d.train, TargetScale: d.targets}, names, stderr); err != nil {
			return fail(err)
		}
	}
	jobs, err := train.CompareJobs(cfg, names, r, *seeds)
	if err != nil {
		return fail(err)
	}
	if find { // the table and the plots name the rate and where it came from
		for i := range jobs {
			jobs[i].Name = fmt.Sprintf("%s lr=%s (lrfind)", jobs[i].Name, report.FormatValue(r.ByName[jobs[i].Config.Optimizer], 3))
			if *seeds > 1 {
				jobs[i].Label = fmt.Sprintf("%s seed %d", jobs[i].Name, jobs[i].Config.Seed)
			} else {
				jobs[i].Label = jobs[i].Name
			}
		}
	}
	for _, n := range names {
		c := cfg
		c.Optimizer = n
		if err := rf.checkMemory("compare", c, d, min(*parallel, len(jobs))); err != nil {
			return fail(err)
		}
	}
	js := &train.Jobs{Jobs: jobs, Data: train.Data{Train: d.train, Eval: d.test, TargetScale: d.targets}, Parallel: *parallel}
	if err := js.Check(); err != nil {
		return fail(err)
	}
	var used []string
	for _, n := range names {
		v, _ := r.For(n)
		used = append(used, n+" "+report.FormatValue(v, 4))
	}
	rateNote := strings.Join(used, ", ")
	if find {
		rateNote += " (" + lrFindNote + ")"
	}
	intro := fmt.Sprintf("Each optimiser trains the same model from the same initial weights on the same batches "+
		"(for each seed), with the learning rates %s. %s", rateNote, describe(cfg, d, d.train, d.test, "test"))
	intro += sf.describe()
	meta := &train.Meta{Command: "compare", Args: args, Flags: train.FlagsOf(fs), Intro: intro, Evaluation: "test",
		Task: &d.task, Data: d.spec, Standardization: d.standardization(), Machine: report.ThisMachine()}
	set.args, set.js, set.meta = args, js, meta
	set.what, set.data = fmt.Sprintf("%d runs", len(jobs)), planDataOf(d, js.Data)
	return set, nil
}

// defaultRatesText lists the default learning rates of the registry's optimisers, in
// lines of at most 90 characters.
func defaultRatesText() string {
	var b strings.Builder
	n := 0
	for _, e := range optim.Registry() {
		v, ok := train.DefaultLR(e.Name)
		if !ok {
			continue
		}
		item := e.Name + " " + report.FormatValue(v, 4)
		switch {
		case n == 0:
		case n+2+len(item) > 90:
			b.WriteString(",\n")
			n = 0
		default:
			b.WriteString(", ")
			n += 2
		}
		b.WriteString(item)
		n += len(item)
	}
	return b.String()
}

// registryNames lists the registry's optimisers.
func registryNames() string {
	var s []string
	for _, e := range optim.Registry() {
		s = append(s, e.Name)
	}
	return strings.Join(s, ", ")
}
