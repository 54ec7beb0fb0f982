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
// is, as torch's does, so a float32 run rounds where torch's float32 run rounds. The updates
// y.add_(x, alpha=a) are fused multiply-adds rounded once to T, as ATen's are.
//
// Reductions follow the summation order of the reference build, Debian's PyTorch 1.13 on
// OpenBLAS 0.3.21 (Haswell kernels) and ATen's AVX2 kernels on one thread. Dot products are
// OpenBLAS's: for float32, the products of the last n mod 32 elements are rounded to float32
// and summed in float64, the blocks of 32 go through eight-lane float32 accumulators of fused
// multiply-adds; for float64 the same with blocks of 16 and four lanes. The L1 norm of the
// first gradient is ATen's cascade sum. The order matters: the line search and the stopping
// rules compare numbers that agree to the last few bits, so a sum in another order leads to
// other decisions, and on a 9-element problem (optim's parity fixture) a float32 L-BFGS that
// summed in index order strayed 6e-6 from torch's, bit-identical now. The tests check each
// reduction bit for bit against torch on vectors of 1 to 100000 elements, and require 100
// steps of L-BFGS on the Rosenbrock function (ten cases: float32 and float64, with and
// without the line search; testdata/gen_lbfgs.py) to give torch's iterates, losses and
// counters bit for bit. Not imitated:
// OpenBLAS splits float64 dot products of more than 10000 elements across its threads, and
// ATen splits sums of more than 32768 elements across its intra-op threads; other builds of
// torch (with MKL, or another OpenBLAS kernel) sum in other orders.
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
// with an error (a *nonfinite.Error of internal/nonfinite for the last two, its Step the
// iteration being computed, torch's n_iter); x then holds the last accepted iterate
// (never a line-search trial point), and the state is consistent with it.
package lbfgs
