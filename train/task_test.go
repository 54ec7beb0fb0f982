package train

import (
	"bytes"
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/descent-ml/descent/autodiff"
	"github.com/descent-ml/descent/data"
	"github.com/descent-ml/descent/internal/race"
	"github.com/descent-ml/descent/nn"
	"github.com/descent-ml/descent/report"
	"github.com/descent-ml/descent/report/results"
	"github.com/descent-ml/descent/tensor"
)

// linearSet returns n examples of 8 features and k targets: y = 50 + 10·(x·W) + noise, W
// the same for every seed, in units far from standard ones.
func linearSet(n, k int, seed uint64) *data.Dense {
	const f = 8
	wr := rand.New(rand.NewPCG(0, 7))
	w := make([]float64, f*k)
	for i := range w {
		w[i] = wr.NormFloat64()
	}
	rng := rand.New(rand.NewPCG(seed, 7))
	x, y := make([]float32, n*f), make([]float32, n*k)
	for i := range n {
		for j := range f {
			x[i*f+j] = float32(rng.NormFloat64())
		}
		for o := range k {
			s := 0.0
			for j := range f {
				s += float64(x[i*f+j]) * w[j*k+o]
			}
			y[i*k+o] = float32(50 + 10*s + rng.NormFloat64())
		}
	}
	return data.NewRegression(x, []int{f}, y, []int{k})
}

// regressionData returns standardised training and test sets of a linear regression of k
// outputs, with the moments of the targets.
func regressionData(k int) Data {
	tr, te := linearSet(400, k, 1), linearSet(200, k, 2)
	st := data.FitStandardization(tr, true)
	st.Apply(tr)
	st.Apply(te)
	return Data{Train: tr, Eval: te, TargetScale: st.Targets}
}

func TestRegression(t *testing.T) {
	for _, c := range []struct {
		model string
		k     int
	}{{"linear", 1}, {"mlp:16:layernorm", 2}, {"mlp:16,8:tanh:batchnorm:dropout=0.1", 1}} {
		d := regressionData(c.k)
		cfg := Config{Model: c.model, Optimizer: "adam", Options: map[string]string{"lr": "0.01"}, Epochs: 20, BatchSize: 32, Seed: 3, LogEvery: 5}
		res, recs, _ := train(t, cfg, d)
		if res.Status != results.StatusDone {
			t.Fatalf("%s: %+v", c.model, res)
		}
		var first, last results.Record
		for _, r := range recs {
			if r.Kind == results.KindEpoch {
				if first.Epoch == 0 {
					first = r
				}
				last = r
			}
			if _, ok := r.Metric(results.TestAccuracy); ok {
				t.Fatalf("%s: a regression's record has an accuracy: %+v", c.model, r)
			}
		}
		var names []string
		for _, m := range last.Metrics {
			names = append(names, m.Name)
		}
		if got := strings.Join(names, " "); got != "train_loss test_loss test_rmse test_r2 lr" {
			t.Errorf("%s: epoch record of %s", c.model, got)
		}
		rmse0, _ := first.Metric(results.TestRMSE)
		rmse, _ := last.Metric(results.TestRMSE)
		r2, _ := last.Metric(results.TestR2)
		loss, _ := last.Metric(results.TestLoss)
		// The noise has standard deviation 1 in the targets' units, which a linear model
		// nears; the MLPs learn the linear map less well in 20 epochs.
		if !(rmse < rmse0/2) || c.model == "linear" && !(rmse < 1.5) || !(r2 > 0.9) {
			t.Errorf("%s: test RMSE %v → %v, R² %v: not fitting", c.model, rmse0, rmse, r2)
		}
		// The loss is the MSE in standardised units; the RMSE is in the targets' (the
		// standard deviation of the targets is ≈ 10·√8 ≈ 28).
		if c.k == 1 && math.Abs(math.Sqrt(loss)*d.TargetScale.Std[0]-rmse) > 1e-3*rmse {
			t.Errorf("%s: √loss·σ = %v, RMSE %v", c.model, math.Sqrt(loss)*d.TargetScale.Std[0], rmse)
		}
	}
}

// TestRegressionScores checks the RMSE and R² against sums done by hand, as
// scikit-learn's with multioutput='uniform_average'.
func TestRegressionScores(t *testing.T) {
	y := []float32{1, 10, 2, 20, 3, 30, 6, 40}
	p := []float32{1.5, 12, 2, 18, 2, 30, 6, 41}
	d := data.NewRegression(make([]float32, 4), []int{1}, y, []int{2})
	g := newRegression(d, 2)
	g.add(p[:4], y[:4])
	g.add(p[4:], y[4:])
	rmse, r2 := g.scores(nil)
	// Output 0: errors .5 0 −1 0, mean 3, SST 14; output 1: 2 −2 0 1, mean 25, SST 500.
	want0, want1 := math.Sqrt(1.25/4), math.Sqrt(9.0/4)
	if math.Abs(rmse-(want0+want1)/2) > 1e-12 {
		t.Errorf("RMSE %v, want %v", rmse, (want0+want1)/2)
	}
	if wr2 := (1 - 1.25/14 + 1 - 9.0/500) / 2; math.Abs(r2-wr2) > 1e-12 {
		t.Errorf("R² %v, want %v", r2, wr2)
	}
	rmse, r2b := g.scores(&data.Moments{Mean: []float64{7, 7}, Std: []float64{2, 3}})
	if math.Abs(rmse-(2*want0+3*want1)/2) > 1e-12 || r2b != r2 {
		t.Errorf("scaled: RMSE %v R² %v, want %v and %v", rmse, r2b, (2*want0+3*want1)/2, r2)
	}
	// A constant target: R² 1 if predicted exactly, else 0.
	c := newRegression(data.NewRegression(make([]float32, 2), []int{1}, []float32{4, 4}, []int{1}), 1)
	c.add([]float32{4, 4}, []float32{4, 4})
	if _, r2 := c.scores(nil); r2 != 1 {
		t.Errorf("exact constant: R² %v, want 1", r2)
	}
	c.add([]float32{5, 4}, []float32{4, 4})
	if _, r2 := c.scores(nil); r2 != 0 {
		t.Errorf("inexact constant: R² %v, want 0", r2)
	}
}

// squareNet is a model of a user's own: y = a·x² + b·x + c on the first feature.
type squareNet struct{ a, b, c *autodiff.Var }

func newSquareNet(rng *rand.Rand) nn.Module {
	p := func() *autodiff.Var {
		return autodiff.NewParam(tensor.FromSlice([]float32{float32(rng.NormFloat64())}, 1))
	}
	return &squareNet{p(), p(), p()}
}

func (m *squareNet) Forward(t *autodiff.Tape, x *autodiff.Var) *autodiff.Var {
	x = t.Narrow(x, 1, 0, 1)
	return t.Add(t.Add(t.Mul(t.Mul(x, x), m.a), t.Mul(x, m.b)), m.c)
}

func (m *squareNet) Parameters() []nn.Parameter {
	return []nn.Parameter{{Name: "a", Var: m.a}, {Name: "b", Var: m.b}, {Name: "c", Var: m.c}}
}

// absLoss is a loss of a user's own: the mean absolute error, through LossFunc.
var absLoss = LossFunc(func(t *autodiff.Tape, out *autodiff.Var, b *data.Batch) *autodiff.Var {
	y := tensor.Wrap(b.T, b.Size(), 1)
	return t.Mean(t.Abs(t.Sub(out, t.Const(&y))))
})

func squareData(n int, seed uint64) *data.Dense {
	rng := rand.New(rand.NewPCG(seed, 5))
	x, y := make([]float32, 2*n), make([]float32, n)
	for i := range n {
		x[2*i], x[2*i+1] = float32(2*rng.Float64()-1), float32(rng.NormFloat64())
		y[i] = 3*x[2*i]*x[2*i] - x[2*i] + 0.5
	}
	return data.NewRegression(x, []int{2}, y, []int{1})
}

func TestUserModelAndLoss(t *testing.T) {
	cfg := Config{NewModel: newSquareNet, Loss: absLoss, Optimizer: "adam", Options: map[string]string{"lr": "0.05"},
		Epochs: 30, BatchSize: 16, Seed: 2, LogEvery: 4}
	d := Data{Train: squareData(256, 1), Eval: squareData(64, 2)}
	res, recs, _ := train(t, cfg, d)
	if res.Status != results.StatusDone {
		t.Fatal(res)
	}
	rmse, _ := recs[len(recs)-2].Metric(results.TestRMSE)
	if !(rmse < 0.1) {
		t.Errorf("test RMSE %v of a model that can be exact", rmse)
	}
	// Resumed bit for bit, the user's model and loss as the presets.
	_, _, want := train(t, cfg, d)
	ckpt := filepath.Join(t.TempDir(), "ckpt")
	ctx, cancel := context.WithCancel(context.Background())
	r, _ := New("run", cfg, d)
	if _, err := r.Train(ctx, Output{Checkpoint: ckpt, OnEpoch: func(e Epoch) {
		if e.Epoch == 7 {
			cancel()
		}
	}}); !errors.Is(err, context.Canceled) {
		t.Fatal(err)
	}
	r.Close()
	r, _ = New("run", cfg, d)
	defer r.Close()
	if err := r.Resume(ckpt); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Train(context.Background(), Output{}); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(weights(t, r), want) {
		t.Error("the resumed run's weights differ from an uninterrupted run's")
	}
	// Another loss is another run.
	other := cfg
	other.Loss = Targets(nn.MSELoss{})
	r2, _ := New("run", other, d)
	defer r2.Close()
	if err := r2.Resume(ckpt); err == nil || !strings.Contains(err.Error(), "loss") {
		t.Errorf("resuming with another loss: %v", err)
	}
}

// TestBatchNormResume interrupts and resumes a regression MLP with BatchNorm, whose running
// statistics the checkpoint must keep for the run to continue bit for bit.
func TestBatchNormResume(t *testing.T) {
	cfg := Config{Model: "mlp:16:batchnorm:dropout=0.2", Optimizer: "sgd", Epochs: 3, BatchSize: 32, Seed: 4, LogEvery: 3}
	d := regressionData(1)
	_, full, want := train(t, cfg, d)
	ckpt := filepath.Join(t.TempDir(), "ckpt")
	ctx, cancel := context.WithCancel(context.Background())
	w := &cancelAfter{n: 4, cancel: cancel}
	r, _ := New("run", cfg, d)
	if _, err := r.Train(ctx, Output{Results: results.NewWriter(w), Checkpoint: ckpt}); !errors.Is(err, context.Canceled) {
		t.Fatal(err)
	}
	r.Close()
	r, _ = New("run", cfg, d)
	defer r.Close()
	if err := r.Resume(ckpt); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Train(context.Background(), Output{Results: results.NewWriter(&w.buf)}); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(weights(t, r), want) {
		t.Error("weights (with BatchNorm's running statistics) after resumption differ from an uninterrupted run's")
	}
	recs, _ := results.Read(&w.buf)
	if got, want := results.Runs(recs)[0].Epochs, results.Runs(full)[0].Epochs; !equalRecords(losses(got), losses(want)) {
		t.Errorf("epoch records of the resumed run:\n%+v\nwant\n%+v", got, want)
	}
}

func TestDataRefused(t *testing.T) {
	reg := regressionData(1)
	cls := tiny()
	for _, c := range []struct {
		name string
		cfg  Config
		d    Data
		msg  string
	}{
		{"eval of another task", Config{Model: "linear"}, Data{Train: reg.Train, Eval: data.NewDense(make([]float32, 16), []int{0, 1}, 8)},
			"regress task, the held-out set a classify task"},
		{"eval of another shape", Config{Model: "linear"}, Data{Train: cls.Train, Eval: reg.Train}, "shape"},
		{"eval of more targets", Config{Model: "linear"}, Data{Train: reg.Train, Eval: regressionData(2).Eval}, "targets of shape [2]"},
		{"moments of a classification", Config{Model: "logreg"}, Data{Train: cls.Train, TargetScale: reg.TargetScale}, "target moments"},
		{"preset on a regression", Config{Model: "logreg"}, reg, "use linear"},
		{"bad spec", Config{Model: "mlp:x"}, reg, `hidden width "x"`},
		{"model and NewModel", Config{Model: "linear", NewModel: newSquareNet}, reg, "both"},
		{"nil model", Config{NewModel: func(*rand.Rand) nn.Module { return nil }}, reg, "no model"},
	} {
		if r, err := New("run", c.cfg, c.d); err == nil || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%s: %v, want an error saying %q", c.name, err, c.msg)
			if r != nil {
				r.Close()
			}
		}
	}
}

// TestRegressionStepAllocs checks that a regression's training step allocates nothing,
// LayerNorm and BatchNorm included.
func TestRegressionStepAllocs(t *testing.T) {
	if race.Enabled {
		t.Skip("the race detector allocates")
	}
	for _, m := range []string{"linear", "mlp:32,32:layernorm", "mlp:32:gelu:batchnorm:dropout=0.1"} {
		r, err := New("run", Config{Model: m, BatchSize: 64}, regressionData(2))
		if err != nil {
			t.Fatal(err)
		}
		r.loader.Next()
		b := r.loader.Batch()
		if _, err := r.step(b); err != nil {
			t.Fatal(err)
		}
		if a := testing.AllocsPerRun(20, func() {
			if _, err := r.step(b); err != nil {
				t.Fatal(err)
			}
		}); a != 0 {
			t.Errorf("%s: %v allocations per step, want 0", m, a)
		}
		r.Close()
	}
}

func TestRegressionReport(t *testing.T) {
	dir := t.TempDir()
	base := Config{Model: "linear", Epochs: 3, BatchSize: 32, Seed: 1, LogEvery: 4}
	jobs, err := CompareJobs(base, []string{"sgd", "adam"}, Rates{}, 1)
	if err != nil {
		t.Fatal(err)
	}
	task := data.Task{Kind: data.Regress, TargetShape: []int{1}}
	meta := &Meta{Command: "compare", Intro: "A regression.", Evaluation: "test", Task: &task, Machine: report.ThisMachine()}
	table, err := runJobs(t, context.Background(), dir, meta, jobs, regressionData(1), 1)
	if err != nil {
		t.Fatal(err)
	}
	var text bytes.Buffer
	table.WriteText(&text)
	if out := text.String(); !strings.Contains(out, "test rmse") || !strings.Contains(out, "test r2") || strings.Contains(out, "accuracy") {
		t.Errorf("summary table of a regression:\n%s", out)
	}
	for _, name := range []string{"rmse-vs-epoch.png", "rmse-bars.png", "loss-vs-step.png"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Error(err)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "accuracy-vs-epoch.png")); err == nil {
		t.Error("a regression's report has an accuracy plot")
	}
	csv, _ := os.ReadFile(filepath.Join(dir, SummaryFile))
	if !bytes.Contains(csv, []byte("test_rmse")) || !bytes.Contains(csv, []byte("test_r2")) {
		t.Errorf("summary.csv:\n%s", csv)
	}

	// A sweep of a regression ranks by the validation loss and shows RMSE and R².
	sdir := t.TempDir()
	axes := []Axis{{Key: "lr", Values: []float64{1e-3, 1e-2}}}
	sweep := &Meta{Command: "sweep", Evaluation: "val", Task: &task, Axes: axes, Trials: Grid(axes), Machine: report.ThisMachine()}
	d := regressionData(1)
	d.Val = true
	table, err = runJobs(t, context.Background(), sdir, sweep, SweepJobs(base, axes), d, 1)
	if err != nil {
		t.Fatal(err)
	}
	text.Reset()
	table.WriteText(&text)
	if out := text.String(); !strings.Contains(out, "val RMSE") || !strings.Contains(out, "val R²") || strings.Contains(out, "accuracy") {
		t.Errorf("sweep table of a regression:\n%s", out)
	}
}
