package sweep

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/descent-ml/descent/internal/atomicfile"
	"github.com/descent-ml/descent/report/results"
)

// A trial's result file, result.json, is one JSON object written atomically once the trial
// has ended (done or diverged):
//
//	{"format":"descent sweep result","version":1,"plan":"<SHA-256 of plan.json>",
//	 "trial":"<id>","name":"lr=0.001","seed":1,"status":"done","sha256":"<of the records>",
//	 "records":[
//	{"run":"lr=0.001","seed":1,"kind":"step",...},
//	...
//	]}
//
// with the trial's records as results.jsonl holds them, one a line, each step, epoch and
// the end record once: the SHA-256 is of those lines, each ended by a newline. A file
// that does not decode, whose checksum or plan does not match, or whose records are not
// those of one ended run of its trial is refused with a *ResultError.

// A ResultError reports a result file that cannot be used: damaged, of another trial, or
// of another plan. Such a file is never overwritten: its trial is trained again only once
// the file is removed.
type ResultError struct {
	Path string
	Msg  string
}

func (e *ResultError) Error() string {
	return "sweep: result " + e.Path + ": " + e.Msg + " (remove it to train the trial again)"
}

// resultHead is the result file but its records.
type resultHead struct {
	Format  string `json:"format"`
	Version int    `json:"version"`
	Plan    string `json:"plan"`
	Trial   string `json:"trial"`
	Name    string `json:"name"`
	Seed    uint64 `json:"seed"`
	Status  string `json:"status"`
	SHA256  string `json:"sha256"`
}

// A Result is the outcome of a trial read from its result file.
type Result struct {
	Status  results.Status
	Records []results.Record
	lines   []byte // the records, as results.jsonl holds them
}

// cleanRecords returns the records of the one run of recs (a trial's records.jsonl, with
// the records written again after a resume), in order — step and epoch records by step,
// a step before the epoch record of the same step, the end record last — as lines of
// results.jsonl.
func cleanRecords(recs []results.Record, t Trial) ([]byte, results.Status, error) {
	runs := results.Runs(recs)
	if len(runs) != 1 || runs[0].Name != t.Name || runs[0].Seed != int(t.Seed) {
		return nil, "", fmt.Errorf("the records are of %d runs, not of trial %s seed %d alone", len(runs), t.Name, t.Seed)
	}
	r := runs[0]
	if r.End == nil || (r.End.Status != results.StatusDone && r.End.Status != results.StatusDiverged) {
		return nil, "", errors.New("the run has not ended")
	}
	all := append(slices.Clone(r.Steps), r.Epochs...)
	rank := func(k results.Kind) int {
		if k == results.KindStep {
			return 0
		}
		return 1
	}
	slices.SortStableFunc(all, func(a, b results.Record) int {
		return cmp.Or(cmp.Compare(a.Step, b.Step), cmp.Compare(rank(a.Kind), rank(b.Kind)), cmp.Compare(a.Epoch, b.Epoch))
	})
	all = append(all, *r.End)
	var buf bytes.Buffer
	w := results.NewWriter(&buf)
	for _, rec := range all {
		if err := w.Write(rec); err != nil {
			return nil, "", err
		}
	}
	return buf.Bytes(), r.End.Status, nil
}

// writeResult writes the result file of trial t of plan digest plan in folder dir,
// atomically.
func writeResult(dir, plan string, t Trial, status results.Status, lines []byte) error {
	sum := sha256.Sum256(lines)
	head, err := json.Marshal(resultHead{Format: resultFormat, Version: Version, Plan: plan, Trial: t.ID, Name: t.Name,
		Seed: t.Seed, Status: string(status), SHA256: hex.EncodeToString(sum[:])})
	if err != nil {
		return err
	}
	var b bytes.Buffer
	b.Write(head[:len(head)-1])
	b.WriteString(`,"records":[` + "\n")
	rows := bytes.Split(bytes.TrimSuffix(lines, []byte("\n")), []byte("\n"))
	b.Write(bytes.Join(rows, []byte(",\n")))
	b.WriteString("\n]}\n")
	// The file is synced before it is renamed, so that a crash never leaves a damaged
	// result, and the folder after, so that the rename survives a crash of the machine:
	// the records it is made from are not synced when they are closed.
	if err := atomicfile.WriteFile(filepath.Join(dir, ResultFile), b.Bytes()); err != nil {
		return fmt.Errorf("sweep: %w", err)
	}
	return nil
}

// readResult reads the result file of trial t of the plan of digest plan in folder dir.
// It returns nil, nil when there is none, a *ResultError when it cannot be used.
func readResult(dir, plan string, t Trial) (*Result, error) {
	path := filepath.Join(dir, ResultFile)
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("sweep: %w", err)
	}
	bad := func(format string, args ...any) error {
		return &ResultError{Path: path, Msg: fmt.Sprintf(format, args...)}
	}
	var f struct {
		resultHead
		Records []json.RawMessage `json:"records"`
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return nil, bad("damaged: %v", err)
	}
	switch {
	case f.Format != resultFormat:
		return nil, bad("not a result of descent sweep (format %q)", f.Format)
	case f.Version != Version:
		return nil, bad("a result of version %d; this descent reads version %d", f.Version, Version)
	case f.Trial != t.ID || f.Name != t.Name || f.Seed != t.Seed:
		return nil, bad("a result of trial %s (%s seed %d), in the folder of trial %s (%s seed %d)", f.Trial, f.Name, f.Seed, t.ID, t.Name, t.Seed)
	case f.Plan != plan:
		return nil, bad("a result of another plan (SHA-256 %.12s…, this plan's %.12s…): %s changed after the trial was trained", f.Plan, plan, PlanFile)
	}
	var lines []byte
	for _, r := range f.Records {
		lines = append(append(lines, r...), '\n')
	}
	sum := sha256.Sum256(lines)
	if hex.EncodeToString(sum[:]) != f.SHA256 {
		return nil, bad("damaged: the checksum of its records does not match")
	}
	recs, err := results.Read(bytes.NewReader(lines))
	if err != nil {
		return nil, bad("damaged: %v", err)
	}
	clean, status, err := cleanRecords(recs, t)
	switch {
	case err != nil:
		return nil, bad("%v", err)
	case !bytes.Equal(clean, lines):
		return nil, bad("its records are not in order")
	case string(status) != f.Status:
		return nil, bad("status %q, its end record says %q", f.Status, status)
	}
	return &Result{Status: status, Records: recs, lines: lines}, nil
}

// A failure is what failed.json says of a trial whose training stopped on an error.
type failure struct {
	Format string    `json:"format"`
	Plan   string    `json:"plan"`
	Trial  string    `json:"trial"`
	Error  string    `json:"error"`
	Host   string    `json:"host"`
	PID    int       `json:"pid"`
	Time   time.Time `json:"time"`
}

// writeFailure records in dir that trial t stopped on err.
func writeFailure(dir, plan string, t Trial, err error) error {
	host, _ := os.Hostname()
	b, jerr := json.MarshalIndent(failure{Format: failureFormat, Plan: plan, Trial: t.ID, Error: err.Error(), Host: host,
		PID: os.Getpid(), Time: time.Now().UTC()}, "", "  ")
	if jerr != nil {
		return jerr
	}
	return atomicfile.WriteFile(filepath.Join(dir, FailedFile), append(b, '\n'))
}

// readFailure returns what dir/failed.json says, or nil if there is none (or it cannot
// be read: a failure is advice, not a result).
func readFailure(dir string) *failure {
	b, err := os.ReadFile(filepath.Join(dir, FailedFile))
	if err != nil {
		return nil
	}
	var f failure
	if json.Unmarshal(b, &f) != nil || f.Format != failureFormat {
		return &failure{Error: "unreadable " + FailedFile}
	}
	return &f
}
