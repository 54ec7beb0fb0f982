package torchfile

import (
	"archive/zip"
	"bytes"
	"errors"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/descent-ml/descent/nn"
	"github.com/descent-ml/descent/nn/internal/fixture"
)

// TestReadTorchFiles reads the MLP's state_dict as torch.save wrote it, in the zip and the
// legacy formats: PyTorch's names in its order, shapes, values bit for bit,
// num_batches_tracked as Int64.
func TestReadTorchFiles(t *testing.T) {
	want := fixture.Load(t)
	for _, file := range []string{"mlp.pt", "mlp_legacy.pt"} {
		ts, err := ReadFile(fixture.Path(file))
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		if len(ts) != len(want.State) {
			t.Fatalf("%s: %d tensors, want %d", file, len(ts), len(want.State))
		}
		for i, w := range want.State {
			if err := fixture.Compare(ts[i], w, false); err != nil {
				t.Errorf("%s: %v", file, err)
			}
		}
	}
}

// TestReadDtypesAndViews reads float64, float16, bfloat16 and int64 tensors, a 0-d and an
// empty tensor, a transposed tensor (strides 1, 6), and two views at offsets into one
// storage that the transposed tensor shares.
func TestReadDtypesAndViews(t *testing.T) {
	want := fixture.Load(t)
	ts, err := ReadFile(fixture.Path("dtypes.pt"))
	if err != nil {
		t.Fatal(err)
	}
	if len(ts) != len(want.Dtypes) {
		t.Fatalf("%d tensors, want %d", len(ts), len(want.Dtypes))
	}
	for i, w := range want.Dtypes {
		w.Int64 = w.Name == "i64"
		if err := fixture.Compare(ts[i], w, false); err != nil {
			t.Error(err)
		}
	}
	// The views are copies: writing one leaves the others.
	ts[7].Tensor.Data()[1] = 42 // transposed[0][1] is base[1][0], rows[0][0]
	if ts[8].Tensor.Data()[0] == 42 {
		t.Error("tensors share memory")
	}
}

// TestBadFiles reads damaged and unsuitable files: each is refused with a *nn.WeightsError
// naming the file, and the tensor where there is one.
func TestBadFiles(t *testing.T) {
	for _, c := range []struct {
		file, tensor, msg string
	}{
		{"bad_truncated.pt", "", "an unreadable zip archive (a truncated file?)"},
		{"bad_missing_storage.pt", "", "storage record mlp/data/3 is missing from the archive"},
		{"not_torch.zip", "", "a zip archive without data.pkl: not a file that torch.save wrote"},
		{"checkpoint_dict.pt", "model", "a dict, not a tensor (a checkpoint? torch.save(model.state_dict()) saves the tensors alone)"},
		{"mlp.safetensors", "", "not a torch.save file"},
	} {
		path := fixture.Path(c.file)
		_, err := ReadFile(path)
		we, ok := errors.AsType[*nn.WeightsError](err)
		if !ok || we.File != path || we.Tensor != c.tensor || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%s: %v; want tensor %q and %q", c.file, err, c.tensor, c.msg)
		}
	}
}

// rezip rewrites the archive of a fixture, changing records by name (nil drops one) or the
// compression of all.
func rezip(t *testing.T, file string, change map[string][]byte, method uint16) []byte {
	t.Helper()
	z, err := zip.OpenReader(fixture.Path(file))
	if err != nil {
		t.Fatal(err)
	}
	defer z.Close()
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	for _, f := range z.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		if nb, ok := change[f.Name]; ok {
			if nb == nil {
				continue
			}
			b = nb
		}
		out, err := w.CreateHeader(&zip.FileHeader{Name: f.Name, Method: method})
		if err != nil {
			t.Fatal(err)
		}
		out.Write(b)
	}
	for name, b := range change {
		if _, err := z.Open(name); err != nil && b != nil { // a new record
			out, err := w.CreateHeader(&zip.FileHeader{Name: name, Method: method})
			if err != nil {
				t.Fatal(err)
			}
			out.Write(b)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// pickleOf returns data.pkl of a fixture.
func pickleOf(t *testing.T, file, dir string) []byte {
	t.Helper()
	z, err := zip.OpenReader(fixture.Path(file))
	if err != nil {
		t.Fatal(err)
	}
	defer z.Close()
	rc, err := z.Open(dir + "/data.pkl")
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	b, _ := io.ReadAll(rc)
	return b
}

// TestArchiveChecks changes the archive and the pickle of mlp.pt in the ways the checks are
// for: each is refused with the message given.
func TestArchiveChecks(t *testing.T) {
	pkl := pickleOf(t, "mlp.pt", "mlp")
	replace := func(old, new string) []byte {
		if !bytes.Contains(pkl, []byte(old)) {
			t.Fatalf("data.pkl lacks %q", old)
		}
		return bytes.Replace(pkl, []byte(old), []byte(new), 1)
	}
	for _, c := range []struct {
		name string
		file []byte
		msg  string
	}{
		{"compressed", rezip(t, "mlp.pt", nil, zip.Deflate), "is compressed (method 8)"},
		{"short storage", rezip(t, "mlp.pt", map[string][]byte{"mlp/data/0": make([]byte, 100)}, zip.Store),
			"storage record mlp/data/0 holds 100 bytes, the pickle says 30 elements of 4 bytes"},
		{"big endian", rezip(t, "mlp.pt", map[string][]byte{"mlp/byteorder": []byte("big")}, zip.Store), `byte order "big"`},
		{"torchscript", rezip(t, "mlp.pt", map[string][]byte{"mlp/data.pkl": nil, "mlp/constants.pkl": {}}, zip.Store), "TorchScript"},
		{"other class", rezip(t, "mlp.pt", map[string][]byte{"mlp/data.pkl": replace("ctorch\nFloatStorage\n", "cos\nsystem\n")}, zip.Store),
			"the pickle refers to os.system"},
		{"module", rezip(t, "mlp.pt", map[string][]byte{"mlp/data.pkl": replace("ccollections\nOrderedDict\n", "c__main__\nNet\n")}, zip.Store),
			"save model.state_dict()"},
		{"int storage", rezip(t, "mlp.pt", map[string][]byte{"mlp/data.pkl": replace("ctorch\nLongStorage\n", "ctorch\nIntStorage\n")}, zip.Store),
			"storage record mlp/data/10 holds 8 bytes, the pickle says 1 elements of 4 bytes"},
		{"truncated pickle", rezip(t, "mlp.pt", map[string][]byte{"mlp/data.pkl": pkl[:len(pkl)/2]}, zip.Store), "data.pkl"},
	} {
		_, err := Read(bytes.NewReader(c.file), int64(len(c.file)))
		if _, ok := errors.AsType[*nn.WeightsError](err); !ok || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%s: %v, want %q", c.name, err, c.msg)
		}
	}
}

// TestViewChecks checks views against their storages.
func TestViewChecks(t *testing.T) {
	st := &storage{key: "0", class: storageClasses["FloatStorage"], numel: 24}
	for _, c := range []struct {
		v   view
		n   int64
		msg string
	}{
		{view{st: st, size: []int64{4, 6}, stride: []int64{6, 1}}, 24, ""},
		{view{st: st, offset: 2, size: []int64{4}, stride: []int64{6}}, 4, ""},
		{view{st: st, offset: 23, size: []int64{0, 5}, stride: []int64{5, 1}}, 0, ""},
		{view{st: st, offset: 1, size: []int64{4, 6}, stride: []int64{6, 1}}, 0, "reach element 24 of a storage of 24"},
		{view{st: st, size: []int64{4, 6}, stride: []int64{6}}, 0, "differ in rank"},
		{view{st: st, offset: -1, size: []int64{1}, stride: []int64{1}}, 0, "storage offset -1"},
		{view{st: st, size: []int64{2}, stride: []int64{-1}}, 0, "stride [-1]"},
		{view{st: st, size: []int64{1, 1, 1, 1, 1, 1, 1}, stride: []int64{1, 1, 1, 1, 1, 1, 1}}, 0, "rank 7"},
		{view{st: st, size: []int64{1 << 20, 1 << 20}, stride: []int64{0, 0}}, 0, "too large"},
		{view{st: st, size: []int64{3, 3}, stride: []int64{1 << 62, 1 << 62}}, 0, "overflows"},
		{view{st: &storage{class: storageClasses["BoolStorage"], numel: 4}, size: []int64{4}, stride: []int64{1}}, 0, "torch.BoolStorage is not read"},
	} {
		n, err := checkView(&c.v)
		if c.msg == "" && (err != nil || n != c.n) || c.msg != "" && (err == nil || !strings.Contains(err.Error(), c.msg)) {
			t.Errorf("%+v: %d, %v; want %d, %q", c.v, n, err, c.n, c.msg)
		}
	}
}

// TestExpandedViewRefused: many elements from a small storage are refused before they are
// allocated.
func TestExpandedViewRefused(t *testing.T) {
	pkl := pickleOf(t, "mlp.pt", "mlp")
	// 8.bias is a view (3,) stride (1,) of a 3-element storage: make it (30000, 3)
	// stride (0, 1), 90000 elements, more than the file's bytes.
	i := bytes.LastIndex(pkl, []byte("K\x03\x85q"))
	if i < 0 {
		t.Fatal("size tuple of 8.bias not found")
	}
	var np []byte
	np = append(np, pkl[:i]...)
	np = append(np, "M\x30\x75K\x03\x86"...) // (30000, 3)
	rest := pkl[i+len("K\x03\x85"):]
	j := bytes.Index(rest, []byte("K\x01\x85"))
	np = append(np, rest[:j]...)
	np = append(np, "K\x00K\x01\x86"...) // stride (0, 1)
	np = append(np, rest[j+len("K\x01\x85"):]...)
	f := rezip(t, "mlp.pt", map[string][]byte{"mlp/data.pkl": np}, zip.Store)
	_, err := Read(bytes.NewReader(f), int64(len(f)))
	if we, ok := errors.AsType[*nn.WeightsError](err); !ok || we.Tensor != "8.bias" || !strings.Contains(err.Error(), "views that repeat") {
		t.Fatalf("%v", err)
	}
}

// TestScanPickle: the scanner finds the end of real pickles and refuses lengths beyond
// the data, which the unpickler would allocate.
func TestScanPickle(t *testing.T) {
	pkl := pickleOf(t, "mlp.pt", "mlp")
	if n, err := scanPickle(append(append([]byte(nil), pkl...), "trailing"...)); err != nil || n != len(pkl) {
		t.Fatalf("data.pkl: %d, %v; want %d", n, err, len(pkl))
	}
	for _, c := range []struct {
		name, p, msg string
	}{
		{"BINBYTES8", "\x80\x04\x8e\xff\xff\xff\xff\xff\x00\x00\x00.", "string of"},
		{"BINUNICODE", "\x80\x02X\xff\xff\xff\x7fabc.", "string of 2147483647 bytes"},
		{"BINSTRING negative", "\x80\x02T\xff\xff\xff\xffabc.", "string of -1 bytes"},
		{"FRAME", "\x80\x04\x95\x00\x00\x00\x00\x01\x00\x00\x00.", "frame of"},
		{"no STOP", "\x80\x02K\x01", "without STOP"},
		{"GLOBAL without newline", "\x80\x02ctorch\nFloat", "line"},
		{"not an opcode", "\x80\x02\xff.", "not an opcode"},
		{"short argument", "\x80\x02J\x01\x02", "argument"},
	} {
		if _, err := scanPickle([]byte(c.p)); err == nil || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%s: %v, want %q", c.name, err, c.msg)
		}
	}
}

// TestUnpicklerPanic: a pickle that makes gopickle panic (a dict keyed by bytes, which it
// holds as an unhashable []byte) gives an error.
func TestUnpicklerPanic(t *testing.T) {
	p := []byte("\x80\x03ccollections\nOrderedDict\n)RC\x01aK\x01s.") // OrderedDict()[b"a"] = 1: a []byte key
	_, _, err := loadPickle(p, "data.pkl", nil)
	if _, ok := errors.AsType[*nn.WeightsError](err); !ok || !strings.Contains(err.Error(), "the unpickler failed") {
		t.Fatalf("%v", err)
	}
}

// TestLegacyChecks: the legacy format's checks.
func TestLegacyChecks(t *testing.T) {
	b, err := os.ReadFile(fixture.Path("mlp_legacy.pt"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		file []byte
		msg  string
	}{
		{"truncated", b[:len(b)-3], "unexpected EOF"},
		{"trailing", append(append([]byte(nil), b...), 0), "1 bytes after the last storage"},
		{"plain pickle", []byte("\x80\x02K\x01."), "not a file that torch.save wrote"},
		{"pickles only", b[:300], "pickle"},
	} {
		_, err := Read(bytes.NewReader(c.file), int64(len(c.file)))
		if _, ok := errors.AsType[*nn.WeightsError](err); !ok || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%s: %v, want %q", c.name, err, c.msg)
		}
	}
}
