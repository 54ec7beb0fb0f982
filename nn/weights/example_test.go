package weights_test

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"

	"github.com/descent-ml/descent/nn"
	"github.com/descent-ml/descent/nn/weights"
)

// A model saved as safetensors, in PyTorch's names, and loaded into a model of the same
// architecture; a model of another architecture is refused, naming the first tensor that
// does not fit.
func Example() {
	dir, err := os.MkdirTemp("", "weights-example")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "model.safetensors")

	rng := rand.New(rand.NewPCG(1, 2))
	a := nn.NewSequential(nn.NewLinear(4, 8, rng), nn.NewBatchNorm1d(8), nn.ReLU{}, nn.NewLinear(8, 3, rng))
	if err := weights.SaveFile(path, a, map[string]string{"model": "mlp:8:batchnorm"}); err != nil {
		panic(err)
	}
	ts, format, err := weights.ReadFile(path)
	if err != nil {
		panic(err)
	}
	fmt.Println(format)
	for _, t := range ts {
		fmt.Println(t.Name, t.Tensor.Shape(), t.Int64)
	}

	b := nn.NewSequential(nn.NewLinear(4, 8, rng), nn.NewBatchNorm1d(8), nn.ReLU{}, nn.NewLinear(8, 3, rng))
	fmt.Println(weights.LoadFile(path, b, true))
	c := nn.NewSequential(nn.NewLinear(4, 16, rng), nn.ReLU{}, nn.NewLinear(16, 3, rng))
	err = weights.LoadFile(path, c, true)
	fmt.Println(err.(*nn.WeightsError).Tensor, err.(*nn.WeightsError).Msg)
	// Output:
	// safetensors
	// 1.num_batches_tracked [] true
	// 0.bias [8] false
	// 0.weight [8 4] false
	// 1.bias [8] false
	// 1.running_mean [8] false
	// 1.running_var [8] false
	// 1.weight [8] false
	// 3.bias [3] false
	// 3.weight [3 8] false
	// <nil>
	// 0.weight shape [8 4] in the file, [16 4] in the model
}
