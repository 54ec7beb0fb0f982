package main

import (
	"flag"
	"fmt"
	"strings"

	"github.com/descent-ml/descent/data"
	"github.com/descent-ml/descent/data/mnist"
	"github.com/descent-ml/descent/data/tabular"
)

// This file holds the flags of the user's own data (--data, --test, --target, --task,
// --standardize, --holdout) of compare, train and sweep, and the loading of it.

// defaultUserModel is the model of a training command on --data without --model.
const defaultUserModel = "mlp:64,64"

// minUserSteps is the number of optimiser steps that a training command on --data takes
// at least when --epochs is not given: a small table is a few batches per epoch, and the
// few epochs that suit MNIST would stop its runs after a dozen steps. On MNIST's 60000
// images, 3 epochs of 128 are 1407 steps.
const minUserSteps = 2000

// Classes inferred from integer targets are refused as likely a regression when there
// are more than maxInferredClasses of them and they are more than half the rows: a count
// or a price written without a decimal point, rather than a label.
const maxInferredClasses = 20

// userDataFlags are the flags that name the user's data files.
type userDataFlags struct {
	train, test string
	target      string
	task        string
	standardize bool
	holdout     float64
}

func (f *userDataFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.train, "data", "", "training data: a `FILE` .csv (with a header), .csv.gz, .tsv, .npy or .npz, instead of MNIST (--dataset)")
	fs.StringVar(&f.test, "test", "", "test data, a `FILE` like --data's (default: --holdout of --data, held out at random by --seed)")
	fs.StringVar(&f.target, "target", "", "the target `COLUMN` of a CSV file (COLUMN,COLUMN,... for several outputs), the target array of an .npz (default y), the .npy file of the targets of an .npy")
	fs.StringVar(&f.task, "task", "", "classify or regress (default: classes if the target is one column of integers, else regression)")
	fs.BoolVar(&f.standardize, "standardize", false, "standardise every feature, and a regression's targets, with the mean and standard deviation of the training part (saved in run.json; RMSE reported in the targets' units)")
	fs.Float64Var(&f.holdout, "holdout", tabular.DefaultHoldout, "fraction of --data held out as the test set when there is no --test")
}

// check refuses flags of the user's data that do not go together; set holds the flags
// given on the command line.
func (f *userDataFlags) check(fs *flag.FlagSet, set map[string]bool) error {
	if f.train == "" {
		for _, name := range []string{"test", "target", "task", "standardize", "holdout"} {
			if set[name] {
				return usageError(fs, "--%s: an option of --data, which is not given", name)
			}
		}
		return nil
	}
	for _, name := range []string{"dataset", "dir", "cache", "offline"} {
		if set[name] {
			return usageError(fs, "--%s: an option of MNIST's datasets, not of --data", name)
		}
	}
	if _, err := data.ParseKind(f.task); err != nil {
		return usageError(fs, "--task %q: want classify or regress", f.task)
	}
	switch {
	case !(f.holdout > 0 && f.holdout < 1):
		return usageError(fs, "--holdout %g: want a fraction in (0, 1)", f.holdout)
	case set["holdout"] && f.test != "":
		return usageError(fs, "--holdout: the test set is --test's")
	}
	return nil
}

// spec returns the tabular.Spec of the flags, the held-out split drawn with seed.
func (f *userDataFlags) spec(seed uint64) tabular.Spec {
	kind, _ := data.ParseKind(f.task)
	s := tabular.Spec{Train: f.train, Test: f.test, Task: kind, Seed: seed, Standardize: f.standardize}
	if f.test == "" {
		s.Holdout = f.holdout
	}
	if f.target != "" {
		for _, t := range strings.Split(f.target, ",") {
			s.Target = append(s.Target, strings.TrimSpace(t))
		}
	}
	return s
}

// dataset is the data of a training command: its training and test sets and where they
// come from.
type dataset struct {
	train, test data.Dataset
	task        data.Task
	mnist       *mnist.Data   // MNIST's, or nil
	sets        *tabular.Sets // the user's, or nil
	spec        *tabular.Spec // the user's data as run.json records it
	// targets standardises a regression's targets (--standardize), or is nil.
	targets *data.Moments
}

// standardization returns the statistics that standardised the data, or nil.
func (d *dataset) standardization() *data.Standardization {
	if d.sets == nil {
		return nil
	}
	return d.sets.Standardization
}

// load reads the user's data of the flags, the held-out split drawn with seed. Errors
// name the file and the place in it. A classification inferred from integer targets of
// more than maxInferredClasses classes, more than half the rows, is refused.
func (f *userDataFlags) load(seed uint64) (*dataset, error) {
	spec := f.spec(seed)
	sets, err := tabular.Load(spec)
	if err != nil {
		return nil, err
	}
	rows := sets.Train.Len() + sets.HeldOut
	if spec.Task == data.Infer && sets.Task.Kind == data.Classify && sets.Task.Classes > maxInferredClasses && 2*sets.Task.Classes > rows {
		return nil, fmt.Errorf("%s: the target %s holds %d distinct integers in %d rows: read as class labels, that is a %d-class classification. "+
			"If it is a quantity, give --task regress; if these are classes, --task classify",
			spec.Train, strings.Join(sets.Targets, ","), sets.Task.Classes, rows, sets.Task.Classes)
	}
	d := &dataset{train: sets.Train, test: sets.Test, task: sets.Task, sets: sets, spec: &spec}
	if spec.Standardize && sets.Task.Kind == data.Regress {
		// The targets too, with the moments of the training part, as tabular.Load does
		// with StandardizeTargets: known only now that the task is.
		m := *data.FitStandardization(sets.Train, true).Targets
		for _, dense := range roots(sets.Train, sets.Test) {
			m.Apply(dense.T)
		}
		sets.Standardization.Targets = &m
		spec.StandardizeTargets = true
		d.targets = &m
	}
	return d, nil
}

// roots returns the distinct Dense sets that the datasets (Dense, or Subsets of one) hold
// their examples in.
func roots(ds ...data.Dataset) []*data.Dense {
	var out []*data.Dense
	for _, d := range ds {
		for {
			s, ok := d.(*data.Subset)
			if !ok {
				break
			}
			d = s.Parent
		}
		dense := d.(*data.Dense)
		seen := false
		for _, o := range out {
			seen = seen || o == dense
		}
		if !seen {
			out = append(out, dense)
		}
	}
	return out
}

// describe says what the user's data is, for the intro of a report: tr and te are the sets
// trained and evaluated on, held the name of the latter.
func (d *dataset) describe(tr, te data.Dataset, held string) string {
	s := d.spec
	var b strings.Builder
	fmt.Fprintf(&b, "%s, target %s, %s; %d features; %d training examples", s.Train, strings.Join(d.sets.Targets, ","),
		d.task, data.Features(tr), tr.Len())
	switch {
	case held != "test":
		fmt.Fprintf(&b, ", %d %s examples held out of them", te.Len(), held)
	case s.Test != "":
		fmt.Fprintf(&b, ", %d test examples from %s", te.Len(), s.Test)
	default:
		fmt.Fprintf(&b, ", %d test examples held out of the file at random (seed %d)", te.Len(), s.Seed)
	}
	switch {
	case s.StandardizeTargets:
		b.WriteString("; features and targets standardised with the statistics of the training part (the RMSE is in the targets' units)")
	case s.Standardize:
		b.WriteString("; features standardised with the statistics of the training part")
	}
	return b.String()
}
