package safetensors

import (
	"bytes"
	"errors"
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/descent-ml/descent/nn"
	"github.com/descent-ml/descent/nn/internal/fixture"
)

// FuzzRead feeds arbitrary bytes to Read, seeded with the safetensors files of the fixtures
// (good and damaged). It must never panic; a file it refuses gives an *nn.WeightsError; a
// file it accepts survives Write and Read again with the same names, shapes, marks, values
// (bit for bit) and metadata.
func FuzzRead(f *testing.F) {
	seeds, err := filepath.Glob(filepath.Join(fixture.Dir(), "*.safetensors"))
	if err != nil || len(seeds) < 10 {
		f.Fatalf("seeds: %d files, %v", len(seeds), err)
	}
	for _, name := range seeds {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		ts, meta, err := Read(bytes.NewReader(in), int64(len(in)))
		if err != nil {
			if _, ok := errors.AsType[*nn.WeightsError](err); !ok {
				t.Fatalf("error %v is not a *nn.WeightsError", err)
			}
			return
		}
		var buf bytes.Buffer
		if err := Write(&buf, ts, meta); err != nil {
			t.Fatalf("writing what was read: %v", err)
		}
		again, meta2, err := Read(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
		if err != nil {
			t.Fatalf("reading what was written: %v", err)
		}
		if len(meta2) != len(meta) {
			t.Fatalf("metadata %v, then %v", meta, meta2)
		}
		for k, v := range meta {
			if meta2[k] != v {
				t.Fatalf("metadata %v, then %v", meta, meta2)
			}
		}
		first := byName(ts)
		if len(again) != len(ts) {
			t.Fatalf("%d tensors, then %d", len(ts), len(again))
		}
		for _, b := range again {
			a, ok := first[b.Name]
			if !ok || a.Int64 != b.Int64 || !slices.Equal(a.Tensor.Shape(), b.Tensor.Shape()) {
				t.Fatalf("%q changed in the round trip", b.Name)
			}
			for i, v := range a.Tensor.Data() {
				if math.Float32bits(v) != math.Float32bits(b.Tensor.Data()[i]) {
					t.Fatalf("%q[%d]: %v, then %v", b.Name, i, v, b.Tensor.Data()[i])
				}
			}
		}
	})
}
