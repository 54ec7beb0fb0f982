package sweep

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strings"

	"github.com/descent-ml/descent/internal/atomicfile"
	"github.com/descent-ml/descent/optim"
	"github.com/descent-ml/descent/train"
)

// File and folder names in a plan folder.
const (
	PlanFile      = "plan.json"   // the Plan
	TrialsDir     = "trials"      // a folder per trial, named by its ID
	ResultFile    = "result.json" // a trial's records, once it has ended (done or diverged)
	FailedFile    = "failed.json" // a trial whose training stopped on an error
	RecordsFile   = "records.jsonl"
	planFormat    = "descent sweep plan"
	resultFormat  = "descent sweep result"
	failureFormat = "descent sweep failure"
)

// Version is the version of the plan and result files this package reads and writes.
const Version = 1

// A Plan is the trials of a sweep (or of a comparison) written down without training
// them, so that other processes — the tasks of a Slurm job array, the pods of a Kubernetes
// Indexed Job — train them: see the package documentation.
type Plan struct {
	Format  string `json:"format"`  // "descent sweep plan"
	Version int    `json:"version"` // Version
	// Command is the command whose trials these are: "sweep" or "compare". Args are its
	// arguments, flags included, from which a task rebuilds the trials and their data.
	Command string   `json:"command"`
	Args    []string `json:"args"`
	// Dir is the working folder of the command: relative paths in Args are relative to it.
	Dir string `json:"dir"`
	// Threads is the number of threads (GOMAXPROCS) the trials are trained with, so that
	// every task sums as the command would have: the same threads, the same bits.
	Threads int `json:"threads"`
	// Data describes the data the trials train and are evaluated on, as the command
	// describes it; a task checks that it loaded the same.
	Data json.RawMessage `json:"data"`
	// Trials are the runs, in the order of the command.
	Trials []Trial `json:"trials"`
}

// A Trial is one run of a plan.
type Trial struct {
	// ID names the trial's folder: 16 hexadecimal digits of a SHA-256 of its configuration
	// (seed included) and of the plan's data, so that two trials of the same plan never
	// share one.
	ID    string `json:"id"`
	Name  string `json:"name"` // the run's name in results.jsonl, e.g. "lr=0.001"
	Seed  uint64 `json:"seed"`
	Label string `json:"label,omitempty"` // what the progress shows, if not the name
}

// A PlanError reports a plan file that cannot be used: damaged, of another version, or
// not the plan of the trials it holds.
type PlanError struct {
	Path string
	Msg  string
}

func (e *PlanError) Error() string { return "sweep: plan " + e.Path + ": " + e.Msg }

// NewPlan returns the plan of jobs, the runs of the command with arguments args run in
// the folder dir with threads threads, on the data described by data (any value that
// encodes to JSON; the same data must encode the same). A job whose model is
// Config.NewModel, or whose loss is Config.Loss, cannot be planned: a task could not make
// it again from the arguments.
func NewPlan(command string, args []string, dir string, threads int, data any, jobs []train.Job) (*Plan, error) {
	switch {
	case command == "":
		panic("sweep: no command")
	case threads < 1:
		panic("sweep: threads < 1")
	case len(jobs) == 0:
		return nil, errors.New("sweep: no trials to plan")
	}
	d, err := json.Marshal(data)
	if err != nil {
		return nil, fmt.Errorf("sweep: the data's description: %w", err)
	}
	p := &Plan{Format: planFormat, Version: Version, Command: command, Args: append([]string{}, args...), Dir: dir,
		Threads: threads, Data: d}
	seen := map[string]string{}
	for _, j := range jobs {
		id, err := TrialID(j.Config, d)
		if err != nil {
			return nil, fmt.Errorf("sweep: %s: %w", j.Name, err)
		}
		if other, dup := seen[id]; dup {
			return nil, fmt.Errorf("sweep: trials %s and %s have the same configuration and seed", other, j.Name)
		}
		seen[id] = j.Name
		p.Trials = append(p.Trials, Trial{ID: id, Name: j.Name, Seed: j.Config.Seed, Label: j.Label})
	}
	return p, nil
}

// configKey is what makes a trial's ID: every field of a train.Config that a command line
// sets.
type configKey struct {
	Model     string            `json:"model"`
	Hidden    []int             `json:"hidden"`
	NoDropout bool              `json:"no_dropout"`
	Optimizer string            `json:"optimizer"`
	Options   optim.Options     `json:"options"`
	Groups    []optim.GroupRule `json:"groups"`
	Schedule  string            `json:"schedule"`
	ClipNorm  float64           `json:"clip_norm"`
	Epochs    int               `json:"epochs"`
	BatchSize int               `json:"batch_size"`
	EvalBatch int               `json:"eval_batch"`
	Seed      uint64            `json:"seed"`
	LogEvery  int               `json:"log_every"`
	MaxLoss   float64           `json:"max_loss"`
	Data      json.RawMessage   `json:"data"`
	// Init is the SHA-256 of Config.InitState (its names, shapes and values), "" without.
	Init string `json:"init,omitempty"`
}

// TrialID returns the ID of a trial of configuration c on the data described by data (as
// JSON): 16 hexadecimal digits of the SHA-256 of both.
func TrialID(c train.Config, data json.RawMessage) (string, error) {
	if c.NewModel != nil || c.Loss != nil {
		return "", errors.New("a model or loss of one's own (Config.NewModel, Config.Loss) cannot be planned")
	}
	k := configKey{Model: c.Model, Hidden: c.ModelConfig.Hidden, NoDropout: c.ModelConfig.NoDropout,
		Optimizer: c.Optimizer, Options: c.Options, Groups: c.Groups, Schedule: c.Schedule.String(), ClipNorm: c.ClipNorm,
		Epochs: c.Epochs, BatchSize: c.BatchSize, EvalBatch: c.EvalBatch, Seed: c.Seed, LogEvery: c.LogEvery,
		MaxLoss: c.MaxLoss, Data: data}
	if len(c.InitState) > 0 {
		h := sha256.New()
		for _, e := range c.InitState {
			fmt.Fprintf(h, "%s %v %v\n", e.Name, e.Tensor.Shape(), e.Int64)
			b := make([]byte, 0, 4*len(e.Tensor.Data()))
			for _, v := range e.Tensor.Data() {
				b = binary.LittleEndian.AppendUint32(b, math.Float32bits(v))
			}
			h.Write(b)
		}
		k.Init = hex.EncodeToString(h.Sum(nil))
	}
	b, err := json.Marshal(k)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:8]), nil
}

// encode returns the plan as its file holds it.
func (p *Plan) encode() []byte {
	b, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		panic("sweep: " + err.Error()) // a Plan always encodes
	}
	return append(b, '\n')
}

// Digest returns the SHA-256 of the plan's file, in hexadecimal: what a result records of
// the plan it belongs to.
func (p *Plan) Digest() string {
	sum := sha256.Sum256(p.encode())
	return hex.EncodeToString(sum[:])
}

// WritePlan writes p to dir/plan.json, creating dir, atomically. A folder that already
// holds a plan keeps it: the same plan is left as it is, another is refused (its trials'
// results, if any, are of the plan they were trained for).
func WritePlan(dir string, p *Plan) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("sweep: %w", err)
	}
	path := filepath.Join(dir, PlanFile)
	old, err := os.ReadFile(path)
	switch {
	case err == nil && bytes.Equal(old, p.encode()):
		return nil
	case err == nil:
		msg := "it holds another plan"
		if n := countTrialFolders(dir); n > 0 {
			msg = fmt.Sprintf("it holds another plan, and %d of its trials have started", n)
		}
		return fmt.Errorf("sweep: %s: %s; plan into a new folder", dir, msg)
	case !errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("sweep: %w", err)
	}
	if err := atomicfile.WriteFile(path, p.encode()); err != nil {
		return fmt.Errorf("sweep: %w", err)
	}
	return nil
}

// countTrialFolders returns the number of trial folders under dir.
func countTrialFolders(dir string) int {
	ents, _ := os.ReadDir(filepath.Join(dir, TrialsDir))
	return len(ents)
}

// ReadPlan reads and checks dir/plan.json. It returns a *PlanError for a file that is not
// a plan of this version, or not a consistent one.
func ReadPlan(dir string) (*Plan, error) {
	path := filepath.Join(dir, PlanFile)
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("sweep: %s is not a plan folder: no %s (descent sweep --plan DIR makes one)", dir, PlanFile)
	}
	if err != nil {
		return nil, fmt.Errorf("sweep: %w", err)
	}
	bad := func(format string, args ...any) error {
		return &PlanError{Path: path, Msg: fmt.Sprintf(format, args...)}
	}
	var head struct {
		Format  string `json:"format"`
		Version int    `json:"version"`
	}
	if err := json.Unmarshal(b, &head); err != nil {
		return nil, bad("%v", err)
	}
	switch {
	case head.Format != planFormat:
		return nil, bad("not a plan of descent sweep (format %q)", head.Format)
	case head.Version != Version:
		return nil, bad("a plan of version %d; this descent reads version %d: plan again with this descent, into a new folder", head.Version, Version)
	}
	var p Plan
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return nil, bad("%v", err)
	}
	switch {
	case p.Command != "sweep" && p.Command != "compare":
		return nil, bad("unknown command %q", p.Command)
	case p.Threads < 1:
		return nil, bad("%d threads", p.Threads)
	case len(p.Trials) == 0:
		return nil, bad("no trials")
	}
	seen := map[string]bool{}
	for i, t := range p.Trials {
		if !validID(t.ID) {
			return nil, bad("trial %d: id %q is not 16 hexadecimal digits", i, t.ID)
		}
		if seen[t.ID] {
			return nil, bad("trial %d: id %s repeats", i, t.ID)
		}
		seen[t.ID] = true
	}
	return &p, nil
}

func validID(s string) bool {
	if len(s) != 16 {
		return false
	}
	for _, c := range s {
		if !strings.ContainsRune("0123456789abcdef", c) {
			return false
		}
	}
	return true
}

// Check returns an error unless jobs, made again from the plan's arguments, are its
// trials: the same configurations, seeds and names, in the same order, on data described
// as data. It catches a plan edited by hand and a descent that makes other runs of the
// same arguments.
func (p *Plan) Check(jobs []train.Job, data any) error {
	d, err := json.Marshal(data)
	if err != nil {
		return fmt.Errorf("sweep: the data's description: %w", err)
	}
	var planData bytes.Buffer
	if err := json.Compact(&planData, p.Data); err != nil {
		return &PlanError{Path: PlanFile, Msg: "data: " + err.Error()}
	}
	if !bytes.Equal(d, planData.Bytes()) {
		return fmt.Errorf("sweep: the data loaded is not the plan's: %s here, %s in the plan", d, planData.Bytes())
	}
	if len(jobs) != len(p.Trials) {
		return fmt.Errorf("sweep: the plan's command line makes %d trials, the plan has %d", len(jobs), len(p.Trials))
	}
	for i, j := range jobs {
		id, err := TrialID(j.Config, d)
		if err != nil {
			return fmt.Errorf("sweep: %s: %w", j.Name, err)
		}
		t := p.Trials[i]
		if id != t.ID || j.Name != t.Name || j.Config.Seed != t.Seed {
			return fmt.Errorf("sweep: trial %d of the plan is %s seed %d (id %s); its command line makes %s seed %d (id %s): was %s edited?",
				i, t.Name, t.Seed, t.ID, j.Name, j.Config.Seed, id, PlanFile)
		}
	}
	return nil
}

// TrialDir returns the folder of trial t of the plan folder dir.
func TrialDir(dir string, t Trial) string { return filepath.Join(dir, TrialsDir, t.ID) }
