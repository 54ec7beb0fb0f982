package minimize

import (
	"errors"

	"gonum.org/v1/gonum/floats"
)

// GradientDescent is batch gradient descent, θₙ₊₁ = θₙ − γ∇f(θₙ), with a fixed step γ
// or, when Backtracking is set, Armijo's backtracking line search along −∇f(θₙ).
type GradientDescent struct {
	// Step is γ. If 0, it is 1/L when the objective is a [Smoother]; with Backtracking
	// and no L, it is 1. It is an error if Step is 0, there is no line search and the
	// objective does not know L.
	Step float64
	// Backtracking, if not nil, chooses each step by Armijo backtracking, starting from
	// twice the previous accepted step (from Step at the first iteration).
	Backtracking *Backtracking

	step           float64
	dir            []float64
	xTrial, gTrial []float64
}

var _ Method = (*GradientDescent)(nil)

// Init implements [Method].
func (g *GradientDescent) Init(e *Evaluator, loc *Location) error {
	step, err := defaultStep(g.Step, e, g.Backtracking != nil, "GradientDescent")
	if err != nil {
		return err
	}
	g.step = step
	if g.Backtracking != nil {
		d := e.Dim()
		g.dir = resize(g.dir, d)
		g.xTrial = resize(g.xTrial, d)
		g.gTrial = resize(g.gTrial, d)
	}
	return nil
}

// Iterate implements [Method].
func (g *GradientDescent) Iterate(e *Evaluator, loc *Location) (float64, bool, error) {
	if g.Backtracking == nil {
		floats.AddScaled(loc.X, -g.step, loc.Grad)
		loc.F = e.ValueGrad(loc.Grad, loc.X)
		return g.step, true, nil
	}
	floats.ScaleTo(g.dir, -1, loc.Grad)
	t, err := g.Backtracking.search(e, loc, g.dir, g.step, &g.xTrial, &g.gTrial)
	if err != nil {
		return 0, false, err
	}
	g.step = 2 * t
	return t, true, nil
}

// defaultStep returns step if positive, else 1/L, else (when a line search will adjust
// it) 1.
func defaultStep(step float64, e *Evaluator, lineSearch bool, name string) (float64, error) {
	switch {
	case step < 0:
		return 0, errors.New("minimize: " + name + ": negative Step")
	case step > 0:
		return step, nil
	}
	if l, ok := e.Smoothness(); ok && l > 0 {
		return 1 / l, nil
	}
	if lineSearch {
		return 1, nil
	}
	return 0, errors.New("minimize: " + name + " needs a Step: the objective does not know its smoothness constant L")
}

// resize returns s with length n, reusing its storage when it is large enough.
func resize(s []float64, n int) []float64 {
	if cap(s) >= n {
		return s[:n]
	}
	return make([]float64, n)
}
