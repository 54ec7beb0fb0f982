package machine

import (
	"time"

	"golang.org/x/sys/unix"
)

// threadTime returns the CPU time the calling thread has run, and true; the FMA loops time
// themselves by it, so that other processes taking turns on the core do not lower the
// peak.
func threadTime() (time.Duration, bool) {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_THREAD_CPUTIME_ID, &ts); err != nil {
		return 0, false
	}
	return time.Duration(ts.Nano()), true
}
