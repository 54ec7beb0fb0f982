package lbfgs

import "fmt"

// State is torch's L-BFGS state between Step calls, as copied out by [Minimizer.State].
type State[T Float] struct {
	Iter  int // iterations so far (torch's n_iter)
	Evals int // evaluations so far (torch's func_evals)
	// D is the last direction and T the last step; nil and zero before the first iteration.
	D []T
	T Scalar
	// HDiag is the scale of the initial inverse Hessian.
	HDiag Scalar
	// Dirs and Steps are the curvature pairs y and s, oldest first, and Ro their 1/(y's).
	Dirs, Steps [][]T
	Ro          []Scalar
	// PrevGrad is the gradient at the last iterate and PrevLoss the value there; nil and zero
	// before the first iteration.
	PrevGrad []T
	PrevLoss float64
}

// State returns a copy of the state.
func (m *Minimizer[T]) State() State[T] {
	s := State[T]{Iter: m.nIter, Evals: m.funcEvals, T: m.t, HDiag: m.hDiag, PrevLoss: m.prevLoss}
	if m.nIter > 0 {
		s.D = append([]T(nil), m.d...)
	}
	if m.hasPrev {
		s.PrevGrad = append([]T(nil), m.prevGrad...)
	}
	for i := range m.dirs {
		s.Dirs = append(s.Dirs, append([]T(nil), m.dirs[i]...))
		s.Steps = append(s.Steps, append([]T(nil), m.stps[i]...))
	}
	s.Ro = append([]Scalar(nil), m.ro...)
	return s
}

// SetState replaces the state by a copy of s, after checking it fits: vectors of the
// Minimizer's length, as many pairs as ratios and at most HistorySize. On error nothing
// changes.
func (m *Minimizer[T]) SetState(s State[T]) error {
	if s.Iter < 0 || s.Evals < 0 {
		return fmt.Errorf("lbfgs: state has negative counts (iterations %d, evaluations %d)", s.Iter, s.Evals)
	}
	if len(s.Dirs) != len(s.Steps) || len(s.Dirs) != len(s.Ro) {
		return fmt.Errorf("lbfgs: state has %d directions, %d steps and %d ratios", len(s.Dirs), len(s.Steps), len(s.Ro))
	}
	if len(s.Dirs) > m.s.HistorySize {
		return fmt.Errorf("lbfgs: state has %d curvature pairs, more than history_size %d", len(s.Dirs), m.s.HistorySize)
	}
	check := func(what string, v []T, optional bool) error {
		if (optional && v == nil) || len(v) == m.n {
			return nil
		}
		return fmt.Errorf("lbfgs: state %s has length %d, want %d", what, len(v), m.n)
	}
	if err := check("direction", s.D, s.Iter == 0); err != nil {
		return err
	}
	if err := check("previous gradient", s.PrevGrad, true); err != nil {
		return err
	}
	for i := range s.Dirs {
		if err := check(fmt.Sprintf("direction pair %d", i), s.Dirs[i], false); err != nil {
			return err
		}
		if err := check(fmt.Sprintf("step pair %d", i), s.Steps[i], false); err != nil {
			return err
		}
	}
	m.spare = append(m.spare, m.dirs...)
	m.spare = append(m.spare, m.stps...)
	m.dirs, m.stps, m.ro = m.dirs[:0], m.stps[:0], append(m.ro[:0], s.Ro...)
	for i := range s.Dirs {
		y, st := m.buffer(), m.buffer()
		copy(y, s.Dirs[i])
		copy(st, s.Steps[i])
		m.dirs, m.stps = append(m.dirs, y), append(m.stps, st)
	}
	m.growAl()
	m.nIter, m.funcEvals, m.t, m.hDiag, m.prevLoss = s.Iter, s.Evals, s.T, s.HDiag, s.PrevLoss
	clear(m.d)
	copy(m.d, s.D)
	m.hasPrev = s.PrevGrad != nil
	clear(m.prevGrad)
	copy(m.prevGrad, s.PrevGrad)
	return nil
}
