//go:build linux

package parallel

import "golang.org/x/sys/unix"

// yield gives the core to another thread ready to run on it, of this process or another,
// and returns at once if there is none (sched_yield(2)). The goroutine stays on its
// thread.
func yield() { unix.RawSyscallNoError(unix.SYS_SCHED_YIELD, 0, 0, 0) }
