package results

import (
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"sync"
	"syscall"
	"unicode/utf8"
)

// A Writer writes records to results.jsonl, one line per record, each line in one call to
// the underlying writer and so to the file: a record is never held back in a buffer. It is
// safe for concurrent use (the trials of a sweep may share one file).
//
// Writing a record does not allocate once the writer's line buffer has grown to the
// longest line.
type Writer struct {
	mu   sync.Mutex
	w    io.Writer
	file *os.File // non-nil when the Writer opened the file and so closes it
	buf  []byte
	n    int64 // the offset after the last record: see Offset
	err  error // the first error; later writes return it
}

// NewWriter returns a Writer that writes to w. Close does not close w.
func NewWriter(w io.Writer) *Writer {
	return &Writer{w: w, buf: make([]byte, 0, 256)}
}

// Create creates (or truncates) the file at path and returns a Writer to it.
func Create(path string) (*Writer, error) {
	return open(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC)
}

// Append opens the file at path for appending, creating it if needed, and returns a Writer
// to it: the records of a resumed run go after those of the run it resumes.
func Append(path string) (*Writer, error) {
	return open(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND)
}

func open(path string, flag int) (*Writer, error) {
	f, err := os.OpenFile(path, flag, 0o644)
	if err != nil {
		return nil, fmt.Errorf("results: %w", err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("results: %w", err)
	}
	w := NewWriter(f)
	w.file = f
	w.n = fi.Size()
	return w, nil
}

// Write writes r as one line. It panics if r is malformed (no run name, an unknown kind or
// status, a status on a step or epoch record, a metric name that is empty, repeated or one
// of the fixed keys); it returns the error of the underlying writer, and after a failed
// write it returns that first error again without writing.
func (w *Writer) Write(r Record) error {
	r.check()
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err != nil {
		return w.err
	}
	w.buf = appendRecord(w.buf[:0], &r)
	n, err := w.w.Write(w.buf)
	w.n += int64(n)
	if err != nil {
		w.err = fmt.Errorf("results: %w", err)
		return w.err
	}
	return nil
}

// Offset returns where the next record will start: the bytes written through w, plus the
// length the file had when Append or Create opened it. A run records it in its checkpoint,
// so that a resumed run can cut off the records written after the checkpoint and write
// them again, once.
func (w *Writer) Offset() int64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.n
}

// Sync commits the written records to stable storage when the underlying writer is a file
// (it has a Sync method); otherwise, or for a pipe or terminal that cannot be synced, it does
// nothing. Written records already survive a crash of the process without it.
func (w *Writer) Sync() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.sync()
}

func (w *Writer) sync() error {
	s, ok := w.w.(interface{ Sync() error })
	if !ok {
		return nil
	}
	if err := s.Sync(); err != nil && !errors.Is(err, syscall.EINVAL) && !errors.Is(err, syscall.ENOTSUP) {
		return fmt.Errorf("results: %w", err)
	}
	return nil
}

// Close syncs the file and closes it if the Writer opened it (Create, Append); a Writer
// made by NewWriter is synced but not closed. Close returns the first error of any earlier
// write, or of the sync and close; later writes fail.
func (w *Writer) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if errors.Is(w.err, errClosed) {
		return nil
	}
	err := w.err
	if serr := w.sync(); err == nil {
		err = serr
	}
	if w.file != nil {
		if cerr := w.file.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("results: %w", cerr)
		}
		w.file = nil
	}
	w.err = errClosed
	return err
}

var errClosed = errors.New("results: write to a closed writer")

// appendRecord appends r as one JSON line to b.
func appendRecord(b []byte, r *Record) []byte {
	b = append(b, `{"run":`...)
	b = appendString(b, r.Run)
	b = append(b, `,"seed":`...)
	b = strconv.AppendInt(b, int64(r.Seed), 10)
	b = append(b, `,"kind":`...)
	b = appendString(b, string(r.Kind))
	b = append(b, `,"step":`...)
	b = strconv.AppendInt(b, int64(r.Step), 10)
	b = append(b, `,"epoch":`...)
	b = strconv.AppendInt(b, int64(r.Epoch), 10)
	b = append(b, `,"seconds":`...)
	b = appendFloat(b, r.Seconds)
	if r.Status != "" {
		b = append(b, `,"status":`...)
		b = appendString(b, string(r.Status))
	}
	if r.Note != "" {
		b = append(b, `,"note":`...)
		b = appendString(b, r.Note)
	}
	for _, m := range r.Metrics {
		b = append(b, ',')
		b = appendString(b, m.Name)
		b = append(b, ':')
		b = appendFloat(b, m.Value)
	}
	return append(b, "}\n"...)
}

// appendFloat appends v as the shortest JSON number that reads back as v, or as the string
// "NaN", "+Inf" or "-Inf".
func appendFloat(b []byte, v float64) []byte {
	switch {
	case math.IsNaN(v):
		return append(b, `"NaN"`...)
	case math.IsInf(v, 1):
		return append(b, `"+Inf"`...)
	case math.IsInf(v, -1):
		return append(b, `"-Inf"`...)
	}
	return strconv.AppendFloat(b, v, 'g', -1, 64)
}

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string; invalid UTF-8 becomes U+FFFD.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c == '\n':
				b = append(b, '\\', 'n')
			case c == '\t':
				b = append(b, '\\', 't')
			case c == '\r':
				b = append(b, '\\', 'r')
			case c < 0x20 || c == 0x7f:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, `\ufffd`...)
		} else {
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return append(b, '"')
}
