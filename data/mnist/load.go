package mnist

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/descent-ml/descent/data/idx"
)

// Data is a dataset loaded in memory.
type Data struct {
	Spec        Spec
	Dir         string // the folder the files were read from
	Train, Test *Set
}

// Load finds or fetches the files of spec as [Fetch] does, then loads them with [LoadDir].
func Load(ctx context.Context, spec Spec, opts Options) (*Data, error) {
	dir, err := Fetch(ctx, spec, opts)
	if err != nil {
		return nil, err
	}
	return LoadDir(dir, spec)
}

// ErrVerify is matched, with errors.Is, by the [*VerifyError] of a file whose size or
// SHA-256 is not the published one.
var ErrVerify = errors.New("mnist: file does not match its published checksum")

// A VerifyError reports a file whose size or SHA-256 is not the published one: a truncated
// download, a damaged file or another file of the same name.
type VerifyError struct {
	Path    string // the file, or the URL it came from
	Want    File
	Size    int64  // its size
	SHA256  string // its SHA-256, when the size was right
	Missing bool   // it does not exist
}

func (e *VerifyError) Error() string {
	switch {
	case e.Missing:
		return fmt.Sprintf("%s: missing", e.Path)
	case e.Size != e.Want.Size:
		return fmt.Sprintf("%s: %d bytes, want %d (truncated or not the published file)", e.Path, e.Size, e.Want.Size)
	}
	return fmt.Sprintf("%s: sha256 %s, want %s (damaged or not the published file)", e.Path, e.SHA256, e.Want.SHA256)
}

// Is reports whether target is ErrVerify.
func (e *VerifyError) Is(target error) bool { return target == ErrVerify }

// check returns a *VerifyError unless b is the published file f.
func check(path string, b []byte, f File) error {
	if int64(len(b)) != f.Size {
		return &VerifyError{Path: path, Want: f, Size: int64(len(b))}
	}
	sum := sha256.Sum256(b)
	if got := hex.EncodeToString(sum[:]); got != f.SHA256 {
		return &VerifyError{Path: path, Want: f, Size: f.Size, SHA256: got}
	}
	return nil
}

// readVerified reads the file f of dir and checks it.
func readVerified(dir string, f File) ([]byte, error) {
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
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if err := check(path, b, f); err != nil {
		return nil, err
	}
	return b, nil
}

// verifyDir checks the four files of spec in dir.
func verifyDir(dir string, spec Spec) []error {
	var errs []error
	for _, f := range spec.Files() {
		if _, err := readVerified(dir, f); err != nil {
			errs = append(errs, err)
		}
	}
	return errs
}

// LoadDir reads the four files of spec from dir, checks their sizes and SHA-256 sums
// before decoding them, and checks their shapes: u8 images [N, rows, cols] and u8 labels
// [N] below len(spec.Classes). The sets are normalised with spec.Mean and spec.Std. Errors
// name the file.
func LoadDir(dir string, spec Spec) (*Data, error) {
	d := &Data{Spec: spec, Dir: dir}
	var err error
	if d.Train, err = loadSet(dir, spec, spec.TrainImages, spec.TrainLabels); err != nil {
		return nil, err
	}
	if d.Test, err = loadSet(dir, spec, spec.TestImages, spec.TestLabels); err != nil {
		return nil, err
	}
	if d.Train.Rows != d.Test.Rows || d.Train.Cols != d.Test.Cols {
		return nil, fmt.Errorf("mnist: %s: images of %d×%d, but the training images are %d×%d",
			filepath.Join(dir, spec.TestImages.Name), d.Test.Rows, d.Test.Cols, d.Train.Rows, d.Train.Cols)
	}
	return d, nil
}

// loadSet reads, checks and decodes one split.
func loadSet(dir string, spec Spec, images, labels File) (*Set, error) {
	ip, lp := filepath.Join(dir, images.Name), filepath.Join(dir, labels.Name)
	im, err := decodeFile(dir, images)
	if err != nil {
		return nil, err
	}
	lb, err := decodeFile(dir, labels)
	if err != nil {
		return nil, err
	}
	if im.Type != idx.Uint8 || len(im.Dims) != 3 || im.Dims[1] == 0 || im.Dims[2] == 0 {
		return nil, fmt.Errorf("mnist: %s: %s %v, want images: u8 [N rows cols]", ip, im.Type, im.Dims)
	}
	if lb.Type != idx.Uint8 || len(lb.Dims) != 1 {
		return nil, fmt.Errorf("mnist: %s: %s %v, want labels: u8 [N]", lp, lb.Type, lb.Dims)
	}
	if lb.Dims[0] != im.Dims[0] {
		return nil, fmt.Errorf("mnist: %s has %d labels for the %d images of %s", lp, lb.Dims[0], im.Dims[0], ip)
	}
	for i, l := range lb.U8 {
		if int(l) >= len(spec.Classes) {
			return nil, fmt.Errorf("mnist: %s: label %d of image %d is not below %d", lp, l, i, len(spec.Classes))
		}
	}
	return NewSet(im.U8, lb.U8, im.Dims[1], im.Dims[2], spec.Mean, spec.Std), nil
}

// decodeFile reads, checks and decodes the file f of dir.
func decodeFile(dir string, f File) (*idx.Array, error) {
	b, err := readVerified(dir, f)
	if err != nil {
		return nil, fmt.Errorf("mnist: %w", err)
	}
	a, err := idx.DecodeBytes(b)
	if err != nil {
		return nil, fmt.Errorf("mnist: %s: %w", filepath.Join(dir, f.Name), err)
	}
	return a, nil
}
