package mnist

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/descent-ml/descent/data/idx"
)

// Data is a dataset loaded in memory.
type Data struct {
	Spec        Spec
	Dir         string // the folder the files were read from
	Train, Test *Set
}

// Load finds or fetches the files of spec as [Fetch] does, then loads them as [LoadDir]
// does. In the cache (not in a folder given by opts.Dir or the environment), it reads the
// decompressed copy of each file that has a RawSHA256 instead of decompressing the file,
// and writes the copy when it is missing or damaged (see the package documentation).
func Load(ctx context.Context, spec Spec, opts Options) (*Data, error) {
	dir, err := Fetch(ctx, spec, opts)
	if err != nil {
		return nil, err
	}
	l := loader{dir: dir, spec: spec}
	if explicit, _ := explicitDir(spec, opts); explicit == "" {
		l.cache, l.log = true, opts.Log
	}
	return l.load()
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

// verifyDir checks the four files of spec in dir.
func verifyDir(dir string, spec Spec) []error {
	var errs []error
	for _, f := range spec.Files() {
		if _, err := openVerified(dir, f, nil, false); err != nil {
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
	return (&loader{dir: dir, spec: spec}).load()
}

// A loader loads the files of spec from dir. If cache is set (dir is the cache), it reads
// the decompressed copies of the files that have them, writes those that are missing or
// damaged, and reports a failure to write one to log (if not nil).
type loader struct {
	dir   string
	spec  Spec
	cache bool
	log   io.Writer
	rec   *record // the cache's record of verified files, or nil
}

func (l *loader) load() (*Data, error) {
	dir, spec := l.dir, l.spec
	if l.cache {
		l.rec = readRecord(dir)
		defer l.rec.save()
	}
	d := &Data{Spec: spec, Dir: dir}
	var err error
	if d.Train, err = l.loadSet(spec.TrainImages, spec.TrainLabels); err != nil {
		return nil, err
	}
	if d.Test, err = l.loadSet(spec.TestImages, spec.TestLabels); err != nil {
		return nil, err
	}
	if d.Train.Rows != d.Test.Rows || d.Train.Cols != d.Test.Cols {
		return nil, fmt.Errorf("mnist: %s: images of %d×%d, but the training images are %d×%d",
			filepath.Join(dir, spec.TestImages.Name), d.Test.Rows, d.Test.Cols, d.Train.Rows, d.Train.Cols)
	}
	return d, nil
}

// loadSet reads, checks and decodes one split.
func (l *loader) loadSet(images, labels File) (*Set, error) {
	ip, lp := filepath.Join(l.dir, images.Name), filepath.Join(l.dir, labels.Name)
	im, err := l.decodeFile(images)
	if err != nil {
		return nil, err
	}
	lb, err := l.decodeFile(labels)
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
	for i, y := range lb.U8 {
		if int(y) >= len(l.spec.Classes) {
			return nil, fmt.Errorf("mnist: %s: label %d of image %d is not below %d", lp, y, i, len(l.spec.Classes))
		}
	}
	return NewSet(im.U8, lb.U8, im.Dims[1], im.Dims[2], l.spec.Mean, l.spec.Std), nil
}

// rawFile returns the decompressed copy of f: its name (f's without ".gz"), size and
// SHA-256. ok is false if f has none.
func rawFile(f File) (raw File, ok bool) {
	name, gz := strings.CutSuffix(f.Name, ".gz")
	if !gz || name == "" || f.RawSHA256 == "" {
		return File{}, false
	}
	return File{Name: name, Size: f.RawSize, SHA256: f.RawSHA256}, true
}

// decodeFile reads, checks and decodes the file f of dir. In the cache, it reads f's
// decompressed copy instead if it holds one that matches, and writes it if not.
func (l *loader) decodeFile(f File) (*idx.Array, error) {
	raw, hasRaw := rawFile(f)
	hasRaw = hasRaw && l.cache
	if hasRaw {
		if b, err := openVerified(l.dir, raw, l.rec, true); err == nil {
			if a, err := idx.DecodeBytes(b); err == nil {
				return a, nil // a's bytes are b's, mapped
			}
			unmap(b)
		}
	}
	b, err := openVerified(l.dir, f, l.rec, true)
	if err != nil {
		return nil, fmt.Errorf("mnist: %w", err)
	}
	a, err := idx.DecodeBytes(b)
	if len(b) >= 2 && b[0] == 0x1f && b[1] == 0x8b {
		unmap(b) // a was inflated out of b; a raw IDX file's a is b, which stays mapped
	}
	if err != nil {
		return nil, fmt.Errorf("mnist: %s: %w", filepath.Join(l.dir, f.Name), err)
	}
	if hasRaw {
		if err := writeRaw(l.dir, raw, a, filepath.Join(l.dir, f.Name)); err != nil && l.log != nil {
			fmt.Fprintf(l.log, "%s: no decompressed copy of %s kept (%v); it is decompressed at every load\n", l.spec.Name, f.Name, err)
		}
	}
	return a, nil
}

// writeRaw writes a, decoded from the file at origin, as the raw IDX file raw in dir,
// atomically: the temporary file is checked against raw's size and SHA-256 before it is
// renamed (see writeVerified).
func writeRaw(dir string, raw File, a *idx.Array, origin string) error {
	removeStalePartials(dir)
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(idx.Encode(pw, a)) }()
	err := writeVerified(dir, raw, pr, origin+" decompressed")
	pr.CloseWithError(errors.New("mnist: decompressed copy not written")) // stops the encoder if it is not done
	return err
}
