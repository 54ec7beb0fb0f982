package nn

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"

	"github.com/descent-ml/descent/tensor"
)

// The weights format, little-endian throughout:
//
//	magic   [8]byte  "DESCENTW"
//	version uint32   1
//	count   uint32   number of tensors
//	count × {
//		nameLen uint32, name [nameLen]byte (UTF-8)
//		rank    uint32, dims [rank]uint32
//		data    [product of dims]float32
//	}
//
// and nothing after. It was descent's weights format before safetensors (the model.weights
// and checkpoints of older run folders); descent reads it and no longer writes it.
// model/testdata/torch_export.py writes it from Python.
const (
	weightsMagic   = "DESCENTW"
	weightsVersion = 1
	maxNameLen     = 1 << 12
)

// A WeightsError reports a weights file that cannot be read, or state that does not fit
// the model it is loaded into: the readers of every format (this package's, nn/safetensors,
// nn/torchfile) and [LoadStateDict] return it. File and Tensor name the place, when known.
type WeightsError struct {
	File   string // the file, if known
	Tensor string // the tensor (a parameter or a buffer) concerned, if any
	Msg    string
	Err    error // the underlying error (io.ErrUnexpectedEOF for a truncated file), if any
}

func (e *WeightsError) Error() string {
	s := "nn: weights: "
	if e.File != "" {
		s += e.File + ": "
	}
	if e.Tensor != "" {
		s += "tensor " + strconv.Quote(e.Tensor) + ": "
	}
	s += e.Msg
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *WeightsError) Unwrap() error { return e.Err }

// A NamedTensor is one entry of a weights file or of a module's state dict ([StateDict]).
type NamedTensor struct {
	Name   string
	Tensor *tensor.Tensor
	// Int64 marks a tensor that PyTorch keeps as int64 (BatchNorm's num_batches_tracked):
	// its values are integers, held here as float32, exact up to 2²⁴.
	Int64 bool
}

// header reads and checks the magic and version, and returns the count of tensors.
func header(r io.Reader) (int, error) {
	var h [16]byte
	if _, err := io.ReadFull(r, h[:]); err != nil {
		return 0, &WeightsError{Msg: "truncated header", Err: eof(err)}
	}
	if string(h[:8]) != weightsMagic {
		return 0, &WeightsError{Msg: fmt.Sprintf("not a weights file (magic %q)", h[:8])}
	}
	if v := binary.LittleEndian.Uint32(h[8:]); v != weightsVersion {
		return 0, &WeightsError{Msg: fmt.Sprintf("version %d, want %d", v, weightsVersion)}
	}
	return int(binary.LittleEndian.Uint32(h[12:])), nil
}

// eof turns a bare io.EOF in the middle of a file into io.ErrUnexpectedEOF.
func eof(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// entry reads the name and shape of the next tensor.
func entry(r io.Reader, i int) (string, []int, error) {
	var b [4]byte
	u32 := func() (int, error) {
		_, err := io.ReadFull(r, b[:])
		return int(binary.LittleEndian.Uint32(b[:])), eof(err)
	}
	at := "entry " + strconv.Itoa(i)
	n, err := u32()
	if err != nil {
		return "", nil, &WeightsError{Msg: "truncated " + at, Err: err}
	}
	if n > maxNameLen {
		return "", nil, &WeightsError{Msg: fmt.Sprintf("%s: name of %d bytes", at, n)}
	}
	nb := make([]byte, n)
	if _, err := io.ReadFull(r, nb); err != nil {
		return "", nil, &WeightsError{Msg: "truncated " + at, Err: eof(err)}
	}
	name := string(nb)
	rank, err := u32()
	if err != nil {
		return name, nil, &WeightsError{Tensor: name, Msg: "truncated shape", Err: err}
	}
	if rank > tensor.MaxRank {
		return name, nil, &WeightsError{Tensor: name, Msg: fmt.Sprintf("rank %d exceeds %d", rank, tensor.MaxRank)}
	}
	shape := make([]int, rank)
	for d := range shape {
		if shape[d], err = u32(); err != nil {
			return name, nil, &WeightsError{Tensor: name, Msg: "truncated shape", Err: err}
		}
	}
	return name, shape, nil
}

// readData reads len(dst) float32 values into dst.
func readData(r io.Reader, dst []float32, name string) error {
	var buf [4096]byte
	for len(dst) > 0 {
		k := min(len(dst), len(buf)/4)
		if _, err := io.ReadFull(r, buf[:4*k]); err != nil {
			return &WeightsError{Tensor: name, Msg: "truncated data", Err: eof(err)}
		}
		for i := range k {
			dst[i] = math.Float32frombits(binary.LittleEndian.Uint32(buf[4*i:]))
		}
		dst = dst[k:]
	}
	return nil
}

// end checks that r has nothing left.
func end(r io.Reader) error {
	var b [1]byte
	if n, _ := r.Read(b[:]); n > 0 {
		return &WeightsError{Msg: "trailing data after the last tensor"}
	}
	return nil
}

// Load reads into the parameters of m a file in descent's former weights format, as descent
// wrote the parameters of a module (or as PyTorch does through
// model/testdata/torch_export.py). The file must hold exactly the parameters of m, in
// order, with the same names and shapes; otherwise, or if the file is truncated or has
// trailing data, Load returns a *[WeightsError] naming the parameter and leaves m unchanged.
func Load(r io.Reader, m Module) error {
	br := bufio.NewReader(r)
	ps := m.Parameters()
	count, err := header(br)
	if err != nil {
		return err
	}
	if count != len(ps) {
		return &WeightsError{Msg: fmt.Sprintf("file has %d tensors, model has %d parameters", count, len(ps))}
	}
	vals := make([][]float32, len(ps))
	for i, p := range ps {
		name, shape, err := entry(br, i)
		if err != nil {
			return err
		}
		if name != p.Name {
			return &WeightsError{Tensor: p.Name, Msg: fmt.Sprintf("file has %q in its place (entry %d)", name, i)}
		}
		if !slices.Equal(shape, p.Var.Value.Shape()) {
			return &WeightsError{Tensor: p.Name, Msg: fmt.Sprintf("shape %v in file, %v in model", shape, p.Var.Value.Shape())}
		}
		vals[i] = make([]float32, p.Var.Value.Len())
		if err := readData(br, vals[i], name); err != nil {
			return err
		}
	}
	if err := end(br); err != nil {
		return err
	}
	for i, p := range ps {
		copy(p.Var.Value.Data(), vals[i])
	}
	return nil
}

// ReadTensors reads every tensor of a weights file. It reads the data as it arrives, so a
// header that promises more than the file holds fails as truncated without a large
// allocation.
func ReadTensors(r io.Reader) ([]NamedTensor, error) {
	br := bufio.NewReader(r)
	count, err := header(br)
	if err != nil {
		return nil, err
	}
	var ts []NamedTensor
	for i := range count {
		name, shape, err := entry(br, i)
		if err != nil {
			return nil, err
		}
		n := 1
		for _, d := range shape {
			if d != 0 && n > math.MaxInt32/d {
				return nil, &WeightsError{Tensor: name, Msg: fmt.Sprintf("shape %v too large", shape)}
			}
			n *= d
		}
		var data []float32
		for len(data) < n {
			chunk := make([]float32, min(n-len(data), 1<<16))
			if err := readData(br, chunk, name); err != nil {
				return nil, err
			}
			data = append(data, chunk...)
		}
		if data == nil {
			data = []float32{}
		}
		ts = append(ts, NamedTensor{Name: name, Tensor: tensor.FromSlice(data, shape...)})
	}
	if err := end(br); err != nil {
		return nil, err
	}
	return ts, nil
}
