package hugepage

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// advise asks the kernel to back the huge pages of span(p, n) with huge pages.
// Errors (EINVAL where transparent huge pages are compiled out) are ignored: the memory
// then keeps its base pages.
func advise(p unsafe.Pointer, n uintptr) {
	start, length := span(uintptr(p), n)
	if length == 0 {
		return
	}
	// The pointer is to memory the caller keeps alive; only its address range is used.
	b := unsafe.Slice((*byte)(unsafe.Add(p, start-uintptr(p))), length)
	_ = unix.Madvise(b, unix.MADV_HUGEPAGE)
}
