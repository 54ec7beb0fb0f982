package sweep

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/descent-ml/descent/internal/progress"
	"github.com/descent-ml/descent/internal/runlock"
	"github.com/descent-ml/descent/report/results"
	"github.com/descent-ml/descent/train"
)

// A Runner trains trials of a plan, each in its own folder: see the package documentation.
type Runner struct {
	// Dir is the plan folder and Plan its plan; Jobs are the plan's trials made again from
	// its arguments, in its order (Plan.Check them first), and Data what they train on.
	Dir  string
	Plan *Plan
	Jobs []train.Job
	Data train.Data
	// Parallel is the number of trials trained at once. If Parallel is 0, it is 1.
	Parallel int
	// Progress, if not nil, shows the trials' progress and the lines of Logf.
	Progress *progress.Display
	// Logf, if not nil, receives a line per trial skipped, resumed, held elsewhere or
	// ended, when Progress is nil.
	Logf func(format string, args ...any)
	// Poll is how often a trial held by another process is looked at again. If Poll is 0,
	// it is 2 seconds.
	Poll time.Duration
	// Locker takes the trials' locks; its zero value has runlock's defaults.
	Locker runlock.Locker
	// CheckpointEvery is the least time between two checkpoints of a trial, written after
	// an epoch (and always when the trial is interrupted): a trial killed outright resumes
	// from its last checkpoint, at most CheckpointEvery and an epoch ago. Each checkpoint
	// is synced to disk, which takes tens of milliseconds on some disks: more than the
	// epochs of small trials. If CheckpointEvery is 0, it is 10 seconds; a negative
	// value checkpoints after every epoch.
	CheckpointEvery time.Duration
	// OnEpoch, if not nil, is called after every epoch of every trial trained, from the
	// goroutine of the trial, one call at a time.
	OnEpoch func(job train.Job, e train.Epoch)

	epochMu sync.Mutex
}

// A RunReport says what Runner.Run did with each trial it was given, by plan index.
type RunReport struct {
	Trained []int // trained (or resumed) to their end, done or diverged, by this call
	Skipped []int // ended already: their result was there
	Failed  []int // stopped on an error, recorded in their failed.json
	Held    []int // held by another process when Run was interrupted
}

// outcome is what became of one trial.
type outcome int

const (
	trained outcome = iota
	skipped
	held
	failed
)

// Run trains the trials of the plan at the given indices, Parallel at a time, and returns
// what became of each. A trial already ended is skipped; one interrupted is resumed from
// its checkpoint; one held by another process (its lock, runlock) is waited for, looked
// at every Poll, until that process ends it or dies (its lock is then stale, and this
// one resumes the trial). A trial that stops on an error is recorded as failed and the
// others go on; Run then returns an error naming the failed trials. When ctx is cancelled,
// the trials in progress stop after their batch and save a checkpoint, and Run returns
// the context's error.
func (r *Runner) Run(ctx context.Context, indices []int) (RunReport, error) {
	if len(r.Jobs) != len(r.Plan.Trials) {
		panic("sweep: Runner.Jobs are not the plan's trials")
	}
	digest := r.Plan.Digest()
	poll := r.Poll
	if poll == 0 {
		poll = 2 * time.Second
	}
	var (
		rep     RunReport
		errs    []error
		pending = append([]int(nil), indices...)
		waiting bool
	)
	for len(pending) > 0 {
		outs := make([]outcome, len(pending))
		trialErrs := make([]error, len(pending))
		r.each(len(pending), func(k int) {
			outs[k], trialErrs[k] = r.trial(ctx, pending[k], digest, waiting)
		})
		var next []int
		for k, i := range pending {
			err := trialErrs[k]
			switch {
			case errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded):
			case err != nil:
				errs = append(errs, err)
				rep.Failed = append(rep.Failed, i)
			case outs[k] == trained:
				rep.Trained = append(rep.Trained, i)
			case outs[k] == skipped:
				rep.Skipped = append(rep.Skipped, i)
			case outs[k] == held:
				next = append(next, i)
			}
		}
		if err := ctx.Err(); err != nil {
			rep.Held = next
			return rep, err
		}
		if len(next) > 0 {
			if !waiting {
				r.logf("%d trial(s) of this task are being trained by other processes: waiting for them", len(next))
			}
			waiting = true
			select {
			case <-ctx.Done():
				rep.Held = next
				return rep, ctx.Err()
			case <-time.After(poll):
			}
		}
		pending = next
	}
	return rep, errors.Join(errs...)
}

// each calls f(0), ..., f(n-1), Parallel at a time.
func (r *Runner) each(n int, f func(k int)) {
	var wg sync.WaitGroup
	sem := make(chan struct{}, max(r.Parallel, 1))
	for k := range n {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			f(k)
		}()
	}
	wg.Wait()
}

func (r *Runner) logf(format string, args ...any) {
	switch {
	case r.Progress != nil:
		r.Progress.Printf(format, args...)
	case r.Logf != nil:
		r.Logf(format, args...)
	}
}

// trial trains trial i to its end, or finds it ended, or held by another process. quiet
// leaves out the line of a trial held elsewhere (it was said once).
func (r *Runner) trial(ctx context.Context, i int, digest string, quiet bool) (outcome, error) {
	if err := ctx.Err(); err != nil {
		return held, err
	}
	t, job := r.Plan.Trials[i], r.Jobs[i]
	dir := TrialDir(r.Dir, t)
	if res, err := readResult(dir, digest, t); err != nil || res != nil {
		if res != nil && !quiet {
			r.logf("trial %s (%s): %s already", t.Name, t.ID, res.Status)
		}
		return skipped, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return failed, fmt.Errorf("sweep: %w", err)
	}
	lock, err := r.Locker.Acquire(dir)
	var he *runlock.HeldError
	if errors.As(err, &he) {
		if !quiet {
			r.logf("trial %s (%s): held by PID %d on %s", t.Name, t.ID, he.PID, he.Host)
		}
		return held, nil
	}
	if err != nil {
		return failed, fmt.Errorf("sweep: trial %s: %w", t.Name, err)
	}
	defer lock.Release()
	// Ended meanwhile by the process that held it?
	if res, err := readResult(dir, digest, t); err != nil || res != nil {
		return skipped, err
	}
	err = r.train(ctx, dir, digest, t, job, lock)
	switch {
	case errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded):
		return held, err
	case err != nil:
		var re *ResultError
		// A damaged result is not a failure of the training; a lost lock is another
		// process's trial now.
		if !errors.As(err, &re) && !errors.Is(err, runlock.ErrLost) {
			if ferr := writeFailure(dir, digest, t, err); ferr != nil {
				err = errors.Join(err, ferr)
			}
		}
		r.logf("trial %s (%s): failed: %v", t.Name, t.ID, err)
		return failed, fmt.Errorf("sweep: trial %s (%s): %w", t.Name, t.ID, err)
	}
	return trained, nil
}

// train trains trial t, whose lock is held, from its checkpoint if it has one, and writes
// its result.
func (r *Runner) train(ctx context.Context, dir, digest string, t Trial, job train.Job, lock *runlock.Lock) error {
	recordsPath := filepath.Join(dir, RecordsFile)
	// A trial whose end record is written has ended: killed before its result was
	// written, its result is made from its records, without training it again.
	if recs, err := results.ReadFile(recordsPath); err == nil {
		if runs := results.Runs(recs); len(runs) == 1 && runs[0].End != nil && runs[0].End.Status != results.StatusInterrupted {
			r.logf("trial %s (%s): ended before its result was written", t.Name, t.ID)
			return r.finish(dir, digest, t, lock)
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	run, err := train.New(job.Name, job.Config, r.Data)
	if err != nil {
		return err
	}
	defer run.Close()
	ckpt := filepath.Join(dir, train.CheckpointFile)
	info, err := train.ReadCheckpointInfo(ckpt)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if _, serr := os.Stat(recordsPath); serr == nil {
			r.logf("trial %s (%s): stopped before its first checkpoint: starting again", t.Name, t.ID)
		}
	case err != nil:
		return err
	case info.Run != job.Name || info.Seed != int(job.Config.Seed) || info.Status != "":
		return fmt.Errorf("the checkpoint %s is of run %s seed %d (%s), not of the trial in progress", ckpt, info.Run, info.Seed, info.Status)
	default:
		if err := run.Resume(ckpt); err != nil {
			return err
		}
		r.logf("trial %s (%s): resuming at epoch %d, step %d", t.Name, t.ID, info.Epoch+1, info.Step)
	}
	rec, err := openRecords(recordsPath)
	if err != nil {
		return err
	}
	label := job.Label
	if label == "" {
		label = job.Name
	}
	// The checkpoint is written here rather than by Train after every epoch: after an
	// epoch when CheckpointEvery has passed since the last one, and when interrupted.
	every := r.CheckpointEvery
	if every == 0 {
		every = 10 * time.Second
	}
	last := time.Now()
	var ckptErr error
	out := train.Output{Results: rec.w, Progress: r.Progress, Label: label}
	out.OnEpoch = func(e train.Epoch) {
		if e.Epoch < job.Config.Epochs && time.Since(last) >= every && ckptErr == nil {
			ckptErr = rec.checkpoint(run, ckpt)
			last = time.Now()
		}
		if r.OnEpoch != nil {
			r.epochMu.Lock()
			defer r.epochMu.Unlock()
			r.OnEpoch(job, e)
		}
	}
	_, err = run.Train(ctx, out)
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		err = errors.Join(err, rec.checkpoint(run, ckpt))
	}
	if cerr := rec.close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = ckptErr
	}
	if err != nil {
		return err
	}
	return r.finish(dir, digest, t, lock)
}

// finish writes the result of trial t, which has ended, from its records.
func (r *Runner) finish(dir, digest string, t Trial, lock *runlock.Lock) error {
	recordsPath := filepath.Join(dir, RecordsFile)
	recs, err := results.ReadFile(recordsPath)
	if err != nil {
		return err
	}
	lines, status, err := cleanRecords(recs, t)
	if err != nil {
		return fmt.Errorf("%s: %w", recordsPath, err)
	}
	// The lock must still be ours: a process that took it as stale (this one was
	// suspended too long) may be training the trial too, and only one writes its result.
	if err := lock.Check(); err != nil {
		return err
	}
	if err := writeResult(dir, digest, t, status, lines); err != nil {
		return err
	}
	r.logf("trial %s (%s): %s", t.Name, t.ID, status)
	os.Remove(filepath.Join(dir, FailedFile))
	os.Remove(filepath.Join(dir, train.CheckpointFile))
	return nil
}

// A records is a trial's records.jsonl, open for appending. It is synced to disk before
// each checkpoint, so that the records up to a checkpoint survive whatever the checkpoint
// survives, and not when it is closed: the result, made from it once the trial has
// ended, is written durably (writeResult), and the records after the last checkpoint of
// a trial stopped by a crash of the machine are written again when it resumes.
type records struct {
	f *os.File
	w *results.Writer
}

// openRecords opens a trial's records.jsonl to append to it, after cutting off an
// incomplete last line, the tail of a process killed mid-write.
func openRecords(path string) (*records, error) {
	b, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	if n := len(b); n > 0 && b[n-1] != '\n' {
		if err := os.Truncate(path, int64(bytes.LastIndexByte(b, '\n')+1)); err != nil {
			return nil, err
		}
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	// The Writer is given the file as a plain io.Writer, so that closing it does not
	// sync the file.
	return &records{f: f, w: results.NewWriter(struct{ io.Writer }{f})}, nil
}

// checkpoint syncs the records, then writes the checkpoint of run to path.
func (r *records) checkpoint(run *train.Run, path string) error {
	if err := r.f.Sync(); err != nil {
		return err
	}
	return run.SaveCheckpoint(path)
}

// close closes the records: the first error of a write, or of closing the file.
func (r *records) close() error {
	err := r.w.Close()
	if cerr := r.f.Close(); err == nil {
		err = cerr
	}
	return err
}
