package minimize_test

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"testing"

	"github.com/descent-ml/descent/internal/testmnist"
	"github.com/descent-ml/descent/minimize"
	"github.com/descent-ml/descent/problem"
)

// TestLBFGSMNISTMatchesSciPy: L-BFGS on L2 logistic regression, MNIST even vs odd,
// λ = 1e-3, from 0 to ‖∇f‖ ≤ 1e-8, reaches SciPy's optimum (testdata, from
// gen_scipy_lbfgs.sh) to relative 1e-9. It needs MNIST in $MNIST_DIR or descent's
// cache (it never fetches; see package testmnist) and is skipped with -short.
func TestLBFGSMNISTMatchesSciPy(t *testing.T) {
	if testing.Short() {
		t.Skip("long: L-BFGS on all of MNIST")
	}
	d := testmnist.Data(t)
	raw, err := os.ReadFile("testdata/scipy_lbfgs_mnist.json")
	if err != nil {
		t.Fatal(err)
	}
	var ref struct {
		F float64 `json:"f"`
	}
	if err := json.Unmarshal(raw, &ref); err != nil {
		t.Fatal(err)
	}
	p := problem.MNISTEvenOdd(d.Train.Images, d.Train.Labels, 1e-3)
	res, err := minimize.Minimize(context.Background(), p, make([]float64, p.Dim()), &minimize.LBFGS{}, minimize.Settings{GradTol: 1e-8, MaxIter: 2000})
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != minimize.GradientTolerance {
		t.Fatalf("stopped with %v at ‖∇f‖ = %v", res.Status, res.Last.GradNorm)
	}
	if rel := math.Abs(res.F-ref.F) / ref.F; rel > 1e-9 {
		t.Errorf("f = %.15g, SciPy %.15g: relative difference %.2g", res.F, ref.F, rel)
	}
	t.Logf("%d iterations, %d evaluations, %v; f = %.15g (SciPy %.15g)", res.Last.Iter, res.Last.Evals, res.Last.Time, res.F, ref.F)
}
