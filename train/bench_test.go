package train

import (
	"context"
	"math/rand/v2"
	"testing"

	"github.com/descent-ml/descent/data"
	"github.com/descent-ml/descent/data/mnist"
	"github.com/descent-ml/descent/report/results"
)

// mnistShaped returns n random images and labels stored as MNIST's are (bytes, converted
// to float32 by the loader).
func mnistShaped(n int) *mnist.Set {
	rng := rand.New(rand.NewPCG(1, 2))
	img := make([]uint8, n*784)
	for i := range img {
		img[i] = uint8(rng.IntN(256))
	}
	lab := make([]uint8, n)
	for i := range lab {
		lab[i] = uint8(rng.IntN(10))
	}
	return mnist.NewSet(img, lab, 28, 28, 0.1307, 0.3081)
}

// benchConfigs are the models of the acceptance runs, with torch_train.py's optimiser and
// batch.
var benchConfigs = []struct {
	name string
	cfg  Config
}{
	{"logreg", Config{Model: "logreg", Optimizer: "adam", BatchSize: 128}},
	{"mlp", Config{Model: "mlp", Optimizer: "adam", BatchSize: 128}},
}

// BenchmarkStep times one training step on a batch already in memory: the model's
// forward and backward passes and the optimiser, nothing of the loop.
func BenchmarkStep(b *testing.B) {
	for _, c := range benchConfigs {
		b.Run(c.name, func(b *testing.B) {
			r, err := New("bench", c.cfg, Data{Train: mnistShaped(1024)})
			if err != nil {
				b.Fatal(err)
			}
			defer r.Close()
			r.loader.Next()
			batch := r.loader.Batch()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := r.step(batch); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkLoop times the training loop per step: BenchmarkStep plus the loader (which
// converts the bytes of the next batch to float32 in the background), the loss read,
// the schedule, the progress counters and a step record every 10 steps. The difference
// with BenchmarkStep is the loop's cost.
func BenchmarkLoop(b *testing.B) {
	for _, c := range benchConfigs {
		b.Run(c.name, func(b *testing.B) {
			cfg := c.cfg
			cfg.Epochs = 1
			d := Data{Train: mnistShaped(max(b.N, 1) * cfg.BatchSize)}
			r, err := New("bench", cfg, d)
			if err != nil {
				b.Fatal(err)
			}
			defer r.Close()
			b.ReportAllocs()
			b.ResetTimer()
			if _, err := r.Train(context.Background(), Output{Results: results.NewWriter(discard{})}); err != nil {
				b.Fatal(err)
			}
		})
	}
}

// tabularRegression returns n random examples of 100 features with one float target, as
// the speed acceptance's synthetic set (100k × 100) but of the size asked.
func tabularRegression(n int) *data.Dense {
	rng := rand.New(rand.NewPCG(3, 4))
	x, y := make([]float32, n*100), make([]float32, n)
	for i := range x {
		x[i] = float32(rng.NormFloat64())
	}
	for i := range y {
		y[i] = x[i*100] - 0.5*x[i*100+1] + float32(0.1*rng.NormFloat64())
	}
	return data.NewRegression(x, []int{100}, y, []int{1})
}

// BenchmarkRegressionStep times one training step of an MLP 100-256-256-1 with LayerNorm
// (mlp:256,256:layernorm) on a batch of 128 of a regression, with Adam and the mean
// squared error: the new path of any model on any data.
func BenchmarkRegressionStep(b *testing.B) {
	r, err := New("bench", Config{Model: "mlp:256,256:layernorm", Optimizer: "adam", BatchSize: 128}, Data{Train: tabularRegression(1024)})
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()
	r.loader.Next()
	batch := r.loader.Batch()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := r.step(batch); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRegressionLoop is BenchmarkRegressionStep through the training loop, the loader
// building the batches in the background.
func BenchmarkRegressionLoop(b *testing.B) {
	cfg := Config{Model: "mlp:256,256:layernorm", Optimizer: "adam", BatchSize: 128, Epochs: 1}
	r, err := New("bench", cfg, Data{Train: tabularRegression(max(b.N, 1) * cfg.BatchSize)})
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()
	b.ReportAllocs()
	b.ResetTimer()
	if _, err := r.Train(context.Background(), Output{Results: results.NewWriter(discard{})}); err != nil {
		b.Fatal(err)
	}
}
