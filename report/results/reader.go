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

// A SyntaxError reports a line of results.jsonl that is not a record.
type SyntaxError struct {
	Line int    // line number, from 1
	Msg  string // what is wrong
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("results: line %d: %s", e.Line, e.Msg)
}

// maxLine bounds the length of one line; a longer one is a SyntaxError, not an allocation.
const maxLine = 1 << 20

// Read reads every record of a results.jsonl stream, in order. Blank lines are skipped. An
// incomplete last line (no final newline, and not a whole record) is the tail of a run
// killed mid-write and is dropped; any other line that is not a record is a *SyntaxError.
func Read(r io.Reader) ([]Record, error) {
	br := bufio.NewReader(r)
	var recs []Record
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
				recs = append(recs, rec)
			case complete:
				return recs, &SyntaxError{Line: n, Msg: perr.Error()}
			}
		}
		if !complete {
			return recs, nil
		}
	}
}

// ReadFile reads the records of the results.jsonl file at path; see Read.
func ReadFile(path string) ([]Record, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("results: %w", err)
	}
	defer f.Close()
	recs, err := Read(f)
	if err != nil {
		var se *SyntaxError
		if errors.As(err, &se) {
			return recs, fmt.Errorf("%s: %w", path, err)
		}
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

// parseRecord parses one line. Its errors are messages for a SyntaxError.
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
	switch r.Kind {
	case KindStep, KindEpoch, KindEnd:
	default:
		return r, fmt.Errorf("unknown kind %q", r.Kind)
	}
	if r.Kind == KindEnd && r.Status == "" {
		return r, errors.New("end record without a status")
	}
	return r, nil
}

// set stores the value of one key of a record.
func (r *Record) set(key string, val json.Token) error {
	switch key {
	case "run", "kind", "status", "note":
		s, ok := val.(string)
		if !ok {
			return fmt.Errorf("%q is not a string", key)
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
			return fmt.Errorf("%q is not a number", key)
		}
		i, err := strconv.Atoi(string(num))
		if err != nil {
			return fmt.Errorf("%q is not an integer: %s", key, num)
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
	}
	v, err := parseFloat(val)
	if err != nil {
		return fmt.Errorf("%q: %v", key, err)
	}
	if key == "seconds" {
		r.Seconds = v
		return nil
	}
	r.Metrics = append(r.Metrics, Metric{Name: key, Value: v})
	return nil
}

// parseFloat reads a JSON number or one of the strings "NaN", "+Inf", "-Inf" (and the other
// spellings strconv.ParseFloat accepts for them).
func parseFloat(val json.Token) (float64, error) {
	switch v := val.(type) {
	case json.Number:
		return strconv.ParseFloat(string(v), 64)
	case string:
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || !(math.IsNaN(f) || math.IsInf(f, 0)) {
			return 0, fmt.Errorf("string %q is not NaN or an infinity", v)
		}
		return f, nil
	}
	return 0, fmt.Errorf("%v is not a number", val)
}
