package data

import (
	"fmt"
	"math"
)

// Moments are the mean and the scale of each column of a table: standardising a value v
// of column j gives (v − Mean[j]) / Std[j].
type Moments struct {
	Mean []float64 `json:"mean"`
	// Std is the population standard deviation (divisor n, as sklearn's StandardScaler and
	// numpy's std), or 1 for a constant column, which standardising then only centres.
	Std []float64 `json:"std"`
}

// Apply standardises x in place: rows of len(m.Mean) values, row-major. It panics unless
// len(x) is a multiple of the number of columns.
func (m Moments) Apply(x []float32) {
	c := m.check(x)
	for i := 0; i < len(x); i += c {
		row := x[i : i+c]
		for j, v := range row {
			row[j] = float32((float64(v) - m.Mean[j]) / m.Std[j])
		}
	}
}

// Invert undoes Apply in place: v·Std[j] + Mean[j], to report standardised predictions in
// the original units.
func (m Moments) Invert(x []float32) {
	c := m.check(x)
	for i := 0; i < len(x); i += c {
		row := x[i : i+c]
		for j, v := range row {
			row[j] = float32(float64(v)*m.Std[j] + m.Mean[j])
		}
	}
}

func (m Moments) check(x []float32) int {
	c := len(m.Mean)
	if c == 0 || len(m.Std) != c || len(x)%c != 0 {
		panic(fmt.Sprintf("data: Moments of %d means and %d stds applied to %d values", c, len(m.Std), len(x)))
	}
	return c
}

// A Standardization is the per-feature statistics of a training set, and optionally of its
// float targets, that standardise it and every set evaluated with it. Its JSON form is
// what a run folder records.
type Standardization struct {
	Features Moments `json:"features"`
	// Targets is nil unless the targets are standardised too.
	Targets *Moments `json:"targets,omitempty"`
}

// FitStandardization returns the moments of every feature of train (each of the
// Features(train) values of an example is a column), and, if targets, of every value of its
// float targets. The sums are in float64, in two passes (the mean, then the squared
// deviations from it). It panics if train is empty, or if targets is set and train has no
// float targets.
func FitStandardization(train Dataset, targets bool) Standardization {
	n := train.Len()
	if n == 0 {
		panic("data: FitStandardization of an empty dataset")
	}
	f := Features(train)
	x := make([]float32, f)
	s := Standardization{Features: moments(n, f, func(i int) []float32 {
		train.Example(x, i)
		return x
	})}
	if targets {
		w := TargetWidth(train)
		if w == 0 {
			panic("data: FitStandardization of the targets of a dataset without float targets")
		}
		t := make([]float32, w)
		td := train.(Targeted)
		m := moments(n, w, func(i int) []float32 {
			td.Target(t, i)
			return t
		})
		s.Targets = &m
	}
	return s
}

// moments returns the moments of the c columns of n rows, row i read by row(i).
func moments(n, c int, row func(i int) []float32) Moments {
	m := Moments{Mean: make([]float64, c), Std: make([]float64, c)}
	for i := range n {
		for j, v := range row(i) {
			m.Mean[j] += float64(v)
		}
	}
	for j := range m.Mean {
		m.Mean[j] /= float64(n)
	}
	for i := range n {
		for j, v := range row(i) {
			d := float64(v) - m.Mean[j]
			m.Std[j] += d * d
		}
	}
	for j, ss := range m.Std {
		sd := math.Sqrt(ss / float64(n))
		if sd == 0 {
			sd = 1
		}
		m.Std[j] = sd
	}
	return m
}

// Apply standardises d in place: its examples with the Features moments, and its float
// targets with the Targets moments if there are any. It panics if the widths differ from
// those the moments were fitted on.
func (s Standardization) Apply(d *Dense) {
	if len(s.Features.Mean) != Features(d) {
		panic(fmt.Sprintf("data: Standardization of %d features applied to %d", len(s.Features.Mean), Features(d)))
	}
	s.Features.Apply(d.X)
	if s.Targets != nil {
		if len(s.Targets.Mean) != TargetWidth(d) {
			panic(fmt.Sprintf("data: Standardization of targets of width %d applied to width %d", len(s.Targets.Mean), TargetWidth(d)))
		}
		s.Targets.Apply(d.T)
	}
}
