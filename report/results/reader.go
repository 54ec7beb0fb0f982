package results

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
)

// A SyntaxError reports a line of results.jsonl that is not a record, or a value that no
// run could have written.
type SyntaxError struct {
	Path  string // the file, when read with ReadFile
	Line  int    // line number, from 1
	Field string // the key whose value is wrong, or "" when the line as a whole is
	Msg   string // what is wrong
}

func (e *SyntaxError) Error() string {
	where := fmt.Sprintf("line %d", e.Line)
	if e.Path != "" {
		where = fmt.Sprintf("%s:%d", e.Path, e.Line)
	}
	if e.Field != "" {
		return fmt.Sprintf("results: %s: field %q: %s", where, e.Field, e.Msg)
	}
	return fmt.Sprintf("results: %s: %s", where, e.Msg)
}

// maxLine bounds the length of one line; a longer one is a SyntaxError, not an allocation.
const maxLine = 1 << 20

// Read reads every record of a results.jsonl stream, in order. Blank lines are skipped. An
// incomplete last line (no final newline, and not a whole record) is the tail of a run
// killed mid-write and is dropped; any other line that is not a record is a *SyntaxError,
// and so is a value that no run writes (see "Values" in the package documentation): a
// number that is not one, a NaN where a number must be finite. On an error, Read returns the
// records before the faulty line.
func Read(r io.Reader) ([]Record, error) {
	br := bufio.NewReader(r)
	var recs []Record
	nonFinite := map[runKey]pendingValue{} // the first non-finite metric of each run since its last end record
	for n := 1; ; n++ {
		line, err := readLine(br)
		if err != nil && err != io.EOF {
			if errors.Is(err, bufio.ErrBufferFull) {
				return recs, &SyntaxError{Line: n, Msg: fmt.Sprintf("line longer than %d bytes", maxLine)}
			}
			return recs, fmt.Errorf("results: %w", err)
		}
		complete := err == nil
		if len(bytes.TrimSpace(line)) > 0 {
			rec, perr := parseRecord(line)
			switch {
			case perr == nil:
				if err := checkFinite(nonFinite, &rec, n, len(recs)); err != nil {
					return recs[:err.index], err.SyntaxError
				}
				recs = append(recs, rec)
			case complete:
				se := &SyntaxError{Line: n, Msg: perr.Error()}
				var fe *fieldError
				if errors.As(perr, &fe) {
					se.Field, se.Msg = fe.field, fe.msg
				}
				return recs, se
			}
		}
		if !complete {
			return recs, nil
		}
	}
}

// runKey names a run: its name and seed.
type runKey struct {
	name string
	seed int
}

// A pendingValue is a non-finite metric of a run that has not ended yet: its end record must
// say that it diverged.
type pendingValue struct {
	line, index int // line number, and index of the record in Read's records
	field       string
	value       float64
}

// A finiteError is a non-finite value in a run that did not diverge, and the index of its
// record.
type finiteError struct {
	*SyntaxError
	index int
}

// checkFinite checks that a non-finite metric value belongs to a run that diverged: it
// notes the first such value of each run, and refuses it when the run's end record (rec, on
// line n, the index-th record) has another status. A run with no end record yet (killed)
// keeps its values.
func checkFinite(pending map[runKey]pendingValue, rec *Record, n, index int) *finiteError {
	k := runKey{rec.Run, rec.Seed}
	if _, ok := pending[k]; !ok {
		for _, m := range rec.Metrics {
			if !finite(m.Value) {
				pending[k] = pendingValue{line: n, index: index, field: m.Name, value: m.Value}
				break
			}
		}
	}
	if rec.Kind != KindEnd {
		return nil
	}
	p, ok := pending[k]
	delete(pending, k)
	if !ok || rec.Status == StatusDiverged {
		return nil
	}
	msg := fmt.Sprintf("%s in run %q seed %d, which did not diverge (its end record, line %d, says %q); only the values of a diverged run may be NaN or infinite",
		formatFloat(p.value), rec.Run, rec.Seed, n, rec.Status)
	if p.line == n {
		msg = fmt.Sprintf("%s in the end record of run %q seed %d, which says %q; only the values of a diverged run may be NaN or infinite",
			formatFloat(p.value), rec.Run, rec.Seed, rec.Status)
	}
	return &finiteError{&SyntaxError{Line: p.line, Field: p.field, Msg: msg}, p.index}
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// formatFloat writes v as the file does: "NaN", "+Inf", "-Inf" or the shortest number.
func formatFloat(v float64) string { return string(appendFloat(nil, v)) }

// ReadFile reads the records of the results.jsonl file at path; see Read. Its
// *SyntaxError names the file.
func ReadFile(path string) ([]Record, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("results: %w", err)
	}
	defer f.Close()
	recs, err := Read(f)
	var se *SyntaxError
	if errors.As(err, &se) {
		se.Path = path
	}
	return recs, err
}

// readLine returns the next line without its newline, and io.EOF when the stream ended
// before a newline (the returned bytes are then the incomplete last line, maybe empty).
func readLine(br *bufio.Reader) ([]byte, error) {
	var line []byte
	for {
		chunk, err := br.ReadSlice('\n')
		if len(line)+len(chunk) > maxLine {
			return nil, bufio.ErrBufferFull
		}
		line = append(line, chunk...)
		switch err {
		case nil:
			return line[:len(line)-1], nil
		case bufio.ErrBufferFull:
			continue
		default:
			return line, err
		}
	}
}

// A fieldError is a wrong value of one key.
type fieldError struct {
	field, msg string
}

func (e *fieldError) Error() string { return fmt.Sprintf("field %q: %s", e.field, e.msg) }

func fieldErrorf(field, format string, args ...any) error {
	return &fieldError{field: field, msg: fmt.Sprintf(format, args...)}
}

// parseRecord parses one line. Its errors are messages for a SyntaxError; a *fieldError
// names the key whose value is wrong.
func parseRecord(line []byte) (Record, error) {
	var r Record
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return r, err
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return r, errors.New("not a JSON object")
	}
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return r, err
		}
		key := tok.(string) // object keys are always strings
		if seen[key] {
			return r, fmt.Errorf("key %q repeats", key)
		}
		seen[key] = true
		val, err := dec.Token()
		if err != nil {
			return r, err
		}
		if d, ok := val.(json.Delim); ok && (d == '{' || d == '[') {
			return r, fieldErrorf(key, "an %s, not a value", map[json.Delim]string{'{': "object", '[': "array"}[d])
		}
		if err := r.set(key, val); err != nil {
			return r, err
		}
	}
	if _, err := dec.Token(); err != nil { // the closing brace
		return r, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return r, errors.New("text after the record")
	}
	for _, k := range [...]string{"run", "kind"} {
		if !seen[k] {
			return r, fmt.Errorf("no %q key", k)
		}
	}
	if r.Run == "" {
		return r, fieldErrorf("run", "empty")
	}
	switch r.Kind {
	case KindStep, KindEpoch:
		for _, k := range [...]string{"status", "note"} {
			if seen[k] {
				return r, fieldErrorf(k, "in a %s record; only end records have one", r.Kind)
			}
		}
	case KindEnd:
		switch r.Status {
		case StatusDone, StatusDiverged, StatusInterrupted:
		case "":
			return r, errors.New("end record without a status")
		default:
			return r, fieldErrorf("status", "unknown status %q", r.Status)
		}
	default:
		return r, fieldErrorf("kind", "unknown kind %q", r.Kind)
	}
	return r, nil
}

// set stores the value of one key of a record.
func (r *Record) set(key string, val json.Token) error {
	switch key {
	case "run", "kind", "status", "note":
		s, ok := val.(string)
		if !ok {
			return fieldErrorf(key, "not a string")
		}
		switch key {
		case "run":
			r.Run = s
		case "kind":
			r.Kind = Kind(s)
		case "status":
			r.Status = Status(s)
		case "note":
			r.Note = s
		}
		return nil
	case "seed", "step", "epoch":
		num, ok := val.(json.Number)
		if !ok {
			return fieldErrorf(key, "%s is not a number", describe(val))
		}
		i, err := strconv.Atoi(string(num))
		if err != nil {
			return fieldErrorf(key, "%s is not an integer", num)
		}
		if i < 0 && key != "seed" {
			return fieldErrorf(key, "%d is negative", i)
		}
		switch key {
		case "seed":
			r.Seed = i
		case "step":
			r.Step = i
		case "epoch":
			r.Epoch = i
		}
		return nil
	case "seconds":
		num, ok := val.(json.Number)
		if !ok {
			return fieldErrorf(key, "%s is not a number of seconds", describe(val))
		}
		v, err := strconv.ParseFloat(string(num), 64)
		if err != nil || v < 0 {
			return fieldErrorf(key, "%s is not a number of seconds", num)
		}
		r.Seconds = v
		return nil
	}
	if key == "" {
		return errors.New("a metric has an empty name")
	}
	v, err := parseFloat(val)
	if err != nil {
		return fieldErrorf(key, "%v", err)
	}
	r.Metrics = append(r.Metrics, Metric{Name: key, Value: v})
	return nil
}

// describe names a JSON token that is not a number, for an error message.
func describe(val json.Token) string {
	switch v := val.(type) {
	case nil:
		return "null"
	case string:
		return strconv.Quote(v)
	case bool:
		return strconv.FormatBool(v)
	}
	return fmt.Sprint(val)
}

// parseFloat reads a JSON number or one of the strings "NaN", "+Inf", "-Inf" (and the other
// spellings strconv.ParseFloat accepts for them).
func parseFloat(val json.Token) (float64, error) {
	switch v := val.(type) {
	case json.Number:
		f, err := strconv.ParseFloat(string(v), 64)
		if err != nil {
			return 0, fmt.Errorf("%s is not a float64", v)
		}
		return f, nil
	case string:
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || finite(f) {
			return 0, fmt.Errorf("string %q is not NaN or an infinity", v)
		}
		return f, nil
	}
	return 0, fmt.Errorf("%s is not a number", describe(val))
}
