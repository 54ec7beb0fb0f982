package optim

import (
	"bytes"
	"encoding/binary"
	"errors"
	"flag"
	"hash/crc32"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files of testdata/ (testdata/state/*.state)")

// stateProblem is the reference problem shared by the state tests, read once; clone it.
var stateProblem = sync.OnceValues(func() (*problem, error) {
	r, err := readReference()
	if err != nil {
		return nil, err
	}
	return newProblem(nil, r, false), nil
})

// stateOptimizer returns registry entry e's optimiser, with its defaults, over a fresh copy
// of the reference problem's parameters (w in group 0 and b in group 1, with lr 0.005, or
// weight decay 0.01 for Prodigy, whose groups share a rate; one group for L-BFGS), after
// `steps` steps.
func stateOptimizer(t testing.TB, e Entry, steps int) (*problem, Optimizer) {
	tmpl, err := stateProblem()
	if err != nil {
		t.Fatal(err)
	}
	pr := tmpl.clone()
	groups := []Group{{Params: pr.params[:1]}, {Params: pr.params[1:], Options: Options{"lr": "0.005"}}}
	switch e.Name {
	case "lbfgs":
		groups = []Group{{Params: pr.params}}
	case "prodigy": // one learning rate for every group (or 0)
		groups[1].Options = Options{"weight_decay": "0.01"}
	}
	o, err := e.New(nil, groups...)
	if err != nil {
		t.Fatalf("%s: %v", e.Name, err)
	}
	for k := range steps {
		pr.step(t, o, k)
	}
	return pr, o
}

func statePath(name string) string { return filepath.Join("testdata", "state", name+".state") }

// TestStateFiles checks the committed state files (one per registry entry, saved after 3
// steps of the reference problem): each loads into a fresh optimiser of its entry, which then
// saves the same bytes, and the current Save after the same 3 steps writes them too, so that
// a change of the format shows as a failing test (and needs a new version number). They seed
// FuzzLoad. `go test ./optim -run TestStateFiles -update` rewrites them.
func TestStateFiles(t *testing.T) {
	for _, e := range Registry() {
		_, o := stateOptimizer(t, e, 3)
		now := saved(t, o)
		if *update {
			if err := os.MkdirAll(filepath.Dir(statePath(e.Name)), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(statePath(e.Name), now, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		file, err := os.ReadFile(statePath(e.Name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(file, now) {
			t.Errorf("%s: Save after 3 steps differs from %s", e.Name, statePath(e.Name))
		}
		_, fresh := stateOptimizer(t, e, 0)
		if err := fresh.(Stateful).Load(bytes.NewReader(file)); err != nil {
			t.Errorf("%s: %v", e.Name, err)
		} else if !bytes.Equal(saved(t, fresh), file) {
			t.Errorf("%s: loading %s and saving gives other bytes", e.Name, statePath(e.Name))
		}
	}
}

// withChecksum returns b with its last 4 bytes replaced by the CRC-32 of the rest, so that
// FuzzLoad's mutations reach the decoder behind the checksum.
func withChecksum(b []byte) []byte {
	if len(b) < 4 {
		return b
	}
	b = slices.Clone(b)
	binary.LittleEndian.PutUint32(b[len(b)-4:], crc32.ChecksumIEEE(b[:len(b)-4]))
	return b
}

// FuzzLoad loads arbitrary bytes, as given and with a valid checksum, into every optimiser
// of the registry, each after 3 steps of the reference problem. Load must not panic; when it
// fails, the optimiser's saved state and the parameters must be as before (nothing
// half-applied); when it succeeds, the parameters must be untouched, saving and loading again
// must give the same bytes, and a step must run. Seeded with testdata/state/*.state.
func FuzzLoad(f *testing.F) {
	for _, e := range Registry() {
		b, err := os.ReadFile(statePath(e.Name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	entries := Registry()
	f.Fuzz(func(t *testing.T, data []byte) {
		inputs := [][]byte{data, withChecksum(data)}
		for _, e := range entries {
			for _, in := range inputs {
				pr, o := stateOptimizer(t, e, 3)
				before := saved(t, o)
				values := pr.values()
				err := o.(Stateful).Load(bytes.NewReader(in))
				if !slices.EqualFunc(values, pr.values(), slices.Equal) {
					t.Fatalf("%s: Load changed the parameters (err %v)", e.Name, err)
				}
				if err != nil {
					if after := saved(t, o); !bytes.Equal(before, after) {
						t.Fatalf("%s: refused Load (%v) changed the state", e.Name, err)
					}
					continue
				}
				again := saved(t, o)
				_, o2 := stateOptimizer(t, e, 0)
				if err := o2.(Stateful).Load(bytes.NewReader(again)); err != nil {
					t.Fatalf("%s: a loaded state saved again does not load: %v", e.Name, err)
				}
				if !bytes.Equal(saved(t, o2), again) {
					t.Fatalf("%s: save, load, save gives other bytes", e.Name)
				}
				if l, ok := o.(*LBFGS); ok && (l.cfg.MaxIter > 100 || l.cfg.MaxEval > 200) {
					continue // a valid file may ask for a step of a billion iterations
				}
				_ = pr.tryStep(o, 3) // must not panic; a loaded state may hold any numbers
			}
		}
	})
}

// clone returns a copy of pr with parameters of their own (the constants are shared).
func (pr *problem) clone() *problem {
	c := *pr
	c.params = nil
	for _, p := range pr.params {
		c.params = append(c.params, &Param{Name: p.Name, Shape: p.Shape, Value: slices.Clone(p.Value), Grad: slices.Clone(p.Grad)})
	}
	return &c
}

// values returns a copy of the parameters' values.
func (pr *problem) values() [][]float32 {
	var v [][]float32
	for _, p := range pr.params {
		v = append(v, slices.Clone(p.Value))
	}
	return v
}

// TestLoadLBFGSEdits loads edited L-BFGS states: a history_size of 10¹¹ (which once made
// Load allocate it up front and crash) loads and steps, and a file that lacks a curvature
// ratio or claims more pairs than it holds is refused without changing the optimiser.
func TestLoadLBFGSEdits(t *testing.T) {
	e, err := Lookup("lbfgs")
	if err != nil {
		t.Fatal(err)
	}
	_, src := stateOptimizer(t, e, 3)
	edit := func(change func(f *stateFile)) []byte {
		f, err := decodeState(bytes.NewReader(saved(t, src)))
		if err != nil {
			t.Fatal(err)
		}
		change(f)
		var buf bytes.Buffer
		if err := f.encode(&buf); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	setGlobal := func(f *stateFile, name string, v float64) {
		for i := range f.global {
			if f.global[i].name == name {
				f.global[i].v = v
			}
		}
	}
	global := func(f *stateFile, name string) float64 {
		for _, v := range f.global {
			if v.name == name {
				return v.v
			}
		}
		t.Fatalf("no %s", name)
		return 0
	}
	pr, o := stateOptimizer(t, e, 3)
	if err := o.(Stateful).Load(bytes.NewReader(edit(func(f *stateFile) { f.groups[0]["history_size"] = "100000000000" }))); err != nil {
		t.Fatalf("history_size 1e11: %v", err)
	}
	pr.step(t, o, 3)
	for _, tc := range []struct {
		name   string
		change func(f *stateFile)
		want   string
	}{
		{"no ro.0", func(f *stateFile) {
			f.global = slices.DeleteFunc(f.global, func(v named) bool { return v.name == "ro.0" })
		}, `lacks "ro.0"`},
		{"history too long", func(f *stateFile) { setGlobal(f, "history", 1e6) }, "curvature pairs but"},
		{"history beyond the pairs", func(f *stateFile) { setGlobal(f, "history", global(f, "history")+1) }, `lacks "ro.`},
		{"pairs beyond the history", func(f *stateFile) { setGlobal(f, "history", global(f, "history")-1) }, "which an L-BFGS state of"},
	} {
		_, o := stateOptimizer(t, e, 3)
		before := saved(t, o)
		err := o.(Stateful).Load(bytes.NewReader(edit(tc.change)))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want an error containing %q", tc.name, err, tc.want)
		}
		if !bytes.Equal(before, saved(t, o)) {
			t.Errorf("%s: the refused load changed the optimizer", tc.name)
		}
	}
}

// TestEncodeLargeState checks the streaming encoder on a state of several of its chunks:
// the bytes are those of the layout written in one piece (magic, version, body, CRC-32 of
// all before it), they decode to the same buffers, and a writer that fails part-way makes
// encode return its error.
func TestEncodeLargeState(t *testing.T) {
	big := make([]float32, 3*encodeChunk/4+5) // each buffer about 3 chunks
	for i := range big {
		big[i] = float32(i) * 0.5
	}
	f := &stateFile{kind: "adam", groups: []Options{{"lr": "0.001"}}, global: []named{{"steps", 7}},
		params: []paramRecord{
			{name: "a", shape: []int{len(big)}, step: 7, bufs: []namedBuf{{"exp_avg", big}, {"exp_avg_sq", big[1:]}}},
			{name: "b", shape: []int{2}, step: 7, vals: []named{{"mu", 0.25}}, bufs: []namedBuf{{"m", []float32{1, 2}}}},
		}}
	var w chunkWriter
	if err := f.encode(&w); err != nil {
		t.Fatal(err)
	}
	b := w.Bytes()
	if w.writes < 6 {
		t.Errorf("encode made %d writes of a %d-byte state; want it streamed in chunks of %d", w.writes, len(b), encodeChunk)
	}
	if got, want := binary.LittleEndian.Uint32(b[len(b)-4:]), crc32.ChecksumIEEE(b[:len(b)-4]); got != want {
		t.Fatalf("checksum %08x, want %08x", got, want)
	}
	g, err := decodeState(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if len(g.params) != 2 || !slices.Equal(g.params[0].bufs[0].data, big) || !slices.Equal(g.params[0].bufs[1].data, big[1:]) ||
		g.params[1].vals[0] != f.params[1].vals[0] || !slices.Equal(g.params[1].bufs[0].data, []float32{1, 2}) {
		t.Errorf("decoded state differs from the encoded one")
	}
	for _, at := range []int{0, 10, encodeChunk + 3, len(b) - 2} {
		fw := &failWriter{left: at}
		if err := f.encode(fw); err != errFull {
			t.Errorf("writer failing after %d bytes: encode returned %v, want %v", at, err, errFull)
		}
	}
}

// A chunkWriter is a bytes.Buffer that counts the calls to Write.
type chunkWriter struct {
	bytes.Buffer
	writes int
}

func (w *chunkWriter) Write(p []byte) (int, error) { w.writes++; return w.Buffer.Write(p) }

var errFull = errors.New("disk full")

// A failWriter takes left bytes, then fails.
type failWriter struct{ left int }

func (w *failWriter) Write(p []byte) (int, error) {
	if len(p) > w.left {
		n := w.left
		w.left = 0
		return n, errFull
	}
	w.left -= len(p)
	return len(p), nil
}
