package train

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"io"

	"github.com/descent-ml/descent/internal/atomicfile"
)

// A checkpoint file holds named sections and a checksum, version 1:
//
//	magic     "DESCENT-CHECKPOINT\n"
//	version   uint16 = 1, little-endian
//	sections  their bytes, back to back
//	index     uvarint n, n × (uvarint name length, name, uvarint offset, uvarint length)
//	uint64    offset of the index, little-endian
//	sha256    of everything before (32 bytes)
//
// It is written to a temporary file in the same folder, synced, and renamed over the old
// one, so that a reader (or a run killed at any moment) finds the old checkpoint or the
// new one, whole; the checksum catches a file damaged afterwards.
const (
	checkpointMagic   = "DESCENT-CHECKPOINT\n"
	checkpointVersion = 1
)

// A CheckpointError reports a checkpoint file that cannot be used: damaged, truncated,
// of another format, or of another run.
type CheckpointError struct {
	Path string
	Msg  string
}

func (e *CheckpointError) Error() string { return "train: checkpoint " + e.Path + ": " + e.Msg }

// A section is one named part of a checkpoint, written by its function.
type section struct {
	name  string
	write func(w io.Writer) error
}

// countWriter counts and hashes what goes through it to w.
type countWriter struct {
	w io.Writer
	h hash.Hash
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.h.Write(p[:n])
	c.n += int64(n)
	return n, err
}

// writeCheckpoint writes the sections to path atomically (internal/atomicfile): a
// temporary file, synced, then renamed, then the folder synced.
func writeCheckpoint(path string, sections []section) error {
	tmp, err := atomicfile.Create(path)
	if err != nil {
		return fmt.Errorf("train: checkpoint: %w", err)
	}
	defer tmp.Close()
	bw := bufio.NewWriterSize(tmp, 1<<20)
	cw := &countWriter{w: bw, h: sha256.New()}
	var hdr []byte
	hdr = append(hdr, checkpointMagic...)
	hdr = binary.LittleEndian.AppendUint16(hdr, checkpointVersion)
	if _, err := cw.Write(hdr); err != nil {
		return fmt.Errorf("train: checkpoint: %w", err)
	}
	var index []byte
	index = binary.AppendUvarint(index, uint64(len(sections)))
	for _, s := range sections {
		off := cw.n
		if err := s.write(cw); err != nil {
			return fmt.Errorf("train: checkpoint: %s: %w", s.name, err)
		}
		index = binary.AppendUvarint(index, uint64(len(s.name)))
		index = append(index, s.name...)
		index = binary.AppendUvarint(index, uint64(off))
		index = binary.AppendUvarint(index, uint64(cw.n-off))
	}
	index = binary.LittleEndian.AppendUint64(index, uint64(cw.n))
	if _, err := cw.Write(index); err != nil {
		return fmt.Errorf("train: checkpoint: %w", err)
	}
	if _, err := bw.Write(cw.h.Sum(nil)); err != nil {
		return fmt.Errorf("train: checkpoint: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("train: checkpoint: %w", err)
	}
	if err := tmp.Commit(); err != nil {
		return fmt.Errorf("train: checkpoint: %w", err)
	}
	return nil
}

// parseCheckpoint parses the bytes of a checkpoint file; path names it in errors.
func parseCheckpoint(path string, b []byte) (map[string][]byte, error) {
	bad := func(format string, args ...any) error {
		return &CheckpointError{Path: path, Msg: fmt.Sprintf(format, args...)}
	}
	head := len(checkpointMagic) + 2
	if len(b) < head+8+sha256.Size {
		return nil, bad("%d bytes, too short to be a checkpoint (truncated?)", len(b))
	}
	body, sum := b[:len(b)-sha256.Size], b[len(b)-sha256.Size:]
	if got := sha256.Sum256(body); !bytes.Equal(got[:], sum) {
		if !bytes.HasPrefix(b, []byte(checkpointMagic)) {
			return nil, bad("not a descent checkpoint")
		}
		return nil, bad("checksum mismatch: the file is damaged or truncated")
	}
	if !bytes.HasPrefix(body, []byte(checkpointMagic)) {
		return nil, bad("not a descent checkpoint")
	}
	if v := binary.LittleEndian.Uint16(body[len(checkpointMagic):]); v != checkpointVersion {
		return nil, bad("version %d, this descent reads version %d", v, checkpointVersion)
	}
	ioff := binary.LittleEndian.Uint64(body[len(body)-8:])
	if ioff < uint64(head) || ioff > uint64(len(body)-8) {
		return nil, bad("index offset %d out of range", ioff)
	}
	index := body[ioff : len(body)-8]
	uvarint := func() (uint64, error) {
		v, n := binary.Uvarint(index)
		if n <= 0 {
			return 0, errors.New("malformed index")
		}
		index = index[n:]
		return v, nil
	}
	n, err := uvarint()
	if err != nil {
		return nil, bad("%v", err)
	}
	secs := map[string][]byte{}
	for range n {
		ln, err := uvarint()
		if err != nil || ln > uint64(len(index)) {
			return nil, bad("malformed index")
		}
		name := string(index[:ln])
		index = index[ln:]
		off, err1 := uvarint()
		size, err2 := uvarint()
		if err1 != nil || err2 != nil || off < uint64(head) || off > ioff || size > ioff-off {
			return nil, bad("section %q out of range", name)
		}
		if _, dup := secs[name]; dup {
			return nil, bad("section %q repeated", name)
		}
		secs[name] = body[off : off+size]
	}
	if len(index) != 0 {
		return nil, bad("%d stray bytes after the index", len(index))
	}
	return secs, nil
}
