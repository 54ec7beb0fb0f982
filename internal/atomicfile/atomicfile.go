// Package atomicfile writes files atomically: a reader of the path sees the old file or
// the new one, whole, never a part of it, even after a crash or a power cut.
//
// # Method
//
// [Create] opens a temporary file in the folder of the path (so that the rename stays
// within one file system), named from the path's base ("." + base + ".tmp" + random, or a
// pattern given to [CreateTemp]). [File.Commit] syncs the temporary file to disk, closes
// it, renames it onto the path and syncs the folder, so that the rename itself survives a
// crash; [File.Close] without a commit removes the temporary file, and is safe to defer
// after a commit. [WriteFile] does all of it for data in memory.
//
// A folder sync that the file system does not support (EINVAL, ENOTSUP) or does not allow
// is skipped: the rename is then as durable as the file system makes it.
package atomicfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// A File is a file being written to replace another. It is an io.Writer; it is not safe
// for concurrent use.
type File struct {
	f    *os.File
	path string
	done bool // committed or removed
}

// Create returns a File that replaces path when committed. Its data go first to a new
// temporary file in path's folder, named "." + base(path) + ".tmp" and a random suffix,
// with mode 0644 (less the umask).
func Create(path string) (*File, error) {
	return CreateTemp(path, "."+filepath.Base(path)+".tmp*")
}

// CreateTemp is [Create] with the temporary file named from pattern, as [os.CreateTemp]
// names it (the last "*" replaced by a random string): a caller that looks for its own
// leftovers (the partial downloads of a process that was killed, say) names them so.
func CreateTemp(path, pattern string) (*File, error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), pattern)
	if err != nil {
		return nil, err
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return nil, err
	}
	return &File{f: tmp, path: path}, nil
}

// Write writes p to the temporary file.
func (f *File) Write(p []byte) (int, error) { return f.f.Write(p) }

// Name returns the name of the temporary file.
func (f *File) Name() string { return f.f.Name() }

// Commit syncs the temporary file, closes it, renames it onto the path and syncs the
// folder. On error the temporary file is removed and the path is as it was (or, if only
// the folder's sync failed, already replaced).
func (f *File) Commit() error {
	if f.done {
		return fmt.Errorf("atomicfile: %s: commit after commit or close", f.path)
	}
	f.done = true
	err := f.f.Sync()
	if cerr := f.f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.f.Name(), f.path)
	}
	if err != nil {
		os.Remove(f.f.Name())
		return err
	}
	return SyncDir(filepath.Dir(f.path))
}

// Close removes the temporary file unless the File was committed; the path is untouched.
// It is safe to defer right after Create, and to call more than once.
func (f *File) Close() error {
	if f.done {
		return nil
	}
	f.done = true
	f.f.Close()
	return os.Remove(f.f.Name())
}

// WriteFile writes data to path atomically: a temporary file, synced, renamed onto path,
// the folder synced.
func WriteFile(path string, data []byte) error {
	f, err := Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if _, err := f.Write(data); err != nil {
		return err
	}
	return f.Commit()
}

// SyncDir makes the renames and creations of files in dir durable. Errors of file systems
// that cannot sync a folder, or do not allow it, are ignored.
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, syscall.EINVAL) && !errors.Is(err, syscall.ENOTSUP) &&
		!errors.Is(err, fs.ErrPermission) {
		return fmt.Errorf("atomicfile: sync %s: %w", dir, err)
	}
	return nil
}
