package lbfgs_test

import (
	"fmt"

	"github.com/descent-ml/descent/internal/lbfgs"
)

// Minimise the Rosenbrock function from (-1.2, 1) in float64 with the strong-Wolfe line
// search, printing every tenth iteration.
func Example() {
	rosenbrock := func(x, grad []float64) (float64, error) {
		a, b := 1-x[0], x[1]-x[0]*x[0]
		grad[0] = -2*a - 400*x[0]*b
		grad[1] = 200 * b
		return a*a + 100*b*b, nil
	}
	m, err := lbfgs.New[float64](2, lbfgs.Settings{
		MaxIter: 100, MaxEval: 1000, LineSearch: lbfgs.StrongWolfe,
		ToleranceGrad: 1e-10, ToleranceChange: 1e-20,
	})
	if err != nil {
		panic(err)
	}
	x := []float64{-1.2, 1}
	res, err := m.Step(x, rosenbrock, func(it lbfgs.Iteration) bool {
		if it.Iter%10 == 0 {
			fmt.Printf("iteration %d: f=%.3g |g|=%.2g after %d evaluations\n", it.Iter, it.F, it.GradNorm, it.Evals)
		}
		return false
	})
	if err != nil {
		panic(err)
	}
	fmt.Printf("x = (%.6f, %.6f) after %d iterations and %d evaluations: %v\n", x[0], x[1], res.Iters, res.Evals, res.Stop)
	// Output:
	// iteration 10: f=2.86 |g|=13 after 12 evaluations
	// iteration 20: f=0.243 |g|=1.7 after 26 evaluations
	// iteration 30: f=0.000312 |g|=0.49 after 39 evaluations
	// x = (1.000000, 1.000000) after 39 iterations and 47 evaluations: directional_derivative
}
