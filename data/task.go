package data

import (
	"fmt"
	"slices"
	"strconv"
)

// A Kind is what a model learns from a dataset: classes or real values.
type Kind int

const (
	// Infer is the zero Kind. As an option (data/tabular's) it asks for the kind to be
	// inferred from the targets; [TaskOf] never returns it.
	Infer Kind = iota
	// Classify: every example has an integer label in [0, Classes).
	Classify
	// Regress: every example has a float32 target vector.
	Regress
)

// String returns "infer", "classify" or "regress".
func (k Kind) String() string {
	switch k {
	case Infer:
		return "infer"
	case Classify:
		return "classify"
	case Regress:
		return "regress"
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// ParseKind returns the Kind named s: "infer" (or ""), "classify" or "regress".
func ParseKind(s string) (Kind, error) {
	switch s {
	case "", "infer":
		return Infer, nil
	case "classify":
		return Classify, nil
	case "regress":
		return Regress, nil
	}
	return Infer, fmt.Errorf("data: unknown task %q: want classify, regress or infer", s)
}

// MarshalText returns the String of k.
func (k Kind) MarshalText() ([]byte, error) {
	if k < Infer || k > Regress {
		return nil, fmt.Errorf("data: cannot marshal %v", k)
	}
	return []byte(k.String()), nil
}

// UnmarshalText sets k to the Kind named by text, as ParseKind.
func (k *Kind) UnmarshalText(text []byte) error {
	v, err := ParseKind(string(text))
	if err != nil {
		return err
	}
	*k = v
	return nil
}

// A Task says what a training loop learns from a dataset: Classes classes, or float
// targets of TargetShape.
type Task struct {
	Kind Kind `json:"kind"`
	// Classes is the number of classes of a classification task.
	Classes int `json:"classes,omitempty"`
	// TargetShape is the shape of one target of a regression task.
	TargetShape []int `json:"target_shape,omitempty"`
}

// Outputs returns the number of outputs of a model for t: one score per class for
// classification, one value per target element for regression.
func (t Task) Outputs() int {
	if t.Kind == Regress {
		return product(t.TargetShape)
	}
	return t.Classes
}

// String describes t: "classify, 10 classes" or "regress, 1 output" (or "regress, shape
// [2 3]").
func (t Task) String() string {
	switch t.Kind {
	case Classify:
		if t.Classes == 1 {
			return "classify, 1 class"
		}
		return fmt.Sprintf("classify, %d classes", t.Classes)
	case Regress:
		if len(t.TargetShape) == 1 {
			if t.TargetShape[0] == 1 {
				return "regress, 1 output"
			}
			return fmt.Sprintf("regress, %d outputs", t.TargetShape[0])
		}
		return fmt.Sprintf("regress, shape %v", t.TargetShape)
	}
	return t.Kind.String()
}

// TaskOf returns the task of d: regression if d has float targets ([Targeted] with a
// non-nil TargetShape), classification otherwise. The number of classes is that of the
// whole dataset that a (chain of) [Subset] views, so a training set and the validation
// set split from it agree even when one lacks a class: it comes from NumClasses when the
// dataset is a [ClassCounter] (MNIST's sets and [Dense] are), or else from reading every
// label, the largest plus one. It panics on a negative label.
func TaskOf(d Dataset) Task {
	if ts := targetShape(d); ts != nil {
		return Task{Kind: Regress, TargetShape: slices.Clone(ts)}
	}
	r := root(d)
	if c, ok := r.(ClassCounter); ok {
		return Task{Kind: Classify, Classes: c.NumClasses()}
	}
	buf := make([]float32, Features(r))
	m := -1
	for i := range r.Len() {
		y := r.Example(buf, i)
		if y < 0 {
			panic(fmt.Sprintf("data: label %d of example %d is negative", y, i))
		}
		m = max(m, y)
	}
	return Task{Kind: Classify, Classes: m + 1}
}

// targetShape returns the TargetShape of d, nil if it has no float targets.
func targetShape(d Dataset) []int {
	if t, ok := d.(Targeted); ok {
		return t.TargetShape()
	}
	return nil
}

// root returns the dataset that d, a chain of Subsets or not, views.
func root(d Dataset) Dataset {
	for {
		s, ok := d.(*Subset)
		if !ok {
			return d
		}
		d = s.Parent
	}
}
