package train

import (
	"bytes"
	"encoding"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"strings"

	"github.com/descent-ml/descent/data"
	"github.com/descent-ml/descent/nn"
	"github.com/descent-ml/descent/nn/safetensors"
	"github.com/descent-ml/descent/optim"
	"github.com/descent-ml/descent/report/results"
)

// checkpointMeta is the "meta" section of a checkpoint: which run it is and where.
type checkpointMeta struct {
	Run        string      `json:"run"`
	Seed       int         `json:"seed"`
	Config     fingerprint `json:"config"`
	GOMAXPROCS int         `json:"gomaxprocs"`
	Position   position    `json:"position"`
	// Results is the length of the run's results file (Output.Results) when the checkpoint
	// was written, nil if the run wrote none.
	Results *int64 `json:"results_offset,omitempty"`
}

// fingerprint is what a run must share with the run of a checkpoint to resume it.
type fingerprint struct {
	Model     string   `json:"model"`
	State     []string `json:"state"` // the model's state dict: names and shapes
	Loss      string   `json:"loss"`
	Task      string   `json:"task"`
	Hidden    []int    `json:"hidden"`
	NoDropout bool     `json:"no_dropout"`
	Optimizer string   `json:"optimizer"`
	Options   string   `json:"options"`
	Groups    []string `json:"groups"`
	Schedule  string   `json:"schedule"`
	ClipNorm  float64  `json:"clip_norm"`
	Epochs    int      `json:"epochs"`
	BatchSize int      `json:"batch_size"`
	DropLast  bool     `json:"drop_last"`
	EvalBatch int      `json:"eval_batch"`
	Seed      uint64   `json:"seed"`
	LogEvery  int      `json:"log_every"`
	MaxLoss   float64  `json:"max_loss"`
	TrainLen  int      `json:"train_examples"`
	EvalLen   int      `json:"eval_examples"`
	SWA       string   `json:"swa,omitempty"`
	EMA       float64  `json:"ema,omitempty"`
}

func (r *Run) fingerprint() fingerprint {
	c := r.cfg
	f := fingerprint{Model: c.Model, Loss: lossName(r.loss), Task: r.task.String(),
		Hidden: c.ModelConfig.Hidden, NoDropout: c.ModelConfig.NoDropout,
		Optimizer: c.Optimizer, Options: c.options().String(), Schedule: c.Schedule.String(), ClipNorm: c.ClipNorm,
		Epochs: c.Epochs, BatchSize: c.BatchSize, DropLast: c.DropLast, EvalBatch: c.EvalBatch, Seed: c.Seed, LogEvery: c.LogEvery,
		MaxLoss: c.MaxLoss, TrainLen: r.d.Train.Len(), SWA: c.SWA.String(), EMA: c.EMA}
	for _, g := range c.Groups {
		f.Groups = append(f.Groups, g.Pattern+":"+g.Options.String())
	}
	for _, e := range nn.StateDict(r.model) {
		f.State = append(f.State, fmt.Sprintf("%s %v", e.Name, e.Tensor.Shape()))
	}
	if r.d.Eval != nil {
		f.EvalLen = r.d.Eval.Len()
	}
	return f
}

// diff returns the first field in which f and g differ, as "name: f's value, g's value",
// or "" if they are the same.
func (f fingerprint) diff(g fingerprint) string {
	var a, b map[string]any
	fa, _ := json.Marshal(f)
	gb, _ := json.Marshal(g)
	json.Unmarshal(fa, &a)
	json.Unmarshal(gb, &b)
	keys := make([]string, 0, len(a))
	for k := range a {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		x, _ := json.Marshal(a[k])
		y, _ := json.Marshal(b[k])
		if !bytes.Equal(x, y) {
			return fmt.Sprintf("%s is %s here, %s in the checkpoint", k, x, y)
		}
	}
	return ""
}

// SaveCheckpoint writes everything the run needs to continue bit for bit to the file at
// path, atomically: the model's weights, the optimiser's state, the schedule's, the
// loader's position and seed, the state of the generator of the dropout masks, and the
// run's counters. See [Run.Resume].
func (r *Run) SaveCheckpoint(path string) error { return r.saveCheckpoint(path, nil) }

// saveCheckpoint writes the checkpoint to path; with results, the run's results file, it
// first syncs the file and records its length, so that a resumed run can restore the file
// to this point (CheckpointInfo.Results).
func (r *Run) saveCheckpoint(path string, results *results.Writer) error {
	meta := checkpointMeta{Run: r.name, Seed: r.seed, Config: r.fingerprint(), GOMAXPROCS: runtime.GOMAXPROCS(0), Position: r.pos}
	if results != nil {
		if err := results.Sync(); err != nil {
			return err
		}
		n := results.Offset()
		meta.Results = &n
	}
	stateful, ok := r.opt.(optim.Stateful)
	if !ok {
		return fmt.Errorf("train: optimizer %s cannot save its state", r.cfg.Optimizer)
	}
	secs := []section{
		{"meta", jsonSection(meta)},
		{"model", r.SaveWeights},
		{"optimizer", stateful.Save},
		{"schedule", binarySection(r.sched)},
		{"loader", jsonSection(r.loader.State())},
		{"rng", binarySection(r.src)},
	}
	if len(r.avgs) > 0 {
		counts := map[string]int64{}
		for _, a := range r.avgs {
			counts[a.kind] = a.avg.N()
			secs = append(secs, section{averageSection + a.kind, func(w io.Writer) error { return r.SaveAverage(a.kind, w) }})
		}
		secs = append(secs, section{"averages", jsonSection(counts)})
	}
	if r.swalr != nil {
		secs = append(secs, section{"swalr", binarySection(r.swalr)})
	}
	return writeCheckpoint(path, secs)
}

// averageSection prefixes the name of the checkpoint section of an averaged model's state:
// "average.swa", "average.ema".
const averageSection = "average."

// resumeAverages restores the averaged models and SWALR from the sections of a checkpoint
// at position p, checking that each average counts the models it should: one per epoch
// from SWA.Start for SWA, one per step for EMA.
func (r *Run) resumeAverages(secs map[string][]byte, p position) error {
	var counts map[string]int64
	if len(r.avgs) > 0 {
		if _, ok := secs["averages"]; !ok {
			return errors.New("no averages section")
		}
		if err := json.Unmarshal(secs["averages"], &counts); err != nil {
			return fmt.Errorf("averages: %v", err)
		}
	}
	for _, a := range r.avgs {
		b, ok := secs[averageSection+a.kind]
		if !ok {
			return fmt.Errorf("no %s%s section", averageSection, a.kind)
		}
		n, ok := counts[a.kind]
		want := int64(p.Step)
		if a.kind == AverageSWA {
			want = int64(max(0, p.Epoch-a.first+1))
		}
		if !ok || n != want {
			return fmt.Errorf("averages: %s has averaged %d models, want %d at epoch %d, step %d", a.kind, n, want, p.Epoch, p.Step)
		}
		state, err := readState(b)
		if err != nil {
			return fmt.Errorf("%s%s: %v", averageSection, a.kind, err)
		}
		if err := nn.LoadStateDict(a.model, state, true); err != nil {
			return fmt.Errorf("%s%s: %v", averageSection, a.kind, err)
		}
		a.avg.SetN(n)
	}
	s := r.cfg.SWA
	swalr, ok := secs["swalr"]
	switch want := s != nil && s.LR > 0 && p.Epoch >= s.Start-1; {
	case want && !ok:
		return errors.New("no swalr section")
	case !want && ok:
		return errors.New("a swalr section before SWA's start")
	case want:
		if r.swalr == nil {
			if err := r.startSWALR(); err != nil {
				return fmt.Errorf("swalr: %v", err)
			}
		}
		if err := r.swalr.UnmarshalBinary(swalr); err != nil {
			return fmt.Errorf("swalr: %v", err)
		}
	}
	return nil
}

func jsonSection(v any) func(io.Writer) error {
	return func(w io.Writer) error { return json.NewEncoder(w).Encode(v) }
}

func binarySection(m encoding.BinaryMarshaler) func(io.Writer) error {
	return func(w io.Writer) error {
		b, err := m.MarshalBinary()
		if err != nil {
			return err
		}
		_, err = w.Write(b)
		return err
	}
}

// Resume restores the run from the checkpoint at path, written by SaveCheckpoint of a run
// of the same name, seed, configuration and data; Train then continues where that run
// stopped, bit for bit. It returns a *CheckpointError if the file is damaged or of
// another run. On any error the Run must not be trained.
//
// A run resumed with another number of threads (GOMAXPROCS) than it was saved with
// continues correctly, but parallel sums may round differently from then on.
func (r *Run) Resume(path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("train: checkpoint: %w", err)
	}
	return r.resume(path, b)
}

// resume restores the run from b, the bytes of the checkpoint file at path.
func (r *Run) resume(path string, b []byte) error {
	secs, err := parseCheckpoint(path, b)
	if err != nil {
		return err
	}
	bad := func(format string, args ...any) error {
		return &CheckpointError{Path: path, Msg: fmt.Sprintf(format, args...)}
	}
	for _, name := range []string{"meta", "model", "optimizer", "schedule", "loader", "rng"} {
		if _, ok := secs[name]; !ok {
			return bad("no %s section", name)
		}
	}
	var meta checkpointMeta
	if err := json.Unmarshal(secs["meta"], &meta); err != nil {
		return bad("meta: %v", err)
	}
	if meta.Run != r.name || meta.Seed != r.seed {
		return bad("it is of run %s seed %d, not %s seed %d", meta.Run, meta.Seed, r.name, r.seed)
	}
	if d := r.fingerprint().diff(meta.Config); d != "" {
		return bad("another configuration: %s", d)
	}
	if msg := meta.Position.check(r.cfg); msg != "" {
		return bad("meta: position: %s", msg)
	}
	var ls data.State
	if err := json.Unmarshal(secs["loader"], &ls); err != nil {
		return bad("loader: %v", err)
	}
	state, err := readState(secs["model"])
	if err != nil {
		return bad("model: %v", err)
	}
	if err := nn.LoadStateDict(r.model, state, true); err != nil {
		return bad("model: %v", err)
	}
	if err := r.opt.(optim.Stateful).Load(bytes.NewReader(secs["optimizer"])); err != nil {
		return bad("optimizer: %v", err)
	}
	if err := r.sched.UnmarshalBinary(secs["schedule"]); err != nil {
		return bad("schedule: %v", err)
	}
	if err := r.loader.Restore(ls); err != nil {
		return bad("loader: %v", err)
	}
	if err := r.src.UnmarshalBinary(secs["rng"]); err != nil {
		return bad("rng: %v", err)
	}
	if err := r.resumeAverages(secs, meta.Position); err != nil {
		return bad("%v", err)
	}
	r.pos = meta.Position
	return nil
}

// readState reads the model section of a checkpoint: safetensors ([Run.SaveWeights]), or
// descent's former weights format, that of the checkpoints of older run folders.
func readState(b []byte) ([]nn.NamedTensor, error) {
	if bytes.HasPrefix(b, []byte("DESCENTW")) {
		return nn.ReadTensors(bytes.NewReader(b))
	}
	ts, _, err := safetensors.Read(bytes.NewReader(b), int64(len(b)))
	return ts, err
}

// CheckpointInfo describes a checkpoint file without loading it into a run.
type CheckpointInfo struct {
	Run        string
	Seed       int
	Epoch      int    // epochs completed
	Step       int    // optimiser steps taken
	Status     string // "" while the run can continue, else "done" or "diverged"
	Note       string
	GOMAXPROCS int // the threads the run was saved with
	// Results is the length the run's results file had when the checkpoint was written:
	// the records after it were written after the checkpoint, and a resumed run writes
	// them again. It is -1 when the checkpoint does not record it (the run wrote no
	// results, or the checkpoint was written by an earlier version of descent).
	Results int64
}

// ReadCheckpointInfo reads and verifies the checkpoint at path and describes it.
func ReadCheckpointInfo(path string) (CheckpointInfo, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return CheckpointInfo{}, fmt.Errorf("train: checkpoint: %w", err)
	}
	return checkpointInfo(path, b)
}

// checkpointInfo describes b, the bytes of the checkpoint file at path.
func checkpointInfo(path string, b []byte) (CheckpointInfo, error) {
	secs, err := parseCheckpoint(path, b)
	if err != nil {
		return CheckpointInfo{}, err
	}
	if _, ok := secs["meta"]; !ok {
		return CheckpointInfo{}, &CheckpointError{Path: path, Msg: "no meta section"}
	}
	var meta checkpointMeta
	if err := json.Unmarshal(secs["meta"], &meta); err != nil {
		return CheckpointInfo{}, &CheckpointError{Path: path, Msg: "meta: " + strings.TrimPrefix(err.Error(), "json: ")}
	}
	p := meta.Position
	info := CheckpointInfo{Run: meta.Run, Seed: meta.Seed, Epoch: p.Epoch, Step: p.Step, Status: string(p.Status),
		Note: p.Note, GOMAXPROCS: meta.GOMAXPROCS, Results: -1}
	if meta.Results != nil {
		if *meta.Results < 0 {
			return CheckpointInfo{}, &CheckpointError{Path: path, Msg: fmt.Sprintf("meta: results offset %d is negative", *meta.Results)}
		}
		info.Results = *meta.Results
	}
	return info, nil
}

// check returns what is wrong with a position read from a checkpoint of a run of cfg, or
// "": counts out of range would make a resumed run train for ever or divide by zero.
func (p position) check(cfg Config) string {
	switch {
	case p.Epoch < 0 || p.Epoch > cfg.Epochs:
		return fmt.Sprintf("epoch %d outside [0, %d]", p.Epoch, cfg.Epochs)
	case p.Step < 0 || p.EpochSamples < 0:
		return fmt.Sprintf("step %d or %d examples of the epoch is negative", p.Step, p.EpochSamples)
	case p.LogSteps < 0 || p.LogSteps >= cfg.LogEvery:
		return fmt.Sprintf("%d steps since the last record, outside [0, %d)", p.LogSteps, cfg.LogEvery)
	case p.Status == "" && !(finite(p.Seconds) && finite(p.EpochLoss) && finite(p.LogLoss) && finite(p.FirstLoss)):
		return "a running sum is not finite"
	}
	return ""
}
