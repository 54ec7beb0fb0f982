package results

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/sample.jsonl")

// sampleFile returns sampleRecords as the Writer writes them.
func sampleFile(t testing.TB) []byte {
	var buf bytes.Buffer
	w := NewWriter(&buf)
	for _, r := range sampleRecords() {
		if err := w.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	return buf.Bytes()
}

// TestTestdata reads each file of testdata: the sample, written by the Writer (go test
// -update rewrites it), a run killed mid-write, and files with values no run writes.
func TestTestdata(t *testing.T) {
	sample := filepath.Join("testdata", "sample.jsonl")
	if *update {
		if err := os.WriteFile(sample, sampleFile(t), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if b, err := os.ReadFile(sample); err != nil || !bytes.Equal(b, sampleFile(t)) {
		t.Errorf("%s is not what the Writer writes (go test -update rewrites it): %v", sample, err)
	}
	for _, tc := range []struct {
		file string
		recs int    // records read
		err  string // the error, "" for none
	}{
		{"sample.jsonl", 5, ""},
		{"killed.jsonl", 2, ""},
		{"nan-in-done-run.jsonl", 1, `testdata/nan-in-done-run.jsonl:2: field "test_accuracy": "NaN" in run "adam" seed 1, which did not diverge`},
		{"nan-seconds.jsonl", 0, `testdata/nan-seconds.jsonl:1: field "seconds": "NaN" is not a number of seconds`},
		{"null-loss.jsonl", 0, `testdata/null-loss.jsonl:1: field "train_loss": null is not a number`},
	} {
		recs, err := ReadFile(filepath.Join("testdata", tc.file))
		switch {
		case tc.err == "" && err != nil:
			t.Errorf("%s: %v", tc.file, err)
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("%s: error %v, want %q", tc.file, err, tc.err)
		case tc.err != "" && !errors.As(err, new(*SyntaxError)):
			t.Errorf("%s: error %v is not a *SyntaxError", tc.file, err)
		}
		if len(recs) != tc.recs {
			t.Errorf("%s: %d records, want %d", tc.file, len(recs), tc.recs)
		}
	}
}

// FuzzRead checks that Read never panics, and that whatever it returns the Writer could
// have written: each record passes the Writer's checks, writes and reads back the same, and
// has a non-finite value only in a run that diverged or has not ended.
func FuzzRead(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.jsonl"))
	if err != nil || len(files) == 0 {
		f.Fatalf("no testdata: %v", err)
	}
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		recs, err := Read(bytes.NewReader(data))
		var se *SyntaxError
		if errors.As(err, &se) && (se.Line < 1 || se.Line > bytes.Count(data, []byte("\n"))+1) {
			t.Errorf("error on line %d of %d: %v", se.Line, bytes.Count(data, []byte("\n"))+1, err)
		}
		var buf bytes.Buffer
		w := NewWriter(&buf)
		for i, r := range recs {
			func() {
				defer func() {
					if p := recover(); p != nil {
						t.Fatalf("record %d %+v, which Read returned, cannot be written: %v", i, r, p)
					}
				}()
				w.Write(r)
			}()
			for _, m := range r.Metrics {
				if !finite(m.Value) && !divergedAfter(recs, i) {
					t.Errorf("record %d: %s = %v in a run that did not diverge", i, m.Name, m.Value)
				}
			}
		}
		again, err := Read(&buf)
		if err != nil {
			t.Fatalf("reading back what the Writer wrote of Read's records: %v", err)
		}
		if len(again) != len(recs) {
			t.Fatalf("read back %d records of %d", len(again), len(recs))
		}
		for i := range recs {
			if !sameRecord(again[i], recs[i]) {
				t.Errorf("record %d:\n read %+v\nagain %+v", i, recs[i], again[i])
			}
		}
		for _, s := range Summarize(Runs(recs), TrainLoss, TestAccuracy) {
			if err := WriteSummaryCSV(&bytes.Buffer{}, []Summary{s}); err != nil {
				t.Error(err)
			}
		}
	})
}

// divergedAfter reports whether the run of recs[i] has no end record after it, or its next
// one says it diverged.
func divergedAfter(recs []Record, i int) bool {
	for _, r := range recs[i:] {
		if r.Kind == KindEnd && r.Run == recs[i].Run && r.Seed == recs[i].Seed {
			return r.Status == StatusDiverged
		}
	}
	return true
}
