// Package problem provides objective functions with known constants, for the
// deterministic methods of package [github.com/descent-ml/descent/minimize] and the
// experiments that check the lecture's claims.
//
// # Problems
//
//   - [Quadratic]: ½(x − x*)ᵀH(x − x*) with a chosen spectrum, rotated at random by
//     [RandomQuadratic] ([LogSpectrum] gives a condition number).
//   - [LeastSquares]: (1/2n)‖Xw − b‖², full rank or rank-deficient ([RandomLeastSquares]).
//   - [Logistic] and [Multinomial]: L2-regularised logistic regressions, binary and
//     softmax, on float64 features ([RandomLogistic]) or on bytes with a scale ([MNISTEvenOdd],
//     [MNISTMultinomial]); [LectureExample] is the lecture's F(x) = log(1+e⁻ˣ) + 0.05x².
//   - [WorstCase] and [WorstCaseStrong]: Nesterov's worst functions for first-order
//     methods, convex and strongly convex.
//   - [Rosenbrock]: the non-convex banana valley.
//
// Every problem has ValueGrad(grad, x) (value and gradient in one call), HessVec(dst, x,
// v) and Hessian(dst, x) (dense, row-major, for small problems); the sums over samples
// (least squares, the logistic regressions) also have HessianContext(ctx, dst, x), which
// stops when ctx is done. Where they are known,
// Smoothness (L, with ∇²f ⪯ L), StrongConvexity (μ ≥ 0, with ∇²f ⪰ μ), Eigenvalues (of a
// constant Hessian) and Optimum (θ* and f*) give them exactly; the logistic regressions
// compute λmax(XᵀX) once by [Lanczos], which also estimates the extreme eigenvalues of
// any Hessian from its products.
//
// # Finite sums
//
// [LeastSquares], [Logistic] and [Multinomial] are means f = (1/n)Σᵢ fᵢ over samples,
// with the L2 term in every fᵢ: Samples, SampleValueGrad, BatchValueGrad (a mean over
// indices, repetitions counting, as for sampling with replacement) and SampleSmoothness
// (Lᵢ) serve stochastic methods.
//
// # Speed and concurrency
//
// The data-fitting problems evaluate f and ∇f in one pass over the data, split over the
// cores in a fixed number of parts summed in a fixed order, so that results do not depend
// on GOMAXPROCS. Features stored as bytes (pixels) are read by the kernels of
// internal/bytevec: AVX-512 assembly where the CPU has it, and otherwise Go twins that
// compute the same bits, so that results do not depend on the machine either. Problems
// keep scratch space and are not safe for concurrent use: Clone shares the data with
// fresh scratch.
//
// Slices given to constructors are kept, not copied, and must not be modified.
package problem
