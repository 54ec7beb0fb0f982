package progress

import (
	"fmt"
	"io"
	"math"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vbauerster/mpb/v8"
	"golang.org/x/term"
)

// Mode chooses how a Display shows progress.
type Mode int

// The modes of a Display.
const (
	// Auto draws bars when the output is a terminal (and TERM is not "dumb"), lines
	// otherwise.
	Auto Mode = iota
	// Bars draws a live bar per run, redrawn in place.
	Bars
	// Lines prints plain lines: one at the end of each epoch, and one every Interval in
	// between. Of a run of short epochs (a small dataset, trained for hundreds of them),
	// it prints the line of the first and the last epoch, and of the others those that
	// end at least EpochGap after the run's last line.
	Lines
)

// Config configures a Display. Its zero value works.
type Config struct {
	// Out receives the progress. If Out is nil, it is os.Stderr.
	Out  io.Writer
	Mode Mode
	// Interval is, in Lines mode, the longest time between two lines of a run within an
	// epoch. If Interval is 0, it is 10 seconds.
	Interval time.Duration
	// Refresh is, in Bars mode, the time between redraws. If Refresh is 0, it is 150 ms.
	Refresh time.Duration
}

// A Display shows the progress of training runs. Its methods are safe for concurrent use:
// the trials of a sweep each have a Run, updated from their own goroutines.
type Display struct {
	out      io.Writer
	bars     bool
	interval time.Duration
	refresh  time.Duration
	now      func() time.Time

	mu      sync.Mutex // guards runs and writes to out in Lines mode
	runs    []*Run
	p       *mpb.Progress
	stop    chan struct{}
	done    chan struct{}
	closed  bool
	started bool // the goroutine runs
}

// New returns a Display and starts its redrawing goroutine; Close stops it.
func New(cfg Config) *Display {
	d := newDisplay(cfg, time.Now)
	d.started = true
	go d.loop(d.tickEvery())
	return d
}

// newDisplay returns a Display on the clock now, without its goroutine: tests call tick.
func newDisplay(cfg Config, now func() time.Time) *Display {
	d := &Display{
		out:      cfg.Out,
		interval: cfg.Interval,
		refresh:  cfg.Refresh,
		now:      now,
		stop:     make(chan struct{}),
		done:     make(chan struct{}),
	}
	if d.out == nil {
		d.out = os.Stderr
	}
	if d.interval == 0 {
		d.interval = 10 * time.Second
	}
	if d.refresh == 0 {
		d.refresh = 150 * time.Millisecond
	}
	switch cfg.Mode {
	case Bars:
		d.bars = true
	case Lines:
	default:
		d.bars = IsTerminal(d.out)
	}
	if d.bars {
		d.p = mpb.New(mpb.WithOutput(d.out), mpb.WithRefreshRate(d.refresh), mpb.WithWidth(100), mpb.ForceTTY(), mpb.WithAutoRefresh())
	}
	return d
}

// tickEvery is the period of the display's goroutine: the redraw period for bars, a
// second for lines.
func (d *Display) tickEvery() time.Duration {
	if d.bars {
		return d.refresh
	}
	return time.Second
}

// IsTerminal reports whether w is a terminal that can redraw bars: an *os.File on a
// terminal, with TERM not "dumb".
func IsTerminal(w io.Writer) bool {
	f, ok := w.(interface{ Fd() uintptr })
	if !ok || os.Getenv("TERM") == "dumb" {
		return false
	}
	return term.IsTerminal(int(f.Fd()))
}

// loop updates the bars' counts and throughputs (Bars) or prints the lines that are due
// (Lines) until Close.
func (d *Display) loop(tick time.Duration) {
	defer close(d.done)
	t := time.NewTicker(tick)
	defer t.Stop()
	for {
		select {
		case <-d.stop:
			return
		case <-t.C:
			d.tick(d.now())
		}
	}
}

// tick does one round of updates at time now.
func (d *Display) tick(now time.Time) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, r := range d.runs {
		if r.state.Load() != running {
			continue
		}
		r.measure(now)
		if d.bars {
			r.bar.SetCurrent(r.barCurrent())
		} else if now.Sub(r.lastLine) >= d.interval {
			d.writeLine(r.progressLine())
			r.lastLine = now
		}
	}
}

// Start adds a run of the given number of epochs, of samplesPerEpoch training samples
// each (0 if unknown: the bar then moves once per epoch and there is no ETA). Its name is
// what the bar and lines show, e.g. "adam" or "adam seed 2".
func (d *Display) Start(name string, epochs, samplesPerEpoch int) *Run {
	if epochs <= 0 || samplesPerEpoch < 0 {
		panic(fmt.Sprintf("progress: run %q of %d epochs of %d samples", name, epochs, samplesPerEpoch))
	}
	now := d.now()
	r := &Run{d: d, name: name, epochs: epochs, perEpoch: samplesPerEpoch, start: now, lastLine: now, lastTime: now}
	r.epoch.Store(1)
	r.loss.Store(math.Float64bits(math.NaN()))
	r.acc.Store(math.Float64bits(math.NaN()))
	r.rmse.Store(math.Float64bits(math.NaN()))
	r.rate.Store(math.Float64bits(math.NaN()))
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		panic("progress: Start after Close")
	}
	d.runs = append(d.runs, r)
	if d.bars {
		r.bar = d.newBar(r)
	}
	return r
}

// Printf prints a line of text with the progress: above the bars while bars are being
// redrawn, so that they are not broken (it then shows at the next redraw), or as a line of
// its own.
func (d *Display) Printf(format string, args ...any) {
	s := fmt.Sprintf(format, args...)
	if len(s) == 0 || s[len(s)-1] != '\n' {
		s += "\n"
	}
	d.mu.Lock()
	live := false
	for _, r := range d.runs {
		live = live || r.state.Load() == running
	}
	if !d.bars || !live || d.closed {
		// No bar is being redrawn: the text can go straight out.
		defer d.mu.Unlock()
		io.WriteString(d.out, s)
		return
	}
	d.mu.Unlock()
	d.p.Write([]byte(s))
}

// writeLine writes one progress line in Lines mode; d.mu is held.
func (d *Display) writeLine(s string) {
	io.WriteString(d.out, s+"\n")
}

// Close stops the display. Runs that did not end are shown as interrupted. It waits for
// the last redraw, so that nothing is printed after it returns.
func (d *Display) Close() {
	d.mu.Lock()
	if d.closed {
		d.mu.Unlock()
		return
	}
	d.closed = true
	runs := append([]*Run(nil), d.runs...)
	d.mu.Unlock()
	close(d.stop)
	if d.started {
		<-d.done
	}
	for _, r := range runs {
		r.finish(interrupted, "interrupted")
	}
	if d.bars {
		d.p.Wait()
	}
}

// Run states.
const (
	running int32 = iota
	finished
	failed
	interrupted
)

// A Run is the progress of one training run. Step and Epoch are called by the goroutine
// that trains the run (one goroutine per Run); Step is cheap enough for every batch: a few
// atomic stores, no allocation, no lock, no output.
type Run struct {
	d        *Display
	name     string
	epochs   int
	perEpoch int
	bar      *mpb.Bar

	// Written by the training goroutine, read by the display.
	samples atomic.Int64  // samples seen since Start
	epoch   atomic.Int64  // current epoch, from 1
	loss    atomic.Uint64 // mean training loss of the current epoch so far (float64 bits)
	acc     atomic.Uint64 // last test accuracy, in [0, 1] (float64 bits)
	rmse    atomic.Uint64 // last test RMSE of a regression (float64 bits)
	state   atomic.Int32
	reason  atomic.Pointer[string]
	elapsed atomic.Int64 // nanoseconds from Start to the end of the run

	// Owned by the training goroutine.
	sum   float64 // sum of sample losses this epoch
	count int64   // samples this epoch

	// Guarded by the display's mutex.
	start       time.Time
	lastLine    time.Time
	lastTime    time.Time
	lastSamples int64
	rate        atomic.Uint64 // samples per second, smoothed (float64 bits)
}

// Step records a batch of n samples of mean loss loss.
func (r *Run) Step(n int, loss float64) {
	r.samples.Add(int64(n))
	r.sum += loss * float64(n)
	r.count += int64(n)
	r.loss.Store(math.Float64bits(r.sum / float64(r.count)))
}

// EpochStats are the figures of a finished epoch. Fields that are NaN are not shown.
type EpochStats struct {
	Epoch        int     // the epoch that finished, from 1
	Seconds      float64 // its training time
	TrainLoss    float64
	TestLoss     float64
	TestAccuracy float64 // in [0, 1]
	// TestRMSE is the root mean squared error of a regression; 0, as NaN, is not shown.
	TestRMSE float64
}

// EpochGap is, in Lines mode, the shortest time between the lines of two epochs of a run
// but its first and last.
const EpochGap = time.Second

// Epoch records the end of an epoch; in Lines mode it prints its line (see [Lines]).
func (r *Run) Epoch(s EpochStats) {
	r.sum, r.count = 0, 0
	r.loss.Store(math.Float64bits(s.TrainLoss))
	r.acc.Store(math.Float64bits(s.TestAccuracy))
	rmse := s.TestRMSE
	if rmse == 0 {
		rmse = math.NaN()
	}
	r.rmse.Store(math.Float64bits(rmse))
	r.epoch.Store(int64(s.Epoch) + 1)
	if r.d.bars {
		r.bar.SetCurrent(r.barCurrent())
		return
	}
	d := r.d
	d.mu.Lock()
	defer d.mu.Unlock()
	now := d.now()
	r.measure(now)
	if s.Epoch <= 1 || s.Epoch >= r.epochs || now.Sub(r.lastLine) >= EpochGap {
		d.writeLine(r.epochLine(s))
		r.lastLine = now
	}
}

// Done marks the run finished.
func (r *Run) Done() { r.finish(finished, "done") }

// Fail marks the run stopped early, with the reason shown, e.g. "diverged at step 412".
func (r *Run) Fail(reason string) { r.finish(failed, reason) }

func (r *Run) finish(state int32, reason string) {
	if !r.state.CompareAndSwap(running, state) {
		return
	}
	r.reason.Store(&reason)
	r.elapsed.Store(int64(r.d.now().Sub(r.start)))
	if r.d.bars {
		if state == finished {
			r.bar.SetTotal(-1, true)
		} else {
			r.bar.Abort(false)
		}
		return
	}
	d := r.d
	d.mu.Lock()
	defer d.mu.Unlock()
	d.writeLine(fmt.Sprintf("%s: %s after %s", r.name, reason, formatDuration(time.Duration(r.elapsed.Load()))))
}

// measure updates the smoothed throughput at time now (display goroutine).
func (r *Run) measure(now time.Time) {
	dt := now.Sub(r.lastTime).Seconds()
	if dt < 0.05 {
		return
	}
	n := r.samples.Load()
	inst := float64(n-r.lastSamples) / dt
	old := math.Float64frombits(r.rate.Load())
	rate := inst
	if !math.IsNaN(old) {
		alpha := 1 - math.Exp(-dt/3) // a time constant of 3 s
		rate = old + alpha*(inst-old)
	}
	if n > 0 || !math.IsNaN(old) {
		r.rate.Store(math.Float64bits(rate))
	}
	r.lastTime, r.lastSamples = now, n
}

// barCurrent is the bar's position: samples seen, or epochs done when the epoch size is
// unknown.
func (r *Run) barCurrent() int64 {
	if r.perEpoch == 0 {
		return r.epoch.Load() - 1
	}
	return min(r.samples.Load(), r.total())
}

// eta returns the estimated time left, or -1 if unknown or nothing is left.
func (r *Run) eta() time.Duration {
	rate := math.Float64frombits(r.rate.Load())
	left := r.total() - r.samples.Load()
	if r.perEpoch == 0 || !(rate > 0) || left <= 0 {
		return -1
	}
	return time.Duration(float64(left) / rate * float64(time.Second))
}
