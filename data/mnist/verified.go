package mnist

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/descent-ml/descent/internal/atomicfile"
)

// RecordFile is the name of the record of verified files in a dataset's cache folder (see
// the package documentation).
const RecordFile = ".verified.json"

// racyMargin is how much older than the record a file's mtime and ctime must be for its
// entry to be trusted. A file changed in the same tick of the filesystem's clock as it was
// hashed keeps its stamp; two seconds cover the coarsest clocks (FAT's), as git's "racily
// clean" entries of its index are re-hashed.
const racyMargin = 2 * time.Second

// A stamp identifies a version of a file as its inode does: writing the file changes its
// mtime and ctime (which no user can set back), replacing it changes its inode.
type stamp struct {
	Dev   uint64 `json:"dev"`
	Ino   uint64 `json:"ino"`
	Size  int64  `json:"size"`
	Mtime int64  `json:"mtime_ns"`
	Ctime int64  `json:"ctime_ns"`
}

// An entry says that the file of stamp had the SHA-256 SHA256 when it was hashed.
type entry struct {
	stamp
	SHA256 string `json:"sha256"`
}

// A record lists the files of a cache folder that were hashed and matched their published
// SHA-256, with their stamps, so that a later load trusts a file whose stamp is unchanged
// instead of hashing it again. The record's own mtime, taken by the filesystem's clock
// after the hashes, dates the entries: an entry whose file's mtime or ctime is not
// racyMargin older is "racily clean" — the file may have changed in the tick it was hashed
// in without changing its stamp — and its file is hashed again (git's index does the same).
type record struct {
	path    string
	time    int64            // the record file's mtime (ns), or 0
	Files   map[string]entry `json:"files"`
	changed bool
}

// readRecord reads the record of the cache folder dir. A record that is missing or does
// not parse is empty: every file is hashed.
func readRecord(dir string) *record {
	r := &record{path: filepath.Join(dir, RecordFile)}
	if f, err := os.Open(r.path); err == nil {
		fi, serr := f.Stat()
		if serr == nil && json.NewDecoder(f).Decode(r) == nil {
			r.time = fi.ModTime().UnixNano()
		}
		f.Close()
	}
	if r.time == 0 || r.Files == nil {
		r.Files, r.time = map[string]entry{}, 0
	}
	return r
}

// trusted reports whether the file f whose stamp is st was hashed before, unchanged since,
// and matched f's published SHA-256.
func (r *record) trusted(f File, st stamp) bool {
	if r == nil {
		return false
	}
	e, ok := r.Files[f.Name]
	limit := r.time - racyMargin.Nanoseconds()
	return ok && e.stamp == st && e.SHA256 == f.SHA256 && st.Size == f.Size && st.Mtime < limit && st.Ctime < limit
}

// note records that the file f, of stamp st, was hashed and matched.
func (r *record) note(f File, st stamp) {
	if r != nil {
		r.Files[f.Name], r.changed = entry{stamp: st, SHA256: f.SHA256}, true
	}
}

// save writes the record if files were hashed since it was read (which also dates their
// entries anew). A record that cannot be written only makes later loads hash.
func (r *record) save() {
	if r == nil || !r.changed {
		return
	}
	if b, err := json.Marshal(r); err == nil {
		atomicfile.WriteFile(r.path, b)
	}
	r.changed = false
}

// openVerified returns the bytes of the file f of dir once it has checked that they are
// f's: its size, then its SHA-256, unless rec (if not nil) trusts its stamp. The bytes are
// mapped read-only from the file (see mapFile) and stay so until unmap; with keep false
// they are not returned, and not even read when rec trusts the file.
func openVerified(dir string, f File, rec *record, keep bool) ([]byte, error) {
	path := filepath.Join(dir, f.Name)
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return nil, &VerifyError{Path: path, Want: f, Missing: true}
	case err != nil:
		return nil, err
	case fi.IsDir():
		return nil, fmt.Errorf("%s is a folder, not the file %s", path, f.Name)
	case fi.Size() != f.Size: // refused before reading
		return nil, &VerifyError{Path: path, Want: f, Size: fi.Size()}
	}
	st, stamped := stampOf(fi)
	trusted := stamped && rec.trusted(f, st)
	if trusted && !keep {
		return nil, nil
	}
	file, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer file.Close()
	// The file opened is the one stat-ed, unless it was replaced in between: then it is
	// hashed, and not recorded.
	ofi, err := file.Stat()
	if err != nil {
		return nil, err
	}
	ost, ok := stampOf(ofi)
	if ofi.Size() != f.Size || ok != stamped || ost != st {
		trusted, stamped = false, false
	}
	if ofi.Size() != f.Size {
		return nil, &VerifyError{Path: path, Want: f, Size: ofi.Size()}
	}
	b, err := mapFile(file, f.Size)
	if err != nil {
		return nil, err
	}
	if !trusted {
		sum := sha256.Sum256(b)
		if got := hex.EncodeToString(sum[:]); got != f.SHA256 {
			unmap(b)
			return nil, &VerifyError{Path: path, Want: f, Size: f.Size, SHA256: got}
		}
		// Recorded only if the file did not change while it was hashed.
		if afi, err := file.Stat(); err == nil && stamped {
			if ast, ok := stampOf(afi); ok && ast == st {
				rec.note(f, st)
			}
		}
	}
	if !keep {
		unmap(b)
		return nil, nil
	}
	return b, nil
}
