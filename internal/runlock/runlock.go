package runlock

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Name is the name of the lock file in a run folder.
const Name = ".lock"

// createGrace is how long a lock file may stay empty or unreadable before it is stale: the
// time between its creation and the end of its first write.
const createGrace = 5 * time.Second

// A HeldError reports a run folder locked by another process, or by another Lock of this
// one. PID is 0 when the holder is not known: its lock file is being written, or cannot be
// read.
type HeldError struct {
	Dir   string
	PID   int
	Host  string
	Since time.Time
}

func (e *HeldError) Error() string {
	if e.PID == 0 {
		return fmt.Sprintf("run folder %s is in use by another process (its lock file %s is being written or cannot be read)",
			e.Dir, filepath.Join(e.Dir, Name))
	}
	return fmt.Sprintf("run folder %s is in use by PID %d on host %s since %s",
		e.Dir, e.PID, e.Host, e.Since.Local().Format("2006-01-02 15:04:05 MST"))
}

// ErrLost is returned by Lock.Check and Lock.Release when the lock file is no longer this
// lock's: it was removed, or replaced by another process that took it as stale.
var ErrLost = errors.New("runlock: the lock file was removed or replaced by another process")

// A Locker acquires locks. Its zero value is ready to use, with the defaults below.
type Locker struct {
	// Heartbeat is how often a holder touches its lock file, so that processes on other
	// machines see that it lives. If Heartbeat is 0, it is 10 seconds.
	Heartbeat time.Duration
	// StaleAfter is how long the lock file of a holder on another machine may go untouched
	// before it is stale. It must exceed Heartbeat plus the clock skew between machines. If
	// StaleAfter is 0, it is 2 minutes.
	StaleAfter time.Duration

	noFlock bool // act as on a filesystem where flock fails (tests)
}

func (lk Locker) heartbeat() time.Duration {
	if lk.Heartbeat == 0 {
		return 10 * time.Second
	}
	return lk.Heartbeat
}

func (lk Locker) staleAfter() time.Duration {
	if lk.StaleAfter == 0 {
		return 2 * time.Minute
	}
	return lk.StaleAfter
}

// A Lock is a run folder held by this process. Its methods are safe for concurrent use.
type Lock struct {
	dir, path string
	f         *os.File
	stop      chan struct{}
	done      chan struct{}

	mu       sync.Mutex
	lost     bool
	err      error // the first failed heartbeat
	released bool
}

// Acquire locks the run folder dir with the zero Locker: see [Locker.Acquire].
func Acquire(dir string) (*Lock, error) { return Locker{}.Acquire(dir) }

// Acquire locks the run folder dir, which must exist. It returns at once: the Lock, a
// *HeldError when another process or Lock holds the folder, or another error when the lock
// file cannot be made. A stale lock (see the package documentation) is taken over.
func (lk Locker) Acquire(dir string) (*Lock, error) {
	if lk.Heartbeat < 0 || lk.StaleAfter < 0 {
		panic("runlock: negative Heartbeat or StaleAfter")
	}
	path := filepath.Join(dir, Name)
	// Each round either creates the file, finds it held, or removes a stale or vanished
	// one; a file that keeps changing under us takes a few rounds at most.
	for range 8 {
		l, err := lk.create(dir, path)
		if err == nil {
			return l, nil
		}
		if !errors.Is(err, fs.ErrExist) {
			return nil, err
		}
		held, err := lk.examine(dir, path)
		if err != nil {
			return nil, err
		}
		if held != nil {
			return nil, held
		}
	}
	return nil, fmt.Errorf("runlock: %s keeps being created and removed by other processes", path)
}

// create makes the lock file, with O_EXCL: an error wrapping fs.ErrExist means it exists.
func (lk Locker) create(dir, path string) (*Lock, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return nil, fmt.Errorf("runlock: %w", err)
	}
	fail := func(err error) (*Lock, error) {
		f.Close()
		os.Remove(path)
		return nil, fmt.Errorf("runlock: %s: %w", path, err)
	}
	// A process examining the new file may hold its flock for the moment it takes to read
	// it (it finds it young and empty, and so held): wait for it, a little.
	for i := 0; ; i++ {
		err := lk.flock(f)
		if err == nil || errors.Is(err, errNoFlock) {
			break
		}
		if !errors.Is(err, errLocked) || i == 200 {
			return fail(err)
		}
		time.Sleep(5 * time.Millisecond)
	}
	if _, err := f.Write(self().encode()); err != nil {
		return fail(err)
	}
	if err := f.Sync(); err != nil {
		return fail(err)
	}
	l := &Lock{dir: dir, path: path, f: f, stop: make(chan struct{}), done: make(chan struct{})}
	go l.beat(lk.heartbeat())
	return l, nil
}

// examine looks at an existing lock file. It returns a HeldError when the file is held; nil,
// nil when it was stale and is removed, or vanished: the caller tries to create it again.
func (lk Locker) examine(dir, path string) (*HeldError, error) {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil // released meanwhile
	}
	if err != nil {
		return nil, fmt.Errorf("runlock: %w", err)
	}
	defer f.Close() // releases the flock
	err = lk.flock(f)
	flocked := err == nil
	switch {
	case errors.Is(err, errLocked):
		h, _ := readHolder(f)
		return heldBy(dir, h), nil
	case err != nil && !errors.Is(err, errNoFlock):
		return nil, fmt.Errorf("runlock: %s: %w", path, err)
	}
	if !sameFile(f, path) {
		return nil, nil // removed, or replaced by a new lock, since we opened it
	}
	h, herr := readHolder(f)
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("runlock: %w", err)
	}
	if !lk.stale(h, herr, time.Since(fi.ModTime()), flocked) {
		return heldBy(dir, h), nil
	}
	// Remove the stale file while we hold its flock: a process that opened it too waits
	// for the flock, then finds it no longer at path.
	if sameFile(f, path) {
		if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("runlock: removing the stale lock file: %w", err)
		}
	}
	return nil, nil
}

// stale decides whether the holder h of a lock file (herr if the file could not be read,
// age since it was last touched) is gone; flocked says whether this process got the file's
// flock, which a living holder on this machine keeps.
func (lk Locker) stale(h holder, herr error, age time.Duration, flocked bool) bool {
	if herr != nil {
		return age > createGrace && (flocked || age > lk.staleAfter())
	}
	me := self()
	if h.Host == me.Host && h.Boot == me.Boot { // this kernel
		if h.PIDNS == me.PIDNS {
			if alive, known := processAlive(h.PID, h.Start); known {
				return !alive
			}
		} else if flocked {
			return true // another container of this machine, whose flock is gone
		}
	}
	return age > lk.staleAfter()
}

func heldBy(dir string, h holder) *HeldError {
	return &HeldError{Dir: dir, PID: h.PID, Host: h.Host, Since: h.Since}
}

// sameFile reports whether path names the file f.
func sameFile(f *os.File, path string) bool {
	a, err := f.Stat()
	if err != nil {
		return false
	}
	b, err := os.Stat(path)
	return err == nil && os.SameFile(a, b)
}

// beat touches the lock file every period until Release, and notes when the file is no
// longer this lock's.
func (l *Lock) beat(period time.Duration) {
	defer close(l.done)
	t := time.NewTicker(period)
	defer t.Stop()
	for {
		select {
		case <-l.stop:
			return
		case <-t.C:
		}
		l.mu.Lock()
		switch {
		case !sameFile(l.f, l.path):
			l.lost = true
		case l.err == nil:
			if err := touch(l.f); err != nil {
				l.err = fmt.Errorf("runlock: touching %s: %w", l.path, err)
			}
		}
		l.mu.Unlock()
	}
}

// Dir returns the locked folder.
func (l *Lock) Dir() string { return l.dir }

// Check returns ErrLost if the lock file is no longer this lock's (another process took it
// as stale: this one was suspended for longer than Locker.StaleAfter, or someone removed
// it), the error of a failed heartbeat, or nil. A run should check before it writes
// results it cannot take back.
func (l *Lock) Check() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.released {
		return errors.New("runlock: the lock was released")
	}
	if l.lost || !sameFile(l.f, l.path) {
		l.lost = true
		return ErrLost
	}
	return l.err
}

// Release removes the lock file, if it is still this lock's, and gives up the lock. It
// returns ErrLost if the file was no longer this lock's, and nil on a second call.
func (l *Lock) Release() error {
	l.mu.Lock()
	if l.released {
		l.mu.Unlock()
		return nil
	}
	l.released = true
	l.mu.Unlock()
	close(l.stop)
	<-l.done
	var err error
	if sameFile(l.f, l.path) {
		if rerr := os.Remove(l.path); rerr != nil {
			err = fmt.Errorf("runlock: %w", rerr)
		}
	} else {
		err = ErrLost
	}
	if cerr := l.f.Close(); cerr != nil && err == nil {
		err = fmt.Errorf("runlock: %w", cerr)
	}
	return err
}

// A holder is what a lock file says of the process that holds it.
type holder struct {
	PID   int
	Host  string
	Since time.Time
	Boot  string // the kernel's boot id, "" where unknown
	PIDNS string // the PID namespace, "" where unknown
	Start uint64 // the process' start time in clock ticks since boot, 0 where unknown
}

// self returns this process as a holder.
func self() holder {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "unknown"
	}
	return holder{PID: os.Getpid(), Host: host, Since: time.Now(), Boot: bootID(), PIDNS: pidNamespace(), Start: processStart(os.Getpid())}
}

// magic is the first line of a lock file.
const magic = "descent run lock 1"

// encode writes h as the lines of a lock file.
func (h holder) encode() []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s\npid %d\nhost %s\nsince %s\n", magic, h.PID, oneLine(h.Host), h.Since.UTC().Format(time.RFC3339Nano))
	if h.Boot != "" {
		fmt.Fprintf(&b, "boot %s\n", oneLine(h.Boot))
	}
	if h.PIDNS != "" {
		fmt.Fprintf(&b, "pidns %s\n", oneLine(h.PIDNS))
	}
	if h.Start != 0 {
		fmt.Fprintf(&b, "start %d\n", h.Start)
	}
	return b.Bytes()
}

func oneLine(s string) string { return strings.NewReplacer("\n", " ", "\r", " ").Replace(s) }

// maxFile bounds what is read of a lock file.
const maxFile = 4096

// readHolder reads the holder from the lock file f. Keys it does not know are skipped.
func readHolder(f *os.File) (holder, error) {
	var h holder
	data, err := io.ReadAll(io.NewSectionReader(f, 0, maxFile))
	if err != nil {
		return h, err
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	if !sc.Scan() || sc.Text() != magic {
		return h, errors.New("not a lock file of descent")
	}
	for sc.Scan() {
		key, val, _ := strings.Cut(sc.Text(), " ")
		switch key {
		case "pid":
			h.PID, err = strconv.Atoi(val)
		case "host":
			h.Host = val
		case "since":
			h.Since, err = time.Parse(time.RFC3339Nano, val)
		case "boot":
			h.Boot = val
		case "pidns":
			h.PIDNS = val
		case "start":
			h.Start, err = strconv.ParseUint(val, 10, 64)
		}
		if err != nil {
			return holder{}, fmt.Errorf("%s: %w", key, err)
		}
	}
	if h.PID <= 0 || h.Host == "" || h.Since.IsZero() {
		return holder{}, errors.New("the lock file lacks the pid, host or since of its holder")
	}
	return h, nil
}
