//go:build linux

package mnist

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// dateRecord sets the mtime of the record of dir an hour ahead, so that its entries are
// no longer racily clean.
func dateRecord(t *testing.T, dir string) {
	t.Helper()
	later := time.Now().Add(time.Hour)
	if err := os.Chtimes(filepath.Join(dir, RecordFile), later, later); err != nil {
		t.Fatal(err)
	}
}

// TestRecordTrusted checks that a file whose stamp the record holds, out of the racy
// margin, is not hashed: a record forged for a wrong checksum makes Fetch accept the file,
// which it refuses without the record, and refuses again once the record is racy.
func TestRecordTrusted(t *testing.T) {
	f := newFake(t)
	opts := noNetwork(t)
	opts.Offline = true
	cache := f.write(t, filepath.Join(opts.CacheDir, "fake"))
	bad := f.spec
	bad.TrainLabels.SHA256 = strings.Repeat("0", 64)
	if _, err := Fetch(context.Background(), bad, opts); err == nil || !strings.Contains(err.Error(), "sha256") {
		t.Fatalf("Fetch with a wrong checksum: %v, want a sha256 mismatch", err)
	}
	fi, err := os.Stat(filepath.Join(cache, bad.TrainLabels.Name))
	if err != nil {
		t.Fatal(err)
	}
	st, _ := stampOf(fi)
	rec := readRecord(cache)
	rec.note(bad.TrainLabels, st)
	rec.save()
	if _, err := Fetch(context.Background(), bad, opts); err == nil {
		t.Fatal("Fetch trusted a racily clean entry")
	}
	dateRecord(t, cache)
	if _, err := Fetch(context.Background(), bad, opts); err != nil {
		t.Fatalf("Fetch with a record of the file's stamp: %v, want it trusted", err)
	}
}

// TestRecordChangedFile checks that a file changed in place since it was recorded — same
// size, new content, its mtime set back or not — is hashed again and refused: a .gz file
// makes the fetch fail, a decompressed copy is replaced from its .gz file.
func TestRecordChangedFile(t *testing.T) {
	for _, keepMtime := range []bool{false, true} {
		f := newFake(t)
		opts := noNetwork(t)
		opts.Offline = true
		cache := f.write(t, filepath.Join(opts.CacheDir, "fake"))
		load := func(when string) error {
			t.Helper()
			d, err := Load(context.Background(), f.spec, opts)
			if err == nil {
				checkFake(t, d)
			}
			return err
		}
		if err := load("first load"); err != nil {
			t.Fatal(err)
		}
		if err := load("second load"); err != nil { // hashes the racy entries again
			t.Fatal(err)
		}
		dateRecord(t, cache)
		b, err := os.ReadFile(filepath.Join(cache, RecordFile))
		if err != nil {
			t.Fatal(err)
		}
		var rec record
		if err := json.Unmarshal(b, &rec); err != nil || len(rec.Files) != 8 {
			t.Fatalf("record %s: %v, %d files, want the 4 files and their 4 copies", b, err, len(rec.Files))
		}
		change := func(name string) {
			t.Helper()
			path := filepath.Join(cache, name)
			fi, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			b[len(b)-1] ^= 1
			// In place, as an editor or a bit flip would: same inode, same size.
			w, err := os.OpenFile(path, os.O_WRONLY, 0)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := w.Write(b); err != nil {
				t.Fatal(err)
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			if keepMtime {
				if err := os.Chtimes(path, fi.ModTime(), fi.ModTime()); err != nil {
					t.Fatal(err)
				}
			}
		}
		// A decompressed copy changed: refused, the data comes from the .gz file (checkFake)
		// and the copy is written again.
		raw := strings.TrimSuffix(f.spec.TrainImages.Name, ".gz")
		change(raw)
		if err := load("changed copy"); err != nil {
			t.Fatalf("mtime kept %v: a changed copy: %v, want it replaced", keepMtime, err)
		}
		if _, err := openVerified(cache, File{Name: raw, Size: f.spec.TrainImages.RawSize, SHA256: f.spec.TrainImages.RawSHA256}, nil, false); err != nil {
			t.Errorf("mtime kept %v: the copy was not written again: %v", keepMtime, err)
		}
		// A .gz file changed: refused.
		change(f.spec.TrainLabels.Name)
		err = load("changed file")
		if err == nil || !strings.Contains(err.Error(), f.spec.TrainLabels.Name+": sha256") {
			t.Fatalf("mtime kept %v: a changed file: %v, want its sha256 refused", keepMtime, err)
		}
	}
}
