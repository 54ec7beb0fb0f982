//go:build !linux

package machine

import "runtime"

// twoCPUs returns 0 and 1 when there are two CPUs: the threads are not bound to them
// (bind does nothing), and run wherever the system puts them.
func twoCPUs() (cpus [2]int, ok bool) { return [2]int{0, 1}, runtime.NumCPU() >= 2 }

// bind does nothing: only Linux binds threads to CPUs here.
func bind(int) error { return nil }
