package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/descent-ml/descent/autodiff"
	"github.com/descent-ml/descent/data"
	"github.com/descent-ml/descent/data/tabular"
	"github.com/descent-ml/descent/model"
	"github.com/descent-ml/descent/nn"
	"github.com/descent-ml/descent/nn/weights"
	"github.com/descent-ml/descent/report/results"
	"github.com/descent-ml/descent/tensor"
	"github.com/descent-ml/descent/train"
)

var update = flag.Bool("update", false, "rewrite testdata/initweights/descent_model.safetensors and descent_run.json")

// initDir holds the fixtures of testdata/init_weights.py: a PyTorch twin of --model
// mlp:64,64 on the breast-cancer set saved by torch.save (mlp.pt) and as safetensors, the
// run PyTorch makes from it (torch.json), files to refuse, and the check of descent's
// weights in PyTorch (check.json of descent_model.safetensors).
const initDir = "testdata/initweights"

// initTol is the acceptance's criterion: descent's losses within 1e-5 of PyTorch's,
// relative, and the outputs of one framework within 1e-5 of the other's, relative to the
// largest output of each example.
const initTol = 1e-5

// torchRun is torch.json.
type torchRun struct {
	Torch    string   `json:"torch"`
	Model    string   `json:"model"`
	Args     []string `json:"args"`
	InitLoss float64  `json:"init_test_loss"`
	Epochs   []struct {
		Epoch        int     `json:"epoch"`
		TrainLoss    float64 `json:"train_loss"`
		TestLoss     float64 `json:"test_loss"`
		TestAccuracy float64 `json:"test_accuracy"`
	} `json:"epochs"`
	Trained matrix `json:"trained_predictions"`
}

// matrix is a row-major matrix of a JSON fixture.
type matrix struct {
	Shape []int     `json:"shape"`
	Data  []float64 `json:"data"`
}

// descentRun is descent_run.json: descent's outputs on the test set with
// descent_model.safetensors, and its last test loss.
type descentRun struct {
	Predictions matrix  `json:"predictions"`
	TestLoss    float64 `json:"test_loss"`
}

// checkResult is check.json, written by init_weights.py check.
type checkResult struct {
	File           string  `json:"file"`
	SHA256         string  `json:"sha256"`
	Tensors        int     `json:"tensors"`
	VsDescent      float64 `json:"vs_descent_predictions"`
	VsTorchTrained float64 `json:"vs_torch_trained_predictions"`
	TestLoss       float64 `json:"test_loss"`
	DescentLoss    float64 `json:"descent_test_loss"`
}

func readJSON(t *testing.T, name string, v any) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(initDir, name))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
}

// relErr returns |got − want| / |want|.
func relErr(got, want float64) float64 { return math.Abs(got-want) / math.Abs(want) }

// rowErr returns the largest over rows of max |got − want| / max |want|.
func rowErr(got []float32, want []float64, cols int) float64 {
	worst := 0.0
	for r := 0; r < len(want); r += cols {
		diff, scale := 0.0, 0.0
		for i := r; i < r+cols; i++ {
			diff = max(diff, math.Abs(float64(got[i])-want[i]))
			scale = max(scale, math.Abs(want[i]))
		}
		worst = max(worst, diff/scale)
	}
	return worst
}

// testOutputs returns the outputs of the mlp:64,64 whose weights are in the file at path
// on the standardised breast-cancer test set, as descent's run sees it.
func testOutputs(t *testing.T, path string) ([]float32, int) {
	t.Helper()
	uf := userDataFlags{train: filepath.Join(sklearnDir, "breast_cancer_train.csv"), test: filepath.Join(sklearnDir, "breast_cancer_test.csv"),
		target: "target", standardize: true, holdout: tabular.DefaultHoldout}
	d, err := uf.load(1)
	if err != nil {
		t.Fatal(err)
	}
	spec, err := model.ParseSpec("mlp:64,64")
	if err != nil {
		t.Fatal(err)
	}
	m, err := model.Build(spec, model.Config{}, d.train.Shape(), d.task, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		t.Fatal(err)
	}
	if err := weights.LoadFile(path, m, true); err != nil {
		t.Fatal(err)
	}
	n, f := d.test.Len(), data.Features(d.test)
	x := make([]float32, n*f)
	for i := range n {
		d.test.Example(x[i*f:(i+1)*f], i)
	}
	nn.SetTraining(m, false)
	tp := autodiff.NewTape()
	tp.SetInference(true)
	out := m.Forward(tp, tp.Const(tensor.FromSlice(x, n, f))).Value
	return slices.Clone(out.Data()), out.Shape()[1]
}

// epochs returns the epoch records of the only run of the results of dir.
func epochs(t *testing.T, dir string) []results.Record {
	t.Helper()
	recs, err := results.ReadFile(filepath.Join(dir, train.ResultsFile))
	if err != nil {
		t.Fatal(err)
	}
	runs := results.Runs(recs)
	if len(runs) != 1 || runs[0].Status() != results.StatusDone {
		t.Fatalf("%s: %d runs, want one, done", dir, len(runs))
	}
	return runs[0].Epochs
}

// TestInitWeightsFromTorch is the acceptance of --init-weights. A model that PyTorch
// initialised and saved with torch.save(model.state_dict()) (and the same state as
// safetensors) starts descent train and descent compare; PyTorch trained it the same way
// (full-batch SGD, so the order of the examples changes only the rounding). The
// training loss of epoch 1 is the loss of the initial weights; it and the test losses
// after each epoch must be PyTorch's within initTol, relative, and the accuracies equal
// but for one example (a tie at the decision boundary). Then descent's model.safetensors
// must give the outputs of the weights committed as descent_model.safetensors, which
// init_weights.py check loaded into PyTorch: its check.json must be of that file and
// record outputs within initTol of descent's.
func TestInitWeightsFromTorch(t *testing.T) {
	var want torchRun
	readJSON(t, "torch.json", &want)
	if len(want.Args) < 2 || want.Args[0] != "train" || len(want.Epochs) == 0 {
		t.Fatalf("torch.json: args %q, %d epochs", want.Args, len(want.Epochs))
	}
	t.Logf("PyTorch %s: %s, test loss of the initial weights %.7g", want.Torch, want.Model, want.InitLoss)
	compare := func(what, dir string) {
		got := epochs(t, dir)
		if len(got) != len(want.Epochs) {
			t.Fatalf("%s: %d epochs, PyTorch %d", what, len(got), len(want.Epochs))
		}
		for i, w := range want.Epochs {
			for _, c := range []struct {
				name  string
				value float64
			}{{results.TrainLoss, w.TrainLoss}, {results.TestLoss, w.TestLoss}} {
				v, ok := got[i].Metric(c.name)
				if e := relErr(v, c.value); !ok || !(e <= initTol) {
					t.Errorf("%s epoch %d: %s %.9g, PyTorch %.9g (relative difference %.2g, limit %g)", what, w.Epoch, c.name, v, c.value, e, initTol)
				} else {
					t.Logf("%s epoch %d: %s %.9g, PyTorch %.9g (relative difference %.2g)", what, w.Epoch, c.name, v, c.value, e)
				}
			}
			if v, _ := got[i].Metric(results.TestAccuracy); !(math.Abs(v-w.TestAccuracy) <= 1.5/114) {
				t.Errorf("%s epoch %d: test accuracy %.4f, PyTorch %.4f", what, w.Epoch, v, w.TestAccuracy)
			}
		}
	}

	// descent train with torch.json's arguments, from the .pt, then from the .safetensors.
	var trained string
	for _, file := range []string{"mlp.pt", "mlp.safetensors"} {
		out := filepath.Join(t.TempDir(), "run")
		args := slices.Clone(want.Args)
		i := slices.Index(args, "--init-weights")
		if i < 0 || args[i+1] != filepath.Join(initDir, "mlp.pt") {
			t.Fatalf("torch.json: args %q do not start from %s", args, filepath.Join(initDir, "mlp.pt"))
		}
		args[i+1] = filepath.Join(initDir, file)
		if _, stderr, err := runDescent(append(args, "--threads", "1", "--out", out)...); err != nil {
			t.Fatalf("train --init-weights %s: %v\n%s", file, err, stderr)
		}
		compare("train "+file, out)
		if trained == "" {
			trained = filepath.Join(out, train.WeightsFile)
		}
	}

	// Interrupted before its first step and resumed (the flags, --init-weights included,
	// from run.json): the same weights.
	cut := filepath.Join(t.TempDir(), "cut")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var o, e bytes.Buffer
	if err := run(ctx, append(slices.Clone(want.Args), "--threads", "1", "--out", cut), &o, &e); !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted: %v\n%s", err, e.String())
	}
	if _, stderr, err := runDescent("train", "--resume", cut); err != nil {
		t.Fatalf("resume: %v\n%s", err, stderr)
	}
	a, _ := os.ReadFile(trained)
	if b, _ := os.ReadFile(filepath.Join(cut, train.WeightsFile)); len(a) == 0 || !bytes.Equal(a, b) {
		t.Error("the weights of the interrupted and resumed run differ from the uninterrupted run's")
	}

	// descent compare with the same run.
	out := filepath.Join(t.TempDir(), "compare")
	args := slices.Clone(want.Args[1:])
	i := slices.Index(args, "--optimizer")
	args = slices.Delete(args, i, i+2)
	args = append(args, "--optimizers", "sgd", "--threads", "1", "--out", out)
	if _, stderr, err := runDescent(append([]string{"compare"}, args...)...); err != nil {
		t.Fatalf("compare --init-weights: %v\n%s", err, stderr)
	}
	compare("compare", out)

	// descent sweep from the same weights: it trains on a validation split, so its losses
	// are not PyTorch's; its report says where the weights came from.
	out = filepath.Join(t.TempDir(), "sweep")
	if _, stderr, err := runDescent(append([]string{"sweep"}, append(slices.Clone(want.Args[1:3]), "--target", "target", "--standardize",
		"--model", "mlp:64,64", "--init-weights", filepath.Join(initDir, "mlp.pt"), "--grid", "lr=0.01,0.1", "--epochs", "1",
		"--threads", "1", "--out", out)...)...); err != nil {
		t.Fatalf("sweep --init-weights: %v\n%s", err, stderr)
	}
	if meta, err := train.ReadMeta(out); err != nil || !strings.Contains(meta.Intro, "Initial weights: those of "+filepath.Join(initDir, "mlp.pt")) {
		t.Errorf("sweep --init-weights: run.json's intro does not name the weights (%v)", err)
	}

	// descent's weights: its outputs with them, those committed, and PyTorch's check.
	got, cols := testOutputs(t, trained)
	ends := epochs(t, filepath.Dir(trained))
	last, _ := ends[len(ends)-1].Metric(results.TestLoss)
	golden := filepath.Join(initDir, "descent_model.safetensors")
	if *update {
		b, err := os.ReadFile(trained)
		if err != nil {
			t.Fatal(err)
		}
		pred := make([]float64, len(got))
		for i, v := range got {
			pred[i] = float64(v)
		}
		run, _ := json.Marshal(descentRun{Predictions: matrix{Shape: []int{len(got) / cols, cols}, Data: pred}, TestLoss: last})
		if err := os.WriteFile(golden, b, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(initDir, "descent_run.json"), append(run, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Log("rewrote descent_model.safetensors and descent_run.json: now run testdata/init_weights.py check")
	}
	var committed descentRun
	readJSON(t, "descent_run.json", &committed)
	if e := rowErr(got, committed.Predictions.Data, cols); !(e <= initTol) {
		t.Errorf("descent's outputs with its model.safetensors differ from descent_run.json's by %.2g relative", e)
	}
	old, _ := testOutputs(t, golden)
	if e := rowErr(old, committed.Predictions.Data, cols); !(e <= initTol) {
		t.Errorf("descent's outputs with descent_model.safetensors differ from descent_run.json's by %.2g relative", e)
	}
	if e := rowErr(got, want.Trained.Data, cols); !(e <= initTol) {
		t.Errorf("descent's outputs after training differ from PyTorch's by %.2g relative", e)
	} else {
		t.Logf("descent's outputs on the %d test examples after training: within %.2g of PyTorch's", len(got)/cols, e)
	}

	var check checkResult
	readJSON(t, "check.json", &check)
	b, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(b)
	switch {
	case check.SHA256 != hex.EncodeToString(sum[:]):
		t.Errorf("check.json is of another descent_model.safetensors: run testdata/init_weights.py check")
	case !(check.VsDescent <= initTol):
		t.Errorf("check.json: PyTorch's outputs with descent's weights differ from descent's by %.2g relative", check.VsDescent)
	default:
		t.Logf("check.json: PyTorch loaded descent_model.safetensors (%d tensors): outputs within %.2g of descent's, %.2g of its own trained model's; test loss %.9g, descent's %.9g",
			check.Tensors, check.VsDescent, check.VsTorchTrained, check.TestLoss, check.DescentLoss)
	}
}

// TestInitWeightsRefused gives compare, train and sweep weights that do not fit
// --model mlp:64,64 on the breast-cancer set, or damaged files: each is refused with an
// error naming the file and the tensor or the place, and no run folder is made.
func TestInitWeightsRefused(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "none.safetensors")
	for _, c := range []struct {
		file string
		want []string
	}{
		{filepath.Join(initDir, "wrong_shape.safetensors"), []string{"wrong_shape.safetensors", `tensor "0.weight"`, "shape [64 31] in the file, [64 30] in the model"}},
		{filepath.Join(initDir, "truncated_header.safetensors"), []string{"truncated_header.safetensors", "truncated safetensors header"}},
		{filepath.Join(initDir, "other_arch.pt"), []string{"other_arch.pt", `tensor "0.weight"`, "shape [32 30] in the file, [64 30] in the model"}},
		{filepath.Join(sklearnDir, "breast_cancer_test.csv"), []string{"breast_cancer_test.csv", "not a weights file"}},
		{missing, []string{"none.safetensors"}},
	} {
		for _, cmd := range []string{"compare", "train", "sweep"} {
			out := filepath.Join(t.TempDir(), "run")
			args := []string{cmd, "--data", filepath.Join(sklearnDir, "breast_cancer_train.csv"), "--target", "target",
				"--model", "mlp:64,64", "--epochs", "1", "--init-weights", c.file, "--out", out}
			_, stderr, err := runDescent(args...)
			if err == nil || errors.Is(err, errUsage) {
				t.Errorf("%s, %s: err = %v\n%s", filepath.Base(c.file), cmd, err, stderr)
				continue
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("%s, %s: error %q does not say %q", filepath.Base(c.file), cmd, err, w)
				}
			}
			if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("%s, %s: a run folder was made (%v)", filepath.Base(c.file), cmd, err)
			}
		}
	}
}
