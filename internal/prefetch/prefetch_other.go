//go:build !amd64 || noasm

package prefetch

import "unsafe"

// lines asks for nothing (Go has no portable prefetch, and the hint is only a hint) and
// returns the number of cache lines the n > 0 bytes at p span, as the assembly does.
func lines(p *uint8, n int) int {
	a := uintptr(unsafe.Pointer(p))
	return int((a+uintptr(n)-1)/LineSize - a/LineSize + 1)
}
