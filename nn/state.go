package nn

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/descent-ml/descent/nn/internal/dtype"
	"github.com/descent-ml/descent/tensor"
)

// Stateful is implemented by modules with buffers, state that is saved and loaded with the
// parameters but not trained ([BatchNorm]'s running statistics), and by containers of such
// modules ([Sequential]).
type Stateful interface {
	// Buffers returns the module's buffers in a fixed order, named as the keys of
	// PyTorch's state_dict for the same module ("running_mean", "1.running_var", …). The
	// tensors are the module's own: writing to them changes the module.
	Buffers() []NamedTensor
}

// Buffers returns the buffers of m if it is [Stateful], nil otherwise.
func Buffers(m Module) []NamedTensor {
	if s, ok := m.(Stateful); ok {
		return s.Buffers()
	}
	return nil
}

// orderedState is implemented by the containers of this package, which list their state in
// PyTorch's order themselves.
type orderedState interface {
	stateDict() []NamedTensor
}

// StateDict returns the state of m, its parameters and its buffers, named and ordered as
// PyTorch's module.state_dict(): module by module, each module's parameters and then its
// buffers. The tensors are the module's own (a parameter's is its Value), so that a reader
// of weights writes into the module through them.
//
// The order is PyTorch's for the layers of this package and for [Sequential] containers
// of them. For a module of another type, the entries are grouped by module path (the name
// without its last component): parameters in the order of Parameters, each module's
// buffers after its last parameter, and the buffers of modules without parameters last.
// The names are PyTorch's in every case, which is what loading by name needs.
func StateDict(m Module) []NamedTensor {
	if o, ok := m.(orderedState); ok {
		return o.stateDict()
	}
	return mergeState(m.Parameters(), Buffers(m))
}

// mergeState lists parameters and buffers as StateDict describes.
func mergeState(ps []Parameter, bs []NamedTensor) []NamedTensor {
	out := make([]NamedTensor, 0, len(ps)+len(bs))
	used := make([]bool, len(bs))
	flush := func(path string) {
		for i, b := range bs {
			if !used[i] && modulePath(b.Name) == path {
				out = append(out, b)
				used[i] = true
			}
		}
	}
	for i, p := range ps {
		out = append(out, NamedTensor{Name: p.Name, Tensor: &p.Var.Value})
		if path := modulePath(p.Name); i+1 == len(ps) || modulePath(ps[i+1].Name) != path {
			flush(path)
		}
	}
	for i, b := range bs {
		if !used[i] {
			out = append(out, b)
		}
	}
	return out
}

// modulePath returns the name of the module that holds a state entry: the entry's name
// without its last component.
func modulePath(name string) string {
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		return name[:i]
	}
	return ""
}

// prefixedState returns ts with prefix+"." before each name.
func prefixedState(prefix string, ts []NamedTensor) []NamedTensor {
	for i := range ts {
		ts[i].Name = prefix + "." + ts[i].Name
	}
	return ts
}

// LoadStateDict copies the tensors ts into the state of m ([StateDict]), matching them by
// name, as PyTorch's module.load_state_dict: every entry of m's state must be in ts with
// the same shape, and with strict, ts must hold nothing else. An entry that PyTorch keeps
// as int64 (BatchNorm's num_batches_tracked) must hold an integer. The order of ts does
// not matter.
//
// Everything is checked before anything is written: on error m is unchanged, and the
// *[WeightsError] names the first tensor at fault, in the order of m's state (then, for
// strict, the first of ts that m lacks), with the shape in the file and in the model.
// Errors name no file: the readers' callers add it (File).
func LoadStateDict(m Module, ts []NamedTensor, strict bool) error {
	state := StateDict(m)
	byName := make(map[string]int, len(ts))
	for i, t := range ts {
		if _, dup := byName[t.Name]; dup {
			return &WeightsError{Tensor: t.Name, Msg: "appears twice in the file"}
		}
		byName[t.Name] = i
	}
	src := make([]*tensor.Tensor, len(state))
	inModel := make(map[string]bool, len(state))
	for i, s := range state {
		if inModel[s.Name] {
			panic(fmt.Sprintf("nn: LoadStateDict: the model's state has %q twice", s.Name))
		}
		inModel[s.Name] = true
		j, ok := byName[s.Name]
		if !ok {
			return &WeightsError{Tensor: s.Name, Msg: fmt.Sprintf("the model's %v is not in the file, which holds %s",
				s.Tensor.Shape(), describeNames(ts))}
		}
		f := ts[j].Tensor
		if !slices.Equal(f.Shape(), s.Tensor.Shape()) {
			return &WeightsError{Tensor: s.Name, Msg: fmt.Sprintf("shape %v in the file, %v in the model",
				f.Shape(), s.Tensor.Shape())}
		}
		if s.Int64 {
			for k, v := range f.Data() {
				if !dtype.Integral(v) {
					return &WeightsError{Tensor: s.Name, Msg: fmt.Sprintf("element %d is %v, the model keeps integers", k, v)}
				}
			}
		}
		src[i] = f
	}
	if strict {
		for _, t := range ts {
			if !inModel[t.Name] {
				return &WeightsError{Tensor: t.Name, Msg: fmt.Sprintf("in the file (shape %v), not in the model, whose state holds %s",
					t.Tensor.Shape(), describeNames(state))}
			}
		}
	}
	for i, s := range state {
		copy(s.Tensor.Data(), src[i].Data())
	}
	return nil
}

// describeNames lists a few of the names of ts, for an error.
func describeNames(ts []NamedTensor) string {
	const show = 4
	if len(ts) == 0 {
		return "no tensor"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d tensors (", len(ts))
	for i, t := range ts[:min(show, len(ts))] {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(strconv.Quote(t.Name))
	}
	if len(ts) > show {
		b.WriteString(", …")
	}
	b.WriteString(")")
	return b.String()
}
