package optim

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"math"
	"slices"
)

// stateMagic opens every state file; stateVersion is the version of the layout below.
const (
	stateMagic   = "DESCENT-OPTIM\n"
	stateVersion = 1
)

// A stateFile is the content of a state file (see "State files" in the package
// documentation).
type stateFile struct {
	kind   string
	groups []Options
	global []named
	params []paramRecord
}

type named struct {
	name string
	v    float64
}

type namedBuf struct {
	name string
	data []float32
}

type paramRecord struct {
	name  string
	group int
	shape []int
	step  int64
	vals  []named
	bufs  []namedBuf
}

// encode writes f: magic, version, body, and the CRC-32 (IEEE) of everything before it.
// It streams: the buffers go out through a 64 KiB staging area rather than a copy of the
// whole state, which would double an optimiser's memory at every checkpoint.
func (f *stateFile) encode(w io.Writer) error {
	e := &encoder{w: w, crc: crc32.NewIEEE(), b: make([]byte, 0, encodeChunk+64)}
	e.b = append(e.b, stateMagic...)
	e.b = binary.LittleEndian.AppendUint16(e.b, stateVersion)
	e.str(f.kind)
	e.uv(len(f.groups))
	for _, g := range f.groups {
		keys := slices.Sorted(func(yield func(string) bool) {
			for k := range g {
				if !yield(k) {
					return
				}
			}
		})
		e.uv(len(keys))
		for _, k := range keys {
			e.str(k)
			e.str(g[k])
		}
	}
	e.uv(len(f.global))
	for _, v := range f.global {
		e.str(v.name)
		e.num(v.v)
	}
	e.uv(len(f.params))
	for _, p := range f.params {
		e.str(p.name)
		e.uv(p.group)
		e.uv(len(p.shape))
		for _, d := range p.shape {
			e.uv(d)
		}
		e.b = binary.AppendVarint(e.b, p.step)
		e.uv(len(p.vals))
		for _, v := range p.vals {
			e.str(v.name)
			e.num(v.v)
		}
		e.uv(len(p.bufs))
		for _, buf := range p.bufs {
			e.str(buf.name)
			e.uv(len(buf.data))
			for _, x := range buf.data {
				e.b = binary.LittleEndian.AppendUint32(e.b, math.Float32bits(x))
				if len(e.b) >= encodeChunk {
					e.flush()
				}
			}
		}
	}
	e.flush()
	if e.err != nil {
		return e.err
	}
	_, err := w.Write(binary.LittleEndian.AppendUint32(nil, e.crc.Sum32()))
	return err
}

// encodeChunk is the size at which an encoder hands its bytes on.
const encodeChunk = 64 << 10

// An encoder stages the bytes of a state file and writes them to w in chunks, keeping
// their CRC-32; the first write error stops it.
type encoder struct {
	w   io.Writer
	crc hash.Hash32
	b   []byte
	err error
}

func (e *encoder) str(s string) { e.uv(len(s)); e.b = append(e.b, s...) }
func (e *encoder) num(x float64) {
	e.b = binary.LittleEndian.AppendUint64(e.b, math.Float64bits(x))
}
func (e *encoder) uv(x int) { e.b = binary.AppendUvarint(e.b, uint64(x)) }

// flush writes the staged bytes and empties the stage.
func (e *encoder) flush() {
	if e.err == nil && len(e.b) > 0 {
		e.crc.Write(e.b)
		_, e.err = e.w.Write(e.b)
	}
	e.b = e.b[:0]
}

// decoder reads a state file's body, checking every count against the bytes left.
type decoder struct {
	b   []byte
	err error
}

func (d *decoder) fail(format string, args ...any) {
	if d.err == nil {
		d.err = FormatError(fmt.Sprintf(format, args...))
	}
}

// uv reads an unsigned varint no larger than limit.
func (d *decoder) uv(what string, limit int) int {
	x, n := binary.Uvarint(d.b)
	if n <= 0 || x > uint64(limit) {
		d.fail("bad %s", what)
		return 0
	}
	d.b = d.b[n:]
	return int(x)
}

// count reads a count of items that take at least size bytes each: no more than the bytes
// left after it can hold.
func (d *decoder) count(what string, size int) int {
	x, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.fail("bad %s", what)
		return 0
	}
	d.b = d.b[n:]
	if x > uint64(len(d.b)/size) {
		d.fail("%s %d exceeds the file", what, x)
		return 0
	}
	return int(x)
}

func (d *decoder) str(what string) string {
	n := d.count(what+" length", 1)
	if d.err != nil {
		return ""
	}
	s := string(d.b[:n])
	d.b = d.b[n:]
	return s
}

func (d *decoder) num(what string) float64 {
	if len(d.b) < 8 {
		d.fail("truncated %s", what)
		return 0
	}
	x := math.Float64frombits(binary.LittleEndian.Uint64(d.b))
	d.b = d.b[8:]
	return x
}

// decodeState reads a whole state file. It checks the magic, version and checksum before
// looking at the body, so a truncated or corrupted file is a FormatError, and it never
// allocates more than the file's length promises.
func decodeState(r io.Reader) (*stateFile, error) {
	all, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("optim: reading state: %w", err)
	}
	magic := []byte(stateMagic)
	switch {
	case len(all) == 0:
		return nil, FormatError("empty file")
	case !bytes.HasPrefix(all, magic) && !bytes.HasPrefix(magic, all):
		return nil, FormatError("not a descent optimizer state (bad magic)")
	case len(all) < len(magic)+2+4:
		return nil, FormatError("truncated file")
	}
	if v := binary.LittleEndian.Uint16(all[len(stateMagic):]); v != stateVersion {
		return nil, FormatError(fmt.Sprintf("version %d, this reader knows version %d", v, stateVersion))
	}
	body, sum := all[:len(all)-4], binary.LittleEndian.Uint32(all[len(all)-4:])
	if crc32.ChecksumIEEE(body) != sum {
		return nil, FormatError("checksum mismatch: the file is truncated or corrupted")
	}
	d := &decoder{b: body[len(stateMagic)+2:]}
	f := &stateFile{kind: d.str("optimizer name")}
	ng := d.count("group count", 1)
	for range ng {
		nk := d.count("option count", 2)
		o := make(Options, nk)
		for range nk {
			k := d.str("option name")
			o[k] = d.str("option value")
		}
		f.groups = append(f.groups, o)
	}
	for range d.count("global count", 9) {
		f.global = append(f.global, named{d.str("global name"), d.num("global value")})
	}
	np := d.count("parameter count", 1)
	for range np {
		if d.err != nil {
			break
		}
		p := paramRecord{name: d.str("parameter name"), group: d.uv("group index", ng)}
		for range d.count("rank", 1) {
			p.shape = append(p.shape, d.uv("dimension", math.MaxInt32))
		}
		s, n := binary.Varint(d.b)
		if n <= 0 {
			d.fail("bad step of %q", p.name)
			break
		}
		d.b, p.step = d.b[n:], s
		for range d.count("scalar count", 9) {
			p.vals = append(p.vals, named{d.str("scalar name"), d.num("scalar")})
		}
		for range d.count("buffer count", 2) {
			name := d.str("buffer name")
			k := d.count("buffer length", 4)
			if d.err != nil {
				break
			}
			data := make([]float32, k)
			for i := range data {
				data[i] = math.Float32frombits(binary.LittleEndian.Uint32(d.b[4*i:]))
			}
			d.b = d.b[4*k:]
			p.bufs = append(p.bufs, namedBuf{name, data})
		}
		f.params = append(f.params, p)
	}
	if d.err == nil && len(d.b) != 0 {
		d.fail("%d unexpected bytes after the parameters", len(d.b))
	}
	if d.err != nil {
		return nil, d.err
	}
	return f, nil
}

// Save writes the optimiser's state: the options of every group, the step count, and every
// parameter's state by name. See "State files" in the package documentation.
func (b *base[C, K]) Save(w io.Writer) error {
	f := &stateFile{kind: b.spec.name, global: []named{{"steps", float64(b.steps)}}}
	if gs, ok := b.k.(globalState[C]); ok {
		f.global = append(f.global, gs.saveGlobals()...)
	}
	for g := range b.cfgs {
		f.groups = append(f.groups, options(b.spec.keys, &b.cfgs[g]))
	}
	for i, p := range b.params {
		st := &b.state[i]
		r := paramRecord{name: p.Name, group: b.group[i], shape: p.Shape, step: st.step}
		for k, n := range b.spec.valNames {
			r.vals = append(r.vals, named{n, st.vals[k]})
		}
		for k, n := range b.spec.bufNames {
			if st.bufs[k] != nil {
				r.bufs = append(r.bufs, namedBuf{n, st.bufs[k]})
			}
		}
		f.params = append(f.params, r)
	}
	return f.encode(w)
}

// Load reads a state written by Save of the same optimiser over parameters of the same
// names, groups and shapes, and replaces the options of every group and the state of every
// parameter. Everything is checked before anything changes: on error the optimiser is as
// before. A malformed file is a [FormatError]; one that does not fit, a [StateError] naming
// what differs.
func (b *base[C, K]) Load(r io.Reader) error {
	f, err := decodeState(r)
	if err != nil {
		return err
	}
	if f.kind != b.spec.name {
		return StateError(fmt.Sprintf("the file is the state of optimizer %q, not %q", f.kind, b.spec.name))
	}
	if len(f.groups) != len(b.cfgs) {
		return StateError(fmt.Sprintf("the file has %d parameter groups, the optimizer %d", len(f.groups), len(b.cfgs)))
	}
	cfgs := slices.Clone(b.cfgs)
	for g := range cfgs {
		if err := apply(b.spec.name, b.spec.keys, &cfgs[g], f.groups[g]); err != nil {
			return StateError(fmt.Sprintf("group %d: %v", g, err))
		}
		if err := b.spec.validate(&cfgs[g]); err != nil {
			return StateError(fmt.Sprintf("group %d: %v", g, err))
		}
		if b.spec.shared != nil && g > 0 {
			if err := b.spec.shared(&cfgs[0], &cfgs[g]); err != nil {
				return StateError(fmt.Sprintf("group %d: %v (group 0 has another)", g, err))
			}
		}
	}
	steps, err := globalInt(f, "steps")
	if err != nil {
		return err
	}
	if len(f.params) != len(b.params) {
		return StateError(fmt.Sprintf("the file has %d parameters, the optimizer %d", len(f.params), len(b.params)))
	}
	states := make([]pstate, len(b.params))
	seen := make([]bool, len(b.params))
	for _, rec := range f.params {
		i := b.index(rec.name)
		if i < 0 {
			return StateError(fmt.Sprintf("the file has parameter %q, which the optimizer does not", rec.name))
		}
		if seen[i] {
			return StateError(fmt.Sprintf("parameter %q appears twice in the file", rec.name))
		}
		seen[i] = true
		p := b.params[i]
		switch {
		case rec.group != b.group[i]:
			return StateError(fmt.Sprintf("parameter %q is in group %d in the file, in group %d here", rec.name, rec.group, b.group[i]))
		case !slices.Equal(rec.shape, p.Shape):
			return StateError(fmt.Sprintf("parameter %q has shape %v in the file, %v here", rec.name, rec.shape, p.Shape))
		case rec.step < 0:
			return StateError(fmt.Sprintf("parameter %q has step %d", rec.name, rec.step))
		}
		st := pstate{step: rec.step, bufs: make([][]float32, len(b.spec.bufNames)), vals: make([]float64, len(b.spec.valNames))}
		if len(rec.vals) != len(b.spec.valNames) {
			return StateError(fmt.Sprintf("parameter %q has %d scalars in the file, want %v", rec.name, len(rec.vals), b.spec.valNames))
		}
		for k, v := range rec.vals {
			if v.name != b.spec.valNames[k] {
				return StateError(fmt.Sprintf("parameter %q has scalar %q in the file, want %q", rec.name, v.name, b.spec.valNames[k]))
			}
			st.vals[k] = v.v
		}
		for _, buf := range rec.bufs {
			k := slices.Index(b.spec.bufNames, buf.name)
			switch {
			case k < 0:
				return StateError(fmt.Sprintf("parameter %q has buffer %q, which %s does not keep", rec.name, buf.name, b.spec.name))
			case st.bufs[k] != nil:
				return StateError(fmt.Sprintf("parameter %q has buffer %q twice", rec.name, buf.name))
			case b.bufLen(i, k) < 0:
				return StateError(fmt.Sprintf("parameter %q has buffer %q, which %s does not keep for shape %v", rec.name, buf.name, b.spec.name, p.Shape))
			case len(buf.data) != b.bufLen(i, k):
				return StateError(fmt.Sprintf("parameter %q has buffer %q of %d values, want %d", rec.name, buf.name, len(buf.data), b.bufLen(i, k)))
			}
			st.bufs[k] = buf.data
		}
		need := b.needs(i, &cfgs[b.group[i]])
		for k, n := range b.spec.bufNames {
			if need&(1<<k) != 0 && st.bufs[k] == nil {
				return StateError(fmt.Sprintf("parameter %q lacks buffer %q", rec.name, n))
			}
		}
		states[i] = st
	}
	applyGlobals := func() {}
	if gs, ok := b.k.(globalState[C]); ok {
		if applyGlobals, err = gs.loadGlobals(f, cfgs); err != nil {
			return err
		}
	}
	// Everything fits: apply, reusing the buffers already allocated.
	for i := range states {
		for k, buf := range states[i].bufs {
			if old := b.state[i].bufs[k]; old != nil && buf != nil {
				copy(old, buf)
				states[i].bufs[k] = old
			}
		}
		b.state[i] = states[i]
	}
	b.cfgs, b.steps = cfgs, steps
	applyGlobals()
	return nil
}

// globalInt returns the global scalar name of f as a non-negative integer.
func globalInt(f *stateFile, name string) (int64, error) {
	for _, v := range f.global {
		if v.name == name {
			if v.v < 0 || v.v != math.Trunc(v.v) || v.v > 1<<53 {
				return 0, StateError(fmt.Sprintf("%s is %v", name, v.v))
			}
			return int64(v.v), nil
		}
	}
	return 0, StateError(fmt.Sprintf("the file lacks %q", name))
}
