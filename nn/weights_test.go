package nn

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"strings"
	"testing"

	"github.com/descent-ml/descent/tensor"
)

func smallModel(seed uint64) *Sequential {
	rng := rand.New(rand.NewPCG(seed, 1))
	return NewSequential(NewConv2d(2, 3, 3, tensor.Conv2dConfig{Padding: 1}, rng), ReLU{}, Flatten{},
		NewLinear(3*4*4, 5, rng), Tanh{}, NewLinear(5, 2, rng), LogSoftmax{})
}

func values(m Module) []float32 {
	var v []float32
	for _, p := range Params(m) {
		v = append(v, p.Value...)
	}
	return v
}

func TestSaveLoadRoundTrip(t *testing.T) {
	a, b := smallModel(1), smallModel(2)
	var buf bytes.Buffer
	if err := save(&buf, a); err != nil {
		t.Fatal(err)
	}
	if err := Load(bytes.NewReader(buf.Bytes()), b); err != nil {
		t.Fatal(err)
	}
	va, vb := values(a), values(b)
	for i := range va {
		if va[i] != vb[i] {
			t.Fatalf("value %d: %v after loading, saved %v", i, vb[i], va[i])
		}
	}
	ts, err := ReadTensors(bytes.NewReader(buf.Bytes()))
	if err != nil || len(ts) != len(a.Parameters()) || ts[0].Name != "0.weight" || ts[0].Tensor.Rank() != 4 {
		t.Fatalf("ReadTensors: %d tensors, error %v", len(ts), err)
	}
}

// loadErr loads data into a fresh small model and returns the error, checking that a
// failed load leaves the model unchanged.
func loadErr(t *testing.T, data []byte, m Module) error {
	t.Helper()
	before := values(m)
	err := Load(bytes.NewReader(data), m)
	if err != nil {
		for i, v := range values(m) {
			if v != before[i] {
				t.Fatalf("failed load changed value %d", i)
			}
		}
	}
	return err
}

func TestLoadErrors(t *testing.T) {
	var buf bytes.Buffer
	if err := save(&buf, smallModel(1)); err != nil {
		t.Fatal(err)
	}
	good := buf.Bytes()
	otherShape := NewSequential(NewConv2d(2, 3, 3, tensor.Conv2dConfig{Padding: 1}, rand.New(rand.NewPCG(1, 1))), ReLU{}, Flatten{},
		NewLinear(3*4*4, 6, rand.New(rand.NewPCG(1, 1))), Tanh{}, NewLinear(6, 2, rand.New(rand.NewPCG(1, 1))), LogSoftmax{})
	otherNames := NewSequential(ReLU{}, NewConv2d(2, 3, 3, tensor.Conv2dConfig{Padding: 1}, rand.New(rand.NewPCG(1, 1))), Flatten{},
		NewLinear(3*4*4, 5, rand.New(rand.NewPCG(1, 1))), Tanh{}, NewLinear(5, 2, rand.New(rand.NewPCG(1, 1))), LogSoftmax{})
	fewer := NewSequential(NewLinear(3, 2, rand.New(rand.NewPCG(1, 1))))
	for _, tc := range []struct {
		name  string
		data  []byte
		m     Module
		param string
		msg   string
	}{
		{"shape", good, otherShape, "3.weight", "shape [5 48] in file, [6 48] in model"},
		{"name", good, otherNames, "1.weight", `file has "0.weight" in its place (entry 0)`},
		{"count", good, fewer, "", "file has 6 tensors, model has 2 parameters"},
		{"magic", append([]byte("NOTWEIGH"), good[8:]...), smallModel(3), "", "not a weights file"},
		{"version", append(append([]byte(nil), good[:8]...), append([]byte{2, 0, 0, 0}, good[12:]...)...), smallModel(3), "", "version 2, want 1"},
		{"trailing", append(append([]byte(nil), good...), 0), smallModel(3), "", "trailing data"},
	} {
		err := loadErr(t, tc.data, tc.m)
		var we *WeightsError
		if !errors.As(err, &we) || we.Tensor != tc.param || !strings.Contains(err.Error(), tc.msg) || !strings.HasPrefix(err.Error(), "nn: weights: ") {
			t.Errorf("%s: error %v, want parameter %q and %q", tc.name, err, tc.param, tc.msg)
		}
	}
}

func TestLoadTruncated(t *testing.T) {
	var buf bytes.Buffer
	if err := save(&buf, smallModel(1)); err != nil {
		t.Fatal(err)
	}
	good := buf.Bytes()
	// Every proper prefix fails as truncated, naming the parameter once its name is read.
	for n := 0; n < len(good); n++ {
		err := loadErr(t, good[:n], smallModel(2))
		if !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Fatalf("prefix of %d bytes: %v, want a truncation error", n, err)
		}
		if _, err := ReadTensors(bytes.NewReader(good[:n])); !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Fatalf("ReadTensors of a prefix of %d bytes: %v", n, err)
		}
	}
	err := loadErr(t, good[:len(good)-1], smallModel(2))
	if !strings.Contains(err.Error(), `tensor "5.bias": truncated data`) {
		t.Errorf("one byte short: %v", err)
	}
}

func TestReadTensorsHugeHeader(t *testing.T) {
	// A header that promises a 2²⁸-element tensor in a file of a few bytes fails as
	// truncated after reading what there is, and 2³² elements fail as too large.
	head := func(d0, d1 uint32) []byte {
		b := []byte("DESCENTW")
		for _, v := range []uint32{1, 1, 1} {
			b = binary.LittleEndian.AppendUint32(b, v)
		}
		b = append(b, 'w')
		for _, v := range []uint32{2, d0, d1} {
			b = binary.LittleEndian.AppendUint32(b, v)
		}
		return append(b, 1, 2, 3, 4)
	}
	if _, err := ReadTensors(bytes.NewReader(head(1<<14, 1<<14))); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("2^28 elements promised: %v", err)
	}
	if _, err := ReadTensors(bytes.NewReader(head(1<<16, 1<<16))); err == nil || !strings.Contains(err.Error(), "too large") {
		t.Errorf("2^32 elements promised: %v", err)
	}
}

func FuzzReadTensors(f *testing.F) {
	var buf bytes.Buffer
	if err := save(&buf, smallModel(1)); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.Bytes())
	if b, err := os.ReadFile("../model/testdata/torch_logreg_weights.bin"); err == nil {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		ts, err := ReadTensors(bytes.NewReader(data))
		if err != nil {
			var we *WeightsError
			if !errors.As(err, &we) {
				t.Fatalf("error of type %T: %v", err, err)
			}
			return
		}
		// What was read writes back to the same bytes.
		var out bytes.Buffer
		if err := writeTensors(&out, ts); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(out.Bytes(), data) {
			t.Fatal("read and written back differs")
		}
	})
}

// save writes the parameters of m, with their names and shapes, to w in the former weights
// format, as descent wrote it, for the tests of its readers.
func save(w io.Writer, m Module) error {
	ps := m.Parameters()
	ts := make([]NamedTensor, len(ps))
	for i, p := range ps {
		ts[i] = NamedTensor{Name: p.Name, Tensor: &p.Var.Value}
	}
	return writeTensors(w, ts)
}

// writeTensors writes named tensors in the former weights format, as descent wrote them.
func writeTensors(w io.Writer, ts []NamedTensor) error {
	bw := bufio.NewWriter(w)
	bw.WriteString(weightsMagic)
	le := binary.LittleEndian
	var b [4]byte
	u32 := func(v int) {
		le.PutUint32(b[:], uint32(v))
		bw.Write(b[:])
	}
	u32(weightsVersion)
	u32(len(ts))
	for _, t := range ts {
		if len(t.Name) > maxNameLen {
			return &WeightsError{Tensor: t.Name[:32] + "…", Msg: "name too long"}
		}
		u32(len(t.Name))
		bw.WriteString(t.Name)
		u32(t.Tensor.Rank())
		for _, d := range t.Tensor.Shape() {
			u32(d)
		}
		for _, v := range t.Tensor.Data() {
			le.PutUint32(b[:], math.Float32bits(v))
			bw.Write(b[:])
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("nn: weights: %w", err)
	}
	return nil
}
