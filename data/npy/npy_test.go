package npy

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// manifest is testdata/manifest.json, written by testdata/gen_npy.py with NumPy: what
// each fixture holds, an oracle that does not depend on the decoder.
type manifest struct {
	Arrays []struct {
		File      string `json:"file"`
		Dtype     string `json:"dtype"`
		Shape     []int  `json:"shape"`
		Fortran   bool   `json:"fortran"`
		BigEndian bool   `json:"big_endian"`
		Values    []any  `json:"values"` // json.Number, bool, or a string for NaN and ±Inf
	} `json:"arrays"`
	Refused []struct {
		File  string `json:"file"`
		Error string `json:"error"`
	} `json:"refused"`
	NPZ []struct {
		File   string `json:"file"`
		Arrays map[string]struct {
			Dtype  string `json:"dtype"`
			Shape  []int  `json:"shape"`
			Values []any  `json:"values"`
		} `json:"arrays"`
	} `json:"npz"`
}

func readManifest(t testing.TB) manifest {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m manifest
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	if err := d.Decode(&m); err != nil {
		t.Fatal(err)
	}
	return m
}

// checkValues compares the elements of a, in C order, with NumPy's: exactly for integers
// (as decimal strings), bit for bit for floats (NaN with NaN).
func checkValues(t *testing.T, name string, a *Array, values []any) {
	t.Helper()
	if a.Len() != len(values) {
		t.Fatalf("%s: %d elements, want %d", name, a.Len(), len(values))
	}
	for i, v := range values {
		w := fmt.Sprint(v)
		var got string
		switch a.Dtype {
		case Bool:
			got = strconv.FormatBool(a.Data[i] == 1)
		case Uint64:
			got = strconv.FormatUint(binary.LittleEndian.Uint64(a.Data[8*i:]), 10)
		case Float32, Float64:
			f, err := parseFloat(w)
			if err != nil {
				t.Fatal(err)
			}
			if a.Dtype == Float32 {
				f = float64(float32(f))
			}
			v := a.Float64(i)
			if !(v == f && math.Signbit(v) == math.Signbit(f)) && !(math.IsNaN(v) && math.IsNaN(f)) {
				t.Errorf("%s: element %d = %v, want %v", name, i, v, f)
			}
			continue
		default:
			v, ok := a.Int64(i)
			if !ok {
				t.Fatalf("%s: element %d does not fit in an int64", name, i)
			}
			got = strconv.FormatInt(v, 10)
		}
		if got != w {
			t.Errorf("%s: element %d = %s, want %s", name, i, got, w)
		}
	}
}

func parseFloat(s string) (float64, error) {
	switch s {
	case "nan":
		return math.NaN(), nil
	case "inf":
		return math.Inf(1), nil
	case "-inf":
		return math.Inf(-1), nil
	}
	return strconv.ParseFloat(s, 64)
}

// TestFixtures decodes every array NumPy wrote, of every dtype, byte order, memory order
// and format version, from a file, from a reader of known length and from one of unknown
// length, and compares it with the manifest; re-encoding a little-endian C-order file of
// version 1.0 gives NumPy's bytes.
func TestFixtures(t *testing.T) {
	m := readManifest(t)
	if len(m.Arrays) < 15 {
		t.Fatalf("only %d arrays in the manifest", len(m.Arrays))
	}
	for _, f := range m.Arrays {
		path := filepath.Join("testdata", f.File)
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		for how, dec := range decoders(raw, path) {
			a, err := dec()
			if err != nil {
				t.Fatalf("%s (%s): %v", f.File, how, err)
			}
			if a.Dtype.String() != f.Dtype || !reflect.DeepEqual(a.Shape, f.Shape) || a.Fortran != f.Fortran || a.BigEndian != f.BigEndian {
				t.Fatalf("%s (%s): header %+v, want %s %v fortran %t big-endian %t", f.File, how, a.Header, f.Dtype, f.Shape, f.Fortran, f.BigEndian)
			}
			checkValues(t, f.File+" ("+how+")", a, f.Values)
			var buf bytes.Buffer
			if err := Encode(&buf, a); err != nil {
				t.Fatal(err)
			}
			b, err := Decode(bytes.NewReader(buf.Bytes()))
			if err != nil || b.Dtype != a.Dtype || !reflect.DeepEqual(b.Shape, a.Shape) || !bytes.Equal(b.Data, a.Data) {
				t.Fatalf("%s: round trip: %v", f.File, err)
			}
			if !f.Fortran && !f.BigEndian && a.Major == 1 && !bytes.Equal(buf.Bytes(), raw) {
				t.Errorf("%s: Encode differs from numpy.save:\n%q\n%q", f.File, buf.Bytes()[:min(buf.Len(), 140)], raw[:min(len(raw), 140)])
			}
		}
		h, err := ReadHeader(bytes.NewReader(raw))
		if err != nil || h.Dtype.String() != f.Dtype || !reflect.DeepEqual(h.Shape, f.Shape) {
			t.Errorf("%s: ReadHeader = %+v, %v", f.File, h, err)
		}
	}
}

// noLen hides the Len method of a reader, so that the decoder does not know its length.
type noLen struct{ io.Reader }

// decoders returns the ways to decode in, also the file at path.
func decoders(in []byte, path string) map[string]func() (*Array, error) {
	return map[string]func() (*Array, error){
		"known length":   func() (*Array, error) { return Decode(bytes.NewReader(in)) },
		"unknown length": func() (*Array, error) { return Decode(noLen{bytes.NewReader(in)}) },
		"file":           func() (*Array, error) { return ReadFile(path) },
	}
}

var sentinels = map[string]error{
	"ErrMagic": ErrMagic, "ErrVersion": ErrVersion, "ErrHeader": ErrHeader, "ErrDtype": ErrDtype,
	"ErrOverflow": ErrOverflow, "ErrTruncated": ErrTruncated, "ErrTrailing": ErrTrailing, "ErrArchive": ErrArchive,
}

// TestRefusedDtypes decodes NumPy's files of dtypes the decoder does not read: strings,
// complex, float16, datetimes, records, pickled objects.
func TestRefusedDtypes(t *testing.T) {
	for _, f := range readManifest(t).Refused {
		path := filepath.Join("testdata", f.File)
		_, err := ReadFile(path)
		var fe *FormatError
		if !errors.Is(err, sentinels[f.Error]) || !errors.As(err, &fe) || !strings.HasPrefix(err.Error(), path+": npy: ") {
			t.Errorf("%s: error %v, want %s", f.File, err, f.Error)
			continue
		}
		t.Logf("%v", err)
	}
}

// header returns an .npy file of version 1.0 with the header text dict and then data.
func header(dict string, data ...byte) []byte {
	b := append(magic[:], 1, 0)
	b = binary.LittleEndian.AppendUint16(b, uint16(len(dict)))
	return append(append(b, dict...), data...)
}

// TestDamaged refuses damaged and unsupported inputs, whatever the decoder knows of the
// input's length, each with the sentinel error of the case.
func TestDamaged(t *testing.T) {
	f8 := func(shape string) string {
		return "{'descr': '<f8', 'fortran_order': False, 'shape': " + shape + ", }\n"
	}
	v2 := append(magic[:], 2, 0, 0xff, 0xff, 0xff, 0x7f) // a 2 GiB header
	for _, tc := range []struct {
		name string
		in   []byte
		err  error
	}{
		{"empty", nil, ErrTruncated},
		{"short magic", []byte("\x93NUM"), ErrTruncated},
		{"bad magic", []byte("\x93NUMPX\x01\x00\x00\x00"), ErrMagic},
		{"pickle", []byte("\x80\x04\x95\x00\x00\x00\x00\x00\x00"), ErrMagic},
		{"version 4", append(magic[:], 4, 0, 0, 0), ErrVersion},
		{"version 1.1", append(magic[:], 1, 1, 0, 0), ErrVersion},
		{"truncated length", append(magic[:], 1, 0, 5), ErrTruncated},
		{"huge header", v2, ErrHeader},
		{"truncated header", append(magic[:], 1, 0, 50, 0, '{'), ErrTruncated},
		{"not a dict", header("[1, 2]\n"), ErrHeader},
		{"no shape", header("{'descr': '<f8', 'fortran_order': False}\n"), ErrHeader},
		{"extra key", header("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), 'x': 1}\n"), ErrHeader},
		{"key twice", header("{'descr': '<f8', 'descr': '<f8', 'fortran_order': False, 'shape': (1,)}\n"), ErrHeader},
		{"shape an int", header(f8("(3)")), ErrHeader},
		{"negative dimension", header(f8("(-3,)")), ErrHeader},
		{"float dimension", header(f8("(1.5,)")), ErrHeader},
		{"unclosed shape", header("{'descr': '<f8', 'fortran_order': False, 'shape': (3, \n"), ErrHeader},
		{"fortran order maybe", header("{'descr': '<f8', 'fortran_order': Maybe, 'shape': (1,)}\n"), ErrHeader},
		{"unquoted descr", header("{'descr': f8, 'fortran_order': False, 'shape': (1,)}\n"), ErrHeader},
		{"no byte order for f8", header("{'descr': '|f8', 'fortran_order': False, 'shape': (1,)}\n"), ErrHeader},
		{"garbage after dict", header(f8("(1,)") + "x"), ErrHeader},
		{"float16", header("{'descr': '<f2', 'fortran_order': False, 'shape': (1,)}\n", 0, 0), ErrDtype},
		{"unicode", header("{'descr': '<U3', 'fortran_order': False, 'shape': (1,)}\n"), ErrDtype},
		{"empty descr", header("{'descr': '', 'fortran_order': False, 'shape': (1,)}\n"), ErrDtype},
		{"records", header("{'descr': [('a', '<i4')], 'fortran_order': False, 'shape': (1,)}\n"), ErrDtype},
		{"huge dimension", header(f8("(99999999999999999999,)")), ErrOverflow},
		{"overflowing shape", header(f8("(4294967296, 4294967296)")), ErrOverflow},
		{"overflowing bytes", header(f8("(1152921504606846976,)")), ErrOverflow},
		{"lying shape", header(f8("(1000000000000,)"), 1, 2, 3), ErrTruncated},
		{"truncated data", header(f8("(2,)"), make([]byte, 15)...), ErrTruncated},
		{"trailing data", header(f8("(2,)"), make([]byte, 17)...), ErrTrailing},
		{"data of a scalar missing", header(f8("()")), ErrTruncated},
	} {
		path := filepath.Join(t.TempDir(), "damaged.npy")
		if err := os.WriteFile(path, tc.in, 0o644); err != nil {
			t.Fatal(err)
		}
		for how, dec := range decoders(tc.in, path) {
			_, err := dec()
			var fe *FormatError
			if !errors.Is(err, tc.err) || !errors.As(err, &fe) {
				t.Errorf("%s (%s): error %v, want %v", tc.name, how, err, tc.err)
			}
			if how == "file" && (err == nil || !strings.HasPrefix(err.Error(), path+": npy: ")) {
				t.Errorf("%s: error %v does not name the file", tc.name, err)
			}
		}
	}
}

// TestHeaderForms accepts the forms of a header NumPy and Python may write.
func TestHeaderForms(t *testing.T) {
	for _, tc := range []struct {
		dict  string
		dtype Dtype
		shape []int
	}{
		{`{"shape": (2, 1), "fortran_order": False, "descr": "<i4"}`, Int32, []int{2, 1}},
		{"{'descr': '>u2', 'fortran_order': True, 'shape': (2L,), }   \n", Uint16, []int{2}},
		{" {'descr':'|u1','fortran_order':False,'shape':(1,1,2)}\n", Uint8, []int{1, 1, 2}},
		{"{'descr': '<i8', 'fortran_order': False, 'shape': (0, 5), }\n", Int64, []int{0, 5}},
		{"{'descr': '|b1', 'fortran_order': False, 'shape': (), }\n", Bool, []int{}},
	} {
		n := 1
		for _, d := range tc.shape {
			n *= d
		}
		a, err := Decode(bytes.NewReader(header(tc.dict, make([]byte, n*tc.dtype.Size())...)))
		if err != nil || a.Dtype != tc.dtype || !reflect.DeepEqual(a.Shape, tc.shape) {
			t.Errorf("%q: %+v, %v", tc.dict, a, err)
		}
	}
}

// TestBoolNormalised checks that a bool byte other than 0 reads as true (1).
func TestBoolNormalised(t *testing.T) {
	a, err := Decode(bytes.NewReader(header("{'descr': '|b1', 'fortran_order': False, 'shape': (3,)}\n", 0, 2, 255)))
	if err != nil || !bytes.Equal(a.Data, []byte{0, 1, 1}) {
		t.Fatalf("%v, %v", a, err)
	}
}

// TestFromSlice builds an array of every Element type and reads it back through Encode,
// Decode and the accessors.
func TestFromSlice(t *testing.T) {
	for _, tc := range []struct {
		a    *Array
		want []float64
	}{
		{FromSlice([]bool{true, false}), []float64{1, 0}},
		{FromSlice([]int8{-128, 5}), []float64{-128, 5}},
		{FromSlice([]uint8{255, 5}), []float64{255, 5}},
		{FromSlice([]int16{-32768, 5}), []float64{-32768, 5}},
		{FromSlice([]uint16{65535, 5}), []float64{65535, 5}},
		{FromSlice([]int32{math.MinInt32, 5}), []float64{math.MinInt32, 5}},
		{FromSlice([]uint32{math.MaxUint32, 5}), []float64{math.MaxUint32, 5}},
		{FromSlice([]int64{-1 << 40, 5}), []float64{-1 << 40, 5}},
		{FromSlice([]uint64{1 << 63, 5}), []float64{1 << 63, 5}},
		{FromSlice([]float32{-0.5, 5}), []float64{-0.5, 5}},
		{FromSlice([]float64{1e300, 5}, 1, 2), []float64{1e300, 5}},
	} {
		var buf bytes.Buffer
		if err := Encode(&buf, tc.a); err != nil {
			t.Fatal(err)
		}
		b, err := Decode(&buf)
		if err != nil {
			t.Fatalf("%s: %v", tc.a.Dtype, err)
		}
		f32 := b.Float32s()
		for i, w := range tc.want {
			if b.Float64(i) != w || f32[i] != float32(w) {
				t.Errorf("%s: element %d = %v (%v as float32), want %v", b.Dtype, i, b.Float64(i), f32[i], w)
			}
			v, ok := b.Int64(i)
			if fits := b.Dtype.Integer() && w < 1<<63; ok != fits || (ok && float64(v) != w) {
				t.Errorf("%s: Int64(%d) = %d, %t", b.Dtype, i, v, ok)
			}
		}
	}
}

// npzOf returns a zip archive with the given members, stored or deflated.
func npzOf(t testing.TB, deflate bool, members ...any) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for i := 0; i < len(members); i += 2 {
		method := zip.Store
		if deflate {
			method = zip.Deflate
		}
		w, err := zw.CreateHeader(&zip.FileHeader{Name: members[i].(string), Method: method})
		if err != nil {
			t.Fatal(err)
		}
		switch m := members[i+1].(type) {
		case *Array:
			err = Encode(w, m)
		case []byte:
			_, err = w.Write(m)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestNPZFixtures(t *testing.T) {
	for _, f := range readManifest(t).NPZ {
		arrays, err := ReadNPZ(filepath.Join("testdata", f.File))
		if err != nil {
			t.Fatalf("%s: %v", f.File, err)
		}
		if got := fmt.Sprint(Names(arrays)); got != "[x y]" {
			t.Fatalf("%s: arrays %s", f.File, got)
		}
		for name, want := range f.Arrays {
			a := arrays[name]
			if a.Dtype.String() != want.Dtype || !reflect.DeepEqual(a.Shape, want.Shape) {
				t.Errorf("%s: %s is %s %v, want %s %v", f.File, name, a.Dtype, a.Shape, want.Dtype, want.Shape)
			}
			checkValues(t, f.File+":"+name, a, want.Values)
		}
	}
}

// TestNPZDamaged refuses damaged archives and archives with a damaged member, naming the
// member.
func TestNPZDamaged(t *testing.T) {
	good := FromSlice([]float32{1, 2, 3})
	var enc bytes.Buffer
	Encode(&enc, good)
	crc := npzOf(t, false, "x.npy", good)
	i := bytes.Index(crc, enc.Bytes()[len(enc.Bytes())-4:])
	crc[i] ^= 1 // a stored member's data changed: its CRC no longer matches
	deflated := npzOf(t, true, "x.npy", FromSlice(make([]float64, 1000)))
	for _, tc := range []struct {
		name, member string
		in           []byte
		err          error
	}{
		{"not a zip", "", []byte("x,y\n1,2\n"), ErrArchive},
		{"an npy, not an npz", "", enc.Bytes(), ErrArchive},
		{"truncated zip", "", deflated[:len(deflated)/2], ErrArchive},
		{"bad member", "y.npy", npzOf(t, false, "x.npy", good, "y.npy", []byte("\x93NUMPY\x01\x00")), ErrTruncated},
		{"bad dtype", "y.npy", npzOf(t, true, "y.npy", header("{'descr': '<c8', 'fortran_order': False, 'shape': (1,)}\n", make([]byte, 8)...)), ErrDtype},
		{"member twice", "", npzOf(t, false, "x.npy", good, "x.npy", good), ErrArchive},
		{"crc", "x.npy", crc, ErrArchive},
	} {
		_, err := DecodeNPZ(bytes.NewReader(tc.in), int64(len(tc.in)))
		if !errors.Is(err, tc.err) || !strings.Contains(err.Error(), tc.member) {
			t.Errorf("%s: error %v, want %v naming %q", tc.name, err, tc.err, tc.member)
		}
	}
	// Members that are not .npy files are skipped.
	arrays, err := DecodeNPZ(bytes.NewReader(npzOf(t, false, "README", []byte("hi"), "x.npy", good)), 0)
	if err == nil {
		t.Errorf("size 0 accepted: %v", Names(arrays))
	}
	in := npzOf(t, false, "README", []byte("hi"), "dir/x.npy", good)
	arrays, err = DecodeNPZ(bytes.NewReader(in), int64(len(in)))
	if err != nil || fmt.Sprint(Names(arrays)) != "[dir/x]" {
		t.Errorf("arrays %v, %v", Names(arrays), err)
	}
}

func TestEncodePanics(t *testing.T) {
	for name, f := range map[string]func(){
		"unknown dtype":    func() { Encode(io.Discard, &Array{Header: Header{Shape: []int{1}}, Data: []byte{0}}) },
		"wrong length":     func() { Encode(io.Discard, &Array{Header: Header{Dtype: Int32, Shape: []int{2}}, Data: []byte{0}}) },
		"negative dim":     func() { Encode(io.Discard, &Array{Header: Header{Dtype: Int8, Shape: []int{-1}}}) },
		"from slice shape": func() { FromSlice([]int8{1, 2}, 3) },
	} {
		func() {
			defer func() {
				if r := recover(); r == nil || !strings.HasPrefix(fmt.Sprint(r), "npy: ") {
					t.Errorf("%s: panic %v", name, r)
				}
			}()
			f()
		}()
	}
}
