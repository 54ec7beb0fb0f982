package cpu

// cpuid executes the CPUID instruction for leaf and subleaf sub. It is assembly in every
// amd64 build, with -tags noasm too: it is how the processor describes itself, not a kernel
// that a Go loop could replace (golang.org/x/sys/cpu reads its features the same way).
//
//go:noescape
func cpuid(leaf, sub uint32) (eax, ebx, ecx, edx uint32)

// cpuidCaches reads the caches from this CPU's CPUID.
func cpuidCaches() (Caches, bool) { return cachesFromCPUID(cpuid) }

// brand returns the processor brand string of CPUID 0x80000002-4, trimmed, or "".
func brand() string { return brandFromCPUID(cpuid) }

// signature returns the family, model and stepping of CPUID leaf 1.
func signature() (family, model, stepping int, ok bool) {
	f, m, s := signatureFromCPUID(cpuid)
	return f, m, s, true
}
