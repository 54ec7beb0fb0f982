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
		have, want int64
		err        error
	}{
		{0, 0, nil},
		{10, 10, nil},
		{int64(len(src)), int64(len(src)), nil},
		{int64(len(src)), 5, nil},
		{5, 10, io.ErrUnexpectedEOF},
		{0, 10, io.EOF},
		{int64(len(src)), 1 << 40, io.ErrUnexpectedEOF}, // a lying header
	} {
		got, err := Read(bytes.NewReader(src[:tc.have]), tc.want)
		if !errors.Is(err, tc.err) && !(err == nil && tc.err == nil) {
			t.Errorf("%d of %d bytes: error %v, want %v", tc.have, tc.want, err, tc.err)
		}
		if n := min(tc.have, tc.want); !bytes.Equal(got, src[:n]) {
			t.Errorf("%d of %d bytes: got %d bytes, want the first %d", tc.have, tc.want, len(got), n)
		}
		if int64(cap(got)) > 2*max(tc.have, first) {
			t.Errorf("%d of %d bytes: buffer of %d bytes", tc.have, tc.want, cap(got))
		}
	}
}
