package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/descent-ml/descent/internal/runlock"
	"github.com/descent-ml/descent/train"
)

// This file holds the run folder of train, compare, sweep and theory: one run owns it,
// holding its lock (internal/runlock) from before the first file is written until the
// command returns, and a new run is never written over the files of another.

// A runDir is a run folder held by this process.
type runDir struct {
	path    string
	lock    *runlock.Lock
	created bool // the folder did not exist: it is removed again if the run leaves it empty
}

// runOutputs are the files of a run folder that say it holds a run: those train, compare
// and sweep write, and the report.html of theory.
var runOutputs = []string{train.CheckpointFile, train.WeightsFile, train.SummaryFile, train.ReportFile,
	train.ResultsFile, train.MetaFile}

// isRunFile reports whether the entry name of a run folder is written by a run: one of
// runOutputs, a figure (.png, .svg), the lock, or a temporary file of an atomic write.
func isRunFile(name string) bool {
	switch {
	case slices.Contains(runOutputs, name), name == runlock.Name:
		return true
	case strings.HasSuffix(name, ".png"), strings.HasSuffix(name, ".svg"):
		return true
	case strings.HasPrefix(name, ".") && strings.Contains(name, ".tmp"):
		return true
	}
	return false
}

// openRunDir creates the run folder path if needed and locks it; a folder in use by
// another process is refused at once with the *runlock.HeldError that names it. With
// fresh, a new run starts in the folder: if the folder holds the files of another run, it
// is refused, or with overwrite those files are removed first (all of them, or the
// folder is refused: a folder that also holds files no run writes is not a run folder to
// clear). Without fresh the run continues the one in the folder (train --resume), which
// must exist.
func openRunDir(command, path string, fresh, overwrite bool) (*runDir, error) {
	d := &runDir{path: path}
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist) && fresh:
		if err := os.MkdirAll(path, 0o755); err != nil {
			return nil, fmt.Errorf("%s: %w", command, err)
		}
		d.created = true
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("%s: %s: no such run folder", command, path)
	case err != nil:
		return nil, fmt.Errorf("%s: %w", command, err)
	case !fi.IsDir():
		return nil, fmt.Errorf("%s: %s is a file, not a run folder", command, path)
	}
	if d.lock, err = runlock.Acquire(path); err != nil {
		d.removeIfCreated()
		return nil, fmt.Errorf("%s: %w", command, err)
	}
	if !fresh {
		return d, nil
	}
	if err := d.clear(command, overwrite); err != nil {
		d.close()
		return nil, err
	}
	return d, nil
}

// clear refuses a folder that holds another run, or with overwrite removes that run's
// files, run.json last so that a removal that fails half way still leaves a folder
// marked as holding a run.
func (d *runDir) clear(command string, overwrite bool) error {
	entries, err := os.ReadDir(d.path)
	if err != nil {
		return fmt.Errorf("%s: %w", command, err)
	}
	var found, foreign []string
	for _, e := range entries {
		switch name := e.Name(); {
		case name == runlock.Name:
		case slices.Contains(runOutputs, name):
			found = append(found, name)
		case !isRunFile(name) || e.IsDir():
			foreign = append(foreign, name)
		}
	}
	if len(found) == 0 {
		return nil
	}
	if !overwrite {
		return fmt.Errorf("%s: --out %s holds %s (%s): choose another folder, or give --overwrite to replace that run",
			command, d.path, d.describe(), strings.Join(found, ", "))
	}
	if len(foreign) > 0 {
		return fmt.Errorf("%s: --overwrite: %s holds %s but also files no run writes (%s): it is not removed; choose another folder",
			command, d.path, d.describe(), strings.Join(foreign, ", "))
	}
	// Every entry but the lock is a run's, run.json last.
	slices.SortStableFunc(entries, func(a, b fs.DirEntry) int {
		switch {
		case a.Name() == train.MetaFile:
			return 1
		case b.Name() == train.MetaFile:
			return -1
		}
		return 0
	})
	for _, e := range entries {
		if e.Name() == runlock.Name {
			continue
		}
		if err := os.Remove(filepath.Join(d.path, e.Name())); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("%s: --overwrite: %w", command, err)
		}
	}
	return nil
}

// describe says what run the folder holds, from its run.json and checkpoint: "a finished
// run of descent train", "an interrupted run of descent train (resume it with descent
// train --resume DIR)", "the report of descent theory".
func (d *runDir) describe() string {
	meta, err := train.ReadMeta(d.path)
	if err != nil {
		if _, serr := os.Stat(filepath.Join(d.path, train.ReportFile)); serr == nil {
			return "the report of a run"
		}
		return "the files of a run"
	}
	if meta.Command != "train" {
		return "a run of descent " + meta.Command
	}
	info, err := train.ReadCheckpointInfo(filepath.Join(d.path, train.CheckpointFile))
	switch {
	case err != nil:
		return "a run of descent train"
	case info.Status != "":
		return fmt.Sprintf("a finished run of descent train (%s after %d epochs)", info.Status, info.Epoch)
	}
	return fmt.Sprintf("an interrupted run of descent train (after %d epochs; descent train --resume %s continues it)", info.Epoch, d.path)
}

// close releases the lock, and removes the folder if this run created it and wrote
// nothing in it.
func (d *runDir) close() error {
	err := d.lock.Release()
	d.removeIfCreated()
	return err
}

func (d *runDir) removeIfCreated() {
	if d.created {
		os.Remove(d.path) // fails, as it should, unless the folder is empty
	}
}
