package torchfile

import (
	"archive/zip"
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/descent-ml/descent/nn"
	"github.com/descent-ml/descent/nn/internal/fixture"
)

// check reads in, which must not panic, and checks that a refusal is an *nn.WeightsError.
func check(t *testing.T, in []byte) {
	ts, err := Read(bytes.NewReader(in), int64(len(in)))
	if err != nil {
		if _, ok := errors.AsType[*nn.WeightsError](err); !ok {
			t.Fatalf("error %v is not a *nn.WeightsError", err)
		}
		return
	}
	var total int
	for _, x := range ts {
		total += x.Tensor.Len()
	}
	if total > len(in) {
		t.Fatalf("%d elements from a file of %d bytes", total, len(in))
	}
}

// FuzzRead feeds arbitrary files to Read, seeded with the torch files and zip archives of
// the fixtures (good and damaged). It must never panic, and a refusal is an
// *nn.WeightsError.
func FuzzRead(f *testing.F) {
	var seeds []string
	for _, pat := range []string{"*.pt", "*.zip"} {
		s, _ := filepath.Glob(filepath.Join(fixture.Dir(), pat))
		seeds = append(seeds, s...)
	}
	if len(seeds) < 6 {
		f.Fatalf("%d seeds", len(seeds))
	}
	for _, name := range seeds {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(check)
}

// FuzzPickle puts arbitrary bytes in place of data.pkl in the archive of mlp.pt (and of
// dtypes.pt), seeded with their own pickles, so that the fuzzer works on the scanner, the
// unpickler and the views rather than on the zip format. It must never panic, and a
// refusal is an *nn.WeightsError.
func FuzzPickle(f *testing.F) {
	type record struct {
		name string
		data []byte
	}
	var archives [][]record
	for _, file := range []string{"mlp.pt", "dtypes.pt"} {
		z, err := zip.OpenReader(fixture.Path(file))
		if err != nil {
			f.Fatal(err)
		}
		var rs []record
		for _, zf := range z.File {
			rc, err := zf.Open()
			if err != nil {
				f.Fatal(err)
			}
			b, err := io.ReadAll(rc)
			rc.Close()
			if err != nil {
				f.Fatal(err)
			}
			rs = append(rs, record{zf.Name, b})
			if filepath.Base(zf.Name) == "data.pkl" {
				f.Add(uint8(len(archives)), b)
			}
		}
		z.Close()
		archives = append(archives, rs)
	}
	f.Fuzz(func(t *testing.T, which uint8, pkl []byte) {
		var buf bytes.Buffer
		w := zip.NewWriter(&buf)
		for _, r := range archives[int(which)%len(archives)] {
			out, err := w.CreateHeader(&zip.FileHeader{Name: r.name, Method: zip.Store})
			if err != nil {
				t.Fatal(err)
			}
			if filepath.Base(r.name) == "data.pkl" {
				out.Write(pkl)
			} else {
				out.Write(r.data)
			}
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		check(t, buf.Bytes())
	})
}
