package machine

import "golang.org/x/sys/unix"

// twoCPUs returns the first two CPUs of the process's affinity mask, if it has two.
func twoCPUs() (cpus [2]int, ok bool) {
	var set unix.CPUSet
	if err := unix.SchedGetaffinity(0, &set); err != nil {
		return cpus, false
	}
	n := 0
	for i := 0; i < len(set)*64 && n < 2; i++ {
		if set.IsSet(i) {
			cpus[n] = i
			n++
		}
	}
	return cpus, n == 2
}

// bind restricts the calling thread to cpu; the caller has locked its goroutine to it.
func bind(cpu int) error {
	var set unix.CPUSet
	set.Set(cpu)
	return unix.SchedSetaffinity(0, &set)
}
