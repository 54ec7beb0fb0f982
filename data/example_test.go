package data_test

import (
	"fmt"
	"math/rand/v2"

	"github.com/descent-ml/descent/data"
)

// A loader over 10 examples of 2 features, in shuffled batches of 4, for two epochs.
func ExampleLoader() {
	x := make([]float32, 20)
	y := make([]int, 10)
	for i := range y {
		x[2*i], x[2*i+1], y[i] = float32(i), float32(-i), i%2
	}
	train := data.NewDense(x, y, 2)

	l := data.NewLoader(train, data.Config{BatchSize: 4, Sampling: data.Shuffle}, rand.New(rand.NewPCG(1, 2)))
	defer l.Close()
	for epoch := range 2 {
		for l.Next() {
			b := l.Batch()
			fmt.Println(epoch, b.Shape, b.Indices, b.Y)
		}
	}
	// Output:
	// 0 [4 2] [0 1 2 9] [0 1 0 1]
	// 0 [4 2] [6 3 5 8] [0 1 1 0]
	// 0 [2 2] [7 4] [1 0]
	// 1 [4 2] [9 6 7 3] [1 0 1 1]
	// 1 [4 2] [2 1 4 8] [0 1 0 0]
	// 1 [2 2] [5 0] [1 0]
}

// Checkpointing a loader mid-epoch and resuming it elsewhere.
func ExampleLoader_State() {
	d := data.NewDense(make([]float32, 100), make([]int, 100), 1)
	cfg := data.Config{BatchSize: 10, Sampling: data.Replacement}
	l := data.NewLoader(d, cfg, rand.New(rand.NewPCG(7, 7)))
	l.Next()
	l.Next()
	s := l.State() // stored in the checkpoint
	l.Next()
	want := l.Batch().Indices

	resumed := data.NewLoader(d, cfg, rand.New(rand.NewPCG(0, 0))) // Restore replaces the seed
	resumed.Restore(s)
	resumed.Next()
	fmt.Println(s.Epoch, s.Batch, fmt.Sprint(resumed.Batch().Indices) == fmt.Sprint(want))
	// Output:
	// 0 2 true
}

// Holding out 2 of 10 examples for validation, the same for the same seed.
func ExampleSplit() {
	d := data.NewDense(make([]float32, 10), make([]int, 10), 1)
	train, val := data.Split(d, 2, rand.New(rand.NewPCG(1, 2)))
	fmt.Println(train.Indices, val.Indices)
	// Output:
	// [0 1 3 5 6 7 8 9] [2 4]
}
