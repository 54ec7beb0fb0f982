//go:build !linux

package parallel

// yield does nothing where sched_yield is not called: polling keeps its core.
func yield() {}
