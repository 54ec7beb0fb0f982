package train

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/descent-ml/descent/nn"
	"github.com/descent-ml/descent/nn/safetensors"
)

// TestInitState starts a run from the state of another (Config.InitState): the model
// holds that state, bit for bit, parameters and BatchNorm's buffers; a state that does not
// fit is refused by New and by Jobs.Check with an *nn.WeightsError naming InitFrom and the
// tensor.
func TestInitState(t *testing.T) {
	cfg := tinyConfig()
	cfg.Model = "mlp:16:batchnorm"
	cfg.Epochs = 1
	d := tiny()
	a, err := New("a", cfg, d)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if _, err := a.Train(context.Background(), Output{}); err != nil {
		t.Fatal(err)
	}
	state := nn.StateDict(a.Model())

	init := cfg
	init.Seed = 99
	init.InitState, init.InitFrom = state, "a.safetensors"
	b, err := New("b", init, d)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	got := nn.StateDict(b.Model())
	for i, e := range state {
		if got[i].Name != e.Name || !slices.Equal(got[i].Tensor.Data(), e.Tensor.Data()) {
			t.Errorf("%s: not the initial state's", e.Name)
		}
	}

	bad := slices.Clone(state)
	bad[0] = nn.NamedTensor{Name: state[0].Name, Tensor: state[2].Tensor}
	init.InitState = bad
	_, err = New("b", init, d)
	we, ok := errors.AsType[*nn.WeightsError](err)
	if !ok || we.File != "a.safetensors" || we.Tensor != state[0].Name {
		t.Errorf("a state of the wrong shape: %v", err)
	}
	js := Jobs{Jobs: []Job{{Name: "sgd", Config: init}}, Data: d}
	if err := js.Check(); !errors.As(err, &we) {
		t.Errorf("Jobs.Check of a state of the wrong shape: %v", err)
	}
}

// TestResumeOldCheckpoint resumes from a checkpoint of an older run folder, whose model
// section is in descent's former weights format, and ends with the weights of a run that
// was not interrupted; new checkpoints hold safetensors.
func TestResumeOldCheckpoint(t *testing.T) {
	cfg := tinyConfig()
	cfg.Model = "mlp:16:batchnorm"
	d := tiny()
	_, _, want := train(t, cfg, d)
	dir := t.TempDir()
	ckpt := filepath.Join(dir, "checkpoint")
	saved := filepath.Join(dir, "epoch1")
	r, _ := New("run", cfg, d)
	_, err := r.Train(context.Background(), Output{Checkpoint: ckpt, OnEpoch: func(e Epoch) {
		if e.Epoch == 1 {
			b, _ := os.ReadFile(ckpt)
			os.WriteFile(saved, b, 0o644)
		}
	}})
	r.Close()
	if err != nil {
		t.Fatal(err)
	}

	raw, err := os.ReadFile(saved)
	if err != nil {
		t.Fatal(err)
	}
	secs, err := parseCheckpoint(saved, raw)
	if err != nil {
		t.Fatal(err)
	}
	state, _, err := safetensors.Read(bytes.NewReader(secs["model"]), int64(len(secs["model"])))
	if err != nil {
		t.Fatalf("the model section is not safetensors: %v", err)
	}
	// In the order of the model's state dict, as descent wrote it.
	byName := map[string]nn.NamedTensor{}
	for _, e := range state {
		byName[e.Name] = e
	}
	var ordered []nn.NamedTensor
	for _, e := range nn.StateDict(r.Model()) {
		ordered = append(ordered, byName[e.Name])
	}
	var old bytes.Buffer
	writeFormerWeights(&old, ordered)
	secs["model"] = old.Bytes()
	var sections []section
	for _, name := range []string{"meta", "model", "optimizer", "schedule", "loader", "rng"} {
		sections = append(sections, section{name, func(w io.Writer) error {
			_, err := w.Write(secs[name])
			return err
		}})
	}
	if err := writeCheckpoint(saved, sections); err != nil {
		t.Fatal(err)
	}

	r, _ = New("run", cfg, d)
	defer r.Close()
	if err := r.Resume(saved); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Train(context.Background(), Output{}); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(weights(t, r), want) {
		t.Error("weights after resuming from a former-format checkpoint differ from an uninterrupted run's")
	}
}

// writeFormerWeights writes ts in descent's former weights format, as checkpoints held
// their model: "DESCENTW", version 1, the count, then each tensor's name, rank, dims and
// float32 data, little-endian.
func writeFormerWeights(w io.Writer, ts []nn.NamedTensor) {
	bw := bufio.NewWriter(w)
	u32 := func(v int) { binary.Write(bw, binary.LittleEndian, uint32(v)) }
	bw.WriteString("DESCENTW")
	u32(1)
	u32(len(ts))
	for _, t := range ts {
		u32(len(t.Name))
		bw.WriteString(t.Name)
		u32(t.Tensor.Rank())
		for _, d := range t.Tensor.Shape() {
			u32(d)
		}
		for _, v := range t.Tensor.Data() {
			u32(int(math.Float32bits(v)))
		}
	}
	bw.Flush()
}
