package main

import (
	"flag"
	"fmt"
	"strings"

	"github.com/descent-ml/descent/optim/lr"
	"github.com/descent-ml/descent/report"
	"github.com/descent-ml/descent/train"
)

// swaFlags are the weight-averaging flags of descent train and compare.
type swaFlags struct {
	start        int
	lr           float64
	annealEpochs int
	anneal       string
	ema          float64
}

func (f *swaFlags) register(fs *flag.FlagSet) {
	fs.IntVar(&f.start, "swa-start", 0, "stochastic weight averaging: average the weights at the ends of epochs `EPOCH` to --epochs "+
		"(from 1; 0: none), evaluated and reported as OPTIMISER+swa after a pass over the training set that recomputes "+
		"BatchNorm's statistics (Izmailov et al. 2018; torch's AveragedModel, update_bn)")
	fs.Float64Var(&f.lr, "swa-lr", 0, "with --swa-start: from the start of epoch EPOCH, anneal the learning rate to `LR` with "+
		"torch's SWALR, stepped after every epoch, instead of following --schedule (default: --schedule runs on)")
	fs.IntVar(&f.annealEpochs, "swa-anneal-epochs", 10, "with --swa-lr: the epochs of SWALR's annealing (0: --swa-lr at once)")
	fs.StringVar(&f.anneal, "swa-anneal", "cos", "with --swa-lr: SWALR's annealing, cos or linear")
	fs.Float64Var(&f.ema, "ema", 0, "keep the exponential moving average of the weights of `DECAY` in (0, 1), such as 0.999, "+
		"updated after every step (avg = DECAY·avg + (1−DECAY)·weights), evaluated and reported as OPTIMISER+ema like "+
		"--swa-start's average (0: none); it may go with --swa-start")
}

// apply checks the flags, set after fs was parsed, and sets them in cfg.
func (f *swaFlags) apply(fs *flag.FlagSet, cfg *train.Config) error {
	set := map[string]bool{}
	fs.Visit(func(fl *flag.Flag) { set[fl.Name] = true })
	if f.start == 0 {
		for _, name := range []string{"swa-lr", "swa-anneal-epochs", "swa-anneal"} {
			if set[name] {
				return usageError(fs, "--%s: an option of --swa-start, which is not given", name)
			}
		}
	}
	switch {
	case f.start < 0:
		return usageError(fs, "--swa-start %d: want an epoch from 1 (or 0: no averaging)", f.start)
	case f.start > cfg.Epochs:
		return usageError(fs, "--swa-start %d: beyond the last epoch (--epochs %d)", f.start, cfg.Epochs)
	case f.lr < 0:
		return usageError(fs, "--swa-lr %g: want a positive rate", f.lr)
	case set["swa-lr"] && f.lr == 0:
		return usageError(fs, "--swa-lr 0: want a positive rate (leave it out to keep --schedule)")
	case f.annealEpochs < 0:
		return usageError(fs, "--swa-anneal-epochs %d: want at least 0", f.annealEpochs)
	case f.anneal != string(lr.AnnealCos) && f.anneal != string(lr.AnnealLinear):
		return usageError(fs, "--swa-anneal %q: want cos or linear", f.anneal)
	case f.lr == 0 && (set["swa-anneal-epochs"] || set["swa-anneal"]):
		return usageError(fs, "--swa-anneal-epochs and --swa-anneal shape SWALR's annealing to --swa-lr, which is not given")
	case f.ema != 0 && !(f.ema > 0 && f.ema < 1):
		return usageError(fs, "--ema %g: want a decay in (0, 1), such as 0.999", f.ema)
	}
	if f.start > 0 {
		cfg.SWA = &train.SWA{Start: f.start, LR: f.lr, AnnealEpochs: f.annealEpochs, Anneal: lr.Anneal(f.anneal)}
	}
	cfg.EMA = f.ema
	return nil
}

// describe says what is averaged, for the report's introduction: "" without averaging.
func (f *swaFlags) describe() string {
	var s []string
	if f.start > 0 {
		w := fmt.Sprintf("the weights at the ends of epochs %d to the last are averaged (SWA, rows +swa)", f.start)
		if f.lr > 0 {
			w += fmt.Sprintf(", the learning rate annealed from the start of epoch %d to %s over %d epochs (SWALR, %s)",
				f.start, report.FormatValue(f.lr, 4), f.annealEpochs, f.anneal)
		}
		s = append(s, w)
	}
	if f.ema > 0 {
		s = append(s, fmt.Sprintf("the exponential moving average of the weights of decay %s is kept over the steps (rows +ema)", report.FormatValue(f.ema, 6)))
	}
	if len(s) == 0 {
		return ""
	}
	return " " + strings.ToUpper(s[0][:1]) + strings.Join(s, "; ")[1:] + ". An averaged model is evaluated after each epoch, " +
		"its BatchNorm statistics (if any) first recomputed by a pass over the training set."
}
