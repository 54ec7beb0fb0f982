package train

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/descent-ml/descent/internal/progress"
	"github.com/descent-ml/descent/report/results"
)

// A Job is one run of a comparison or a sweep: its name (an optimiser, a trial) and its
// configuration, whose Seed is the seed of its records.
type Job struct {
	Name   string
	Config Config
	// Label is what the progress shows; if "", the name.
	Label string
}

// Jobs is a set of runs made together: a comparison of optimisers over seeds, the
// trials of a sweep.
type Jobs struct {
	Jobs []Job
	Data Data
	// Parallel is the number of runs trained at once. If Parallel is 0, it is 1. Each run
	// also splits its kernels over GOMAXPROCS threads; runs give the same results in
	// parallel as one after the other.
	Parallel int
	Results  *results.Writer
	Progress *progress.Display
	// OnEpoch, if not nil, is called after every epoch of every run, from the goroutine
	// of the run, one call at a time.
	OnEpoch func(job Job, e Epoch)
}

// Run trains every job and returns their results, in the order of Jobs. A run that
// diverges is a result, not an error. When ctx is cancelled, the runs in progress stop as
// interrupted, the runs not started are left out (their Result has no Status), and Run
// returns the context's error. Any other error (writing the results) stops every run.
func (j *Jobs) Run(ctx context.Context) ([]Result, error) {
	if err := j.Check(); err != nil {
		return nil, err
	}
	out := make([]Result, len(j.Jobs))
	p := max(j.Parallel, 1)
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var (
		wg      sync.WaitGroup
		next    = make(chan int)
		epochMu sync.Mutex
	)
	for range min(p, len(j.Jobs)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if ctx.Err() != nil {
					continue // stopped: the runs not started are left out
				}
				job := j.Jobs[i]
				o := Output{Results: j.Results, Progress: j.Progress, Label: job.Label}
				if j.OnEpoch != nil {
					o.OnEpoch = func(e Epoch) {
						epochMu.Lock()
						defer epochMu.Unlock()
						j.OnEpoch(job, e)
					}
				}
				res, err := runJob(ctx, job, j.Data, o)
				out[i] = res
				if err != nil && !errors.Is(err, context.Canceled) {
					cancel(err)
				}
			}
		}()
	}
feed:
	for i := range j.Jobs {
		select {
		case next <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	if err := context.Cause(ctx); err != nil {
		return out, err
	}
	return out, nil
}

// runJob trains one job to its end.
func runJob(ctx context.Context, job Job, d Data, out Output) (Result, error) {
	r, err := New(job.Name, job.Config, d)
	if err != nil {
		return Result{}, fmt.Errorf("%s: %w", job.Name, err)
	}
	defer r.Close()
	return r.Train(ctx, out)
}

// Check makes every run once, so that a bad configuration (an option an optimiser does
// not have, a model that does not fit the data) is an error before anything is trained
// or written. Run calls it first.
func (j *Jobs) Check() error {
	for _, job := range j.Jobs {
		r, err := New(job.Name, job.Config, j.Data)
		if err != nil {
			return fmt.Errorf("%s: %w", job.Name, err)
		}
		r.Close()
	}
	return nil
}
