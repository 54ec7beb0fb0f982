package prefetch

// LineSize is the cache line's size that Lines assumes: 64 bytes on the CPUs descent
// runs on.
const LineSize = 64

// Lines asks for every cache line that b spans to be brought into the caches, and
// returns at once. It reads and changes nothing.
func Lines(b []uint8) {
	if len(b) > 0 {
		lines(&b[0], len(b))
	}
}
