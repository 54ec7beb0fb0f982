package machine

import (
	"errors"
	"fmt"
	"runtime"
	"slices"
	"sync/atomic"
	"time"
)

// A line is a counter alone on its cache line (and the next, which adjacent-line
// prefetchers fetch with it), so that nothing else travels with it.
type line struct {
	_ [128]byte
	v atomic.Int64
	_ [128]byte
}

// RoundTrips returns samples measurements of the time a cache line takes to go from one
// core to another and back: two goroutines, each locked to its thread and, on Linux, bound
// to one of the first two CPUs of the process's affinity mask (cpus), hand a counter back
// and forth, one writing each odd value and waiting for the next even one, the other the
// reverse. Each sample is the mean round trip over at least each of them, the samples
// back to back.
//
// It is the price of every hand-over between cores: a worker told to start, a caller told
// that a part is done, a cache line written on one core and read on the other. Two cores
// that share a last-level cache hand a line over within it; cores apart (another AMD CCD,
// another socket) through the memory fabric, several times slower; on a virtual machine the
// host decides which cores the virtual CPUs run on, and may change its mind every few
// seconds, which the spread of the samples shows.
//
// It needs two CPUs and GOMAXPROCS of at least 2, and returns an error without them, or
// when the other CPU does not answer for a second (a host that took it away).
func RoundTrips(samples int, each time.Duration) (rt []time.Duration, cpus [2]int, err error) {
	if samples < 1 || each <= 0 {
		return nil, cpus, errors.New("machine: RoundTrips needs samples ≥ 1 and each > 0")
	}
	if runtime.GOMAXPROCS(0) < 2 {
		return nil, cpus, errors.New("machine: a round trip between cores needs GOMAXPROCS ≥ 2")
	}
	cpus, ok := twoCPUs()
	if !ok {
		return nil, cpus, errors.New("machine: a round trip between cores needs two CPUs")
	}
	var c line
	var stop atomic.Bool
	answered := onCPU(cpus[1], &stop, func() error { return answer(&c, &stop) })
	measured := onCPU(cpus[0], &stop, func() error {
		defer stop.Store(true) // the answer's end
		rt = make([]time.Duration, samples)
		for i := range rt {
			var err error
			if rt[i], err = ask(&c, &stop, each); err != nil || stop.Load() {
				return err // on stop, the other side says why
			}
		}
		return nil
	})
	if err = errors.Join(<-measured, <-answered); err != nil {
		return nil, cpus, err
	}
	return rt, cpus, nil
}

// onCPU runs f on a new goroutine locked to its thread and bound to cpu, and sends f's
// error, or the binding's, on the channel it returns; an error sets stop, so that the other
// side stops waiting. The goroutine returns without unlocking its thread, so that the
// runtime ends the thread rather than reuse one bound to a CPU.
func onCPU(cpu int, stop *atomic.Bool, f func() error) <-chan error {
	done := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		err := bind(cpu)
		if err == nil {
			err = f()
		}
		if err != nil {
			stop.Store(true)
		}
		done <- err
	}()
	return done
}

// patience is how long a side waits for the other's answer before it gives up.
const patience = time.Second

// ask writes each odd value of c in turn and waits for the even one after it, for at
// least each, and returns the mean time of a round trip.
func ask(c *line, stop *atomic.Bool, each time.Duration) (time.Duration, error) {
	x := c.v.Load()
	t0 := time.Now()
	n := 0
	for {
		for range 256 {
			c.v.Store(x + 1)
			if !poll(c, x+2, stop) {
				if stop.Load() { // the other side failed, and says why
					return 0, nil
				}
				return 0, errNoAnswer
			}
			x += 2
		}
		n += 256
		if d := time.Since(t0); d >= each {
			return d / time.Duration(n), nil
		}
	}
}

// answer waits for each odd value of c and writes the even one after it, until stop.
func answer(c *line, stop *atomic.Bool) error {
	for x := int64(1); ; x += 2 {
		if !poll(c, x, stop) {
			if stop.Load() {
				return nil
			}
			return errNoAnswer
		}
		c.v.Store(x + 1)
	}
}

var errNoAnswer = fmt.Errorf("machine: the other CPU did not answer for %v", patience)

// poll waits until c holds v: it reports false when stop is set or when patience passes.
func poll(c *line, v int64, stop *atomic.Bool) bool {
	var t0 time.Time
	for n := 1; c.v.Load() != v; n++ {
		if n%4096 != 0 {
			continue
		}
		if stop.Load() {
			return false
		}
		if t0.IsZero() {
			t0 = time.Now()
		} else if time.Since(t0) > patience {
			return false
		}
	}
	return true
}

// RoundTripStats sums up samples of RoundTrips: the best, the median and the worst.
func RoundTripStats(rt []time.Duration) (best, median, worst time.Duration) {
	s := slices.Sorted(slices.Values(rt))
	return s[0], s[len(s)/2], s[len(s)-1]
}
