package hugepage

import "unsafe"

// Size is the size of a transparent huge page on amd64 and arm64 with 4 KiB base pages.
const Size = 2 << 20

// Float32s returns a zeroed slice of n float32s; see the package comment for how its
// pages are advised.
func Float32s(n int) []float32 { return Make[float32](n) }

// Make returns a zeroed slice of n elements of T; see the package comment for how its
// pages are advised.
func Make[T any](n int) []T {
	s := make([]T, n)
	if size := uintptr(n) * unsafe.Sizeof(*new(T)); size >= Size {
		advise(unsafe.Pointer(unsafe.SliceData(s)), size)
	}
	return s
}

// span returns the huge pages to advise for the buffer [p, p+n): the aligned huge pages
// that it covers at least half of, as a start and a length (0 when there are none). A
// huge page the buffer half-covers is shared with the Go heap's neighbouring objects,
// whose memory the advice then also covers; it is the heap's memory in any case.
func span(p, n uintptr) (start, length uintptr) {
	start = (p + Size/2 - 1) &^ (Size - 1)
	end := (p + n + Size/2) &^ (Size - 1)
	if end <= start {
		return start, 0
	}
	return start, end - start
}
