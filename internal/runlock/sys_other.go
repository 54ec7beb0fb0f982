//go:build !unix

package runlock

import (
	"errors"
	"os"
	"time"
)

var (
	errLocked  = errors.New("locked by another open file")
	errNoFlock = errors.New("flock is not supported here")
)

// flock: no flock here; the heartbeat alone tells a living holder.
func (lk Locker) flock(*os.File) error { return errNoFlock }

// touch sets f's modification time to now.
func touch(f *os.File) error {
	now := time.Now()
	return os.Chtimes(f.Name(), now, now)
}

// processAlive cannot tell here.
func processAlive(int, uint64) (alive, known bool) { return false, false }

func processStart(int) uint64 { return 0 }
func bootID() string          { return "" }
func pidNamespace() string    { return "" }
