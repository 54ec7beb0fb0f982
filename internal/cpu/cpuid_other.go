//go:build !amd64

package cpu

// cpuidCaches reports no caches: only amd64 has CPUID.
func cpuidCaches() (Caches, bool) { return Caches{}, false }

// brand returns "": only amd64 has CPUID.
func brand() string { return "" }

// signature reports none: only amd64 has CPUID.
func signature() (family, model, stepping int, ok bool) { return 0, 0, 0, false }
