package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/descent-ml/descent/report/results"
	"github.com/descent-ml/descent/train"
)

// mainEnv makes the test binary run descent's main instead of the tests: the tests below
// start descent as a process of its own, to kill it.
const mainEnv = "DESCENT_TEST_RUN_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(mainEnv) == "1" {
		main()
	}
	os.Exit(m.Run())
}

// startDescent starts descent with args in a process of its own.
func startDescent(t *testing.T, args ...string) (*exec.Cmd, *bytes.Buffer) {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, args...)
	cmd.Env = append(os.Environ(), mainEnv+"=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd, &stderr
}

// countLines returns the complete lines of the file at path, 0 if it does not exist.
func countLines(path string) int {
	b, _ := os.ReadFile(path)
	return bytes.Count(b, []byte("\n"))
}

// killAt starts descent with args and kills it with SIGKILL once the results.jsonl of dir
// has at least n lines. It returns the lines there were when it died, or fails if the
// process ended first.
func killAt(t *testing.T, dir string, n int, args ...string) int {
	t.Helper()
	cmd, stderr := startDescent(t, args...)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	path := filepath.Join(dir, train.ResultsFile)
	for {
		select {
		case err := <-done:
			t.Fatalf("descent %s ended (%v) before results.jsonl had %d lines (it has %d):\n%s",
				strings.Join(args, " "), err, n, countLines(path), stderr)
		case <-time.After(time.Millisecond):
		}
		if countLines(path) >= n {
			cmd.Process.Kill() // SIGKILL
			<-done
			return countLines(path)
		}
	}
}

// sameRecords returns an error if a and b are not the same records, their times aside.
func sameRecords(a, b []results.Record) error {
	if len(a) != len(b) {
		return errors.New(strconv.Itoa(len(a)) + " records, want " + strconv.Itoa(len(b)))
	}
	for i := range a {
		x, y := a[i], b[i]
		x.Seconds, y.Seconds = 0, 0
		var bx, by bytes.Buffer
		results.NewWriter(&bx).Write(x)
		results.NewWriter(&by).Write(y)
		if bx.String() != by.String() {
			return errors.New("record " + strconv.Itoa(i) + ":\n got " + bx.String() + "want " + by.String())
		}
	}
	return nil
}

// TestKillAndResume kills an MLP run with SIGKILL at five points, once results.jsonl has
// 5, 31, 45, 62 and 90 of its 94 records (before the first checkpoint; at the end of epoch
// 1, around its checkpoint; in epoch 2; at its end; in epoch 3), resuming it each time: at
// the end its results.jsonl must hold the records of an uninterrupted run, record for
// record but for the times, and its weights must be the same to the bit.
func TestKillAndResume(t *testing.T) {
	if testing.Short() {
		t.Skip("kills and resumes a run six times")
	}
	mnist := localMNIST(t)
	flags := []string{"--dir", mnist, "--model", "mlp", "--hidden", "128", "--epochs", "3", "--train-size", "3000",
		"--test-size", "500", "--batch-size", "50", "--log-every", "2", "--threads", "1", "--seed", "3"}
	ref := filepath.Join(t.TempDir(), "ref")
	if _, stderr, err := runDescent(append([]string{"train", "--out", ref}, flags...)...); err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	want, err := results.ReadFile(filepath.Join(ref, train.ResultsFile))
	if err != nil {
		t.Fatal(err)
	}
	// 3 epochs of 60 steps: 30 step records and an epoch record each, and the end record.
	if len(want) != 94 {
		t.Fatalf("the uninterrupted run wrote %d records, want 94", len(want))
	}

	dir := filepath.Join(t.TempDir(), "run")
	args := append([]string{"train", "--out", dir}, flags...)
	for i, n := range []int{5, 31, 45, 62, 90} {
		got := killAt(t, dir, n, args...)
		info, err := train.ReadCheckpointInfo(filepath.Join(dir, train.CheckpointFile))
		if err != nil {
			t.Logf("kill %d at %d records of results.jsonl (wanted ≥ %d): no checkpoint (%v)", i+1, got, n, err)
		} else {
			t.Logf("kill %d at %d records of results.jsonl (wanted ≥ %d): checkpoint of epoch %d, step %d, at byte %d",
				i+1, got, n, info.Epoch, info.Step, info.Results)
		}
		args = []string{"train", "--resume", dir, "--threads", "1"}
	}
	if _, stderr, err := runDescent(args...); err != nil {
		t.Fatalf("the last resume: %v\n%s", err, stderr)
	}
	recs, err := results.ReadFile(filepath.Join(dir, train.ResultsFile))
	if err != nil {
		t.Fatal(err)
	}
	if err := sameRecords(recs, want); err != nil {
		t.Errorf("results.jsonl after 5 kills and resumes differs from the uninterrupted run's: %v", err)
	} else {
		t.Logf("results.jsonl after 5 kills and resumes: %d records, equal to the uninterrupted run's but for the times", len(recs))
	}
	w1, _ := os.ReadFile(filepath.Join(ref, train.WeightsFile))
	w2, err := os.ReadFile(filepath.Join(dir, train.WeightsFile))
	if err != nil || len(w1) == 0 || !bytes.Equal(w1, w2) {
		t.Errorf("the weights after 5 kills and resumes differ from the uninterrupted run's (%v)", err)
	}
}

// TestTwoProcesses starts a run, then tries a second one on its folder: it must be refused
// at once, naming the first; after the first is killed with SIGKILL, a resume takes the
// folder and finishes the run.
func TestTwoProcesses(t *testing.T) {
	mnist := localMNIST(t)
	dir := filepath.Join(t.TempDir(), "run")
	cmd, stderr := startDescent(t, "train", "--out", dir, "--dir", mnist, "--model", "logreg", "--epochs", "4",
		"--train-size", "5000", "--test-size", "500", "--batch-size", "20", "--log-every", "1", "--threads", "1")
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	for countLines(filepath.Join(dir, train.ResultsFile)) < 1 {
		select {
		case err := <-done:
			t.Fatalf("the first run ended (%v) before it wrote a record:\n%s", err, stderr)
		case <-time.After(time.Millisecond):
		}
	}
	holder := "in use by PID " + strconv.Itoa(cmd.Process.Pid) + " on host"
	for _, args := range [][]string{
		{"compare", "--out", dir, "--dir", mnist, "--model", "logreg", "--epochs", "1", "--train-size", "500"},
		{"train", "--resume", dir},
		{"train", "--out", dir, "--overwrite", "--dir", mnist, "--model", "logreg", "--epochs", "1", "--train-size", "500"},
	} {
		start := time.Now()
		_, _, err := runDescent(args...)
		elapsed := time.Since(start)
		if err == nil || !strings.Contains(err.Error(), holder) {
			t.Errorf("%q while another process holds the folder: %v, want an error saying %q", args, err, holder)
		}
		if elapsed > time.Second {
			t.Errorf("%q was refused after %v, not at once", args, elapsed)
		}
		t.Logf("%s refused in %v: %v", args[0], elapsed.Round(time.Microsecond), err)
	}
	select {
	case err := <-done:
		t.Fatalf("the first run ended (%v) before it was killed: make it longer", err)
	default:
	}
	cmd.Process.Kill()
	<-done
	start := time.Now()
	_, stderr2, err := runDescent("train", "--resume", dir)
	if err != nil {
		t.Fatalf("resume after the holder was killed: %v\n%s", err, stderr2)
	}
	t.Logf("after kill -9 of the holder, train --resume took the folder and finished the run in %v", time.Since(start).Round(time.Millisecond))
	if _, err := os.Stat(filepath.Join(dir, ".lock")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the lock file is left after the run: %v", err)
	}
}

// TestSecondSignal checks that a second SIGINT ends descent at once while it computes
// something that does not look at the first one's cancellation: building a random
// rotation of dimension 2000 (many seconds). The process must die by the signal, not exit
// with status 130 once the computation is over.
func TestSecondSignal(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a process that computes for seconds unless interrupted")
	}
	cmd, stderr := startDescent(t, "minimize", "--problem", "quadratic", "--dim", "2000", "--method", "newton", "--threads", "1")
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	time.Sleep(500 * time.Millisecond)
	for range 2 {
		if err := cmd.Process.Signal(os.Interrupt); err != nil {
			t.Fatal(err)
		}
		time.Sleep(200 * time.Millisecond)
	}
	var err error
	select {
	case err = <-done:
	case <-time.After(5 * time.Second):
		cmd.Process.Kill()
		<-done
		t.Fatalf("descent still ran 5 s after two SIGINTs:\n%s", stderr)
	}
	ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus)
	if !ok || !ws.Signaled() || ws.Signal() != syscall.SIGINT {
		t.Fatalf("descent ended with %v, want death by SIGINT:\n%s", err, stderr)
	}
}
