package npy

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"math/bits"
	"os"
	"strconv"
	"strings"

	"github.com/descent-ml/descent/data/internal/readn"
)

// magic starts every .npy file.
var magic = [6]byte{0x93, 'N', 'U', 'M', 'P', 'Y'}

// MaxHeader is the largest header, in bytes, the decoder reads: NumPy's own default limit
// (max_header_size) when it loads a file.
const MaxHeader = 10000

// ReadHeader reads and checks the header of an .npy file from r, and nothing more.
func ReadHeader(r io.Reader) (Header, error) {
	h, _, err := parseHeader(r)
	return h, err
}

// Decode reads a whole .npy file from r and checks that r ends where the data does. If r
// has a Len method (a [bytes.Reader], [bytes.Buffer] or [strings.Reader]), the header is
// checked against that length before the data is allocated.
func Decode(r io.Reader) (*Array, error) {
	size := int64(-1)
	if l, ok := r.(interface{ Len() int }); ok {
		size = int64(l.Len())
	}
	return decode(r, size, size)
}

// ReadFile decodes the .npy file at path; its header is checked against the file's size
// before the data is allocated. Errors name the file.
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
	a, err := decode(bufio.NewReaderSize(f, 64<<10), size, size)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return a, nil
}

// decode reads a whole array from r, whose length is size bytes or unknown when size < 0.
// avail is size when that is the input's real length (a file's, a [bytes.Reader]'s): the
// data is then read into one buffer of its size. It is -1 when size is only declared (by a
// zip archive's directory): the buffer then grows as bytes arrive.
func decode(r io.Reader, size, avail int64) (*Array, error) {
	h, hsize, err := parseHeader(r)
	if err != nil {
		return nil, err
	}
	want := int64(h.Len()) * int64(h.Dtype.Size())
	if size >= 0 {
		have := size - hsize
		if have < want {
			return nil, formatErr(ErrTruncated, "header %s %v declares %d bytes of data, the input has %d", h.Dtype, h.Shape, want, have)
		}
		if have > want {
			return nil, formatErr(ErrTrailing, "%d bytes after the %d bytes of data of %s %v", have-want, want, h.Dtype, h.Shape)
		}
	}
	if avail >= 0 {
		avail -= hsize
	}
	data, err := readn.Read(r, want, avail)
	if err != nil {
		return nil, readErr(err, "data of %s %v: %d of %d bytes", h.Dtype, h.Shape, len(data), want)
	}
	var one [1]byte
	switch n, err := io.ReadFull(r, one[:]); {
	case n > 0:
		return nil, formatErr(ErrTrailing, "more bytes after the %d bytes of data of %s %v", want, h.Dtype, h.Shape)
	case errors.Is(err, io.EOF):
	default:
		return nil, fmt.Errorf("npy: %w", err)
	}
	return convert(h, data), nil
}

// readErr maps an error of io.ReadFull to a truncation when the input ended early.
func readErr(err error, format string, args ...any) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return formatErr(ErrTruncated, format, args...)
	}
	return fmt.Errorf("npy: %w", err)
}

// parseHeader reads and checks a header from r and returns it with its size in bytes.
func parseHeader(r io.Reader) (Header, int64, error) {
	var pre [12]byte // magic, version, header length
	if n, err := io.ReadFull(r, pre[:8]); err != nil {
		return Header{}, 0, readErr(err, "header: %d of at least 10 bytes", n)
	}
	if [6]byte(pre[:6]) != magic {
		return Header{}, 0, formatErr(ErrMagic, "first bytes %q, want \"\\x93NUMPY\"", pre[:6])
	}
	h := Header{Major: int(pre[6]), Minor: int(pre[7])}
	lenBytes := 2
	switch {
	case h.Major == 1 && h.Minor == 0:
	case (h.Major == 2 || h.Major == 3) && h.Minor == 0:
		lenBytes = 4
	default:
		return Header{}, 0, formatErr(ErrVersion, "version %d.%d, want 1.0, 2.0 or 3.0", h.Major, h.Minor)
	}
	if n, err := io.ReadFull(r, pre[8:8+lenBytes]); err != nil {
		return Header{}, 0, readErr(err, "header length: %d of %d bytes", n, lenBytes)
	}
	hlen := uint32(binary.LittleEndian.Uint16(pre[8:]))
	if lenBytes == 4 {
		hlen = binary.LittleEndian.Uint32(pre[8:])
	}
	if hlen > MaxHeader {
		return Header{}, 0, formatErr(ErrHeader, "header of %d bytes, more than %d", hlen, MaxHeader)
	}
	text := make([]byte, hlen) // at most MaxHeader bytes
	if n, err := io.ReadFull(r, text); err != nil {
		return Header{}, 0, readErr(err, "header: %d of %d bytes", n, hlen)
	}
	if err := parseDict(&h, string(text)); err != nil {
		return Header{}, 0, err
	}
	if err := checkOverflow(h); err != nil {
		return Header{}, 0, err
	}
	return h, int64(8+lenBytes) + int64(hlen), nil
}

// checkOverflow reports whether the data of h fits in an int number of bytes.
func checkOverflow(h Header) error {
	for _, d := range h.Shape {
		if d == 0 {
			return nil
		}
	}
	n := uint64(h.Dtype.Size())
	for _, d := range h.Shape {
		hi, lo := bits.Mul64(n, uint64(d))
		if hi != 0 || lo > math.MaxInt {
			return formatErr(ErrOverflow, "shape %v of %d-byte elements exceeds %d bytes", h.Shape, h.Dtype.Size(), math.MaxInt)
		}
		n = lo
	}
	return nil
}

// parseDict parses the header's Python dict literal, as NumPy writes it:
//
//	{'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }
//
// padded with spaces and ended with a newline. It accepts the three keys in any order,
// either quote, and Python 2's 3L integers, and nothing else (NumPy refuses other keys).
func parseDict(h *Header, s string) error {
	p := &lexer{s: s}
	p.space()
	if !p.eat('{') {
		return p.errorf("header does not start with {")
	}
	seen := map[string]bool{}
	for {
		p.space()
		if p.eat('}') {
			break
		}
		key, ok := p.str()
		if !ok {
			return p.errorf("want a quoted key")
		}
		p.space()
		if !p.eat(':') {
			return p.errorf("want : after key %q", key)
		}
		p.space()
		if seen[key] {
			return p.errorf("key %q twice", key)
		}
		seen[key] = true
		switch key {
		case "descr":
			if p.peek() == '[' {
				return formatErr(ErrDtype, "a structured dtype (descr is a list of fields); save each field as its own array")
			}
			d, ok := p.str()
			if !ok {
				return p.errorf("descr is not a string")
			}
			if err := parseDescr(h, d); err != nil {
				return err
			}
		case "fortran_order":
			switch {
			case p.word("True"):
				h.Fortran = true
			case p.word("False"):
				h.Fortran = false
			default:
				return p.errorf("fortran_order is not True or False")
			}
		case "shape":
			shape, err := p.tuple()
			if err != nil {
				return err
			}
			h.Shape = shape
		default:
			return p.errorf("unknown key %q", key)
		}
		p.space()
		if !p.eat(',') && p.peek() != '}' {
			return p.errorf("want , or } after the value of %q", key)
		}
	}
	p.space()
	if p.i != len(p.s) {
		return p.errorf("%q after the dict", clip(p.s[p.i:]))
	}
	for _, k := range []string{"descr", "fortran_order", "shape"} {
		if !seen[k] {
			return formatErr(ErrHeader, "no %q key in %q", k, clip(s))
		}
	}
	return nil
}

// parseDescr sets the Dtype and byte order of h from a descr such as '<f8'.
func parseDescr(h *Header, d string) error {
	s := d
	order := byte('=')
	if s != "" && strings.IndexByte("<>|=", s[0]) >= 0 {
		order, s = s[0], s[1:]
	}
	if s == "" {
		return formatErr(ErrDtype, "descr %q", d)
	}
	kind := s[0]
	size, err := strconv.Atoi(s[1:])
	if len(s) == 1 {
		size, err = 0, nil
	}
	if err != nil {
		if kind == 'M' || kind == 'm' {
			return formatErr(ErrDtype, "descr %q: dates and times", d)
		}
		return formatErr(ErrDtype, "descr %q", d)
	}
	t := dtypeOf(kind, size)
	if t == 0 {
		what := map[byte]string{
			'U': "unicode strings", 'S': "byte strings", 'a': "byte strings", 'O': "pickled Python objects",
			'c': "complex numbers", 'V': "raw bytes or records", 'M': "dates", 'm': "time deltas",
		}[kind]
		switch {
		case kind == 'f':
			what = fmt.Sprintf("%d-bit floats", 8*size)
		case kind == 'i' || kind == 'u':
			what = fmt.Sprintf("%d-bit integers", 8*size)
		case what == "":
			what = "unknown kind"
		}
		return formatErr(ErrDtype, "descr %q (%s): the decoder reads bool, int8 to int64, uint8 to uint64, float32 and float64", d, what)
	}
	if order == '|' && size > 1 {
		return formatErr(ErrHeader, "descr %q: no byte order for a %d-byte type", d, size)
	}
	h.Dtype, h.BigEndian = t, order == '>' && size > 1
	return nil
}

// A lexer reads the Python literal of a header.
type lexer struct {
	s string
	i int
}

func (p *lexer) peek() byte {
	if p.i < len(p.s) {
		return p.s[p.i]
	}
	return 0
}

func (p *lexer) eat(c byte) bool {
	if p.peek() == c {
		p.i++
		return true
	}
	return false
}

func (p *lexer) space() {
	for p.i < len(p.s) && strings.IndexByte(" \t\r\n", p.s[p.i]) >= 0 {
		p.i++
	}
}

// word eats w if it comes next, as a whole word.
func (p *lexer) word(w string) bool {
	if !strings.HasPrefix(p.s[p.i:], w) {
		return false
	}
	if j := p.i + len(w); j < len(p.s) && isAlnum(p.s[j]) {
		return false
	}
	p.i += len(w)
	return true
}

func isAlnum(c byte) bool {
	return c == '_' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

// str reads a quoted string without escapes.
func (p *lexer) str() (string, bool) {
	q := p.peek()
	if q != '\'' && q != '"' {
		return "", false
	}
	end := strings.IndexByte(p.s[p.i+1:], q)
	if end < 0 {
		return "", false
	}
	v := p.s[p.i+1 : p.i+1+end]
	if strings.IndexByte(v, '\\') >= 0 {
		return "", false
	}
	p.i += end + 2
	return v, true
}

// tuple reads a tuple of non-negative integers: (), (3,), (3, 4).
func (p *lexer) tuple() ([]int, error) {
	if !p.eat('(') {
		return nil, p.errorf("shape is not a tuple")
	}
	shape := []int{}
	for {
		p.space()
		if p.eat(')') {
			break
		}
		j := p.i
		for p.i < len(p.s) && '0' <= p.s[p.i] && p.s[p.i] <= '9' {
			p.i++
		}
		if j == p.i {
			return nil, p.errorf("shape holds something other than non-negative integers")
		}
		v, err := strconv.Atoi(p.s[j:p.i])
		if err != nil {
			return nil, formatErr(ErrOverflow, "shape dimension %s", p.s[j:p.i])
		}
		p.eat('L') // Python 2
		shape = append(shape, v)
		p.space()
		if p.eat(',') {
			continue
		}
		if p.eat(')') {
			if len(shape) == 1 {
				return nil, p.errorf("shape (%d) is an int, not a tuple", v)
			}
			break
		}
		return nil, p.errorf("want , or ) in shape")
	}
	return shape, nil
}

func (p *lexer) errorf(format string, args ...any) error {
	return formatErr(ErrHeader, "%s at byte %d of %q", fmt.Sprintf(format, args...), p.i, clip(p.s))
}

// clip shortens s for a message.
func clip(s string) string {
	const n = 120
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// convert returns the array of h over its data as read: made little-endian and C order.
func convert(h Header, p []byte) *Array {
	size := h.Dtype.Size()
	if h.BigEndian {
		for i := 0; i < len(p); i += size {
			e := p[i : i+size]
			for j := range size / 2 {
				e[j], e[size-1-j] = e[size-1-j], e[j]
			}
		}
	}
	if h.Dtype == Bool {
		for i, b := range p {
			if b != 0 {
				p[i] = 1
			}
		}
	}
	if h.Fortran && len(h.Shape) > 1 && len(p) > 0 {
		p = fortranToC(p, h.Shape, size)
	}
	return &Array{Header: h, Data: p}
}

// fortranToC returns the elements of p, in Fortran order (the first index fastest), in C
// order (the last index fastest).
func fortranToC(p []byte, shape []int, size int) []byte {
	nd := len(shape)
	stride := make([]int, nd) // Fortran strides, in elements
	stride[0] = 1
	for k := 1; k < nd; k++ {
		stride[k] = stride[k-1] * shape[k-1]
	}
	idx := make([]int, nd)
	out := make([]byte, len(p))
	src := 0
	for dst := 0; dst < len(out); dst += size {
		copy(out[dst:dst+size], p[src*size:])
		for k := nd - 1; k >= 0; k-- { // C order: the last index fastest
			idx[k]++
			src += stride[k]
			if idx[k] < shape[k] {
				break
			}
			src -= idx[k] * stride[k]
			idx[k] = 0
		}
	}
	return out
}
