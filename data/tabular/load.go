package tabular

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/descent-ml/descent/data"
)

// A Spec says which data a run trains and tests on, and how to prepare it. Its JSON form
// is what a run folder records.
type Spec struct {
	// Train is the training file; Test the test file, or "" to hold out part of Train.
	Train string `json:"train"`
	Test  string `json:"test,omitempty"`
	// Target and Task are those of [Options], for both files.
	Target []string  `json:"target,omitempty"`
	Task   data.Kind `json:"task"`
	// Holdout is the fraction of Train held out as the test set when Test is "":
	// ⌈Holdout·n⌉ examples, as sklearn's train_test_split rounds. If Holdout is 0, it is
	// defaulted to 0.2. It is ignored with a Test file.
	Holdout float64 `json:"holdout,omitempty"`
	// Seed chooses the held-out examples ([data.Split]): the same seed, the same split.
	Seed uint64 `json:"seed"`
	// Standardize standardises every feature, of the training and the test set, with the
	// mean and standard deviation of the training set alone.
	Standardize bool `json:"standardize,omitempty"`
	// StandardizeTargets standardises the targets of a regression too (with Standardize
	// only), the same way; predictions are then in standardised units, and
	// Sets.Standardization.Targets.Invert turns them back into the target's. Off by
	// default: the targets, and so an RMSE, stay in their own units.
	StandardizeTargets bool `json:"standardize_targets,omitempty"`
}

// DefaultHoldout is the fraction of the training file held out when a Spec has no test
// file and no Holdout.
const DefaultHoldout = 0.2

// holdoutStream is the second word of the PCG seed of the held-out split.
const holdoutStream = 0x686f6c646f7574 // "holdout"

// Sets are the training and test sets of a [Spec], ready for a [data.Loader].
type Sets struct {
	// Train and Test are the two sets: two Dense sets, or two Subsets of the training
	// file's Dense when the test set is held out from it.
	Train, Test data.Dataset
	// Task is the training file's, which the test file's agrees with.
	Task data.Task
	// Features, Targets and Labels are those of the training file's [Table]: Labels[k]
	// is the label, in the file, of class k.
	Features []string
	Targets  []string
	Labels   []int64
	// HeldOut is the number of examples of Test held out from the training file; 0 with
	// a test file.
	HeldOut int
	// Standardization holds the statistics, of the training set alone, that standardised
	// both sets; nil without Spec.Standardize.
	Standardization *data.Standardization
}

// Load reads the files of s, splits off a test set if there is no test file, and
// standardises them if asked. The test file is read with the training file's task,
// feature columns and class labels; a test file that does not fit is an error naming it.
func Load(s Spec) (*Sets, error) {
	if s.StandardizeTargets && !s.Standardize {
		return nil, fmt.Errorf("tabular: StandardizeTargets without Standardize")
	}
	train, err := ReadFile(s.Train, Options{Target: s.Target, Task: s.Task})
	if err != nil {
		return nil, err
	}
	if s.StandardizeTargets && train.Task.Kind != data.Regress {
		return nil, fmt.Errorf("%s: StandardizeTargets for a %s task: only a regression's targets are standardised", s.Train, train.Task.Kind)
	}
	out := &Sets{Task: train.Task, Features: train.Features, Targets: train.Targets, Labels: train.Labels}
	denses := []*data.Dense{train.Data}
	if s.Test != "" {
		test, err := ReadFile(s.Test, Options{Target: s.Target, Task: train.Task.Kind, Features: train.Features, Labels: train.Labels})
		if err != nil {
			return nil, err
		}
		switch {
		case !slices.Equal(test.Data.Shape(), train.Data.Shape()):
			return nil, &Error{Path: s.Test, Err: ErrArray, Detail: fmt.Sprintf("examples of shape %v, the training file's are %v", test.Data.Shape(), train.Data.Shape())}
		case !slices.Equal(test.Task.TargetShape, train.Task.TargetShape):
			return nil, &Error{Path: s.Test, Err: ErrArray, Detail: fmt.Sprintf("targets of shape %v, the training file's are %v", test.Task.TargetShape, train.Task.TargetShape)}
		}
		out.Train, out.Test = train.Data, test.Data
		denses = append(denses, test.Data)
	} else {
		frac := s.Holdout
		if frac == 0 {
			frac = DefaultHoldout
		}
		n := train.Data.Len()
		if !(frac > 0 && frac < 1) {
			return nil, fmt.Errorf("tabular: holdout fraction %v outside (0, 1)", s.Holdout)
		}
		k := int(math.Ceil(frac * float64(n)))
		if k >= n {
			return nil, &Error{Path: s.Train, Err: ErrNoRows, Detail: fmt.Sprintf("%d examples: too few to hold out %g of them for testing and train on the rest", n, frac)}
		}
		tr, te := data.Split(train.Data, k, rand.New(rand.NewPCG(s.Seed, holdoutStream)))
		out.Train, out.Test, out.HeldOut = tr, te, k
	}
	if s.Standardize {
		st := data.FitStandardization(out.Train, s.StandardizeTargets)
		for _, d := range denses {
			st.Apply(d)
		}
		out.Standardization = &st
	}
	return out, nil
}
