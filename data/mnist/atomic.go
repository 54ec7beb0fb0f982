package mnist

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/descent-ml/descent/internal/atomicfile"
)

// partial marks the temporary files of downloads in progress: ".<name>.partial-<random>".
const partial = ".partial-"

// writeVerified copies src, which should be the file f, into dir/f.Name atomically: it
// writes a temporary file in dir, checks its size and SHA-256, and only then syncs and
// renames it (internal/atomicfile). origin names src in errors. On any error the
// temporary file is removed and dir/f.Name is untouched.
func writeVerified(dir string, f File, src io.Reader, origin string) error {
	tmp, err := atomicfile.CreateTemp(filepath.Join(dir, f.Name), "."+f.Name+partial+"*")
	if err != nil {
		return err
	}
	defer tmp.Close()
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(tmp, h), io.LimitReader(src, f.Size+1))
	if err != nil {
		return fmt.Errorf("%s: %w", origin, err)
	}
	if n != f.Size {
		return &VerifyError{Path: origin, Want: f, Size: n}
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != f.SHA256 {
		return &VerifyError{Path: origin, Want: f, Size: n, SHA256: got}
	}
	return tmp.Commit()
}

// copyInto copies the file at path, which should be f, into dir atomically.
func copyInto(dir string, f File, path string) error {
	in, err := os.Open(path)
	if err != nil {
		return err
	}
	defer in.Close()
	return writeVerified(dir, f, in, path)
}

// removeStalePartials removes the temporary files of downloads that were killed more than
// an hour ago; younger ones may belong to another process still downloading.
func removeStalePartials(dir string) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), ".") || !strings.Contains(e.Name(), partial) {
			continue
		}
		if fi, err := e.Info(); err == nil && time.Since(fi.ModTime()) > time.Hour {
			os.Remove(filepath.Join(dir, e.Name()))
		}
	}
}
