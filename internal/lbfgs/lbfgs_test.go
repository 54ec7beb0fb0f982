package lbfgs

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"testing"

	"github.com/descent-ml/descent/internal/nonfinite"
)

// rosenbrock is f(x, y) = (1-x)² + 100(y-x²)², computed in T as the fixture generator does.
func rosenbrock[T Float](x, grad []T) (float64, error) {
	a := 1 - x[0]
	b := x[1] - T(x[0]*x[0])
	f := T(a*a) + T(100*T(b*b))
	grad[0] = T(-2*a) - T(400*T(x[0]*b))
	grad[1] = T(200 * b)
	return float64(f), nil
}

type rosenCase struct {
	Dtype           string  `json:"dtype"`
	LineSearch      string  `json:"line_search"`
	HistorySize     int     `json:"history_size"`
	LR              float64 `json:"lr"`
	ToleranceGrad   float64 `json:"tolerance_grad"`
	ToleranceChange float64 `json:"tolerance_change"`
	Steps           []struct {
		X         []float64 `json:"x"`
		Loss      float64   `json:"loss"`
		NIter     int       `json:"n_iter"`
		FuncEvals int       `json:"func_evals"`
	} `json:"steps"`
}

func loadRosenbrock(t *testing.T) []rosenCase {
	t.Helper()
	b, err := os.ReadFile("testdata/lbfgs_rosenbrock.json")
	if err != nil {
		t.Fatal(err)
	}
	var fx struct{ Cases []rosenCase }
	if err := json.Unmarshal(b, &fx); err != nil {
		t.Fatal(err)
	}
	return fx.Cases
}

func (c rosenCase) settings() Settings {
	s := Settings{LR: c.LR, MaxIter: 1, HistorySize: c.HistorySize, ToleranceGrad: c.ToleranceGrad, ToleranceChange: c.ToleranceChange}
	if c.LineSearch == "strong_wolfe" {
		s.LineSearch = StrongWolfe
	}
	return s
}

// runCase follows a fixture case (100 Step calls of one iteration each) and fails at the
// first iterate, loss or counter that differs from torch's in any bit.
func runCase[T Float](t *testing.T, name string, c rosenCase) (last []T) {
	t.Helper()
	m, err := New[T](2, c.settings())
	if err != nil {
		t.Fatal(err)
	}
	x := []T{-1.2, 1}
	for k, want := range c.Steps {
		res, err := m.Step(x, rosenbrock[T], nil)
		if err != nil {
			t.Fatalf("%s: step %d: %v", name, k, err)
		}
		for i := range x {
			if math.Float64bits(float64(x[i])) != math.Float64bits(want.X[i]) {
				t.Fatalf("%s: step %d: x[%d] = %v, torch %v (not bit-identical)", name, k, i, x[i], want.X[i])
			}
		}
		if math.Float64bits(res.Loss) != math.Float64bits(want.Loss) {
			t.Fatalf("%s: step %d: loss %v, torch %v (not bit-identical)", name, k, res.Loss, want.Loss)
		}
		if m.nIter != want.NIter || m.funcEvals != want.FuncEvals {
			t.Fatalf("%s: step %d: n_iter %d func_evals %d, torch %d %d", name, k, m.nIter, m.funcEvals, want.NIter, want.FuncEvals)
		}
	}
	return x
}

// TestRosenbrockParity follows torch's L-BFGS on the Rosenbrock function for 100 steps in
// each case of the fixture (float32 and float64, with and without the line search) and
// requires every iterate and every loss to be bit-identical to torch's, as the package doc
// states.
func TestRosenbrockParity(t *testing.T) {
	for _, c := range loadRosenbrock(t) {
		name := fmt.Sprintf("%s/%s history=%d lr=%v tol=%v/%v", c.Dtype, c.LineSearch, c.HistorySize, c.LR, c.ToleranceGrad, c.ToleranceChange)
		t.Run(name, func(t *testing.T) {
			var last []float64
			if c.Dtype == "float32" {
				x := runCase[float32](t, name, c)
				last = []float64{float64(x[0]), float64(x[1])}
			} else {
				last = runCase[float64](t, name, c)
			}
			t.Logf("%d steps bit-identical to torch, final %v", len(c.Steps), last)
		})
	}
}

// TestRosenbrockConverges is the acceptance check: strong Wolfe from (-1.2, 1) reaches (1, 1)
// to 1e-6 in one Step call.
func TestRosenbrockConverges(t *testing.T) {
	for _, dtype := range []string{"float32", "float64"} {
		s := Settings{MaxIter: 200, MaxEval: 1000, LineSearch: StrongWolfe, ToleranceGrad: 1e-12, ToleranceChange: 1e-20}
		var x [2]float64
		var res Result
		if dtype == "float32" {
			m, _ := New[float32](2, s)
			x32 := []float32{-1.2, 1}
			r, err := m.Step(x32, rosenbrock[float32], nil)
			if err != nil {
				t.Fatal(err)
			}
			res, x = r, [2]float64{float64(x32[0]), float64(x32[1])}
		} else {
			m, _ := New[float64](2, s)
			x64 := []float64{-1.2, 1}
			r, err := m.Step(x64, rosenbrock[float64], nil)
			if err != nil {
				t.Fatal(err)
			}
			res, x = r, [2]float64{x64[0], x64[1]}
		}
		t.Logf("%s: x=%v f=%g after %d iterations, %d evaluations (%v)", dtype, x, res.F, res.Iters, res.Evals, res.Stop)
		if math.Abs(x[0]-1) > 1e-6 || math.Abs(x[1]-1) > 1e-6 {
			t.Errorf("%s: reached %v, want (1, 1) to 1e-6", dtype, x)
		}
	}
}

// TestStateRoundTrip stops a run at iteration 17, copies the state into a fresh Minimizer and
// checks that the rest of the run is bit-identical.
func TestStateRoundTrip(t *testing.T) {
	s := Settings{MaxIter: 1, HistorySize: 5, LineSearch: StrongWolfe, ToleranceGrad: 1e-12, ToleranceChange: 1e-20}
	a, _ := New[float32](2, s)
	xa := []float32{-1.2, 1}
	for range 17 {
		if _, err := a.Step(xa, rosenbrock[float32], nil); err != nil {
			t.Fatal(err)
		}
	}
	b, _ := New[float32](2, s)
	if err := b.SetState(a.State()); err != nil {
		t.Fatal(err)
	}
	xb := append([]float32(nil), xa...)
	for k := 17; k < 40; k++ {
		a.Step(xa, rosenbrock[float32], nil)
		b.Step(xb, rosenbrock[float32], nil)
		if xa[0] != xb[0] || xa[1] != xb[1] {
			t.Fatalf("iteration %d: resumed run at %v, uninterrupted at %v", k, xb, xa)
		}
	}
	bad := a.State()
	bad.D = bad.D[:1]
	if err := b.SetState(bad); err == nil {
		t.Error("SetState accepted a direction of the wrong length")
	}
}

// TestNonFinite checks that a NaN gradient met in a line search stops Step with a
// nonfinite.Error and leaves x at the last iterate.
func TestNonFinite(t *testing.T) {
	m, _ := New[float64](2, Settings{LineSearch: StrongWolfe})
	x := []float64{-1.2, 1}
	calls := 0
	obj := func(x, g []float64) (float64, error) {
		calls++
		f, err := rosenbrock(x, g)
		if calls == 3 {
			g[1] = math.NaN()
		}
		return f, err
	}
	_, err := m.Step(x, obj, nil)
	var nf *nonfinite.Error
	if !errors.As(err, &nf) || nf.Index != 1 || nf.Op != "lbfgs" {
		t.Fatalf("got %v, want a nonfinite.Error of lbfgs at index 1", err)
	}
	// The third evaluation is the first line search's second trial: x is still the start.
	if x[0] != -1.2 || x[1] != 1 {
		t.Errorf("x = %v after the error, want the start (-1.2, 1)", x)
	}
}

func TestSettingsErrors(t *testing.T) {
	for _, s := range []Settings{{LR: -1}, {MaxIter: -2}, {C1: 0.95}, {LineSearch: 7}} {
		if _, err := New[float64](2, s); err == nil {
			t.Errorf("New accepted %+v", s)
		}
	}
}
