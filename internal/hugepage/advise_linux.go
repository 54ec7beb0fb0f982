package hugepage

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// advise asks the kernel to back the huge pages of span(p, n) with huge pages. Errors
// (EINVAL where transparent huge pages are compiled out) are ignored: the memory then
// keeps its base pages. The range may reach past the caller's allocation into the heap's
// neighbouring objects, so it is passed to madvise(2) as addresses, never made a Go slice
// (which the race detector's pointer checks refuse, rightly, for memory of several
// allocations).
func advise(p unsafe.Pointer, n uintptr) {
	start, length := span(uintptr(p), n)
	if length == 0 {
		return
	}
	_, _, _ = unix.Syscall(unix.SYS_MADVISE, start, length, unix.MADV_HUGEPAGE)
}
