package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"runtime"
	"strconv"
	"strings"

	"github.com/descent-ml/descent/report"
	"github.com/descent-ml/descent/train"
)

const sweepDescription = `The lecture's recipe for hyper-parameters: a grid in log scale, every trial trained
(several at once, on the cores), ranked by the loss on a validation set held out of the
training set — never the test set. Prints the ranking; the run folder gets results.jsonl,
summary.csv, a heatmap of the grid, the curves of the best trials and report.html.

  descent sweep --grid lr=1e-4:1e-1:7 --grid weight-decay=1e-5,1e-4,1e-3

A --grid is KEY=LO:HI:N (N values evenly spaced in log scale, rounded to 3 digits) or
KEY=V1,V2,...; KEY is any option of the optimiser (lr, weight-decay, momentum, eps, ...).
With no --grid, the learning rate: lr=1e-4:1e-1:7. On the user's data (--data), the
validation set is held out of the training part, the test part (--holdout) left unused.

--lr-center find makes the lr axis around the rate that the LR range test of "descent
lrfind" suggests, run first on the training part (not the validation set) from the
trials' initial weights: --lr-points rates (5) over --lr-span decades (1) on each side,
with any other --grid axes:

  descent sweep --lr-center find --lr-span 1 --lr-points 5

On a cluster, --plan DIR writes the trials to DIR/plan.json without training them; the
tasks of a Slurm job array or the pods of a Kubernetes Indexed Job then train them by
shards, resumably, and collect gathers their results into the same report:

  descent sweep --grid lr=1e-4:1e-1:16 --model logreg --plan DIR
  descent sweep emit DIR --slurm --parallel 4 > job.sh && sbatch job.sh
  descent sweep status DIR
  descent sweep collect DIR

  run DIR [--shard I/N]   train the trials of shard I of N (or of the scheduler's task)
  status DIR              print each trial's state: done, running, failed or missing
  collect DIR             gather the results: the table, summary.csv and report.html
  emit DIR --slurm|--kubernetes   print the sbatch script or the Indexed Job manifest`

func runSweep(ctx context.Context, args []string, stdout, stderr io.Writer) (err error) {
	if len(args) > 0 {
		if c, ok := lookup(sweepCommands(), args[0]); ok {
			return c.run(ctx, args[1:], stdout, stderr)
		}
	}
	set, err := sweepSet(ctx, args, stderr, nil)
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

// sweepSet parses the command line of a sweep and returns its trials, their data loaded,
// ready to train or to plan. adjust, if not nil, changes the flags once parsed (the
// plan's working folder, its threads). The caller calls set.restore.
func sweepSet(ctx context.Context, args []string, stderr io.Writer, adjust func(*flag.FlagSet) error) (*jobSet, error) {
	fs := newFlagSet("sweep", "[flags] | run|status|collect|emit DIR [flags]", sweepDescription, stderr)
	var rf runFlags
	rf.register(fs, "mlp", 2)
	optimizer := fs.String("optimizer", "adam", "optimiser: "+registryNames())
	var grids listFlag
	fs.Var(&grids, "grid", "an axis of the grid, `KEY=LO:HI:N` or KEY=V1,V2,... (repeatable; default lr=1e-4:1e-1:7)")
	val := fs.String("val", "", "training examples held out as the validation set: a count N, or a fraction such as 0.2 (default 10000 on MNIST, 0.2 on --data)")
	lrCenter := fs.String("lr-center", "", "centre the lr axis on `find` (the LR range test's suggestion, as descent lrfind prints it) or on a RATE")
	lrSpan := fs.Float64("lr-span", 1, "with --lr-center: the lr axis spans this many decades on each side of the centre")
	lrPoints := fs.Int("lr-points", 5, "with --lr-center: rates on the lr axis, evenly spaced in log scale")
	parallel := fs.Int("parallel", runtime.NumCPU(), "trials trained at once")
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
	cfg.Optimizer = *optimizer
	if rf.testSize > 0 || rf.user.test != "" {
		return nil, usageError(fs, "--test-size, --test: a sweep does not use the test set")
	}
	valSize, valFrac, err := parseVal(*val, rf.user.train != "")
	if err != nil {
		return nil, usageError(fs, "--val: %v", err)
	}
	if *parallel < 1 {
		return nil, usageError(fs, "--parallel must be at least 1")
	}
	if *plan != "" && rf.out != "" {
		return nil, usageError(fs, "--plan DIR is the run folder: no --out")
	}
	center, err := parseLRCenter(fs, *lrCenter, *lrSpan, *lrPoints, *plan != "")
	if err != nil {
		return nil, err
	}
	if len(grids) == 0 && *lrCenter == "" {
		grids = listFlag{"lr=1e-4:1e-1:7"}
	}
	var axes []train.Axis
	for _, g := range grids {
		a, err := train.ParseAxis(g)
		if err != nil {
			return nil, usageError(fs, "--grid: %v", err)
		}
		for _, b := range axes {
			if b.Key == a.Key {
				return nil, usageError(fs, "--grid: two axes for %s", a.Key)
			}
		}
		if a.Key == "lr" && *lrCenter != "" {
			return nil, usageError(fs, "--grid %s with --lr-center: --lr-center makes the lr axis", g)
		}
		axes = append(axes, a)
	}
	trials := 1
	if *lrCenter != "" {
		trials = *lrPoints
	}
	for _, a := range axes {
		trials *= len(a.Values)
		if trials > maxJobs {
			return nil, usageError(fs, "--grid: more than %d trials", maxJobs)
		}
	}
	set, d, err := openSet(ctx, "sweep", &rf, &cfg, *plan, adjust != nil, stderr)
	if err != nil {
		return nil, err
	}
	fail := func(err error) (*jobSet, error) { return nil, set.fail(err) }
	full := d.train
	if valFrac > 0 {
		valSize = int(math.Ceil(valFrac * float64(full.Len())))
	}
	if valSize >= full.Len() {
		return fail(usageError(fs, "--val %s: the training set has only %d examples", *val, full.Len()))
	}
	tr, vs := validationSplit(full, valSize, cfg.Seed)
	if *lrCenter != "" {
		if center == 0 { // find: the range test on the training part, never the validation set
			rates, err := findRates(ctx, cfg, train.Data{Train: tr, TargetScale: d.targets}, []string{cfg.Optimizer}, stderr)
			if err != nil {
				return fail(err)
			}
			center = rates.ByName[cfg.Optimizer]
		}
		a, err := train.ParseAxis(fmt.Sprintf("lr=%g:%g:%d", center/math.Pow(10, *lrSpan), center*math.Pow(10, *lrSpan), *lrPoints))
		if err != nil {
			return fail(usageError(fs, "--lr-center %s: %v", *lrCenter, err))
		}
		axes = append([]train.Axis{a}, axes...)
	}
	jobs := train.SweepJobs(cfg, axes)
	if err := rf.checkMemory("sweep", cfg, d, min(*parallel, len(jobs))); err != nil {
		return fail(err)
	}
	js := &train.Jobs{Jobs: jobs, Data: train.Data{Train: tr, Eval: vs, Val: true, TargetScale: d.targets}, Parallel: *parallel}
	if err := js.Check(); err != nil {
		return fail(err)
	}
	var keys []string
	for _, a := range axes {
		var vals []string
		for _, v := range a.Values {
			vals = append(vals, report.FormatValue(v, 6))
		}
		keys = append(keys, a.Key+" ∈ {"+strings.Join(vals, ", ")+"}")
	}
	centred := ""
	switch {
	case *lrCenter == "find":
		centred = fmt.Sprintf(" (the lr axis centred on %s, the suggestion of an LR range test, descent lrfind, on the training part: the rate of the lowest smoothed loss ÷ 10)",
			report.FormatValue(center, 3))
	case *lrCenter != "":
		centred = fmt.Sprintf(" (the lr axis centred on %s)", report.FormatValue(center, 3))
	}
	intro := fmt.Sprintf("%s over the grid %s%s: %d trials, ranked by the loss on %d training examples held out "+
		"(chosen at random with seed %d); the test set is not used. %s",
		cfg.Optimizer, strings.Join(keys, " × "), centred, len(jobs), valSize, cfg.Seed, describe(cfg, d, tr, vs, "validation"))
	meta := &train.Meta{Command: "sweep", Args: args, Flags: train.FlagsOf(fs), Intro: intro, Evaluation: "val",
		Task: &d.task, Data: d.spec, Standardization: d.standardization(), Axes: axes, Trials: train.Grid(axes), Machine: report.ThisMachine()}
	set.args, set.js, set.meta = args, js, meta
	set.what, set.data = fmt.Sprintf("%d trials, %d at once", len(jobs), *parallel), planDataOf(d, js.Data)
	return set, nil
}

// parseLRCenter checks the flags --lr-center, --lr-span and --lr-points and returns the
// centre of the lr axis: the rate given, or 0 for find (or no --lr-center).
func parseLRCenter(fs *flag.FlagSet, center string, span float64, points int, plan bool) (float64, error) {
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	switch {
	case center == "" && (set["lr-span"] || set["lr-points"]):
		return 0, usageError(fs, "--lr-span and --lr-points shape the axis of --lr-center: give --lr-center find or RATE")
	case center == "":
		return 0, nil
	case !(span > 0) || math.IsInf(span, 0):
		return 0, usageError(fs, "--lr-span %g: want a positive number of decades", span)
	case points < 2:
		return 0, usageError(fs, "--lr-points %d: want at least 2", points)
	case center == "find" && plan:
		return 0, usageError(fs, "--lr-center find with --plan: each shard would run the range test again; run descent lrfind and give its rate: --lr-center RATE")
	case center == "find":
		return 0, nil
	}
	v, err := strconv.ParseFloat(center, 64)
	if err != nil || !(v > 0) || math.IsInf(v, 0) {
		return 0, usageError(fs, "--lr-center %q: want find or a positive rate", center)
	}
	return v, nil
}

// parseVal parses --val: a count of examples, or a fraction in (0, 1). An empty value is
// 10000 examples on MNIST, a fifth of the training part on the user's data.
func parseVal(s string, user bool) (n int, frac float64, err error) {
	switch {
	case s == "" && user:
		return 0, 0.2, nil
	case s == "":
		return 10000, 0, nil
	}
	if n, err := strconv.Atoi(s); err == nil {
		if n < 1 {
			return 0, 0, fmt.Errorf("%d examples: want at least 1", n)
		}
		return n, 0, nil
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || !(v > 0 && v < 1) {
		return 0, 0, fmt.Errorf("%q: want a count of examples or a fraction in (0, 1)", s)
	}
	return 0, v, nil
}
