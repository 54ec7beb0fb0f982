package machine

import (
	"runtime"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// TestRoundTripsLeaveNoBoundThread checks that the threads RoundTrips binds to one CPU end
// with it: a goroutine started afterwards may run on any CPU of the process.
func TestRoundTripsLeaveNoBoundThread(t *testing.T) {
	twoThreads(t)
	var want unix.CPUSet
	if err := unix.SchedGetaffinity(0, &want); err != nil {
		t.Skip(err)
	}
	if _, _, err := RoundTrips(1, time.Millisecond); err != nil {
		t.Fatal(err)
	}
	for i := range 32 {
		got := make(chan unix.CPUSet)
		go func() {
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			var s unix.CPUSet
			unix.SchedGetaffinity(0, &s)
			got <- s
		}()
		if s := <-got; s != want {
			t.Fatalf("goroutine %d after RoundTrips: affinity %d CPUs, want the process's %d", i, s.Count(), want.Count())
		}
	}
}
