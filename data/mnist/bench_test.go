package mnist

import (
	"math/rand/v2"
	"testing"

	"github.com/descent-ml/descent/data"
)

// synthetic returns a set the size of MNIST's training set with random pixels and labels.
func synthetic(n int) *Set {
	r := rand.New(rand.NewPCG(1, 2))
	images := make([]uint8, n*784)
	for i := range images {
		images[i] = uint8(r.Uint32())
	}
	labels := make([]uint8, n)
	for i := range labels {
		labels[i] = uint8(r.IntN(10))
	}
	return NewSet(images, labels, 28, 28, 0.1307, 0.3081)
}

// BenchmarkLoaderEpoch measures one shuffled epoch of an MNIST-sized training set in
// batches of 128, with no training: the cost the loader adds to a training epoch. One op
// is one epoch. "gather" is the Set as it is (the loader uses Gather), "example" the same
// Set seen as a plain Dataset (one Example call per image, on a background goroutine
// unless no-prefetch).
func BenchmarkLoaderEpoch(b *testing.B) {
	set := synthetic(60000)
	dense := data.Materialize(set)
	for _, bc := range []struct {
		name string
		ds   data.Dataset
		cfg  data.Config
	}{
		{"shuffle/gather", set, data.Config{BatchSize: 128, Sampling: data.Shuffle}},
		{"replacement/gather", set, data.Config{BatchSize: 128, Sampling: data.Replacement}},
		{"shuffle/example/prefetch", exampleOnly{set}, data.Config{BatchSize: 128, Sampling: data.Shuffle}},
		{"shuffle/example/no-prefetch", exampleOnly{set}, data.Config{BatchSize: 128, Sampling: data.Shuffle, NoPrefetch: true}},
		{"dense/shuffle/prefetch", dense, data.Config{BatchSize: 128, Sampling: data.Shuffle}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			l := data.NewLoader(bc.ds, bc.cfg, rand.New(rand.NewPCG(3, 4)))
			defer l.Close()
			b.ReportAllocs()
			examples := 0
			for b.Loop() {
				for l.Next() {
					examples += l.Batch().Size()
				}
			}
			b.ReportMetric(float64(examples)/b.Elapsed().Seconds(), "examples/s")
		})
	}
}

// BenchmarkExample measures the conversion of one 28×28 image to normalised float32.
func BenchmarkExample(b *testing.B) {
	set := synthetic(1000)
	dst := make([]float32, 784)
	b.SetBytes(784)
	i := 0
	for b.Loop() {
		set.Example(dst, i)
		i = (i + 1) % 1000
	}
}
