package torchfile

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"math/big"
	"os"
	"strings"

	"github.com/nlpodyssey/gopickle/pickle"
	"github.com/nlpodyssey/gopickle/types"

	"github.com/descent-ml/descent/nn"
	"github.com/descent-ml/descent/nn/internal/dtype"
	"github.com/descent-ml/descent/tensor"
)

// MaxPickle is the largest pickle read, in bytes: a state_dict's pickle holds names and
// shapes, a few hundred bytes per tensor.
const MaxPickle = 64 << 20

// legacyMagic is the number that starts a file of torch.save's legacy format.
const legacyMagic = "1950a86a20f9469cfc6c"

// ReadFile reads the state_dict that torch.save wrote to the file at path. Errors are
// *[nn.WeightsError] naming the file.
func ReadFile(path string) ([]nn.NamedTensor, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	ts, err := Read(f, fi.Size())
	if we, ok := errors.AsType[*nn.WeightsError](err); ok {
		we.File = path
	}
	return ts, err
}

// Read reads a state_dict that torch.save wrote, size bytes of r: the tensors in the
// dict's order, converted to float32 as the package documentation says. Errors are
// *[nn.WeightsError], naming the tensor where there is one.
func Read(r io.ReaderAt, size int64) (ts []nn.NamedTensor, err error) {
	var head [4]byte
	if size < int64(len(head)) {
		return nil, &nn.WeightsError{Msg: fmt.Sprintf("file of %d bytes is not a torch.save file", size), Err: io.ErrUnexpectedEOF}
	}
	if _, err := r.ReadAt(head[:], 0); err != nil {
		return nil, &nn.WeightsError{Msg: "reading the file", Err: err}
	}
	switch {
	case string(head[:]) == "PK\x03\x04":
		return readZip(r, size)
	case head[0] == 0x80 && head[1] >= 2 && head[1] <= 5: // a pickle's PROTO opcode
		return readLegacy(r, size)
	}
	return nil, &nn.WeightsError{Msg: fmt.Sprintf("not a torch.save file: it starts with %q, neither a zip archive nor a pickle", head[:])}
}

// A dict is the state_dict as the pickle gives it.
type dict struct {
	names  []string
	values []any
}

// storageClass is a torch.*Storage class of the pickle.
type storageClass struct {
	name string // "FloatStorage", ...
	size int    // bytes per element
	kind dtype.Kind
	read bool // whether descent reads it
}

var storageClasses = map[string]storageClass{
	"FloatStorage":    {"FloatStorage", 4, dtype.F32, true},
	"DoubleStorage":   {"DoubleStorage", 8, dtype.F64, true},
	"HalfStorage":     {"HalfStorage", 2, dtype.F16, true},
	"BFloat16Storage": {"BFloat16Storage", 2, dtype.BF16, true},
	"LongStorage":     {"LongStorage", 8, dtype.I64, true},
	"IntStorage":      {"IntStorage", 4, 0, false},
	"ShortStorage":    {"ShortStorage", 2, 0, false},
	"CharStorage":     {"CharStorage", 1, 0, false},
	"ByteStorage":     {"ByteStorage", 1, 0, false},
	"BoolStorage":     {"BoolStorage", 1, 0, false},
}

// storage is a storage the pickle refers to: its class and size, and where its bytes are.
type storage struct {
	key   string
	class storageClass
	numel int64
	data  func() ([]float32, error) // decodes the storage, once
}

// view is a tensor as _rebuild_tensor_v2 describes it.
type view struct {
	st     *storage
	offset int64
	size   []int64
	stride []int64
}

// rebuildTensor is torch._utils._rebuild_tensor_v2(storage, storage_offset, size, stride,
// requires_grad, backward_hooks[, metadata]).
type rebuildTensor struct{}

func (rebuildTensor) Call(args ...any) (any, error) {
	if len(args) != 6 && len(args) != 7 {
		return nil, fmt.Errorf("_rebuild_tensor_v2 with %d arguments", len(args))
	}
	st, ok := args[0].(*storage)
	if !ok {
		return nil, fmt.Errorf("_rebuild_tensor_v2 of a %s, not a storage", typeName(args[0]))
	}
	off, ok := integer(args[1])
	if !ok {
		return nil, fmt.Errorf("_rebuild_tensor_v2: storage offset %v", args[1])
	}
	size, ok1 := integers(args[2])
	stride, ok2 := integers(args[3])
	if !ok1 || !ok2 {
		return nil, fmt.Errorf("_rebuild_tensor_v2: size %v, stride %v", args[2], args[3])
	}
	return &view{st: st, offset: off, size: size, stride: stride}, nil
}

// rebuildParameter is torch._utils._rebuild_parameter(data, requires_grad, backward_hooks),
// which a dict holding nn.Parameter values pickles.
type rebuildParameter struct{}

func (rebuildParameter) Call(args ...any) (any, error) {
	if len(args) != 3 {
		return nil, fmt.Errorf("_rebuild_parameter with %d arguments", len(args))
	}
	if _, ok := args[0].(*view); !ok {
		return nil, fmt.Errorf("_rebuild_parameter of a %s", typeName(args[0]))
	}
	return args[0], nil
}

// findClass resolves the pickle's globals: the tensor and parameter builders, the storage
// classes, and nothing else (gopickle resolves collections.OrderedDict itself).
func findClass(module, name string) (any, error) {
	switch module + "." + name {
	case "torch._utils._rebuild_tensor_v2":
		return rebuildTensor{}, nil
	case "torch._utils._rebuild_parameter":
		return rebuildParameter{}, nil
	}
	if c, ok := storageClasses[name]; ok && module == "torch" {
		return c, nil
	}
	hint := ""
	if module == "__main__" || strings.HasPrefix(module, "torch.nn.modules") {
		hint = " (torch.save(model) pickles the module itself: save model.state_dict())"
	}
	return nil, fmt.Errorf("the pickle refers to %s.%s, which a state_dict of tensors does not hold%s", module, name, hint)
}

// unpickle runs the pickle p (already scanned) with the given persistent loader, turning a
// panic of the unpickler into an error.
func unpickle(p []byte, load func(any) (any, error)) (v any, err error) {
	defer func() {
		if e := recover(); e != nil {
			v, err = nil, fmt.Errorf("the unpickler failed: %v", e)
		}
	}()
	u := pickle.NewUnpickler(bytes.NewReader(p))
	u.FindClass = findClass
	u.PersistentLoad = load
	return u.Load()
}

// loadPickle scans the pickle at the start of p and runs it; it returns the value and the
// pickle's length.
func loadPickle(p []byte, what string, load func(any) (any, error)) (any, int, error) {
	n, err := scanPickle(p)
	if err != nil {
		return nil, 0, &nn.WeightsError{Msg: what, Err: err}
	}
	v, err := unpickle(p[:n], load)
	if err != nil {
		var we *nn.WeightsError
		if errors.As(err, &we) {
			return nil, 0, err
		}
		return nil, 0, &nn.WeightsError{Msg: what, Err: err}
	}
	return v, n, nil
}

// persistentID checks a persistent id ('storage', class, key, location, numel[, view]) and
// returns its parts; legacy ids have the sixth, which must be None.
func persistentID(id any, legacy bool) (storageClass, string, int64, error) {
	t, ok := id.(*types.Tuple)
	want := 5
	if legacy {
		want = 6
	}
	if !ok || t.Len() != want {
		return storageClass{}, "", 0, fmt.Errorf("persistent id %v: want a tuple ('storage', class, key, location, size)", id)
	}
	tag, _ := t.Get(0).(string)
	class, okc := t.Get(1).(storageClass)
	key, okk := t.Get(2).(string)
	numel, okn := integer(t.Get(4))
	if tag != "storage" || !okc || !okk || !okn || numel < 0 {
		return storageClass{}, "", 0, fmt.Errorf("persistent id %v: want ('storage', class, key, location, size)", id)
	}
	if legacy && t.Get(5) != nil {
		return storageClass{}, "", 0, fmt.Errorf("storage %s: views of storages (torch before 1.0) are not read", key)
	}
	return class, key, numel, nil
}

// readZip reads the zip format of torch ≥ 1.6: ARCHIVE/data.pkl, the pickled state_dict,
// whose storages are the records ARCHIVE/data/KEY.
func readZip(r io.ReaderAt, size int64) ([]nn.NamedTensor, error) {
	z, err := zip.NewReader(r, size)
	if err != nil {
		return nil, &nn.WeightsError{Msg: "an unreadable zip archive (a truncated file?)", Err: err}
	}
	records := make(map[string]*zip.File, len(z.File))
	var pkl []string
	for _, f := range z.File {
		if _, dup := records[f.Name]; dup {
			return nil, &nn.WeightsError{Msg: fmt.Sprintf("zip archive holds %q twice", f.Name)}
		}
		records[f.Name] = f
		if dir, ok := strings.CutSuffix(f.Name, "/data.pkl"); ok && dir != "" && !strings.Contains(dir, "/") {
			pkl = append(pkl, dir)
		}
	}
	if len(pkl) != 1 {
		for name := range records {
			if strings.HasSuffix(name, "/constants.pkl") {
				return nil, &nn.WeightsError{Msg: "a TorchScript archive (torch.jit.save), not a state_dict that torch.save wrote"}
			}
		}
		if len(pkl) == 0 {
			return nil, &nn.WeightsError{Msg: "a zip archive without data.pkl: not a file that torch.save wrote"}
		}
		return nil, &nn.WeightsError{Msg: fmt.Sprintf("a zip archive with %d data.pkl records (%s, ...): not a file that torch.save wrote", len(pkl), pkl[0])}
	}
	dir := pkl[0]
	if f, ok := records[dir+"/byteorder"]; ok {
		b, err := readRecord(f, 16)
		if err != nil {
			return nil, err
		}
		if string(b) != "little" {
			return nil, &nn.WeightsError{Msg: fmt.Sprintf("byte order %q: only little-endian files are read", b)}
		}
	}
	p, err := readRecord(records[dir+"/data.pkl"], MaxPickle)
	if err != nil {
		return nil, err
	}
	storages := map[string]*storage{}
	load := func(id any) (any, error) {
		class, key, numel, err := persistentID(id, false)
		if err != nil {
			return nil, err
		}
		if s, ok := storages[key]; ok {
			if s.class != class || s.numel != numel {
				return nil, fmt.Errorf("storage %s is a %s of %d elements and a %s of %d", key, s.class.name, s.numel, class.name, numel)
			}
			return s, nil
		}
		f, ok := records[dir+"/data/"+key]
		if !ok {
			return nil, &nn.WeightsError{Msg: fmt.Sprintf("storage record %s/data/%s is missing from the archive", dir, key)}
		}
		if numel > math.MaxInt64/int64(class.size) || uint64(numel*int64(class.size)) != f.UncompressedSize64 {
			return nil, &nn.WeightsError{Msg: fmt.Sprintf("storage record %s holds %d bytes, the pickle says %d elements of %d bytes",
				f.Name, f.UncompressedSize64, numel, class.size)}
		}
		s := &storage{key: key, class: class, numel: numel}
		s.data = func() ([]float32, error) {
			return decodeRecord(f, s)
		}
		storages[key] = s
		return s, nil
	}
	v, _, err := loadPickle(p, "data.pkl", load)
	if err != nil {
		return nil, err
	}
	return tensors(v, size)
}

// readRecord reads a stored (uncompressed) record of at most limit bytes.
func readRecord(f *zip.File, limit int) ([]byte, error) {
	if err := checkStored(f); err != nil {
		return nil, err
	}
	if f.UncompressedSize64 > uint64(limit) {
		return nil, &nn.WeightsError{Msg: fmt.Sprintf("record %s of %d bytes, more than the limit of %d", f.Name, f.UncompressedSize64, limit)}
	}
	rc, err := f.Open()
	if err != nil {
		return nil, &nn.WeightsError{Msg: "record " + f.Name, Err: err}
	}
	defer rc.Close()
	b := make([]byte, f.UncompressedSize64)
	if _, err := io.ReadFull(rc, b); err != nil {
		return nil, &nn.WeightsError{Msg: "record " + f.Name, Err: eof(err)}
	}
	return b, nil
}

// checkStored refuses a compressed record: torch.save stores its records as they are, and
// a compressed record's size could not be checked against the file's before allocation.
func checkStored(f *zip.File) error {
	if f.Method != zip.Store || f.CompressedSize64 != f.UncompressedSize64 {
		return &nn.WeightsError{Msg: fmt.Sprintf("record %s is compressed (method %d): torch.save stores its records uncompressed", f.Name, f.Method)}
	}
	return nil
}

// decodeRecord reads a storage's record and converts it to float32.
func decodeRecord(f *zip.File, s *storage) ([]float32, error) {
	if err := checkStored(f); err != nil {
		return nil, err
	}
	rc, err := f.Open()
	if err != nil {
		return nil, &nn.WeightsError{Msg: "record " + f.Name, Err: err}
	}
	defer rc.Close()
	return decodeStream(rc, s, f.Name)
}

// decodeStream reads s.numel elements of s's class from r and converts them to float32.
func decodeStream(r io.Reader, s *storage, where string) ([]float32, error) {
	out := make([]float32, s.numel)
	const chunk = 1 << 15
	buf := make([]byte, min(chunk, len(out))*s.class.size)
	for k := 0; k < len(out); k += chunk {
		m := min(chunk, len(out)-k)
		b := buf[:m*s.class.size]
		if _, err := io.ReadFull(r, b); err != nil {
			return nil, &nn.WeightsError{Msg: "storage " + where, Err: eof(err)}
		}
		if err := dtype.Decode(out[k:k+m], b, s.class.kind, k); err != nil {
			return nil, &nn.WeightsError{Msg: fmt.Sprintf("storage %s (%s) to float32", where, s.class.name), Err: err}
		}
	}
	return out, nil
}

// readLegacy reads torch.save's format before 1.6 (_use_new_zipfile_serialization=False):
// five pickles (the magic number, the protocol version 1001, the system's description, the
// state_dict, the storages' keys), then each storage in the keys' order: its element count
// (8 bytes, little-endian) and its elements.
func readLegacy(r io.ReaderAt, size int64) ([]nn.NamedTensor, error) {
	b := make([]byte, size)
	if _, err := r.ReadAt(b, 0); err != nil && err != io.EOF {
		return nil, &nn.WeightsError{Msg: "reading the file", Err: err}
	}
	pos := 0
	next := func(what string, load func(any) (any, error)) (any, error) {
		v, n, err := loadPickle(b[pos:], what, load)
		pos += n
		return v, err
	}
	v, err := next("legacy magic number", nil)
	if err != nil {
		return nil, err
	}
	if n, ok := v.(*big.Int); !ok || n.Text(16) != legacyMagic {
		return nil, &nn.WeightsError{Msg: "a pickle, not a file that torch.save wrote (no magic number)"}
	}
	if v, err = next("legacy protocol", nil); err != nil {
		return nil, err
	}
	if n, ok := integer(v); !ok || n != 1001 {
		return nil, &nn.WeightsError{Msg: fmt.Sprintf("legacy protocol version %v, want 1001", v)}
	}
	if v, err = next("legacy system information", nil); err != nil {
		return nil, err
	}
	if info, ok := v.(*types.Dict); ok {
		if le, ok := info.Get("little_endian"); ok && le != true {
			return nil, &nn.WeightsError{Msg: "written on a big-endian machine: only little-endian files are read"}
		}
	}
	storages := map[string]*storage{}
	load := func(id any) (any, error) {
		class, key, numel, err := persistentID(id, true)
		if err != nil {
			return nil, err
		}
		if s, ok := storages[key]; ok {
			if s.class != class || s.numel != numel {
				return nil, fmt.Errorf("storage %s is a %s of %d elements and a %s of %d", key, s.class.name, s.numel, class.name, numel)
			}
			return s, nil
		}
		s := &storage{key: key, class: class, numel: numel}
		storages[key] = s
		return s, nil
	}
	state, err := next("legacy state_dict", load)
	if err != nil {
		return nil, err
	}
	v, err = next("legacy storage keys", nil)
	if err != nil {
		return nil, err
	}
	keys, ok := v.(*types.List)
	if !ok {
		return nil, &nn.WeightsError{Msg: fmt.Sprintf("legacy storage keys: a %s, not a list", typeName(v))}
	}
	for _, k := range *keys {
		key, _ := k.(string)
		s, ok := storages[key]
		if !ok {
			return nil, &nn.WeightsError{Msg: fmt.Sprintf("legacy storage key %v: no tensor refers to it", k)}
		}
		if len(b)-pos < 8 {
			return nil, &nn.WeightsError{Msg: "storage " + key, Err: io.ErrUnexpectedEOF}
		}
		if n := int64(binary.LittleEndian.Uint64(b[pos:])); n != s.numel {
			return nil, &nn.WeightsError{Msg: fmt.Sprintf("storage %s holds %d elements, the pickle says %d", key, n, s.numel)}
		}
		pos += 8
		if s.numel > int64(len(b)-pos)/int64(s.class.size) {
			return nil, &nn.WeightsError{Msg: fmt.Sprintf("storage %s: %d elements of %d bytes, %d bytes left", key, s.numel, s.class.size, len(b)-pos),
				Err: io.ErrUnexpectedEOF}
		}
		data := b[pos : pos+int(s.numel)*s.class.size]
		pos += len(data)
		s.data = func() ([]float32, error) {
			return decodeStream(bytes.NewReader(data), s, key)
		}
	}
	for key, s := range storages {
		if s.data == nil {
			return nil, &nn.WeightsError{Msg: fmt.Sprintf("storage %s is not in the file", key)}
		}
	}
	if pos != len(b) {
		return nil, &nn.WeightsError{Msg: fmt.Sprintf("%d bytes after the last storage", len(b)-pos)}
	}
	return tensors(state, size)
}

// asDict returns the pickle's top value as a dict of names to values.
func asDict(v any) (dict, error) {
	var d dict
	add := func(k, v any) error {
		name, ok := k.(string)
		if !ok {
			return &nn.WeightsError{Msg: fmt.Sprintf("a dict with the key %v (a %s), not a state_dict, whose keys are names", k, typeName(k))}
		}
		d.names = append(d.names, name)
		d.values = append(d.values, v)
		return nil
	}
	switch t := v.(type) {
	case *types.OrderedDict:
		for e := t.List.Front(); e != nil; e = e.Next() {
			entry := e.Value.(*types.OrderedDictEntry)
			if err := add(entry.Key, entry.Value); err != nil {
				return d, err
			}
		}
	case *types.Dict:
		for _, entry := range *t {
			if err := add(entry.Key, entry.Value); err != nil {
				return d, err
			}
		}
	default:
		return d, &nn.WeightsError{Msg: fmt.Sprintf("the file holds a %s, not a state_dict (a dict of tensors)", typeName(v))}
	}
	return d, nil
}

// tensors turns the state_dict's views into tensors, checking each view against its
// storage, and the elements of all against the file's size.
func tensors(v any, fileSize int64) ([]nn.NamedTensor, error) {
	d, err := asDict(v)
	if err != nil {
		return nil, err
	}
	views := make([]*view, len(d.names))
	var total int64
	for i, name := range d.names {
		vw, ok := d.values[i].(*view)
		if !ok {
			hint := ""
			if _, err := asDict(d.values[i]); err == nil {
				hint = " (a checkpoint? torch.save(model.state_dict()) saves the tensors alone)"
			}
			return nil, &nn.WeightsError{Tensor: name, Msg: fmt.Sprintf("a %s, not a tensor%s", typeName(d.values[i]), hint)}
		}
		n, err := checkView(vw)
		if err != nil {
			return nil, &nn.WeightsError{Tensor: name, Msg: err.Error()}
		}
		if total += n; total > fileSize {
			return nil, &nn.WeightsError{Tensor: name, Msg: fmt.Sprintf(
				"the tensors hold %d elements in all by here, more than the file's %d bytes: views that repeat their storage's values are not read (save them with .contiguous())",
				total, fileSize)}
		}
		views[i] = vw
	}
	decoded := map[*storage][]float32{}
	ts := make([]nn.NamedTensor, len(views))
	for i, vw := range views {
		src, ok := decoded[vw.st]
		if !ok {
			if src, err = vw.st.data(); err != nil {
				if we, ok := errors.AsType[*nn.WeightsError](err); ok {
					we.Tensor = d.names[i]
				}
				return nil, err
			}
			decoded[vw.st] = src
		}
		shape := make([]int, len(vw.size))
		for k, s := range vw.size {
			shape[k] = int(s)
		}
		t := tensor.New(shape...)
		gather(t.Data(), src, vw)
		ts[i] = nn.NamedTensor{Name: d.names[i], Tensor: t, Int64: vw.st.class.kind == dtype.I64}
	}
	return ts, nil
}

// checkView checks a view against its storage and returns its element count.
func checkView(v *view) (int64, error) {
	c := v.st.class
	if !c.read {
		return 0, fmt.Errorf("torch.%s is not read (descent reads float32, float64, float16, bfloat16 and int64 tensors)", c.name)
	}
	if len(v.size) != len(v.stride) {
		return 0, fmt.Errorf("size %v and stride %v differ in rank", v.size, v.stride)
	}
	if len(v.size) > tensor.MaxRank {
		return 0, fmt.Errorf("size %v has rank %d, more than descent's %d", v.size, len(v.size), tensor.MaxRank)
	}
	if v.offset < 0 {
		return 0, fmt.Errorf("storage offset %d", v.offset)
	}
	n, last := int64(1), v.offset
	for k, s := range v.size {
		if s < 0 || v.stride[k] < 0 {
			return 0, fmt.Errorf("size %v, stride %v", v.size, v.stride)
		}
		if s > math.MaxInt32 || (s > 0 && n > math.MaxInt32/s) {
			return 0, fmt.Errorf("size %v too large", v.size)
		}
		n *= s
	}
	if n == 0 {
		return 0, nil
	}
	for k, s := range v.size {
		if v.stride[k] > 0 && s-1 > (math.MaxInt64-last)/v.stride[k] {
			return 0, fmt.Errorf("stride %v overflows", v.stride)
		}
		last += (s - 1) * v.stride[k]
	}
	if last >= v.st.numel {
		return 0, fmt.Errorf("size %v, stride %v at offset %d reach element %d of a storage of %d",
			v.size, v.stride, v.offset, last, v.st.numel)
	}
	return n, nil
}

// gather copies the elements of the view v of src into dst, row-major.
func gather(dst, src []float32, v *view) {
	if len(dst) == 0 {
		return
	}
	contiguous, want := true, int64(1)
	for k := len(v.size) - 1; k >= 0; k-- {
		if v.size[k] != 1 && v.stride[k] != want {
			contiguous = false
		}
		want *= v.size[k]
	}
	if contiguous {
		copy(dst, src[v.offset:])
		return
	}
	idx := make([]int64, len(v.size))
	at := v.offset
	for i := range dst {
		dst[i] = src[at]
		for k := len(idx) - 1; k >= 0; k-- {
			idx[k]++
			at += v.stride[k]
			if idx[k] < v.size[k] {
				break
			}
			at -= idx[k] * v.stride[k]
			idx[k] = 0
		}
	}
}

// integer returns a pickled Python int.
func integer(v any) (int64, bool) {
	switch n := v.(type) {
	case int:
		return int64(n), true
	case *big.Int:
		if n.IsInt64() {
			return n.Int64(), true
		}
	}
	return 0, false
}

// integers returns a pickled tuple of ints.
func integers(v any) ([]int64, bool) {
	t, ok := v.(*types.Tuple)
	if !ok {
		return nil, false
	}
	out := make([]int64, t.Len())
	for i := range out {
		if out[i], ok = integer(t.Get(i)); !ok {
			return nil, false
		}
	}
	return out, true
}

// typeName names the Python type of a pickled value, for errors.
func typeName(v any) string {
	switch v.(type) {
	case nil:
		return "None"
	case *types.OrderedDict, *types.Dict:
		return "dict"
	case *types.List:
		return "list"
	case *types.Tuple:
		return "tuple"
	case string:
		return "str"
	case int, *big.Int:
		return "int"
	case float64:
		return "float"
	case bool:
		return "bool"
	case *view:
		return "tensor"
	case *storage:
		return "storage"
	}
	return fmt.Sprintf("%T", v)
}

// eof turns io.EOF in the middle of a record into io.ErrUnexpectedEOF.
func eof(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}
