package npy

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// seeds adds the files of testdata/ that match pattern to the corpus of f.
func seeds(f *testing.F, pattern string) {
	names, err := filepath.Glob(filepath.Join("testdata", pattern))
	if err != nil || len(names) == 0 {
		f.Fatalf("no seeds %s in testdata: %v", pattern, err)
	}
	for _, name := range names {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
}

// FuzzDecode feeds arbitrary bytes to the decoder, seeded with the .npy files of
// testdata/. It must never panic; a file it accepts must decode the same with and without
// a known length, agree with ReadHeader and survive an Encode/Decode round trip; a file it
// refuses must give an npy error.
func FuzzDecode(f *testing.F) {
	seeds(f, "*.npy")
	f.Fuzz(func(t *testing.T, in []byte) {
		a, err := Decode(bytes.NewReader(in))
		b, err2 := Decode(noLen{bytes.NewReader(in)})
		if (err == nil) != (err2 == nil) {
			t.Fatalf("known length: %v; unknown length: %v", err, err2)
		}
		if err != nil {
			var fe *FormatError
			if !errors.As(err, &fe) {
				t.Fatalf("error %q is not a FormatError", err)
			}
			return
		}
		if !reflect.DeepEqual(a, b) {
			t.Fatal("known and unknown length decode differently")
		}
		h, err := ReadHeader(bytes.NewReader(in))
		if err != nil || !reflect.DeepEqual(h, a.Header) {
			t.Fatalf("ReadHeader = %+v, %v; Decode's header %+v", h, err, a.Header)
		}
		var buf bytes.Buffer
		if err := Encode(&buf, a); err != nil {
			t.Fatal(err)
		}
		c, err := Decode(&buf)
		if err != nil || c.Dtype != a.Dtype || !reflect.DeepEqual(c.Shape, a.Shape) || !bytes.Equal(c.Data, a.Data) {
			t.Fatalf("round trip: %v", err)
		}
	})
}

// FuzzDecodeNPZ feeds arbitrary bytes to the .npz decoder, seeded with the .npz files of
// testdata/. It must never panic, and every error must be an npy error, possibly naming a
// member.
func FuzzDecodeNPZ(f *testing.F) {
	seeds(f, "*.npz")
	f.Fuzz(func(t *testing.T, in []byte) {
		arrays, err := DecodeNPZ(bytes.NewReader(in), int64(len(in)))
		if err != nil {
			var fe *FormatError
			if !errors.As(err, &fe) && !strings.HasPrefix(err.Error(), "member ") {
				t.Fatalf("error %q is not an npz error", err)
			}
			return
		}
		for name, a := range arrays {
			if len(a.Data) != a.Len()*a.Dtype.Size() {
				t.Fatalf("%s: %d bytes for %v", name, len(a.Data), a.Header)
			}
		}
	})
}
