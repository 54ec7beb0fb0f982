//go:build linux

package mnist

import (
	"math"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// stampOf returns the stamp of the file fi describes.
func stampOf(fi os.FileInfo) (stamp, bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return stamp{}, false
	}
	return stamp{Dev: uint64(st.Dev), Ino: uint64(st.Ino), Size: st.Size, Mtime: st.Mtim.Nano(), Ctime: st.Ctim.Nano()}, true
}

// mapFile maps the size bytes of f into memory, read-only and shared: the pages are those
// of the kernel's page cache, which every process reading the file shares, and no copy is
// made. Writing to the slice faults. The mapping outlives f; unmap ends it.
func mapFile(f *os.File, size int64) ([]byte, error) {
	if size == 0 {
		return []byte{}, nil
	}
	if size > math.MaxInt {
		return nil, &os.PathError{Op: "mmap", Path: f.Name(), Err: syscall.EFBIG}
	}
	b, err := unix.Mmap(int(f.Fd()), 0, int(size), unix.PROT_READ, unix.MAP_SHARED)
	if err != nil {
		return nil, &os.PathError{Op: "mmap", Path: f.Name(), Err: err}
	}
	return b, nil
}

// unmap ends a mapping of mapFile.
func unmap(b []byte) {
	if len(b) > 0 {
		unix.Munmap(b)
	}
}
