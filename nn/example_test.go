package nn_test

import (
	"fmt"
	"math/rand/v2"

	"github.com/descent-ml/descent/autodiff"
	"github.com/descent-ml/descent/nn"
	"github.com/descent-ml/descent/tensor"
)

// A small network, its parameters in optim's form, one gradient, and its weights loaded
// into a network of another architecture.
func Example() {
	rng := rand.New(rand.NewPCG(1, 2))
	net := nn.NewSequential(
		nn.NewConv2d(1, 4, 3, tensor.Conv2dConfig{Padding: 1}, rng), nn.ReLU{},
		nn.MaxPool2d{Kernel: 2}, nn.Flatten{},
		nn.NewLinear(4*4*4, 10, rng), nn.LogSoftmax{},
	)
	for _, p := range nn.Params(net) {
		fmt.Println(p.Name, p.Shape)
	}

	x := tensor.New(2, 1, 8, 8)
	tp := autodiff.NewTape()
	loss := nn.NLLLoss{}.Forward(tp, net.Forward(tp, tp.Const(x)), []int{3, 7})
	tp.Backward(loss)
	fmt.Printf("loss %.4f\n", loss.Item())

	// Weights move between modules (and files, nn/weights) by name; a module of another
	// architecture is refused.
	other := nn.NewSequential(nn.NewLinear(64, 10, rng))
	fmt.Println(nn.LoadStateDict(other, nn.StateDict(net), true))
	// Output:
	// 0.weight [4 1 3 3]
	// 0.bias [4]
	// 4.weight [10 64]
	// 4.bias [10]
	// loss 2.4010
	// nn: weights: tensor "0.weight": shape [4 1 3 3] in the file, [10 64] in the model
}

// A model with normalisation layers: its state dict, in PyTorch's names and order, holds
// BatchNorm's buffers besides the parameters; a loss with label smoothing trains it.
func ExampleStateDict() {
	rng := rand.New(rand.NewPCG(1, 2))
	net := nn.NewSequential(
		nn.NewLinear(4, 8, rng), nn.NewBatchNorm1d(8), nn.ReLU{},
		nn.NewLayerNorm(8), nn.GELU{}, nn.NewLinear(8, 3, rng),
	)
	for _, e := range nn.StateDict(net) {
		fmt.Println(e.Name, e.Tensor.Shape())
	}
	tp := autodiff.NewTape()
	x := tensor.New(5, 4)
	for i := range x.Data() {
		x.Data()[i] = float32(i%7) - 3
	}
	loss := nn.CrossEntropyLoss{LabelSmoothing: 0.1}.Forward(tp, net.Forward(tp, tp.Const(x)), []int{0, 1, 2, 1, 0})
	tp.Backward(loss)
	bn := net.Layers[1].(*nn.BatchNorm)
	fmt.Println("batches tracked:", bn.NumBatchesTracked.Data()[0])
	// Output:
	// 0.weight [8 4]
	// 0.bias [8]
	// 1.weight [8]
	// 1.bias [8]
	// 1.running_mean [8]
	// 1.running_var [8]
	// 1.num_batches_tracked []
	// 3.weight [8]
	// 3.bias [8]
	// 5.weight [3 8]
	// 5.bias [3]
	// batches tracked: 1
}

// BatchNorm statistics recomputed for averaged weights: one pass over two batches, whose
// means are 2 and 7 and unbiased variances 2 and 4, leaves their averages.
func ExampleUpdateBN() {
	bn := nn.NewBatchNorm1d(1)
	net := nn.NewSequential(bn)
	nn.SetTraining(net, false)
	batches := []*tensor.Tensor{
		tensor.FromSlice([]float32{1, 3}, 2, 1),
		tensor.FromSlice([]float32{5, 7, 9}, 3, 1),
	}
	n := nn.UpdateBN(nil, net, func(yield func(*tensor.Tensor) bool) {
		for _, x := range batches {
			if !yield(x) {
				return
			}
		}
	})
	fmt.Println(n, "layer:", bn.RunningMean.Data(), bn.RunningVar.Data(), bn.NumBatchesTracked.Data(), bn.Momentum)
	// Output: 1 layer: [4.5] [3] [2] 0.1
}
