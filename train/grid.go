package train

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/descent-ml/descent/optim"
	"github.com/descent-ml/descent/report"
)

// An Axis is one hyper-parameter of a sweep and the values it takes.
type Axis struct {
	// Key is the optimiser option, under torch's name ("lr", "weight_decay", "momentum").
	Key    string    `json:"key"`
	Values []float64 `json:"values"`
}

// ParseAxis parses one --grid flag of descent sweep: KEY=LO:HI:N for N values evenly
// spaced in log scale from LO to HI (the lecture's advice for learning rates and weight
// decays), each rounded to 3 significant digits, or KEY=V1,V2,... for the values given.
// KEY is an optimiser option, with - or _ between words: lr=1e-4:1e-1:7 is 1e-4, 3.16e-4,
// 1e-3, ..., 1e-1; weight-decay=1e-5,1e-4,1e-3 is those three.
func ParseAxis(s string) (Axis, error) {
	key, vals, ok := strings.Cut(s, "=")
	key = strings.ReplaceAll(strings.TrimSpace(key), "-", "_")
	if !ok || key == "" || vals == "" {
		return Axis{}, fmt.Errorf("train: grid %q is not KEY=LO:HI:N or KEY=V1,V2,...", s)
	}
	a := Axis{Key: key}
	if parts := strings.Split(vals, ":"); len(parts) > 1 {
		if len(parts) != 3 {
			return Axis{}, fmt.Errorf("train: grid %q: a log-scale range is LO:HI:N", s)
		}
		lo, err1 := strconv.ParseFloat(parts[0], 64)
		hi, err2 := strconv.ParseFloat(parts[1], 64)
		n, err3 := strconv.Atoi(parts[2])
		switch {
		case err1 != nil || err2 != nil || err3 != nil:
			return Axis{}, fmt.Errorf("train: grid %q: LO and HI must be numbers and N an integer", s)
		case !(lo > 0) || !(hi > 0) || math.IsInf(lo, 0) || math.IsInf(hi, 0):
			return Axis{}, fmt.Errorf("train: grid %q: a log-scale range needs positive finite bounds", s)
		case n < 1 || n > 100:
			return Axis{}, fmt.Errorf("train: grid %q: N = %d values, want 1 to 100", s, n)
		case n == 1 && lo != hi:
			return Axis{}, fmt.Errorf("train: grid %q: one value cannot span %g to %g", s, lo, hi)
		}
		a.Values = logSpace(lo, hi, n)
	} else {
		for _, f := range strings.Split(vals, ",") {
			v, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
			if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
				return Axis{}, fmt.Errorf("train: grid %q: %q is not a finite number", s, f)
			}
			a.Values = append(a.Values, v)
		}
	}
	for i := 1; i < len(a.Values); i++ {
		for j := range i {
			if a.Values[i] == a.Values[j] {
				return Axis{}, fmt.Errorf("train: grid %q: the value %g repeats", s, a.Values[i])
			}
		}
	}
	return a, nil
}

// logSpace returns n values from lo to hi evenly spaced in log scale, rounded to 3
// significant digits.
func logSpace(lo, hi float64, n int) []float64 {
	if n == 1 {
		return []float64{lo}
	}
	a, b := math.Log10(lo), math.Log10(hi)
	v := make([]float64, n)
	for i := range v {
		x := math.Pow(10, a+(b-a)*float64(i)/float64(n-1))
		v[i], _ = strconv.ParseFloat(strconv.FormatFloat(x, 'g', 3, 64), 64)
	}
	return v
}

// A Trial is one point of a sweep's grid.
type Trial struct {
	Name   string    `json:"name"`   // e.g. "lr=0.001 weight_decay=0.0001"
	Values []float64 `json:"values"` // one per axis
}

// Options returns the optimiser options of the trial.
func (t Trial) Options(axes []Axis) optim.Options {
	o := optim.Options{}
	for i, a := range axes {
		o[a.Key] = strconv.FormatFloat(t.Values[i], 'g', -1, 64)
	}
	return o
}

// Grid returns the trials of the grid of axes: every combination of their values, the
// first axis varying slowest.
func Grid(axes []Axis) []Trial {
	trials := []Trial{{}}
	for _, a := range axes {
		var next []Trial
		for _, t := range trials {
			for _, v := range a.Values {
				next = append(next, Trial{Values: append(append([]float64(nil), t.Values...), v)})
			}
		}
		trials = next
	}
	for i := range trials {
		var parts []string
		for k, a := range axes {
			parts = append(parts, a.Key+"="+report.FormatValue(trials[i].Values[k], 6))
		}
		trials[i].Name = strings.Join(parts, " ")
	}
	return trials
}
