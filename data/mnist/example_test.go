package mnist_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"

	"github.com/descent-ml/descent/data"
	"github.com/descent-ml/descent/data/mnist"
)

// Loading MNIST — from $MNIST_DIR, the cache, or fetched through the Go module proxy — and
// iterating over shuffled batches of 128. (Compiled, not run, by go test: it may fetch.)
func Example_load() {
	spec, _ := mnist.Lookup("mnist")
	d, err := mnist.Load(context.Background(), spec, mnist.Options{Log: os.Stderr})
	if err != nil {
		fmt.Println(err)
		return
	}
	l := data.NewLoader(d.Train, data.Config{BatchSize: 128, Sampling: data.Shuffle}, rand.New(rand.NewPCG(1, 2)))
	defer l.Close()
	for l.Next() {
		b := l.Batch() // b.X: [128, 784] float32, normalised; b.Y: labels
		_ = b
	}
}

// The same bytes under torchvision's MNIST normalisation and scaled to [0, 1].
func ExampleSet_Normalized() {
	images := []uint8{0, 64, 128, 255} // one 2×2 image
	s := mnist.NewSet(images, []uint8{7}, 2, 2, 0.1307, 0.3081)
	x := make([]float32, 4)
	label := s.Example(x, 0)
	fmt.Printf("label %d, normalised %.4f\n", label, x)
	s.Normalized(0, 1).Example(x, 0)
	fmt.Printf("in [0, 1]         %.4f\n", x)
	// Output:
	// label 7, normalised [-0.4242 0.3904 1.2050 2.8215]
	// in [0, 1]         [0.0000 0.2510 0.5020 1.0000]
}
