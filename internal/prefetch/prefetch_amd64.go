//go:build amd64 && !noasm

package prefetch

// lines issues PREFETCHT1 for the cache lines of the n > 0 bytes at p: one every
// LineSize bytes from p's line to the line of its last byte. It returns how many it issued.
//
//go:noescape
func lines(p *uint8, n int) int
