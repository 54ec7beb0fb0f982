package main

import (
	"context"
	"fmt"
	"io"
	"runtime"
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
With no --grid, the learning rate: lr=1e-4:1e-1:7.`

func runSweep(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("sweep", "[flags]", sweepDescription, stderr)
	var rf runFlags
	rf.register(fs, "mlp", 2)
	optimizer := fs.String("optimizer", "adam", "optimiser: "+registryNames())
	var grids listFlag
	fs.Var(&grids, "grid", "an axis of the grid, `KEY=LO:HI:N` or KEY=V1,V2,... (repeatable; default lr=1e-4:1e-1:7)")
	val := fs.Int("val", 10000, "training images held out as the validation set")
	parallel := fs.Int("parallel", runtime.NumCPU(), "trials trained at once")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	cfg, err := rf.config(fs)
	if err != nil {
		return err
	}
	cfg.Optimizer = *optimizer
	if rf.testSize > 0 {
		return usageError(fs, "--test-size: a sweep does not use the test set")
	}
	if *parallel < 1 || *val < 1 {
		return usageError(fs, "--parallel and --val must be at least 1")
	}
	if len(grids) == 0 {
		grids = listFlag{"lr=1e-4:1e-1:7"}
	}
	var axes []train.Axis
	for _, g := range grids {
		a, err := train.ParseAxis(g)
		if err != nil {
			return usageError(fs, "--grid: %v", err)
		}
		for _, b := range axes {
			if b.Key == a.Key {
				return usageError(fs, "--grid: two axes for %s", a.Key)
			}
		}
		axes = append(axes, a)
	}
	jobs := train.SweepJobs(cfg, axes)
	defer setThreads(rf.threads)()

	d, full, _, err := rf.loadData(ctx, stderr)
	if err != nil {
		return err
	}
	if *val >= full.Len() {
		return usageError(fs, "--val %d: the training set has only %d images", *val, full.Len())
	}
	tr, vs := validationSplit(full, *val, cfg.Seed)
	dir, err := rf.runFolder("sweep")
	if err != nil {
		return err
	}
	var keys []string
	for _, a := range axes {
		var vals []string
		for _, v := range a.Values {
			vals = append(vals, report.FormatValue(v, 6))
		}
		keys = append(keys, a.Key+" ∈ {"+strings.Join(vals, ", ")+"}")
	}
	intro := fmt.Sprintf("%s over the grid %s: %d trials, ranked by the loss on %d training images held out "+
		"(chosen at random with seed %d); the test set is not used. %s",
		cfg.Optimizer, strings.Join(keys, " × "), len(jobs), *val, cfg.Seed, describe(cfg, d, tr, vs, "validation"))
	meta := &train.Meta{Command: "sweep", Args: args, Flags: train.FlagsOf(fs), Intro: intro, Evaluation: "val",
		Axes: axes, Trials: train.Grid(axes), Machine: report.ThisMachine()}
	js := &train.Jobs{Jobs: jobs, Data: train.Data{Train: tr, Eval: vs, Val: true}, Parallel: *parallel}
	return runJobs(ctx, dir, meta, js, fmt.Sprintf("%d trials, %d at once", len(jobs), *parallel), rf.json, stdout, stderr)
}
