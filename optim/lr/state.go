package lr

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
)

// The saved state of a scheduler: one JSON object (see "Saved state" in the package doc).
const (
	stateFormat  = "descent/optim/lr"
	stateVersion = 1
)

// StateError reports a saved state that cannot be loaded: not a scheduler state, of another
// version or scheduler type, truncated, or inconsistent with the optimiser. Loading it
// changed nothing.
type StateError struct {
	Reason string
}

func (e *StateError) Error() string { return "lr: cannot load state: " + e.Reason }

func stateErrorf(format string, args ...any) error {
	return &StateError{Reason: fmt.Sprintf(format, args...)}
}

// header opens every saved state.
type header struct {
	Format  string `json:"format"`
	Version int    `json:"version"`
	Type    string `json:"type"`
}

// common is the part of the state the schedulers with a [core] share.
type common struct {
	header
	LastEpoch int       `json:"last_epoch"`
	BaseLRs   []float64 `json:"base_lrs"`
	LastLRs   []float64 `json:"last_lrs"`
}

// stateful is a scheduler whose state can be loaded in two phases: load decodes and checks
// everything and returns the commit that applies it, which cannot fail; setOptimizer then
// gives the optimiser the loaded rates (only the outermost scheduler does it).
type stateful interface {
	load(data []byte) (commit func(), err error)
	setOptimizer()
}

// unmarshal loads data into s, all or nothing, and sets the optimiser's rates from it.
func unmarshal(s stateful, data []byte) error {
	commit, err := s.load(data)
	if err != nil {
		return err
	}
	commit()
	s.setOptimizer()
	return nil
}

func newHeader(name string) header {
	return header{Format: stateFormat, Version: stateVersion, Type: name}
}

// common returns the shared part of c's state.
func (c *core) common() common {
	return common{header: newHeader(c.name), LastEpoch: c.epoch, BaseLRs: c.base, LastLRs: c.last}
}

// decode decodes a state of scheduler type name into st, strictly: the header must name
// this format, version and type, and no field may be unknown.
func decode(data []byte, name string, st any) error {
	var h header
	if err := json.Unmarshal(data, &h); err != nil {
		return stateErrorf("%v", err)
	}
	if h.Format != stateFormat {
		return stateErrorf("not a scheduler state (format %q, want %q)", h.Format, stateFormat)
	}
	if h.Version != stateVersion {
		return stateErrorf("state version %d, this package reads version %d", h.Version, stateVersion)
	}
	if h.Type != name {
		return stateErrorf("the state is of a %s, not of a %s", h.Type, name)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(st); err != nil {
		return stateErrorf("%s: %v", name, err)
	}
	return nil // json.Unmarshal above refused any data after the state
}

// decodeCommon decodes a state into st (which embeds *cm) and checks the shared part
// against c: one base and last rate per group, all finite, and a step not before -1 (a
// child of a SequentialLR that has not started yet).
func (c *core) decodeCommon(data []byte, st any, cm *common) error {
	if err := decode(data, c.name, st); err != nil {
		return err
	}
	if err := checkRates(c.name, "base_lrs", cm.BaseLRs, c.groups()); err != nil {
		return err
	}
	if err := checkRates(c.name, "last_lrs", cm.LastLRs, c.groups()); err != nil {
		return err
	}
	if cm.LastEpoch < -1 {
		return stateErrorf("%s: last_epoch %d is before the first step", c.name, cm.LastEpoch)
	}
	return nil
}

// checkRates checks that a saved list has one finite value per group.
func checkRates(name, field string, v []float64, groups int) error {
	if len(v) != groups {
		return stateErrorf("%s: %s has %d values, the optimiser has %d groups", name, field, len(v), groups)
	}
	for g, x := range v {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return stateErrorf("%s: %s[%d] is %v", name, field, g, x)
		}
	}
	return nil
}

// restore sets c's shared state from a checked one.
func (c *core) restore(cm *common) {
	c.epoch = cm.LastEpoch
	copy(c.base, cm.BaseLRs)
	copy(c.last, cm.LastLRs)
}

// setOptimizer gives the optimiser the rates of the latest step.
func (c *core) setOptimizer() { c.set(c.last) }

// wrapCheck turns a constructor's validation error into a state error.
func wrapCheck(err error) error {
	if err == nil {
		return nil
	}
	return &StateError{Reason: "bad hyper-parameter: " + err.Error()}
}

// extended is a float64 that may be ±Inf in saved state, written as the strings "+Inf" and
// "-Inf" (JSON has no infinities).
type extended float64

func (x extended) MarshalJSON() ([]byte, error) {
	f := float64(x)
	switch {
	case math.IsInf(f, 1):
		return []byte(`"+Inf"`), nil
	case math.IsInf(f, -1):
		return []byte(`"-Inf"`), nil
	}
	return json.Marshal(f)
}

func (x *extended) UnmarshalJSON(b []byte) error {
	switch string(b) {
	case `"+Inf"`:
		*x = extended(math.Inf(1))
		return nil
	case `"-Inf"`:
		*x = extended(math.Inf(-1))
		return nil
	}
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		return fmt.Errorf("%s is not a number", b)
	}
	*x = extended(f)
	return nil
}

// marshalCommon returns the state of a scheduler that has only the shared part.
func marshalCommon(c *core) ([]byte, error) {
	st := c.common()
	return json.Marshal(&st)
}

// loadCommon loads the state of a scheduler that has only the shared part.
func loadCommon(c *core, data []byte) (func(), error) {
	var st common
	if err := c.decodeCommon(data, &st, &st); err != nil {
		return nil, err
	}
	return func() { c.restore(&st) }, nil
}
