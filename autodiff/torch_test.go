package autodiff

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"testing"

	"github.com/descent-ml/descent/tensor"
)

// torchCase is one case of testdata/torch_ops.json, written by testdata/gen_torch.py: an
// operation, its float32 inputs and PyTorch's float64 output and gradients of Σ r ⊙ output.
type torchCase struct {
	Name   string
	Op     string
	Args   torchArgs
	Ints   []int
	Inputs []torchTensor
	Output torchTensor
	R      torchTensor
	Grads  []*torchTensor
	State  map[string]torchTensor
}

type torchArgs struct {
	Axis           int
	Keepdim        bool
	P              float64
	Start, Length  int
	Perm           []int
	D0, D1         int
	Shape          []int
	Dims           int
	Eps            float64
	Training       bool
	Momentum       float64
	RunningMean    []float32 `json:"running_mean"`
	RunningVar     []float32 `json:"running_var"`
	Reduction      string
	Beta, Delta    float64
	PosWeight      []float32 `json:"pos_weight"`
	Weight         []float32
	LabelSmoothing float64 `json:"label_smoothing"`
}

type torchTensor struct {
	Shape []int
	Data  []float64
}

func (t torchTensor) tensor() *tensor.Tensor {
	x := tensor.New(t.Shape...)
	for i, v := range t.Data {
		x.Data()[i] = float32(v)
	}
	return x
}

func reduction(s string) tensor.Reduction {
	switch s {
	case "mean":
		return tensor.ReduceMean
	case "sum":
		return tensor.ReduceSum
	}
	panic("unknown reduction " + s)
}

// torchOps runs the operation of a case on the tape.
var torchOps = map[string]func(t *Tape, x []*Var, c *torchCase, state map[string]*tensor.Tensor) *Var{
	"add":  func(t *Tape, x []*Var, _ *torchCase, _ map[string]*tensor.Tensor) *Var { return t.Add(x[0], x[1]) },
	"sub":  func(t *Tape, x []*Var, _ *torchCase, _ map[string]*tensor.Tensor) *Var { return t.Sub(x[0], x[1]) },
	"mul":  func(t *Tape, x []*Var, _ *torchCase, _ map[string]*tensor.Tensor) *Var { return t.Mul(x[0], x[1]) },
	"div":  func(t *Tape, x []*Var, _ *torchCase, _ map[string]*tensor.Tensor) *Var { return t.Div(x[0], x[1]) },
	"exp":  func(t *Tape, x []*Var, _ *torchCase, _ map[string]*tensor.Tensor) *Var { return t.Exp(x[0]) },
	"log":  func(t *Tape, x []*Var, _ *torchCase, _ map[string]*tensor.Tensor) *Var { return t.Log(x[0]) },
	"sqrt": func(t *Tape, x []*Var, _ *torchCase, _ map[string]*tensor.Tensor) *Var { return t.Sqrt(x[0]) },
	"abs":  func(t *Tape, x []*Var, _ *torchCase, _ map[string]*tensor.Tensor) *Var { return t.Abs(x[0]) },
	"pow":  func(t *Tape, x []*Var, c *torchCase, _ map[string]*tensor.Tensor) *Var { return t.Pow(x[0], c.Args.P) },
	"relu": func(t *Tape, x []*Var, _ *torchCase, _ map[string]*tensor.Tensor) *Var { return t.ReLU(x[0]) },
	"tanh": func(t *Tape, x []*Var, _ *torchCase, _ map[string]*tensor.Tensor) *Var { return t.Tanh(x[0]) },
	"sigmoid": func(t *Tape, x []*Var, _ *torchCase, _ map[string]*tensor.Tensor) *Var {
		return t.Sigmoid(x[0])
	},
	"gelu": func(t *Tape, x []*Var, _ *torchCase, _ map[string]*tensor.Tensor) *Var { return t.GELU(x[0]) },
	"gelu_tanh": func(t *Tape, x []*Var, _ *torchCase, _ map[string]*tensor.Tensor) *Var {
		return t.GELUTanh(x[0])
	},
	"silu": func(t *Tape, x []*Var, _ *torchCase, _ map[string]*tensor.Tensor) *Var { return t.SiLU(x[0]) },
	"sum":  func(t *Tape, x []*Var, _ *torchCase, _ map[string]*tensor.Tensor) *Var { return t.Sum(x[0]) },
	"mean": func(t *Tape, x []*Var, _ *torchCase, _ map[string]*tensor.Tensor) *Var { return t.Mean(x[0]) },
	"sum_axis": func(t *Tape, x []*Var, c *torchCase, _ map[string]*tensor.Tensor) *Var {
		return t.SumAxis(x[0], c.Args.Axis, c.Args.Keepdim)
	},
	"mean_axis": func(t *Tape, x []*Var, c *torchCase, _ map[string]*tensor.Tensor) *Var {
		return t.MeanAxis(x[0], c.Args.Axis, c.Args.Keepdim)
	},
	"softmax": func(t *Tape, x []*Var, c *torchCase, _ map[string]*tensor.Tensor) *Var {
		return t.Softmax(x[0], c.Args.Axis)
	},
	"log_softmax": func(t *Tape, x []*Var, c *torchCase, _ map[string]*tensor.Tensor) *Var {
		return t.LogSoftmaxAxis(x[0], c.Args.Axis)
	},
	"concat": func(t *Tape, x []*Var, c *torchCase, _ map[string]*tensor.Tensor) *Var {
		return t.Concat(c.Args.Axis, x...)
	},
	"narrow": func(t *Tape, x []*Var, c *torchCase, _ map[string]*tensor.Tensor) *Var {
		return t.Narrow(x[0], c.Args.Axis, c.Args.Start, c.Args.Length)
	},
	"permute": func(t *Tape, x []*Var, c *torchCase, _ map[string]*tensor.Tensor) *Var {
		return t.Permute(x[0], c.Args.Perm...)
	},
	"transpose": func(t *Tape, x []*Var, c *torchCase, _ map[string]*tensor.Tensor) *Var {
		return t.Transpose(x[0], c.Args.D0, c.Args.D1)
	},
	"index_select": func(t *Tape, x []*Var, c *torchCase, _ map[string]*tensor.Tensor) *Var {
		return t.IndexSelect(x[0], c.Args.Axis, c.Ints)
	},
	"embedding": func(t *Tape, x []*Var, c *torchCase, _ map[string]*tensor.Tensor) *Var {
		return t.Embedding(x[0], c.Ints, c.Args.Shape...)
	},
	"layer_norm": func(t *Tape, x []*Var, c *torchCase, _ map[string]*tensor.Tensor) *Var {
		var w, b *Var
		if len(x) == 3 {
			w, b = x[1], x[2]
		}
		return t.LayerNorm(x[0], w, b, c.Args.Dims, c.Args.Eps)
	},
	"batch_norm": func(t *Tape, x []*Var, c *torchCase, state map[string]*tensor.Tensor) *Var {
		cfg := tensor.BatchNormConfig{Training: c.Args.Training, Momentum: c.Args.Momentum, Eps: c.Args.Eps}
		return t.BatchNorm(x[0], x[1], x[2], state["running_mean"], state["running_var"], cfg)
	},
	"mse": func(t *Tape, x []*Var, c *torchCase, _ map[string]*tensor.Tensor) *Var {
		return t.MSELoss(x[0], x[1], reduction(c.Args.Reduction))
	},
	"l1": func(t *Tape, x []*Var, c *torchCase, _ map[string]*tensor.Tensor) *Var {
		return t.L1Loss(x[0], x[1], reduction(c.Args.Reduction))
	},
	"smooth_l1": func(t *Tape, x []*Var, c *torchCase, _ map[string]*tensor.Tensor) *Var {
		return t.SmoothL1Loss(x[0], x[1], c.Args.Beta, reduction(c.Args.Reduction))
	},
	"huber": func(t *Tape, x []*Var, c *torchCase, _ map[string]*tensor.Tensor) *Var {
		return t.HuberLoss(x[0], x[1], c.Args.Delta, reduction(c.Args.Reduction))
	},
	"bce_with_logits": func(t *Tape, x []*Var, c *torchCase, _ map[string]*tensor.Tensor) *Var {
		return t.BCEWithLogitsLoss(x[0], x[1], c.Args.PosWeight, reduction(c.Args.Reduction))
	},
	"cross_entropy": func(t *Tape, x []*Var, c *torchCase, _ map[string]*tensor.Tensor) *Var {
		return t.CrossEntropy(x[0], c.Ints, tensor.CrossEntropyConfig{Weight: c.Args.Weight,
			LabelSmoothing: c.Args.LabelSmoothing, Reduction: reduction(c.Args.Reduction)})
	},
	"nll": func(t *Tape, x []*Var, c *torchCase, _ map[string]*tensor.Tensor) *Var {
		return t.NLL(x[0], c.Ints, tensor.NLLConfig{Weight: c.Args.Weight, Reduction: reduction(c.Args.Reduction)})
	},
}

func loadTorchCases(t *testing.T) []torchCase {
	b, err := os.ReadFile("testdata/torch_ops.json")
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Torch string
		Cases []torchCase
	}
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	return f.Cases
}

// compareTorch checks got against PyTorch's want elementwise: |got − want| ≤
// tol·max(|want|, 1e-2·max|want|), relative to each element, an element smaller than 1% of
// the largest counting as that 1% (its rounding comes from sums of the larger ones).
func compareTorch(got *tensor.Tensor, want torchTensor, tol float64) error {
	if fmt.Sprint(got.Shape()) != fmt.Sprint(want.Shape) {
		return fmt.Errorf("shape %v, want %v", got.Shape(), want.Shape)
	}
	top := 0.0
	for _, w := range want.Data {
		top = max(top, math.Abs(w))
	}
	for i, w := range want.Data {
		g := float64(got.Data()[i])
		if d := math.Abs(g - w); !(d <= tol*max(math.Abs(w), 1e-2*top)) {
			return fmt.Errorf("element %d: %v, want %v (relative error %.2g)", i, g, w, d/max(math.Abs(w), 1e-2*top))
		}
	}
	return nil
}

// TestTorchOps runs every operation of the PyTorch fixtures on the tape and compares the
// output within 1e-5 and the gradients within 1e-4 (relative), and the running statistics
// of batch_norm within 1e-5.
func TestTorchOps(t *testing.T) {
	cases := loadTorchCases(t)
	seen := map[string]bool{}
	for i := range cases {
		c := &cases[i]
		t.Run(c.Name, func(t *testing.T) {
			op, ok := torchOps[c.Op]
			if !ok {
				t.Fatalf("no operation %q", c.Op)
			}
			seen[c.Op] = true
			xs := make([]*Var, len(c.Inputs))
			for i, in := range c.Inputs {
				xs[i] = NewParam(in.tensor())
			}
			state := map[string]*tensor.Tensor{}
			if c.Args.RunningMean != nil {
				state["running_mean"] = tensor.FromSlice(append([]float32(nil), c.Args.RunningMean...), len(c.Args.RunningMean))
				state["running_var"] = tensor.FromSlice(append([]float32(nil), c.Args.RunningVar...), len(c.Args.RunningVar))
			}
			tp := NewTape()
			out := op(tp, xs, c, state)
			if err := compareTorch(&out.Value, c.Output, 1e-5); err != nil {
				t.Fatalf("output: %v", err)
			}
			tp.Backward(tp.Sum(tp.Mul(out, tp.Const(c.R.tensor()))))
			for i, g := range c.Grads {
				if g == nil {
					continue
				}
				if err := compareTorch(&xs[i].Grad, *g, 1e-4); err != nil {
					t.Errorf("gradient of input %d: %v", i, err)
				}
			}
			for name, want := range c.State {
				if err := compareTorch(state[name], want, 1e-5); err != nil {
					t.Errorf("%s: %v", name, err)
				}
			}
		})
	}
	for op := range torchOps {
		if !seen[op] {
			t.Errorf("operation %q has no PyTorch case", op)
		}
	}
}
