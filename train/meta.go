package train

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/descent-ml/descent/data"
	"github.com/descent-ml/descent/data/tabular"
	"github.com/descent-ml/descent/internal/atomicfile"
	"github.com/descent-ml/descent/report"
)

// File names in a run folder.
const (
	MetaFile       = "run.json"          // Meta: the command that made the folder
	ResultsFile    = "results.jsonl"     // the records of every run
	SummaryFile    = "summary.csv"       // one line per run name
	CheckpointFile = "checkpoint.ckpt"   // descent train's checkpoint
	WeightsFile    = "model.safetensors" // descent train's final weights (Run.SaveWeights)
	ReportFile     = "report.html"
)

// Meta describes a run folder: what made it, so that its report can be rebuilt from its
// results (descent report) and a training resumed (descent train --resume).
type Meta struct {
	Command string   `json:"command"` // "compare", "train" or "sweep"
	Args    []string `json:"args"`    // the command's arguments, flags included
	Flags   []Flag   `json:"flags"`   // every flag, with its value
	// Intro says, in a sentence or two, what was run; it opens the report.
	Intro string `json:"intro"`
	// Evaluation names the held-out set: "test" or "val".
	Evaluation string `json:"evaluation"`
	// Task is the task of the data, classification or regression. It is nil in folders
	// made before it was recorded, all of them classifications.
	Task *data.Task `json:"task,omitempty"`
	// Data is the user's data files and how they were prepared (descent --data); nil
	// for the datasets of package data/mnist.
	Data *tabular.Spec `json:"data,omitempty"`
	// Standardization holds the statistics that standardised the data (--standardize),
	// of the training part alone; nil without.
	Standardization *data.Standardization `json:"standardization,omitempty"`
	// Axes and Trials are the grid of a sweep.
	Axes    []Axis         `json:"axes,omitempty"`
	Trials  []Trial        `json:"trials,omitempty"`
	Machine report.Machine `json:"machine"` // where the runs were made
}

// A Flag is one flag of the command, for the configuration table of the report.
type Flag struct {
	Name    string `json:"name"`
	Value   string `json:"value"`
	Default string `json:"default"`
	Usage   string `json:"usage"`
	Set     bool   `json:"set"` // given on the command line
}

// FlagsOf returns the flags of fs, in name order.
func FlagsOf(fs *flag.FlagSet) []Flag {
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	var out []Flag
	fs.VisitAll(func(f *flag.Flag) {
		_, usage := flag.UnquoteUsage(f)
		if i := strings.IndexByte(usage, '\n'); i >= 0 {
			usage = usage[:i]
		}
		out = append(out, Flag{Name: f.Name, Value: f.Value.String(), Default: f.DefValue, Usage: usage, Set: set[f.Name]})
	})
	return out
}

// flagTable returns the flags as the configuration table of a report, as
// report.FlagTable does for a flag set.
func flagTable(flags []Flag) *report.Table {
	t := report.NewTable("Configuration", "flag", "value", "default", "meaning")
	for _, f := range flags {
		mark := report.Plain
		if f.Set {
			mark = report.Good
		}
		t.Add(mark, "--"+f.Name, breakable(f.Value), breakable(f.Default), f.Usage)
	}
	t.Note = "Highlighted: set on the command line."
	return t
}

// breakable lets a long list of values ("sgd,momentum,nesterov,...") break after its
// commas, so that it does not widen its column until the table overflows the page.
func breakable(s string) string { return strings.ReplaceAll(s, ",", ",\u200b") }

// WriteMeta writes m to dir/run.json.
func WriteMeta(dir string, m *Meta) error {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	return writeFileAtomic(filepath.Join(dir, MetaFile), append(b, '\n'))
}

// ReadMeta reads dir/run.json.
func ReadMeta(dir string) (*Meta, error) {
	b, err := os.ReadFile(filepath.Join(dir, MetaFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("train: %s is not a run folder of descent compare, train or sweep: no %s", dir, MetaFile)
	}
	if err != nil {
		return nil, fmt.Errorf("train: %w", err)
	}
	var m Meta
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("train: %s: %v", filepath.Join(dir, MetaFile), err)
	}
	switch m.Command {
	case "compare", "train", "sweep":
	default:
		return nil, fmt.Errorf("train: %s: unknown command %q", filepath.Join(dir, MetaFile), m.Command)
	}
	return &m, nil
}

// writeFileAtomic writes b to path atomically (internal/atomicfile).
func writeFileAtomic(path string, b []byte) error {
	if err := atomicfile.WriteFile(path, b); err != nil {
		return fmt.Errorf("train: %w", err)
	}
	return nil
}
