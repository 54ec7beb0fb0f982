package autodiff

import "github.com/descent-ml/descent/tensor"

// MatMul returns op(a)·op(b) for matrices a and b, where op(x) is x, or xᵀ when the
// matching trans flag is set.
func (t *Tape) MatMul(a *Var, transA bool, b *Var, transB bool) *Var {
	m, n := a.Value.Dim(0), b.Value.Dim(-1)
	if transA {
		m = a.Value.Dim(-1)
	}
	if transB {
		n = b.Value.Dim(0)
	}
	out := t.result([]*Var{a, b}, m, n)
	tensor.MatMul(&out.Value, &a.Value, transA, &b.Value, transB, tensor.Assign)
	if nd := t.record(matMulOp{}, out, a, b); nd != nil {
		nd.i[0], nd.i[1] = b2i(transA), b2i(transB)
	}
	return out
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

type matMulOp struct{}

// backward: for C = op(A)·op(B), dop(A) = dC·op(B)ᵀ and dop(B) = op(A)ᵀ·dC, each transposed
// back when the operand was used transposed.
func (matMulOp) backward(t *Tape, n *node) {
	a, b, g := n.in[0], n.in[1], &n.out.Grad
	transA, transB := n.i[0] == 1, n.i[1] == 1
	if da, mode := t.grad(a); da != nil {
		if transA {
			tensor.MatMul(da, &b.Value, transB, g, true, mode)
		} else {
			tensor.MatMul(da, g, false, &b.Value, !transB, mode)
		}
	}
	if db, mode := t.grad(b); db != nil {
		if transB {
			tensor.MatMul(db, g, true, &a.Value, transA, mode)
		} else {
			tensor.MatMul(db, &a.Value, !transA, g, false, mode)
		}
	}
}
