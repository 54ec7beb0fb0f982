package npy

import (
	"archive/zip"
	"compress/flate"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
)

// MaxMembers is the largest number of members of an .npz archive the decoder reads.
const MaxMembers = 1 << 10

// DecodeNPZ reads the arrays of an .npz archive (numpy.savez or savez_compressed: a zip
// of .npy files) of size bytes from r, by name without ".npy". Members whose names do not
// end in .npy are skipped. Each member's header is checked against the size the archive
// declares for it before its data is allocated, and archive/zip checks the size and CRC of
// what it decompresses.
func DecodeNPZ(r io.ReaderAt, size int64) (map[string]*Array, error) {
	zr, err := zip.NewReader(r, size)
	if errors.Is(err, zip.ErrInsecurePath) {
		err = nil // nothing is written to disk: a member's name is only a key
	}
	if err != nil {
		return nil, archiveErr(err)
	}
	if len(zr.File) > MaxMembers {
		return nil, formatErr(ErrArchive, "%d members, more than %d", len(zr.File), MaxMembers)
	}
	out := map[string]*Array{}
	for _, f := range zr.File {
		name, ok := strings.CutSuffix(f.Name, ".npy")
		if !ok || f.FileInfo().IsDir() {
			continue
		}
		if _, dup := out[name]; dup {
			return nil, formatErr(ErrArchive, "member %q twice", f.Name)
		}
		a, err := decodeMember(f)
		if err != nil {
			return nil, fmt.Errorf("member %q: %w", f.Name, err)
		}
		out[name] = a
	}
	return out, nil
}

// ReadNPZ reads the arrays of the .npz archive at path; errors name the file.
func ReadNPZ(path string) (map[string]*Array, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	m, err := DecodeNPZ(f, fi.Size())
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return m, nil
}

// Names returns the names of the arrays of an archive, sorted.
func Names(arrays map[string]*Array) []string {
	names := make([]string, 0, len(arrays))
	for n := range arrays {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

func decodeMember(f *zip.File) (*Array, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, archiveErr(err)
	}
	defer rc.Close()
	size := int64(-1)
	if f.UncompressedSize64 <= 1<<62 {
		size = int64(f.UncompressedSize64)
	}
	a, err := decode(rc, size, -1) // a size the archive declares, not its real length
	if err != nil {
		return nil, archiveErr(err)
	}
	return a, nil
}

// archiveErr turns an error of archive/zip or of its decompressor into a FormatError;
// other errors pass.
func archiveErr(err error) error {
	var fe *FormatError
	if errors.As(err, &fe) {
		return err
	}
	var corrupt flate.CorruptInputError
	if errors.Is(err, zip.ErrFormat) || errors.Is(err, zip.ErrAlgorithm) || errors.Is(err, zip.ErrChecksum) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.As(err, &corrupt) {
		return formatErr(ErrArchive, "%s", strings.TrimPrefix(err.Error(), "npy: "))
	}
	return err
}
