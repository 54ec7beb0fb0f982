package machine

import (
	"runtime"
	"testing"
	"time"
)

// twoThreads skips t on a machine of one CPU, and otherwise runs it with GOMAXPROCS 2.
func twoThreads(t *testing.T) {
	if _, ok := twoCPUs(); !ok {
		t.Skip("one CPU")
	}
	old := runtime.GOMAXPROCS(2)
	t.Cleanup(func() { runtime.GOMAXPROCS(old) })
}

func TestRoundTrips(t *testing.T) {
	twoThreads(t)
	rt, cpus, err := RoundTrips(3, 5*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	if cpus[0] == cpus[1] {
		t.Errorf("CPUs %v: want two", cpus)
	}
	if len(rt) != 3 {
		t.Fatalf("%d samples, want 3", len(rt))
	}
	for i, d := range rt {
		// A round trip is a fraction of a microsecond; a loaded machine can stretch the
		// mean, but not to the patience of a side.
		if d <= 0 || d >= patience {
			t.Errorf("sample %d = %v", i, d)
		}
	}
	best, median, worst := RoundTripStats([]time.Duration{5, 1, 4, 2, 3})
	if best != 1 || median != 3 || worst != 5 {
		t.Errorf("RoundTripStats = %v, %v, %v; want 1, 3, 5", best, median, worst)
	}
	t.Logf("CPUs %v: %v", cpus, rt)
}

func TestRoundTripsErrors(t *testing.T) {
	if _, _, err := RoundTrips(0, time.Millisecond); err == nil {
		t.Error("no samples: no error")
	}
	if _, _, err := RoundTrips(1, 0); err == nil {
		t.Error("no time: no error")
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	if _, _, err := RoundTrips(1, time.Millisecond); err == nil {
		t.Error("GOMAXPROCS 1: no error")
	}
}
