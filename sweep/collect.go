package sweep

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/descent-ml/descent/internal/atomicfile"
	"github.com/descent-ml/descent/internal/runlock"
	"github.com/descent-ml/descent/train"
)

// A State is where a trial of a plan stands.
type State string

// The states of a trial.
const (
	Done    State = "done"    // ended, done or diverged: its result is written
	Running State = "running" // its lock is held by a process
	Failed  State = "failed"  // its last training stopped on an error (failed.json)
	Missing State = "missing" // not started, or stopped (killed, interrupted) and not running
)

// A TrialStatus is the state of one trial, and what more is known of it.
type TrialStatus struct {
	Trial Trial
	State State
	// Detail says more: the status of a result (done, diverged), the holder of a running
	// trial, the error of a failed one, the epoch a stopped trial would resume after.
	Detail string
}

// Status returns the state of every trial of the plan folder dir, in the plan's order.
// It returns an error for a plan or a result file that cannot be used (*PlanError,
// *ResultError).
//
// A trial is running when its lock is held: Status tries the lock and, if it gets it,
// releases it at once. A process that tries the same lock at that moment finds it held
// (a Runner looks again after Runner.Poll).
func Status(dir string) ([]TrialStatus, error) {
	p, err := ReadPlan(dir)
	if err != nil {
		return nil, err
	}
	digest := p.Digest()
	var (
		out  []TrialStatus
		errs []error
	)
	for _, t := range p.Trials {
		s, err := trialStatus(dir, digest, t)
		if err != nil {
			errs = append(errs, err)
		}
		out = append(out, s)
	}
	return out, errors.Join(errs...)
}

func trialStatus(dir, digest string, t Trial) (TrialStatus, error) {
	s := TrialStatus{Trial: t, State: Missing}
	td := TrialDir(dir, t)
	res, err := readResult(td, digest, t)
	if err != nil {
		s.State, s.Detail = Failed, "damaged result"
		return s, err
	}
	if res != nil {
		s.State, s.Detail = Done, string(res.Status)
		return s, nil
	}
	if _, err := os.Stat(td); errors.Is(err, fs.ErrNotExist) {
		return s, nil
	}
	lock, err := runlock.Acquire(td)
	var he *runlock.HeldError
	switch {
	case errors.As(err, &he) && he.PID != 0:
		s.State, s.Detail = Running, fmt.Sprintf("PID %d on %s since %s", he.PID, he.Host, he.Since.UTC().Format("2006-01-02 15:04:05 UTC"))
	case errors.As(err, &he):
		s.State, s.Detail = Running, "its lock is being taken"
	case err != nil:
		return s, err
	default:
		lock.Release()
		// Ended meanwhile?
		if res, err := readResult(td, digest, t); err == nil && res != nil {
			s.State, s.Detail = Done, string(res.Status)
			return s, nil
		}
	}
	if f := readFailure(td); f != nil && s.State != Running {
		s.State, s.Detail = Failed, f.Error
		return s, nil
	}
	if info, err := train.ReadCheckpointInfo(filepath.Join(td, train.CheckpointFile)); err == nil && s.State == Missing {
		s.Detail = fmt.Sprintf("stopped after epoch %d (step %d): resumes from its checkpoint", info.Epoch, info.Step)
	}
	return s, nil
}

// A Collection is what Collect found.
type Collection struct {
	Trials  int           // in the plan
	Done    int           // with a result, gathered into results.jsonl
	Missing []TrialStatus // without a result: missing, running or failed
}

// Collect gathers the results of the trials of the plan folder dir into dir/results.jsonl
// (written atomically), in the plan's order, so that the folder is the run folder of the
// command the plan is of: train.WriteReport then writes its summary.csv, figures and
// report.html, and descent report rebuilds them. It returns the trials without a result.
// A result file that cannot be used is an error, and nothing is written.
func Collect(dir string) (*Collection, error) {
	p, err := ReadPlan(dir)
	if err != nil {
		return nil, err
	}
	if _, err := train.ReadMeta(dir); err != nil {
		return nil, err
	}
	digest := p.Digest()
	c := &Collection{Trials: len(p.Trials)}
	var (
		all  bytes.Buffer
		errs []error
	)
	for _, t := range p.Trials {
		res, err := readResult(TrialDir(dir, t), digest, t)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if res == nil {
			s, err := trialStatus(dir, digest, t)
			if err != nil {
				errs = append(errs, err)
			}
			c.Missing = append(c.Missing, s)
			continue
		}
		c.Done++
		all.Write(res.lines)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	if err := atomicfile.WriteFile(filepath.Join(dir, train.ResultsFile), all.Bytes()); err != nil {
		return nil, fmt.Errorf("sweep: %w", err)
	}
	return c, nil
}
