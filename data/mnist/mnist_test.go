package mnist

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/descent-ml/descent/data"
	"github.com/descent-ml/descent/data/idx"
)

// fake is a small dataset in the MNIST format that the tests write: 5 training and 3 test
// images of 4×3 bytes, pixel j of image i being (37*i + 11*j) mod 256, label i mod 3.
type fake struct {
	spec  Spec
	files map[string][]byte // name → gzipped IDX bytes
}

func gzipIDX(t testing.TB, a *idx.Array) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if err := idx.Encode(zw, a); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// rawIDX returns the raw IDX bytes of a.
func rawIDX(t testing.TB, a *idx.Array) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := idx.Encode(&buf, a); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// fileOf returns the File of the gzipped bytes gz, named name, whose decompressed bytes
// are raw.
func fileOf(name string, gz, raw []byte) File {
	sum, rawSum := sha256.Sum256(gz), sha256.Sum256(raw)
	return File{Name: name, Size: int64(len(gz)), SHA256: hex.EncodeToString(sum[:]),
		RawSize: int64(len(raw)), RawSHA256: hex.EncodeToString(rawSum[:])}
}

func newFake(t testing.TB) *fake {
	t.Helper()
	split := func(n int) (images, labels *idx.Array) {
		images = &idx.Array{Header: idx.Header{Type: idx.Uint8, Dims: []int{n, 4, 3}}, U8: make([]uint8, n*12)}
		labels = &idx.Array{Header: idx.Header{Type: idx.Uint8, Dims: []int{n}}, U8: make([]uint8, n)}
		for i := range n {
			labels.U8[i] = uint8(i % 3)
			for j := range 12 {
				images.U8[12*i+j] = uint8((37*i + 11*j) % 256)
			}
		}
		return images, labels
	}
	f := &fake{files: map[string][]byte{}}
	file := func(name string, a *idx.Array) File {
		b := gzipIDX(t, a)
		f.files[name] = b
		return fileOf(name, b, rawIDX(t, a))
	}
	tri, trl := split(5)
	tei, tel := split(3)
	f.spec = Spec{
		Name:        "fake",
		Env:         "FAKE_MNIST_DIR",
		TrainImages: file("train-images-idx3-ubyte.gz", tri),
		TrainLabels: file("train-labels-idx1-ubyte.gz", trl),
		TestImages:  file("t10k-images-idx3-ubyte.gz", tei),
		TestLabels:  file("t10k-labels-idx1-ubyte.gz", tel),
		Mean:        0.5,
		Std:         0.25,
		Classes:     []string{"a", "b", "c"},
	}
	return f
}

// write writes the files of f into dir, and returns dir.
func (f *fake) write(t testing.TB, dir string) string {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, b := range f.files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// checkFake checks a loaded fake dataset against its definition.
func checkFake(t *testing.T, d *Data) {
	t.Helper()
	if d.Train.Len() != 5 || d.Test.Len() != 3 || d.Train.Rows != 4 || d.Train.Cols != 3 {
		t.Fatalf("loaded %d and %d images of %d×%d, want 5 and 3 of 4×3", d.Train.Len(), d.Test.Len(), d.Train.Rows, d.Train.Cols)
	}
	dst := make([]float32, 12)
	for i := range 5 {
		if y := d.Train.Example(dst, i); y != i%3 {
			t.Errorf("train label %d = %d, want %d", i, y, i%3)
		}
		for j, v := range dst {
			p := float32((37*i + 11*j) % 256)
			if want := (p/255 - 0.5) / 0.25; v != want {
				t.Fatalf("train image %d pixel %d = %v, want %v", i, j, v, want)
			}
		}
	}
}

// noNetwork returns options whose fetchers fail loudly if they are used.
func noNetwork(t *testing.T) Options {
	return Options{
		CacheDir:  t.TempDir(),
		GoCommand: filepath.Join(t.TempDir(), "no-go"),
		Client: &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
			t.Errorf("unexpected HTTP request for %s", r.URL)
			return nil, errors.New("no network in this test")
		})},
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestLoadDir(t *testing.T) {
	f := newFake(t)
	d, err := LoadDir(f.write(t, t.TempDir()), f.spec)
	if err != nil {
		t.Fatal(err)
	}
	checkFake(t, d)
}

// TestExplicitFolder checks that a folder given by Dir or by the environment is used
// alone: a damaged file there is an error naming it, and nothing is fetched.
func TestExplicitFolder(t *testing.T) {
	f := newFake(t)
	good := f.write(t, t.TempDir())
	opts := noNetwork(t)
	opts.Dir = good
	if dir, err := Fetch(context.Background(), f.spec, opts); err != nil || dir != good {
		t.Fatalf("Fetch with Dir = %q, %v; want %q", dir, err, good)
	}
	t.Setenv(f.spec.Env, good)
	opts.Dir = ""
	if d, err := Load(context.Background(), f.spec, opts); err != nil || d.Dir != good {
		t.Fatalf("Load with $%s: %v", f.spec.Env, err)
	} else {
		checkFake(t, d)
	}

	for name, damage := range map[string]func(path string){
		"truncated": func(path string) { b, _ := os.ReadFile(path); os.WriteFile(path, b[:len(b)/2], 0o644) },
		"flipped":   func(path string) { b, _ := os.ReadFile(path); b[len(b)/2] ^= 1; os.WriteFile(path, b, 0o644) },
		"missing":   func(path string) { os.Remove(path) },
	} {
		bad := f.write(t, t.TempDir())
		path := filepath.Join(bad, f.spec.TrainImages.Name)
		damage(path)
		for _, how := range []string{"Dir", "env"} {
			opts := noNetwork(t)
			if how == "Dir" {
				opts.Dir = bad
			} else {
				t.Setenv(f.spec.Env, bad)
			}
			_, err := Load(context.Background(), f.spec, opts)
			if !errors.Is(err, ErrVerify) || !strings.Contains(err.Error(), path) {
				t.Errorf("%s file (%s): err = %v; want ErrVerify naming %s", name, how, err, path)
			}
		}
	}
}

// TestDecodeErrorsNameFile checks files whose checksums match (a spec made for them) but
// whose content is not a dataset.
func TestDecodeErrorsNameFile(t *testing.T) {
	for name, a := range map[string]*idx.Array{
		"labels as f32": {Header: idx.Header{Type: idx.Float32, Dims: []int{5}}, F32: make([]float32, 5)},
		"4 labels":      {Header: idx.Header{Type: idx.Uint8, Dims: []int{4}}, U8: make([]uint8, 4)},
		"label 3":       {Header: idx.Header{Type: idx.Uint8, Dims: []int{5}}, U8: []uint8{0, 1, 2, 3, 0}},
		"2-d labels":    {Header: idx.Header{Type: idx.Uint8, Dims: []int{5, 1}}, U8: make([]uint8, 5)},
	} {
		f := newFake(t)
		b := gzipIDX(t, a)
		f.files[f.spec.TrainLabels.Name] = b
		f.spec.TrainLabels = fileOf(f.spec.TrainLabels.Name, b, rawIDX(t, a))
		dir := f.write(t, t.TempDir())
		_, err := LoadDir(dir, f.spec)
		if err == nil || !strings.Contains(err.Error(), filepath.Join(dir, f.spec.TrainLabels.Name)) {
			t.Errorf("%s: err = %v; want an error naming the labels file", name, err)
		}
	}
}

func TestCache(t *testing.T) {
	f := newFake(t)
	opts := noNetwork(t)
	cache := f.write(t, filepath.Join(opts.CacheDir, "fake"))
	if dir, err := Fetch(context.Background(), f.spec, opts); err != nil || dir != cache {
		t.Fatalf("Fetch = %q, %v; want the cache %q", dir, err, cache)
	}
	t.Setenv("DESCENT_DATA", opts.CacheDir)
	opts.CacheDir = ""
	if dir, err := Fetch(context.Background(), f.spec, opts); err != nil || dir != cache {
		t.Fatalf("Fetch with $DESCENT_DATA = %q, %v; want %q", dir, err, cache)
	}
	os.Remove(filepath.Join(cache, f.spec.TestLabels.Name))
	opts.Offline = true
	_, err := Fetch(context.Background(), f.spec, opts)
	var fe *FetchError
	if !errors.As(err, &fe) || !strings.Contains(err.Error(), "offline") || !strings.Contains(err.Error(), f.spec.TestLabels.Name) {
		t.Errorf("offline with a file missing: err = %v", err)
	}
}

// TestDecompressedCopy checks the decompressed copies that Load keeps in the cache: written
// whole on the first load, read by the next ones, replaced when damaged, never written in
// an explicit folder or when they would not match their checksum.
func TestDecompressedCopy(t *testing.T) {
	f := newFake(t)
	opts := noNetwork(t)
	cache := f.write(t, filepath.Join(opts.CacheDir, "fake"))
	var log bytes.Buffer
	opts.Log = &log
	rawPath := func(dir string, file File) string { return filepath.Join(dir, strings.TrimSuffix(file.Name, ".gz")) }
	checkCopies := func(when string) {
		t.Helper()
		for _, file := range f.spec.Files() {
			raw := filepath.Join(cache, strings.TrimSuffix(file.Name, ".gz"))
			b, err := os.ReadFile(raw)
			if err != nil {
				t.Fatalf("%s: %v", when, err)
			}
			zr, err := gzip.NewReader(bytes.NewReader(f.files[file.Name]))
			if err != nil {
				t.Fatal(err)
			}
			want, err := io.ReadAll(zr)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(b, want) {
				t.Errorf("%s: %s is not %s decompressed", when, raw, file.Name)
			}
			if fi, err := os.Stat(raw); err != nil || fi.Mode().Perm() != 0o644 {
				t.Errorf("%s: %s: %v, %v; want mode 0644", when, raw, fi, err)
			}
		}
		noPartials(t, cache)
	}
	load := func(when string) {
		t.Helper()
		d, err := Load(context.Background(), f.spec, opts)
		if err != nil {
			t.Fatalf("%s: %v", when, err)
		}
		checkFake(t, d)
	}

	load("first load")
	checkCopies("after the first load")
	if strings.Contains(log.String(), "no decompressed copy") {
		t.Errorf("log %q says a copy was not kept", log.String())
	}

	// The copies are what is read: a copy with one pixel changed, under a spec with its
	// checksum, gives the changed pixel.
	other := f.spec
	images := rawPath(cache, f.spec.TrainImages)
	b, err := os.ReadFile(images)
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)-1] ^= 0xff
	os.WriteFile(images, b, 0o644)
	other.TrainImages = fileOf(f.spec.TrainImages.Name, f.files[f.spec.TrainImages.Name], b)
	if d, err := Load(context.Background(), other, opts); err != nil {
		t.Fatal(err)
	} else if got, want := d.Train.Images[len(d.Train.Images)-1], b[len(b)-1]; got != want {
		t.Errorf("last pixel %d, want the copy's %d: the copy was not read", got, want)
	}
	// The explicit folder and LoadDir read no copy.
	o := noNetwork(t)
	o.Dir = cache
	for name, load := range map[string]func() (*Data, error){
		"Load with Dir": func() (*Data, error) { return Load(context.Background(), other, o) },
		"LoadDir":       func() (*Data, error) { return LoadDir(cache, other) },
	} {
		if d, err := load(); err != nil {
			t.Fatal(err)
		} else if got, want := d.Train.Images[len(d.Train.Images)-1], b[len(b)-1]^0xff; got != want {
			t.Errorf("%s: last pixel %d, want the .gz file's %d", name, got, want)
		}
	}

	// A damaged copy is not used, and is replaced.
	for name, damage := range map[string]func(path string){
		"truncated": func(path string) { b, _ := os.ReadFile(path); os.WriteFile(path, b[:len(b)-1], 0o644) },
		"flipped":   func(path string) { b, _ := os.ReadFile(path); b[len(b)-1] ^= 1; os.WriteFile(path, b, 0o644) },
		"appended":  func(path string) { b, _ := os.ReadFile(path); os.WriteFile(path, append(b, 0), 0o644) },
		"missing":   func(path string) { os.Remove(path) },
	} {
		damage(rawPath(cache, f.spec.TrainImages))
		load(name + " copy")
		checkCopies("after a load with a " + name + " copy")
	}

	// No copy is written in an explicit folder.
	explicit := f.write(t, t.TempDir())
	o = noNetwork(t)
	o.Dir = explicit
	if _, err := Load(context.Background(), f.spec, o); err != nil {
		t.Fatal(err)
	}
	for _, file := range f.spec.Files() {
		if _, err := os.Stat(rawPath(explicit, file)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("a copy of %s was written in the explicit folder: %v", file.Name, err)
		}
	}

	// A spec whose decompressed checksum is wrong: the load works, no copy is kept, the
	// log says so.
	bad := f.spec
	bad.TrainImages.RawSHA256 = strings.Repeat("0", 64)
	o = noNetwork(t)
	log.Reset()
	o.Log = &log
	badCache := f.write(t, filepath.Join(o.CacheDir, "fake"))
	if d, err := Load(context.Background(), bad, o); err != nil {
		t.Fatal(err)
	} else {
		checkFake(t, d)
	}
	if _, err := os.Stat(rawPath(badCache, bad.TrainImages)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a copy that does not match its checksum was kept: %v", err)
	}
	if !strings.Contains(log.String(), "no decompressed copy of "+bad.TrainImages.Name) {
		t.Errorf("log %q does not say the copy was not kept", log.String())
	}
	noPartials(t, badCache)

	// No RawSHA256: no copy.
	none := f.spec
	none.TrainImages.RawSHA256, none.TrainImages.RawSize = "", 0
	o = noNetwork(t)
	noneCache := f.write(t, filepath.Join(o.CacheDir, "fake"))
	if _, err := Load(context.Background(), none, o); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(rawPath(noneCache, none.TrainImages)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a copy was written for a file with no RawSHA256: %v", err)
	}
}

// fakeGo writes a shell script that stands for the go command: it prints the JSON of "go
// mod download -json" naming modDir, or an error, and records its arguments.
func fakeGo(t *testing.T, modDir, errMsg string) (goCmd, argsFile string) {
	if runtime.GOOS == "windows" {
		t.Skip("the fake go command is a shell script")
	}
	dir := t.TempDir()
	argsFile = filepath.Join(dir, "args")
	js, _ := json.Marshal(map[string]string{"Path": "example.com/m", "Dir": modDir, "Error": errMsg})
	status := 0
	if errMsg != "" {
		status = 1
	}
	script := fmt.Sprintf("#!/bin/sh\necho \"$@\" > '%s'\npwd >> '%s'\ncat <<'EOF'\n%s\nEOF\nexit %d\n", argsFile, argsFile, js, status)
	goCmd = filepath.Join(dir, "go")
	if err := os.WriteFile(goCmd, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return goCmd, argsFile
}

// noPartials fails if dir holds a temporary file of a download.
func noPartials(t *testing.T, dir string) {
	t.Helper()
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.Contains(e.Name(), partial) {
			t.Errorf("%s left in the cache", e.Name())
		}
	}
}

func TestFetchGoModule(t *testing.T) {
	f := newFake(t)
	mod := t.TempDir()
	f.write(t, filepath.Join(mod, "data"))
	f.spec.Module, f.spec.ModuleDir = "example.com/m@v1.0.0", "data"
	opts := noNetwork(t)
	var args string
	opts.GoCommand, args = fakeGo(t, mod, "")
	var log bytes.Buffer
	opts.Log = &log
	dir, err := Fetch(context.Background(), f.spec, opts)
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(opts.CacheDir, "fake"); dir != want {
		t.Errorf("fetched into %s, want %s", dir, want)
	}
	got, _ := os.ReadFile(args)
	if lines := strings.Split(string(got), "\n"); lines[0] != "mod download -json example.com/m@v1.0.0" || !strings.Contains(lines[1], "descent-gomod-") {
		t.Errorf("go command run as %q", got)
	}
	d, err := LoadDir(dir, f.spec)
	if err != nil {
		t.Fatal(err)
	}
	checkFake(t, d)
	for _, file := range f.spec.Files() {
		if fi, err := os.Stat(filepath.Join(dir, file.Name)); err != nil || fi.Mode().Perm() != 0o644 {
			t.Errorf("%s: %v, %v; want mode 0644", file.Name, fi, err)
		}
	}
	noPartials(t, dir)
	if !strings.Contains(log.String(), "Go module proxy") {
		t.Errorf("log %q does not say the files came through the Go module proxy", log.String())
	}

	// A damaged file in the cache is fetched again and replaced.
	cached := filepath.Join(dir, f.spec.TrainLabels.Name)
	os.WriteFile(cached, []byte("damaged"), 0o644)
	if _, err := Fetch(context.Background(), f.spec, opts); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(cached); !bytes.Equal(b, f.files[f.spec.TrainLabels.Name]) {
		t.Error("a damaged file in the cache was not replaced")
	}

	// A module whose copy is damaged: no file of that name in the cache afterwards.
	opts2 := noNetwork(t)
	opts2.GoCommand, _ = fakeGo(t, mod, "")
	os.WriteFile(filepath.Join(mod, "data", f.spec.TestImages.Name), []byte("not the file"), 0o644)
	_, err = Fetch(context.Background(), f.spec, opts2)
	if !errors.As(err, new(*FetchError)) || !strings.Contains(err.Error(), f.spec.TestImages.Name) {
		t.Errorf("damaged module file: err = %v", err)
	}
	cache2 := filepath.Join(opts2.CacheDir, "fake")
	if _, err := os.Stat(filepath.Join(cache2, f.spec.TestImages.Name)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a damaged file reached the cache: %v", err)
	}
	noPartials(t, cache2)
}

// mirror serves the files of f, except that the names in broken get half their bytes and
// then a dropped connection.
func mirror(t *testing.T, f *fake, broken ...string) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimPrefix(r.URL.Path, "/")
		b, ok := f.files[name]
		if !ok {
			http.NotFound(w, r)
			return
		}
		for _, n := range broken {
			if n == name {
				w.Header().Set("Content-Length", fmt.Sprint(len(b)))
				w.Write(b[:len(b)/2])
				w.(http.Flusher).Flush()
				panic(http.ErrAbortHandler) // a download killed half-way
			}
		}
		w.Write(b)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestFetchHTTP(t *testing.T) {
	f := newFake(t)
	empty := httptest.NewServer(http.NotFoundHandler())
	defer empty.Close()
	broken := mirror(t, f, f.spec.TrainImages.Name)
	good := mirror(t, f)
	f.spec.Module = "example.com/m@v1.0.0"
	f.spec.Mirrors = []string{empty.URL + "/", broken.URL + "/", good.URL + "/"}
	opts := Options{CacheDir: t.TempDir()}
	opts.GoCommand, _ = fakeGo(t, "", "module example.com/m: not found")
	dir, err := Fetch(context.Background(), f.spec, opts)
	if err != nil {
		t.Fatal(err)
	}
	d, err := LoadDir(dir, f.spec)
	if err != nil {
		t.Fatal(err)
	}
	checkFake(t, d)
	noPartials(t, dir)

	// Only the broken mirror: the error lists every source, no file looks whole.
	f.spec.Mirrors = []string{empty.URL + "/", broken.URL + "/"}
	opts.CacheDir = t.TempDir()
	_, err = Fetch(context.Background(), f.spec, opts)
	var fe *FetchError
	if !errors.As(err, &fe) {
		t.Fatalf("err = %v, want a *FetchError", err)
	}
	for _, want := range []string{"folder: none given", "cache:", "go mod download example.com/m@v1.0.0", "module example.com/m: not found", "404", broken.URL + "/" + f.spec.TrainImages.Name} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the error does not say %q:\n%v", want, err)
		}
	}
	cache := filepath.Join(opts.CacheDir, "fake")
	if _, err := os.Stat(filepath.Join(cache, f.spec.TrainImages.Name)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a killed download left %s: %v", f.spec.TrainImages.Name, err)
	}
	noPartials(t, cache)
}

func TestStalePartials(t *testing.T) {
	f := newFake(t)
	f.spec.Mirrors = []string{mirror(t, f).URL + "/"}
	opts := Options{CacheDir: t.TempDir(), GoCommand: filepath.Join(t.TempDir(), "no-go")}
	cache := filepath.Join(opts.CacheDir, "fake")
	os.MkdirAll(cache, 0o755)
	old := filepath.Join(cache, "."+f.spec.TrainImages.Name+partial+"123")
	young := filepath.Join(cache, "."+f.spec.TrainImages.Name+partial+"456")
	os.WriteFile(old, []byte("half"), 0o644)
	os.WriteFile(young, []byte("half"), 0o644)
	os.Chtimes(old, time.Now().Add(-2*time.Hour), time.Now().Add(-2*time.Hour))
	if _, err := Fetch(context.Background(), f.spec, opts); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(old); !errors.Is(err, os.ErrNotExist) {
		t.Error("a partial file of a download killed two hours ago was kept")
	}
	if _, err := os.Stat(young); err != nil {
		t.Error("the partial file of a download that may be running was removed")
	}
}

// TestTorchNormalize checks the float32 value of every byte under four normalisations
// against torchvision's ToTensor+Normalize (testdata/torch_normalize.json, written by
// gen_normalize.py with PyTorch): bit for bit.
func TestTorchNormalize(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "torch_normalize.json"))
	if err != nil {
		t.Fatal(err)
	}
	var ref struct {
		Cases []struct {
			Mean, Std float64
			Bits      []uint32
		}
	}
	if err := json.Unmarshal(b, &ref); err != nil {
		t.Fatal(err)
	}
	images := make([]uint8, 256)
	for i := range images {
		images[i] = uint8(i)
	}
	for _, c := range ref.Cases {
		s := NewSet(images, make([]uint8, 1), 16, 16, float32(c.Mean), float32(c.Std))
		dst := make([]float32, 256)
		s.Example(dst, 0)
		for p, v := range dst {
			if math.Float32bits(v) != c.Bits[p] {
				t.Fatalf("mean %v std %v: byte %d gives %v, torch %v", c.Mean, c.Std, p, v, math.Float32frombits(c.Bits[p]))
			}
		}
	}
	if len(ref.Cases) != 4 {
		t.Errorf("%d cases in the fixture, want 4", len(ref.Cases))
	}
}

func TestStats(t *testing.T) {
	s := NewSet([]uint8{0, 255, 255, 0, 0, 0, 0, 0}, []uint8{2, 0}, 2, 2, 0, 1)
	st := s.Stats()
	if st.Count != 2 || st.PixelMean != 0.25 || math.Abs(st.PixelStd-math.Sqrt(0.25-0.0625)) > 1e-15 {
		t.Errorf("stats %+v", st)
	}
	if fmt.Sprint(st.Labels) != "[1 0 1]" {
		t.Errorf("label histogram %v, want [1 0 1]", st.Labels)
	}
}

func TestLookup(t *testing.T) {
	for _, name := range Names() {
		s, err := Lookup(name)
		if err != nil || s.Name != name || len(s.Classes) != 10 || len(s.Mirrors) == 0 {
			t.Errorf("Lookup(%q) = %+v, %v", name, s, err)
		}
		for _, f := range s.Files() {
			if len(f.SHA256) != 64 || f.Size <= 0 {
				t.Errorf("%s: %+v", name, f)
			}
		}
	}
	if _, err := Lookup("cifar"); err == nil || !strings.Contains(err.Error(), "mnist, fashion-mnist") {
		t.Errorf("Lookup(cifar): %v", err)
	}
}

// TestGather checks that Gather writes the bits and labels of Example, for every byte
// value and in every position of a row, and that a loader over a Set (which gathers) gives
// the batches of a loader over the same examples one at a time.
func TestGather(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 5))
	n, rows, cols := 300, 7, 29 // 203 bytes a row: SIMD blocks and a tail
	images := make([]uint8, n*rows*cols)
	for i := range images {
		images[i] = uint8(rng.IntN(256))
	}
	copy(images, slices.Collect(func(yield func(uint8) bool) {
		for b := range 256 {
			yield(uint8(b))
		}
	}))
	labels := make([]uint8, n)
	for i := range labels {
		labels[i] = uint8(rng.IntN(10))
	}
	s := NewSet(images, labels, rows, cols, 0.1307, 0.3081)
	f := rows * cols
	idx := []int{0, 1, 299, 17, 17, 150}
	got, y := make([]float32, len(idx)*f), make([]int, len(idx))
	s.Gather(got, y, idx)
	want := make([]float32, f)
	for j, i := range idx {
		if l := s.Example(want, i); y[j] != l {
			t.Errorf("label %d of the batch: %d, want %d", j, y[j], l)
		}
		for k := range want {
			if math.Float32bits(got[j*f+k]) != math.Float32bits(want[k]) {
				t.Fatalf("image %d byte %d: %v, want %v", i, k, got[j*f+k], want[k])
			}
		}
	}

	onebyone := func(d data.Dataset) [][]float32 {
		l := data.NewLoader(d, data.Config{BatchSize: 32, Sampling: data.Shuffle}, rand.New(rand.NewPCG(1, 1)))
		defer l.Close()
		var out [][]float32
		for range 2 {
			for l.Next() {
				out = append(out, slices.Clone(l.Batch().X))
			}
		}
		return out
	}
	a, b := onebyone(s), onebyone(exampleOnly{s})
	if len(a) != len(b) {
		t.Fatalf("%d and %d batches", len(a), len(b))
	}
	for i := range a {
		if !slices.Equal(a[i], b[i]) {
			t.Fatalf("batch %d differs between Gather and Example", i)
		}
	}
}

// exampleOnly hides the Gather method of a Set.
type exampleOnly struct{ s *Set }

func (e exampleOnly) Len() int                         { return e.s.Len() }
func (e exampleOnly) Shape() []int                     { return e.s.Shape() }
func (e exampleOnly) Example(dst []float32, i int) int { return e.s.Example(dst, i) }

// TestTaskAndBatches checks what a training loop sees of a Set: a classification with the
// Set's classes, for a Subset of it too, and batches without float targets.
func TestTaskAndBatches(t *testing.T) {
	s := synthetic(500)
	tr, val := data.Split(s, 100, rand.New(rand.NewPCG(1, 1)))
	for _, d := range []data.Dataset{s, tr, val} {
		if got := data.TaskOf(d); got.Kind != data.Classify || got.Classes != 10 {
			t.Errorf("TaskOf(%T) = %v, want classify, 10 classes", d, got)
		}
	}
	l := data.NewLoader(tr, data.Config{BatchSize: 64, Sampling: data.Shuffle}, rand.New(rand.NewPCG(2, 2)))
	defer l.Close()
	for l.Next() {
		if b := l.Batch(); b.T != nil || b.TargetShape != nil || b.Size() == 0 {
			t.Fatalf("batch of %d with targets %v", b.Size(), b.TargetShape)
		}
	}
}
