package train

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/descent-ml/descent/optim"
)

// DefaultOptimizers are the optimisers descent compare runs when none are named: the
// lecture's, from plain SGD to AdamW.
var DefaultOptimizers = []string{"sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "amsgrad", "adamw"}

// Rates are learning rates by optimiser, with one for all the others.
type Rates struct {
	All    float64            // for every optimiser not in ByName; 0: its DefaultLR
	ByName map[string]float64 // by registry name
}

// ParseRates parses the --lr flag of descent compare: a rate for every optimiser ("0.01"),
// or rates by name ("adam=3e-4,sgd=0.05"), or both ("0.01,adam=3e-4").
func ParseRates(s string) (Rates, error) {
	r := Rates{ByName: map[string]float64{}}
	if strings.TrimSpace(s) == "" {
		return r, nil
	}
	for _, part := range strings.Split(s, ",") {
		name, val, named := strings.Cut(part, "=")
		if !named {
			name, val = "", part
		}
		name = strings.TrimSpace(name)
		v, err := strconv.ParseFloat(strings.TrimSpace(val), 64)
		if err != nil || !(v > 0) || math.IsInf(v, 0) {
			return Rates{}, fmt.Errorf("train: learning rate %q is not a positive number", strings.TrimSpace(val))
		}
		switch {
		case named && name == "":
			return Rates{}, fmt.Errorf("train: learning rate %q has no optimiser name before =", part)
		case named:
			if _, err := optim.Lookup(name); err != nil {
				return Rates{}, err
			}
			if _, dup := r.ByName[name]; dup {
				return Rates{}, fmt.Errorf("train: two learning rates for %s", name)
			}
			r.ByName[name] = v
		case r.All != 0:
			return Rates{}, fmt.Errorf("train: two learning rates for every optimiser (%g and %g)", r.All, v)
		default:
			r.All = v
		}
	}
	return r, nil
}

// For returns the rate of the optimiser called name: its own, else the one for all, else
// its DefaultLR (false if it has none).
func (r Rates) For(name string) (float64, bool) {
	if v, ok := r.ByName[name]; ok {
		return v, true
	}
	if r.All > 0 {
		return r.All, true
	}
	return DefaultLR(name)
}

// CompareJobs returns the runs of a comparison: every optimiser, each with its learning
// rate, over seeds seed, seed+1, ..., seed+seeds-1, all else as in base. Runs of the same
// seed start from the same weights and see the same batches.
func CompareJobs(base Config, optimizers []string, rates Rates, seeds int) ([]Job, error) {
	for name := range rates.ByName {
		found := false
		for _, o := range optimizers {
			found = found || o == name
		}
		if !found {
			return nil, fmt.Errorf("train: a learning rate is given for %s, which is not compared", name)
		}
	}
	var jobs []Job
	for _, name := range optimizers {
		if _, err := optim.Lookup(name); err != nil {
			return nil, err
		}
		for k := range seeds {
			cfg := base
			cfg.Optimizer = name
			cfg.Seed = base.Seed + uint64(k)
			cfg.Options = optim.Options{}
			for key, v := range base.Options {
				cfg.Options[key] = v
			}
			if v, ok := rates.For(name); ok {
				cfg.Options["lr"] = strconv.FormatFloat(v, 'g', -1, 64)
			}
			label := name
			if seeds > 1 {
				label = fmt.Sprintf("%s seed %d", name, cfg.Seed)
			}
			jobs = append(jobs, Job{Name: name, Config: cfg, Label: label})
		}
	}
	return jobs, nil
}

// SweepJobs returns the runs of a sweep: one per trial of the grid of axes, whose
// values override the options of base.
func SweepJobs(base Config, axes []Axis) []Job {
	var jobs []Job
	for _, t := range Grid(axes) {
		cfg := base
		cfg.Options = optim.Options{}
		for key, v := range base.Options {
			cfg.Options[key] = v
		}
		for key, v := range t.Options(axes) {
			cfg.Options[key] = v
		}
		jobs = append(jobs, Job{Name: t.Name, Config: cfg})
	}
	return jobs
}
