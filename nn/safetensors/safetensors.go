package safetensors

import (
	"bufio"
	"bytes"
	"cmp"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strconv"
	"unicode/utf8"

	"github.com/descent-ml/descent/internal/atomicfile"
	"github.com/descent-ml/descent/nn"
	"github.com/descent-ml/descent/nn/internal/dtype"
	"github.com/descent-ml/descent/tensor"
)

// MaxHeader is the largest header read, in bytes: the reference implementation's limit.
const MaxHeader = 100_000_000

// metadataKey is the header's entry of free-form strings.
const metadataKey = "__metadata__"

// dtypeOrder lists the format's dtypes by increasing alignment, as the reference
// implementation orders them: its writer puts the tensors of the later dtypes first.
var dtypeOrder = []string{"BOOL", "U8", "I8", "F8_E5M2", "F8_E4M3", "I16", "U16", "F16", "BF16", "I32", "U32",
	"F32", "F64", "I64", "U64"}

// readable maps the dtypes read to their conversion.
var readable = map[string]dtype.Kind{"F32": dtype.F32, "F64": dtype.F64, "F16": dtype.F16, "BF16": dtype.BF16,
	"I64": dtype.I64}

// entry is one tensor of a header.
type entry struct {
	name       string
	dtype      string
	shape      []int
	begin, end uint64
}

// ReadFile reads every tensor of the safetensors file at path, and the header's metadata
// (nil if it has none). Errors are *[nn.WeightsError] naming the file.
func ReadFile(path string) ([]nn.NamedTensor, map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, nil, err
	}
	ts, meta, err := Read(f, fi.Size())
	if we, ok := errors.AsType[*nn.WeightsError](err); ok {
		we.File = path
	}
	return ts, meta, err
}

// Read reads every tensor of a safetensors file of size bytes from r, in the order of their
// data in the file, and the header's metadata (nil if it has none). F32 tensors are read as
// they are; F64, F16 and BF16 are converted to float32 (F64 rounded to nearest, a finite value
// beyond float32's range refused); I64 tensors are converted exactly or refused, and marked
// Int64. Other dtypes are refused.
//
// The header is checked whole before any tensor is allocated: its length against the file
// and [MaxHeader], its JSON (an object; UTF-8; no name twice; each entry's dtype, shape and
// data_offsets, nothing else), and the offsets: sorted, they must tile the data from its
// first byte to the file's last, without hole or overlap, each span the shape's element
// count times the dtype's size. Errors are *[nn.WeightsError] naming the tensor, if any.
func Read(r io.ReaderAt, size int64) ([]nn.NamedTensor, map[string]string, error) {
	es, meta, dataStart, err := readHeader(r, size)
	if err != nil {
		return nil, nil, err
	}
	ts := make([]nn.NamedTensor, len(es))
	var buf []byte
	for i, e := range es {
		kind := readable[e.dtype]
		n := int((e.end - e.begin) / uint64(kind.Size()))
		data := make([]float32, n)
		const chunk = 1 << 15 // elements per read
		for k := 0; k < n; k += chunk {
			m := min(chunk, n-k)
			buf = slices.Grow(buf[:0], m*kind.Size())[:m*kind.Size()]
			off := dataStart + int64(e.begin) + int64(k*kind.Size())
			if _, err := r.ReadAt(buf, off); err != nil {
				return nil, nil, &nn.WeightsError{Tensor: e.name, Msg: "reading the data", Err: eof(err)}
			}
			if err := dtype.Decode(data[k:k+m], buf, kind, k); err != nil {
				return nil, nil, &nn.WeightsError{Tensor: e.name, Msg: e.dtype + " to float32", Err: err}
			}
		}
		ts[i] = nn.NamedTensor{Name: e.name, Tensor: tensor.FromSlice(data, e.shape...), Int64: kind == dtype.I64}
	}
	return ts, meta, nil
}

// eof turns io.EOF in the middle of a file into io.ErrUnexpectedEOF.
func eof(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// formatErr returns a *nn.WeightsError about the file's header.
func formatErr(name, format string, args ...any) error {
	return &nn.WeightsError{Tensor: name, Msg: fmt.Sprintf(format, args...)}
}

// readHeader reads and checks the header: it returns the entries sorted by offset, the
// metadata and the offset of the data in the file.
func readHeader(r io.ReaderAt, size int64) ([]entry, map[string]string, int64, error) {
	var lb [8]byte
	if size < 8 {
		return nil, nil, 0, &nn.WeightsError{Msg: fmt.Sprintf("safetensors file of %d bytes, shorter than its 8-byte header length", size),
			Err: io.ErrUnexpectedEOF}
	}
	if _, err := r.ReadAt(lb[:], 0); err != nil {
		return nil, nil, 0, &nn.WeightsError{Msg: "reading the header length", Err: eof(err)}
	}
	n := binary.LittleEndian.Uint64(lb[:])
	if n > uint64(size-8) {
		return nil, nil, 0, &nn.WeightsError{Msg: fmt.Sprintf("truncated safetensors header: length %d, %d bytes follow", n, size-8),
			Err: io.ErrUnexpectedEOF}
	}
	if n > MaxHeader {
		return nil, nil, 0, formatErr("", "safetensors header of %d bytes, more than the limit of %d", n, MaxHeader)
	}
	h := make([]byte, n)
	if _, err := r.ReadAt(h, 8); err != nil {
		return nil, nil, 0, &nn.WeightsError{Msg: "reading the header", Err: eof(err)}
	}
	es, meta, err := parseHeader(h)
	if err != nil {
		return nil, nil, 0, err
	}
	dataLen := uint64(size) - 8 - n
	if err := checkOffsets(es, dataLen); err != nil {
		return nil, nil, 0, err
	}
	return es, meta, 8 + int64(n), nil
}

// parseHeader decodes the JSON header: an object whose members are "__metadata__", an
// object of strings, and tensors {"dtype", "shape", "data_offsets"}.
func parseHeader(h []byte) ([]entry, map[string]string, error) {
	if !utf8.Valid(h) {
		return nil, nil, formatErr("", "safetensors header is not UTF-8")
	}
	if len(h) == 0 || h[0] != '{' {
		return nil, nil, formatErr("", "safetensors header does not start with a JSON object: %.40q", h)
	}
	dec := json.NewDecoder(bytes.NewReader(h))
	dec.UseNumber()
	notJSON := func(err error) error {
		return &nn.WeightsError{Msg: "safetensors header is not JSON", Err: err}
	}
	if _, err := dec.Token(); err != nil { // '{'
		return nil, nil, notJSON(err)
	}
	var (
		es   []entry
		meta map[string]string
		seen = map[string]bool{}
	)
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, nil, notJSON(err)
		}
		name := tok.(string) // an object's key is a string, or Token fails
		if seen[name] {
			return nil, nil, formatErr(name, "appears twice in the safetensors header")
		}
		seen[name] = true
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, nil, notJSON(err)
		}
		if name == metadataKey {
			if err := strictUnmarshal(raw, &meta); err != nil || meta == nil {
				return nil, nil, formatErr("", "safetensors header: %s is not an object of strings: %.60s", metadataKey, raw)
			}
			continue
		}
		e, err := parseEntry(name, raw)
		if err != nil {
			return nil, nil, err
		}
		es = append(es, e)
	}
	if _, err := dec.Token(); err != nil { // '}'
		return nil, nil, notJSON(err)
	}
	if tok, err := dec.Token(); err != io.EOF {
		if err != nil {
			return nil, nil, notJSON(err)
		}
		return nil, nil, formatErr("", "safetensors header: %v after the JSON object", tok)
	}
	return es, meta, nil
}

// strictUnmarshal decodes raw into v, refusing members v lacks.
func strictUnmarshal(raw []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

// parseEntry decodes and checks one tensor's entry.
func parseEntry(name string, raw []byte) (entry, error) {
	var v struct {
		Dtype       *string   `json:"dtype"`
		Shape       *[]uint64 `json:"shape"`
		DataOffsets *[]uint64 `json:"data_offsets"`
	}
	if err := strictUnmarshal(raw, &v); err != nil {
		return entry{}, &nn.WeightsError{Tensor: name, Msg: fmt.Sprintf("safetensors header entry %.80s", raw), Err: err}
	}
	switch {
	case v.Dtype == nil:
		return entry{}, formatErr(name, "safetensors header entry has no dtype")
	case v.Shape == nil:
		return entry{}, formatErr(name, "safetensors header entry has no shape")
	case v.DataOffsets == nil:
		return entry{}, formatErr(name, "safetensors header entry has no data_offsets")
	case len(*v.DataOffsets) != 2:
		return entry{}, formatErr(name, "data_offsets %v: want [begin, end]", *v.DataOffsets)
	}
	if !slices.Contains(dtypeOrder, *v.Dtype) {
		return entry{}, formatErr(name, "unknown dtype %q", *v.Dtype)
	}
	if len(*v.Shape) > tensor.MaxRank {
		return entry{}, formatErr(name, "shape %v has rank %d, more than descent's %d", *v.Shape, len(*v.Shape), tensor.MaxRank)
	}
	shape := make([]int, len(*v.Shape))
	for i, d := range *v.Shape {
		if d > math.MaxInt32 {
			return entry{}, formatErr(name, "shape %v too large", *v.Shape)
		}
		shape[i] = int(d)
	}
	return entry{name: name, dtype: *v.Dtype, shape: shape, begin: (*v.DataOffsets)[0], end: (*v.DataOffsets)[1]}, nil
}

// checkOffsets sorts the entries by offset and checks that they tile dataLen bytes, each
// span its shape's bytes, and that their dtypes are read.
func checkOffsets(es []entry, dataLen uint64) error {
	slices.SortStableFunc(es, func(a, b entry) int {
		return cmp.Or(cmp.Compare(a.begin, b.begin), cmp.Compare(a.end, b.end))
	})
	var pos uint64
	for _, e := range es {
		if e.begin != pos || e.end < e.begin {
			if e.begin < pos {
				return formatErr(e.name, "data_offsets [%d, %d] overlap the previous tensor's, which ends at %d", e.begin, e.end, pos)
			}
			if e.end < e.begin {
				return formatErr(e.name, "data_offsets [%d, %d] end before they begin", e.begin, e.end)
			}
			return formatErr(e.name, "data_offsets [%d, %d] leave a hole: the previous tensor ends at %d", e.begin, e.end, pos)
		}
		if e.end > dataLen {
			return formatErr(e.name, "data_offsets [%d, %d] run past the data, which has %d bytes", e.begin, e.end, dataLen)
		}
		count := uint64(1)
		for _, d := range e.shape {
			if d != 0 && count > math.MaxUint64/uint64(d) {
				return formatErr(e.name, "shape %v overflows", e.shape)
			}
			count *= uint64(d)
		}
		size := dtypeSize(e.dtype)
		if count > math.MaxUint64/size || count*size != e.end-e.begin {
			return formatErr(e.name, "data_offsets [%d, %d] span %d bytes, shape %v of %s needs %d×%d",
				e.begin, e.end, e.end-e.begin, e.shape, e.dtype, count, size)
		}
		if _, ok := readable[e.dtype]; !ok {
			return formatErr(e.name, "dtype %s is not read (descent reads F32, F64, F16, BF16 and I64)", e.dtype)
		}
		pos = e.end
	}
	if pos != dataLen {
		return formatErr("", "the tensors' data_offsets end at %d, the data has %d bytes", pos, dataLen)
	}
	return nil
}

// dtypeSize returns the size of an element of one of the format's dtypes.
func dtypeSize(d string) uint64 {
	switch d {
	case "BOOL", "U8", "I8", "F8_E5M2", "F8_E4M3":
		return 1
	case "I16", "U16", "F16", "BF16":
		return 2
	case "I32", "U32", "F32":
		return 4
	}
	return 8
}

// WriteFile writes ts to the file at path as [Write] does, atomically: a reader of path
// sees the old file or the new one, whole.
func WriteFile(path string, ts []nn.NamedTensor, metadata map[string]string) error {
	f, err := atomicfile.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := Write(f, ts, metadata); err != nil {
		if we, ok := errors.AsType[*nn.WeightsError](err); ok {
			we.File = path
		}
		return err
	}
	return f.Commit()
}

// Write writes ts in the safetensors format, with metadata as the header's "__metadata__"
// (left out if empty), laid out as the reference implementation writes: tensors sorted by
// dtype, I64 before F32, then by name; the header compact JSON, metadata first and its keys
// sorted, padded with spaces to a multiple of 8 bytes; the data back to back, so that each
// tensor is aligned to its element size. Tensors marked Int64 are written as I64 (their
// values must be integers), the others as F32.
//
// Names must be distinct valid UTF-8, and not "__metadata__"; otherwise, or for an Int64
// tensor holding a fraction, Write returns a *[nn.WeightsError] before writing anything.
func Write(w io.Writer, ts []nn.NamedTensor, metadata map[string]string) error {
	order := make([]int, len(ts))
	seen := make(map[string]bool, len(ts))
	for i, t := range ts {
		order[i] = i
		switch {
		case seen[t.Name]:
			return formatErr(t.Name, "appears twice")
		case t.Name == metadataKey:
			return formatErr(t.Name, "a tensor cannot be named %s", metadataKey)
		case !utf8.ValidString(t.Name):
			return formatErr(t.Name, "name is not UTF-8")
		}
		seen[t.Name] = true
		if t.Int64 {
			for k, v := range t.Tensor.Data() {
				if !dtype.Integral(v) {
					return formatErr(t.Name, "element %d is %v, not an integer for I64", k, v)
				}
			}
		}
	}
	for k, v := range metadata {
		if !utf8.ValidString(k) || !utf8.ValidString(v) {
			return formatErr("", "metadata %q: not UTF-8", k)
		}
	}
	slices.SortFunc(order, func(a, b int) int {
		if ts[a].Int64 != ts[b].Int64 {
			if ts[a].Int64 {
				return -1
			}
			return 1
		}
		return cmp.Compare(ts[a].Name, ts[b].Name)
	})

	var h []byte
	h = append(h, '{')
	if len(metadata) > 0 {
		h = appendString(h, metadataKey)
		h = append(h, ":{"...)
		keys := make([]string, 0, len(metadata))
		for k := range metadata {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for i, k := range keys {
			if i > 0 {
				h = append(h, ',')
			}
			h = appendString(h, k)
			h = append(h, ':')
			h = appendString(h, metadata[k])
		}
		h = append(h, '}')
	}
	var off uint64
	for i, j := range order {
		t := ts[j]
		if i > 0 || len(metadata) > 0 {
			h = append(h, ',')
		}
		h = appendString(h, t.Name)
		size, name := uint64(4), "F32"
		if t.Int64 {
			size, name = 8, "I64"
		}
		h = append(h, `:{"dtype":"`...)
		h = append(h, name...)
		h = append(h, `","shape":[`...)
		for k, d := range t.Tensor.Shape() {
			if k > 0 {
				h = append(h, ',')
			}
			h = strconv.AppendInt(h, int64(d), 10)
		}
		end := off + size*uint64(t.Tensor.Len())
		h = append(h, `],"data_offsets":[`...)
		h = strconv.AppendUint(h, off, 10)
		h = append(h, ',')
		h = strconv.AppendUint(h, end, 10)
		h = append(h, "]}"...)
		off = end
	}
	h = append(h, '}')
	for len(h)%8 != 0 {
		h = append(h, ' ')
	}

	bw := bufio.NewWriterSize(w, 1<<16)
	var b [8]byte
	le := binary.LittleEndian
	le.PutUint64(b[:], uint64(len(h)))
	bw.Write(b[:])
	bw.Write(h)
	for _, j := range order {
		t := ts[j]
		for _, v := range t.Tensor.Data() {
			if t.Int64 {
				le.PutUint64(b[:], uint64(int64(v)))
				bw.Write(b[:])
			} else {
				le.PutUint32(b[:4], math.Float32bits(v))
				bw.Write(b[:4])
			}
		}
	}
	if err := bw.Flush(); err != nil {
		return &nn.WeightsError{Msg: "writing safetensors", Err: err}
	}
	return nil
}

// appendString appends s as a JSON string, escaped as the reference writer (serde_json)
// escapes: the quote, the backslash and the control characters, \b \t \n \f \r by name and
// the others as \u00XX; everything else as it is, in UTF-8.
func appendString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c == '\b':
			b = append(b, `\b`...)
		case c == '\t':
			b = append(b, `\t`...)
		case c == '\n':
			b = append(b, `\n`...)
		case c == '\f':
			b = append(b, `\f`...)
		case c == '\r':
			b = append(b, `\r`...)
		case c < 0x20:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}
