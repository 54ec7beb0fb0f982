//go:build !linux

package machine

import "time"

// threadTime reports no thread CPU time: the FMA loops are timed by the wall clock.
func threadTime() (time.Duration, bool) { return 0, false }
