package atomicfile

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// leftovers returns the names in dir other than keep.
func leftovers(t *testing.T, dir string, keep ...string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if !slices.Contains(keep, e.Name()) {
			out = append(out, e.Name())
		}
	}
	return out
}

func TestWriteFileCreatesAndReplaces(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "a.json")
	for _, content := range []string{"first", "second, longer", ""} {
		if err := WriteFile(path, []byte(content)); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(path)
		if err != nil || string(b) != content {
			t.Fatalf("read %q, %v; want %q", b, err, content)
		}
		if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o644&^umask() {
			t.Fatalf("mode %v, %v; want %v", fi.Mode().Perm(), err, os.FileMode(0o644&^umask()))
		}
		if l := leftovers(t, dir, "a.json"); len(l) > 0 {
			t.Fatalf("left %v in the folder", l)
		}
	}
}

// umask returns the process's umask, as files get 0644 less it.
func umask() os.FileMode {
	dir, _ := os.MkdirTemp("", "umask")
	defer os.RemoveAll(dir)
	p := filepath.Join(dir, "f")
	f, err := os.OpenFile(p, os.O_CREATE|os.O_WRONLY, 0o777)
	if err != nil {
		return 0
	}
	f.Close()
	fi, _ := os.Stat(p)
	return 0o777 &^ fi.Mode().Perm()
}

// TestUncommittedLeavesOldFile checks that the path keeps its old content while a File is
// being written and after it is closed without a commit, and that the temporary file goes.
func TestUncommittedLeavesOldFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "ckpt")
	if err := WriteFile(path, []byte("old")); err != nil {
		t.Fatal(err)
	}
	f, err := Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(filepath.Base(f.Name()), ".ckpt.tmp") || filepath.Dir(f.Name()) != dir {
		t.Errorf("temporary file %s, want .ckpt.tmp* in %s", f.Name(), dir)
	}
	if _, err := f.Write([]byte("half of the new")); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); string(b) != "old" {
		t.Fatalf("during the write the path holds %q", b)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if b, _ := os.ReadFile(path); string(b) != "old" {
		t.Fatalf("after Close the path holds %q", b)
	}
	if l := leftovers(t, dir, "ckpt"); len(l) > 0 {
		t.Fatalf("left %v in the folder", l)
	}
	if err := f.Commit(); err == nil || !strings.HasPrefix(err.Error(), "atomicfile: ") {
		t.Errorf("Commit after Close: %v", err)
	}
}

func TestCommitTwiceAndCloseAfterCommit(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "x")
	f, err := Create(path)
	if err != nil {
		t.Fatal(err)
	}
	f.Write([]byte("x"))
	if err := f.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Errorf("Close after Commit: %v", err)
	}
	if err := f.Commit(); err == nil {
		t.Error("second Commit: no error")
	}
	if b, _ := os.ReadFile(path); string(b) != "x" {
		t.Errorf("path holds %q", b)
	}
}

// TestFailedRenameCleansUp commits onto a path that is a non-empty folder: the rename
// fails, the error says so, and no temporary file is left.
func TestFailedRenameCleansUp(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "busy")
	if err := os.MkdirAll(filepath.Join(path, "inside"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(path, []byte("data")); err == nil {
		t.Fatal("no error renaming onto a folder")
	}
	if l := leftovers(t, dir, "busy"); len(l) > 0 {
		t.Fatalf("left %v in the folder", l)
	}
}

func TestCreateInMissingFolder(t *testing.T) {
	if _, err := Create(filepath.Join(t.TempDir(), "no", "such", "file")); err == nil {
		t.Error("no error")
	}
	if err := WriteFile(filepath.Join(t.TempDir(), "no", "file"), nil); err == nil {
		t.Error("WriteFile: no error")
	}
}

func TestCreateTempPattern(t *testing.T) {
	dir := t.TempDir()
	f, err := CreateTemp(filepath.Join(dir, "train.gz"), ".train.gz.partial-*")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if b := filepath.Base(f.Name()); !strings.HasPrefix(b, ".train.gz.partial-") || b == ".train.gz.partial-" {
		t.Errorf("temporary file %s", b)
	}
}

func TestSyncDir(t *testing.T) {
	if err := SyncDir(t.TempDir()); err != nil {
		t.Error(err)
	}
	if err := SyncDir(filepath.Join(t.TempDir(), "missing")); err == nil {
		t.Error("no error for a missing folder")
	}
}
