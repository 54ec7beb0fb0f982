package readn

import (
	"bytes"
	"errors"
	"io"
	"testing"
)

func TestRead(t *testing.T) {
	src := bytes.Repeat([]byte{1, 2, 3}, first) // 3 MiB: the buffer grows twice
	for _, tc := range []struct {
		have, want, avail int64
		err               error
		exact             bool // the buffer is allocated at want bytes
	}{
		{0, 0, -1, nil, false},
		{10, 10, -1, nil, false},
		{int64(len(src)), int64(len(src)), -1, nil, false},
		{int64(len(src)), 5, -1, nil, false},
		{5, 10, -1, io.ErrUnexpectedEOF, false},
		{0, 10, -1, io.EOF, false},
		{int64(len(src)), 1 << 40, -1, io.ErrUnexpectedEOF, false}, // a lying header
		{int64(len(src)), 1 << 40, int64(len(src)), io.ErrUnexpectedEOF, false},
		// The length is known: one buffer of the exact size.
		{int64(len(src)), int64(len(src)), int64(len(src)), nil, true},
		{int64(len(src)), 5, int64(len(src)), nil, true},
		{0, 0, 0, nil, true},
		// avail is an upper bound (a compressed stream's): the buffer is exact, the
		// input may still end early.
		{5, 10, 1 << 20, io.ErrUnexpectedEOF, true},
	} {
		got, err := Read(bytes.NewReader(src[:tc.have]), tc.want, tc.avail)
		if !errors.Is(err, tc.err) && !(err == nil && tc.err == nil) {
			t.Errorf("%d of %d bytes (avail %d): error %v, want %v", tc.have, tc.want, tc.avail, err, tc.err)
		}
		if n := min(tc.have, tc.want); !bytes.Equal(got, src[:n]) {
			t.Errorf("%d of %d bytes (avail %d): got %d bytes, want the first %d", tc.have, tc.want, tc.avail, len(got), n)
		}
		if tc.exact && int64(cap(got)) != tc.want {
			t.Errorf("%d of %d bytes (avail %d): buffer of %d bytes, want %d", tc.have, tc.want, tc.avail, cap(got), tc.want)
		}
		if int64(cap(got)) > 2*max(tc.have, first) && !tc.exact {
			t.Errorf("%d of %d bytes (avail %d): buffer of %d bytes", tc.have, tc.want, tc.avail, cap(got))
		}
	}
}

// TestReadOneAllocation checks that a payload of known length costs one allocation: no
// buffer grown and copied.
func TestReadOneAllocation(t *testing.T) {
	src := make([]byte, 3*first)
	allocs := testing.AllocsPerRun(5, func() {
		r := bytes.NewReader(src)
		if _, err := Read(r, int64(len(src)), int64(r.Len())); err != nil {
			t.Fatal(err)
		}
	})
	if allocs > 2 { // the buffer, and the bytes.Reader if it escapes
		t.Errorf("%v allocations, want at most 2", allocs)
	}
}
