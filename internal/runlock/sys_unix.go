//go:build unix

package runlock

import (
	"bytes"
	"errors"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

var (
	errLocked  = errors.New("locked by another open file")
	errNoFlock = errors.New("flock is not supported here")
)

// flock takes f's flock, exclusive, without waiting: errLocked if another open file holds
// it, errNoFlock where the filesystem has no flock.
func (lk Locker) flock(f *os.File) error {
	if lk.noFlock {
		return errNoFlock
	}
	err := control(f, func(fd int) error { return unix.Flock(fd, unix.LOCK_EX|unix.LOCK_NB) })
	switch {
	case errors.Is(err, unix.EWOULDBLOCK):
		return errLocked
	case errors.Is(err, unix.ENOLCK), errors.Is(err, unix.EOPNOTSUPP), errors.Is(err, unix.ENOTSUP),
		errors.Is(err, unix.ENOSYS), errors.Is(err, unix.EINVAL):
		return errNoFlock
	}
	return err
}

// touch sets f's modification time to now (the file server's now, on NFS).
func touch(f *os.File) error {
	return control(f, func(fd int) error { return unix.Futimes(fd, nil) })
}

// control runs op on f's descriptor.
func control(f *os.File, op func(fd int) error) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var opErr error
	if err := rc.Control(func(fd uintptr) { opErr = op(int(fd)) }); err != nil {
		return err
	}
	return opErr
}

// processAlive reports whether the process pid of this PID namespace lives and, when start
// is not 0 and the system says, started at start (clock ticks since boot): a PID reused by
// another process is not alive. known is false when it cannot tell.
func processAlive(pid int, start uint64) (alive, known bool) {
	if err := unix.Kill(pid, 0); errors.Is(err, unix.ESRCH) {
		return false, true
	} else if err != nil && !errors.Is(err, unix.EPERM) {
		return false, false
	}
	state, started, ok := procStat(pid)
	switch {
	case ok && (state == 'Z' || state == 'X'): // dead, not yet reaped
		return false, true
	case ok:
		return start == 0 || started == start, true
	}
	if _, err := os.Stat("/proc/self/stat"); err == nil {
		return false, true // there is a /proc, and the process ended since kill
	}
	return true, true // no /proc: kill says it exists
}

// processStart returns the start time of process pid in clock ticks since boot, 0 where
// the system does not say.
func processStart(pid int) uint64 {
	_, start, _ := procStat(pid)
	return start
}

// procStat reads the state and start time of a process from /proc/PID/stat (Linux).
func procStat(pid int) (state byte, start uint64, ok bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, 0, false
	}
	// pid (comm) state ppid … with starttime the 22nd field; comm may hold spaces and ")".
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, 0, false
	}
	fields := strings.Fields(string(b[i+1:]))
	if len(fields) < 20 || len(fields[0]) != 1 {
		return 0, 0, false
	}
	start, err = strconv.ParseUint(fields[19], 10, 64)
	return fields[0][0], start, err == nil
}

// bootID returns the id of this boot of the kernel (Linux), "" where unknown.
func bootID() string {
	b, err := os.ReadFile("/proc/sys/kernel/random/boot_id")
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}

// pidNamespace names this process' PID namespace (Linux), "" where unknown.
func pidNamespace() string {
	ns, err := os.Readlink("/proc/self/ns/pid")
	if err != nil {
		return ""
	}
	return ns
}
