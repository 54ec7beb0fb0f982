package results

import (
	"fmt"
	"math"
)

// Kind says what a record reports: one logged optimiser step, one finished epoch, or the
// end of a run.
type Kind string

// The kinds of record.
const (
	KindStep  Kind = "step"
	KindEpoch Kind = "epoch"
	KindEnd   Kind = "end"
)

// Status says how a run ended; it is set on end records only.
type Status string

// The statuses of an end record.
const (
	// StatusDone: the run trained for all its epochs.
	StatusDone Status = "done"
	// StatusDiverged: a loss or a parameter turned NaN or infinite and the run was stopped.
	StatusDiverged Status = "diverged"
	// StatusInterrupted: the run was stopped from outside (Ctrl-C, a deadline).
	StatusInterrupted Status = "interrupted"
)

// Names of the metrics that descent's commands log.
const (
	TrainLoss     = "train_loss"     // mean training loss (over the logged steps or the epoch)
	TrainAccuracy = "train_accuracy" // fraction of training samples classified correctly, in [0, 1]
	TestLoss      = "test_loss"      // mean loss on the test set
	TestAccuracy  = "test_accuracy"  // fraction of test samples classified correctly, in [0, 1]
	ValLoss       = "val_loss"       // mean loss on the validation split held out of the training set
	ValAccuracy   = "val_accuracy"   // fraction of validation samples classified correctly
	TestRMSE      = "test_rmse"      // root mean squared error of a regression's predictions on the test set, in the targets' units
	TestR2        = "test_r2"        // coefficient of determination R² of a regression's predictions on the test set
	ValRMSE       = "val_rmse"       // root mean squared error on the validation split
	ValR2         = "val_r2"         // coefficient of determination R² on the validation split
	LR            = "lr"             // learning rate of the first parameter group
	GradNorm      = "grad_norm"      // Euclidean norm of the gradient
	Samples       = "samples"        // training samples seen so far
)

// A Metric is one named value of a record.
type Metric struct {
	Name  string
	Value float64
}

// A Record is one line of results.jsonl. See the package documentation for the format.
type Record struct {
	Run     string
	Seed    int
	Kind    Kind
	Step    int
	Epoch   int
	Seconds float64
	// Status and Note are written for end records only.
	Status Status
	Note   string
	// Metrics are written after the fixed keys, in order. A name may not repeat nor be one
	// of the fixed keys.
	Metrics []Metric
}

// Metric returns the value of the named metric and whether the record has it.
func (r *Record) Metric(name string) (float64, bool) {
	for _, m := range r.Metrics {
		if m.Name == name {
			return m.Value, true
		}
	}
	return 0, false
}

// Value returns the record's value for a fixed numeric key ("step", "epoch", "seconds",
// "seed") or else for the named metric, and whether it has one. It is how plots pick their
// x and y from records.
func (r *Record) Value(name string) (float64, bool) {
	switch name {
	case "step":
		return float64(r.Step), true
	case "epoch":
		return float64(r.Epoch), true
	case "seconds":
		return r.Seconds, true
	case "seed":
		return float64(r.Seed), true
	}
	return r.Metric(name)
}

// fixedKeys are the keys of a record that are not metrics.
var fixedKeys = [...]string{"run", "seed", "kind", "step", "epoch", "seconds", "status", "note"}

func isFixedKey(name string) bool {
	for _, k := range fixedKeys {
		if name == k {
			return true
		}
	}
	return false
}

// check panics if r cannot be written: these are errors of the program that builds the
// record, not of the data. Metric values are not checked: a NaN loss is data.
func (r *Record) check() {
	if r.Run == "" {
		panic("results: record has no run name")
	}
	switch r.Kind {
	case KindStep, KindEpoch:
		if r.Status != "" || r.Note != "" {
			panic(fmt.Sprintf("results: %s record of run %q has a status or note; only end records do", r.Kind, r.Run))
		}
	case KindEnd:
		switch r.Status {
		case StatusDone, StatusDiverged, StatusInterrupted:
		default:
			panic(fmt.Sprintf("results: end record of run %q has status %q", r.Run, r.Status))
		}
	default:
		panic(fmt.Sprintf("results: record of run %q has kind %q", r.Run, r.Kind))
	}
	if r.Step < 0 || r.Epoch < 0 {
		panic(fmt.Sprintf("results: record of run %q has step %d and epoch %d; neither may be negative", r.Run, r.Step, r.Epoch))
	}
	if !(r.Seconds >= 0) || math.IsInf(r.Seconds, 0) {
		panic(fmt.Sprintf("results: record of run %q has %v seconds", r.Run, r.Seconds))
	}
	for i, m := range r.Metrics {
		if m.Name == "" {
			panic(fmt.Sprintf("results: metric %d of run %q has no name", i, r.Run))
		}
		if isFixedKey(m.Name) {
			panic(fmt.Sprintf("results: metric name %q is a fixed key", m.Name))
		}
		for _, p := range r.Metrics[:i] {
			if p.Name == m.Name {
				panic(fmt.Sprintf("results: metric %q repeats in a record of run %q", m.Name, r.Run))
			}
		}
	}
}
