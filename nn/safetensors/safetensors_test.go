package safetensors

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/descent-ml/descent/nn"
	"github.com/descent-ml/descent/nn/internal/fixture"
	"github.com/descent-ml/descent/tensor"
)

// byName returns the tensors of ts by name.
func byName(ts []nn.NamedTensor) map[string]nn.NamedTensor {
	m := make(map[string]nn.NamedTensor, len(ts))
	for _, t := range ts {
		m[t.Name] = t
	}
	return m
}

// TestReadPythonFile reads the MLP's state_dict as the script's writer wrote it: every tensor
// of PyTorch's state_dict, bit for bit, num_batches_tracked as Int64; the data in the
// reference writer's order (I64 first, then by name); the metadata.
func TestReadPythonFile(t *testing.T) {
	want := fixture.Load(t)
	ts, meta, err := ReadFile(fixture.Path("mlp.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	if len(meta) != 1 || meta["format"] != "pt" {
		t.Errorf("metadata %v", meta)
	}
	got := byName(ts)
	if len(ts) != len(want.State) || len(got) != len(ts) {
		t.Fatalf("%d tensors, want %d", len(ts), len(want.State))
	}
	for _, w := range want.State {
		if err := fixture.Compare(got[w.Name], w, false); err != nil {
			t.Error(err)
		}
	}
	var names []string
	for _, e := range ts {
		names = append(names, e.Name)
	}
	wantNames := []string{"5.num_batches_tracked", "0.bias", "0.weight", "1.bias", "1.weight", "4.bias", "4.weight",
		"5.bias", "5.running_mean", "5.running_var", "5.weight", "8.bias", "8.weight"}
	if !slices.Equal(names, wantNames) {
		t.Errorf("order %v, want %v", names, wantNames)
	}
}

// TestWriteIsReferenceLayout writes what it read from the script's file, with the same
// metadata, and gets the same bytes: the layout, padding, order and JSON of the reference
// writer, which the script follows independently.
func TestWriteIsReferenceLayout(t *testing.T) {
	want, err := os.ReadFile(fixture.Path("mlp.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	ts, meta, err := Read(bytes.NewReader(want), int64(len(want)))
	if err != nil {
		t.Fatal(err)
	}
	slices.Reverse(ts) // the order given to Write does not matter
	var buf bytes.Buffer
	if err := Write(&buf, ts, meta); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), want) {
		n := 0
		for n < min(buf.Len(), len(want)) && buf.Bytes()[n] == want[n] {
			n++
		}
		t.Fatalf("written bytes differ from the reference layout from byte %d:\n got %.80q\nwant %.80q",
			n, buf.Bytes()[max(0, n-20):], want[max(0, n-20):])
	}
}

// TestReadDtypes reads F64, F16, BF16 and I64 tensors, a scalar and an empty tensor, and
// compares them with PyTorch's values rounded to float32.
func TestReadDtypes(t *testing.T) {
	want := fixture.Load(t)
	ts, meta, err := ReadFile(fixture.Path("dtypes.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	if meta != nil {
		t.Errorf("metadata %v, want none", meta)
	}
	got := byName(ts)
	n := 0
	for _, w := range want.Dtypes {
		g, ok := got[w.Name]
		if !ok {
			continue // a view, only in dtypes.pt
		}
		n++
		w.Int64 = w.Name == "i64"
		if err := fixture.Compare(g, w, false); err != nil {
			t.Error(err)
		}
	}
	if n != len(ts) || n != 7 {
		t.Errorf("compared %d of %d tensors, want 7", n, len(ts))
	}
}

// TestBadFiles reads the script's damaged files: each is refused with a *nn.WeightsError
// that names the file and, where there is one, the tensor, and says what is wrong.
func TestBadFiles(t *testing.T) {
	for _, c := range []struct {
		file, tensor, msg string
		eof               bool
	}{
		{"bad_truncated_header.safetensors", "", "truncated safetensors header: length 880, 440 bytes follow", true},
		{"bad_short.safetensors", "", "safetensors file of 5 bytes", true},
		{"bad_not_json.safetensors", "", "safetensors header does not start with a JSON object", false},
		{"bad_header_length.safetensors", "", "truncated safetensors header: length 1099511627776", true},
		{"bad_offsets.safetensors", "8.weight", "data_offsets [388, 836] run past the data, which has 436 bytes", false},
		{"bad_overlap.safetensors", "4.weight", "data_offsets [216, 312] overlap the previous tensor's, which ends at 220", false},
		{"bad_shape_bytes.safetensors", "0.weight", "span 120 bytes, shape [5 7] of F32 needs 35×4", false},
		{"bad_dtype.safetensors", "0.weight", "dtype F8_E4M3 is not read", false},
		{"bad_duplicate.safetensors", "8.bias", "appears twice in the safetensors header", false},
	} {
		path := fixture.Path(c.file)
		_, _, err := ReadFile(path)
		we, ok := errors.AsType[*nn.WeightsError](err)
		if !ok || we.File != path || we.Tensor != c.tensor || !strings.Contains(err.Error(), c.msg) ||
			errors.Is(err, io.ErrUnexpectedEOF) != c.eof {
			t.Errorf("%s: %v; want tensor %q and %q", c.file, err, c.tensor, c.msg)
		}
	}
}

// header returns a file with the given header and data bytes, the header padded.
func header(h string, data int) []byte {
	for len(h)%8 != 0 {
		h += " "
	}
	b := binary.LittleEndian.AppendUint64(nil, uint64(len(h)))
	return append(append(b, h...), make([]byte, data)...)
}

// TestHeaderChecks covers the checks that the fixtures do not: each header is refused, with
// the message given.
func TestHeaderChecks(t *testing.T) {
	for _, c := range []struct {
		name string
		file []byte
		msg  string
	}{
		{"trailing", header(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}} {}`, 4), "after the JSON object"},
		{"array", header(`[1,2]`, 0), "does not start with a JSON object"},
		{"truncated JSON", header(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}`, 4), "not JSON"},
		{"not UTF-8", header("{\"\xff\":1}", 0), "not UTF-8"},
		{"extra key", header(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4],"x":1}}`, 4), "unknown field"},
		{"no dtype", header(`{"a":{"shape":[1],"data_offsets":[0,4]}}`, 4), "no dtype"},
		{"no shape", header(`{"a":{"dtype":"F32","data_offsets":[0,4]}}`, 4), "no shape"},
		{"no offsets", header(`{"a":{"dtype":"F32","shape":[1]}}`, 4), "no data_offsets"},
		{"three offsets", header(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4,8]}}`, 4), "want [begin, end]"},
		{"negative dim", header(`{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}`, 4), "cannot unmarshal"},
		{"fractional dim", header(`{"a":{"dtype":"F32","shape":[1.5],"data_offsets":[0,4]}}`, 4), "cannot unmarshal"},
		{"unknown dtype", header(`{"a":{"dtype":"F33","shape":[1],"data_offsets":[0,4]}}`, 4), `unknown dtype "F33"`},
		{"rank 7", header(`{"a":{"dtype":"F32","shape":[1,1,1,1,1,1,1],"data_offsets":[0,4]}}`, 4), "rank 7"},
		{"hole", header(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}`, 8), "leave a hole"},
		{"reversed", header(`{"a":{"dtype":"F32","shape":[0],"data_offsets":[0,0]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,0]}}`, 4), "end before they begin"},
		{"short data", header(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}`, 8), "end at 4, the data has 8 bytes"},
		{"overflow", header(`{"a":{"dtype":"F64","shape":[2147483647,2147483647,2147483647],"data_offsets":[0,8]}}`, 8), "overflows"},
		{"metadata not strings", header(`{"__metadata__":{"a":1}}`, 0), "not an object of strings"},
		{"metadata null", header(`{"__metadata__":null}`, 0), "not an object of strings"},
		{"I64 beyond float32", append(header(`{"a":{"dtype":"I64","shape":[1],"data_offsets":[0,8]}}`, 0), 1, 0, 0, 1, 0, 0, 0, 0), "element 0 (16777217) is not representable"},
		{"F64 beyond float32", append(header(`{"a":{"dtype":"F64","shape":[1],"data_offsets":[0,8]}}`, 0), binary.LittleEndian.AppendUint64(nil, math.Float64bits(1e39))...), "element 0 (1e+39)"},
	} {
		_, _, err := Read(bytes.NewReader(c.file), int64(len(c.file)))
		if _, ok := errors.AsType[*nn.WeightsError](err); !ok || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%s: %v, want %q", c.name, err, c.msg)
		}
	}
}

// TestRoundTrip writes tensors of every rank, a scalar, an empty one and an Int64 one with
// metadata, and reads them back bit for bit (NaN, infinities and −0 included).
func TestRoundTrip(t *testing.T) {
	nan := float32(math.NaN())
	ts := []nn.NamedTensor{
		{Name: "b", Tensor: tensor.FromSlice([]float32{1, nan, float32(math.Inf(-1)), float32(math.Copysign(0, -1))}, 2, 2)},
		{Name: "a.count", Tensor: tensor.FromSlice([]float32{-(1 << 24)}), Int64: true},
		{Name: "scalar", Tensor: tensor.FromSlice([]float32{3.5})},
		{Name: "empty", Tensor: tensor.New(0, 4)},
		{Name: "rank6", Tensor: tensor.FromSlice([]float32{1, 2, 3, 4, 5, 6}, 1, 2, 1, 3, 1, 1)},
		{Name: "ünïcode \"quoted\"\n\x01", Tensor: tensor.FromSlice([]float32{7})},
	}
	meta := map[string]string{"z": "last", "a": "first \\ \t"}
	var buf bytes.Buffer
	if err := Write(&buf, ts, meta); err != nil {
		t.Fatal(err)
	}
	if hl := binary.LittleEndian.Uint64(buf.Bytes()); hl%8 != 0 {
		t.Errorf("header of %d bytes, not a multiple of 8", hl)
	}
	got, gotMeta, err := Read(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	if len(gotMeta) != 2 || gotMeta["a"] != meta["a"] || gotMeta["z"] != "last" {
		t.Errorf("metadata %v", gotMeta)
	}
	m := byName(got)
	for _, w := range ts {
		g, ok := m[w.Name]
		if !ok || g.Int64 != w.Int64 || !slices.Equal(g.Tensor.Shape(), w.Tensor.Shape()) {
			t.Fatalf("%q: got %+v", w.Name, g)
		}
		for i, v := range w.Tensor.Data() {
			if math.Float32bits(g.Tensor.Data()[i]) != math.Float32bits(v) {
				t.Errorf("%q[%d]: %v, want %v", w.Name, i, g.Tensor.Data()[i], v)
			}
		}
	}
	if got[0].Name != "a.count" {
		t.Errorf("first tensor %q, want the I64 one", got[0].Name)
	}
}

// TestWriteErrors: what Write refuses, before writing a byte.
func TestWriteErrors(t *testing.T) {
	one := tensor.FromSlice([]float32{1})
	for _, c := range []struct {
		name string
		ts   []nn.NamedTensor
		msg  string
	}{
		{"duplicate", []nn.NamedTensor{{Name: "a", Tensor: one}, {Name: "a", Tensor: one}}, "appears twice"},
		{"metadata name", []nn.NamedTensor{{Name: "__metadata__", Tensor: one}}, "cannot be named"},
		{"not UTF-8", []nn.NamedTensor{{Name: "\xff", Tensor: one}}, "not UTF-8"},
		{"fraction in I64", []nn.NamedTensor{{Name: "n", Tensor: tensor.FromSlice([]float32{2.5}), Int64: true}}, "not an integer"},
	} {
		var buf bytes.Buffer
		err := Write(&buf, c.ts, nil)
		if _, ok := errors.AsType[*nn.WeightsError](err); !ok || !strings.Contains(err.Error(), c.msg) || buf.Len() != 0 {
			t.Errorf("%s: %v (%d bytes written), want %q", c.name, err, buf.Len(), c.msg)
		}
	}
}

// TestWriteFile writes a file atomically and reads it back; a refused write leaves the old
// file as it was.
func TestWriteFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "model.safetensors")
	ts := []nn.NamedTensor{{Name: "w", Tensor: tensor.FromSlice([]float32{1, 2}, 2)}}
	if err := WriteFile(path, ts, nil); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(path)
	err := WriteFile(path, append(ts, ts[0]), nil)
	if we, ok := errors.AsType[*nn.WeightsError](err); !ok || we.File != path {
		t.Fatalf("duplicate: %v", err)
	}
	after, _ := os.ReadFile(path)
	if !bytes.Equal(before, after) {
		t.Fatal("a refused write changed the file")
	}
	got, _, err := ReadFile(path)
	if err != nil || len(got) != 1 || got[0].Tensor.Data()[1] != 2 {
		t.Fatalf("read back: %v %v", got, err)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("%d files in the folder, want 1 (no temporary left)", len(entries))
	}
}

// TestNoAllocationBeforeChecks: a header that promises a large tensor the file does not hold
// is refused before the tensor is allocated.
func TestNoAllocationBeforeChecks(t *testing.T) {
	f := header(`{"a":{"dtype":"F32","shape":[268435456],"data_offsets":[0,1073741824]}}`, 16)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, _, err := Read(bytes.NewReader(f), int64(len(f)))
	runtime.ReadMemStats(&after)
	if !strings.Contains(fmt.Sprint(err), "run past the data") {
		t.Fatalf("error %v", err)
	}
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 1<<20 {
		t.Errorf("refusing a 1 GiB promise allocated %d bytes", grew)
	}
}
