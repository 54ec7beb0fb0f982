package torchfile

import (
	"bytes"
	"encoding/binary"
	"fmt"
)

// The arguments of the pickle opcodes, as Python's pickletools lists them.
const (
	argNone    = iota + 1
	argFixed1  // 1 byte
	argFixed2  // 2 bytes
	argFixed4  // 4 bytes
	argFixed8  // 8 bytes (BINFLOAT; FRAME's length, which frames what follows)
	argLine    // up to and including a newline
	argLines2  // two lines (GLOBAL, INST)
	argCount1  // a 1-byte length, then that many bytes
	argCount4  // a signed 4-byte length, then that many bytes
	argUCount4 // an unsigned 4-byte length, then that many bytes
	argCount8  // an 8-byte length, then that many bytes
)

// opcodes maps each pickle opcode of protocols 0 to 5 to its argument; 0 marks a byte
// that is not an opcode.
var opcodes = func() (t [256]uint8) {
	for _, c := range []byte("(.0123NRabde}lo]st)uQ\x81\x85\x86\x87\x88\x89\x8f\x90\x91\x92\x93\x94\x97\x98") {
		t[c] = argNone
	}
	for _, c := range []byte("\x80Khq\x82") {
		t[c] = argFixed1
	}
	for _, c := range []byte("M\x83") {
		t[c] = argFixed2
	}
	for _, c := range []byte("Jjr\x84") {
		t[c] = argFixed4
	}
	for _, c := range []byte("G\x95") {
		t[c] = argFixed8
	}
	for _, c := range []byte("ILFSVPgp") {
		t[c] = argLine
	}
	for _, c := range []byte("ci") {
		t[c] = argLines2
	}
	for _, c := range []byte("UC\x8c\x8a") {
		t[c] = argCount1
	}
	for _, c := range []byte("T\x8b") {
		t[c] = argCount4
	}
	for _, c := range []byte("BX") {
		t[c] = argUCount4
	}
	for _, c := range []byte("\x8d\x8e\x96") {
		t[c] = argCount8
	}
	return t
}()

// fixedLen is the length of the fixed arguments.
var fixedLen = [...]int{argFixed1: 1, argFixed2: 2, argFixed4: 4, argFixed8: 8}

// scanPickle walks the opcodes of the pickle at the start of p up to its STOP, without
// running them, and returns the pickle's length. It checks that every opcode is one and
// that every argument, and every length an argument gives, lies within p, so that the
// unpickler never allocates for data that is not there.
func scanPickle(p []byte) (int, error) {
	le := binary.LittleEndian
	i := 0
	for i < len(p) {
		op := p[i]
		at := i
		i++
		rest := len(p) - i
		short := func(what string) error {
			return fmt.Errorf("pickle opcode %#x at byte %d: %s beyond the %d bytes of the pickle", op, at, what, len(p))
		}
		switch opcodes[op] {
		case 0:
			return 0, fmt.Errorf("pickle: byte %#x at %d is not an opcode", op, at)
		case argNone:
			if op == '.' {
				return i, nil
			}
		case argFixed1, argFixed2, argFixed4, argFixed8:
			n := fixedLen[opcodes[op]]
			if rest < n {
				return 0, short("argument")
			}
			if op == 0x95 && le.Uint64(p[i:]) > uint64(rest-n) { // FRAME
				return 0, short(fmt.Sprintf("frame of %d bytes", le.Uint64(p[i:])))
			}
			i += n
		case argLine, argLines2:
			lines := 1 + int(opcodes[op]-argLine)
			for range lines {
				k := bytes.IndexByte(p[i:], '\n')
				if k < 0 {
					return 0, short("line")
				}
				i += k + 1
			}
		case argCount1:
			if rest < 1 || int(p[i]) > rest-1 {
				return 0, short("string")
			}
			i += 1 + int(p[i])
		case argCount4, argUCount4:
			if rest < 4 {
				return 0, short("length")
			}
			n := int64(le.Uint32(p[i:]))
			if opcodes[op] == argCount4 {
				n = int64(int32(le.Uint32(p[i:])))
			}
			if n < 0 || n > int64(rest-4) {
				return 0, short(fmt.Sprintf("string of %d bytes", n))
			}
			i += 4 + int(n)
		case argCount8:
			if rest < 8 {
				return 0, short("length")
			}
			n := le.Uint64(p[i:])
			if n > uint64(rest-8) {
				return 0, short(fmt.Sprintf("string of %d bytes", n))
			}
			i += 8 + int(n)
		}
	}
	return 0, fmt.Errorf("pickle of %d bytes without STOP", len(p))
}
