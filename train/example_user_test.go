package train_test

import (
	"context"
	"fmt"
	"math/rand/v2"

	"github.com/descent-ml/descent/autodiff"
	"github.com/descent-ml/descent/data"
	"github.com/descent-ml/descent/data/tabular"
	"github.com/descent-ml/descent/nn"
	"github.com/descent-ml/descent/optim"
	"github.com/descent-ml/descent/tensor"
	"github.com/descent-ml/descent/train"
)

// quadratic is a model of one's own: an affine function of the features and of their
// squares, its parameters named as a PyTorch module's attributes lin and sq would be.
type quadratic struct{ lin, sq *nn.Linear }

func (m *quadratic) Forward(t *autodiff.Tape, x *autodiff.Var) *autodiff.Var {
	return t.Add(m.lin.Forward(t, x), m.sq.Forward(t, t.Mul(x, x)))
}

func (m *quadratic) Parameters() []nn.Parameter {
	return []nn.Parameter{{Name: "lin.weight", Var: m.lin.Weight}, {Name: "lin.bias", Var: m.lin.Bias}, {Name: "sq.weight", Var: m.sq.Weight}}
}

// Train a model and a loss of one's own on a CSV file: diabetes progression a year on from
// ten measurements, a quadratic model fitted to the mean absolute error by AdamW, without
// weight decay on the bias.
func Example_userModel() {
	dir := "../data/testdata/sklearn/"
	sets, err := tabular.Load(tabular.Spec{Train: dir + "diabetes_train.csv", Test: dir + "diabetes_test.csv",
		Target: []string{"target"}, Standardize: true, StandardizeTargets: true})
	if err != nil {
		panic(err)
	}
	in := data.Features(sets.Train)
	mae := train.LossFunc(func(t *autodiff.Tape, out *autodiff.Var, b *data.Batch) *autodiff.Var {
		y := tensor.Wrap(b.T, b.Size(), 1) // the targets, wrapped without a copy
		return t.Mean(t.Abs(t.Sub(out, t.Const(&y))))
	})
	cfg := train.Config{
		NewModel: func(rng *rand.Rand) nn.Module {
			m := &quadratic{nn.NewLinear(in, 1, rng), nn.NewLinear(in, 1, rng)}
			m.sq.Bias = nil // one bias is enough
			return m
		},
		Loss:      mae,
		Optimizer: "adamw",
		Options:   optim.Options{"lr": "0.01", "weight_decay": "0.05"},
		Groups:    []optim.GroupRule{{Pattern: "*.bias", Options: optim.Options{"weight_decay": "0"}}},
		Epochs:    60, BatchSize: 32, Seed: 1,
	}
	r, err := train.New("quadratic", cfg, train.Data{Train: sets.Train, Eval: sets.Test, TargetScale: sets.Standardization.Targets})
	if err != nil {
		panic(err)
	}
	defer r.Close()
	res, err := r.Train(context.Background(), train.Output{OnEpoch: func(e train.Epoch) {
		if e.Epoch%20 == 0 {
			fmt.Printf("epoch %d: test RMSE %.1f, R² %.2f\n", e.Epoch, e.EvalRMSE, e.EvalR2)
		}
	}})
	if err != nil {
		panic(err)
	}
	fmt.Println(res.Status, "after", res.Steps, "steps")
	// Output:
	// epoch 20: test RMSE 53.8, R² 0.51
	// epoch 40: test RMSE 52.4, R² 0.53
	// epoch 60: test RMSE 53.9, R² 0.50
	// done after 720 steps
}
