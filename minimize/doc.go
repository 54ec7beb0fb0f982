// Package minimize holds the deterministic (batch) optimisation methods of the lecture,
// on float64 objectives: gradient descent, Nesterov's accelerated gradient, Polyak's heavy
// ball, Newton's method and L-BFGS, with a per-iteration trace.
//
// # Objectives
//
// An [Objective] has a dimension and returns f(x) with ∇f(x) in one call. Optional
// abilities are separate interfaces, found by type assertion: [HessVecer] and [Hessianer]
// for the Newton methods ([ContextHessianer] for a Hessian a cancelled run can stop
// in), [Smoother] (L) and [StronglyConvex] (μ) for the default steps
// and momenta, [Optimumer] (θ* and f*) for the distance column of the trace. Package
// [github.com/descent-ml/descent/problem] provides objectives with all of them.
//
// # Methods
//
//   - [GradientDescent]: θₙ₊₁ = θₙ − γ∇f(θₙ), γ = 1/L by default, or [Backtracking] (Armijo).
//   - [Nesterov]: yₙ = θₙ + n/(n+3)(θₙ − θₙ₋₁), θₙ₊₁ = yₙ − γ∇f(yₙ), exactly as the lecture.
//   - [NesterovStrong]: the constant momentum (√κ−1)/(√κ+1) for strongly convex f.
//   - [HeavyBall]: mₙ₊₁ = βmₙ + ∇f(θₙ), θₙ₊₁ = θₙ − γmₙ₊₁, with Polyak's optimal γ, β.
//   - [Newton]: the exact Hessian, Cholesky (or LU) solve; pure, with a fixed step, or
//     damped by backtracking.
//   - [NewtonCG]: Hessian-free Newton, conjugate gradients on Hessian-vector products.
//   - [LBFGS]: torch's L-BFGS with its strong-Wolfe line search, the implementation
//     shared with package optim.
//
// Each is a [Method]: [Minimize] calls Init once, then Iterate until a test of [Settings]
// stops the run: ‖∇f‖ ≤ GradTol (1e-8 by default), a relative change of f below FuncTol,
// MaxIter iterations (1000), MaxEvals evaluations, or the Callback.
//
// # Trace
//
// [Result].Trace holds one [Record] per iteration: f, ‖∇f‖, ‖θ − θ*‖ when θ* is known,
// the step, the evaluations of f, of ∇f, of Hessian-vector products and of Hessians made
// so far, and the time. Nesterov's methods evaluate ∇f at yₙ, not at their iterates θₙ:
// Minimize evaluates f and ∇f at θₙ for the trace and the tests itself, and leaves those
// evaluations and their time out of the record.
//
// # Errors
//
// An invalid configuration (a negative step, a fixed step on an objective that does not
// know L) is an error from Minimize before any iteration; a starting point of the wrong
// length is a programmer error and panics. A run whose f or ∇f becomes NaN or infinite
// stops with a [*NonFiniteError] (errors.Is(err, [ErrNonFinite]) reports it); a line search
// that finds no step, with [ErrLineSearch]. Both come with the Result so far, whose Status
// is Failure.
//
// # Concurrency
//
// A Method value keeps the state of one run: use one per goroutine. The methods
// allocate their buffers in Init; an iteration of the first-order methods allocates
// nothing.
package minimize
