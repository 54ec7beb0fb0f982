// Package weights reads and writes a model's weights in whichever format they come:
// safetensors (package nn/safetensors, what descent writes), a state_dict saved by
// torch.save (package nn/torchfile, zip or legacy format), or descent's former weights
// format (nn.ReadTensors, the model.weights of older run folders). It is what a command
// line's --init-weights FILE and a run folder's model.safetensors go through:
//
//	err := weights.LoadFile("init.pt", m, true)            // any format, by name, strict
//	err = weights.SaveFile("run/model.safetensors", m, nil) // safetensors, atomically
//
// Tensors are named as the equivalent PyTorch module's state_dict ([nn.StateDict]), so a
// file moves between descent and PyTorch both ways. Errors are *[nn.WeightsError] naming
// the file, and the tensor at fault where there is one; a load that fails leaves the
// model unchanged.
package weights

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/descent-ml/descent/nn"
	"github.com/descent-ml/descent/nn/safetensors"
	"github.com/descent-ml/descent/nn/torchfile"
)

// A Format is a weights file format.
type Format int

// The formats read; [SaveFile] writes Safetensors.
const (
	Unknown     Format = iota
	Safetensors        // safetensors (.safetensors)
	Torch              // torch.save, the zip format of PyTorch ≥ 1.6 or the legacy one
	Descent            // descent's former format, "DESCENTW" (model.weights of older runs)
)

func (f Format) String() string {
	switch f {
	case Safetensors:
		return "safetensors"
	case Torch:
		return "torch.save"
	case Descent:
		return "descent weights"
	}
	return "unknown"
}

// Detect returns the format of a file from its first 16 bytes (fewer if the file is
// shorter) and its name: "DESCENTW" is Descent; a zip archive is Torch; 8 bytes then '{'
// (a header length, then its JSON) is Safetensors; a pickle (its PROTO opcode, protocol 2
// to 5) is Torch, legacy; failing those, a name ending in .safetensors is Safetensors.
func Detect(head []byte, name string) Format {
	switch {
	case bytes.HasPrefix(head, []byte("DESCENTW")):
		return Descent
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		return Torch
	case len(head) > 8 && head[8] == '{':
		return Safetensors
	case len(head) > 1 && head[0] == 0x80 && head[1] >= 2 && head[1] <= 5:
		return Torch
	case strings.EqualFold(filepath.Ext(name), ".safetensors"):
		return Safetensors
	}
	return Unknown
}

// ReadFile reads every tensor of the weights file at path, in any format that [Detect]
// recognises, with the file's format.
func ReadFile(path string) ([]nn.NamedTensor, Format, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, Unknown, err
	}
	defer f.Close()
	head := make([]byte, 16)
	n, err := io.ReadFull(f, head)
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		return nil, Unknown, err
	}
	format := Detect(head[:n], path)
	var ts []nn.NamedTensor
	switch format {
	case Safetensors:
		ts, _, err = safetensors.ReadFile(path)
	case Torch:
		ts, err = torchfile.ReadFile(path)
	case Descent:
		if _, err = f.Seek(0, io.SeekStart); err == nil {
			ts, err = nn.ReadTensors(f)
		}
	default:
		err = &nn.WeightsError{Msg: fmt.Sprintf("not a weights file: neither safetensors, torch.save's zip or legacy format, nor descent's (it starts with %q)", head[:n])}
	}
	if we, ok := errors.AsType[*nn.WeightsError](err); ok {
		we.File = path
	}
	if err != nil {
		return nil, format, err
	}
	return ts, format, nil
}

// LoadFile reads the weights file at path ([ReadFile]) into m by name
// ([nn.LoadStateDict]): every tensor of m's state must be in the file with the same shape
// and, with strict, the file must hold nothing else. On error m is unchanged.
func LoadFile(path string, m nn.Module, strict bool) error {
	ts, _, err := ReadFile(path)
	if err != nil {
		return err
	}
	if err := nn.LoadStateDict(m, ts, strict); err != nil {
		if we, ok := errors.AsType[*nn.WeightsError](err); ok {
			we.File = path
		}
		return err
	}
	return nil
}

// SaveFile writes the state of m ([nn.StateDict]: parameters and buffers, PyTorch's names)
// to path as safetensors, atomically, with metadata in the header (nil for none).
func SaveFile(path string, m nn.Module, metadata map[string]string) error {
	return safetensors.WriteFile(path, nn.StateDict(m), metadata)
}
