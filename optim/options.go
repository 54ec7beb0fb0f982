package optim

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// Options are hyper-parameters by torch's keyword names, as text: {"lr": "0.1",
// "momentum": "0.9", "nesterov": "true", "betas": "0.9/0.999"}. Numbers are Go floats
// (strconv.ParseFloat), booleans true or false, pairs (betas, etas, step_sizes) two numbers
// joined by "/". [ParseOptions] reads them from "lr=0.1,momentum=0.9".
type Options map[string]string

// ParseOptions parses comma-separated key=value settings, e.g. "lr=3e-4,betas=0.9/0.99". An
// empty string gives no options. Keys are checked by the optimiser they are given to.
func ParseOptions(s string) (Options, error) {
	o := Options{}
	if strings.TrimSpace(s) == "" {
		return o, nil
	}
	for _, kv := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(kv, "=")
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		if !ok || k == "" || v == "" {
			return nil, fmt.Errorf("optim: option %q is not key=value", strings.TrimSpace(kv))
		}
		if _, dup := o[k]; dup {
			return nil, fmt.Errorf("optim: option %q given twice", k)
		}
		o[k] = v
	}
	return o, nil
}

// String formats the options as ParseOptions reads them, keys sorted.
func (o Options) String() string {
	var b strings.Builder
	for i, k := range slices.Sorted(maps.Keys(o)) {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(k + "=" + o[k])
	}
	return b.String()
}

// A key is one hyper-parameter of configurations of type C, by torch's keyword name.
type key[C any] struct {
	name string
	doc  string
	get  func(c *C) string
	set  func(c *C, v string) error
}

// Key describes one hyper-parameter of an optimiser for help texts.
type Key struct {
	Name    string // torch's keyword, e.g. "weight_decay"
	Default string // the value the optimiser uses when it is not given
	Doc     string
}

func floatKey[C any](name, doc string, f func(c *C) *float64) key[C] {
	return key[C]{name, doc,
		func(c *C) string { return strconv.FormatFloat(*f(c), 'g', -1, 64) },
		func(c *C, v string) error {
			x, err := strconv.ParseFloat(v, 64)
			if err != nil {
				return fmt.Errorf("want a number, got %q", v)
			}
			*f(c) = x
			return nil
		}}
}

func intKey[C any](name, doc string, f func(c *C) *int) key[C] {
	return key[C]{name, doc,
		func(c *C) string { return strconv.Itoa(*f(c)) },
		func(c *C, v string) error {
			x, err := strconv.Atoi(v)
			if err != nil {
				return fmt.Errorf("want an integer, got %q", v)
			}
			*f(c) = x
			return nil
		}}
}

func boolKey[C any](name, doc string, f func(c *C) *bool) key[C] {
	return key[C]{name, doc,
		func(c *C) string { return strconv.FormatBool(*f(c)) },
		func(c *C, v string) error {
			x, err := strconv.ParseBool(v)
			if err != nil {
				return fmt.Errorf("want true or false, got %q", v)
			}
			*f(c) = x
			return nil
		}}
}

func pairKey[C any](name, doc string, a, b func(c *C) *float64) key[C] {
	return key[C]{name, doc,
		func(c *C) string {
			return strconv.FormatFloat(*a(c), 'g', -1, 64) + "/" + strconv.FormatFloat(*b(c), 'g', -1, 64)
		},
		func(c *C, v string) error {
			s, t, ok := strings.Cut(v, "/")
			x, err1 := strconv.ParseFloat(s, 64)
			y, err2 := strconv.ParseFloat(t, 64)
			if !ok || err1 != nil || err2 != nil {
				return fmt.Errorf("want two numbers like 0.9/0.999, got %q", v)
			}
			*a(c), *b(c) = x, y
			return nil
		}}
}

// apply sets the options o on c (unknown keys and bad values are errors naming them).
func apply[C any](opt string, keys []key[C], c *C, o Options) error {
	for _, k := range slices.Sorted(maps.Keys(o)) {
		i := slices.IndexFunc(keys, func(x key[C]) bool { return x.name == k })
		if i < 0 {
			names := make([]string, len(keys))
			for j, x := range keys {
				names[j] = x.name
			}
			return fmt.Errorf("optim: %s: unknown option %q (known: %s)", opt, k, strings.Join(names, ", "))
		}
		if err := keys[i].set(c, o[k]); err != nil {
			return fmt.Errorf("optim: %s: option %s: %w", opt, k, err)
		}
	}
	return nil
}

// options returns every key of c as Options.
func options[C any](keys []key[C], c *C) Options {
	o := make(Options, len(keys))
	for _, k := range keys {
		o[k.name] = k.get(c)
	}
	return o
}

// describe returns the keys for help texts, with their values in c as defaults.
func describe[C any](keys []key[C], c *C) []Key {
	ks := make([]Key, len(keys))
	for i, k := range keys {
		ks[i] = Key{k.name, k.get(c), k.doc}
	}
	return ks
}
