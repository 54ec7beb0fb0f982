package idx

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// FuzzDecode feeds arbitrary bytes to the decoder, seeded with the files of testdata/. It
// must never panic; a file it accepts must decode the same with and without a known length
// and from bytes (DecodeBytes),
// agree with ReadHeader and survive an Encode/Decode round trip; a file it refuses must
// give an idx error.
func FuzzDecode(f *testing.F) {
	seeds, err := filepath.Glob(filepath.Join("testdata", "*.idx*"))
	if err != nil || len(seeds) == 0 {
		f.Fatalf("no seeds in testdata: %v", err)
	}
	for _, name := range seeds {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		a, err := Decode(bytes.NewReader(in))
		b, err2 := Decode(noLen{bytes.NewReader(in)})
		if (err == nil) != (err2 == nil) {
			t.Fatalf("known length: %v; unknown length: %v", err, err2)
		}
		if _, err3 := DecodeBytes(in); (err == nil) != (err3 == nil) {
			t.Fatalf("Decode: %v; DecodeBytes: %v", err, err3)
		}
		if err != nil {
			var fe *FormatError
			if !errors.As(err, &fe) && !strings.HasPrefix(err.Error(), "idx: ") {
				t.Fatalf("error %q is not an idx error", err)
			}
			return
		}
		if !same(t, a, b) {
			t.Fatal("known and unknown length decode differently")
		}
		if c, err := DecodeBytes(in); err != nil || !same(t, a, c) {
			t.Fatalf("DecodeBytes: %v, differs from Decode", err)
		}
		h, err := ReadHeader(bytes.NewReader(in))
		if err != nil || !reflect.DeepEqual(h, a.Header) {
			t.Fatalf("ReadHeader = %+v, %v; Decode's header %+v", h, err, a.Header)
		}
		c, err := Decode(bytes.NewReader(encode(t, a, false)))
		if err != nil || !same(t, a, c) {
			t.Fatalf("round trip: %v", err)
		}
	})
}
