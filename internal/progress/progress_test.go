package progress

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// clock is a fake clock for the tests.
type clock struct{ t time.Time }

func (c *clock) now() time.Time          { return c.t }
func (c *clock) advance(d time.Duration) { c.t = c.t.Add(d) }
func newClock() *clock                   { return &clock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)} }

// TestLines checks the plain output on a writer that is not a terminal, line by line.
func TestLines(t *testing.T) {
	var out bytes.Buffer
	c := newClock()
	d := newDisplay(Config{Out: &out}, c.now) // Auto: a bytes.Buffer is no terminal
	if d.bars {
		t.Fatal("bars on a bytes.Buffer")
	}
	r := d.Start("adam", 2, 1000)
	for range 5 {
		r.Step(100, 2.0)
	}
	c.advance(time.Second)
	d.tick(c.now()) // 500 samples in 1 s; no line before the interval
	for range 2 {
		r.Step(100, 1.0)
	}
	c.advance(10 * time.Second)
	d.tick(c.now()) // a line: 10 s since the start
	c.advance(2 * time.Second)
	for range 3 {
		r.Step(100, 1.0)
	}
	r.Epoch(EpochStats{Epoch: 1, Seconds: 13, TrainLoss: 1.5, TestLoss: 1.25, TestAccuracy: 0.9123})
	c.advance(time.Second)
	d.tick(c.now()) // no line: the epoch's line was just printed
	r.Step(500, 0.5)
	r.Fail("diverged at step 1234")
	r.Step(100, math.NaN()) // after the end: counted, never shown
	c.advance(30 * time.Second)
	d.tick(c.now())
	d.Close()
	want := []string{
		// 700 samples, mean loss (500·2 + 200·1)/700; throughput 500/s over the first
		// second, then 20/s over 10 s, smoothed with a 3 s time constant:
		// 500 + (1 − e^(−10/3))(20 − 500) = 37/s; ETA 1300/37 s.
		"adam: epoch 1/2   70%  loss 1.714  37 samples/s  ETA 35s",
		// 150/s over 2 s: 37 + (1 − e^(−2/3))(150 − 37) = 92/s; ETA 1000/92 s.
		"adam: epoch 1/2 done in 13s  train loss 1.5  test loss 1.25  test acc 91.23%  92 samples/s  ETA 10.9s",
		"adam: diverged at step 1234 after 14s",
	}
	got := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestCloseInterrupts(t *testing.T) {
	var out bytes.Buffer
	c := newClock()
	d := newDisplay(Config{Out: &out, Mode: Lines}, c.now)
	a := d.Start("a", 1, 0)
	b := d.Start("b", 1, 0)
	c.advance(1500 * time.Millisecond)
	a.Done()
	d.Close()
	d.Close() // idempotent
	b.Done()  // too late: already interrupted
	want := "a: done after 1.5s\nb: interrupted after 1.5s\n"
	if out.String() != want {
		t.Errorf("got %q, want %q", out.String(), want)
	}
}

func TestIsTerminal(t *testing.T) {
	f, err := os.Create(filepath.Join(t.TempDir(), "log"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if IsTerminal(f) || IsTerminal(&bytes.Buffer{}) {
		t.Error("a file or a buffer taken for a terminal")
	}
}

// syncBuffer is a bytes.Buffer safe for the bar goroutines of mpb.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestBars draws real bars (forced, on a buffer) from concurrent runs, as a sweep does.
func TestBars(t *testing.T) {
	var out syncBuffer
	d := New(Config{Out: &out, Mode: Bars, Refresh: 5 * time.Millisecond})
	var wg sync.WaitGroup
	for i := range 3 {
		r := d.Start(fmt.Sprintf("trial %d", i), 2, 600)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for e := 1; e <= 2; e++ {
				for range 6 {
					r.Step(100, 0.5)
					time.Sleep(2 * time.Millisecond)
				}
				r.Epoch(EpochStats{Epoch: e, TrainLoss: 0.5, TestLoss: 0.4, TestAccuracy: 0.975})
				if i == 0 && e == 1 {
					d.Printf("a message above the bars")
				}
			}
			if i == 2 {
				r.Fail("diverged at step 7")
				return
			}
			r.Done()
		}()
	}
	wg.Wait()
	d.Printf("a message after the bars")
	d.Close()
	s := out.String()
	for _, want := range []string{"trial 0", "trial 2", "ep 2/2", "acc 97.50%", "done", "diverged at step 7", "a message above the bars", "a message after the bars"} {
		if !strings.Contains(s, want) {
			t.Errorf("bars lack %q:\n%s", want, s)
		}
	}
}

// TestStepNoAlloc: the per-batch update allocates nothing, in either mode.
func TestStepNoAlloc(t *testing.T) {
	for _, mode := range []Mode{Lines, Bars} {
		var out syncBuffer
		d := New(Config{Out: &out, Mode: mode, Refresh: time.Millisecond})
		r := d.Start("run", 1, 1<<30)
		if n := testing.AllocsPerRun(10000, func() { r.Step(64, 0.25) }); n != 0 {
			t.Errorf("mode %d: Step allocates %v times", mode, n)
		}
		r.Done()
		d.Close()
	}
}

// BenchmarkStep is the cost of the per-batch update while the display redraws.
func BenchmarkStep(b *testing.B) {
	var out syncBuffer
	d := New(Config{Out: &out, Mode: Bars, Refresh: 10 * time.Millisecond})
	r := d.Start("run", 1, 1<<40)
	b.ReportAllocs()
	for b.Loop() {
		r.Step(64, 0.25)
	}
	b.StopTimer()
	r.Done()
	d.Close()
}

// TestShortEpochs: of a run of many short epochs, the lines of the first and last epoch,
// and of those ending at least EpochGap after the last line.
func TestShortEpochs(t *testing.T) {
	var out bytes.Buffer
	c := newClock()
	d := newDisplay(Config{Out: &out, Mode: Lines}, c.now)
	r := d.Start("sgd", 100, 10)
	for e := 1; e <= 100; e++ {
		r.Step(10, 0.5)
		c.advance(300 * time.Millisecond)
		r.Epoch(EpochStats{Epoch: e, TrainLoss: 0.5, TestLoss: math.NaN(), TestAccuracy: math.NaN(), TestRMSE: 2.5})
	}
	r.Done()
	d.Close()
	var epochs []string
	for _, l := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		if strings.Contains(l, " done") && strings.Contains(l, "epoch") {
			epochs = append(epochs, strings.Fields(l)[2])
		}
	}
	// Every 300 ms: epoch 1, then every fourth (1.2 s ≥ 1 s) up to 97, and the last: 26.
	want := "1/100 5/100 9/100"
	if got := strings.Join(epochs, " "); !strings.HasPrefix(got, want) || !strings.HasSuffix(got, "97/100 100/100") || len(epochs) != 26 {
		t.Errorf("epoch lines of %d epochs of 300 ms: %s", 100, got)
	}
	if !strings.Contains(out.String(), "test rmse 2.5") {
		t.Errorf("no RMSE in the lines:\n%s", out.String())
	}
}
