package minimize

import "context"

// Evaluator gives a [Method] access to the objective and counts what it evaluates.
type Evaluator struct {
	obj  Objective
	dim  int
	hv   HessVecer
	hess Hessianer
	ctx  context.Context // of the Minimize call; Background for NewEvaluator's
	// Counters, read by Minimize for the trace.
	Evals, GradEvals, HessVecs, Hessians int
}

// NewEvaluator returns an Evaluator of obj with zero counts.
func NewEvaluator(obj Objective) *Evaluator {
	e := &Evaluator{obj: obj, dim: obj.Dim(), ctx: context.Background()}
	e.hv, _ = obj.(HessVecer)
	e.hess, _ = obj.(Hessianer)
	return e
}

// Objective returns the objective being evaluated.
func (e *Evaluator) Objective() Objective { return e.obj }

// Dim returns the number of variables.
func (e *Evaluator) Dim() int { return e.dim }

// ValueGrad returns f(x) and stores ∇f(x) in grad.
func (e *Evaluator) ValueGrad(grad, x []float64) float64 {
	e.Evals++
	e.GradEvals++
	return e.obj.ValueGrad(grad, x)
}

// CanHessVec reports whether the objective has Hessian-vector products, either its own
// or through its dense Hessian.
func (e *Evaluator) CanHessVec() bool { return e.hv != nil }

// HessVec stores ∇²f(x)·v in dst. It panics if the objective is not a [HessVecer].
func (e *Evaluator) HessVec(dst, x, v []float64) {
	if e.hv == nil {
		panic("minimize: objective has no Hessian-vector product")
	}
	e.HessVecs++
	e.hv.HessVec(dst, x, v)
}

// CanHessian reports whether the objective can form its dense Hessian, either itself
// ([Hessianer]) or from Dim Hessian-vector products.
func (e *Evaluator) CanHessian() bool { return e.hess != nil || e.hv != nil }

// Hessian stores ∇²f(x) in dst (Dim×Dim, row-major): the objective's own when it is a
// [Hessianer], else assembled column by column from Dim Hessian-vector products (and
// symmetrised). It panics if the objective has neither. It returns the context's error,
// dst unspecified, if the context of the Minimize call is done before dst is complete:
// it looks between columns, and within the objective's own Hessian when it is a
// [ContextHessianer].
func (e *Evaluator) Hessian(dst, x []float64) error {
	d := e.dim
	if len(dst) != d*d {
		panic("minimize: Hessian destination has the wrong length")
	}
	if e.hess != nil {
		e.Hessians++
		if ch, ok := e.hess.(ContextHessianer); ok {
			return ch.HessianContext(e.ctx, dst, x)
		}
		e.hess.Hessian(dst, x)
		return nil
	}
	if e.hv == nil {
		panic("minimize: objective has no Hessian")
	}
	v := make([]float64, d)
	col := make([]float64, d)
	for j := 0; j < d; j++ {
		if err := e.ctx.Err(); err != nil {
			return err
		}
		v[j] = 1
		e.HessVec(col, x, v)
		v[j] = 0
		for i := 0; i < d; i++ {
			dst[i*d+j] = col[i]
		}
	}
	for i := 0; i < d; i++ {
		for j := i + 1; j < d; j++ {
			a := (dst[i*d+j] + dst[j*d+i]) / 2
			dst[i*d+j], dst[j*d+i] = a, a
		}
	}
	return nil
}

// Smoothness returns the objective's constant L when it is a [Smoother].
func (e *Evaluator) Smoothness() (float64, bool) {
	if s, ok := e.obj.(Smoother); ok {
		return s.Smoothness(), true
	}
	return 0, false
}

// StrongConvexity returns the objective's constant μ when it is [StronglyConvex].
func (e *Evaluator) StrongConvexity() (float64, bool) {
	if s, ok := e.obj.(StronglyConvex); ok {
		return s.StrongConvexity(), true
	}
	return 0, false
}
