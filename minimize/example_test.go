package minimize_test

import (
	"context"
	"fmt"

	"github.com/descent-ml/descent/minimize"
	"github.com/descent-ml/descent/problem"
)

// Pure Newton on the Rosenbrock function from (−1.2, 1) reaches (1, 1) in six
// iterations.
func ExampleNewton() {
	res, err := minimize.Minimize(context.Background(), problem.NewRosenbrock(2), []float64{-1.2, 1},
		&minimize.Newton{}, minimize.Settings{GradTol: 1e-8})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range res.Trace {
		fmt.Printf("%d: f = %.3g, ‖θ − θ*‖ = %.2g\n", r.Iter, r.F, r.Dist)
	}
	fmt.Println(res.Status)
	// Output:
	// 0: f = 24.2, ‖θ − θ*‖ = 2.2
	// 1: f = 4.73, ‖θ − θ*‖ = 2.2
	// 2: f = 1.41e+03, ‖θ − θ*‖ = 4.2
	// 3: f = 0.056, ‖θ − θ*‖ = 0.48
	// 4: f = 0.313, ‖θ − θ*‖ = 0.056
	// 5: f = 1.85e-11, ‖θ − θ*‖ = 9.6e-06
	// 6: f = 3.43e-20, ‖θ − θ*‖ = 1.9e-11
	// gradient tolerance
}

// Gradient descent with the default step 1/L and Nesterov's method on a quadratic of
// condition number 1000: acceleration needs far fewer iterations.
func ExampleNesterov() {
	q := problem.NewQuadratic([]float64{1, 0, 0, 1000}, []float64{1, 1})
	for _, m := range []minimize.Method{&minimize.GradientDescent{}, &minimize.Nesterov{}, &minimize.NesterovStrong{}} {
		res, err := minimize.Minimize(context.Background(), q, []float64{0, 0}, m, minimize.Settings{GradTol: 1e-6, MaxIter: 100000})
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("%T: %d iterations\n", m, res.Last.Iter)
	}
	// Output:
	// *minimize.GradientDescent: 13809 iterations
	// *minimize.Nesterov: 3301 iterations
	// *minimize.NesterovStrong: 519 iterations
}

// L-BFGS on the lecture's one-dimensional example F(x) = log(1 + e⁻ˣ) + 0.05x².
func ExampleLBFGS() {
	res, err := minimize.Minimize(context.Background(), problem.LectureExample(), []float64{3},
		&minimize.LBFGS{}, minimize.Settings{GradTol: 1e-12})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("x* = %.10f, F(x*) = %.10f after %d iterations, %d evaluations\n", res.X[0], res.F, res.Last.Iter, res.Last.Evals)
	// Output: x* = 1.6335061702, F(x*) = 0.3117673139 after 7 iterations, 8 evaluations
}

// Polyak's heavy ball with its optimal step and momentum, taken from the quadratic's L
// and μ.
func ExampleOptimalHeavyBall() {
	hb := minimize.OptimalHeavyBall(100, 1)
	fmt.Printf("γ = %.4f, β = %.4f\n", hb.Step, hb.Momentum)
	// Output: γ = 0.0331, β = 0.6694
}
