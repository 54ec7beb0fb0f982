package train_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"

	"github.com/descent-ml/descent/data"
	"github.com/descent-ml/descent/train"
)

// blobs returns n MNIST-shaped examples of 10 classes: a random centre per class, plus
// noise.
func blobs(n int, seed uint64) data.Dataset {
	centres := rand.New(rand.NewPCG(0, 1))
	mu := make([]float32, 10*784)
	for i := range mu {
		mu[i] = float32(0.2 * centres.NormFloat64())
	}
	rng := rand.New(rand.NewPCG(seed, 1))
	x, y := make([]float32, n*784), make([]int, n)
	for i := range y {
		y[i] = rng.IntN(10)
		for j := range 784 {
			x[i*784+j] = mu[y[i]*784+j] + float32(rng.NormFloat64())
		}
	}
	return data.NewDense(x, y, 1, 28, 28)
}

// Train logistic regression with Adam for three epochs, with a checkpoint after each.
func ExampleRun() {
	d := train.Data{Train: blobs(1000, 1), Eval: blobs(200, 2)}
	cfg := train.Config{Model: "logreg", Optimizer: "adam", Epochs: 3, BatchSize: 50, Seed: 1}
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)
	ckpt := filepath.Join(dir, "checkpoint")

	r, err := train.New("adam", cfg, d)
	if err != nil {
		panic(err)
	}
	defer r.Close()
	res, err := r.Train(context.Background(), train.Output{Checkpoint: ckpt, OnEpoch: func(e train.Epoch) {
		fmt.Printf("epoch %d: %d steps\n", e.Epoch, e.Step)
	}})
	if err != nil {
		panic(err)
	}
	fmt.Println(res.Status, "after", res.Epochs, "epochs; test accuracy above 90%:", res.Last.EvalAccuracy > 0.9)

	info, _ := train.ReadCheckpointInfo(ckpt)
	fmt.Println("checkpoint:", info.Epoch, "epochs,", info.Step, "steps,", info.Status)
	// Output:
	// epoch 1: 20 steps
	// epoch 2: 40 steps
	// epoch 3: 60 steps
	// done after 3 epochs; test accuracy above 90%: true
	// checkpoint: 3 epochs, 60 steps, done
}
