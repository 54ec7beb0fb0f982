package lbfgs

// cubicInterpolate is torch's _cubic_interpolate (from polyinterp.lua): the minimiser of the
// cubic through (x1, f1, g1) and (x2, f2, g2), clamped to the bounds (by default [x1, x2]),
// or the middle of the bounds when the cubic has no minimiser.
func cubicInterpolate[T Float](x1 Scalar, f1 float64, g1, x2 Scalar, f2 float64, g2 Scalar, lo, hi *Scalar) Scalar {
	var xmin, xmax Scalar
	switch {
	case lo != nil:
		xmin, xmax = *lo, *hi
	case lessEq[T](x1, x2):
		xmin, xmax = x1, x2
	default:
		xmin, xmax = x2, x1
	}
	// d1 = g1 + g2 - 3*(f1-f2)/(x1-x2); d2_square = d1**2 - g1*g2
	d1 := sub[T](add[T](g1, g2), div[T](py(3*(f1-f2)), sub[T](x1, x2)))
	d2sq := sub[T](mul[T](d1, d1), mul[T](g1, g2))
	if lessEq[T](py(0), d2sq) {
		d2 := sqrtS[T](d2sq)
		two := py(2)
		var minPos Scalar
		if lessEq[T](x1, x2) {
			// x2 - (x2 - x1)*((g2 + d2 - d1)/(g2 - g1 + 2*d2))
			num := sub[T](add[T](g2, d2), d1)
			den := add[T](sub[T](g2, g1), mul[T](two, d2))
			minPos = sub[T](x2, mul[T](sub[T](x2, x1), div[T](num, den)))
		} else {
			num := sub[T](add[T](g1, d2), d1)
			den := add[T](sub[T](g1, g2), mul[T](two, d2))
			minPos = sub[T](x1, mul[T](sub[T](x1, x2), div[T](num, den)))
		}
		return minS[T](maxS[T](minPos, xmin), xmax)
	}
	return div[T](add[T](xmin, xmax), py(2))
}

// lineSearch is torch's _strong_wolfe (from lswolfe.lua) from x along d, starting at step t,
// where f and m.g are the value and gradient at x and gtd = g'd. It leaves the gradient of
// the accepted point in m.g and returns its value, its step and the number of evaluations.
func (m *Minimizer[T]) lineSearch(x []T, obj Objective[T], t Scalar, f float64, gtd Scalar) (float64, Scalar, int, error) {
	c1, c2, tolChange, maxLS := m.s.C1, m.s.C2, m.s.ToleranceChange, m.s.MaxLS
	d := m.d
	dNorm := ts(maxAbs(d))
	copy(m.gStart, m.g)

	fNew, err := m.evalAt(x, t, d, obj, m.gNew)
	if err != nil {
		return 0, t, 1, err
	}
	evals := 1
	gtdNew := ts(dot(m.gNew, d))

	// The bracket: its steps, values, directional derivatives, and gradients in m.br[0..1].
	var bt [2]Scalar
	var bf [2]float64
	var bgtd [2]Scalar
	n := 0 // number of bracket points
	tPrev, fPrev, gtdPrev := py(0), f, gtd
	gPrev := m.gStart
	done := false
	iter := 0
	// armijo is f_new > f + c1*t*gtd, compared as torch does.
	armijoFails := func(fNew float64, t Scalar) bool {
		return less[T](add[T](py(f), mul[T](mul[T](py(c1), t), gtd)), py(fNew))
	}
	curvature := func(gtdNew Scalar) bool { // |gtd_new| <= -c2*gtd
		return lessEq[T](absS(gtdNew), mul[T](py(-c2), gtd))
	}
	for iter < maxLS {
		if armijoFails(fNew, t) || (iter > 1 && fNew >= fPrev) {
			bt, bf, bgtd, n = [2]Scalar{tPrev, t}, [2]float64{fPrev, fNew}, [2]Scalar{gtdPrev, gtdNew}, 2
			copy(m.br[0], gPrev)
			copy(m.br[1], m.gNew)
			break
		}
		if curvature(gtdNew) {
			bt[0], bf[0], n = t, fNew, 1
			copy(m.br[0], m.gNew)
			done = true
			break
		}
		if lessEq[T](py(0), gtdNew) {
			bt, bf, bgtd, n = [2]Scalar{tPrev, t}, [2]float64{fPrev, fNew}, [2]Scalar{gtdPrev, gtdNew}, 2
			copy(m.br[0], gPrev)
			copy(m.br[1], m.gNew)
			break
		}
		// interpolate within [t + 0.01(t - t_prev), 10t]
		minStep := add[T](t, mul[T](py(0.01), sub[T](t, tPrev)))
		maxStep := mul[T](t, py(10))
		tmp := t
		t = cubicInterpolate[T](tPrev, fPrev, gtdPrev, t, fNew, gtdNew, &minStep, &maxStep)
		tPrev, fPrev, gtdPrev = tmp, fNew, gtdNew
		copy(m.gPrev, m.gNew)
		gPrev = m.gPrev
		fNew, err = m.evalAt(x, t, d, obj, m.gNew)
		evals++
		if err != nil {
			return 0, t, evals, err
		}
		gtdNew = ts(dot(m.gNew, d))
		iter++
	}
	if iter == maxLS {
		bt, bf, n = [2]Scalar{py(0), t}, [2]float64{f, fNew}, 2
		copy(m.br[0], m.gStart)
		copy(m.br[1], m.gNew)
	}

	// zoom
	insufProgress := false
	lowPos, highPos := 0, 1
	if !(bf[0] <= bf[n-1]) {
		lowPos, highPos = 1, 0
	}
	for !done && iter < maxLS {
		if less[T](mul[T](absS(sub[T](bt[1], bt[0])), dNorm), py(tolChange)) {
			break
		}
		t = cubicInterpolate[T](bt[0], bf[0], bgtd[0], bt[1], bf[1], bgtd[1], nil, nil)
		bmax, bmin := maxS[T](bt[0], bt[1]), minS[T](bt[0], bt[1])
		eps := mul[T](py(0.1), sub[T](bmax, bmin))
		if less[T](minS[T](sub[T](bmax, t), sub[T](t, bmin)), eps) {
			if insufProgress || lessEq[T](bmax, t) || lessEq[T](t, bmin) {
				if less[T](absS(sub[T](t, bmax)), absS(sub[T](t, bmin))) {
					t = sub[T](bmax, eps)
				} else {
					t = add[T](bmin, eps)
				}
				insufProgress = false
			} else {
				insufProgress = true
			}
		} else {
			insufProgress = false
		}
		fNew, err = m.evalAt(x, t, d, obj, m.gNew)
		evals++
		if err != nil {
			return 0, t, evals, err
		}
		gtdNew = ts(dot(m.gNew, d))
		iter++
		if armijoFails(fNew, t) || fNew >= bf[lowPos] {
			bt[highPos], bf[highPos], bgtd[highPos] = t, fNew, gtdNew
			copy(m.br[highPos], m.gNew)
			if bf[0] <= bf[1] {
				lowPos, highPos = 0, 1
			} else {
				lowPos, highPos = 1, 0
			}
		} else {
			if curvature(gtdNew) {
				done = true
			} else if lessEq[T](py(0), mul[T](gtdNew, sub[T](bt[highPos], bt[lowPos]))) {
				bt[highPos], bf[highPos], bgtd[highPos] = bt[lowPos], bf[lowPos], bgtd[lowPos]
				copy(m.br[highPos], m.br[lowPos])
			}
			bt[lowPos], bf[lowPos], bgtd[lowPos] = t, fNew, gtdNew
			copy(m.br[lowPos], m.gNew)
		}
	}
	copy(m.g, m.br[lowPos])
	return bf[lowPos], bt[lowPos], evals, nil
}
