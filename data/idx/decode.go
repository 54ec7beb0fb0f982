package idx

import (
	"bufio"
	"bytes"
	"compress/flate"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"

	"github.com/descent-ml/descent/data/internal/readn"
)

// gzipMagic starts every gzip stream (RFC 1952).
var gzipMagic = [2]byte{0x1f, 0x8b}

// ReadHeader reads and checks the header of an IDX file, raw or gzip-compressed, from r.
// It reads (and, for gzip, decompresses) little more than the header: the payload is
// neither read nor checked.
func ReadHeader(r io.Reader) (Header, error) {
	src, _, _, err := open(r, -1)
	if err != nil {
		return Header{}, err
	}
	return parseHeader(src)
}

// ReadFileHeader reads and checks the header of the IDX file at path. Errors name the file.
func ReadFileHeader(path string) (Header, error) {
	f, err := os.Open(path)
	if err != nil {
		return Header{}, err
	}
	defer f.Close()
	h, err := ReadHeader(f)
	if err != nil {
		return Header{}, fmt.Errorf("%s: %w", path, err)
	}
	return h, nil
}

// Decode reads a whole IDX array, raw or gzip-compressed, from r and checks that r ends
// where the payload does. If r has a Len method (a [bytes.Reader], [bytes.Buffer] or
// [strings.Reader]) and holds a raw file, the header is checked against that length
// before the payload is allocated.
func Decode(r io.Reader) (*Array, error) {
	size := int64(-1)
	if l, ok := r.(interface{ Len() int }); ok {
		size = int64(l.Len())
	}
	return decode(r, size)
}

// ReadFile decodes the IDX file at path, raw or gzip-compressed; a raw file's header is
// checked against the file's size before the payload is allocated. Errors name the file.
func ReadFile(path string) (*Array, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	size := int64(-1)
	if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() {
		size = fi.Size()
	}
	a, err := decode(f, size)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return a, nil
}

// maxInflate bounds what a deflate stream inflates to, per byte of input: at best a
// length-distance pair of two 1-bit codes copies 258 bytes, so 2 bits yield 258 bytes.
const maxInflate = 1032

// open returns the decompressed stream of r, its length or -1 when the length is not known
// (gzip, or size < 0), and the most bytes it can hold or -1 when that is not known either:
// the length of a raw input, [maxInflate] times the size of a gzip input.
func open(r io.Reader, size int64) (src io.Reader, length, avail int64, err error) {
	br := bufio.NewReaderSize(r, 64<<10)
	magic, err := br.Peek(2)
	if err != nil && len(magic) < 2 {
		if err == io.EOF {
			return nil, 0, 0, formatErr(ErrTruncated, "header: %d of at least 4 bytes", len(magic))
		}
		return nil, 0, 0, err
	}
	if magic[0] != gzipMagic[0] || magic[1] != gzipMagic[1] {
		return br, size, size, nil
	}
	zr, err := gzip.NewReader(br)
	if err != nil {
		return nil, 0, 0, gzipErr(err)
	}
	avail = -1
	if size >= 0 && size <= math.MaxInt64/maxInflate {
		avail = size * maxInflate
	}
	return zr, -1, avail, nil
}

// gzipErr turns an error of the gzip layer into a decoding error: an early end of the
// stream is a truncation, anything else a damaged stream.
func gzipErr(err error) error {
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return formatErr(ErrTruncated, "gzip stream ends early")
	}
	return streamErr(err)
}

// parseHeader reads and checks a header from the decompressed stream r.
func parseHeader(r io.Reader) (Header, error) {
	var magic [4]byte
	if n, err := io.ReadFull(r, magic[:]); err != nil {
		return Header{}, readErr(err, "header: %d of at least 4 bytes", n)
	}
	if magic[0] != 0 || magic[1] != 0 {
		return Header{}, formatErr(ErrMagic, "first bytes %#02x %#02x, want 0x00 0x00", magic[0], magic[1])
	}
	t := Type(magic[2])
	if t.Size() == 0 {
		return Header{}, formatErr(ErrType, "type byte %#02x", magic[2])
	}
	nd := int(magic[3])
	if nd == 0 {
		return Header{}, formatErr(ErrMagic, "zero dimensions")
	}
	raw := make([]byte, 4*nd) // at most 1020 bytes
	if n, err := io.ReadFull(r, raw); err != nil {
		return Header{}, readErr(err, "header: %d of the %d bytes of %d dimensions", n, len(raw), nd)
	}
	h := Header{Type: t, Dims: make([]int, nd)}
	for i := range h.Dims {
		h.Dims[i] = int(binary.BigEndian.Uint32(raw[4*i:]))
	}
	if err := checkOverflow(h); err != nil {
		return Header{}, err
	}
	return h, nil
}

// checkOverflow reports whether the payload of h fits in an int number of bytes.
func checkOverflow(h Header) error {
	for _, d := range h.Dims {
		if d == 0 {
			return nil // an empty array, whatever the other dimensions are
		}
	}
	limit := uint64(math.MaxInt) / uint64(h.Type.Size())
	n := uint64(1)
	for _, d := range h.Dims {
		if n > limit/uint64(d) {
			return formatErr(ErrOverflow, "dimensions %v of %d-byte elements exceed %d bytes", h.Dims, h.Type.Size(), math.MaxInt)
		}
		n *= uint64(d)
	}
	return nil
}

// readErr maps an error of io.ReadFull to a truncation when the input ended early.
func readErr(err error, format string, args ...any) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return formatErr(ErrTruncated, format, args...)
	}
	return streamErr(err)
}

// streamErr wraps an error that is not a truncation: a damaged gzip stream or an I/O error.
func streamErr(err error) error {
	var corrupt flate.CorruptInputError
	if errors.Is(err, gzip.ErrChecksum) || errors.Is(err, gzip.ErrHeader) || errors.As(err, &corrupt) {
		return fmt.Errorf("idx: gzip: %w", err)
	}
	return fmt.Errorf("idx: %w", err)
}

// DecodeBytes decodes the IDX array in b, raw or gzip-compressed, as [Decode] does. The
// U8 elements of a raw file are b's own bytes, not a copy: b must not be modified while
// the Array is in use.
func DecodeBytes(b []byte) (*Array, error) {
	if len(b) >= 2 && b[0] == gzipMagic[0] && b[1] == gzipMagic[1] {
		return decode(bytes.NewReader(b), int64(len(b)))
	}
	r := bytes.NewReader(b)
	h, err := parseHeader(r)
	if err != nil {
		return nil, err
	}
	if err := checkLength(h, int64(len(b))); err != nil {
		return nil, err
	}
	p := b[h.Size():]
	return fill(h, p[:len(p):len(p)]), nil
}

// checkLength checks the payload that h declares against the length of the raw input.
func checkLength(h Header, length int64) error {
	want, have := h.PayloadSize(), length-int64(h.Size())
	if have < want {
		return formatErr(ErrTruncated, "header %s %v declares %d bytes of payload, the input has %d", h.Type, h.Dims, want, have)
	}
	if have > want {
		return formatErr(ErrTrailing, "%d bytes after the %d-byte payload of %s %v", have-want, want, h.Type, h.Dims)
	}
	return nil
}

// decode reads a whole array from r, whose length is size bytes or unknown when size < 0.
// The payload is read into one buffer of its size when the input can hold it (a raw input
// of the right length, a gzip stream not too small to inflate to it), else into a buffer
// grown as bytes arrive.
func decode(r io.Reader, size int64) (*Array, error) {
	src, length, avail, err := open(r, size)
	if err != nil {
		return nil, err
	}
	h, err := parseHeader(src)
	if err != nil {
		return nil, err
	}
	want := h.PayloadSize()
	if length >= 0 {
		if err := checkLength(h, length); err != nil {
			return nil, err
		}
	}
	if avail >= 0 {
		avail -= int64(h.Size())
	}
	payload, err := readn.Read(src, want, avail)
	if err != nil {
		return nil, readErr(err, "payload of %s %v: %d of %d bytes", h.Type, h.Dims, len(payload), want)
	}
	var one [1]byte
	switch n, err := io.ReadFull(src, one[:]); {
	case n > 0:
		return nil, formatErr(ErrTrailing, "more bytes after the %d-byte payload of %s %v", want, h.Type, h.Dims)
	case errors.Is(err, io.EOF):
	case errors.Is(err, io.ErrUnexpectedEOF):
		return nil, formatErr(ErrTruncated, "gzip stream ends before its trailer")
	default:
		return nil, streamErr(err)
	}
	return fill(h, payload), nil
}

// fill converts the big-endian payload of h into the typed slice of an Array.
func fill(h Header, p []byte) *Array {
	a := &Array{Header: h}
	n := h.Len()
	be := binary.BigEndian
	switch h.Type {
	case Uint8:
		a.U8 = p
	case Int8:
		a.I8 = make([]int8, n)
		for i, b := range p {
			a.I8[i] = int8(b)
		}
	case Int16:
		a.I16 = make([]int16, n)
		for i := range a.I16 {
			a.I16[i] = int16(be.Uint16(p[2*i:]))
		}
	case Int32:
		a.I32 = make([]int32, n)
		for i := range a.I32 {
			a.I32[i] = int32(be.Uint32(p[4*i:]))
		}
	case Float32:
		a.F32 = make([]float32, n)
		for i := range a.F32 {
			a.F32[i] = math.Float32frombits(be.Uint32(p[4*i:]))
		}
	case Float64:
		a.F64 = make([]float64, n)
		for i := range a.F64 {
			a.F64[i] = math.Float64frombits(be.Uint64(p[8*i:]))
		}
	}
	return a
}
