// Package lbfgs is PyTorch's L-BFGS (torch.optim.LBFGS of PyTorch 1.13), operation by
// operation, generic over float32 and float64 vectors.
//
// It is the one implementation behind two wrappers: optim.LBFGS (float32 parameters, torch's
// closure semantics) and the float64 methods of package minimize.
//
// # Algorithm
//
// Each iteration k computes a direction d_k from the gradient g_k by the two-loop recursion over
// the last HistorySize curvature pairs (s_i, y_i) = (x_{i+1}-x_i, g_{i+1}-g_i), scaled by the
// initial inverse Hessian H_0 = s'y / y'y of the newest pair (Nocedal, "Updating quasi-Newton
// matrices with limited storage", 1980; Nocedal & Wright, Numerical Optimization, algorithm 7.4).
// A pair is kept only when s'y > CurvatureTol (torch: 1e-10). The first direction is -g_0 with step
// min(1, 1/‖g_0‖₁)·LR; later steps start from LR.
//
// The step length is then either LR (no line search, one evaluation per iteration) or found by
// torch's strong-Wolfe line search (ported from lswolfe.lua): a bracketing phase that
// extrapolates by cubic interpolation within [t + 0.01(t - t_prev), 10t], and a zoom phase that
// interpolates between the bracket ends, stepping 10% of the bracket away from a boundary when
// progress is insufficient, until
//
//	f(x + t d) ≤ f(x) + C1·t·g'd   and   |g(x + t d)'d| ≤ C2·|g'd|
//
// or MaxLS evaluations (Nocedal & Wright, algorithms 3.5 and 3.6).
//
// # Stopping rules (torch's, in torch's order)
//
// Before the first iteration of a call: max|g| ≤ ToleranceGrad. After each iteration: MaxIter
// iterations in this call; MaxEval evaluations in this call; max|g| ≤ ToleranceGrad; max|t·d| ≤
// ToleranceChange; |f_k - f_{k-1}| < ToleranceValue. Before a line search: g'd > -ToleranceValue.
// (ToleranceValue is ToleranceChange unless set: torch has one tolerance.)
//
// # Precision
//
// Where torch computes with tensors, this package computes in T; where torch computes with
// Python floats, in float64. The step length is a [Scalar] that remembers which of the two it
// is, as torch's does, so a float32 run rounds where torch's float32 run rounds. Dot products
// and sums are accumulated in T in index order, as torch's BLAS does for short vectors (for
// long ones its SIMD kernels sum in another order), and the fused multiply-adds of torch's
// add_(alpha=) are computed in float64 and rounded to T, which for T = float32 can differ from
// a float32 fused multiply-add in the last bit, rarely.
//
// # State
//
// A [Minimizer] keeps torch's state between calls of Step (the direction, the step, the
// curvature pairs, the previous gradient and loss, the iteration and evaluation counts), so a
// loop of Step calls with MaxIter 1 follows the same iterates as one call with a larger MaxIter.
// [Minimizer.State] and [Minimizer.SetState] copy it out and in for checkpoints.
//
// # Errors
//
// An objective that returns an error, a non-finite value or a non-finite gradient stops Step
// with an error ([*NonFiniteError] for the last two); x then holds the last accepted iterate
// (never a line-search trial point), and the state is consistent with it.
package lbfgs
