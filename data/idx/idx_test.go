package idx

import (
	"bytes"
	"compress/gzip"
	"errors"
	"flag"
	"io"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the files of testdata/")

// arrays is the table of well-formed arrays, one or more per element type, shared by the
// round-trip, golden and fuzz tests.
var arrays = []struct {
	name string
	a    *Array
}{
	{"u8", &Array{Header: Header{Uint8, []int{2, 3}}, U8: []uint8{0, 1, 127, 128, 254, 255}}},
	{"u8-empty", &Array{Header: Header{Uint8, []int{0, 28, 28}}, U8: []uint8{}}},
	{"i8", &Array{Header: Header{Int8, []int{4}}, I8: []int8{-128, -1, 0, 127}}},
	{"i16", &Array{Header: Header{Int16, []int{1, 5}}, I16: []int16{math.MinInt16, -2, 0, 258, math.MaxInt16}}},
	{"i32", &Array{Header: Header{Int32, []int{3, 1, 1}}, I32: []int32{math.MinInt32, 16909060, math.MaxInt32}}},
	{"f32", &Array{Header: Header{Float32, []int{2, 2}}, F32: []float32{-0.5, float32(math.Inf(1)), math.SmallestNonzeroFloat32, math.MaxFloat32}}},
	{"f64", &Array{Header: Header{Float64, []int{3}}, F64: []float64{math.Pi, math.Copysign(0, -1), math.NaN()}}},
}

// encode returns the raw IDX bytes of a, or gzipped ones.
func encode(t testing.TB, a *Array, gz bool) []byte {
	t.Helper()
	var buf bytes.Buffer
	var w io.Writer = &buf
	var zw *gzip.Writer
	if gz {
		zw = gzip.NewWriter(&buf)
		w = zw
	}
	if err := Encode(w, a); err != nil {
		t.Fatal(err)
	}
	if gz {
		if err := zw.Close(); err != nil {
			t.Fatal(err)
		}
	}
	return buf.Bytes()
}

// same reports whether two arrays have the same header and the same element bits (NaN
// included).
func same(t testing.TB, a, b *Array) bool {
	t.Helper()
	return reflect.DeepEqual(a.Header, b.Header) && bytes.Equal(encode(t, a, false), encode(t, b, false))
}

// noLen hides the Len method of a reader, so that the decoder does not know its length.
type noLen struct{ io.Reader }

// decoders returns the ways to decode in, also written to the file at path: from a reader
// of known length, from one of unknown length, from the file, from the bytes.
func decoders(in []byte, path string) map[string]func() (*Array, error) {
	return map[string]func() (*Array, error){
		"known length":   func() (*Array, error) { return Decode(bytes.NewReader(in)) },
		"unknown length": func() (*Array, error) { return Decode(noLen{bytes.NewReader(in)}) },
		"file":           func() (*Array, error) { return ReadFile(path) },
		"bytes":          func() (*Array, error) { return DecodeBytes(slices.Clone(in)) },
	}
}

// TestKnownBytes decodes bytes written by hand from the format's description, an oracle
// that does not depend on Encode.
func TestKnownBytes(t *testing.T) {
	for _, tc := range []struct {
		in   []byte
		want *Array
	}{
		{[]byte{0, 0, 0x08, 2, 0, 0, 0, 2, 0, 0, 0, 3, 1, 2, 3, 4, 5, 255},
			&Array{Header: Header{Uint8, []int{2, 3}}, U8: []uint8{1, 2, 3, 4, 5, 255}}},
		{[]byte{0, 0, 0x09, 1, 0, 0, 0, 2, 0x80, 0x7f},
			&Array{Header: Header{Int8, []int{2}}, I8: []int8{-128, 127}}},
		{[]byte{0, 0, 0x0B, 1, 0, 0, 0, 2, 0x01, 0x02, 0xff, 0xfe},
			&Array{Header: Header{Int16, []int{2}}, I16: []int16{258, -2}}},
		{[]byte{0, 0, 0x0C, 1, 0, 0, 0, 1, 0x01, 0x02, 0x03, 0x04},
			&Array{Header: Header{Int32, []int{1}}, I32: []int32{16909060}}},
		{[]byte{0, 0, 0x0D, 1, 0, 0, 0, 1, 0x3f, 0xc0, 0, 0},
			&Array{Header: Header{Float32, []int{1}}, F32: []float32{1.5}}},
		{[]byte{0, 0, 0x0E, 1, 0, 0, 0, 1, 0xc0, 0x09, 0x21, 0xfb, 0x54, 0x44, 0x2d, 0x18},
			&Array{Header: Header{Float64, []int{1}}, F64: []float64{-math.Pi}}},
	} {
		got, err := Decode(bytes.NewReader(tc.in))
		if err != nil {
			t.Fatalf("%s: %v", tc.want.Type, err)
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: got %+v, want %+v", tc.want.Type, got, tc.want)
		}
		if enc := encode(t, tc.want, false); !bytes.Equal(enc, tc.in) {
			t.Errorf("%s: Encode gives % x, want % x", tc.want.Type, enc, tc.in)
		}
	}
}

// TestRoundTrip encodes every array of the table, raw and gzipped, and decodes it through
// every entry point: a reader of known length, one of unknown length, a file, the header
// readers.
func TestRoundTrip(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range arrays {
		for _, gz := range []bool{false, true} {
			name := tc.name
			if gz {
				name += ".gz"
			}
			in := encode(t, tc.a, gz)
			path := filepath.Join(dir, name)
			if err := os.WriteFile(path, in, 0o644); err != nil {
				t.Fatal(err)
			}
			for how, dec := range decoders(in, path) {
				got, err := dec()
				if err != nil {
					t.Fatalf("%s (%s): %v", name, how, err)
				}
				if !same(t, got, tc.a) {
					t.Errorf("%s (%s): got %+v, want %+v", name, how, got, tc.a)
				}
			}
			h, err := ReadHeader(bytes.NewReader(in))
			if err != nil || !reflect.DeepEqual(h, tc.a.Header) {
				t.Errorf("%s: ReadHeader = %+v, %v; want %+v", name, h, err, tc.a.Header)
			}
			h, err = ReadFileHeader(path)
			if err != nil || !reflect.DeepEqual(h, tc.a.Header) {
				t.Errorf("%s: ReadFileHeader = %+v, %v; want %+v", name, h, err, tc.a.Header)
			}
		}
	}
}

// gzipBytes compresses b.
func gzipBytes(b []byte) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(b)
	zw.Close()
	return buf.Bytes()
}

// damaged is the table of malformed inputs and the error each must give. in builds the
// input from a well-formed raw u8 file of dims [2, 3].
var damaged = []struct {
	name string
	in   func(raw []byte) []byte
	want error
}{
	{"empty", func([]byte) []byte { return nil }, ErrTruncated},
	{"bad magic", func(r []byte) []byte { return append([]byte{1}, r[1:]...) }, ErrMagic},
	{"bad magic second byte", func(r []byte) []byte { return append([]byte{0, 8}, r[2:]...) }, ErrMagic},
	{"zero dimensions", func([]byte) []byte { return []byte{0, 0, 8, 0} }, ErrMagic},
	{"unsupported type 0x0A", func(r []byte) []byte { return append([]byte{0, 0, 0x0A}, r[3:]...) }, ErrType},
	{"unsupported type 0x00", func(r []byte) []byte { return append([]byte{0, 0, 0}, r[3:]...) }, ErrType},
	{"overflowing dimensions", func([]byte) []byte {
		return []byte{0, 0, 0x0E, 3, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}
	}, ErrOverflow},
	{"overflowing dimensions gzip", func([]byte) []byte {
		return gzipBytes([]byte{0, 0, 0x08, 3, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x80, 0, 0, 0})
	}, ErrOverflow},
	{"truncated header", func(r []byte) []byte { return r[:3] }, ErrTruncated},
	{"truncated dimensions", func(r []byte) []byte { return r[:10] }, ErrTruncated},
	{"truncated payload", func(r []byte) []byte { return r[:len(r)-1] }, ErrTruncated},
	{"truncated payload gzip", func(r []byte) []byte { return gzipBytes(r[:len(r)-1]) }, ErrTruncated},
	{"truncated gzip stream", func(r []byte) []byte { g := gzipBytes(r); return g[:len(g)/2] }, ErrTruncated},
	{"truncated gzip trailer", func(r []byte) []byte { g := gzipBytes(r); return g[:len(g)-3] }, ErrTruncated},
	{"huge header short input", func([]byte) []byte { return []byte{0, 0, 8, 1, 0x7f, 0xff, 0xff, 0xff, 1, 2} }, ErrTruncated},
	{"trailing bytes", func(r []byte) []byte { return append(r[:len(r):len(r)], 0) }, ErrTrailing},
	{"trailing bytes gzip", func(r []byte) []byte { return gzipBytes(append(r[:len(r):len(r)], 7, 7)) }, ErrTrailing},
}

func TestDamaged(t *testing.T) {
	raw := encode(t, arrays[0].a, false)
	dir := t.TempDir()
	for _, tc := range damaged {
		in := tc.in(raw)
		path := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "-"))
		if err := os.WriteFile(path, in, 0o644); err != nil {
			t.Fatal(err)
		}
		for how, dec := range decoders(in, path) {
			a, err := dec()
			if !errors.Is(err, tc.want) {
				t.Errorf("%s (%s): err = %v, want %v", tc.name, how, err, tc.want)
				continue
			}
			var fe *FormatError
			if a != nil || !errors.As(err, &fe) {
				t.Errorf("%s (%s): got %v, %T; want nil, *FormatError", tc.name, how, a, err)
			}
			if how == "file" && !strings.Contains(err.Error(), path) {
				t.Errorf("%s: error %q does not name the file", tc.name, err)
			}
		}
	}
}

func TestDamagedGzip(t *testing.T) {
	g := gzipBytes(encode(t, arrays[0].a, false))
	g[len(g)-8] ^= 1 // the CRC-32 of the trailer
	if _, err := Decode(bytes.NewReader(g)); err == nil || !errors.Is(err, gzip.ErrChecksum) {
		t.Errorf("bad CRC: err = %v, want gzip.ErrChecksum", err)
	}
}

// TestNoAllocationFromHeader checks that a header declaring a huge payload costs no more
// memory than the input really holds, with a known length (checked before allocating) and
// with a gzip stream (buffer grown as bytes arrive).
func TestNoAllocationFromHeader(t *testing.T) {
	// u8 [2³¹-1, 4]: 8 GiB declared, 4 KiB present.
	huge := append([]byte{0, 0, 8, 2, 0x7f, 0xff, 0xff, 0xff, 0, 0, 0, 4}, make([]byte, 4096)...)
	for _, tc := range []struct {
		name string
		in   func() io.Reader
	}{
		{"raw, known length", func() io.Reader { return bytes.NewReader(huge) }},
		{"raw, unknown length", func() io.Reader { return noLen{bytes.NewReader(huge)} }},
		{"gzip", func() io.Reader { return bytes.NewReader(gzipBytes(huge)) }},
	} {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_, err := Decode(tc.in())
		runtime.ReadMemStats(&after)
		if !errors.Is(err, ErrTruncated) {
			t.Errorf("%s: err = %v, want ErrTruncated", tc.name, err)
		}
		if got := after.TotalAlloc - before.TotalAlloc; got > 4<<20 {
			t.Errorf("%s: allocated %d bytes for a 4 KiB input", tc.name, got)
		}
	}
}

// TestOneBuffer checks that the payload of an input of known length, raw or gzipped, is
// read into one buffer of its size, and that DecodeBytes keeps a raw file's u8 payload
// without a copy.
func TestOneBuffer(t *testing.T) {
	a := &Array{Header: Header{Uint8, []int{3 << 20}}, U8: make([]uint8, 3<<20)} // 3 MiB: grown twice from 1 MiB
	for i := range a.U8 {
		a.U8[i] = uint8(i * 7)
	}
	for _, gz := range []bool{false, true} {
		in := encode(t, a, gz)
		for how, dec := range map[string]func() (*Array, error){
			"Decode":      func() (*Array, error) { return Decode(bytes.NewReader(in)) },
			"DecodeBytes": func() (*Array, error) { return DecodeBytes(in) },
		} {
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			got, err := dec()
			runtime.ReadMemStats(&after)
			if err != nil || !same(t, got, a) {
				t.Fatalf("gzip %v, %s: %v", gz, how, err)
			}
			if cap(got.U8) != len(a.U8) {
				t.Errorf("gzip %v, %s: payload buffer of %d bytes, want %d", gz, how, cap(got.U8), len(a.U8))
			}
			limit := uint64(len(a.U8)) + 1<<20 // the payload, and the gzip reader's window and tables
			if !gz && how == "DecodeBytes" {
				limit = 64 << 10
				if &got.U8[0] != &in[len(in)-len(a.U8)] {
					t.Errorf("DecodeBytes copied a raw u8 payload")
				}
			}
			if n := after.TotalAlloc - before.TotalAlloc; n > limit {
				t.Errorf("gzip %v, %s: allocated %d bytes for a %d-byte payload", gz, how, n, len(a.U8))
			}
		}
	}
}

func TestEncodePanics(t *testing.T) {
	for name, a := range map[string]*Array{
		"unknown type":  {Header: Header{Type(1), []int{1}}},
		"no dimensions": {Header: Header{Uint8, nil}, U8: []uint8{1}},
		"negative":      {Header: Header{Uint8, []int{-1}}},
		"wrong length":  {Header: Header{Uint8, []int{3}}, U8: []uint8{1}},
		"wrong slice":   {Header: Header{Uint8, []int{1}}, F32: []float32{1}},
	} {
		func() {
			defer func() {
				if r := recover(); r == nil || !strings.HasPrefix(r.(string), "idx: ") {
					t.Errorf("%s: recovered %v, want an idx: panic", name, r)
				}
			}()
			Encode(io.Discard, a)
		}()
	}
}

// TestGolden decodes the committed files of testdata/ (also the fuzz seeds) and checks them
// against the table; -update rewrites them.
func TestGolden(t *testing.T) {
	raw := encode(t, arrays[0].a, false)
	for _, tc := range arrays {
		for _, gz := range []bool{false, true} {
			name := filepath.Join("testdata", tc.name+".idx")
			if gz {
				name += ".gz"
			}
			if *update {
				if err := os.WriteFile(name, encode(t, tc.a, gz), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			got, err := ReadFile(name)
			if err != nil {
				t.Fatal(err)
			}
			if !same(t, got, tc.a) {
				t.Errorf("%s: got %+v, want %+v", name, got, tc.a)
			}
		}
	}
	for _, tc := range damaged {
		name := filepath.Join("testdata", "damaged-"+strings.ReplaceAll(tc.name, " ", "-")+".idx")
		if *update {
			if err := os.WriteFile(name, tc.in(raw), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := ReadFile(name); !errors.Is(err, tc.want) {
			t.Errorf("%s: err = %v, want %v", name, err, tc.want)
		}
	}
}
