package nn

import "strings"

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
