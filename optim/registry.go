package optim

import (
	"fmt"
	"maps"
	"path"
	"strings"
)

// A Group is parameters with the options that differ from the optimiser-wide ones, for [New]:
// {Params: biases, Options: Options{"weight_decay": "0"}}.
type Group struct {
	Params  []*Param
	Options Options
}

// An Entry is one optimiser of the registry.
type Entry struct {
	Name    string
	Summary string
	Keys    []Key // hyper-parameters, with the entry's defaults
	// New makes the optimiser: opts override the entry's defaults for every group, and each
	// group's Options override opts for that group.
	New func(opts Options, groups ...Group) (Optimizer, error)
}

// Registry returns the optimisers by name, for the command line: torch.optim's dense
// optimisers and the presets of "descent compare". SparseAdam is left out: it updates only the
// rows a sparse gradient touches, and parameters here have dense gradients, on which torch's
// SparseAdam refuses to run.
func Registry() []Entry {
	return []Entry{
		entry("sgd", "SGD (lr defaults to 0.01 here; torch requires it)", sgdSpec, defaultSGD, nil, NewSGD),
		entry("momentum", "SGD with momentum 0.9", sgdSpec, defaultSGD, Options{"momentum": "0.9"}, NewSGD),
		entry("nesterov", "SGD with Nesterov momentum 0.9", sgdSpec, defaultSGD, Options{"momentum": "0.9", "nesterov": "true"}, NewSGD),
		entry("adagrad", "Adagrad", adagradSpec, DefaultAdagrad, nil, NewAdagrad),
		entry("rmsprop", "RMSprop", rmspropSpec, DefaultRMSprop, nil, NewRMSprop),
		entry("adam", "Adam", adamSpec, DefaultAdam, nil, NewAdam),
		entry("amsgrad", "Adam with torch's AMSGrad (max of the raw second moment)", adamSpec, DefaultAdam, Options{"amsgrad": "true"}, NewAdam),
		entry("amsgrad-lecture", "Adam with the lecture's AMSGrad (max of the bias-corrected second moment)", adamSpec, DefaultAdam, Options{"amsgrad": "lecture"}, NewAdam),
		entry("adamw", "AdamW (decoupled weight decay)", adamwSpec, DefaultAdamW, nil, NewAdamW),
		entry("adadelta", "Adadelta", adadeltaSpec, DefaultAdadelta, nil, NewAdadelta),
		entry("adamax", "Adamax (Adam with the infinity norm)", adamaxSpec, DefaultAdamax, nil, NewAdamax),
		entry("nadam", "NAdam (Adam with Nesterov momentum)", nadamSpec, DefaultNAdam, nil, NewNAdam),
		entry("radam", "RAdam (rectified Adam)", radamSpec, DefaultRAdam, nil, NewRAdam),
		entry("asgd", "ASGD (averaged SGD)", asgdSpec, DefaultASGD, nil, NewASGD),
		entry("rprop", "Rprop (resilient backpropagation)", rpropSpec, DefaultRprop, nil, NewRprop),
		lbfgsEntry(),
		entry("lion", "Lion (the sign of an interpolated momentum)", lionSpec, DefaultLion, nil, NewLion),
		entry("adafactor", "Adafactor (factored second moment, relative step; torch 2.5)", adafactorSpec, DefaultAdafactor, nil, NewAdafactor),
		entry("muon", "Muon (orthogonalised momentum) for matrices, AdamW for the rest (torch 2.9)", muonSpec, DefaultMuon, nil, NewMuon),
		entry("schedulefree-adamw", "Schedule-Free AdamW (evaluate at the average x: Eval/Train)", sfAdamWSpec, DefaultScheduleFreeAdamW, nil, NewScheduleFreeAdamW),
		entry("schedulefree-sgd", "Schedule-Free SGD (evaluate at the average x: Eval/Train)", sfSGDSpec, DefaultScheduleFreeSGD, nil, NewScheduleFreeSGD),
		entry("prodigy", "Prodigy (Adam with an estimated learning rate d)", prodigySpec, DefaultProdigy, nil, NewProdigy),
		entry("lamb", "LAMB (Adam with a per-tensor trust ratio; timm's NVLAMB)", lambSpec, DefaultLAMB, nil, NewLAMB),
		entry("lars", "LARS (SGD with a per-tensor trust ratio; timm's, with momentum 0.9 and always_adapt)", larsSpec, DefaultLARS,
			Options{"momentum": "0.9", "always_adapt": "true"}, NewLARS),
	}
}

func defaultSGD() SGDConfig { return SGDConfig{LR: 0.01} }

// Lookup returns the registry entry called name.
func Lookup(name string) (Entry, error) {
	var names []string
	for _, e := range Registry() {
		if e.Name == name {
			return e, nil
		}
		names = append(names, e.Name)
	}
	return Entry{}, fmt.Errorf("optim: unknown optimizer %q (known: %s)", name, strings.Join(names, ", "))
}

// New makes the optimiser called name (see [Registry]) over groups, with the options opts
// for every group and each group's own Options on top. Unknown options, bad values and
// invalid configurations are errors that name the option and the group.
func New(name string, opts Options, groups ...Group) (Optimizer, error) {
	e, err := Lookup(name)
	if err != nil {
		return nil, err
	}
	return e.New(opts, groups...)
}

type groupAdder[C any] interface {
	Optimizer
	AddGroup(params []*Param, cfg C) error
}

func entry[C any, O groupAdder[C]](name, summary string, s *spec[C], def func() C, preset Options, make func([]*Param, C) (O, error)) Entry {
	base := def()
	if err := apply(s.name, s.keys, &base, preset); err != nil {
		panic(err) // presets are written here
	}
	return Entry{Name: name, Summary: summary, Keys: describe(s.keys, &base),
		New: func(opts Options, groups ...Group) (Optimizer, error) {
			if len(groups) == 0 {
				return nil, fmt.Errorf("optim: %s: no parameter groups", name)
			}
			cfg := base
			if err := apply(s.name, s.keys, &cfg, opts); err != nil {
				return nil, err
			}
			var o O
			for g, grp := range groups {
				gc := cfg
				if err := apply(s.name, s.keys, &gc, grp.Options); err != nil {
					return nil, fmt.Errorf("%w (group %d)", err, g)
				}
				var err error
				if g == 0 {
					o, err = make(grp.Params, gc)
				} else {
					err = o.AddGroup(grp.Params, gc)
				}
				if err != nil {
					return nil, fmt.Errorf("%w (group %d)", err, g)
				}
			}
			return o, nil
		}}
}

// A GroupRule puts the parameters whose names match Pattern (path.Match syntax, e.g.
// "*.bias") in a group of their own with Options, e.g. "*.bias:weight_decay=0".
type GroupRule struct {
	Pattern string
	Options Options
}

// ParseGroupRule parses "pattern:key=value,key=value".
func ParseGroupRule(s string) (GroupRule, error) {
	pat, opts, ok := strings.Cut(s, ":")
	if !ok || pat == "" {
		return GroupRule{}, fmt.Errorf("optim: group rule %q is not pattern:key=value,...", s)
	}
	if _, err := path.Match(pat, ""); err != nil {
		return GroupRule{}, fmt.Errorf("optim: group rule %q: bad pattern: %v", s, err)
	}
	o, err := ParseOptions(opts)
	if err != nil {
		return GroupRule{}, fmt.Errorf("optim: group rule %q: %w", s, err)
	}
	return GroupRule{pat, o}, nil
}

// GroupBy splits params into groups for [New]: the parameters no rule matches come first,
// in a group without options, then one group per rule, in order, with the parameters it
// matches first. A rule that matches nothing is an error (a misspelt pattern would otherwise
// pass unnoticed).
func GroupBy(params []*Param, rules ...GroupRule) ([]Group, error) {
	groups := make([]Group, len(rules)+1)
	for _, p := range params {
		g := 0
		for r, rule := range rules {
			if ok, _ := path.Match(rule.Pattern, p.Name); ok {
				g = r + 1
				break
			}
		}
		groups[g].Params = append(groups[g].Params, p)
	}
	for r, rule := range rules {
		groups[r+1].Options = maps.Clone(rule.Options)
		if len(groups[r+1].Params) == 0 {
			return nil, fmt.Errorf("optim: group rule %q matches no parameter", rule.Pattern)
		}
	}
	if len(groups[0].Params) == 0 {
		groups = groups[1:]
	}
	return groups, nil
}
