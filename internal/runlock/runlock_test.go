package runlock

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// holdEnv, when set to a folder, makes the test binary a holder: it locks the folder,
// prints "held PID" and waits until its standard input closes. holdNoFlockEnv makes it lock
// as on a filesystem without flock.
const (
	holdEnv        = "RUNLOCK_TEST_HOLD"
	holdNoFlockEnv = "RUNLOCK_TEST_NOFLOCK"
)

func TestMain(m *testing.M) {
	if dir := os.Getenv(holdEnv); dir != "" {
		l, err := Locker{noFlock: os.Getenv(holdNoFlockEnv) != ""}.Acquire(dir)
		if err != nil {
			fmt.Println("error", err)
			os.Exit(1)
		}
		fmt.Println("held", os.Getpid())
		io.Copy(io.Discard, os.Stdin)
		l.Release()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// lockers are the two ways a lock is taken: with flock, and as on a filesystem without it.
var lockers = []struct {
	name string
	lk   Locker
}{{"flock", Locker{}}, {"no-flock", Locker{noFlock: true}}}

// wantHeld checks that err is a *HeldError naming the holder pid on this host.
func wantHeld(t *testing.T, err error, dir string, pid int) {
	t.Helper()
	var held *HeldError
	if !errors.As(err, &held) {
		t.Fatalf("error %v, want a *HeldError", err)
	}
	host, _ := os.Hostname()
	if held.Dir != dir || held.PID != pid || held.Host != host || time.Since(held.Since) > time.Minute {
		t.Errorf("%+v, want PID %d on %s in %s, since less than a minute", held, pid, host, dir)
	}
	want := fmt.Sprintf("run folder %s is in use by PID %d on host %s since ", dir, pid, host)
	if !strings.HasPrefix(err.Error(), want) {
		t.Errorf("message %q, want it to start %q", err, want)
	}
}

func TestTwoLocksInOneProcess(t *testing.T) {
	for _, tc := range lockers {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			l, err := tc.lk.Acquire(dir)
			if err != nil {
				t.Fatal(err)
			}
			_, err = tc.lk.Acquire(dir)
			wantHeld(t, err, dir, os.Getpid())
			if err := l.Check(); err != nil {
				t.Errorf("Check: %v", err)
			}
			if err := l.Release(); err != nil {
				t.Fatal(err)
			}
			if _, err := os.Stat(filepath.Join(dir, Name)); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("lock file after Release: %v", err)
			}
			if err := l.Release(); err != nil {
				t.Errorf("second Release: %v", err)
			}
			l2, err := tc.lk.Acquire(dir)
			if err != nil {
				t.Fatalf("after Release: %v", err)
			}
			l2.Release()
		})
	}
}

// startHolder runs the test binary as a holder of dir and returns it once it holds the lock.
func startHolder(t *testing.T, dir string, noFlock bool) (*exec.Cmd, io.WriteCloser) {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, "-test.run=^$")
	cmd.Env = append(os.Environ(), holdEnv+"="+dir)
	if noFlock {
		cmd.Env = append(cmd.Env, holdNoFlockEnv+"=1")
	}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || line != fmt.Sprintf("held %d\n", cmd.Process.Pid) {
		t.Fatalf("holder said %q, %v", line, err)
	}
	return cmd, stdin
}

// A second process is refused at once while a holder lives; after kill -9 of the holder,
// the lock is taken over at once. Without flock, the dead PID shows the lock stale.
func TestOtherProcess(t *testing.T) {
	for _, tc := range lockers {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			cmd, _ := startHolder(t, dir, tc.lk.noFlock)
			start := time.Now()
			_, err := tc.lk.Acquire(dir)
			if el := time.Since(start); el > time.Second {
				t.Errorf("refusal took %v", el)
			}
			wantHeld(t, err, dir, cmd.Process.Pid)

			if err := cmd.Process.Kill(); err != nil { // SIGKILL: no Release
				t.Fatal(err)
			}
			cmd.Wait()
			b, err := os.ReadFile(filepath.Join(dir, Name))
			if err != nil || !strings.Contains(string(b), fmt.Sprintf("pid %d\n", cmd.Process.Pid)) {
				t.Fatalf("the killed holder's lock file: %q, %v", b, err)
			}
			start = time.Now()
			l, err := tc.lk.Acquire(dir)
			if err != nil {
				t.Fatalf("after kill -9 of the holder: %v", err)
			}
			if el := time.Since(start); el > time.Second {
				t.Errorf("takeover took %v", el)
			}
			if b, _ := os.ReadFile(filepath.Join(dir, Name)); !strings.Contains(string(b), fmt.Sprintf("pid %d\n", os.Getpid())) {
				t.Errorf("lock file after takeover: %q", b)
			}
			l.Release()
		})
	}
}

// A holder that releases normally (its input closed) leaves no lock file.
func TestOtherProcessReleases(t *testing.T) {
	dir := t.TempDir()
	cmd, stdin := startHolder(t, dir, false)
	stdin.Close()
	if err := cmd.Wait(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, Name)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("lock file after the holder released: %v", err)
	}
}

// writeLock writes a lock file for holder h, last touched age ago.
func writeLock(t *testing.T, dir string, content []byte, age time.Duration) {
	t.Helper()
	path := filepath.Join(dir, Name)
	if err := os.WriteFile(path, content, 0o644); err != nil {
		t.Fatal(err)
	}
	when := time.Now().Add(-age)
	if err := os.Chtimes(path, when, when); err != nil {
		t.Fatal(err)
	}
}

// deadPID returns the PID of a process that has ended.
func deadPID(t *testing.T) int {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, "-test.run=^$")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	return cmd.Process.Pid
}

// A lock file left by a process of this machine that is gone is taken over, fresh as it is,
// with flock and without; one naming a living process (this one's parent, say) is not.
func TestDeadPID(t *testing.T) {
	for _, tc := range lockers {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			h := self()
			h.PID, h.Start = deadPID(t), 0
			writeLock(t, dir, h.encode(), 0)
			l, err := tc.lk.Acquire(dir)
			if err != nil {
				t.Fatalf("lock file of dead PID %d: %v", h.PID, err)
			}
			l.Release()

			// A living PID whose start time is not the one in the file: the PID was reused.
			h.PID, h.Start = os.Getppid(), 1
			writeLock(t, dir, h.encode(), 0)
			l, err = tc.lk.Acquire(dir)
			if err != nil {
				t.Fatalf("lock file of a reused PID: %v", err)
			}
			l.Release()

			if tc.lk.noFlock { // with flock, no one holding it proves the holder dead
				h = self()
				h.PID, h.Start = os.Getppid(), processStart(os.Getppid())
				writeLock(t, dir, h.encode(), 0)
				_, err = tc.lk.Acquire(dir)
				wantHeld(t, err, dir, os.Getppid())
			}
		})
	}
}

// A lock file of another machine is held while its holder's heartbeat keeps it fresh, and
// stale once untouched for StaleAfter.
func TestOtherHost(t *testing.T) {
	for _, tc := range lockers {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			since := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
			h := holder{PID: 4242, Host: "node17", Since: since, Boot: "another-kernel", Start: 99}
			writeLock(t, dir, h.encode(), 30*time.Second)
			_, err := tc.lk.Acquire(dir)
			var held *HeldError
			if !errors.As(err, &held) || held.PID != 4242 || held.Host != "node17" || !held.Since.Equal(since) {
				t.Fatalf("fresh lock of another host: %v, want held by PID 4242 on node17", err)
			}
			writeLock(t, dir, h.encode(), 3*time.Minute)
			l, err := tc.lk.Acquire(dir)
			if err != nil {
				t.Fatalf("lock of another host untouched for 3 minutes: %v", err)
			}
			l.Release()
		})
	}
}

// An empty or corrupt lock file is a lock being created while it is young, and stale once
// older than createGrace (with flock: no one holds it) or StaleAfter (without).
func TestCorruptLockFile(t *testing.T) {
	for _, tc := range lockers {
		for _, content := range []string{"", "garbage\x00\xff", magic + "\npid x\n", magic + "\nhost h\n"} {
			t.Run(tc.name, func(t *testing.T) {
				dir := t.TempDir()
				writeLock(t, dir, []byte(content), 0)
				_, err := tc.lk.Acquire(dir)
				var held *HeldError
				if !errors.As(err, &held) || held.PID != 0 || !strings.Contains(err.Error(), "being written or cannot be read") {
					t.Fatalf("young lock file %q: %v, want held by an unknown process", content, err)
				}
				age := 10 * time.Second
				if tc.lk.noFlock {
					age = 3 * time.Minute
				}
				writeLock(t, dir, []byte(content), age)
				l, err := tc.lk.Acquire(dir)
				if err != nil {
					t.Fatalf("lock file %q %v old: %v", content, age, err)
				}
				l.Release()
			})
		}
	}
}

// The heartbeat keeps the lock file's modification time recent.
func TestHeartbeat(t *testing.T) {
	dir := t.TempDir()
	l, err := Locker{Heartbeat: 20 * time.Millisecond}.Acquire(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Release()
	path := filepath.Join(dir, Name)
	old := time.Now().Add(-time.Hour)
	if err := os.Chtimes(path, old, old); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if time.Since(fi.ModTime()) < time.Minute {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("lock file still last touched at %v", fi.ModTime())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// A lock whose file another process removed and replaced is lost: Check says so, and
// Release leaves the other process' file alone.
func TestLost(t *testing.T) {
	dir := t.TempDir()
	l, err := Acquire(dir)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, Name)
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	other, err := Locker{noFlock: true}.Acquire(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Release()
	if err := l.Check(); !errors.Is(err, ErrLost) {
		t.Errorf("Check: %v, want ErrLost", err)
	}
	if err := l.Release(); !errors.Is(err, ErrLost) {
		t.Errorf("Release: %v, want ErrLost", err)
	}
	if err := other.Check(); err != nil {
		t.Errorf("the new holder's Check: %v", err)
	}
}

// Of many concurrent acquisitions of one folder, exactly one succeeds; the others are
// refused with a HeldError.
func TestConcurrent(t *testing.T) {
	for _, tc := range lockers {
		t.Run(tc.name, func(t *testing.T) {
			for round := range 20 {
				dir := t.TempDir()
				const n = 8
				var wg sync.WaitGroup
				locks := make([]*Lock, n)
				errs := make([]error, n)
				for i := range n {
					wg.Go(func() { locks[i], errs[i] = tc.lk.Acquire(dir) })
				}
				wg.Wait()
				won := 0
				for i := range n {
					var held *HeldError
					switch {
					case errs[i] == nil:
						won++
						defer locks[i].Release()
					case !errors.As(errs[i], &held):
						t.Errorf("round %d: %v", round, errs[i])
					}
				}
				if won != 1 {
					t.Fatalf("round %d: %d of %d acquisitions succeeded", round, won, n)
				}
			}
		})
	}
}

func TestMissingFolder(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "missing")
	_, err := Acquire(dir)
	var held *HeldError
	if err == nil || errors.As(err, &held) || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing folder: %v", err)
	}
}

func TestLockFileFormat(t *testing.T) {
	h := self()
	dir := t.TempDir()
	writeLock(t, dir, h.encode(), 0)
	f, err := os.Open(filepath.Join(dir, Name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got, err := readHolder(f)
	if err != nil {
		t.Fatal(err)
	}
	if got.PID != h.PID || got.Host != h.Host || !got.Since.Equal(h.Since) || got.Boot != h.Boot || got.PIDNS != h.PIDNS || got.Start != h.Start {
		t.Errorf("read %+v, wrote %+v", got, h)
	}
	if h.Start == 0 || h.Boot == "" {
		t.Logf("this system gives no start time (%d) or boot id (%q)", h.Start, h.Boot)
	}
	if s := strconv.Itoa(h.PID); !strings.Contains(string(h.encode()), "pid "+s+"\n") {
		t.Errorf("encoding %q", h.encode())
	}
}
