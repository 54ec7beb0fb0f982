// Package readn reads a known number of bytes from a stream without trusting that number:
// the decoders of data/idx and data/npy read payloads whose size a file's header declares.
package readn

import "io"

// first is the size of the first buffer of a stream of unknown length.
const first = 1 << 20

// Read reads n bytes from r. avail is the most bytes r can hold as the caller knows it from
// the input itself (a file's size, a bound on what a compressed stream of known size can
// inflate to), never from the header that declares n; negative if unknown. If n ≤ avail,
// the buffer is allocated once, at n bytes. Otherwise it grows (doubling from 1 MiB) only
// as bytes arrive, so a header that lies about its size costs at most twice what r holds.
// On error it returns the bytes read so far, with the error of [io.ReadFull].
func Read(r io.Reader, n, avail int64) ([]byte, error) {
	if n <= avail {
		buf := make([]byte, n)
		m, err := io.ReadFull(r, buf)
		return buf[:m], err
	}
	buf := make([]byte, 0, min(n, first))
	for int64(len(buf)) < n {
		if len(buf) == cap(buf) {
			grow := min(n-int64(len(buf)), int64(cap(buf)))
			buf = append(buf[:cap(buf)], make([]byte, grow)...)[:len(buf)]
		}
		end := min(int64(cap(buf)), n)
		m, err := io.ReadFull(r, buf[len(buf):end])
		buf = buf[:len(buf)+m]
		if err != nil {
			return buf, err
		}
	}
	return buf, nil
}
