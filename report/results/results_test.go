package results

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// sampleRecords covers every kind, status and awkward value the format must carry.
func sampleRecords() []Record {
	return []Record{
		{Run: "adam", Seed: 1, Kind: KindStep, Step: 10, Epoch: 1, Seconds: 0.125,
			Metrics: []Metric{{TrainLoss, 2.302585092994046}, {LR, 1e-3}}},
		{Run: "adam", Seed: 1, Kind: KindEpoch, Step: 469, Epoch: 1, Seconds: 2.5,
			Metrics: []Metric{{TrainLoss, 0.31}, {TestLoss, 0.29}, {TestAccuracy, 0.9214}}},
		{Run: "sgd lr=\"10\"\t\\ é", Seed: -3, Kind: KindStep, Step: 7, Epoch: 1, Seconds: 1e-9,
			Metrics: []Metric{{TrainLoss, math.NaN()}, {"big", math.Inf(1)}, {"small", math.Inf(-1)},
				{"tiny", 5e-324}, {"max", math.MaxFloat64}, {"zero", 0}, {"neg", -0.5}}},
		{Run: "sgd lr=\"10\"\t\\ é", Seed: -3, Kind: KindEnd, Step: 7, Epoch: 1, Seconds: 1.5,
			Status: StatusDiverged, Note: "train_loss = NaN\nat step 7"},
		{Run: "adam", Seed: 1, Kind: KindEnd, Step: 469, Epoch: 1, Seconds: 2.6, Status: StatusDone},
	}
}

func sameFloat(a, b float64) bool {
	return a == b && math.Signbit(a) == math.Signbit(b) || math.IsNaN(a) && math.IsNaN(b)
}

func sameRecord(a, b Record) bool {
	if a.Run != b.Run || a.Seed != b.Seed || a.Kind != b.Kind || a.Step != b.Step || a.Epoch != b.Epoch ||
		!sameFloat(a.Seconds, b.Seconds) || a.Status != b.Status || a.Note != b.Note || len(a.Metrics) != len(b.Metrics) {
		return false
	}
	for i := range a.Metrics {
		if a.Metrics[i].Name != b.Metrics[i].Name || !sameFloat(a.Metrics[i].Value, b.Metrics[i].Value) {
			return false
		}
	}
	return true
}

func TestRoundTrip(t *testing.T) {
	var buf bytes.Buffer
	w := NewWriter(&buf)
	want := sampleRecords()
	for _, r := range want {
		if err := w.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(buf.String(), "\n"); n != len(want) {
		t.Fatalf("%d lines for %d records", n, len(want))
	}
	got, err := Read(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("read %d records, wrote %d", len(got), len(want))
	}
	for i := range want {
		if !sameRecord(got[i], want[i]) {
			t.Errorf("record %d:\n got %+v\nwant %+v", i, got[i], want[i])
		}
	}
}

func TestFormat(t *testing.T) {
	var buf bytes.Buffer
	w := NewWriter(&buf)
	w.Write(sampleRecords()[1])
	w.Write(Record{Run: "r", Kind: KindEnd, Status: StatusInterrupted, Metrics: []Metric{{"x", math.NaN()}}})
	want := `{"run":"adam","seed":1,"kind":"epoch","step":469,"epoch":1,"seconds":2.5,"train_loss":0.31,"test_loss":0.29,"test_accuracy":0.9214}
{"run":"r","seed":0,"kind":"end","step":0,"epoch":0,"seconds":0,"status":"interrupted","x":"NaN"}
`
	if buf.String() != want {
		t.Errorf("got\n%s\nwant\n%s", buf.String(), want)
	}
}

func TestReadTruncatedTail(t *testing.T) {
	var buf bytes.Buffer
	w := NewWriter(&buf)
	for _, r := range sampleRecords() {
		w.Write(r)
	}
	full := buf.Bytes()
	lines := bytes.SplitAfter(full, []byte("\n"))
	// Cut the file inside every position of its last line: the whole records before it are
	// read and the partial line is dropped.
	last := lines[len(lines)-2]
	prefix := len(full) - len(last)
	for cut := prefix; cut <= len(full)-1; cut++ {
		got, err := Read(bytes.NewReader(full[:cut]))
		if err != nil {
			t.Fatalf("cut at %d: %v", cut, err)
		}
		want := len(sampleRecords()) - 1
		if cut == len(full)-1 { // only the newline is missing: the record is whole
			want++
		}
		if len(got) != want {
			t.Fatalf("cut at %d: %d records, want %d", cut, len(got), want)
		}
	}
}

func TestReadErrors(t *testing.T) {
	for _, tc := range []struct {
		in    string
		line  int
		field string
		msg   string
	}{
		{"{\"run\":\"a\",\"kind\":\"step\"}\nnot json\n", 2, "", "invalid character"},
		{"[1]\n", 1, "", "not a JSON object"},
		{"{\"kind\":\"step\"}\n", 1, "", `no "run" key`},
		{"{\"run\":\"a\",\"kind\":\"lap\"}\n", 1, "kind", `unknown kind "lap"`},
		{"{\"run\":\"a\",\"kind\":\"end\"}\n", 1, "", "without a status"},
		{"{\"run\":\"a\",\"kind\":\"end\",\"status\":\"fine\"}\n", 1, "status", `unknown status "fine"`},
		{"{\"run\":\"a\",\"kind\":\"step\",\"status\":\"done\"}\n", 1, "status", "only end records"},
		{"{\"run\":\"\",\"kind\":\"step\"}\n", 1, "run", "empty"},
		{"{\"run\":\"a\",\"kind\":\"step\",\"step\":1.5}\n", 1, "step", "not an integer"},
		{"{\"run\":\"a\",\"kind\":\"step\",\"epoch\":-1}\n", 1, "epoch", "negative"},
		{"{\"run\":\"a\",\"kind\":\"step\",\"seconds\":\"NaN\"}\n", 1, "seconds", `"NaN" is not a number of seconds`},
		{"{\"run\":\"a\",\"kind\":\"step\",\"seconds\":-2}\n", 1, "seconds", "-2 is not a number of seconds"},
		{"{\"run\":\"a\",\"kind\":\"step\",\"loss\":\"high\"}\n", 1, "loss", `string "high" is not NaN`},
		{"{\"run\":\"a\",\"kind\":\"step\",\"loss\":null}\n", 1, "loss", "null is not a number"},
		{"{\"run\":\"a\",\"kind\":\"step\",\"loss\":1e999}\n", 1, "loss", "1e999 is not a float64"},
		{"{\"run\":\"a\",\"kind\":\"step\",\"loss\":{}}\n", 1, "loss", "an object"},
		{"{\"run\":\"a\",\"kind\":\"step\",\"\":1}\n", 1, "", "empty name"},
		{"{\"run\":\"a\",\"kind\":\"step\",\"run\":\"b\"}\n", 1, "", `key "run" repeats`},
		{"{\"run\":\"a\",\"kind\":\"step\"} {}\n", 1, "", "text after the record"},
		{"\n\n{\"run\":1,\"kind\":\"step\"}\n", 3, "run", "not a string"},
		// A NaN in a run that did not diverge: the "NaN" shown as "—".
		{"{\"run\":\"a\",\"kind\":\"epoch\",\"test_accuracy\":\"NaN\"}\n{\"run\":\"a\",\"kind\":\"end\",\"status\":\"done\"}\n",
			1, "test_accuracy", `"NaN" in run "a" seed 0, which did not diverge (its end record, line 2, says "done")`},
		{"{\"run\":\"a\",\"kind\":\"end\",\"status\":\"interrupted\",\"x\":\"-Inf\"}\n",
			1, "x", `"-Inf" in the end record of run "a" seed 0, which says "interrupted"`},
	} {
		_, err := Read(strings.NewReader(tc.in))
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("%q: error %v, want a *SyntaxError", tc.in, err)
			continue
		}
		if se.Line != tc.line || se.Field != tc.field || !strings.Contains(se.Msg, tc.msg) {
			t.Errorf("%q: %v, want line %d, field %q and %q", tc.in, err, tc.line, tc.field, tc.msg)
		}
	}
	long := `{"run":"` + strings.Repeat("a", maxLine) + `","kind":"step"}` + "\n"
	if _, err := Read(strings.NewReader(long)); err == nil || !strings.Contains(err.Error(), "longer than") {
		t.Errorf("long line: %v", err)
	}
}

func TestWriteChecks(t *testing.T) {
	for _, tc := range []struct {
		rec  Record
		want string
	}{
		{Record{Kind: KindStep}, "no run name"},
		{Record{Run: "a", Kind: "lap"}, `kind "lap"`},
		{Record{Run: "a", Kind: KindEnd}, `status ""`},
		{Record{Run: "a", Kind: KindStep, Status: StatusDone}, "only end records"},
		{Record{Run: "a", Kind: KindStep, Metrics: []Metric{{"", 1}}}, "no name"},
		{Record{Run: "a", Kind: KindStep, Metrics: []Metric{{"step", 1}}}, "fixed key"},
		{Record{Run: "a", Kind: KindStep, Metrics: []Metric{{"x", 1}, {"x", 2}}}, "repeats"},
		{Record{Run: "a", Kind: KindStep, Step: -1}, "negative"},
		{Record{Run: "a", Kind: KindEpoch, Epoch: -2}, "negative"},
		{Record{Run: "a", Kind: KindStep, Seconds: math.NaN()}, "NaN seconds"},
		{Record{Run: "a", Kind: KindStep, Seconds: math.Inf(1)}, "+Inf seconds"},
		{Record{Run: "a", Kind: KindStep, Seconds: -1}, "-1 seconds"},
	} {
		func() {
			defer func() {
				r := recover()
				if s, _ := r.(string); !strings.HasPrefix(s, "results: ") || !strings.Contains(s, tc.want) {
					t.Errorf("%+v: panic %v, want %q", tc.rec, r, tc.want)
				}
			}()
			NewWriter(io.Discard).Write(tc.rec)
		}()
	}
}

type failWriter struct{ n int }

func (f *failWriter) Write(p []byte) (int, error) {
	f.n++
	return 0, errors.New("disk full")
}

func TestWriteErrorIsSticky(t *testing.T) {
	fw := &failWriter{}
	w := NewWriter(fw)
	r := sampleRecords()[0]
	if err := w.Write(r); err == nil || !strings.Contains(err.Error(), "results: disk full") {
		t.Fatalf("first write: %v", err)
	}
	if err := w.Write(r); err == nil || fw.n != 1 {
		t.Fatalf("second write: %v after %d writes", err, fw.n)
	}
	if err := w.Close(); err == nil {
		t.Fatal("Close hid the write error")
	}
}

func TestWriteNoAlloc(t *testing.T) {
	w := NewWriter(io.Discard)
	r := sampleRecords()[1]
	w.Write(r)
	if n := testing.AllocsPerRun(100, func() { w.Write(r) }); n != 0 {
		t.Errorf("Write allocates %v times per record", n)
	}
}

func TestConcurrentWriters(t *testing.T) {
	path := filepath.Join(t.TempDir(), "results.jsonl")
	w, err := Create(path)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for s := 1; s <= 200; s++ {
				w.Write(Record{Run: fmt.Sprint("trial", g), Kind: KindStep, Step: s, Metrics: []Metric{{TrainLoss, 1 / float64(s)}}})
			}
		}()
	}
	wg.Wait()
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	recs, err := ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	runs := Runs(recs)
	if len(runs) != 4 {
		t.Fatalf("%d runs", len(runs))
	}
	for _, r := range runs {
		if len(r.Steps) != 200 || r.Status() != StatusInterrupted {
			t.Errorf("run %s: %d steps, status %s", r.Name, len(r.Steps), r.Status())
		}
	}
}

func TestAppendAndResume(t *testing.T) {
	path := filepath.Join(t.TempDir(), "results.jsonl")
	step := func(s int) Record {
		return Record{Run: "a", Kind: KindStep, Step: s, Epoch: 1 + s/10, Metrics: []Metric{{TrainLoss, float64(s)}}}
	}
	w, err := Create(path)
	if err != nil {
		t.Fatal(err)
	}
	for s := 1; s <= 14; s++ {
		w.Write(step(s))
		if s == 10 {
			w.Write(Record{Run: "a", Kind: KindEpoch, Step: 10, Epoch: 1})
		}
	}
	w.Write(Record{Run: "a", Kind: KindEnd, Step: 14, Epoch: 2, Status: StatusInterrupted})
	w.Close()
	// Resume from the checkpoint at step 10: steps 11 … 20 are logged again.
	w, err = Append(path)
	if err != nil {
		t.Fatal(err)
	}
	for s := 11; s <= 20; s++ {
		w.Write(step(s))
	}
	w.Write(Record{Run: "a", Kind: KindEpoch, Step: 20, Epoch: 2})
	w.Write(Record{Run: "a", Kind: KindEnd, Step: 20, Epoch: 2, Status: StatusDone})
	w.Close()
	recs, err := ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	runs := Runs(recs)
	if len(runs) != 1 {
		t.Fatalf("%d runs", len(runs))
	}
	r := runs[0]
	if len(r.Steps) != 20 || len(r.Epochs) != 2 || r.Status() != StatusDone {
		t.Fatalf("%d steps, %d epochs, status %s", len(r.Steps), len(r.Epochs), r.Status())
	}
	for i, rec := range r.Steps {
		if rec.Step != i+1 {
			t.Fatalf("step record %d has step %d", i, rec.Step)
		}
	}
}

// TestCrash kills a writing process with SIGKILL and reads what it left: every record but
// possibly the last is there, whole.
func TestCrash(t *testing.T) {
	if os.Getenv("RESULTS_CRASH_CHILD") != "" {
		w, err := Create(os.Getenv("RESULTS_CRASH_CHILD"))
		if err != nil {
			os.Exit(3)
		}
		for s := 1; ; s++ {
			w.Write(Record{Run: "crash", Kind: KindStep, Step: s, Metrics: []Metric{{TrainLoss, 1 / float64(s)}}})
		}
	}
	path := filepath.Join(t.TempDir(), "results.jsonl")
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrash$")
	cmd.Env = append(os.Environ(), "RESULTS_CRASH_CHILD="+path)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	var seen int64 // bytes on disk before the kill: none of them may be lost
	for {
		if fi, err := os.Stat(path); err == nil && fi.Size() > 100000 {
			seen = fi.Size()
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatal("the child wrote nothing")
		}
		time.Sleep(5 * time.Millisecond)
	}
	cmd.Process.Kill() // SIGKILL: no deferred function, no flush
	cmd.Wait()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if int64(len(raw)) < seen {
		t.Fatalf("the file shrank from %d to %d bytes", seen, len(raw))
	}
	whole := bytes.Count(raw[:seen], []byte("\n")) // records complete before the kill
	recs, err := ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) < whole {
		t.Fatalf("only %d records survived of the %d written before the kill", len(recs), whole)
	}
	for i, r := range recs {
		if r.Step != i+1 {
			t.Fatalf("record %d has step %d", i, r.Step)
		}
	}
	t.Logf("%d records survived SIGKILL", len(recs))
}

func TestSummarize(t *testing.T) {
	epoch := func(run string, seed, e int, sec, loss, acc float64) Record {
		return Record{Run: run, Seed: seed, Kind: KindEpoch, Step: 10 * e, Epoch: e, Seconds: sec,
			Metrics: []Metric{{TrainLoss, loss}, {TestAccuracy, acc}}}
	}
	end := func(run string, seed, step int, st Status) Record {
		return Record{Run: run, Seed: seed, Kind: KindEnd, Step: step, Status: st}
	}
	recs := []Record{
		epoch("adam", 1, 1, 2, 0.5, 0.90), epoch("adam", 1, 2, 4, 0.3, 0.95), end("adam", 1, 20, StatusDone),
		epoch("adam", 2, 1, 3, 0.6, 0.91), epoch("adam", 2, 2, 6, 0.5, 0.97), end("adam", 2, 20, StatusDone),
		epoch("sgd", 1, 1, 2, 0.9, 0.80), end("sgd", 1, 15, StatusDiverged),
		epoch("sgd", 2, 1, 2, 0.8, 0.85), epoch("sgd", 2, 2, 4, 0.7, 0.86), end("sgd", 2, 12, StatusDiverged),
		epoch("lbfgs", 1, 1, 5, 0.4, 0.93), // killed: no end record
	}
	sums := Summarize(Runs(recs), TrainLoss, TestAccuracy, "missing")
	if len(sums) != 3 {
		t.Fatalf("%d summaries", len(sums))
	}
	a, s, l := sums[0], sums[1], sums[2]
	near := func(x, y float64) bool { return math.Abs(x-y) < 1e-12 }
	if a.Seeds != 2 || a.Epochs != 2 || !near(a.SecondsPerEpoch, 2.5) || !near(a.Mean[0], 0.4) ||
		!near(a.Std[0], math.Sqrt(0.02)) || !near(a.Mean[1], 0.96) || !math.IsNaN(a.Mean[2]) || a.Status() != "done" {
		t.Errorf("adam: %+v", a)
	}
	if s.Diverged != 2 || s.FirstDiverged != 12 || !math.IsNaN(s.Mean[0]) || s.Status() != "diverged" {
		t.Errorf("sgd: %+v", s)
	}
	if l.Interrupted != 1 || l.Status() != "interrupted" || l.Std[0] != 0 {
		t.Errorf("lbfgs: %+v", l)
	}
	var buf bytes.Buffer
	if err := WriteSummaryCSV(&buf, sums); err != nil {
		t.Fatal(err)
	}
	want := `name,seeds,status,diverged,first_diverged_step,epochs,seconds_per_epoch,train_loss,train_loss_std,test_accuracy,test_accuracy_std,missing,missing_std
adam,2,done,0,0,2,2.5,0.4,0.14142135623730953,0.96,0.014142135623730963,,
sgd,2,diverged,2,12,2,2,,,,,,
lbfgs,1,interrupted,0,0,1,5,0.4,0,0.93,0,,
`
	if buf.String() != want {
		t.Errorf("CSV:\n%s\nwant\n%s", buf.String(), want)
	}
}
